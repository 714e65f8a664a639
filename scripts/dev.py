#!/usr/bin/env python3
"""Set up vpclab in a local virtual environment, then open the lab or run every test.

Usage (works from any directory):
    python3 scripts/dev.py lab  [jupyter lab options]   # JupyterLab on notebooks/
    python3 scripts/dev.py test [pytest options]        # ruff, pytest, then the notebooks
    python3 scripts/dev.py site [--output DIR]          # the static JupyterLite site in build/site/

The first run creates .venv/ in the repository root and installs vpclab into it in editable
mode; later runs reuse it and skip the install until pyproject.toml changes. Standard library
only, since it runs before anything is installed. VPCLAB_LANG=ko|en picks the language vpclab
starts in (read by the library, not by this script).
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / "vpclab-install.stamp"
MIN_PYTHON = (3, 10)

# Which extra of pyproject.toml each command installs, and which extras a finished install
# of that extra also satisfies (dev pulls in lab, so `lab` after `test` needs no install).
EXTRA_FOR = {"lab": "lab", "test": "dev", "site": "site"}
COVERS = {"lab": {"lab"}, "site": {"site"}, "dev": {"dev", "lab", "test", "bench", "site"}}

# tests/browser drives JupyterLab and Voila in headless Chromium, so `test` installs Chromium too.
BROWSER_TESTS = True
# The last `test` step: every lesson, in both languages, run top to bottom in a fresh kernel by nbval.
# The lessons are committed without outputs; nbval runs their executed copies in NOTEBOOK_DIR (the same
# code cells with the checked outputs, written by `scripts/notebooks.py refresh`). Lax mode compares
# only the outputs of cells tagged nbval-check-output, through the sanitize file;
# one worker per CPU (pytest-xdist; 2 on CI) takes whole notebooks, since a notebook's cells depend on
# each other; a cell that hangs fails after a minute instead of holding CI.
NOTEBOOK_RUN = [
    "--nbval-lax",
    "--nbval-current-env",
    "--nbval-sanitize-with",
    "tests/notebooks/nbval_sanitize.cfg",
    "--nbval-cell-timeout",
    "60",
    "-n",
    "auto",
    "--dist",
    "loadfile",
]
NOTEBOOK_DIR = "tests/notebooks/executed"
# os.geteuid does not exist on Windows (and neither does apt-get).
IS_ROOT = getattr(os, "geteuid", lambda: -1)() == 0
APT_ENV = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}  # apt must never stop to ask

# Checked here, before any code below that needs a newer Python (functools.cache, for one).
if sys.version_info < MIN_PYTHON:
    sys.exit(f"[vpclab] error: vpclab needs Python 3.10 or newer; this is {sys.version.split()[0]}")


def log(message: str) -> None:
    print(f"[vpclab] {message}", flush=True)


class SetupError(Exception):
    """A problem the user must fix; its message is printed as one line."""


# --- System packages -------------------------------------------------------------------------


def has_chromium() -> bool:
    # The same lookup as tests/browser/conftest.py: VPCLAB_CHROMIUM, else `chromium` on PATH.
    chosen = os.environ.get("VPCLAB_CHROMIUM")
    if chosen:
        return Path(chosen).is_file()
    return shutil.which("chromium") is not None or Path("/usr/bin/chromium").exists()


def has_korean_font() -> bool:
    # Graphviz picks fonts through fontconfig, so "fontconfig knows a Korean font" is the test.
    # Without fc-list we cannot ask; Windows and macOS ship Korean fonts, bare Linux may not.
    if shutil.which("fc-list") is None:
        return not sys.platform.startswith("linux")
    result = subprocess.run(["fc-list", ":lang=ko"], capture_output=True, text=True, check=False)
    return bool(result.stdout.strip())


@dataclass(frozen=True)
class SystemNeed:
    """Something pip cannot install, with the Debian packages that provide it."""

    what: str
    present: Callable[[], bool]
    apt_packages: tuple[str, ...]
    commands: tuple[str, ...]  # the dev.py commands that need it
    hint: str  # how to install it by hand, one line
    fatal: bool = True  # False: warn and go on


SYSTEM_NEEDS = [
    SystemNeed(
        "Graphviz 'dot'",
        lambda: shutil.which("dot") is not None,
        ("graphviz",),
        # The lab draws its diagrams in the browser (Graphviz compiled to WebAssembly); the tests
        # also check the static exports, which need the system's `dot`.
        ("test",),
        "install Graphviz, then run this again: sudo apt-get install graphviz | "
        "brew install graphviz | conda install -c conda-forge python-graphviz | "
        "winget install graphviz",
    ),
    SystemNeed(
        "Korean (CJK) font",
        has_korean_font,
        ("fontconfig", "fonts-noto-cjk"),
        ("lab", "test"),
        "Korean labels in diagrams may show as boxes; install a CJK font such as "
        "Noto Sans CJK (Debian/Ubuntu: fonts-noto-cjk)",
        fatal=False,
    ),
    SystemNeed(
        "GNU gettext 'msgfmt'",
        lambda: shutil.which("msgfmt") is not None,
        ("gettext",),
        ("test",),
        # The catalogs are checked with the same tool translators' editors use (msgfmt -c).
        "the catalog check will be skipped (under CI=true it fails); install GNU gettext "
        "(Debian/Ubuntu: sudo apt-get install gettext | brew install gettext)",
        fatal=False,
    ),
    SystemNeed(
        "Chromium",
        has_chromium,
        ("chromium",),
        ("test",) if BROWSER_TESTS else (),
        # Not fatal: without it the browser tests skip, saying why (under CI=true they fail).
        "the browser tests will be skipped (under CI=true they fail); install Chromium "
        "(Debian/Ubuntu: sudo apt-get install chromium) or set VPCLAB_CHROMIUM to a Chromium "
        "or Chrome program",
        fatal=False,
    ),
    SystemNeed(
        "ShellCheck",
        lambda: shutil.which("shellcheck") is not None,
        ("shellcheck",),
        ("test",),
        # Not fatal: without it tests/test_export.py skips its shellcheck step (under CI=true it fails).
        "the exported AWS CLI script is not shellchecked; install ShellCheck "
        "(Debian/Ubuntu: sudo apt-get install shellcheck | brew install shellcheck)",
        fatal=False,
    ),
    SystemNeed(
        "bubblewrap 'bwrap'",
        lambda: shutil.which("bwrap") is not None,
        ("bubblewrap",),
        ("test",),
        # Not fatal: `vpclab grade` refuses to run student code without it, and its tests fail under CI=true.
        "the grader's sandbox tests will be skipped (under CI=true they fail); install bubblewrap "
        "(Debian/Ubuntu: sudo apt-get install bubblewrap | Fedora: sudo dnf install bubblewrap)",
        fatal=False,
    ),
    SystemNeed(
        "npm",
        lambda: shutil.which("npm") is not None,
        ("npm",),
        ("site", "test"),
        # The site build takes the Pyodide runtime from the npm registry (scripts/build_site.py says so
        # and stops without it; the test of the site fails then).
        "the JupyterLite site cannot be built; install Node.js with npm (Debian/Ubuntu: sudo apt-get install npm)",
        fatal=False,
    ),
]


@functools.cache  # a fresh machine has no package lists; one update per run is enough
def apt_update() -> None:
    run_checked(["apt-get", "update", "-q"], env=APT_ENV)


def apt_install(packages: tuple[str, ...]) -> None:
    apt_update()
    run_checked(["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages], env=APT_ENV)


def ensure_system(command: str) -> None:
    for need in SYSTEM_NEEDS:
        if command not in need.commands or need.present():
            continue
        if IS_ROOT and shutil.which("apt-get"):
            log(f"{need.what} is missing; installing {' '.join(need.apt_packages)} with apt-get")
            apt_install(need.apt_packages)
            if need.present():
                continue
        if need.fatal:
            raise SetupError(f"{need.what} not found: {need.hint}")
        log(f"warning: {need.what} not found: {need.hint}")


# --- Virtual environment ---------------------------------------------------------------------


def venv_bin(name: str) -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / f"{name}.exe"
    return VENV / "bin" / name


def venv_env() -> dict[str, str]:
    # What `activate` does, so tests that start `jupyter` or `vpclab` find the venv's copies.
    env = {**os.environ, "VIRTUAL_ENV": str(VENV)}
    env["PATH"] = str(venv_bin("python").parent) + os.pathsep + env.get("PATH", "")
    env.pop("PYTHONHOME", None)
    return env


def run_checked(cmd: list[str], **kwargs) -> None:
    code = subprocess.run(cmd, cwd=ROOT, check=False, **kwargs).returncode
    if code != 0:
        raise SetupError(f"`{' '.join(cmd)}` failed with exit code {code}")


def ensure_venv() -> Path:
    python = venv_bin("python")
    # A missing interpreter also covers a .venv whose base Python was removed or upgraded.
    if python.exists():
        return python
    log(f"creating {VENV.name}/ with Python {sys.version.split()[0]}")
    run_checked([sys.executable, "-m", "venv", "--clear", str(VENV)])
    log("upgrading pip")
    run_checked([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    return python


def ensure_install(python: Path, extra: str) -> None:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    done = STAMP.read_text().split() if STAMP.exists() else []
    # Stamp format: "<sha256 of pyproject.toml> <extra> <extra> ..." for installs that finished.
    if done[:1] == [digest] and extra in done[1:]:
        log(f"vpclab[{extra}] already installed (pyproject.toml unchanged)")
        return
    log(f"installing vpclab[{extra}] into {VENV.name}/ (the first time takes a few minutes)")
    started = time.monotonic()
    run_checked([str(python), "-m", "pip", "install", "-e", f".[{extra}]"])
    log(f"installed in {time.monotonic() - started:.0f} s")
    keep = set(done[1:]) if done[:1] == [digest] else set()
    STAMP.write_text(" ".join([digest, *sorted(keep | COVERS[extra])]) + "\n")


# --- Commands --------------------------------------------------------------------------------


def cmd_lab(python: Path, args: list[str]) -> int:
    jupyter = venv_bin("jupyter")
    if not jupyter.exists():
        raise SetupError(f"{jupyter} is missing; delete {VENV.name}/ and run this again")
    cmd = [str(jupyter), "lab", f"--notebook-dir={ROOT / 'notebooks'}", *args]
    # Jupyter refuses to start as root (containers, cloud shells) unless told it is fine.
    if IS_ROOT and "--allow-root" not in args:
        cmd.append("--allow-root")
    log("starting JupyterLab (Ctrl-C to stop)")
    if os.name == "posix":
        os.chdir(ROOT)
        os.execve(cmd[0], cmd, venv_env())  # hand the terminal and Ctrl-C to Jupyter
    return subprocess.run(cmd, cwd=ROOT, env=venv_env(), check=False).returncode


def cache_root() -> Path:
    """Where downloads are kept between runs (``VPCLAB_CACHE``, else the user's cache folder); the
    site build (scripts/build_site.py) keeps its own under ``site/`` here."""
    chosen = os.environ.get("VPCLAB_CACHE")
    if chosen:
        return Path(chosen)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "vpclab"


def fetch_for_tests(python: Path) -> dict[str, str]:
    """Download, before the tests start, what some tests build from, so that the tests themselves talk
    to loopback only: the npm packages of the diagram bundle (into an npm cache that its test reads with
    ``--offline``) and the site's Pyodide runtime and pinned wheels (into the site cache). Returns the
    environment the tests then run in (``VPCLAB_OFFLINE``: build from the caches, never download)."""
    npm_cache = cache_root() / "npm"
    if shutil.which("npm") is not None:
        with tempfile.TemporaryDirectory(prefix="vpclab-npm-") as scratch:
            for name in ("package.json", "package-lock.json"):
                shutil.copy(ROOT / "js" / name, Path(scratch) / name)
            npm = ["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund", "--cache", str(npm_cache)]
            code = subprocess.run(npm, cwd=scratch, check=False, capture_output=True).returncode
            if code != 0:
                raise SetupError(f"`{' '.join(npm)}` failed with exit code {code} (the npm registry is needed once)")
    run_checked([str(python), str(ROOT / "scripts" / "build_site.py"), "--fetch"], env=venv_env())
    return {**venv_env(), "VPCLAB_OFFLINE": "1", "VPCLAB_NPM_CACHE": str(npm_cache)}


def cmd_test(python: Path, args: list[str]) -> int:
    py = str(python)
    log("fetching what the tests build from (npm packages, the site's runtime and wheels; cached)")
    environment = fetch_for_tests(python)
    steps = [
        ("ruff check", [py, "-m", "ruff", "check", "."]),
        ("ruff format", [py, "-m", "ruff", "format", "--check", "."]),
        ("pytest", [py, "-m", "pytest", *args]),
    ]
    notebooks = (ROOT / NOTEBOOK_DIR).rglob("*.ipynb")
    if any(".ipynb_checkpoints" not in path.parts for path in notebooks):
        steps.append(("notebooks", [py, "-m", "pytest", *NOTEBOOK_RUN, NOTEBOOK_DIR]))
    started = time.monotonic()
    for number, (name, cmd) in enumerate(steps, start=1):
        log(f"step {number}/{len(steps)}: {name}")
        code = subprocess.run(cmd, cwd=ROOT, env=environment, check=False).returncode
        # Any non-zero code fails, pytest's 5 ("no tests collected") too: testing nothing fails.
        if code != 0:
            log(f"FAILED at step {number}/{len(steps)} ({name}, exit code {code})")
            return code
    log(f"all {len(steps)} steps passed in {time.monotonic() - started:.0f} s")
    return 0


def cmd_site(python: Path, args: list[str]) -> int:
    # The build itself lives in scripts/build_site.py, run by the venv's Python (it imports JupyterLite).
    cmd = [str(python), str(ROOT / "scripts" / "build_site.py"), *args]
    return subprocess.run(cmd, cwd=ROOT, env=venv_env(), check=False).returncode


COMMANDS = {"lab": cmd_lab, "test": cmd_test, "site": cmd_site}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    command, args = argv[0], argv[1:]
    ensure_system(command)
    python = ensure_venv()
    ensure_install(python, EXTRA_FOR[command])
    return COMMANDS[command](python, args)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except SetupError as error:
        log(f"error: {error}")
        sys.exit(1)
    except KeyboardInterrupt:
        # Children got the same Ctrl-C; an unfinished install leaves no stamp, so it reruns.
        log("interrupted")
        sys.exit(130)
