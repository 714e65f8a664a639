"""What ``vpclab grade`` writes: the class's CSV files and each student's results and feedback.

    DIR/grades.csv                 one row per submission: student, score, max_score, percent,
                                   one column per check (points earned), status, reason
    DIR/checks.csv                 one row per submission and check: passed, points, the check's title
                                   and (when failed) its first hint, in English and in Korean
    DIR/<student>/results.json     the Gradescope autograder format (score, tests[], output)
    DIR/<student>/feedback.md      the student's feedback in the chosen language, and as HTML:
    DIR/<student>/feedback.html    titles, points, hints (tiers 1 to ``--hints``) and the status;
                                   never any check's code
    DIR/class-report.html, .md     the class at a glance, for the teacher (``classreport.py``)

Every text a student controls (a name, a resource name, a cell's error message) is escaped for the
format it lands in: Markdown (``md_escape``), HTML, CSV (no formulas).

Everything here comes from the ``Outcome`` records and the catalogs, written by the grader's
process after every kernel is gone, so nothing a notebook wrote into the folder survives.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from html import escape
from pathlib import Path

from ..model.i18n import LANGUAGES, tr
from .checks import Verdict, checks_of
from .grader import GRADED, Outcome
from .student import nudge

REPORTS = ("grades.csv", "checks.csv", "class-report.html", "class-report.md")  # beside the students' folders
_MARKDOWN = re.compile(r"([\\`*_\[\]#|~!])")  # what can start emphasis, code, a link, an image or a table cell


def md_escape(text: str) -> str:
    """``text`` as literal Markdown: every character Markdown (or HTML in it) could read as markup
    is escaped, so a resource named ``[click](http://evil)`` or ``<script>`` shows as written."""
    text = _MARKDOWN.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("\n", " ").replace("\r", " ")


def points(value: float) -> str:
    return f"{value:g}"


def percent(outcome: Outcome) -> float:
    return round(100 * outcome.score / outcome.max_score, 1) if outcome.max_score else 0.0


def _cell(value):
    """A CSV cell that a spreadsheet will not run as a formula (``=HYPERLINK(...)`` as a file name)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([[_cell(v) for v in row] for row in rows])
    return buffer.getvalue()


def reason_text(outcome: Outcome, lang: str) -> str:
    return tr(outcome.reason, lang, **outcome.values)


def status_text(outcome: Outcome, lang: str) -> str:
    return tr(f"grade.status.{outcome.status}", lang)


def hint_text(outcome: Outcome, check_id: str, lang: str) -> str:
    """The first hint of a failed check, for a graded submission (an ungraded one gets its reason)."""
    hints = hint_tiers(outcome, check_id, lang, 1)
    return hints[0] if hints else ""


def hint_tiers(outcome: Outcome, check_id: str, lang: str, tiers: int) -> list[str]:
    """Hints 1 (a nudge) to ``tiers`` (3: the exact fix) of a failed check of a graded submission."""
    result = next(c for c in outcome.checks if c.check_id == check_id)
    if result.passed or outcome.status not in GRADED:
        return []
    item = checks_of(outcome.assignment)[check_id]
    verdict = Verdict(False, result.values)
    first = nudge(item, verdict, lang)
    filled = Verdict(False, {**dict.fromkeys(_names(item, lang, tiers), "—"), **result.values})
    return [first, *(item.hint(tier, filled, lang) for tier in range(2, max(1, min(tiers, 3)) + 1))]


def _names(item, lang: str, tiers: int) -> set[str]:
    from ..model.i18n import placeholders

    found: set[str] = set()
    for name in ("concept", "fix")[: max(0, tiers - 1)]:
        found |= placeholders(tr(f"hint.{item.assignment}.{item.check_id}.{name}", lang))
    return found


def notes_text(outcome: Outcome, lang: str) -> list[str]:
    """The teacher's notes on a submission: the replay's (``replay.py``) and every check that raised."""
    lines = [tr(key, lang, **values) for key, values in outcome.notes]
    for result in outcome.checks:
        if result.error:
            lines.append(tr("grade.note.check_error", lang, check=result.check_id, error=result.error))
    return lines


def grades_csv(outcomes: list[Outcome], assignment: str, lang: str) -> str:
    check_ids = list(checks_of(assignment))
    rows = [["student", "score", "max_score", "percent", *check_ids, "status", "reason", "notes"]]
    for o in outcomes:
        earned = {c.check_id: points(c.points) for c in o.checks}
        rows.append(
            [
                o.student,
                points(o.score),
                points(o.max_score),
                f"{percent(o):g}",
                *(earned.get(i, "0") for i in check_ids),
                o.status,
                reason_text(o, lang),
                " | ".join(notes_text(o, lang)),
            ]
        )
    return _csv(rows)


def checks_csv(outcomes: list[Outcome], assignment: str) -> str:
    checks = checks_of(assignment)
    rows = [
        [
            "student",
            "status",
            "check",
            "passed",
            "points",
            "max_points",
            *(f"title_{x}" for x in LANGUAGES),
            *(f"hint_{x}" for x in LANGUAGES),
            "check_error",
        ]
    ]
    for o in outcomes:
        for result in o.checks:
            item = checks[result.check_id]
            rows.append(
                [
                    o.student,
                    o.status,
                    result.check_id,
                    str(result.passed).lower(),
                    points(result.points),
                    points(result.max_points),
                    *(item.title(x) for x in LANGUAGES),
                    *(hint_text(o, result.check_id, x) for x in LANGUAGES),
                    result.error,
                ]
            )
    return _csv(rows)


def gradescope(outcome: Outcome, lang: str) -> dict:
    """The Gradescope autograder ``results.json``: one test per check, text in ``lang``."""
    checks = checks_of(outcome.assignment)
    tests = []
    for number, result in enumerate(outcome.checks, 1):
        item = checks[result.check_id]
        output = hint_text(outcome, result.check_id, lang) or ("" if result.passed else reason_text(outcome, lang))
        tests.append(
            {
                "name": item.title(lang),
                "number": str(number),
                "score": result.points,
                "max_score": result.max_points,
                "status": "passed" if result.passed else "failed",
                "output": output,
                "visibility": "visible",
            }
        )
    return {
        "score": outcome.score,
        "execution_time": round(outcome.seconds, 1),
        "output": f"{status_text(outcome, lang)}: {reason_text(outcome, lang)}",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "student": outcome.student,
            "assignment": outcome.assignment,
            "status": outcome.status,
            "reason": outcome.reason,
            "reason_values": outcome.values,
            "same_as": outcome.same_as,
            "max_score": outcome.max_score,
            "percent": percent(outcome),
        },
    }


def _lines(outcome: Outcome, lang: str, tiers: int = 1):
    """(passed, title, points text, hints) for each check."""
    checks = checks_of(outcome.assignment)
    for result in outcome.checks:
        item = checks[result.check_id]
        yield (
            result.passed,
            item.title(lang),
            f"{points(result.points)}/{points(result.max_points)}",
            hint_tiers(outcome, result.check_id, lang, tiers),
        )


def _summary(outcome: Outcome, lang: str) -> tuple[str, str, str]:
    title = tr("grade.feedback.title", lang, assignment=outcome.assignment, student=outcome.student)
    score = tr(
        "grade.feedback.score",
        lang,
        score=points(outcome.score),
        max_score=points(outcome.max_score),
        percent=f"{percent(outcome):g}",
    )
    status = tr("grade.feedback.status", lang, status=status_text(outcome, lang), reason=reason_text(outcome, lang))
    return title, score, status


TIER_LABELS = ("grade.feedback.tier1", "grade.feedback.tier2", "grade.feedback.tier3")  # hint, concept, fix


def _tier_label(tier: int, lang: str) -> str:
    return tr(TIER_LABELS[tier - 1], lang)


def feedback_markdown(outcome: Outcome, lang: str, tiers: int = 1) -> str:
    title, score, status = _summary(outcome, lang)
    lines = [f"# {md_escape(title)}", "", f"**{md_escape(score)}**", "", md_escape(status), ""]
    for passed, name, earned, hints in _lines(outcome, lang, tiers):
        lines.append(f"- {'✔' if passed else '✘'} {md_escape(name)} ({md_escape(earned)})")
        for tier, hint in enumerate(hints, 1):
            lines.append(f"  - {md_escape(_tier_label(tier, lang))}: {md_escape(hint)}")
    return "\n".join(lines) + "\n"


def feedback_html(outcome: Outcome, lang: str, tiers: int = 1) -> str:
    title, score, status = _summary(outcome, lang)
    items = []
    for passed, name, earned, hints in _lines(outcome, lang, tiers):
        mark = '<span style="color:#2e9d4f">✔</span>' if passed else '<span style="color:#e0403a">✘</span>'
        extra = "".join(
            f"<br><small>{escape(_tier_label(tier, lang))}: {escape(hint)}</small>"
            for tier, hint in enumerate(hints, 1)
        )
        items.append(f"<li>{mark} {escape(name)} ({escape(earned)}){extra}</li>")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title></head>\n'
        f"<body>\n<h1>{escape(title)}</h1>\n<p><b>{escape(score)}</b></p>\n<p>{escape(status)}</p>\n"
        f"<ul>\n{chr(10).join(items)}\n</ul>\n</body></html>\n"
    )


def _write(path: Path, text: str) -> None:
    """Write through a fresh file: a link a notebook planted there is replaced, never followed."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.unlink(missing_ok=True)
    with open(temporary, "x", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(temporary, path)


def write_reports(outcomes: list[Outcome], assignment: str, out: Path, lang: str, hints: int = 1) -> None:
    from .classreport import class_report_html, class_report_markdown

    out.mkdir(parents=True, exist_ok=True)
    _write(out / "grades.csv", grades_csv(outcomes, assignment, lang))
    _write(out / "checks.csv", checks_csv(outcomes, assignment))
    _write(out / "class-report.html", class_report_html(outcomes, assignment, lang))
    _write(out / "class-report.md", class_report_markdown(outcomes, assignment, lang))
    for outcome in outcomes:
        folder = out / outcome.student
        if folder.is_symlink():
            folder.unlink()
        folder.mkdir(exist_ok=True)
        _write(folder / "results.json", json.dumps(gradescope(outcome, lang), ensure_ascii=False, indent=1) + "\n")
        _write(folder / "feedback.md", feedback_markdown(outcome, lang, hints))
        _write(folder / "feedback.html", feedback_html(outcome, lang, hints))


def write_state(path: Path, text: str) -> None:
    _write(path, text)
