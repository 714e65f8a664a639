#!/usr/bin/env python3
"""Build the whole course as a static JupyterLite site: ``python3 scripts/dev.py site``.

The site (``build/site/``) runs the lessons (``notebooks/en``, ``notebooks/ko``) and the exercises
in the browser with Pyodide; any static web server can serve it. Everything it needs is inside it
and comes from the package registries only, every version pinned:

- JupyterLite and its Pyodide kernel: ``jupyterlite-core`` and ``jupyterlite-pyodide-kernel``
  (pinned in pyproject.toml's ``site`` extra, installed in the virtual environment);
- the Pyodide runtime: the npm package ``pyodide`` at the version the kernel was built for, its
  tarball checked against the integrity pinned in ``scripts/site_pyodide.py``;
- the wheels the kernel loads when it starts and vpclab's dependencies: ``scripts/site-wheels.txt``
  (PyPI, pinned with hashes); the kernel's own shims (``pyodide-kernel``, ``piplite``, ...) ship
  inside ``jupyterlite-pyodide-kernel``; vpclab's wheel is built from this checkout.

All of them are written into one ``pyodide-lock.json`` and preloaded when the kernel starts, so
``import vpclab`` needs no ``%pip`` and the page asks no host but its own. The Pyodide tarball and
the wheels are kept in the user's cache folder (``VPCLAB_CACHE`` overrides it) for the next build.

Usage: ``python3 scripts/dev.py site [--output DIR]`` (this file runs inside the virtual environment).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # site_pyodide, beside this file, however it is run

from site_pyodide import (
    PYODIDE_FILES,
    PYODIDE_INTEGRITY,
    SiteError,
    canonical,
    kernel_shims,
    log,
    pinned_wheels,
    pyodide_folder,
    pyodide_tarball,
    run,
    vpclab_wheel,
    wheel_metadata,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "build" / "site"
# Browser-side extensions the lessons need, from the pinned wheels (the Pyodide kernel's own
# extension comes from the environment). Nothing else from the environment (Voilà, nbgrader) goes in.
LAB_EXTENSION_WHEELS = ("jupyterlab-widgets", "anywidget")
KOREAN = "ko_KR"
START_LESSON = "00_start_here.ipynb"


def cache_dir() -> Path:
    chosen = os.environ.get("VPCLAB_CACHE")
    if chosen:
        return Path(chosen) / "site"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "vpclab" / "site"


# --- What the pinned tools expect -------------------------------------------------------------


def kernel_extension() -> Path:
    """The Pyodide kernel's JupyterLab extension folder in this environment."""
    try:
        from jupyterlite_pyodide_kernel import constants  # noqa: F401
    except ImportError as error:
        raise SiteError(
            "jupyterlite-pyodide-kernel is not installed here: run `python3 scripts/dev.py site`, "
            "which installs pyproject.toml's `site` extra"
        ) from error
    folder = Path(sys.prefix) / "share" / "jupyter" / "labextensions" / "@jupyterlite" / "pyodide-kernel-extension"
    if not (folder / "package.json").is_file():
        raise SiteError(
            f"the Pyodide kernel's extension is missing from {folder}; reinstall jupyterlite-pyodide-kernel"
        )
    return folder


def expected_pyodide() -> str:
    from jupyterlite_pyodide_kernel.constants import PYODIDE_VERSION

    if PYODIDE_VERSION not in PYODIDE_INTEGRITY:
        raise SiteError(
            f"jupyterlite-pyodide-kernel expects Pyodide {PYODIDE_VERSION}, whose npm integrity is not pinned "
            f"in scripts/build_site.py PYODIDE_INTEGRITY (`npm view pyodide@{PYODIDE_VERSION} dist.integrity`)"
        )
    return PYODIDE_VERSION


# --- The JupyterLite build --------------------------------------------------------------------

KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
TRANSLATION_PLUGIN = "@jupyterlab/translation-extension:plugin"
# Copied into the site's file browser, as they are in the repository.
CONTENT_FOLDERS = ("notebooks/en", "notebooks/ko", "exercises/en", "exercises/ko")


def stage_contents(files: Path) -> None:
    skip = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for folder in CONTENT_FOLDERS:
        source = ROOT / folder
        if not any(source.glob("*.ipynb")):
            raise SiteError(f"{folder}/ has no notebooks")
        shutil.copytree(source, files / folder, ignore=skip)
    if (ROOT / "exercises" / "README.md").exists():
        shutil.copy2(ROOT / "exercises" / "README.md", files / "exercises" / "README.md")


def lite_config(packages: list[str]) -> dict:
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "vpclab",
            "litePluginSettings": {
                KERNEL_PLUGIN: {
                    # Preload every wheel of the site: the kernel then installs nothing, and
                    # piplite never falls back to PyPI.
                    "disablePyPIFallback": True,
                    "loadPyodideOptions": {"packages": packages},
                }
            },
            "settingsOverrides": {
                # No news feed and no update check: the page asks no host but its own.
                "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
            },
        },
    }


def jupyterlite_build(lite: Path, output: Path, extensions: list[Path]) -> None:
    log("running the JupyterLite build")
    config = {
        "LiteBuildConfig": {
            "contents": [str(lite / "files")],
            "apps": ["lab"],
            "no_sourcemaps": True,
            # Only the extensions named here: the environment's own (Voila, nbgrader) stay out of the site.
            "ignore_sys_prefix": True,
            "federated_extensions": [str(extension) for extension in extensions],
        }
    }
    (lite / "jupyter_lite_config.json").write_text(json.dumps(config, indent=2) + "\n")
    cmd = [sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite), "--output-dir", str(output)]
    run(cmd, "jupyter lite build", cwd=lite)


def add_translations(output: Path) -> None:
    """JupyterLab's Korean language pack as the site's translations API (a sys-prefix-free build has none)."""
    from jupyterlab_server.translation_utils import get_language_pack, get_language_packs

    packs, message = get_language_packs()
    if KOREAN not in packs:
        hint = message or "pip install jupyterlab-language-pack-ko-KR"
        raise SiteError(f"JupyterLab's Korean language pack is not installed ({hint})")
    api = output / "api" / "translations"
    api.mkdir(parents=True, exist_ok=True)
    chosen = {locale: packs[locale] for locale in ("en", KOREAN) if locale in packs}
    (api / "all.json").write_text(json.dumps({"data": chosen, "message": ""}, ensure_ascii=False))
    (api / "en.json").write_text(json.dumps({"data": {}, "message": ""}))
    data, _ = get_language_pack(KOREAN)
    (api / f"{KOREAN}.json").write_text(json.dumps({"data": data, "message": ""}, ensure_ascii=False))


def korean_lab(output: Path) -> None:
    """``lab-ko/``: the same JupyterLab, whose interface starts in Korean (a learner's choice in
    Settings → Language still wins). Only its small entry page is copied; the code is shared."""
    source, target = output / "lab", output / "lab-ko"
    shutil.copytree(source, target)
    config_path = target / "jupyter-lite.json"
    config = json.loads(config_path.read_text())
    data = config["jupyter-config-data"]
    data["appUrl"] = "/lab-ko"
    data.setdefault("settingsOverrides", {})[TRANSLATION_PLUGIN] = {"locale": KOREAN}
    config_path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n")


ENTRY_PAGE = """<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<title>vpclab</title>
<!-- JupyterLite reads the configuration of every folder above an app from its index.html. -->
<script id="jupyter-config-data" type="application/json" data-jupyter-lite-root=".">{}</script>
<script>
  // Korean readers start in the Korean interface and lessons; everyone else in English.
  var korean = (navigator.languages || [navigator.language]).some(function (l) { return /^ko\\b/i.test(l); });
  var lang = korean ? "ko" : "en";
  location.replace((korean ? "lab-ko" : "lab") + "/index.html?path=notebooks/" + lang + "/__START__");
</script>
</head>
<body>
<p><a href="lab-ko/index.html?path=notebooks/ko/__START__">한국어로 시작하기</a> ·
<a href="lab/index.html?path=notebooks/en/__START__">Start in English</a></p>
</body>
</html>
"""


def entry_page(output: Path) -> None:
    (output / "index.html").write_text(ENTRY_PAGE.replace("__START__", START_LESSON))


def check_site(output: Path, packages: list[str]) -> None:
    """Fail with the missing file's name rather than leave a site that breaks in the browser."""
    pyodide = output / "static" / "pyodide"
    needed = [output / "index.html", output / "lab" / "index.html", output / "lab-ko" / "jupyter-lite.json"]
    needed += [pyodide / name for name in (*PYODIDE_FILES, "pyodide-lock.json")]
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    needed += [pyodide / entry["file_name"] for entry in lock["packages"].values()]
    needed += [output / "files" / folder / START_LESSON for folder in ("notebooks/en", "notebooks/ko")]
    needed += [output / "api" / "translations" / f"{KOREAN}.json"]
    missing = [str(path.relative_to(output)) for path in needed if not path.exists()]
    if missing:
        raise SiteError(f"the site is missing {', '.join(missing)}")
    config = json.loads((output / "jupyter-lite.json").read_text())["jupyter-config-data"]
    settings = config["litePluginSettings"][KERNEL_PLUGIN]
    if not settings.get("pyodideUrl", "").startswith("./static/pyodide/"):
        raise SiteError(f"the kernel would load Pyodide from {settings.get('pyodideUrl')!r}, not from the site")
    if sorted(settings["loadPyodideOptions"]["packages"]) != packages:
        raise SiteError("the kernel's preloaded packages differ from the site's lock file")


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def build(output: Path) -> None:
    cache = cache_dir()
    extension = kernel_extension()
    version = expected_pyodide()
    with tempfile.TemporaryDirectory(prefix="vpclab-site-") as scratch:
        work = Path(scratch)
        lite = work / "lite"
        tarball = pyodide_tarball(version, cache)
        downloaded = pinned_wheels(cache)
        wheels = [*downloaded, *kernel_shims(extension), vpclab_wheel(work)]
        packages = pyodide_folder(lite / "static" / "pyodide", tarball, wheels)
        stage_contents(lite / "files")
        (lite / "jupyter-lite.json").write_text(json.dumps(lite_config(packages), indent=2) + "\n")
        lab_wheels = [path for path in downloaded if canonical(wheel_metadata(path)["Name"]) in LAB_EXTENSION_WHEELS]
        if output.exists():
            shutil.rmtree(output)
        jupyterlite_build(lite, output, [extension, *lab_wheels])
    add_translations(output)
    korean_lab(output)
    entry_page(output)
    check_site(output, packages)
    size = folder_size(output)
    log(f"built {output} ({size / 1e6:.1f} MB, Pyodide {version}, {len(packages)} preloaded packages)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dev.py site", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the site (default: build/site)"
    )
    parser.add_argument(
        "--fetch", action="store_true", help="only download the Pyodide runtime and the pinned wheels into the cache"
    )
    args = parser.parse_args(argv)
    output = args.output.resolve()
    try:
        if args.fetch:
            pyodide_tarball(expected_pyodide(), cache_dir())
            pinned_wheels(cache_dir())
            log(f"the site's downloads are in {cache_dir()}")
            return 0
        build(output)
    except SiteError as error:
        log(f"error: {error}")
        return 1
    where = os.path.relpath(output)
    log("serve it with any static web server, for example:")
    log(f"    python3 -m http.server --directory {where} --bind 127.0.0.1 8000")
    log("then open http://127.0.0.1:8000/ (Korean browsers start in Korean, others in English)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
