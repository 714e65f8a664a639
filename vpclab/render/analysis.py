"""An analysis as a hop table (HTML for Jupyter, fixed-width text for terminals and tests)."""

from __future__ import annotations

from html import escape

from ..model.i18n import check_language, tr
from .tables import table


def hop_rows(analysis, lang: str) -> list[tuple[str, list[list[object]]]]:
    sections = []
    for title, hops in (("ui.forward_path", analysis.forward), ("ui.return_path", analysis.return_)):
        rows = [
            [
                n,
                hop.component,
                # The blocking hop carries the block's values, not a passing hop's: it shows why it blocks.
                tr(f"hop.{hop.step}", lang, **hop.values)
                if hop.allowed
                else tr(f"explain.{analysis.code}", lang, **hop.values),
                str(hop.packet),
                tr("ui.passes" if hop.allowed else "ui.blocked_here", lang),
            ]
            for n, hop in enumerate(hops, 1)
        ]
        if rows:
            sections.append((tr(title, lang), rows))
    return sections


def _headers(lang: str) -> list[str]:
    return [tr(f"ui.{k}", lang) for k in ("hop", "component", "what", "packet", "verdict")]


def analysis_html(analysis, lang: str | None = None) -> str:
    lang = check_language(lang)
    colour = {True: "#2e7d32", False: "#c62828", None: "#8d6e00"}[analysis.reachable]
    symbol = {True: "✔", False: "✘", None: "?"}[analysis.reachable]
    parts = [
        f'<div class="vpclab-analysis"><p style="border-left:4px solid {colour};padding-left:6px">'
        f"<b>{symbol}</b> {f'<code>{escape(analysis.code)}</code> ' if analysis.code else ''}"
        f"{escape(analysis.explain(lang))}</p>"
    ]
    parts += [table(_headers(lang), rows, title) for title, rows in hop_rows(analysis, lang)]
    return "".join(parts) + "</div>"


def analysis_text(analysis, lang: str | None = None) -> str:
    lang = check_language(lang)
    lines = [analysis.explain(lang)]
    for title, rows in hop_rows(analysis, lang):
        lines.append(f"{title}:")
        lines += [
            f"  {n:>2}. {component:<24} {what}  [{packet}] {verdict}" for n, component, what, packet, verdict in rows
        ]
    return "\n".join(lines)
