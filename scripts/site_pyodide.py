"""The Pyodide half of the zero-install site (``scripts/build_site.py`` builds the rest): the runtime
from the npm package ``pyodide``, the pinned wheels from PyPI (``scripts/site-wheels.txt``), the kernel's
shims and vpclab's own wheel, side by side in one folder with one ``pyodide-lock.json`` that lists
exactly them. Downloads are checked (npm integrity, pip's ``--require-hashes``) and cached.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHEEL_PINS = ROOT / "scripts" / "site-wheels.txt"

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


class SiteError(Exception):
    """A problem the user must fix; printed as one line."""


def log(message: str) -> None:
    print(f"[vpclab site] {message}", flush=True)


def run(cmd: list[str], what: str, **kwargs) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(cmd, check=False, capture_output=True, text=True, **kwargs)
    except FileNotFoundError as error:
        raise SiteError(f"{what}: {cmd[0]} not found ({error})") from error
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise SiteError(f"{what} failed (exit code {done.returncode}): `{' '.join(cmd)}`\n{tail}")
    return done


def offline() -> bool:
    """``VPCLAB_OFFLINE=1`` (set by ``scripts/dev.py test``): build from the cache, never download."""
    return os.environ.get("VPCLAB_OFFLINE", "") == "1"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# --- Downloads (cached) -----------------------------------------------------------------------


def npm_integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def pyodide_tarball(version: str, cache: Path) -> Path:
    """The npm package ``pyodide@version``, from the npm registry or the cache, integrity checked."""
    folder = cache / "npm"
    tarball = folder / f"pyodide-{version}.tgz"
    if not tarball.exists():
        if offline():
            raise SiteError(
                f"pyodide-{version}.tgz is not in {folder} (VPCLAB_OFFLINE): run `scripts/build_site.py --fetch`"
            )
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
    if offline():  # from the cache only: pip finds the files already there and checks their hashes
        cmd += ["--no-index", "--find-links", str(folder)]
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
