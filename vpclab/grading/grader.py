"""Grade one submission: read the notebook, run it sandboxed, rebuild its lab, run the checks here.

``grade_submission`` never raises: whatever the notebook does, it returns an ``Outcome`` (plain
data, so it crosses process boundaries) with a status and the reason for it:

========================  ==================================================================
``graded``                the cells ran (some may have failed); the checks ran on the replayed lab
``timeout``               a cell ran past the time limit and was stopped; the lab as it was then
                          is graded if the kernel still answered, else nothing is
``crashed``               the kernel died (``os._exit``, a segfault, the memory limit): zero
``invalid_notebook``      not a notebook (truncated, not JSON, no code cells, too large): zero
``no_lab``                no ``lab`` variable at the end, or not a lab: zero
``tampered``              the lab read out of the kernel is not a valid lab file, so it has no
                          history to replay (a hand-made object): zero
``wrong_lab``             a lab whose history does not begin as ``vpclab.grading.start(...)``'s: zero
``too_long``              a history over ``replay.MAX_HISTORY`` actions, or a replay past its time
                          or memory limit: zero, and the reason
``error``                 the grader itself failed on it (its sandbox, a bug): zero, and say so
========================  ==================================================================

The checks run on the lab the recorded actions produce (``replay.py``), in a child process of
their own with its own memory and CPU limits, so no history can exhaust the grader. Where the
kernel's lab differs from the replay, or a check raised, the outcome carries a note for the
teacher (``notes``, ``CheckResult.error``), never a silent zero.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import select
import signal
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .checks import checks_of
from .kernel import run_cells, signal_name
from .lookup import learner_names, named_text
from .replay import rebuild
from .student import run_check, starter

MAX_NOTEBOOK = 20 << 20  # bytes
MAX_CELLS = 1000
KEPT_ERRORS = 5  # cell errors listed per submission
GRADED = ("graded", "timeout")  # statuses whose checks ran
STATUSES = ("graded", "timeout", "crashed", "invalid_notebook", "no_lab", "tampered", "wrong_lab", "too_long", "error")
REPLAY_MEMORY = 1024 << 20  # bytes of address space for the replay and the checks of one submission
REPLAY_SECONDS = 60  # CPU seconds for them (the wall-clock limit is twice that)
REASONS = tuple(
    f"grade.reason.{r}"
    for r in (
        "ok",
        "cell_errors",
        "timeout_partial",
        "timeout_no_lab",
        "timeout_dead",
        "crashed",
        "crashed_startup",
        "too_large",
        "too_many_cells",
        "unreadable_file",
        "not_json",
        "not_notebook",
        "no_code",
        "lab_missing",
        "lab_not_a_lab",
        "no_readout",
        "unreadable",
        "invalid_lab",
        "history_too_long",
        "replay_limit",
        "wrong_lab",
        "sandbox",
        "internal",
    )
)


@dataclass
class CheckResult:
    check_id: str
    passed: bool
    points: float
    max_points: float
    values: dict = field(default_factory=dict)  # the verdict's hint values (plain text and numbers)
    error: str = ""  # the check itself raised: "KeyError: 'web'" (for the teacher; the check failed)


@dataclass
class Outcome:
    student: str
    path: str
    assignment: str
    status: str
    reason: str  # a catalog key, ``grade.reason.*``
    values: dict = field(default_factory=dict)
    checks: list[CheckResult] = field(default_factory=list)
    cell_errors: list[tuple[int, str]] = field(default_factory=list)  # (cell number, "Name: message"), tests aside
    cells: int = 0
    seconds: float = 0.0
    same_as: str = ""  # an unanswered notebook graded by the run of this identical one (batch.py)
    notes: list = field(default_factory=list)  # [catalog key, values] for the teacher (replay.py)

    @property
    def score(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c.max_points for c in self.checks)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Outcome:
        checks = [CheckResult(**c) for c in data.get("checks", [])]
        return cls(**{**data, "checks": checks, "cell_errors": [tuple(e) for e in data.get("cell_errors", [])]})


class InvalidNotebook(Exception):
    def __init__(self, reason: str, **values) -> None:
        super().__init__(reason)
        self.reason, self.values = reason, values


def _is_test(cell: dict) -> bool:
    """An nbgrader "autograder tests" cell: its failures are the checks' business, not cell errors."""
    meta = cell.get("metadata")
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    return isinstance(nbgrader, dict) and nbgrader.get("grade") is True and not nbgrader.get("solution")


def code_cells(path: Path) -> list[tuple[int, str, bool]]:
    """A notebook's code cells, in order, as (position among all its cells from 1, source, is a
    test cell); nbformat 4 (older ones are converted)."""
    try:
        size = path.stat().st_size
        if size > MAX_NOTEBOOK:
            raise InvalidNotebook("grade.reason.too_large", limit=MAX_NOTEBOOK >> 20)
        raw = path.read_bytes()
    except OSError as error:
        raise InvalidNotebook("grade.reason.unreadable_file", detail=type(error).__name__) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise InvalidNotebook("grade.reason.not_json", detail=str(error)[:120]) from None
    if not isinstance(data, dict) or not isinstance(data.get("cells", data.get("worksheets")), list):
        raise InvalidNotebook("grade.reason.not_notebook", detail="no cells")
    if data.get("nbformat") != 4:
        try:
            import nbformat

            data = json.loads(nbformat.writes(nbformat.reads(raw.decode("utf-8"), as_version=4)))
        except Exception as error:
            raise InvalidNotebook("grade.reason.not_notebook", detail=type(error).__name__) from None
    sources = []
    for number, cell in enumerate(data.get("cells", []), 1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise InvalidNotebook("grade.reason.not_notebook", detail="cell source")
        sources.append((number, source, _is_test(cell)))
    if not sources:
        raise InvalidNotebook("grade.reason.no_code")
    if len(sources) > MAX_CELLS:
        raise InvalidNotebook("grade.reason.too_many_cells", limit=MAX_CELLS)
    return sources


def _zero(assignment: str) -> list[CheckResult]:
    return [CheckResult(i, False, 0.0, c.points) for i, c in checks_of(assignment).items()]


def _plain(values: dict, names: dict[str, str] | None = None) -> dict:
    """Verdict values as text or numbers, so they pickle, serialize and fill a template anywhere;
    resource ids replaced by the learner's names for them (``web-sg``, not ``sg-0a1b...``)."""
    plain = {}
    for key, value in values.items():
        if not isinstance(value, int | float | str) or isinstance(value, bool):
            value = str(value)
        plain[str(key)] = named_text(value, names) if isinstance(value, str) and names else value
    return plain


def failed(path: str, student: str, assignment: str, detail: str) -> Outcome:
    """The outcome of a submission the grader itself failed on: zero, and the reason is the grader's."""
    return Outcome(
        student, path, assignment, "error", "grade.reason.internal", {"detail": detail}, checks=_zero(assignment)
    )


def grade_submission(path: str, student: str, assignment: str, timeout: float, mode: str, more: bool = False) -> dict:
    """Grade one notebook; an ``Outcome`` as a dict. Never raises. ``more``: another submission
    follows in this process, so its fresh kernel is started while this one's checks run."""
    started = time.monotonic()
    outcome = failed(path, student, assignment, "")
    try:
        _grade(outcome, Path(path), timeout, mode, more)
    except Exception as error:
        traceback.print_exc()
        outcome = failed(path, student, assignment, f"{type(error).__name__}: {error}"[:200])
    outcome.seconds = round(time.monotonic() - started, 3)
    return outcome.to_dict()


def _grade(outcome: Outcome, path: Path, timeout: float, mode: str, more: bool = False) -> None:
    def verdict(status: str, reason: str, **values) -> None:
        outcome.status, outcome.reason, outcome.values = status, reason, values

    try:
        cells = code_cells(path)
    except InvalidNotebook as error:
        return verdict("invalid_notebook", error.reason, **error.values)
    outcome.cells = len(cells)
    run = run_cells([source for _, source, _ in cells], timeout, mode, submission=path, more=more)
    errors = [(cells[c.index][0], c.error.split("\n")[0][:160]) for c in run.cells if c.error and not cells[c.index][2]]
    outcome.cell_errors = errors[:KEPT_ERRORS]
    stuck = next((cells[c.index][0] for c in run.cells if c.status == "timeout"), None)
    died_in = next((cells[c.index][0] for c in run.cells if c.status == "died"), None)
    if run.sandbox_failed:
        return verdict("error", "grade.reason.sandbox")
    if run.readout is None:
        if run.timed_out:
            return verdict("timeout", "grade.reason.timeout_dead", cell=stuck, seconds=round(timeout))
        if run.died:
            code = "?" if run.exit_code is None else str(run.exit_code)
            if signal_name(run.exit_code):
                code += f" ({signal_name(run.exit_code)})"
            if died_in is None:
                return verdict("crashed", "grade.reason.crashed_startup", code=code)
            return verdict("crashed", "grade.reason.crashed", cell=died_in, code=code)
        return verdict("tampered", "grade.reason.no_readout")
    data = json.loads(run.readout)
    if not data.get("ok") and run.timed_out:
        return verdict("timeout", "grade.reason.timeout_no_lab", cell=stuck, seconds=round(timeout))
    if not data.get("ok"):
        why = data.get("why")
        if why == "missing":
            return verdict("no_lab", "grade.reason.lab_missing")
        if why == "not_a_lab":
            return verdict("no_lab", "grade.reason.lab_not_a_lab", type=str(data.get("type", "?"))[:80])
        return verdict("tampered", "grade.reason.unreadable", detail=str(data.get("detail", "?"))[:80])
    judged = judge_limited(outcome.assignment, json.dumps(data.get("lab")))
    if judged.get("status") != "graded":
        return verdict(judged["status"], judged["reason"], assignment=outcome.assignment, **judged.get("values", {}))
    outcome.checks = [CheckResult(**c) for c in judged["checks"]]
    outcome.notes = judged["notes"]
    if run.timed_out:
        return verdict("timeout", "grade.reason.timeout_partial", cell=stuck, seconds=round(timeout))
    if errors:
        first, message = errors[0]
        return verdict("graded", "grade.reason.cell_errors", count=len(errors), cell=first, error=message)
    return verdict("graded", "grade.reason.ok")


def judge(assignment: str, text: str) -> dict:
    """Replay the read-out lab ``text`` and run every check on the replayed lab: plain data."""
    rebuilt = rebuild(starter(assignment), text)
    if rebuilt.lab is None:
        return {"status": rebuilt.status, "reason": rebuilt.reason, "values": rebuilt.values}
    results, names = [], learner_names(rebuilt.lab)
    for check_id, item in checks_of(assignment).items():
        result = run_check(item, rebuilt.lab)
        points = item.points if result.passed else 0.0
        results.append(
            asdict(
                CheckResult(check_id, result.passed, points, item.points, _plain(result.values, names), result.error)
            )
        )
    return {"status": "graded", "checks": results, "notes": [[key, _plain(values)] for key, values in rebuilt.notes]}


def judge_limited(assignment: str, text: str) -> dict:
    """``judge`` in a child process with its own memory and CPU limits: a history that would
    exhaust them costs that student a clear status (``too_long``), never the grader."""
    limit = {"status": "too_long", "reason": "grade.reason.replay_limit",
             "values": {"memory": REPLAY_MEMORY >> 20, "seconds": REPLAY_SECONDS}}  # fmt: skip
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's coverage is not collected
        os.close(read)
        code = 0
        try:
            resource.setrlimit(resource.RLIMIT_AS, (REPLAY_MEMORY, REPLAY_MEMORY))
            resource.setrlimit(resource.RLIMIT_CPU, (REPLAY_SECONDS, REPLAY_SECONDS + 5))
            try:
                answer = judge(assignment, text)
            except MemoryError:
                answer = limit
            with os.fdopen(write, "wb") as handle:
                handle.write(json.dumps(answer).encode())
        except BaseException:
            code = 1
        os._exit(code)
    os.close(write)
    chunks, deadline = [], time.monotonic() + 2 * REPLAY_SECONDS
    with os.fdopen(read, "rb") as handle:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([handle], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            chunk = os.read(handle.fileno(), 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    with contextlib.suppress(OSError):
        os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    try:
        answer = json.loads(b"".join(chunks))
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        return limit
    return answer
