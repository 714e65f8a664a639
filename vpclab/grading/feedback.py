"""``vpclab.check(assignment, lab)``: a learner's own progress report, with tiered hints.

Each call shows every check passed or not; for a failed check it shows a hint, and the next call
while it still fails shows the next tier: first a nudge, then the concept, then the exact fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..model.i18n import check_language, tr
from .checks import Check, Verdict, checks_of, evaluate
from .lookup import learner_names, named_text

_attempts: dict[tuple[str, str], int] = {}


@dataclass
class CheckRow:
    check: Check
    verdict: Verdict
    tier: int  # 0 when passed

    def text(self, lang: str) -> str:
        mark = "✔" if self.verdict.passed else "✘"
        line = f"{mark} {self.check.title(lang)} ({_points(self.check.points)})"
        if not self.verdict.passed:
            line += (
                f"\n   {tr('check.hint_label', lang, tier=self.tier)}: {self.check.hint(self.tier, self.verdict, lang)}"
            )
        return line


class Progress:
    """The result of ``vpclab.check``: rows, score, and displays in the chosen language."""

    def __init__(self, assignment: str, rows: list[CheckRow]) -> None:
        self.assignment, self.rows = assignment, rows

    @property
    def score(self) -> float:
        return sum(r.check.points for r in self.rows if r.verdict.passed)

    @property
    def max_score(self) -> float:
        return sum(r.check.points for r in self.rows)

    @property
    def passed(self) -> bool:
        return all(r.verdict.passed for r in self.rows)

    def to_text(self, lang: str | None = None) -> str:
        lang = check_language(lang)
        head = tr("check.summary", lang, assignment=self.assignment, score=_points(self.score),
                  max_score=_points(self.max_score))  # fmt: skip
        return "\n".join([head, *(r.text(lang) for r in self.rows)])

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return f"Progress({self.assignment!r}, score={self.score}/{self.max_score})"

    def _repr_html_(self) -> str:
        lang = check_language(None)
        lines = self.to_text(lang).split("\n")
        items = "".join(f"<div>{escape(line)}</div>" for line in lines[1:])
        return f'<div class="vpclab-check"><b>{escape(lines[0])}</b>{items}</div>'


def _points(value: float) -> str:
    return f"{value:g}"


def progress(assignment: str, lab) -> Progress:
    """Evaluate ``assignment``'s checks on ``lab`` and escalate the hints of those still failing."""
    checks = checks_of(assignment)
    verdicts = evaluate(assignment, lab)
    names = learner_names(lab)
    rows = []
    for check_id, item in checks.items():
        verdict = verdicts[check_id]
        values = {k: named_text(v, names) if isinstance(v, str) else v for k, v in verdict.values.items()}
        verdict = Verdict(verdict.passed, values, verdict.error)
        if verdict.passed:
            rows.append(CheckRow(item, verdict, 0))
            continue
        key = (assignment, check_id)
        _attempts[key] = min(_attempts.get(key, 0) + 1, 3)
        rows.append(CheckRow(item, verdict, _attempts[key]))
    return Progress(assignment, rows)
