"""The diagram widget's front end, ``vpclab/static/diagram.js``, is exactly what the pinned npm
packages in ``js/`` build: a fresh ``npm ci`` and ``npm run build`` in a copy of ``js/`` give the
shipped file byte for byte. It needs Node.js and npm, and the packages in the npm cache that
``scripts/dev.py test`` fills before the tests run (the test itself installs ``--offline``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
JS = ROOT / "js"
SHIPPED = ROOT / "vpclab" / "static" / "diagram.js"
CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def test_every_npm_dependency_is_pinned_to_an_exact_version_and_locked():
    package = json.loads((JS / "package.json").read_text())
    lock = json.loads((JS / "package-lock.json").read_text())
    for name, version in {**package["dependencies"], **package["devDependencies"]}.items():
        assert version[0].isdigit(), f"{name} {version}: pin an exact version"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version


def test_the_bundle_needs_no_cdn_and_carries_its_webassembly():
    bundle = SHIPPED.read_text(encoding="utf-8")
    for host in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com", "esm.sh"):
        assert host not in bundle
    assert "WebAssembly" in bundle and "vpclab-diagram" in bundle


@pytest.mark.slow
def test_the_shipped_bundle_is_what_npm_ci_and_the_build_script_make(tmp_path):
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        if CI:
            pytest.fail("Node.js and npm are needed to check the diagram bundle (CI=true: must not skip)")
        pytest.skip("Node.js and npm are not installed")
    work = tmp_path / "js"
    work.mkdir()
    for name in ("package.json", "package-lock.json", "build.mjs"):
        shutil.copy(JS / name, work / name)
    shutil.copytree(JS / "src", work / "src")
    # From the npm cache that `scripts/dev.py test` fills before the tests: tests talk to loopback only.
    base = os.environ.get("VPCLAB_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "vpclab"
    cache = os.environ.get("VPCLAB_NPM_CACHE") or str(Path(base) / "npm")
    offline = [npm, "ci", "--offline", "--no-audit", "--no-fund", "--cache", cache]
    installed = subprocess.run(offline, cwd=work, check=False, capture_output=True, text=True)
    if installed.returncode != 0:
        message = "the npm packages are not in the cache: run `python3 scripts/dev.py test`, which fetches them first"
        if CI:
            pytest.fail(message + "\n" + installed.stderr[-400:])
        pytest.skip(message)
    built = tmp_path / "diagram.js"
    subprocess.run([node, "build.mjs", str(built)], cwd=work, check=True, capture_output=True)
    assert built.read_bytes() == SHIPPED.read_bytes(), "rebuild it: cd js && npm ci && npm run build"
