"""The zero-install site's build (``scripts/build_site.py``, ``scripts/site_pyodide.py``), without
building it: the pins, the lock file it writes for Pyodide, and the clear failure when the site lacks a
file. The whole build, served and used in Chromium, is tested in ``tests/browser/test_lite_site.py``."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
build_site = importlib.util.module_from_spec(spec)
spec.loader.exec_module(build_site)
site_pyodide = importlib.import_module("site_pyodide")  # beside it; build_site puts scripts/ on the path


def make_wheel(folder: Path, name: str, version: str, requires: list[str], files: dict[str, str]) -> Path:
    path = folder / f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {requirement}\n" for requirement in requires)
    with zipfile.ZipFile(path, "w") as wheel:
        for member, text in files.items():
            wheel.writestr(member, text)
        wheel.writestr(f"{name.replace('-', '_')}-{version}.dist-info/METADATA", metadata)
    return path


def test_every_pinned_wheel_has_an_exact_version_and_a_sha256_hash():
    lines = [line.split("#")[0].strip() for line in site_pyodide.WHEEL_PINS.read_text().splitlines()]
    pins = [line for line in lines if line]
    assert pins
    for line in pins:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][^\s]* --hash=sha256:[0-9a-f]{64}", line), line
    assert set(site_pyodide.read_pins()) >= {"micropip", "ipython", "ipywidgets", "graphviz", "comm"}


def test_the_kernel_expects_a_pyodide_whose_npm_tarball_is_pinned():
    pytest.importorskip("jupyterlite_pyodide_kernel", reason="pip install -e '.[site]'")
    assert build_site.expected_pyodide() in build_site.PYODIDE_INTEGRITY


def test_a_lock_entry_names_the_wheel_its_hash_its_modules_and_only_the_dependencies_the_site_has(tmp_path):
    wheel = make_wheel(
        tmp_path,
        "Demo_Pkg",
        "1.2.0",
        ["traitlets>=5", 'pexpect>4; sys_platform != "win32"', "pytest; extra == 'test'"],
        {"demo_pkg/__init__.py": "", "demo_helper.py": ""},
    )
    entry = site_pyodide.lock_entry(wheel, provided={"traitlets", "demo-pkg"})
    assert entry["name"] == "demo-pkg"
    assert entry["version"] == "1.2.0"
    assert entry["file_name"] == wheel.name
    assert entry["sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert entry["imports"] == ["demo_helper", "demo_pkg"]
    assert entry["depends"] == ["traitlets"]  # pexpect is not in the site, pytest only for an extra


def test_a_site_that_lacks_a_file_fails_with_its_name(tmp_path):
    site = tmp_path / "site"
    pyodide = site / "static" / "pyodide"
    pyodide.mkdir(parents=True)
    wheel = make_wheel(pyodide, "demo", "1.0", [], {"demo.py": ""})
    lock = {"info": {}, "packages": {"demo": site_pyodide.lock_entry(wheel, {"demo"})}}
    (pyodide / "pyodide-lock.json").write_text(json.dumps(lock))
    for name in build_site.PYODIDE_FILES:
        (pyodide / name).write_text("")
    wheel.unlink()  # the lock lists a wheel the site does not have
    with pytest.raises(build_site.SiteError, match=r"static/pyodide/demo-1\.0-py3-none-any\.whl"):
        build_site.check_site(site, ["demo"])
