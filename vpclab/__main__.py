"""``python -m vpclab`` / ``vpclab``: command-line entry point.

    vpclab grade SUBMISSION... --assignment ID --out DIR [--jobs N] [--timeout S] [--lang ko|en]
                 [--hints 1|2|3] [--force] [--unsafe-no-sandbox]
    vpclab exposure PATH [--format table|json|html] [--lang ko|en] [--diagram DIR]   (see vpclab/cli.py)

``grade`` runs each submission notebook in a fresh, sandboxed kernel, rebuilds its lab and runs the
assignment's checks in the grader's own process (see ``vpclab/grading/batch.py``). Its exit status
is 0 whenever grading completed, whatever the submissions did; 2 for a usage error or a refusal
(no sandbox here, or an output folder it would mix grades into), said in English and Korean.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _grade(args: argparse.Namespace) -> int:
    from .model.errors import VpcLabError
    from .model.i18n import LANGUAGES

    try:
        from .grading.batch import GradingRefused, grade
    except ImportError as error:  # jupyter_client, ipykernel: the `grade` extra
        print(f"vpclab grade: {error}; install vpclab[grade]", file=sys.stderr)
        return 2

    if args.timeout <= 0 or (args.jobs is not None and args.jobs < 1):
        print("vpclab grade: --timeout and --jobs must be positive", file=sys.stderr)
        return 2
    try:
        grade(
            args.submissions,
            args.assignment,
            Path(args.out),
            jobs=args.jobs,
            timeout=args.timeout,
            lang=args.lang,
            hints=args.hints,
            force=args.force,
            unsafe=args.unsafe_no_sandbox,
        )
    except GradingRefused as refusal:  # said in both languages: the chosen one first
        for lang in (args.lang, *(x for x in LANGUAGES if x != args.lang)):
            print(f"vpclab grade: {refusal.message(lang)}", file=sys.stderr)
        return 2
    except VpcLabError as error:  # an unknown assignment
        print(f"vpclab grade: {error.message(args.lang)}", file=sys.stderr)
        return 2
    except OSError as error:  # the reports could not be written
        print(f"vpclab grade: {error}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    from . import __version__

    parser = argparse.ArgumentParser(prog="vpclab", description="vpclab: an offline AWS VPC teaching lab")
    parser.add_argument("--version", action="version", version=f"vpclab {__version__}")
    commands = parser.add_subparsers(dest="command")
    grade = commands.add_parser(
        "grade",
        help="grade submission notebooks in sandboxed kernels",
        description="Grade submission notebooks: each runs in a fresh sandboxed kernel; the checks run in the "
        "grader. Writes grades.csv, checks.csv and, per student, results.json (Gradescope), feedback.md and "
        "feedback.html to --out.",
        epilog="Student code runs only in a bubblewrap sandbox (a read-only root of the Python environment and "
        "vpclab, a private 64 MB /tmp, no network, namespaces, limits): install bubblewrap and run as root with "
        "CAP_SYS_ADMIN. Without it, grade refuses unless --unsafe-no-sandbox is given (see the teacher's guide). "
        "Each kernel may use 1.5 GB of memory. The exit status is 0 whenever grading completed, whatever the "
        "submissions did.",
    )
    grade.add_argument("submissions", nargs="+", metavar="SUBMISSION", help="notebooks, or folders of notebooks")
    grade.add_argument("--assignment", required=True, metavar="ID", help="e.g. a01_web_server")
    grade.add_argument("--out", required=True, metavar="DIR", help="where the reports go")
    grade.add_argument("--jobs", type=int, default=None, metavar="N", help="parallel kernels (default: CPU count)")
    grade.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="S",
        help="seconds of wall-clock time for each submission's cells (default 60)",
    )
    grade.add_argument("--lang", choices=("ko", "en"), default="en", help="language of the feedback")
    grade.add_argument(
        "--hints",
        type=int,
        choices=(1, 2, 3),
        default=1,
        help="how much the feedback tells: 1 a nudge, 2 also the concept, 3 also the exact fix (default 1)",
    )
    grade.add_argument(
        "--force", action="store_true", help="replace grades already in --out instead of refusing to mix them"
    )
    grade.add_argument(
        "--unsafe-no-sandbox",
        action="store_true",
        help="run student code WITHOUT the sandbox, as your own user (only for code you trust)",
    )
    from .cli import add_exposure_command, run_exposure

    add_exposure_command(commands)
    args = parser.parse_args(argv)
    if args.command == "grade":
        return _grade(args)
    if args.command == "exposure":
        return run_exposure(args)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
