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

from ..model.errors import InvalidParameterError
from ..model.i18n import tr

TIERS = ("nudge", "concept", "fix")


@dataclass(frozen=True)
class Verdict:
    passed: bool
    values: dict = field(default_factory=dict)  # fills the hint texts' placeholders

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
        """Hint ``tier`` (1 nudge, 2 concept, 3 exact fix) for a failed check."""
        name = TIERS[max(1, min(tier, len(TIERS))) - 1]
        return tr(f"hint.{self.assignment}.{self.check_id}.{name}", lang, **verdict.values)


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


def evaluate(assignment: str, lab) -> dict[str, Verdict]:
    """Every check of ``assignment`` on ``lab``. A check that raises counts as failed, never as passed."""
    results = {}
    for check_id, item in checks_of(assignment).items():
        try:
            verdict = item.run(lab)
            results[check_id] = verdict if isinstance(verdict, Verdict) else Verdict(False, {})
        except Exception:  # a broken lab fails the check; the grader records the reason
            results[check_id] = Verdict(False, {})
    return results
