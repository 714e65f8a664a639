"""How fast does ``vpclab grade`` grade a class, next to nbgrader's ``autograde``? (issue "Practice and grading")

Builds an nbgrader course in a temporary folder from the a01_web_server master of
``tests/grading_fixtures`` (nbgrader's own ``generate_assignment`` makes the student version),
hands in 40 generated submissions — solved, partly solved (HTTP only) and untouched, in turn — in
nbgrader's layout (``submitted/<student>/<assignment>/<assignment>.ipynb``), then grades them all
twice, each as a teacher would run it, from the command line, wall clock:

- ``python -m vpclab grade submitted --jobs 2`` (a sandboxed kernel per submission, two at a time);
- ``python -m nbgrader autograde a01_web_server`` (one kernel per submission, one at a time, its
  database and preprocessors).

Prints submissions per second for each and the ratio (goal: vpclab at least 3x nbgrader on a 2-core
machine), and checks that the two agree on every student's score. Identical unanswered notebooks
share one kernel run in ``vpclab grade`` (its one static shortcut); ``--distinct`` gives each
untouched notebook a comment of its own, so that every submission gets a kernel. Both figures include each
command's start-up (nbgrader's imports take seconds; they are part of what a teacher waits for).

Run: ``python benchmarks/grading.py [--submissions N] [--jobs N]`` (from the repository root, with
the test extra installed: nbgrader).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import nbformat  # noqa: E402
from grading_fixtures import submissions as S  # noqa: E402

ASSIGNMENT = S.ASSIGNMENT
KINDS = ("solved", "partial", "untouched")


def run(command: list[str], cwd: Path) -> float:
    """Seconds of wall clock for ``command``; stop on failure."""
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command[:4])} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return seconds


def build_course(course: Path, count: int, distinct: bool) -> dict[str, str]:
    """The course and its submissions; {student: kind}."""
    students = {f"s{n:02d}": KINDS[n % len(KINDS)] for n in range(1, count + 1)}
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        'c.CourseDirectory.course_id = "bench"\n'
        f"c.CourseDirectory.db_assignments = [dict(name={ASSIGNMENT!r})]\n"
        f"c.CourseDirectory.db_students = [dict(id=s) for s in {sorted(students)!r}]\n"
    )
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(S.master(), course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force"], course)
    release = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    partial = S.master("\n".join([S.GATEWAY, S.HTTP]))
    notebooks = {
        "solved": S.filled_in(release, S.master()),
        "partial": S.filled_in(release, partial),
        "untouched": release,
    }
    for student, kind in students.items():
        notebook = notebooks[kind]
        if distinct and kind == "untouched":  # a comment of its own: no two unanswered notebooks alike
            notebook = nbformat.reads(nbformat.writes(notebook), as_version=4)
            notebook.cells[1].source += f"\n# {student}"
        S.write(course / "submitted" / student / ASSIGNMENT, ASSIGNMENT, notebook)
    return students


def vpclab_scores(out: Path) -> dict[str, float]:
    with open(out / "grades.csv", encoding="utf-8", newline="") as handle:
        return {row["student"]: float(row["score"]) for row in csv.DictReader(handle)}


def nbgrader_scores(course: Path, students) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return {s: gradebook.find_submission(ASSIGNMENT, s).score for s in students}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--distinct", action="store_true", help="no two untouched notebooks alike: each needs a kernel of its own"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vpclab-bench-") as folder:
        course = Path(folder)
        students = build_course(course, args.submissions, args.distinct)
        count = len(students)
        ours = run(
            [
                sys.executable,
                "-m",
                "vpclab",
                "grade",
                "submitted",
                "--assignment",
                ASSIGNMENT,
                "--out",
                "vpclab-out",
                "--jobs",
                str(args.jobs),
            ],
            course,
        )
        theirs = run([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--force"], course)
        mine, nb = vpclab_scores(course / "vpclab-out"), nbgrader_scores(course, students)
        agree = mine == nb
        kinds = Counter(students.values())
        print(f"{count} submissions ({', '.join(f'{kinds[k]} {k}' for k in KINDS)}), {os.cpu_count()} CPUs")
        print(f"vpclab grade --jobs {args.jobs}: {ours:6.1f} s  {count / ours:5.2f} submissions/s")
        print(f"nbgrader autograde:       {theirs:6.1f} s  {count / theirs:5.2f} submissions/s")
        print(f"ratio (vpclab / nbgrader throughput): {theirs / ours:.2f}x  (goal: at least 3x)")
        print(f"scores agree on every student: {agree}")
        if not agree:
            sys.exit(1)


if __name__ == "__main__":
    main()
