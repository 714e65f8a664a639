"""The exposure report as a fixed-width text table and as HTML (no pandas needed)."""

from __future__ import annotations

from html import escape

from ..model.i18n import check_language, code_phrase, tr
from .analysis import code_label
from .tables import _CELL

_HEADERS = ("instance", "private_ip", "public_ip", "from_internet", "inbound_blocked", "to_internet")


def exposure_rows(report, lang: str) -> list[list[str]]:
    return [row for e in report for row in _entry_rows(e, lang)]


def _entry_rows(e, lang: str) -> list[list[str]]:
    """An instance's IPv4 row, then its IPv6 row when it has IPv6 addresses (no NAT: the address is public)."""
    inbound = "; ".join(map(str, e.inbound)) or tr("ui.none", lang)
    blocked = f"{code_label(e.inbound_code, lang)} @ {e.inbound_blocked_at}" if e.inbound_code else "—"
    if e.outbound:
        outbound = tr("ui.yes_via", lang, gateway=e.outbound_via)
    elif e.outbound is None:
        outbound = f"? {code_label(e.outbound_code, lang)} @ {e.outbound_blocked_at}"
    else:
        outbound = f"{tr('ui.no', lang)}: {code_label(e.outbound_code, lang)} @ {e.outbound_blocked_at}"
    name = e.instance_id + (f" / {e.interface_id}" if e.interface_id else "")  # a secondary interface
    name += f" ({e.name})" if e.name else ""
    rows = [[name, e.private_ip, e.public_ip or "—", inbound, blocked, outbound]]
    if e.ipv6_addresses:
        rows.append(_ipv6_row(e, lang))
    return rows


def _ipv6_row(e, lang: str) -> list[str]:
    inbound = "; ".join(map(str, e.inbound_v6)) or tr("ui.none", lang)
    blocked = f"{code_label(e.inbound_v6_code, lang)} @ {e.inbound_v6_blocked_at}" if e.inbound_v6_code else "—"
    if e.outbound_v6:
        outbound = tr("ui.yes_via", lang, gateway=e.outbound_v6_via)
    else:
        mark = "?" if e.outbound_v6 is None else f"{tr('ui.no', lang)}:"
        outbound = f"{mark} {code_label(e.outbound_v6_code, lang)} @ {e.outbound_v6_blocked_at}"
    return ["  └ IPv6", ", ".join(e.ipv6_addresses), ", ".join(e.ipv6_addresses), inbound, blocked, outbound]


def exposure_text(report, lang: str | None = None) -> str:
    lang = check_language(lang)
    headers = [tr(f"ui.{h}", lang) for h in _HEADERS]
    rows = exposure_rows(report, lang)
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True))  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)]).rstrip()


def _width(text: str) -> int:
    # Hangul and other wide characters take two columns in a terminal.
    return sum(2 if "\u1100" <= ch <= "\uffdc" and not "\u2000" <= ch <= "\u27ff" else 1 for ch in text)


def _why(code: str | None, at: str | None, lang: str, mark: str = "") -> str:
    """A blocking code as a learner reads it: a short phrase, then the AWS code and where it blocks."""
    if not code:
        return "—"
    phrase = code_phrase(code, lang)
    words = f"{escape(mark)}{escape(phrase)}<br>" if phrase and phrase != code else escape(mark)
    place = f" @ {escape(at)}" if at else ""
    return f'{words}<code style="font-size:85%;word-break:break-all">{escape(code)}</code>{place}'


# Fits an output area about 1000 px wide: long codes and ids wrap inside their cells.
_TABLE = "border-collapse:collapse;margin:4px 0 10px 0;font-size:90%;width:100%;table-layout:auto"
_WRAP = _CELL + ";overflow-wrap:anywhere;vertical-align:top"


def exposure_html(report, lang: str | None = None) -> str:
    lang = check_language(lang)
    head = "".join(f'<th style="{_CELL}">{escape(tr(f"ui.{h}", lang))}</th>' for h in _HEADERS)
    body = []
    for e in report:
        rows = _entry_rows(e, lang)
        versions = [
            (e.outbound, e.outbound_code, e.outbound_blocked_at, e.inbound_code, e.inbound_blocked_at),
            (e.outbound_v6, e.outbound_v6_code, e.outbound_v6_blocked_at, e.inbound_v6_code, e.inbound_v6_blocked_at),
        ]
        for row, (out, out_code, out_at, in_code, in_at) in zip(rows, versions, strict=False):  # IPv6 row: optional
            if out:
                outbound = escape(row[5])
            else:
                mark = "? " if out is None else f"{tr('ui.no', lang)}: "
                outbound = _why(out_code, out_at, lang, mark)
            cells = [*(escape(v) for v in row[:4]), _why(in_code, in_at, lang), outbound]
            body.append("<tr>" + "".join(f'<td style="{_WRAP}">{c}</td>' for c in cells) + "</tr>")
    caption = f"<caption style='text-align:left;font-weight:bold'>{escape(tr('ui.exposure', lang))}</caption>"
    rows = "".join(body)
    return f'<table style="{_TABLE}">{caption}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
