"""The class report beside ``grades.csv``: what the class holds, for the teacher, in one page.

    DIR/class-report.html   one self-contained page (inline SVG chart, no external assets)
    DIR/class-report.md     the same in Markdown

- the pass rate of every check (among the submissions whose checks ran);
- the misconceptions the class holds: the components that most often block a failed check
  (``blocked_at``, by the learner's names) and the explanation codes behind them (``code``);
- the students who need help first: lowest score first, those whose notebook did not run at all
  (crashed, no lab, ...) before everyone else;
- the score distribution, as a bar chart of ten 10-point bins.

Everything comes from the ``Outcome`` records; every student-controlled text is escaped.
"""

from __future__ import annotations

from collections import Counter
from html import escape

from ..model.i18n import tr
from .checks import checks_of, code_phrase
from .grader import GRADED, Outcome

TOP = 5  # blocking components and codes listed
HELP_FIRST = 10  # students listed
BINS = 10  # score distribution: 0-9 %, 10-19 %, ..., 90-100 %
NONE = "—"


def summary(outcomes: list[Outcome], assignment: str) -> dict:
    """The report's numbers: pass rates, blockers, codes, who needs help, the histogram."""
    graded = [o for o in outcomes if o.status in GRADED]
    rates = []
    for check_id in checks_of(assignment):
        results = [c for o in graded for c in o.checks if c.check_id == check_id]
        passed = sum(c.passed for c in results)
        rates.append((check_id, passed, len(results)))
    blockers, codes = Counter(), Counter()
    for o in graded:
        for c in o.checks:
            if c.passed:
                continue
            where, code = c.values.get("blocked_at"), c.values.get("code")
            if isinstance(where, str) and where not in ("", NONE):
                blockers[where] += 1
            if isinstance(code, str) and code not in ("", NONE):
                codes[code] += 1
    ranked = sorted(outcomes, key=lambda o: (o.status in GRADED, _percent(o), o.student))
    needs_help = [o for o in ranked if o.status not in GRADED or _percent(o) < 100][:HELP_FIRST]
    histogram = [0] * BINS
    for o in outcomes:
        histogram[min(int(_percent(o) // (100 / BINS)), BINS - 1)] += 1
    return {
        "count": len(outcomes),
        "graded": len(graded),
        "rates": rates,
        "blockers": blockers.most_common(TOP),
        "codes": codes.most_common(TOP),
        "help": needs_help,
        "histogram": histogram,
    }


def _percent(outcome: Outcome) -> float:
    return 100 * outcome.score / outcome.max_score if outcome.max_score else 0.0


def _rate(passed: int, total: int) -> str:
    return f"{round(100 * passed / total)} %" if total else NONE


def _code_text(code: str, lang: str) -> str:
    phrase = code_phrase(code, lang)
    return code if phrase is None else f"{code} ({phrase})"


def _why(outcome: Outcome, lang: str) -> str:
    if outcome.status in GRADED:
        failed = [c.check_id for c in outcome.checks if not c.passed]
        return tr("report.failed_checks", lang, checks=", ".join(failed) or NONE)
    return tr(f"grade.status.{outcome.status}", lang)


def score_chart(histogram: list[int], lang: str) -> str:
    """An inline SVG bar chart of the score distribution (no script, no external asset)."""
    width, height, left, bottom = 420, 180, 30, 30
    bar = (width - left) / len(histogram)
    top = max(histogram) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + bottom}" role="img" '
        f'aria-label="{escape(tr("report.chart", lang))}">'
    ]
    for index, count in enumerate(histogram):
        h = (height - 20) * count / top
        x, y = left + index * bar, height - h
        parts.append(f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{bar - 4:.1f}" height="{h:.1f}" fill="#4a7bd0"/>')
        if count:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle">{count}</text>'
            )
        label = f"{index * 100 // len(histogram)}"
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{height + 14}" font-size="10" text-anchor="middle">{label}</text>'
        )
    parts.append(f'<line x1="{left}" y1="{height}" x2="{width}" y2="{height}" stroke="#333"/>')
    parts.append(
        f'<text x="{(left + width) / 2:.1f}" y="{height + 28}" font-size="11" text-anchor="middle">'
        f"{escape(tr('report.chart_axis', lang))}</text></svg>"
    )
    return "".join(parts)


def class_report_html(outcomes: list[Outcome], assignment: str, lang: str) -> str:
    data = summary(outcomes, assignment)
    checks = checks_of(assignment)
    title = tr("report.title", lang, assignment=assignment)
    rows = "".join(
        f"<tr><td>{escape(checks[i].title(lang))}</td><td>{passed}/{total}</td><td>{_rate(passed, total)}</td></tr>"
        for i, passed, total in data["rates"]
    )

    def listing(pairs, render) -> str:
        if not pairs:
            return f"<p>{escape(tr('report.nothing', lang))}</p>"
        return "<ol>" + "".join(f"<li>{escape(render(k))} — {n}</li>" for k, n in pairs) + "</ol>"

    helps = "".join(
        f"<li>{escape(o.student)}: {o.score:g}/{o.max_score:g} — {escape(_why(o, lang))}</li>" for o in data["help"]
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title></head>\n'
        f"<body>\n<h1>{escape(title)}</h1>\n"
        f"<p>{escape(tr('report.counts', lang, count=data['count'], graded=data['graded']))}</p>\n"
        f"<h2>{escape(tr('report.pass_rates', lang))}</h2>\n<table>"
        f"<tr><th>{escape(tr('report.check', lang))}</th><th>{escape(tr('report.passed', lang))}</th>"
        f"<th>%</th></tr>{rows}</table>\n"
        f"<h2>{escape(tr('report.blockers', lang))}</h2>\n{listing(data['blockers'], str)}\n"
        f"<h2>{escape(tr('report.codes', lang))}</h2>\n{listing(data['codes'], lambda c: _code_text(c, lang))}\n"
        f"<h2>{escape(tr('report.help_first', lang))}</h2>\n"
        f"{'<ol>' + helps + '</ol>' if helps else '<p>' + escape(tr('report.nothing', lang)) + '</p>'}\n"
        f"<h2>{escape(tr('report.distribution', lang))}</h2>\n{score_chart(data['histogram'], lang)}\n"
        "</body></html>\n"
    )


def class_report_markdown(outcomes: list[Outcome], assignment: str, lang: str) -> str:
    from .reports import md_escape

    data = summary(outcomes, assignment)
    checks = checks_of(assignment)
    nothing = md_escape(tr("report.nothing", lang))
    lines = [f"# {md_escape(tr('report.title', lang, assignment=assignment))}", ""]
    lines += [md_escape(tr("report.counts", lang, count=data["count"], graded=data["graded"])), ""]
    lines += [f"## {md_escape(tr('report.pass_rates', lang))}", ""]
    lines += [
        f"| {md_escape(tr('report.check', lang))} | {md_escape(tr('report.passed', lang))} | % |",
        "|---|---|---|",
    ]
    lines += [
        f"| {md_escape(checks[i].title(lang))} | {passed}/{total} | {_rate(passed, total)} |"
        for i, passed, total in data["rates"]
    ]
    for key, pairs, render in (
        ("report.blockers", data["blockers"], str),
        ("report.codes", data["codes"], lambda c: _code_text(c, lang)),
    ):
        lines += ["", f"## {md_escape(tr(key, lang))}", ""]
        lines += [f"{n}. {md_escape(render(k))} — {count}" for n, (k, count) in enumerate(pairs, 1)] or [nothing]
    lines += ["", f"## {md_escape(tr('report.help_first', lang))}", ""]
    lines += [
        f"{n}. {md_escape(o.student)}: {o.score:g}/{o.max_score:g} — {md_escape(_why(o, lang))}"
        for n, o in enumerate(data["help"], 1)
    ] or [nothing]
    lines += ["", f"## {md_escape(tr('report.distribution', lang))}", "", "| % | n |", "|---|---|"]
    lines += [
        f"| {i * 100 // BINS}–{(i + 1) * 100 // BINS - (i < BINS - 1)} | {n} |" for i, n in enumerate(data["histogram"])
    ]
    return "\n".join(lines) + "\n"
