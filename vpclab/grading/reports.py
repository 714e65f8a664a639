"""What ``vpclab grade`` writes: the class's CSV files and each student's results and feedback.

    DIR/grades.csv                 one row per submission: student, score, max_score, percent,
                                   one column per check (points earned), status, reason
    DIR/checks.csv                 one row per submission and check: passed, points, the check's title
                                   and (when failed) its first hint, in English and in Korean
    DIR/<student>/results.json     the Gradescope autograder format (score, tests[], output)
    DIR/<student>/feedback.md      the student's feedback in the chosen language, and as HTML:
    DIR/<student>/feedback.html    titles, points, hints and the status; never any check's code

Everything here comes from the ``Outcome`` records and the catalogs, written by the grader's
process after every kernel is gone, so nothing a notebook wrote into the folder survives.
"""

from __future__ import annotations

import csv
import io
import json
import os
from html import escape
from pathlib import Path

from ..model.i18n import LANGUAGES, tr
from .checks import Verdict, checks_of
from .grader import GRADED, Outcome
from .student import nudge

REPORTS = ("grades.csv", "checks.csv")  # the class-wide files beside the students' folders


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
    result = next(c for c in outcome.checks if c.check_id == check_id)
    if result.passed or outcome.status not in GRADED:
        return ""
    item = checks_of(outcome.assignment)[check_id]
    return nudge(item, Verdict(False, result.values), lang)


def grades_csv(outcomes: list[Outcome], assignment: str, lang: str) -> str:
    check_ids = list(checks_of(assignment))
    rows = [["student", "score", "max_score", "percent", *check_ids, "status", "reason"]]
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


def _lines(outcome: Outcome, lang: str):
    """(passed, title, points text, hint) for each check."""
    checks = checks_of(outcome.assignment)
    for result in outcome.checks:
        item = checks[result.check_id]
        yield (
            result.passed,
            item.title(lang),
            f"{points(result.points)}/{points(result.max_points)}",
            hint_text(outcome, result.check_id, lang),
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


def feedback_markdown(outcome: Outcome, lang: str) -> str:
    title, score, status = _summary(outcome, lang)
    hint_label = tr("grade.feedback.hint", lang)
    lines = [f"# {title}", "", f"**{score}**", "", status, ""]
    for passed, name, earned, hint in _lines(outcome, lang):
        lines.append(f"- {'✔' if passed else '✘'} {name} ({earned})")
        if hint:
            lines.append(f"  - {hint_label}: {hint}")
    return "\n".join(lines) + "\n"


def feedback_html(outcome: Outcome, lang: str) -> str:
    title, score, status = _summary(outcome, lang)
    hint_label = tr("grade.feedback.hint", lang)
    items = []
    for passed, name, earned, hint in _lines(outcome, lang):
        mark = '<span style="color:#2e9d4f">✔</span>' if passed else '<span style="color:#e0403a">✘</span>'
        extra = f"<br><small>{escape(hint_label)}: {escape(hint)}</small>" if hint else ""
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


def write_reports(outcomes: list[Outcome], assignment: str, out: Path, lang: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    _write(out / "grades.csv", grades_csv(outcomes, assignment, lang))
    _write(out / "checks.csv", checks_csv(outcomes, assignment))
    for outcome in outcomes:
        folder = out / outcome.student
        if folder.is_symlink():
            folder.unlink()
        folder.mkdir(exist_ok=True)
        _write(folder / "results.json", json.dumps(gradescope(outcome, lang), ensure_ascii=False, indent=1) + "\n")
        _write(folder / "feedback.md", feedback_markdown(outcome, lang))
        _write(folder / "feedback.html", feedback_html(outcome, lang))
