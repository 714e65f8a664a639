"""An analysis as a hop table (HTML for Jupyter, fixed-width text for terminals and tests)."""

from __future__ import annotations

import unicodedata
from html import escape

from ..model.i18n import check_language, code_phrase, tr
from .tables import table


def packet_text(packet, lang: str) -> str:
    """A packet as the hop table shows it: protocol, then source → destination (an ICMP type in words)."""
    if packet.protocol.value == "icmp":
        where = {"source": packet.source, "destination": packet.destination}
        return tr("hop.packet_icmp", lang, **where, type=packet.destination_port)
    return str(packet).replace(packet.protocol.value, packet.protocol.value.upper(), 1)


def code_label(code: str, lang: str) -> str:
    """An explanation code in a few words with the code itself beside it, as Reachability Analyzer names it."""
    return tr("ui.code_with_phrase", lang, phrase=code_phrase(code, lang), code=code)


def hop_rows(analysis, lang: str) -> list[tuple[str, list[list[object]]]]:
    sections = []
    for title, hops in (("ui.forward_path", analysis.forward), ("ui.return_path", analysis.return_)):
        rows = [
            [
                n,
                tr("ui.internet", lang) if hop.kind == "internet" else hop.component,
                # The blocking hop carries the block's values, not a passing hop's: it shows why it blocks.
                tr(f"hop.{hop.step}", lang, **hop.values)
                if hop.allowed
                else tr(
                    "ui.blocked_by_code",
                    lang,
                    label=code_label(analysis.code, lang),
                    why=tr(f"explain.{analysis.code}", lang, **hop.values),
                ),
                packet_text(hop.packet, lang),
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
        f"<b>{symbol}</b> {f'<b>{escape(code_label(analysis.code, lang))}</b> ' if analysis.code else ''}"
        f"{escape(analysis.explain(lang))}</p>"
    ]
    parts += [table(_headers(lang), rows, title) for title, rows in hop_rows(analysis, lang)]
    return "".join(parts) + "</div>"


def analysis_text(analysis, lang: str | None = None) -> str:
    lang = check_language(lang)
    head = analysis.explain(lang)
    lines = [f"{code_label(analysis.code, lang)} — {head}" if analysis.code else head]
    for title, rows in hop_rows(analysis, lang):
        lines.append(f"{title}:")
        for n, component, what, packet, verdict in rows:
            lines.append(f"  {n:>2}. {_padded(component, 24)} {what}  [{packet}] {verdict}")
    return "\n".join(lines)


def _padded(text: str, columns: int) -> str:
    """``text`` padded to ``columns`` terminal columns (a Hangul syllable takes two)."""
    width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(columns - width, 0)
