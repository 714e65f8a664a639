"""Checks: questions about a lab's behaviour and state, each worth points, each with tiered hints.

An assignment (``vpclab/grading/assignments/<id>.py``, the id being its solution notebook's file
name) registers its checks with ``@check(assignment, check_id, points)``. A check is a function of
a finished lab that returns a ``Verdict``: passed or not, and when not, hints in three tiers — a
nudge, the concept, the exact fix — as catalog keys (``hint.<assignment>.<check>.<tier>``) with their
values, so learners get them in Korean or English. Checks grade behaviour (``analyze``,
``exposure``) and the state the assignment requires, so any correct design passes; none may pass
on the untouched starting lab.

The same functions serve the learner (``vpclab.check(...)`` in the notebook, with hints) and the
grader (``python -m vpclab grade``), which runs them in its own process on the lab state it
extracted, never on objects from the student's kernel.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

from ..model import i18n
from ..model.errors import InvalidParameterError
from ..model.i18n import catalog, placeholders, tr

TIERS = ("nudge", "concept", "fix")
CASES = ("NOT_OPEN_TO_ALL", "DEFAULT_NETWORK_ACL")  # shared hints for a case: hint.<CASE>.<tier>


@dataclass(frozen=True)
class Verdict:
    passed: bool
    values: dict = field(default_factory=dict)  # fills the hint texts' placeholders
    error: str = ""  # the check raised ("KeyError: 'web'"): it failed, and the teacher is told why

    @classmethod
    def ok(cls) -> Verdict:
        return cls(True)

    @classmethod
    def fail(cls, **values) -> Verdict:
        return cls(False, values)


@dataclass(frozen=True)
class Check:
    assignment: str
    check_id: str
    points: float
    run: Callable  # (lab) -> Verdict

    def title(self, lang: str | None = None) -> str:
        return tr(f"check.{self.assignment}.{self.check_id}", lang)

    def hint(self, tier: int, verdict: Verdict, lang: str | None = None) -> str:
        """Hint ``tier`` (1 nudge, 2 concept, 3 exact fix) for a failed check.

        A hint true only in some case is looked up by the verdict's ``variant`` value, or else its
        ``code``: ``hint.<assignment>.<check>.<tier>.<case>``, then ``hint.<case>.<tier>`` (shared by
        every check), then the check's own. A ``code`` value (an explanation code) is shown as its
        short phrase when the catalog has one (``phrase.<CODE>``)."""
        name = TIERS[max(1, min(tier, len(TIERS))) - 1]
        key = f"hint.{self.assignment}.{self.check_id}.{name}"
        values = dict(verdict.values)
        case = values.get("variant") or values.get("code")
        if isinstance(case, str) and case:
            key = next((k for k in (f"{key}.{case}", f"hint.{case}.{name}") if catalog("en").get(k)), key)
        phrase = code_phrase(values.get("code"), lang)
        if phrase is not None:
            values["code"] = phrase
        missing = placeholders(tr(key, lang)) - set(values)  # what the check did not say: a dash, not "{port}"
        return tr(key, lang, **{**dict.fromkeys(missing, "—"), **values})


def code_phrase(code, lang: str | None = None) -> str | None:
    """The short phrase of an explanation code (``phrase.<CODE>``), or None when there is none."""
    if not isinstance(code, str):
        return None
    phrase = i18n.code_phrase(code, lang)
    return None if phrase == code else phrase


REGISTRY: dict[str, dict[str, Check]] = {}


def check(assignment: str, check_id: str, points: float = 1.0):
    """Decorator: register ``function(lab) -> Verdict`` as a check of ``assignment``."""

    def register(function: Callable) -> Callable:
        REGISTRY.setdefault(assignment, {})[check_id] = Check(assignment, check_id, float(points), function)
        return function

    return register


def assignments() -> dict[str, dict[str, Check]]:
    """Every assignment and its checks (importing the assignment modules once)."""
    from . import assignments as package

    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
    return REGISTRY


def checks_of(assignment: str) -> dict[str, Check]:
    found = assignments().get(assignment)
    if not found:
        raise InvalidParameterError(
            "InvalidParameterValue", "InvalidParameterValue:assignment", value=assignment,
            assignments=", ".join(sorted(assignments())),
        )  # fmt: skip
    return found


def run_one(item: Check, lab) -> Verdict:
    """One check on ``lab``. A check that raises counts as failed, never as passed, and its
    ``error`` says why (the grader reports it to the teacher: a bug in a check must not hide)."""
    try:
        verdict = item.run(lab)
    except Exception as error:
        return Verdict(False, {}, f"{type(error).__name__}: {error}"[:300])
    if not isinstance(verdict, Verdict):
        return Verdict(False, {}, f"TypeError: the check returned {type(verdict).__name__}, not a Verdict")
    return verdict


def evaluate(assignment: str, lab) -> dict[str, Verdict]:
    """Every check of ``assignment`` on ``lab`` (see ``run_one``)."""
    return {check_id: run_one(item, lab) for check_id, item in checks_of(assignment).items()}
