"""The exposure report as a fixed-width text table and as HTML (no pandas needed)."""

from __future__ import annotations

from ..model.i18n import check_language, tr
from .analysis import code_label
from .tables import table

_HEADERS = ("instance", "private_ip", "public_ip", "from_internet", "inbound_blocked", "to_internet")


def exposure_rows(report, lang: str) -> list[list[str]]:
    rows = []
    for e in report:
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
        rows.append([name, e.private_ip, e.public_ip or "—", inbound, blocked, outbound])
    return rows


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


def exposure_html(report, lang: str | None = None) -> str:
    lang = check_language(lang)
    return table([tr(f"ui.{h}", lang) for h in _HEADERS], exposure_rows(report, lang), tr("ui.exposure", lang))
