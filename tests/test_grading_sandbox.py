"""The grader's sandbox (``vpclab/grading/sandbox.py``, bubblewrap): a kernel sees only the Python
environment, vpclab and its own submission, writes only its private /tmp, has no network and its
own processes; where the sandbox cannot be built, ``vpclab grade`` refuses to run student code; and
when the grader stops, for any reason, no kernel, control group or working folder is left behind.

None of these tests skips in CI (``CI=true``): there the sandbox must work.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from grading_fixtures import submissions as S

import vpclab
from vpclab.grading.isolation import probe_sandbox
from vpclab.grading.kernel import run_cells
from vpclab.grading.sandbox import cgroup_dirs

ROOT = Path(__file__).resolve().parent.parent
NO_SANDBOX = probe_sandbox()


def grade(subs: Path, out: Path, *extra: str) -> list[str]:
    """The command line of ``vpclab grade`` for a01 on ``subs``."""
    return [sys.executable, "-m", "vpclab", "grade", str(subs), "--assignment", S.ASSIGNMENT, "--out", str(out), *extra]


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NO_SANDBOX is not None and not os.environ.get("CI"), reason=f"no sandbox: {NO_SANDBOX}"),
]


def probe(code: str) -> list[str]:
    """Run ``code`` (which ends by raising ``SystemError(answer)``) in a sandboxed kernel: the answer."""
    run = run_cells([code], 30, "sandbox")
    assert run.cells and run.cells[0].error.startswith("SystemError: "), run
    return run.cells[0].error.removeprefix("SystemError: ").split(" ")


ATTEMPT = (
    "import os, socket\n"
    "def attempt(action):\n    try:\n        action()\n        return 'yes'\n"
    "    except OSError as error:\n        return type(error).__name__\n"
)


def test_the_kernel_has_no_network_no_capabilities_and_only_its_own_processes():
    answer = probe(
        ATTEMPT + "net = attempt(lambda: socket.create_connection(('1.1.1.1', 53), timeout=2))\n"
        "caps = [l.split()[1] for l in open('/proc/self/status') if l.startswith('CapEff')][0]\n"
        "pids = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())\n"
        "raise SystemError(f'{os.getuid()} {net} {caps} {pids[:2]}'.replace(', ', ','))"
    )
    uid, net, caps, pids = answer
    assert uid == "65534" and net != "yes" and int(caps, 16) == 0
    assert pids == "[1,2]"  # its own PID namespace: bubblewrap's init and the kernel


def test_nothing_of_the_host_is_readable_but_the_python_environment_and_vpclab(tmp_path):
    secret = tmp_path / "classmate.ipynb"
    secret.write_text("{}")
    package = Path(vpclab.__file__).resolve().parent
    answer = probe(
        ATTEMPT + f"paths = {[str(secret), str(ROOT / 'solutions'), str(ROOT / 'tests'), '/run/lock', '/home']!r}\n"
        "seen = [p for p in paths if os.path.exists(p)]\n"
        f"around = sorted(os.listdir({str(package.parent)!r}))\n"
        "top = sorted(os.listdir('/'))\n"
        "raise SystemError(f'{seen} {around} {top}'.replace(', ', ','))"
    )
    seen, around, top = answer
    assert seen == "[]"
    assert "'vpclab'" in around and "'solutions'" not in around and "'tests'" not in around
    assert set(json.loads(top.replace("'", '"'))) <= {"dev", "etc", "lib", "lib32", "lib64", "proc", "tmp", "usr"} | {
        Path(p).parts[1] for p in (sys.prefix, sys.base_prefix, str(package))
    }


def test_only_the_private_tmp_is_writable_and_it_is_size_capped():
    package = Path(vpclab.__file__).resolve().parent
    targets = ["/tmp/mine", "/run/lock/x", "/x", "/dev/shm/x", "/usr/lib/x", str(package / "x"), sys.prefix + "/x"]
    answer = probe(
        ATTEMPT + f"results = [attempt(lambda t=t: open(t, 'w').close()) for t in {targets!r}]\n"
        "def fill():\n    with open('/tmp/fill', 'wb') as handle:\n"
        "        for _ in range(100):\n            handle.write(b'x' * 1_000_000)\n"
        "full = attempt(fill)\n"
        "raise SystemError(' '.join(results + [full]))"
    )
    assert answer[0] == "yes" and all(a != "yes" for a in answer[1:-1]), answer
    assert answer[-1] == "OSError"  # ENOSPC: the private /tmp holds 64 MB


def test_root_without_cap_sys_admin_is_refused_in_both_languages_and_runs_nothing(tmp_path):
    setpriv = shutil.which("setpriv")
    assert setpriv is not None, "setpriv (util-linux) is needed to drop the capability"
    S.write(tmp_path / "subs", "alice", S.with_answer(S.SOLUTION))
    out = tmp_path / "out"
    done = subprocess.run(
        [setpriv, "--bounding-set", "-sys_admin", "--inh-caps", "-sys_admin", *grade(tmp_path / "subs", out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "CAP_SYS_ADMIN" in done.stderr and "bubblewrap" in done.stderr and "--unsafe-no-sandbox" in done.stderr
    assert "샌드박스" in done.stderr  # and in Korean
    assert not out.exists()  # nothing graded, nothing written


def test_unsafe_mode_runs_only_when_asked_and_still_grades(tmp_path):
    S.write(tmp_path / "subs", "alice", S.with_answer(S.SOLUTION))
    done = subprocess.run(
        grade(tmp_path / "subs", tmp_path / "out", "--unsafe-no-sandbox"),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--unsafe-no-sandbox" in done.stderr and "WITHOUT the sandbox" in done.stderr
    assert "alice,8,8,100" in (tmp_path / "out" / "grades.csv").read_text(encoding="utf-8")


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _ours(marker: str) -> list[int]:
    """Processes whose command line names ``marker`` (the test's own kernel folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_grader_stopped_mid_batch_leaves_no_kernel_cgroup_or_folder_behind(tmp_path, how):
    kernels = tmp_path / "kernels"
    kernels.mkdir()
    S.write(tmp_path / "subs", "looper", S.with_answer("while True:\n    pass"))
    before = {d for d in cgroup_dirs("") if os.path.isdir(d)}
    existing = {p for d in before for p in os.listdir(d) if p.startswith("vpclab-")}
    grader = subprocess.Popen(
        grade(tmp_path / "subs", tmp_path / "out", "--timeout", "120"),
        env={**os.environ, "TMPDIR": str(kernels)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        kernel = str(kernels / "vpclab-grade-")  # a student's kernel, not the start-up probe
        assert _wait_for(lambda: any("bwrap" in _cmdline(p) for p in _ours(kernel)), 90)
        grader.send_signal(how)
        grader.wait(timeout=30)

        def clean() -> bool:
            left = {p for d in before for p in os.listdir(d) if p.startswith("vpclab-")} - existing
            return not _ours(str(kernels)) and not left and not list(kernels.iterdir())

        assert _wait_for(clean, 30), (_ours(str(kernels)), list(kernels.iterdir()))
    finally:
        if grader.poll() is None:
            grader.kill()
