"""How a kernel is isolated: the paths it may see, its environment, its private ``/tmp``, the
command that starts it through ``sandbox.py``, and the probe that says whether bubblewrap can
isolate kernels here (``vpclab grade`` refuses to run student code when it cannot)."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SANDBOX = Path(__file__).with_name("sandbox.py")
PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the vpclab package the kernel must import
MEMORY = 1536 << 20  # bytes of address space per kernel process (RLIMIT_AS)
SCRATCH_SIZE = "64m"  # the kernel's private /tmp
_libc = ctypes.CDLL(None, use_errno=True)
# This Python, as a path that also resolves inside the sandbox ("venv/bin/../bin/python" would not:
# only the environment's folders exist there). Not resolved further: the venv's link picks the venv.
PYTHON = os.path.abspath(sys.executable)


def python_paths() -> list[str]:
    """What the kernel's Python needs, shown read-only in the sandbox: the virtual environment, the
    interpreter it links to, and the vpclab package folder (not the checkout around it)."""
    prefixes = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}
    found = {os.path.dirname(os.path.realpath(PYTHON)), *prefixes, str(PACKAGE_DIR)}
    # The library folders of this Python inside its prefixes (a user site is not wanted: the kernel
    # runs with PYTHONNOUSERSITE; /usr/lib, where a system Python keeps its own, is shown anyway).
    found.update(p for p in map(os.path.realpath, filter(os.path.isdir, sys.path)) if p.startswith(tuple(prefixes)))
    kept = sorted(found)
    return [p for p in kept if not any(p != q and p.startswith(q.rstrip("/") + "/") for q in kept)]


def kernel_environment(home: str) -> dict[str, str]:
    """A clean environment: nothing of the grader's own (tokens, paths) reaches the student's code."""
    bin_dir = os.path.dirname(PYTHON)
    return {
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": "/tmp",
        "IPYTHONDIR": os.path.join(home, ".ipython"),
        "JUPYTER_CONFIG_DIR": os.path.join(home, ".jupyter"),
        "JUPYTER_DATA_DIR": os.path.join(home, ".jupyter-data"),
        "JUPYTER_RUNTIME_DIR": home,
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(PACKAGE_DIR.parent),
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "MPLBACKEND": "Agg",
    }


def mount_scratch(directory: str) -> None:
    """A size-capped tmpfs on ``directory`` (needs root with CAP_SYS_ADMIN); OSError otherwise."""
    data = f"size={SCRATCH_SIZE},mode=700".encode()
    if _libc.mount(b"tmpfs", directory.encode(), b"tmpfs", ctypes.c_ulong(2 | 4), data) != 0:  # nosuid, nodev
        error = ctypes.get_errno()
        raise OSError(error, f"mount tmpfs {directory}: {os.strerror(error)}")


def unmount(directory: str) -> None:
    _libc.umount2(directory.encode(), 2)  # MNT_DETACH


def launcher(mode: str, workdir: str, cpu: int) -> list[str]:
    """The command that starts ``sandbox.py`` in ``mode``; the kernel's command follows ``--``."""
    command = [PYTHON, "-I", str(SANDBOX), "--mode", "bwrap" if mode == "sandbox" else "unsafe"]
    command += ["--workdir", workdir, "--memory", str(MEMORY), "--cpu", str(cpu)]
    if mode == "sandbox":
        command += [f"--show={p}" for p in python_paths()]
    return command


def probe_sandbox() -> str | None:
    """Can this machine run kernels in the sandbox? None if so, else the reason why not (English)."""
    if sys.platform != "linux":
        return "bubblewrap needs Linux"
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    workdir = tempfile.mkdtemp(prefix="vpclab-probe-")
    mounted = False
    try:
        try:
            mount_scratch(workdir)
            mounted = True
        except OSError as error:
            return f"cannot mount a private, size-capped /tmp ({error.strerror}): needs root with CAP_SYS_ADMIN"
        command = [PYTHON, "-c", "import ipykernel, vpclab, os; print('ok', os.getuid())"]
        done = subprocess.run(
            [*launcher("sandbox", workdir, 60), "--", *command],
            capture_output=True,
            text=True,
            timeout=60,
            env=kernel_environment("/tmp"),
            check=False,
        )
        if done.returncode == 0 and done.stdout.split() == ["ok", "65534"]:
            return None
        return (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1][:200]
    except (OSError, subprocess.SubprocessError) as error:
        return str(error)[:200]
    finally:
        if mounted:
            unmount(workdir)
        shutil.rmtree(workdir, ignore_errors=True)
