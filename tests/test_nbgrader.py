"""vpclab's notebooks work with nbgrader, and nbgrader's autograde and ``vpclab grade`` agree.

A small nbgrader course is built in a temporary folder from the a01 master (the committed
``solutions/en/a01_web_server.ipynb`` when there is one, else the test master of
``grading_fixtures``): nbgrader's own ``generate_assignment`` makes the student version, three
students hand it in (solved, half solved, untouched), nbgrader's own ``autograde`` grades them, and
``vpclab grade`` grades the same files. The scores must be equal, check by check (an nbgrader
test cell's grade_id is the check's id).
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from grading_fixtures import submissions as S

if os.environ.get("CI") == "true" and sys.version_info >= (3, 11):  # CI installs the test extra: no skipping
    import nbgrader.api as nbgrader_api
else:
    nbgrader_api = pytest.importorskip("nbgrader.api", reason="nbgrader is in the test extra (Python 3.11+)")
pytestmark = pytest.mark.slow  # nbgrader and vpclab grade run kernels

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = S.ASSIGNMENT
CONFIG = f"""c = get_config()
c.CourseDirectory.course_id = "vpclab"
c.CourseDirectory.db_assignments = [dict(name="{ASSIGNMENT}")]
c.CourseDirectory.db_students = [dict(id="solved"), dict(id="half"), dict(id="untouched")]
c.ExecutePreprocessor.timeout = 120
"""


def master() -> nbformat.NotebookNode:
    committed = ROOT / "solutions" / "en" / f"{ASSIGNMENT}.ipynb"
    return nbformat.read(committed, as_version=4) if committed.exists() else S.master()


def nbgrader(course: Path, *args: str) -> None:
    # nbgrader runs `alembic` from PATH to set up its database: the interpreter's own bin folder.
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    done = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    (course / "nbgrader_config.py").write_text(CONFIG)
    source = master()
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(source, course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    release = nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    half = S.filled_in(release, source)
    for cell in half.cells:  # partly solved: every solution cell loses its last line (the test master's HTTPS)
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = "\n".join(cell.source.splitlines()[:-1])
    for student, notebook in (("solved", S.filled_in(release, source)), ("half", half), ("untouched", release)):
        S.write(course / "submitted" / student / ASSIGNMENT, ASSIGNMENT, notebook)
    nbgrader(course, "autograde", ASSIGNMENT, "--force")
    out = course / "vpclab-grades"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "vpclab",
            "grade",
            str(course / "submitted"),
            "--assignment",
            ASSIGNMENT,
            "--out",
            str(out),
            "--jobs",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return course, out, release


def nbgrader_scores(course: Path) -> dict[str, dict[str, float]]:
    with nbgrader_api.Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {}
        for student in ("solved", "half", "untouched"):
            submission = gradebook.find_submission(ASSIGNMENT, student)
            grades = {g.name: g.score for nb in submission.notebooks for g in nb.grades if g.max_score}
            scores[student] = {"total": submission.score, **grades}
        return scores


def vpclab_scores(out: Path) -> dict[str, dict[str, float]]:
    with open(out / "checks.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    scores: dict[str, dict[str, float]] = {}
    for row in rows:
        scores.setdefault(row["student"], {"total": 0.0})[row["check"]] = float(row["points"])
        scores[row["student"]]["total"] += float(row["points"])
    return scores


def test_nbgrader_makes_the_student_version_with_the_solution_removed_and_the_tests_locked(course):
    _, _, release = course
    text = nbformat.writes(release)
    assert "### BEGIN SOLUTION" not in text and "raise NotImplementedError()" in text
    tests = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert tests and all(c.metadata.nbgrader.locked for c in tests)


def test_nbgrader_autograde_and_vpclab_grade_give_the_same_scores_check_by_check(course):
    course_dir, out, _ = course
    ours, theirs = vpclab_scores(out), nbgrader_scores(course_dir)
    assert ours == theirs
    assert theirs["solved"]["total"] == 8 and theirs["untouched"]["total"] == 0
    if not (ROOT / "solutions" / "en" / f"{ASSIGNMENT}.ipynb").exists():
        assert theirs["half"] == {"total": 5, "http": 3, "https": 0, "nothing_else": 2}


def test_vpclab_grade_names_students_by_their_folder_in_an_nbgrader_layout(course):
    _, out, _ = course
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["half", "solved", "untouched"]
