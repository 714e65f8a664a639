"""Run a submission's code cells in a fresh, sandboxed kernel and read its lab out.

One kernel per submission, started through ``sandbox.py`` (limits, namespaces, a user of its own;
see there) in a temporary working directory of its own. The cells run one at a time under one
wall-clock deadline; an error in a cell does not stop the run (as nbgrader's ``allow_errors``). A
cell past the deadline is interrupted and the rest are skipped. Output is counted but only a little
of it is kept, so a cell printing 100 MB costs the grader time, not memory.

Then the grader's read-out cell (``readout.py``) gets the ``lab`` variable out as JSON.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import zmq
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import KernelManager

from .readout import decode_readout, readout_cell
from .sandbox import MS_NODEV, MS_NOSUID, SCRATCH_SIZE, cgroup_dirs, mount, unmount

SANDBOX = Path(__file__).with_name("sandbox.py")
PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the vpclab package the kernel must import
MEMORY = 1536 << 20  # bytes of address space per kernel process (RLIMIT_AS)
STARTUP = 30.0  # seconds for a kernel to answer, not counted in the submission's time limit
READOUT_TIME = 15.0  # seconds for the read-out cell, after the student's cells
INTERRUPT_GRACE = 3.0  # seconds for an interrupted cell to give the kernel back
KEPT_OUTPUT = 4096  # characters of each cell's error message kept for the report
UID_RANGE = (1_600_000_000, 1_700_000_000)  # users the kernels run as in full mode, one per submission
# ipykernel's own launcher, without its debugger: importing debugpy costs every kernel a tenth of a second.
KERNEL_MAIN = (
    "import sys; sys.modules['debugpy'] = None; from ipykernel import kernelapp; kernelapp.launch_new_instance()"
)


@dataclass
class CellRun:
    index: int  # among the code cells, from 0
    status: str  # ok, error, timeout, died, skipped
    error: str = ""  # "NameError: name 'lab' is not defined" (capped)


@dataclass
class KernelRun:
    """What happened in the kernel: cell outcomes, whether it ran out of time or died, the read-out."""

    cells: list[CellRun] = field(default_factory=list)
    timed_out: bool = False
    died: bool = False
    exit_code: int | None = None
    sandbox_failed: bool = False
    readout: str | None = None  # the read-out text (JSON) when the read-out cell answered
    output_chars: int = 0  # output the cells printed, counted, not kept
    seconds: float = 0.0


class SandboxKernelManager(KernelManager):
    """A ``KernelManager`` whose kernel command is ours (the sandbox launcher), not a kernelspec's."""

    def __init__(self, argv: list[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self._sandbox_spec = KernelSpec(
            argv=argv, display_name="vpclab grader", language="python", interrupt_mode="signal"
        )

    @property
    def kernel_spec(self) -> KernelSpec:
        return self._sandbox_spec


def python_paths() -> list[str]:
    """Directories the kernel's Python needs to reach: the interpreter, its library, vpclab."""
    prefixes = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}
    found = {os.path.dirname(os.path.realpath(sys.executable)), *prefixes, str(PACKAGE_DIR.parent)}
    # The library folders of this Python (a test runner's own additions to sys.path are not needed).
    found.update(p for p in map(os.path.realpath, filter(os.path.isdir, sys.path)) if p.startswith(tuple(prefixes)))
    return sorted(os.path.realpath(p) for p in found)


def private_checkout() -> list[str]:
    """``--private`` for a source checkout (an editable install): the kernel sees only its package."""
    root = PACKAGE_DIR.parent
    return [f"--private={root}={PACKAGE_DIR.name}"] if (root / "pyproject.toml").exists() else []


def kernel_environment(workdir: str) -> dict[str, str]:
    """A clean environment: nothing of the grader's own (tokens, paths) reaches the student's code."""
    bin_dir = os.path.dirname(sys.executable)
    return {
        "PATH": f"{bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "HOME": workdir,
        "TMPDIR": "/tmp",
        "IPYTHONDIR": os.path.join(workdir, ".ipython"),
        "JUPYTER_CONFIG_DIR": os.path.join(workdir, ".jupyter"),
        "JUPYTER_DATA_DIR": os.path.join(workdir, ".jupyter-data"),
        "JUPYTER_RUNTIME_DIR": workdir,
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(PACKAGE_DIR.parent),
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "MPLBACKEND": "Agg",
    }


def probe_full_sandbox() -> str | None:
    """Can this machine run kernels in the full sandbox? None if so, else the reason why not."""
    if sys.platform != "linux" or os.geteuid() != 0:
        return "not root on Linux"
    workdir = tempfile.mkdtemp(prefix="vpclab-probe-")
    uid = UID_RANGE[0] + secrets.randbelow(UID_RANGE[1] - UID_RANGE[0])
    try:
        os.chown(workdir, uid, uid)
        command = [sys.executable, "-c", "import ipykernel, vpclab; print('ok')"]
        done = subprocess.run(
            [
                sys.executable,
                "-I",
                str(SANDBOX),
                "--mode",
                "full",
                "--workdir",
                workdir,
                "--uid",
                str(uid),
                "--memory",
                str(MEMORY),
                "--cpu",
                "60",
                *[f"--need={p}" for p in python_paths()],
                *private_checkout(),
                "--",
                *command,
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env=kernel_environment(workdir),
            check=False,
        )
        if done.returncode == 0 and done.stdout.strip() == "ok":
            return None
        return (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1][:200]
    except (OSError, subprocess.SubprocessError) as error:
        return str(error)[:200]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


class _Session:
    """One kernel's life: start, run cells against a deadline, read out, and always clean up."""

    def __init__(self, mode: str, timeout: float) -> None:
        self.mode, self.timeout = mode, timeout
        self.workdir = tempfile.mkdtemp(prefix="vpclab-grade-")
        self.uid = UID_RANGE[0] + secrets.randbelow(UID_RANGE[1] - UID_RANGE[0]) if mode == "full" else None
        self.mounted = False
        if self.uid is not None:
            # A tmpfs of its own, so that a notebook writing files until the disk is full fills 64 MB of
            # memory (charged to its cgroup) instead of the grader's disk.
            with contextlib.suppress(OSError):
                mount("tmpfs", self.workdir, "tmpfs", MS_NOSUID | MS_NODEV, f"size={SCRATCH_SIZE},mode=700")
                self.mounted = True
            os.chown(self.workdir, self.uid, self.uid)
        # The kernel's stdout and stderr, open for the session: never shown, never read.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115
        connection = os.path.join(self.workdir, "kernel.json")
        kernel = [
            sys.executable,
            "-c",
            KERNEL_MAIN,
            "-f",
            "{connection_file}",
            "--HistoryManager.enabled=False",
            "--IPKernelApp.quiet=True",
        ]
        launcher = [
            sys.executable,
            "-I",
            str(SANDBOX),
            "--mode",
            mode,
            "--workdir",
            self.workdir,
            "--memory",
            str(MEMORY),
            "--cpu",
            str(int(timeout + READOUT_TIME + STARTUP) + 10),
        ]
        if mode == "full":
            launcher += ["--uid", str(self.uid), *[f"--need={p}" for p in python_paths()], *private_checkout()]
        self.km = SandboxKernelManager(
            [*launcher, "--", *kernel],
            transport="ipc" if mode == "full" else "tcp",
            ip=os.path.join(self.workdir, "ipc") if mode == "full" else "127.0.0.1",
            connection_file=connection,
        )
        self.kc = None
        self.poller = zmq.Poller()

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        self.km.start_kernel(
            env=kernel_environment(self.workdir),
            cwd=self.workdir,
            stdout=self.log,
            stderr=self.log,
            stdin=subprocess.DEVNULL,
        )
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=STARTUP)
        self.poller.register(self.kc.shell_channel.socket, zmq.POLLIN)
        self.poller.register(self.kc.iopub_channel.socket, zmq.POLLIN)

    def close(self) -> int | None:
        """Kill the kernel (and, in full mode, its namespace); remove its working directory."""
        code = None
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            process = getattr(self.km.provisioner, "process", None)
            if process is not None:
                # SIGKILL to the launcher's group at once (jupyter_client's shutdown would interrupt
                # first, then poll every 0.1 s): init dies, and the namespace with it.
                with contextlib.suppress(OSError):
                    os.killpg(process.pid, signal.SIGKILL)
                with contextlib.suppress(OSError):
                    process.kill()
                code = process.wait(timeout=10)
        except Exception:  # a kernel that is already gone is fine; cleanup goes on
            pass
        finally:
            with contextlib.suppress(Exception):
                self.km.cleanup_resources()
            self.log.close()
            if self.mounted:
                unmount(self.workdir)
            shutil.rmtree(self.workdir, ignore_errors=True)
            if self.uid is not None:
                _remove_cgroups(f"vpclab-{self.uid}")
        return code

    def alive(self) -> bool:
        try:
            return bool(self.km.is_alive())
        except Exception:
            return False

    def exit_code(self) -> int | None:
        process = getattr(self.km.provisioner, "process", None)
        return process.poll() if process is not None else None

    # -- running code -------------------------------------------------------------------------
    def execute(self, code: str, deadline: float, expressions: dict | None = None, silent: bool = False):
        """Run ``code``; ``(status, reply content, error text, output characters)``.

        status: ok, error, timeout (deadline passed; the cell is still running), died.
        """
        msg_id = self.kc.execute(
            code,
            silent=silent,
            store_history=not silent,
            allow_stdin=False,
            user_expressions=expressions or {},
            stop_on_error=False,
        )
        reply, idle, error, chars = None, False, "", 0
        reply_at = None
        while reply is None or not idle:
            now = time.monotonic()
            if reply is not None and now - reply_at > 1.0:
                break  # the reply is what counts; an idle status lost on a flooded channel is not waited for
            if now >= deadline:
                return "timeout", None, error, chars
            events = dict(self.poller.poll(int(min(deadline - now, 0.5) * 1000) + 1))
            if not events:
                if not self.alive():
                    return "died", None, error, chars
                continue
            if self.kc.shell_channel.socket in events:
                while self.kc.shell_channel.msg_ready():
                    kind, content = _ours(self.kc.shell_channel.get_msg(timeout=0), msg_id)
                    if kind == "execute_reply":
                        reply, reply_at = content, time.monotonic()
            if self.kc.iopub_channel.socket in events:
                while self.kc.iopub_channel.msg_ready():
                    kind, content = _ours(self.kc.iopub_channel.get_msg(timeout=0), msg_id)
                    if kind == "stream":
                        chars += len(content.get("text", ""))
                    elif kind in ("display_data", "execute_result", "update_display_data"):
                        chars += sum(len(str(v)) for v in content.get("data", {}).values())
                    elif kind == "error" and not error:
                        error = f"{content.get('ename', '')}: {content.get('evalue', '')}"[:KEPT_OUTPUT]
                    elif kind == "status" and content.get("execution_state") == "idle":
                        idle = True
        status = "ok" if reply.get("status") == "ok" else "error"
        if status == "error" and not error:
            error = f"{reply.get('ename', '')}: {reply.get('evalue', '')}"[:KEPT_OUTPUT]
        return status, reply, error, chars

    def interrupt(self) -> bool:
        """Interrupt the running cell; True if the kernel came back (answers a tiny request) in time."""
        try:
            self.km.interrupt_kernel()
        except Exception:
            return False
        status, *_ = self.execute("", time.monotonic() + INTERRUPT_GRACE, silent=True)
        return status in ("ok", "error")


def _ours(message, msg_id: str) -> tuple[str | None, dict]:
    """(type, content) of a message answering ``msg_id``, else (None, {}). The kernel is the student's:
    a message of the wrong shape is ignored, never trusted to have one."""
    if not isinstance(message, dict):
        return None, {}
    parent, content, kind = message.get("parent_header"), message.get("content"), message.get("msg_type")
    if not isinstance(parent, dict) or parent.get("msg_id") != msg_id or not isinstance(content, dict):
        return None, {}
    return (kind if isinstance(kind, str) else None), content


def _remove_cgroups(name: str) -> None:
    """Remove the kernel's control groups once its last process is gone (a moment after the kill)."""
    for directory in cgroup_dirs(name):
        for _ in range(50):
            try:
                os.rmdir(directory)
                break
            except FileNotFoundError:
                break
            except OSError:  # EBUSY: processes still leaving
                time.sleep(0.02)


def run_cells(sources: list[str], timeout: float, mode: str) -> KernelRun:
    """Run ``sources`` (code cells, in order) in a fresh sandboxed kernel, then read the lab out."""
    started = time.monotonic()
    run = KernelRun()
    session = _Session(mode, timeout)
    try:
        try:
            session.start()
        except Exception:
            run.died = True
            run.exit_code = session.exit_code()
            run.sandbox_failed = run.exit_code == 70
            return run
        deadline = time.monotonic() + timeout
        for index, source in enumerate(sources):
            if run.timed_out or run.died:
                run.cells.append(CellRun(index, "skipped"))
                continue
            status, _, error, chars = session.execute(source, deadline)
            run.output_chars += chars
            run.cells.append(CellRun(index, status, error))
            if status == "timeout":
                run.timed_out = True
                if not session.interrupt():  # stuck (SIGINT ignored, stopped): nothing more to ask it
                    run.died = not session.alive()
                    return run
            elif status == "died":
                run.died = True
        if not run.died and session.alive():
            nonce = secrets.token_hex(16)
            expression = {"readout": f"_vpclab_readout_{nonce}"}
            status, reply, _, _ = session.execute(
                readout_cell(nonce), time.monotonic() + READOUT_TIME, expression, silent=True
            )
            run.readout = decode_readout(reply, nonce) if status == "ok" else None
            run.died = status == "died"
        if run.died:
            run.exit_code = session.exit_code()
    finally:
        code = session.close()
        if run.died and run.exit_code is None:
            run.exit_code = code
        run.seconds = time.monotonic() - started
    return run


def signal_name(code: int | None) -> str:
    """``"SIGSEGV"`` for an exit code of 139 (128 + signal) or -11 (subprocess's way), else ``""``."""
    if code is None:
        return ""
    number = -code if code < 0 else code - 128 if code > 128 else 0
    try:
        return signal.Signals(number).name if number else ""
    except ValueError:
        return ""
