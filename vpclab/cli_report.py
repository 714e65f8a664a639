"""What ``vpclab exposure`` prints: a summary first, then one row per instance (and secondary interface) with
its account, Region and VPC, then what the model does not cover and the describe calls that would
complete the picture. The JSON form is documented in docs/exposure-json.md; its ``schema`` names the
version, and fields are only ever added to it.
"""

from __future__ import annotations

import json
from collections import Counter

JSON_SCHEMA = "vpclab.exposure/2"
VERDICTS = ("exposed", "unknown", "none")


def phrase(code: str | None, lang: str) -> str:
    """A short phrase for an explanation code in the language (the code itself where none exists yet)."""
    if not code:
        return ""
    try:
        from .model.i18n import code_phrase
    except ImportError:
        return code
    return code_phrase(code, lang) or code


def exposed_ports(report) -> list[str]:
    """``tcp 22``, ``tcp 80-443`` ...: each protocol and port range open to the internet somewhere."""
    found = {}
    for entry in report:
        for piece in (*entry.inbound, *entry.inbound_v6):
            found[(piece.protocol, piece.ports.first, piece.ports.last)] = piece.label
        for path in entry.via_load_balancers:
            found[(path.protocol, path.listener_port, path.listener_port)] = f"{path.protocol} {path.listener_port}"
    return [found[k] for k in sorted(found)]


def summary(report) -> dict:
    counts = Counter(entry.verdict for entry in report)
    return {
        "entries": len(report),
        **{verdict: counts.get(verdict, 0) for verdict in VERDICTS},
        "exposed_ports": exposed_ports(report),
    }


def to_collect(report, lab) -> list[str]:
    """Every describe call that would settle an unknown, once, in a stable order."""
    calls = {r.collect for e in report for r in e.unknown if r.collect}
    from .engine.verdicts import collect_command, missing_keys

    for item in lab.unsupported:
        # Without these calls an answer may be "exposed" where Block Public Access or a balancer decides otherwise.
        if item.why == "not_collected" and item.kind in ("load-balancer", "block-public-access"):
            keys, region = missing_keys(item.detail)
            calls.update(collect_command(key, region) for key in keys if region)
    return sorted(calls)


def _inbound_text(entry, lang: str) -> str:
    from .model.i18n import tr

    parts = [str(p) for p in entry.inbound]
    if entry.inbound_v6:  # apart, as the report keeps them: the IPv6 addresses are reached as they are
        parts.append("IPv6: " + ", ".join(str(p) for p in entry.inbound_v6))
    parts += [
        tr(
            "audit.via_load_balancer",
            lang,
            name=p.load_balancer,
            kind=p.kind,
            protocol=p.protocol,
            port=p.listener_port,
            target_port=p.target_port,
            sources=", ".join(map(str, p.sources)),
        )
        for p in entry.via_load_balancers
    ]
    return "; ".join(parts) or "—"


def _why_text(entry, lang: str) -> str:

    if entry.verdict == "unknown":
        text = _reasons_text([r for r in entry.unknown if r.direction == "inbound"], lang)
        if entry.inbound_code and entry.inbound_code != "UNSUPPORTED_COMPONENT":  # what the known part says
            text += "; " + _coded(entry.inbound_code, entry.inbound_blocked_at, lang)
        return text
    said = []
    if entry.inbound_code and (entry.verdict == "none" or entry.inbound):
        said.append(_coded(entry.inbound_code, entry.inbound_blocked_at, lang))
    if entry.ipv6_addresses and entry.inbound_v6_code and (entry.verdict == "none" or entry.inbound_v6):
        said.append("IPv6: " + _coded(entry.inbound_v6_code, entry.inbound_v6_blocked_at, lang))
    return "; ".join(said)


def _coded(code: str, at: str | None, lang: str) -> str:
    """``<short phrase> (CODE @ component)``, or ``CODE @ component`` where no phrase exists."""
    said = phrase(code, lang)
    return f"{code} @ {at}" if said == code else f"{said} ({code} @ {at})"


def _reasons_text(reasons, lang: str) -> str:
    """One phrase per component: the calls that would settle it, short (the full commands follow the table)."""
    from .model.i18n import tr

    calls: dict[tuple[str, str], list[str]] = {}
    for r in reasons:
        calls.setdefault((r.why, r.component), [])
        if r.describe:
            calls[(r.why, r.component)].append(r.collect.removeprefix("aws ").split(" --region")[0])
    return "; ".join(
        tr(f"audit.unknown.{why}", lang, component=component, collect=", ".join(found))
        for (why, component), found in calls.items()
    )


def _outbound_text(entry, lang: str) -> str:
    """The IPv4 answer, then the IPv6 one where the entry has IPv6 addresses."""
    text = _one_outbound(
        entry, lang, entry.outbound, entry.outbound_via, entry.outbound_code, entry.outbound_blocked_at
    )
    if entry.ipv6_addresses:
        v6 = (entry.outbound_v6, entry.outbound_v6_via, entry.outbound_v6_code, entry.outbound_v6_blocked_at)
        text += "; IPv6: " + _one_outbound(entry, lang, *v6)
    return text


def _one_outbound(entry, lang: str, reachable, via, code, blocked_at) -> str:
    from .model.i18n import tr

    if reachable:
        return tr("ui.yes_via", lang, gateway=via)
    if reachable is None:
        reasons = _reasons_text([r for r in entry.unknown if r.direction == "outbound"], lang)
        return f"{tr('audit.verdict.unknown', lang)}: {reasons}"
    return f"{tr('ui.no', lang)}: {_coded(code, blocked_at, lang)}"


def rows(lab, report, lang: str) -> list[list[str]]:
    from .model.i18n import tr

    owners = getattr(lab, "owners", {})
    found = []
    for e in report:
        name = e.instance_id + (f" / {e.interface_id}" if e.interface_id else "") + (f" ({e.name})" if e.name else "")
        account = owners.get(e.instance_id) or owners.get(e.vpc_id) or "—"
        found.append(
            [
                account,
                e.region or lab.region,
                e.vpc_id or "—",
                name,
                ", ".join([*([e.public_ip] if e.public_ip else []), *e.ipv6_addresses]) or "—",  # IPv6: public
                tr(f"audit.verdict.{e.verdict}", lang),
                _inbound_text(e, lang),
                _why_text(e, lang),
                _outbound_text(e, lang),
            ]
        )
    return found


HEADERS = ("account", "region", "vpc", "instance", "public_ip", "verdict", "inbound", "why", "outbound")


def summary_lines(report, lang: str) -> list[str]:
    """How many are exposed, unknown and not reachable; then the ports open to the internet."""
    from .model.i18n import tr

    counts = summary(report)
    lines = [
        tr(
            "audit.summary",
            lang,
            total=counts["entries"],
            exposed=counts["exposed"],
            unknown=counts["unknown"],
            none=counts["none"],
        )
    ]
    if counts["exposed_ports"]:
        lines.append(tr("audit.ports", lang, ports=", ".join(counts["exposed_ports"])))
    return lines


def page_body(lab, report, lang: str) -> str:
    """The same report as HTML: the summary, the table, what is not modelled, what to collect."""
    from html import escape

    from .model.i18n import tr
    from .render.tables import table, unsupported_html

    parts = [f"<p>{escape(line)}</p>" for line in summary_lines(report, lang)]
    parts.append(table([tr(f"audit.col.{h}", lang) for h in HEADERS], rows(lab, report, lang)))
    parts.append(unsupported_html(lab, lang))
    calls = to_collect(report, lab)
    if calls:
        parts.append(f"<p>{escape(tr('audit.collect', lang))}:</p><pre>{escape(chr(10).join(calls))}</pre>")
    return "".join(parts)


def table_text(lab, report, lang: str) -> str:
    from .model.i18n import tr

    lines = summary_lines(report, lang)
    headers = [tr(f"audit.col.{h}", lang) for h in HEADERS]
    body = rows(lab, report, lang)
    widths = [max([_width(h)] + [_width(r[i]) for r in body]) for i, h in enumerate(headers)]

    def line(cells):
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    lines += ["", line(headers), line(["-" * w for w in widths]), *map(line, body)]
    if lab.unsupported:
        lines += ["", tr("audit.not_modelled", lang) + ":"]
        lines += [f"- {u.kind} {u.id} ({u.where}): {u.text(lang)}" for u in lab.unsupported]
    calls = to_collect(report, lab)
    if calls:
        lines += ["", tr("audit.collect", lang) + ":", *(f"  {c}" for c in calls)]
    return "\n".join(lines)


def _width(text: str) -> int:
    # Hangul and other wide characters take two columns in a terminal.
    return sum(2 if "\u1100" <= ch <= "\uffdc" and not "\u2000" <= ch <= "\u27ff" else 1 for ch in text)


def json_text(lab, report, lang: str, regions: list[str]) -> str:
    owners = getattr(lab, "owners", {})
    entries = []
    for entry, data in zip(report, report.to_data(), strict=True):
        data["account"] = owners.get(entry.instance_id) or owners.get(entry.vpc_id)
        data["why_phrase"] = _why_text(entry, lang)
        entries.append(data)
    data = {
        "schema": JSON_SCHEMA,
        "language": lang,
        "region": lab.region,
        "regions": regions,
        "summary": summary(report),
        "vpcs": [
            {
                "id": v.id,
                "name": v.name,
                "region": v.region or lab.region,
                "account": owners.get(v.id),
                "cidrs": [str(c) for c in v.cidrs],
                "ipv6_cidrs": [str(c) for c in v.ipv6_cidr_blocks],
            }
            for v in lab.vpcs.values()
        ],
        "exposure": entries,
        "unsupported": [
            {
                "kind": u.kind,
                "id": u.id,
                "where": u.where,
                "why": u.why,
                "detail": u.detail,
                "addresses": list(u.addresses),
                "text": u.text(lang),
            }
            for u in lab.unsupported
        ],
        "collect": to_collect(report, lab),
    }
    return json.dumps(data, indent=1, ensure_ascii=False)
