"""The kernel launcher of ``vpclab grade``: limits first, then the student's kernel inside bubblewrap.

The grader starts every submission's kernel through this file, run as a script with the standard
library only (``python -I sandbox.py ...``), so nothing of vpclab or of the student is loaded in it::

    python -I sandbox.py --mode bwrap --workdir W --memory BYTES --cpu SECONDS \\
        --show DIR ... -- python -m ipykernel_launcher -f /tmp/kernel.json

``--mode bwrap`` (what ``vpclab grade`` uses; it refuses to run student code when a probe run of it
fails): the kernel runs under bubblewrap (``bwrap``) in a root of its own that holds only

- the Python environment, read-only: the interpreter's prefix, the virtual environment, the system's
  shared libraries it links to (``/usr/lib``) and ``/etc/ld.so.cache``;
- the vpclab package, read-only (the package folder alone, not the checkout around it);
- ``/tmp``: the grader's per-submission working folder ``W`` (a size-capped tmpfs, fresh for each
  submission, removed after it) holding the kernel's connection file, its sockets and a private
  copy of that one submission. It is the only writable path: ``/`` and ``/dev`` are remounted
  read-only, so nothing written survives the kernel, and nothing of the host — the repository,
  other submissions, the output folder, ``/run/lock`` — is there to read or write;

with new user (uid 65534 inside, no capabilities), PID, network (loopback only), IPC, UTS and cgroup
namespaces, ``--die-with-parent``, and the limits: ``RLIMIT_AS`` memory, ``RLIMIT_CPU``,
``RLIMIT_FSIZE``, no core files, and, where the machine has them, control groups capping the
memory and the number of processes of the whole tree (a fork bomb).

Process tree: grader → this launcher (the process ``jupyter_client`` watches and signals as a
group; it ignores SIGINT, which the grader sends to the group to interrupt a cell) → bwrap → init
(PID 1 of the namespace) → kernel. The launcher dies with the grader (``PR_SET_PDEATHSIG``), and
bwrap with it. When the launcher is stopped by SIGTERM (the grader's death, or a worker ending) it
kills what is left in its control groups and removes them before it exits.

``--mode unsafe`` (only with ``vpclab grade --unsafe-no-sandbox``): the limits, then ``exec`` of the
kernel as the grader's own user, with the grader's view of the files.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import resource
import shutil
import signal
import sys
import time

FILE_SIZE = 64 << 20  # largest file the kernel may write
PROCESSES = 64  # processes and threads of the kernel's tree (ipykernel itself runs about ten threads)
SANDBOX_UID = 65534  # the kernel's user inside its namespace ("nobody"); it has no capabilities
SETUP_FAILED = 70  # exit status when the sandbox could not be built (the grader reports it)
PR_SET_PDEATHSIG = 1
LIBRARIES = ("/usr/lib", "/usr/lib64", "/usr/lib32")  # shared libraries the interpreter links to
LINKS = ("/lib", "/lib64", "/lib32")  # merged-/usr links to them, made as the host has them


def _limits(memory: int, cpu: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))  # SIGXCPU at the soft limit, SIGKILL at the hard
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE, FILE_SIZE))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


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


def join_cgroups(name: str, memory: int) -> None:
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


def remove_cgroups(name: str) -> None:
    """Kill whatever is left in the tree's control groups, then remove them."""
    for directory in cgroup_dirs(name):
        for _ in range(100):
            try:
                with open(os.path.join(directory, "cgroup.procs")) as handle:
                    for pid in handle.read().split():
                        with contextlib.suppress(OSError):
                            os.kill(int(pid), signal.SIGKILL)
                os.rmdir(directory)
                break
            except FileNotFoundError:
                break
            except OSError:  # EBUSY: processes still leaving
                time.sleep(0.02)


def bwrap_command(args) -> list[str]:
    """The bubblewrap command line: a read-only root of the Python environment and vpclab, ``W`` as
    a private ``/tmp``, every namespace new."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise OSError("bwrap not found")
    command = [bwrap, "--unshare-all", "--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID)]
    command += ["--die-with-parent", "--hostname", "vpclab-grader"]
    # The kernel's parent is the namespace's init (PID 1): ipykernel must watch it, not the grader's PID.
    command += ["--setenv", "JPY_PARENT_PID", "1"]
    # W becomes /tmp first, so that what is shown is bound on top of it: a checkout or virtual
    # environment that itself lives under the host's /tmp (a CI clone, say) stays visible.
    command += ["--bind", args.workdir, "/tmp"]
    for directory in LIBRARIES:
        if os.path.isdir(directory):
            command += ["--ro-bind", directory, directory]
    for link in LINKS:
        if os.path.islink(link):
            command += ["--symlink", os.readlink(link), link]
        elif os.path.isdir(link):
            command += ["--ro-bind", link, link]
    command += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    for path in sorted(set(args.show)):
        command += ["--ro-bind", path, path]
    command += ["--proc", "/proc", "--dev", "/dev"]
    command += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", "/tmp", "--", *args.command]
    return command


def _run_bwrap(args) -> int:
    """Fork the sandbox (in its control groups, under the limits) and wait for it; clean up after."""
    name = f"vpclab-{os.getpid()}"
    command = bwrap_command(args)
    child = os.fork()
    if child == 0:
        try:
            join_cgroups(name, args.memory)
            _limits(args.memory, args.cpu)
            os.execv(command[0], command)
        except BaseException as error:
            print(f"vpclab sandbox: {error}", file=sys.stderr, flush=True)
        os._exit(SETUP_FAILED)

    def stop(*_) -> None:  # the grader is gone or ends us: nothing of the student's may outlive us
        try:
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
        finally:
            remove_cgroups(name)
            # The working folder (a tmpfs the grader mounted) goes too: the grader cannot remove it now.
            ctypes.CDLL(None).umount2(args.workdir.encode(), 2)  # MNT_DETACH
            shutil.rmtree(args.workdir, ignore_errors=True)
            os._exit(128 + signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    _, status = os.waitpid(child, 0)
    remove_cgroups(name)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    code = os.WEXITSTATUS(status)
    return SETUP_FAILED if code == 1 and args.probe else code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sandbox.py")
    parser.add_argument("--mode", choices=("bwrap", "unsafe"), required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--memory", type=int, required=True)
    parser.add_argument("--cpu", type=int, required=True)
    parser.add_argument("--show", action="append", default=[], help="a path to bind read-only")
    parser.add_argument("--probe", action="store_true")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grader interrupts the kernel through our group
    if args.mode == "unsafe":
        try:
            _limits(args.memory, args.cpu)
            os.chdir(args.workdir)
            os.execve(args.command[0], args.command, dict(os.environ))
        except OSError as error:
            print(f"vpclab sandbox: {error}", file=sys.stderr, flush=True)
            return SETUP_FAILED
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() == 1:  # the grader died before the line above: stop now
        return SETUP_FAILED
    try:
        return _run_bwrap(args)
    except OSError as error:
        print(f"vpclab sandbox: {error}", file=sys.stderr, flush=True)
        return SETUP_FAILED


if __name__ == "__main__":
    sys.exit(main())
