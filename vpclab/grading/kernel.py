"""Run a submission's code cells in a fresh, sandboxed kernel and read its lab out.

One kernel per submission, started through ``sandbox.py`` (bubblewrap, limits; see there) in a
working folder of its own, which is the kernel's private ``/tmp``: a size-capped tmpfs holding the
connection file, the sockets and a copy of that one submission. The cells run one at a time under
one wall-clock deadline; an error in a cell does not stop the run (as nbgrader's ``allow_errors``).
A cell past the deadline is interrupted and the rest are skipped. Output is counted but only a
little of it is kept, so a cell printing 100 MB costs the grader time, not memory.

Then the grader's read-out cell (``readout.py``) gets the ``lab`` variable out as JSON.

Modes: ``sandbox`` (bubblewrap; ``isolation.probe_sandbox`` says whether it can be built here) and
``unsafe`` (only the limits, as the grader's own user: ``vpclab grade --unsafe-no-sandbox``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import zmq
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import KernelManager

from .isolation import PYTHON, kernel_environment, launcher, mount_scratch, unmount
from .readout import decode_readout, readout_cell
from .sandbox import SETUP_FAILED, remove_cgroups

STARTUP = 30.0  # seconds for a kernel to answer, not counted in the submission's time limit
READOUT_TIME = 15.0  # seconds for the read-out cell, after the student's cells
INTERRUPT_GRACE = 3.0  # seconds for an interrupted cell to give the kernel back
KEPT_OUTPUT = 4096  # characters of each cell's error message kept for the report
MODES = ("sandbox", "unsafe")
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


class _Session:
    """One kernel's life: start, run cells against a deadline, read out, and always clean up."""

    def __init__(self, mode: str, timeout: float) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.mode, self.timeout = mode, timeout
        self.workdir = tempfile.mkdtemp(prefix="vpclab-grade-")
        self.mounted = False
        if mode == "sandbox":  # the kernel's /tmp: a tmpfs of its own, so a disk-filling loop fills 64 MB
            mount_scratch(self.workdir)
            self.mounted = True
        # The kernel's stdout and stderr, open for the session: never shown, never read.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115
        connection = os.path.join(self.workdir, "kernel.json")
        inside = "/tmp/kernel.json" if mode == "sandbox" else "{connection_file}"
        kernel = [PYTHON, "-c", KERNEL_MAIN, "-f", inside]
        kernel += ["--HistoryManager.enabled=False", "--IPKernelApp.quiet=True"]
        cpu = int(timeout + READOUT_TIME + STARTUP) + 10
        # In the sandbox the kernel binds its sockets relative to its working folder (/tmp inside,
        # the working folder here), so the same connection file serves both sides.
        self.km = SandboxKernelManager(
            [*launcher(mode, self.workdir, cpu), "--", *kernel],
            transport="ipc" if mode == "sandbox" else "tcp",
            ip="ipc" if mode == "sandbox" else "127.0.0.1",
            connection_file=connection,
        )
        self.kc = None
        self.poller = zmq.Poller()
        self.home = "/tmp" if mode == "sandbox" else self.workdir
        _live.add(self)

    # -- lifecycle ----------------------------------------------------------------------------
    def launch(self) -> None:
        """Start the kernel process (it boots while the caller does something else)."""
        self.km.start_kernel(
            env=kernel_environment(self.home),
            cwd=self.workdir,
            stdout=self.log,
            stderr=self.log,
            stdin=subprocess.DEVNULL,
        )

    def give(self, submission: Path) -> None:
        """A private copy of the submission in the kernel's working folder (its /tmp)."""
        with contextlib.suppress(OSError):
            shutil.copyfile(submission, os.path.join(self.workdir, "submission.ipynb"))

    def connect(self) -> None:
        """Wait until the launched kernel answers."""
        self.kc = self.km.client()
        if self.mode == "sandbox":
            self.kc.ip = os.path.join(self.workdir, "ipc")
        self.kc.start_channels()
        self.poller.register(self.kc.shell_channel.socket, zmq.POLLIN)
        self.poller.register(self.kc.iopub_channel.socket, zmq.POLLIN)
        self._wait_ready()

    def _wait_ready(self) -> None:
        """Until the kernel answers ``kernel_info`` and its IOPub reaches us (messages published before
        the subscription connects are lost). Unlike ``wait_for_ready``, which waits a second per
        unanswered request and 0.2 s for IOPub, this polls both sockets and asks again every 0.25 s."""
        deadline, asked = time.monotonic() + STARTUP, 0.0
        replied = heard = False
        while not (replied and heard):
            now = time.monotonic()
            if now > deadline:
                raise RuntimeError("the kernel did not answer in time")
            if now - asked >= 0.25:  # a fresh request: a reply on shell, a status on IOPub
                self.kc.kernel_info()
                asked = now
            events = dict(self.poller.poll(50))
            if self.kc.shell_channel.socket in events:
                while self.kc.shell_channel.msg_ready():
                    message = self.kc.shell_channel.get_msg(timeout=0)
                    replied = replied or (isinstance(message, dict) and message.get("msg_type") == "kernel_info_reply")
            if self.kc.iopub_channel.socket in events:
                while self.kc.iopub_channel.msg_ready():
                    self.kc.iopub_channel.get_msg(timeout=0)
                    heard = True
            if not events and not self.alive():
                raise RuntimeError("the kernel died before it answered")

    def close(self) -> int | None:
        """Kill the kernel (and its namespaces and control groups); remove its working folder."""
        code = None
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            process = getattr(self.km.provisioner, "process", None)
            if process is not None:
                # SIGKILL to the launcher's group at once (jupyter_client's shutdown would interrupt
                # first, then poll every 0.1 s): bwrap dies, the namespace and the kernel with it.
                with contextlib.suppress(OSError):
                    os.killpg(process.pid, signal.SIGKILL)
                with contextlib.suppress(OSError):
                    process.kill()
                code = process.wait(timeout=10)
                if self.mode == "sandbox":
                    remove_cgroups(f"vpclab-{process.pid}")
        except Exception:  # a kernel that is already gone is fine; cleanup goes on
            pass
        finally:
            _live.discard(self)
            if self.mode == "unsafe":
                with contextlib.suppress(Exception):
                    self.km.cleanup_resources()
            self.log.close()
            if self.mounted:
                unmount(self.workdir)
            shutil.rmtree(self.workdir, ignore_errors=True)
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


_spare: _Session | None = None  # a kernel started for the next submission while this one is checked
_live: set[_Session] = set()  # every session of this process not yet closed


def terminate_all() -> None:
    """For a process that must end now (a signal handler): stop every kernel it started. Each
    launcher, told by SIGTERM, kills its sandbox and removes its control groups and working folder."""
    for session in list(_live):
        process = getattr(session.km.provisioner, "process", None)
        if process is not None:
            with contextlib.suppress(OSError):
                os.kill(process.pid, signal.SIGTERM)
        if session.mounted:  # lazily: the sandbox may still hold it for a moment
            unmount(session.workdir)
        shutil.rmtree(session.workdir, ignore_errors=True)


def prestart(mode: str, timeout: float) -> None:
    """Launch a fresh kernel for the next submission of this process, to be taken by ``run_cells``
    (each submission still gets a kernel of its own, never used before)."""
    global _spare
    if _spare is None or (_spare.mode, _spare.timeout) != (mode, timeout):
        discard_spare()
        try:
            session = _Session(mode, timeout)
        except OSError:
            return
        try:
            session.launch()
        except Exception:
            session.close()
            return
        _spare = session


def discard_spare() -> None:
    global _spare
    if _spare is not None:
        _spare, session = None, _spare
        session.close()


def run_cells(
    sources: list[str], timeout: float, mode: str, submission: Path | None = None, more: bool = False
) -> KernelRun:
    """Run ``sources`` (code cells, in order) in a fresh sandboxed kernel, then read the lab out.
    ``more``: another submission follows in this process; its own fresh kernel boots meanwhile."""
    global _spare
    started = time.monotonic()
    run = KernelRun()
    session = None
    if _spare is not None and (_spare.mode, _spare.timeout) == (mode, timeout):
        session, _spare = _spare, None
    try:
        if session is None:
            session = _Session(mode, timeout)
            session.launch()
        if submission is not None:
            session.give(submission)
        session.connect()
        if more:  # the next submission's kernel boots while this one runs (never shared: a kernel each)
            prestart(mode, timeout)
    except Exception:
        run.died = True
        run.exit_code = session.exit_code() if session is not None else SETUP_FAILED
        run.sandbox_failed = run.exit_code == SETUP_FAILED
        if session is not None:
            session.close()
        run.seconds = time.monotonic() - started
        return run
    try:
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
