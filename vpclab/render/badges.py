"""The reachability lines of an instance's box in the diagram: from and to the internet over IPv4, and
over IPv6 too when the instance has IPv6 addresses (fact sheet §12: its IPv6 answer is its own, through
the internet gateway or an egress-only gateway, and may differ from the IPv4 one either way).

Drawn on the instance instead of as edges across the picture; the symbol (✔ ✘ ?) and the words carry
the meaning, the colour only repeats it. The AWS codes go in the box's tooltip.
"""

from __future__ import annotations

from ..model.i18n import code_phrase, tr

RED = "#c62828"
GREEN_TEXT, AMBER_TEXT = "#1b6e34", "#8d6200"  # darker, for text on white (contrast 4.5:1 and more)


def instance_badges(entry, lang: str) -> list[tuple[str, str]]:
    """An instance's (text, colour) lines: IPv4 in and out, then IPv6 in and out if it has IPv6."""
    if entry is None:
        return []
    lines = _family(
        lang,
        "",
        [f"{e.protocol} {'echo' if e.protocol == 'icmp' else e.ports}" for e in entry.inbound],
        (entry.inbound_code, entry.inbound_blocked_at),
        (entry.outbound, entry.outbound_via, entry.outbound_code, entry.outbound_blocked_at),
    )
    if getattr(entry, "ipv6_addresses", None):
        lines += _family(
            lang,
            " (IPv6)",
            [e.label for e in entry.inbound_v6],
            (entry.inbound_v6_code, entry.inbound_v6_blocked_at),
            (entry.outbound_v6, entry.outbound_v6_via, entry.outbound_v6_code, entry.outbound_v6_blocked_at),
        )
    return lines


def _family(lang: str, suffix: str, ports: list[str], blocked_in, outbound_answer) -> list[tuple[str, str]]:
    into = f"⬇ {tr('diagram.badge_in', lang)}{suffix}: "
    out = f"⬆ {tr('diagram.badge_out', lang)}{suffix}: "
    inbound = (f"{into}✔ {'; '.join(ports)}", GREEN_TEXT) if ports else (f"{into}✘ {blocked(*blocked_in, lang)}", RED)
    reaches, via, code, at = outbound_answer
    if reaches:
        outbound = (f"{out}✔ {tr('diagram.badge_via', lang, gateway=via)}", GREEN_TEXT)
    else:
        symbol, colour = ("?", AMBER_TEXT) if reaches is None else ("✘", RED)
        outbound = (f"{out}{symbol} {blocked(code, at, lang)}", colour)
    return [inbound, outbound]


def blocked(code: str | None, at: str | None, lang: str) -> str:
    """A short phrase and the component that blocks; the AWS code goes in the box's tooltip."""
    phrase = code_phrase(code, lang) if code else "—"
    return f"{phrase} @ {at}" if at else phrase


def badge_codes(entry) -> str:
    """The AWS explanation codes of the badges, for the tooltip (and the exposure table beside it)."""
    if entry is None:
        return ""
    codes = [entry.inbound_code, entry.outbound_code]
    if getattr(entry, "ipv6_addresses", None):
        codes += [entry.inbound_v6_code, entry.outbound_v6_code]
    return " · ".join(dict.fromkeys(code for code in codes if code))
