"""The kernel launcher of ``vpclab grade``: limits first, then the student's kernel.

The grader starts every submission's kernel through this file, run as a script with the standard
library only (``python -I sandbox.py ...``), so nothing of vpclab or of the student is loaded in it::

    python -I sandbox.py --mode full --workdir W --uid U --memory BYTES --cpu SECONDS \\
        --need DIR ... -- python -m ipykernel_launcher -f W/kernel.json

``--mode basic`` (any user): resource limits (``RLIMIT_AS`` memory, ``RLIMIT_CPU``, ``RLIMIT_FSIZE``,
no core files), the working directory, then ``exec`` of the kernel. The kernel runs as the
grader's own user: it cannot use more memory or time than allowed, but it can touch the files that
user can.

``--mode full`` (root, Linux; what the grader picks when a probe run of it works):

- new mount, PID, network, IPC and UTS namespaces: the kernel sees only its own processes (it cannot
  signal the grader or other students' kernels), has no network (the grader talks to it over Unix
  sockets in the working directory), and when the kernel exits, everything it started dies with
  the namespace (a double-forked or ``setsid`` child cannot outlive it);
- control groups of its own (cgroup v1 memory and pids, or v2), where the machine has them: the
  memory limit and a cap of 64 processes hold for the whole tree, not only per process;
- an unprivileged user of its own (``--uid``, a different one for every submission, with no
  supplementary groups, ``no_new_privs``, ``RLIMIT_NPROC``): it can write only its working
  directory and fresh private scratch ``tmpfs`` mounts on ``/tmp``, ``/var/tmp``, ``/dev/shm``, so
  not the grader's output folder, the submissions, or vpclab's installed files;
- directories it needs but may not enter (a Python under ``/root/.pyenv``) are made reachable in
  its mount namespace only: a private ``tmpfs`` covers the closed directory and only the needed
  entries are bound back, so the rest of it (``/root/.ssh``) stays hidden; the same is done to a
  source checkout vpclab runs from (``--private DIR=vpclab``), so the kernel sees the package but
  not the ``solutions/`` beside it. Files every user may read elsewhere stay readable.

Process tree (full mode): grader → this launcher (root, the process ``jupyter_client`` watches and
signals as a group) → init (PID 1 of the namespace, root, reaps) → kernel (PID 2, ``--uid``). The
launcher and init ignore SIGINT, which the grader sends to the group to interrupt a cell.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import signal
import socket
import stat
import sys

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 8, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")
SCRATCH_SIZE = "64m"
FILE_SIZE = 64 << 20  # largest file the kernel may write
PROCESSES = 64  # processes and threads of the kernel's user (ipykernel itself runs about ten threads)
SETUP_FAILED = 70  # exit status when the sandbox could not be built (the grader reports it)

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    """mount(2); OSError on failure."""
    encode = lambda v: v.encode() if v is not None else None  # noqa: E731
    _check(
        _libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)),
        f"mount {target}",
    )


def unmount(target: str) -> None:
    """umount2(2) with MNT_DETACH (lazily, even while busy); errors are ignored."""
    _libc.umount2(target.encode(), 2)


def _limits(memory: int, cpu: int, processes: bool) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))  # SIGXCPU at the soft limit, SIGKILL at the hard
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE, FILE_SIZE))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if processes:  # counted per user: only meaningful for a user of the kernel's own
        resource.setrlimit(resource.RLIMIT_NPROC, (PROCESSES, PROCESSES))


def cgroup_dirs(name: str) -> dict[str, str]:
    """The control groups a kernel tree named ``name`` gets, below this process's own: {directory:
    controller}. cgroup v1's memory and pids controllers, or v2 when its parent hands both down."""
    found = {}
    with open("/proc/self/cgroup") as handle:
        for line in handle:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            if controllers:
                for controller in set(controllers.split(",")) & {"memory", "pids"}:
                    found[os.path.join(f"/sys/fs/cgroup/{controller}{path}", name)] = controller
            elif os.path.exists("/sys/fs/cgroup/cgroup.subtree_control"):
                base = f"/sys/fs/cgroup{path}"
                with open(os.path.join(base, "cgroup.subtree_control")) as control:
                    if {"memory", "pids"} <= set(control.read().split()):
                        found[os.path.join(base, name)] = "v2"
    return found


def _join_cgroups(name: str, memory: int) -> None:
    """Best effort: cap the memory and the number of processes of the whole tree (a fork bomb of
    processes each under RLIMIT_AS would not be)."""
    limits = {
        "memory": {"memory.limit_in_bytes": memory},
        "pids": {"pids.max": PROCESSES},
        "v2": {"memory.max": memory, "memory.swap.max": 0, "pids.max": PROCESSES},
    }
    for directory, controller in cgroup_dirs(name).items():
        try:
            os.makedirs(directory, exist_ok=True)
            for file, value in limits[controller].items():
                with open(os.path.join(directory, file), "w") as handle:
                    handle.write(str(value))
            with open(os.path.join(directory, "cgroup.procs"), "w") as handle:
                handle.write(str(os.getpid()))
        except OSError:
            continue  # a controller we may not use: the rlimits still hold


def _status_code(status: int) -> int:
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1


def _blocked(needs: list[str], uid: int) -> dict[str, set[str]]:
    """Directories on the way to ``needs`` that ``uid`` may not enter -> the entries needed in each."""
    found: dict[str, set[str]] = {}
    for need in needs:
        parts = [p for p in os.path.realpath(need).split("/") if p]
        for depth in range(len(parts)):
            here = "/" + "/".join(parts[:depth])
            info = os.stat(here)
            if info.st_uid != uid and not info.st_mode & stat.S_IXOTH:
                found.setdefault(here, set()).add(parts[depth])
                break
    return found


def _cover(directory: str, keep: set[str], mode: str) -> None:
    """Mount a private tmpfs over ``directory`` and bind back only the entries in ``keep``."""
    handles = {}
    for name in keep:
        path = os.path.join(directory, name)
        if os.path.lexists(path):
            handles[name] = (os.open(path, os.O_PATH | os.O_NOFOLLOW), os.path.isdir(path))
    mount("tmpfs", directory, "tmpfs", MS_NOSUID | MS_NODEV, f"size={SCRATCH_SIZE},mode={mode}")
    for name, (handle, is_dir) in handles.items():
        target = os.path.join(directory, name)
        if is_dir:
            os.mkdir(target, 0o755)
        else:
            open(target, "w").close()
        mount(f"/proc/self/fd/{handle}", target, None, MS_BIND | MS_REC)
        os.close(handle)


def _top_entries(path: str, directory: str) -> set[str]:
    """The entries of ``directory`` through which ``path`` (as written, or links resolved) lies."""
    found = set()
    for form in (os.path.abspath(path), os.path.realpath(path)):
        relative = os.path.relpath(form, directory)
        if relative != "." and not relative.startswith(".."):
            found.add(relative.split("/")[0])
    return found


def _build_namespace(args) -> None:
    """In the new mount namespace: private mounts, our /proc, reachable needs, scratch tmpfs."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for _ in range(16):  # a closed folder inside a closed folder shows up once the outer one is covered
        blocked = _blocked([*args.need, args.workdir], args.uid)
        if not blocked:
            break
        for directory in sorted(blocked, key=len):
            _cover(directory, blocked[directory], "755")
    keep_paths = [*args.need, args.workdir, *args.command[:1]]
    for directory in SCRATCH:
        if os.path.isdir(directory) and not os.path.islink(directory):
            _cover(directory, {e for p in keep_paths for e in _top_entries(p, directory)}, "1777")
    for private in args.private:  # a source checkout: the package (and a .venv in it), not the solutions
        directory, _, entry = private.rpartition("=")
        _cover(directory, {entry} | {e for p in keep_paths for e in _top_entries(p, directory)}, "755")
    socket.sethostname("vpclab-grader")


def _start_kernel(args, environment: dict[str, str]) -> None:
    """In the child that becomes the kernel: drop to ``--uid``, set the limits, exec."""
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(number, signal.SIG_DFL)
    os.setgroups([])
    os.setgid(args.uid)
    os.setuid(args.uid)  # drops every capability
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl")
    _limits(args.memory, args.cpu, processes=True)
    os.chdir(args.workdir)
    os.execve(args.command[0], args.command, environment)


def _run_full(args) -> int:
    connection = next((a for a in args.command if a.endswith(".json")), None)
    if connection:
        os.chown(connection, args.uid, args.uid)
    _join_cgroups(f"vpclab-{args.uid}", args.memory)
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
    init = os.fork()
    if init:  # the launcher: wait, and exit as the namespace did
        return _status_code(os.waitpid(init, 0)[1])
    try:  # init, PID 1 of the new namespace
        _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl")
        _build_namespace(args)
        kernel = os.fork()
        if kernel == 0:
            # ipykernel exits when its parent looks like init (PID 1), which ours is: no parent polling;
            # when init goes, the namespace and the kernel go with it.
            _start_kernel(args, dict(os.environ, JPY_PARENT_PID="1"))
    except BaseException as error:
        print(f"vpclab sandbox: {error}", file=sys.stderr, flush=True)
        os._exit(SETUP_FAILED)
    while True:  # reap orphans until the kernel itself exits; its exit ends the namespace
        pid, status = os.wait()
        if pid == kernel:
            os._exit(_status_code(status))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sandbox.py")
    parser.add_argument("--mode", choices=("full", "basic"), required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--uid", type=int, default=None)
    parser.add_argument("--memory", type=int, required=True)
    parser.add_argument("--cpu", type=int, required=True)
    parser.add_argument("--need", action="append", default=[])
    parser.add_argument("--private", action="append", default=[], metavar="DIR=ENTRY")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    if args.mode == "basic":
        try:
            _limits(args.memory, args.cpu, processes=False)
            os.chdir(args.workdir)
            os.execve(args.command[0], args.command, dict(os.environ))
        except OSError as error:
            print(f"vpclab sandbox: {error}", file=sys.stderr, flush=True)
            return SETUP_FAILED
    if args.uid is None:
        parser.error("--mode full needs --uid")
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader interrupts the kernel through our group
    try:
        return _run_full(args)
    except OSError as error:
        print(f"vpclab sandbox: {error}", file=sys.stderr, flush=True)
        return SETUP_FAILED


if __name__ == "__main__":
    sys.exit(main())
