"""What a lab read out of a student's kernel is worth: validate it, replay its history, compare.

The kernel is the student's, so its read-out can be anything. The grader therefore never grades
it. It loads the text with ``Lab.from_json`` (full validation, in the grader's process), then
rebuilds the lab *itself*: a fresh ``start(assignment)`` lab, on which it calls, one by one, the
EC2 verbs the lab's history records. The replayed lab must equal the read-out lab (every resource,
counter and address; the history aside), or the submission is ``tampered``. The checks then run on
the replayed lab. So the only thing that can earn points is a sequence of lab verbs that solves
the assignment from its starting lab — which is what solving it means. A patched ``to_json``, a
hand-written JSON, a lab loaded with ``Lab.from_json``, or a patched vpclab in the kernel yields a
state that its history does not produce, and zero points.

The console's ``undo`` is replayed too (back to the state before the last verb not yet undone),
which is exact when the undone actions were the console's own; a lab whose history mixes console
undos with direct calls in another order may not replay and is reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.errors import LabFileError, VpcLabError
from ..model.history import MARKERS
from ..model.serialization import dump

MAX_HISTORY = 5000  # actions; an assignment takes a few dozen


@dataclass
class Rebuilt:
    """The outcome: ``status`` graded / tampered / wrong_lab, the reason (a catalog key and its
    values), and the replayed lab when it can be graded."""

    status: str
    reason: str
    values: dict = field(default_factory=dict)
    lab: object | None = None


def state(lab) -> dict:
    """Everything ``to_json`` saves except the history: the state two labs must share."""
    data = dump(lab)
    data.pop("history")
    return data


class ReplayFailure(Exception):
    def __init__(self, index: int, action: str, code: str) -> None:
        super().__init__(index, action, code)
        self.index, self.action, self.code = index, action, code


def replay(lab, entries: list[dict], first_index: int = 0):
    """Call each recorded verb on ``lab`` in order (ids, addresses and names as recorded)."""
    snapshots: list[str] = []
    undoes = any(e["action"] in MARKERS for e in entries)
    for offset, entry in enumerate(entries):
        index, action = first_index + offset, entry["action"]
        if action == "undo":
            if not snapshots:
                raise ReplayFailure(index, action, "NothingToUndo")
            lab.restore(snapshots.pop())
            continue
        if undoes:
            snapshots.append(lab.to_json(indent=None))
        try:
            getattr(lab, action)(*entry["args"], **entry["kwargs"])
        except VpcLabError as error:
            raise ReplayFailure(index, action, error.code) from None
        except Exception as error:
            raise ReplayFailure(index, action, type(error).__name__) from None
    return lab


def rebuild(start, text: str) -> Rebuilt:
    """Validate ``text`` (a lab's JSON), replay its history from ``start()``, and compare.

    Args:
        start: the assignment's ``start`` function (a fresh starting lab on every call).
        text: the lab read out of the student's kernel.
    """
    origin = start()
    lab_class = type(origin)
    try:
        extracted = lab_class.from_json(text)
    except LabFileError as error:
        return Rebuilt("tampered", "grade.reason.invalid_lab", {"detail": str(error)[:200]})
    history = extracted.history
    if len(history) > MAX_HISTORY:
        return Rebuilt("tampered", "grade.reason.history_too_long", {"limit": MAX_HISTORY})
    prefix = origin.history
    from_start = history[: len(prefix)] == prefix
    base, rest = (origin, history[len(prefix) :]) if from_start else (lab_class(extracted.region), history)
    try:
        replayed = replay(base, rest, len(prefix) if from_start else 0)
    except ReplayFailure as error:
        values = {"index": error.index + 1, "action": error.action, "code": error.code}
        return Rebuilt("tampered", "grade.reason.replay_failed", values)
    if state(replayed) != state(extracted):
        undo = any(e["action"] == "undo" for e in history)
        return Rebuilt("tampered", "grade.reason.state_mismatch_undo" if undo else "grade.reason.state_mismatch")
    if not from_start:
        return Rebuilt("wrong_lab", "grade.reason.wrong_lab")
    return Rebuilt("graded", "grade.reason.ok", lab=replayed)
