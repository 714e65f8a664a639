// Builds vpclab/static/diagram.js, the ES module of vpclab's diagram widget, from the pinned npm
// packages in package-lock.json: `npm ci && npm run build`. The output is byte-for-byte the same on
// every machine (tests/test_js_bundle.py rebuilds it and compares), so no timestamps, no absolute
// paths and no source maps go into it.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ?? path.join(here, "..", "vpclab", "static", "diagram.js");

await build({
  entryPoints: [path.join(here, "src", "diagram.js")],
  outfile: out,
  absWorkingDir: here,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2020",
  minify: true,
  legalComments: "eof",
  charset: "utf8",
  logLevel: "warning",
});
