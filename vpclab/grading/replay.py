"""What a lab read out of a student's kernel is worth: the lab its recorded actions produce.

The kernel is the student's, so its read-out can be anything. The grader therefore never grades
it. It loads the text with ``Lab.from_json`` (full validation, in the grader's process) only to get
the *history*, then rebuilds the lab *itself*: a fresh ``start(assignment)`` lab, on which it
calls, one by one, the EC2 verbs the history records. **The replayed lab is the truth**: the checks
run on it. So the only thing that can earn points is a sequence of lab verbs that solves the
assignment from its starting lab — which is what solving it means. A patched ``to_json``, a
hand-written JSON or a patched vpclab in the kernel changes nothing the replay does.

Where the kernel's lab and the replay differ, that is a note for the teacher, never a zero:

- a renamed resource (``igw.name = "main-igw"``: a Name tag is a plain attribute, not an EC2 verb,
  so the history does not record it) — the replay takes the names the kernel's lab has, by id (a
  name changes which resource a check looks at, never what any resource can do);
- any other difference (a patched vpclab, a lab loaded from a file): noted, and the replay graded;
- a recorded verb that fails on replay (a forged history): skipped and noted, as AWS would refuse it.

Undo. The console's ``undo`` returns the lab to the state it had before the console's last action,
and records where that was (``{"action": "undo", "kwargs": {"to": N}}``, N entries of history);
typed calls in between are undone with it, as in the console. An older undo without ``to`` goes
back one action. The replay follows the history as a tree: every action is a node whose parent is
the state it was applied to, an undo moves back to the node of that earlier state, and at the end
only the path from the start to the final node is replayed. Time and memory are linear in the
history (no copy of the lab per action), and every replayed verb is one the final state contains.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.errors import LabFileError, VpcLabError
from ..model.history import MARKERS
from ..model.restore import RESOURCE_TABLES
from ..model.serialization import dump

MAX_HISTORY = 5000  # actions; an assignment takes a few dozen
KEPT_SKIPS = 3  # failed replays listed in the teacher's note
NOTES = ("grade.note.replay_skipped", "grade.note.renamed", "grade.note.state_differs")


@dataclass
class Rebuilt:
    """The outcome: ``status`` graded / tampered / wrong_lab / too_long, the reason (a catalog key
    and its values), the replayed lab when it can be graded, and notes for the teacher
    (``(catalog key, values)``)."""

    status: str
    reason: str
    values: dict = field(default_factory=dict)
    lab: object | None = None
    notes: list[tuple[str, dict]] = field(default_factory=list)


def state(lab) -> dict:
    """Everything ``to_json`` saves except the history: the state two labs must share."""
    data = dump(lab)
    data.pop("history")
    return data


def effective(entries: list[dict], first_index: int = 0) -> tuple[list[tuple[int, dict]], list[dict]]:
    """The actions that make the final state, in order, as (history index, entry), undos applied;
    and the undos that went nowhere (notes). ``first_index``: the history index of ``entries[0]``."""
    parents: list[int] = [-1]  # node 0 is the starting lab; node n > 0 holds entries[owner[n]]
    owners: list[int] = [-1]
    node_at = [0]  # node_at[k]: the state after k entries
    current, problems = 0, []
    for offset, entry in enumerate(entries):
        if entry["action"] in MARKERS:
            to = entry["kwargs"].get("to") if isinstance(entry["kwargs"], dict) else None
            if isinstance(to, int) and not isinstance(to, bool):
                position = to - first_index
                if position > offset:
                    problems.append({"index": first_index + offset + 1, "action": "undo", "code": "InvalidUndo"})
                else:
                    current = node_at[max(position, 0)]
            elif current == 0:
                problems.append({"index": first_index + offset + 1, "action": "undo", "code": "NothingToUndo"})
            else:
                current = parents[current]
        else:
            parents.append(current)
            owners.append(offset)
            current = len(parents) - 1
        node_at.append(current)
    path = []
    while current > 0:
        path.append(owners[current])
        current = parents[current]
    return [(first_index + i, entries[i]) for i in reversed(path)], problems


def replay(lab, entries: list[dict], first_index: int = 0) -> list[dict]:
    """Call the verbs that make the final state on ``lab``, in order (ids, addresses and names as
    recorded); a verb that fails is skipped. The skipped ones, as ``index``/``action``/``code``."""
    actions, skipped = effective(entries, first_index)
    for index, entry in actions:
        try:
            getattr(lab, entry["action"])(*entry["args"], **entry["kwargs"])
        except VpcLabError as error:
            skipped.append({"index": index + 1, "action": entry["action"], "code": error.code})
        except Exception as error:
            skipped.append({"index": index + 1, "action": entry["action"], "code": type(error).__name__})
    return skipped


def _adopt_names(replayed, extracted) -> list[str]:
    """Give the replayed lab's resources the kernel lab's names (same ids); the renamed ones."""
    renamed = []
    for table in RESOURCE_TABLES:
        theirs = getattr(extracted, table, {})
        for key, resource in getattr(replayed, table, {}).items():
            other = theirs.get(key)
            if other is not None and getattr(other, "name", None) != getattr(resource, "name", None):
                renamed.append(f"{resource.name or key} → {other.name or '—'}")
                resource.name = other.name
    return renamed


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
        return Rebuilt("too_long", "grade.reason.history_too_long", {"limit": MAX_HISTORY, "count": len(history)})
    prefix = origin.history
    if history[: len(prefix)] != prefix:
        return Rebuilt("wrong_lab", "grade.reason.wrong_lab")
    notes: list[tuple[str, dict]] = []
    skipped = replay(origin, history[len(prefix) :], len(prefix))
    if skipped:
        listed = ", ".join(f"#{s['index']} {s['action']} ({s['code']})" for s in skipped[:KEPT_SKIPS])
        notes.append(("grade.note.replay_skipped", {"count": len(skipped), "actions": listed}))
    renamed = _adopt_names(origin, extracted)
    if renamed:
        notes.append(("grade.note.renamed", {"names": ", ".join(renamed[:KEPT_SKIPS])}))
    if state(origin) != state(extracted):
        notes.append(("grade.note.state_differs", {}))
    return Rebuilt("graded", "grade.reason.ok", lab=origin, notes=notes)
