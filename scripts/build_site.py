#!/usr/bin/env python3
"""Build the whole course as a static JupyterLite site: ``python3 scripts/dev.py site``.

The site (``build/site/``) runs the lessons (``notebooks/en``, ``notebooks/ko``) and the exercises
in the browser with Pyodide; any static web server can serve it. Everything it needs is inside it
and comes from the package registries only, every version pinned:

- JupyterLite and its Pyodide kernel: ``jupyterlite-core`` and ``jupyterlite-pyodide-kernel``
  (pinned in pyproject.toml's ``site`` extra, installed in the virtual environment);
- the Pyodide runtime: the npm package ``pyodide`` at the version the kernel was built for, its
  tarball checked against the integrity pinned in ``PYODIDE_INTEGRITY``;
- the wheels the kernel loads when it starts and vpclab's dependencies: ``scripts/site-wheels.txt``
  (PyPI, pinned with hashes); the kernel's own shims (``pyodide-kernel``, ``piplite``, ...) ship
  inside ``jupyterlite-pyodide-kernel``; vpclab's wheel is built from this checkout.

All of them are written into one ``pyodide-lock.json`` and preloaded when the kernel starts, so
``import vpclab`` needs no ``%pip`` and the page asks no host but its own. Downloads are cached in
the user's cache folder (``VPCLAB_CACHE`` overrides it), so a second build needs no network.

Usage: ``python3 scripts/dev.py site [--output DIR]`` (this file runs inside the virtual environment).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHEEL_PINS = ROOT / "scripts" / "site-wheels.txt"
DEFAULT_OUTPUT = ROOT / "build" / "site"

# npm's integrity of the `pyodide` tarball, for each version a pinned kernel may ask for. A kernel
# upgrade that wants another Pyodide stops the build here until its tarball is pinned too.
PYODIDE_INTEGRITY = {
    "314.0.6": "sha512-BKDTJyIqFxC4BExLqeRS3f5xvXZIjOt8C3zGLN/Cc7tFxSwvKVhVkchQQ2AGLOtR4YrVOIFxbV8poyDOOmWwxQ==",
}
# The runtime's files the site needs from the tarball (the rest are docs, types and source maps).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.js", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
# The kernel's shims, from inside jupyterlite-pyodide-kernel: name -> wheel file prefix.
KERNEL_SHIMS = {
    "pyodide-kernel": "pyodide_kernel-",
    "piplite": "piplite-",
    "ipykernel": "ipykernel-",
    "widgetsnbextension": "widgetsnbextension-4.",
}
# Browser-side extensions the lessons need, from the pinned wheels (the Pyodide kernel's own
# extension comes from the environment). Nothing else from the environment (Voilà, nbgrader) goes in.
LAB_EXTENSION_WHEELS = ("jupyterlab-widgets", "anywidget")
KOREAN = "ko_KR"
START_LESSON = "00_start_here.ipynb"


class SiteError(Exception):
    """A problem the user must fix; printed as one line."""


def log(message: str) -> None:
    print(f"[vpclab site] {message}", flush=True)


def cache_dir() -> Path:
    chosen = os.environ.get("VPCLAB_CACHE")
    if chosen:
        return Path(chosen) / "site"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "vpclab" / "site"


def run(cmd: list[str], what: str, **kwargs) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(cmd, check=False, capture_output=True, text=True, **kwargs)
    except FileNotFoundError as error:
        raise SiteError(f"{what}: {cmd[0]} not found ({error})") from error
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise SiteError(f"{what} failed (exit code {done.returncode}): `{' '.join(cmd)}`\n{tail}")
    return done


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


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


# --- Downloads (cached) -----------------------------------------------------------------------


def npm_integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def pyodide_tarball(version: str, cache: Path) -> Path:
    """The npm package ``pyodide@version``, from the npm registry or the cache, integrity checked."""
    folder = cache / "npm"
    tarball = folder / f"pyodide-{version}.tgz"
    if not tarball.exists():
        if shutil.which("npm") is None:
            raise SiteError("npm not found: install Node.js with npm (Debian/Ubuntu: apt-get install npm)")
        folder.mkdir(parents=True, exist_ok=True)
        log(f"downloading pyodide@{version} from the npm registry")
        run(["npm", "pack", f"pyodide@{version}", "--pack-destination", str(folder)], "npm pack")
    if npm_integrity(tarball) != PYODIDE_INTEGRITY[version]:
        tarball.unlink()
        raise SiteError(f"pyodide-{version}.tgz does not match its pinned integrity (removed; run again)")
    return tarball


def read_pins() -> dict[str, str]:
    """site-wheels.txt as {canonical name: version}."""
    pins = {}
    for line in WHEEL_PINS.read_text().splitlines():
        words = line.split("#")[0].split()
        if words:
            name, version = words[0].split("==")
            pins[canonical(name)] = version
    return pins


def pinned_wheels(cache: Path) -> list[Path]:
    """Every wheel in site-wheels.txt, downloaded (or found in the cache) and checked against its hash."""
    folder = cache / "wheels"
    folder.mkdir(parents=True, exist_ok=True)
    # Pure-Python wheels only (Pyodide cannot load Linux builds); pip checks every file's hash.
    cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes"]
    cmd += ["--only-binary=:all:", "--platform", "any", "--python-version", "3.14", "--implementation", "py"]
    run([*cmd, "--abi", "none", "-r", str(WHEEL_PINS), "-d", str(folder)], "downloading the pinned wheels")
    by_pin = {}
    for path in folder.glob("*.whl"):
        meta = wheel_metadata(path)
        by_pin[(canonical(meta["Name"]), meta["Version"])] = path
    pins = read_pins()
    missing = [f"{name}=={version}" for name, version in pins.items() if (name, version) not in by_pin]
    if missing:
        raise SiteError(f"pinned wheels missing from {folder} after pip download: {', '.join(missing)}")
    return [by_pin[pin] for pin in sorted(pins.items())]


def vpclab_wheel(workdir: Path) -> Path:
    log("building vpclab's wheel from this checkout")
    out = workdir / "vpclab-wheel"
    run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        "building vpclab's wheel",
    )
    wheels = list(out.glob("vpclab-*.whl"))
    if len(wheels) != 1:
        raise SiteError(f"expected one vpclab wheel in {out}, found {len(wheels)}")
    return wheels[0]


def kernel_shims(extension: Path) -> list[Path]:
    wheels = sorted((extension / "static" / "pypi").glob("*.whl"))
    chosen = []
    for name, prefix in KERNEL_SHIMS.items():
        matches = [path for path in wheels if path.name.startswith(prefix)]
        if not matches:
            raise SiteError(
                f"the kernel's {name} wheel ({prefix}*.whl) is missing from {extension / 'static' / 'pypi'}"
            )
        chosen.append(matches[-1])
    return chosen


# --- The Pyodide folder: runtime, wheels, one lock file ---------------------------------------


def wheel_metadata(path: Path) -> dict[str, str | list[str]]:
    with zipfile.ZipFile(path) as wheel:
        name = next(item for item in wheel.namelist() if item.endswith(".dist-info/METADATA"))
        message = Parser().parsestr(wheel.read(name).decode("utf-8"))
    return {
        "Name": message["Name"],
        "Version": message["Version"],
        "Requires-Dist": message.get_all("Requires-Dist") or [],
    }


def wheel_imports(path: Path) -> list[str]:
    """Top-level modules and packages a wheel installs (what ``import`` can name)."""
    tops = set()
    with zipfile.ZipFile(path) as wheel:
        for item in wheel.namelist():
            top = item.split("/")[0]
            if top.endswith((".dist-info", ".data")):
                continue
            if "/" in item or item.endswith(".py"):
                tops.add(top.removesuffix(".py"))
    return sorted(tops)


def lock_entry(path: Path, provided: set[str]) -> dict:
    meta = wheel_metadata(path)
    depends = []
    for requirement in meta["Requires-Dist"]:
        if "extra ==" in requirement:
            continue
        name = canonical(re.split(r"[\s;<>=!~\[(]", requirement.strip(), maxsplit=1)[0])
        # Only what the site provides: the rest (pexpect, colorama) is for other platforms.
        if name in provided and name not in depends:
            depends.append(name)
    return {
        "name": canonical(meta["Name"]),
        "version": meta["Version"],
        "file_name": path.name,
        "install_dir": "site",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "package_type": "package",
        "imports": wheel_imports(path),
        "depends": depends,
        "unvendored_tests": False,
    }


def pyodide_folder(target: Path, tarball: Path, wheels: list[Path]) -> list[str]:
    """Unpack the runtime into ``target`` beside the wheels and a lock listing exactly those wheels.

    Returns the package names the kernel preloads (all of them).
    """
    target.mkdir(parents=True)
    with tarfile.open(tarball) as archive:
        members = {member.name: member for member in archive.getmembers()}
        for name in (*PYODIDE_FILES, "pyodide-lock.json"):
            member = members.get(f"package/{name}")
            if member is None:
                raise SiteError(f"{tarball.name} has no {name}; is the pinned Pyodide version right?")
            (target / name).write_bytes(archive.extractfile(member).read())
    upstream = json.loads((target / "pyodide-lock.json").read_text())
    provided = {canonical(wheel_metadata(path)["Name"]) for path in wheels}
    packages = {}
    for path in wheels:
        shutil.copy2(path, target / path.name)
        entry = lock_entry(path, provided)
        packages[entry["name"]] = entry
    # Keep upstream's description of the runtime; list only packages whose files are in the site,
    # so a package that is not here fails to load instead of being fetched from a CDN.
    lock = {"info": upstream["info"], "packages": dict(sorted(packages.items()))}
    (target / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")
    return sorted(packages)


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
    args = parser.parse_args(argv)
    output = args.output.resolve()
    try:
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
