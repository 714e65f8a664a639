"""The batch grader (``python -m vpclab grade``): honest submissions get what they deserve, hostile and
broken ones are graded without stopping the batch and never score more than an untouched notebook.

The submissions are built with nbformat (``grading_fixtures/submissions.py``) for assignment
a01_web_server. One grading run of all of them (two workers, a 10 s limit) serves most tests; the
rest test the parts without a kernel: replaying a history, reading a notebook, naming students.
"""

from __future__ import annotations

import csv
import inspect
import json
import multiprocessing
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import pytest
from grading_fixtures import submissions as S

import vpclab
from vpclab.grading.batch import find_submissions, student_names, unanswered_key
from vpclab.grading.checks import checks_of
from vpclab.grading.grader import REASONS, STATUSES, InvalidNotebook, Outcome, code_cells, grade_submission
from vpclab.grading.isolation import probe_sandbox
from vpclab.grading.replay import state
from vpclab.grading.reports import _cell
from vpclab.model.i18n import catalog, placeholders, tr

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = S.ASSIGNMENT
CHECKS = checks_of(ASSIGNMENT)
NO_SANDBOX = probe_sandbox()  # None when bubblewrap can isolate kernels here
# Without the sandbox `vpclab grade` refuses to run student code: these tests then skip, except in CI.
needs_sandbox = pytest.mark.skipif(
    NO_SANDBOX is not None and not os.environ.get("CI"), reason=f"no sandbox here: {NO_SANDBOX}"
)
SLOW = pytest.mark.slow  # runs kernels
TIMEOUT = 10

# What each hostile or broken submission must end as (a set where either outcome is fair).
HOSTILE = {
    "truncated_json": {"invalid_notebook"},
    "not_json": {"invalid_notebook"},
    "empty_file": {"invalid_notebook"},
    "bad_cell_source": {"invalid_notebook"},
    "no_cells": {"invalid_notebook"},
    "missing_cells": {"no_lab"},
    "duplicated_cells": {"graded"},
    "infinite_loop": {"timeout"},
    "sigint_ignored_loop": {"timeout"},
    "sys_exit": {"graded"},
    "os_exit": {"crashed"},
    "segfault": {"crashed"},
    "huge_output": {"graded", "timeout"},  # 100 MB to read: on a busy machine it may run out of time
    "memory_bomb": {"graded", "crashed", "timeout"},  # a MemoryError in the cell, or a kernel that died of it
    "patched_to_json": {"graded"},  # the read-out does not use the student's to_json
    "hand_made_lab": {"wrong_lab"},  # from_json of a solved lab without its history: no start to replay from
    "forged_state": {"graded"},  # the replay does not see a gateway put into the lab by hand
    "patched_checks": {"graded"},  # the checks run in the grader, unpatched
    "rewrites_later_cells": {"tampered", "graded"},  # the read-out cell turned into `pass`, or not
    "fake_result_files": {"graded"},
    "late_writer": {"graded"},
    "disk_filler": {"graded"},  # "No space left on device" once its private 64 MB /tmp is full
    "deleted_lab": {"no_lab"},
    "lab_is_42": {"no_lab"},
    "asks_for_input": {"graded"},
    "writes_outside_tmp": {"graded"},  # solves it only if some path outside its private /tmp is writable
    "copier": {"graded"},  # solves it only if a master, a classmate or any other notebook is readable
}
# Graded on what its recorded actions do: it writes the solution's verbs into the history by hand,
# which replays to a solved lab (as typing them would); the teacher is told the kernel's lab differs.
FORGED = "forged_history"


def grade_cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vpclab", "grade", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Every honest and hostile submission graded in one run of ``python -m vpclab grade``."""
    if NO_SANDBOX is not None and not os.environ.get("CI"):
        pytest.skip(f"no sandbox here: {NO_SANDBOX}")
    root = tmp_path_factory.mktemp("grading")
    out = root / "out"
    subs = root / "submissions"
    expected = {}
    for name, (notebook, score) in S.honest().items():
        S.write(subs, name, notebook)
        expected[name] = score
    secrets = [  # a master, the fixtures' solution code, a classmate, the output folder, the checkout
        str(ROOT / "solutions" / "en" / f"{ASSIGNMENT}.ipynb"),
        str(ROOT / "tests" / "grading_fixtures" / "submissions.py"),
        str(subs / "correct.ipynb"),
        str(out),
        str(ROOT / "pyproject.toml"),
    ]
    for name, notebook in S.hostile(out, secrets).items():
        S.write(subs, name, notebook)
    kernels = root / "kernels"  # the grader's TMPDIR: where the kernels' working directories go
    kernels.mkdir()
    started = time.monotonic()
    done = grade_cli(
        str(subs),
        "--assignment",
        ASSIGNMENT,
        "--out",
        str(out),
        "--jobs",
        "2",
        "--timeout",
        str(TIMEOUT),
        cwd=root,
        env={"TMPDIR": str(kernels)},
    )
    rows = {row["student"]: row for row in read_csv(out / "grades.csv")} if (out / "grades.csv").exists() else {}
    return {
        "done": done,
        "out": out,
        "rows": rows,
        "expected": expected,
        "started": started,
        "leftovers": list(kernels.iterdir()),
    }


# ---- the batch -----------------------------------------------------------------------------------


@SLOW
def test_grading_completes_with_exit_status_0_and_a_row_for_every_submission(batch):
    assert batch["done"].returncode == 0, batch["done"].stderr[-2000:]
    assert set(batch["rows"]) == set(S.honest()) | set(HOSTILE) | {FORGED}


@SLOW
def test_the_progress_bar_and_summary_go_to_stderr(batch):
    err = batch["done"].stderr
    assert f"{len(batch['rows'])}/{len(batch['rows'])}" in err
    assert "[##############################]" in err
    assert batch["done"].stdout == ""


@SLOW
@pytest.mark.parametrize("name", sorted(S.honest()))
def test_honest_submissions_score_exactly_what_their_lab_deserves(batch, name):
    row = batch["rows"][name]
    assert row["status"] == "graded", row
    assert float(row["score"]) == batch["expected"][name]
    assert float(row["max_score"]) == sum(c.points for c in CHECKS.values()) == 8


@SLOW
def test_the_correct_solution_gets_full_marks_and_100_percent(batch):
    row = batch["rows"]["correct"]
    assert (row["score"], row["max_score"], row["percent"]) == ("8", "8", "100")
    assert [row[c] for c in CHECKS] == ["3", "3", "2"]


@SLOW
def test_identical_unanswered_notebooks_share_one_kernel_run_and_answered_ones_never_do(batch):
    extra = {
        name: json.loads((batch["out"] / name / "results.json").read_text(encoding="utf-8"))["extra_data"]
        for name in batch["rows"]
    }
    assert (extra["untouched"]["same_as"], extra["untouched_too"]["same_as"]) == ("", "untouched")
    assert [name for name, data in extra.items() if data["same_as"]] == ["untouched_too"]
    assert batch["rows"]["untouched_too"] == {**batch["rows"]["untouched"], "student": "untouched_too"}


def test_only_an_unanswered_notebook_has_a_key_and_any_change_to_its_code_changes_the_key(tmp_path):
    pristine = unanswered_key(S.write(tmp_path, "a", S.untouched()))
    assert pristine and pristine == unanswered_key(S.write(tmp_path, "b", S.untouched()))
    assert unanswered_key(S.write(tmp_path, "c", S.with_answer(S.SOLUTION))) is None
    edited = S.untouched()
    edited.cells[2].source += "\nlab = 1"  # a locked cell changed, the stub left alone
    assert unanswered_key(S.write(tmp_path, "d", edited)) not in (None, pristine)
    assert unanswered_key(S.write(tmp_path, "e", "{not json")) is None
    assert unanswered_key(S.write(tmp_path, "f", S.master())) is None  # the solution is no stub


@SLOW
def test_no_check_passes_on_the_untouched_notebook(batch):
    rows = [r for r in read_csv(batch["out"] / "checks.csv") if r["student"] == "untouched"]
    assert [r["check"] for r in rows] == list(CHECKS)
    assert all(r["passed"] == "false" and r["points"] == "0" for r in rows)


@SLOW
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_submission_gets_its_status_and_no_more_than_an_untouched_one(batch, name):
    row = batch["rows"][name]
    assert row["status"] in HOSTILE[name], row
    assert float(row["score"]) <= float(batch["rows"]["untouched"]["score"]) == 0
    assert row["reason"]  # every outcome says why


@SLOW
def test_a_lab_changed_behind_its_history_is_graded_on_the_replay_with_a_note_for_the_teacher(batch):
    note = tr("grade.note.state_differs", "en")
    assert batch["rows"]["forged_state"]["notes"] == note and batch["rows"]["forged_state"]["score"] == "0"
    assert batch["rows"][FORGED]["notes"] == note and batch["rows"][FORGED]["status"] == "graded"
    assert batch["rows"]["correct"]["notes"] == ""


@SLOW
def test_every_reason_is_told_in_both_languages_with_nothing_left_unfilled(batch):
    for row in read_csv(batch["out"] / "checks.csv"):
        assert "{" not in row["hint_en"] + row["hint_ko"], row
    for student in batch["rows"]:
        results = json.loads((batch["out"] / student / "results.json").read_text(encoding="utf-8"))
        extra = results["extra_data"]
        assert extra["reason"] in REASONS and extra["status"] in STATUSES
        for lang in ("en", "ko"):
            assert placeholders(catalog(lang)[extra["reason"]]) <= set(extra["reason_values"]), student


def test_the_list_of_reasons_is_complete():
    used = set()
    for module in ("grader", "replay"):
        text = (Path(vpclab.__file__).parent / "grading" / f"{module}.py").read_text(encoding="utf-8")
        used |= set(re.findall(r'"(grade\.reason\.\w+)"', text))
    assert len(used) > 20 and used <= set(REASONS)
    assert all(tr(key, "ko") != key and tr(key, "en") != key for key in REASONS)
    assert all(tr(f"grade.status.{s}", "ko") != f"grade.status.{s}" for s in STATUSES)


@SLOW
def test_the_reports_of_every_submission_exist_and_parse(batch):
    out = batch["out"]
    checks_rows = read_csv(out / "checks.csv")
    assert len(checks_rows) == len(batch["rows"]) * len(CHECKS)
    assert {"title_en", "title_ko", "hint_en", "hint_ko", "passed", "points"} <= set(checks_rows[0])
    for student, row in batch["rows"].items():
        results = json.loads((out / student / "results.json").read_text(encoding="utf-8"))
        assert results["score"] == float(row["score"])
        assert [t["max_score"] for t in results["tests"]] == [c.points for c in CHECKS.values()]
        assert {t["status"] for t in results["tests"]} <= {"passed", "failed"}
        assert all({"name", "score", "max_score", "output", "status"} <= set(t) for t in results["tests"])
        assert (out / student / "feedback.md").read_text(encoding="utf-8").startswith("# ")
        assert "<html" in (out / student / "feedback.html").read_text(encoding="utf-8")


@SLOW
def test_failed_checks_of_a_graded_submission_carry_the_nudge_in_both_languages(batch):
    rows = {r["check"]: r for r in read_csv(batch["out"] / "checks.csv") if r["student"] == "partial"}
    assert rows["https"]["passed"] == "false"
    assert "443" in rows["https"]["hint_en"] and "443" in rows["https"]["hint_ko"]
    assert rows["https"]["title_ko"] == CHECKS["https"].title("ko")
    assert rows["http"]["hint_en"] == rows["http"]["hint_ko"] == ""  # passed: no hint


@SLOW
def test_feedback_never_shows_the_code_of_a_check(batch):
    code_lines = {line.strip() for item in CHECKS.values() for line in inspect.getsource(item.run).splitlines()}
    code_lines = {line for line in code_lines if len(line) > 12 and not line.startswith(("#", '"""'))}
    assert code_lines
    for path in batch["out"].rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not [line for line in code_lines if line in text], path


@SLOW
def test_files_a_notebook_writes_never_become_results(batch):
    out = batch["out"]
    assert float(batch["rows"]["fake_result_files"]["score"]) == 0
    results = json.loads((out / "fake_result_files" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 0 and len(results["tests"]) == len(CHECKS)
    assert not (out / "results.json").exists()  # the kernel cannot even see the output folder


@SLOW
def test_a_process_a_notebook_leaves_behind_dies_with_its_kernel(batch):
    time.sleep(max(0.0, batch["started"] + 12 - time.monotonic()))  # the planter sleeps 8 s
    assert not (batch["out"] / "planted.txt").exists()


@SLOW
def test_kernels_leave_no_working_directories_behind(batch):
    assert batch["leftovers"] == []


@SLOW
@needs_sandbox
def test_feedback_comes_in_korean_with_lang_ko(tmp_path):
    subs = tmp_path / "subs"
    S.write(subs / "민수", ASSIGNMENT, S.with_answer("\n".join([S.GATEWAY, S.HTTP])))
    done = grade_cli(
        str(subs),
        "--assignment",
        ASSIGNMENT,
        "--out",
        str(tmp_path / "out"),
        "--lang",
        "ko",
        "--timeout",
        "30",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    feedback = (tmp_path / "out" / "민수" / "feedback.md").read_text(encoding="utf-8")
    assert CHECKS["https"].title("ko") in feedback and tr("grade.feedback.tier1", "ko") in feedback
    results = json.loads((tmp_path / "out" / "민수" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == 5 and results["tests"][1]["name"] == CHECKS["https"].title("ko")


def test_an_unknown_assignment_is_a_usage_error(tmp_path):
    S.write(tmp_path, "x", S.untouched())
    done = grade_cli(str(tmp_path / "x.ipynb"), "--assignment", "a99_nope", "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert done.returncode == 2 and "a01_web_server" in done.stderr


# ---- the committed assignments ------------------------------------------------------------------

ASSIGNMENTS = sorted(p.stem for p in (ROOT / "solutions" / "en").glob("a*.ipynb"))


@pytest.fixture(scope="module")
def committed():
    """Every committed solution and exercise (en; the ko notebooks run the same code), graded."""
    if NO_SANDBOX is not None and not os.environ.get("CI"):
        pytest.skip(f"no sandbox here: {NO_SANDBOX}")
    mode = "sandbox"
    tasks = [
        (str(ROOT / folder / "en" / f"{a}.ipynb"), folder, a, 60.0, mode)
        for a in ASSIGNMENTS
        for folder in ("solutions", "exercises")
    ]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        done = list(pool.map(grade_submission, *zip(*tasks, strict=True)))
    return {(o["student"], o["assignment"]): Outcome.from_dict(o) for o in done}


@SLOW
@pytest.mark.skipif(not ASSIGNMENTS, reason="no solutions/ committed yet")
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_committed_solution_gets_full_marks_and_its_exercise_zero(committed, assignment):
    solution, exercise = committed["solutions", assignment], committed["exercises", assignment]
    assert solution.status == "graded" and solution.score == solution.max_score > 0, solution
    assert exercise.status == "graded" and exercise.score == 0, exercise
    assert not any(c.passed for c in exercise.checks)


def solved_lab():
    lab = vpclab.grading.start(ASSIGNMENT)
    exec(S.SOLUTION, {"vpclab": vpclab, "lab": lab})
    return lab


# ---- reading notebooks, naming students, writing CSV ------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "not_json"),
        ("{", "not_json"),
        ("[1, 2]", "not_notebook"),
        ('{"cells": 3}', "not_notebook"),
        ('{"nbformat": 4, "cells": []}', "no_code"),
        (b"\xff\xfe", "not_json"),
        ('{"nbformat": 4, "cells": [{"cell_type": "code", "source": {"a": 1}}]}', "not_notebook"),
    ],
)
def test_a_file_that_is_not_a_usable_notebook_is_refused_with_a_reason(tmp_path, content, reason):
    path = tmp_path / "x.ipynb"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InvalidNotebook) as caught:
        code_cells(path)
    assert caught.value.reason == f"grade.reason.{reason}"


def test_code_cells_keep_their_place_and_test_cells_are_known(tmp_path):
    path = S.write(tmp_path, "x", S.master())
    cells = code_cells(path)
    assert [n for n, _, _ in cells] == [2, 3, 4, 5, 6, 7]
    assert [t for _, _, t in cells] == [False] * 3 + [True] * 3


def test_students_are_named_by_file_or_by_folder_and_never_twice(tmp_path):
    paths = [
        tmp_path / "kim" / f"{ASSIGNMENT}.ipynb",
        tmp_path / "lee.ipynb",
        tmp_path / "x" / "lee.ipynb",
        tmp_path / "../evil name.ipynb",
        tmp_path / "=cmd.ipynb",
        tmp_path / "lee-2.ipynb",
        tmp_path / "grades.csv.ipynb",
    ]
    names = ["kim", "lee", "lee-2", "evil_name", "cmd", "lee-2-2", "grades.csv-2"]
    assert student_names(paths, ASSIGNMENT) == names


def test_folders_are_searched_for_notebooks_and_each_file_is_graded_once(tmp_path):
    S.write(tmp_path / "a", ASSIGNMENT, S.untouched())
    S.write(tmp_path / "a" / ".ipynb_checkpoints", "old", S.untouched())
    found = find_submissions([str(tmp_path), str(tmp_path / "a" / f"{ASSIGNMENT}.ipynb")])
    assert found == [tmp_path / "a" / f"{ASSIGNMENT}.ipynb"]


def test_csv_cells_never_start_a_formula():
    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and _cell("kim") == "kim" and _cell(3) == 3


# ---- the notebook side ---------------------------------------------------------------------------


def test_start_gives_a_fresh_starting_lab_and_refuses_an_unknown_assignment():
    first, second = vpclab.grading.start(ASSIGNMENT), vpclab.grading.start(ASSIGNMENT)
    assert first is not second and state(first) == state(second)
    with pytest.raises(vpclab.InvalidParameterError) as caught:
        vpclab.grading.start("a99_nope")
    assert caught.value.code == "InvalidParameterValue"


def test_assert_check_is_silent_on_a_pass_and_raises_the_hint_in_both_languages_on_a_fail():
    vpclab.grading.assert_check(ASSIGNMENT, "http", solved_lab())
    with pytest.raises(AssertionError) as caught:
        vpclab.grading.assert_check(ASSIGNMENT, "http", vpclab.grading.start(ASSIGNMENT))
    message = str(caught.value)
    assert CHECKS["http"].title("en") in message and CHECKS["http"].title("ko") in message
    with pytest.raises(vpclab.InvalidParameterError):
        vpclab.grading.assert_check(ASSIGNMENT, "nope", solved_lab())


def test_the_master_notebook_follows_the_conventions():
    notebook = nbformat.reads(nbformat.writes(S.master()), as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code[0].source == S.IMPORT and code[1].source == S.START
    tests = [c for c in code if c.metadata.get("nbgrader", {}).get("grade")]
    assert {c.metadata.nbgrader.grade_id: c.metadata.nbgrader.points for c in tests} == {
        i: c.points for i, c in CHECKS.items()
    }


@SLOW
def test_student_controlled_text_stays_text_in_markdown_html_and_the_class_report(batch):
    out = batch["out"]
    markdown = (out / "markup_in_names" / "feedback.md").read_text(encoding="utf-8")
    html = (out / "markup_in_names" / "feedback.html").read_text(encoding="utf-8")
    assert "web-sg" not in markdown  # the group is named by the learner's (hostile) name
    assert "&lt;img src=x onerror=alert(1)>\\[click\\](http://evil.example)\\*" in markdown
    assert "<img" not in markdown and "<script>" not in markdown and "[click](" not in markdown
    assert "&lt;img src=x onerror=alert(1)&gt;[click](http://evil.example)*" in html
    assert "<img" not in html and "<script>" not in html
    report = (out / "class-report.html").read_text(encoding="utf-8")
    assert "<img" not in report and "<script>" not in report and "&lt;img src=x" in report
    report = (out / "class-report.md").read_text(encoding="utf-8")
    assert "<img" not in report and "[click](" not in report and "\\[click\\]" in report
