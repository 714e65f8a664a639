"""How fast does ``vpclab grade`` grade a class, next to nbgrader's ``autograde``? (issue "Practice and grading")

Builds an nbgrader course in a temporary folder from the a01_web_server master of
``tests/grading_fixtures`` (nbgrader's own ``generate_assignment`` makes the student version),
hands in generated submissions in nbgrader's layout
(``submitted/<student>/<assignment>/<assignment>.ipynb``), then grades them all twice, each as a
teacher would run it, from the command line, wall clock:

- ``python -m vpclab grade submitted --jobs 2`` (a fresh bubblewrap-sandboxed kernel per
  submission, two at a time; each worker starts its next kernel while it checks the current lab);
- ``python -m nbgrader autograde a01_web_server`` (one kernel per submission, one at a time, its
  database and preprocessors).

Two classes, one after the other:

1. **distinct** (the goal): every submission differs (no shared kernel run), solved, partly solved
   (HTTP only) and untouched in turn, each untouched one with a comment of its own, and two that
   loop forever and time out (both graders get the same ``--timeout``);
2. **standard mix**: solved, partial and untouched in turn; identical untouched notebooks share one
   kernel run in ``vpclab grade`` (its one static shortcut).

For each, prints submissions per second for both and the ratio (goal on the distinct class: vpclab
at least 3x nbgrader on a 2-core machine), and checks that the two agree on every student's score.
Both figures include each command's start-up (nbgrader's imports take seconds; they are part of
what a teacher waits for).

Run: ``python benchmarks/grading.py [--submissions N] [--jobs N] [--timeout S]`` (from the
repository root, as root with bubblewrap for the sandbox, with the test extra installed: nbgrader).
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
LOOPS = 2  # submissions of the distinct class that never finish (both graders stop them at --timeout)


def run(command: list[str], cwd: Path) -> float:
    """Seconds of wall clock for ``command``; stop on failure."""
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(command[:4])} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return seconds


def build_course(course: Path, count: int, distinct: bool, timeout: float) -> dict[str, str]:
    """The course and its submissions; {student: kind}."""
    students = {f"s{n:02d}": KINDS[n % len(KINDS)] for n in range(1, count + 1)}
    if distinct:
        students.update({f"s{n:02d}": "loops" for n in range(count + 1, count + LOOPS + 1)})
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.ExecutePreprocessor.timeout = {int(timeout)}\n"
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
        "loops": S.filled_in(release, S.master("while True:\n    pass")),
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


def bench(count: int, jobs: int, timeout: float, distinct: bool) -> bool:
    """Grade one class with both tools; print the figures; whether the scores agree."""
    with tempfile.TemporaryDirectory(prefix="vpclab-bench-") as folder:
        course = Path(folder)
        students = build_course(course, count, distinct, timeout)
        total = len(students)
        grade = [sys.executable, "-m", "vpclab", "grade", "submitted", "--assignment", ASSIGNMENT]
        ours = run([*grade, "--out", "vpclab-out", "--jobs", str(jobs), "--timeout", str(timeout)], course)
        theirs = run([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--force"], course)
        mine, nb = vpclab_scores(course / "vpclab-out"), nbgrader_scores(course, students)
        agree = mine == nb
        kinds = Counter(students.values())
        title = "distinct class (no shared kernel run)" if distinct else "standard mix"
        print(
            f"{title}: {total} submissions ({', '.join(f'{v} {k}' for k, v in kinds.items())}), {os.cpu_count()} CPUs"
        )
        print(f"  vpclab grade --jobs {jobs}: {ours:6.1f} s  {total / ours:5.2f} submissions/s")
        print(f"  nbgrader autograde:       {theirs:6.1f} s  {total / theirs:5.2f} submissions/s")
        print(
            f"  ratio (vpclab / nbgrader throughput): {theirs / ours:.2f}x"
            + ("  (goal: at least 3x)" if distinct else "")
        )
        print(f"  scores agree on every student: {agree}")
        if not agree:
            print(f"  differ: { {s: (mine.get(s), nb.get(s)) for s in students if mine.get(s) != nb.get(s)} }")
        return agree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds before a submission is stopped")
    args = parser.parse_args()
    agree = bench(args.submissions, args.jobs, args.timeout, distinct=True)
    agree = bench(args.submissions, args.jobs, args.timeout, distinct=False) and agree
    if not agree:
        sys.exit(1)


if __name__ == "__main__":
    main()
