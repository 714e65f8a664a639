"""HTML tables for the lab and its resources, in the chosen language (Jupyter's ``_repr_html_``).

Every value is escaped; every word comes from the catalogs. Tables are plain HTML with a little
inline style that reads on light and dark JupyterLab themes.
"""

from __future__ import annotations

from html import escape

from ..model.i18n import check_language, tr
from ..model.resources import (
    ElasticIp,
    Instance,
    InternetGateway,
    NatGateway,
    NetworkAcl,
    RouteState,
    RouteTable,
    SecurityGroup,
    Subnet,
    Vpc,
    register_display,
)

_STYLE = "border-collapse:collapse;margin:4px 0 10px 0;font-size:90%"
# keep-all: a Korean word breaks only at a space, never between its syllables (통과, 판정 and 인터넷에서
# stood one syllable a line in narrow columns); Latin text and ids wrap as before.
_CELL = "border:1px solid rgba(128,128,128,.45);padding:2px 8px;text-align:left;word-break:keep-all"


def table(headers: list[str], rows: list[list[object]], caption: str = "") -> str:
    """A small HTML table; ``rows`` hold plain values (escaped here)."""
    head = "".join(f'<th style="{_CELL}">{escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>" + "".join(f'<td style="{_CELL}">{escape(_text(v))}</td>' for v in row) + "</tr>" for row in rows
    )
    title = f"<caption style='text-align:left;font-weight:bold'>{escape(caption)}</caption>" if caption else ""
    return f'<table style="{_STYLE}">{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _text(value: object) -> str:
    return "—" if value is None or value == "" else str(value)


def subnet_blocks(subnet, lang: str) -> str:
    """A subnet's address space as the diagram, tables and text show it: its IPv4 CIDR, or for an
    IPv6-only subnet its /64 and the "IPv6 only" mark; DNS64 is marked where it is on."""
    text = str(subnet.cidr) if subnet.cidr is not None else f"{subnet.ipv6_cidr_block} · {tr('ui.ipv6_only', lang)}"
    return text + (" · DNS64" if subnet.enable_dns64 else "")


def _name(resource) -> str:
    return f"{resource.id} ({resource.name})" if getattr(resource, "name", None) else resource.id


def _yes(flag: bool, lang: str) -> str:
    return tr("ui.yes" if flag else "ui.no", lang)


def _nat_state(nat: NatGateway, lang: str) -> str:
    """The console's word for the state, and AWS's failure code beside it (a code is not translated)."""
    return tr(f"ui.nat_state_{nat.state.value}", lang) + (f" ({nat.failure_code})" if nat.failure_code else "")


def route_table_html(rt: RouteTable, lang: str) -> str:
    rows = []
    for route in rt.routes.values():
        state = tr("ui.blackhole" if route.state is RouteState.BLACKHOLE else "ui.active", lang)
        rows.append([str(route.destination), route.target_id, state])
    subnets = ", ".join(a.subnet.id for a in rt.associations if a.subnet) or tr("ui.none", lang)
    caption = f"{tr('ui.route_table', lang)} {_name(rt)}" + (f" — {tr('ui.main', lang)}" if rt.main else "")
    return (
        table([tr("ui.destination", lang), tr("ui.target", lang), tr("ui.state", lang)], rows, caption)
        + f"<div>{escape(tr('ui.associated_subnets', lang))}: {escape(subnets)}</div>"
    )


def security_group_html(group: SecurityGroup, lang: str) -> str:
    rows = []
    for rule in group.rules:
        peer = str(rule.cidr) if rule.cidr is not None else rule.group_id
        ports = tr("ui.all", lang) if rule.ports is None else str(rule.ports)
        way = tr("ui.outbound" if rule.egress else "ui.inbound", lang)
        rows.append([way, rule.protocol.value, ports, peer])
    headers = [tr("ui.direction", lang), tr("ui.protocol", lang), tr("ui.ports", lang), tr("ui.peer", lang)]
    return table(headers, rows, f"{tr('ui.security_group', lang)} {group.id} ({group.group_name})")


def network_acl_html(acl: NetworkAcl, lang: str) -> str:
    rows = []
    for egress in (False, True):
        for entry in acl.rules(egress):
            number = "*" if entry.rule_number > 32766 else entry.rule_number
            ports = tr("ui.all", lang) if entry.ports is None else str(entry.ports)
            rows.append(
                [
                    tr("ui.outbound" if egress else "ui.inbound", lang),
                    number,
                    entry.protocol.value,
                    ports,
                    str(entry.cidr),
                    tr(f"ui.{entry.action.value}", lang),
                ]
            )
    headers = [tr(f"ui.{h}", lang) for h in ("direction", "rule_number", "protocol", "ports", "peer", "action")]
    caption = f"{tr('ui.network_acl', lang)} {_name(acl)}" + (f" — {tr('ui.default', lang)}" if acl.is_default else "")
    return table(headers, rows, caption)


def _instance_rows(instances, lang: str) -> list[list[object]]:
    return [
        [
            _name(i),
            i.subnet.id,
            _text(i.private_ip),
            _text(i.public_ip),
            tr("ui.elastic" if i.elastic_ip else ("ui.auto" if i.public_ip else "ui.none"), lang),
            tr(f"ui.state_{i.state.value}", lang),
            ", ".join(g.id for g in i.security_groups),
        ]
        for i in instances
    ]


_INSTANCE_HEADERS = ("instance", "subnet", "private_ip", "public_ip", "public_ip_kind", "state", "security_groups")


def lab_html(lab, lang: str | None = None) -> str:
    """The whole lab as tables: VPCs, subnets, gateways, addresses, route tables, rules."""
    lang = check_language(lang)
    h = lambda *keys: [tr(f"ui.{k}", lang) for k in keys]  # noqa: E731
    parts = [f"<div class='vpclab-lab'><b>{escape(tr('ui.lab', lang))}</b> — {escape(lab.region)}"]
    parts.append(
        table(
            h("vpc", "cidrs", "internet_gateway"),
            [
                [_name(v), ", ".join(map(str, v.cidrs)), v.internet_gateway.id if v.internet_gateway else None]
                for v in lab.vpcs.values()
            ],
        )
    )
    parts.append(
        table(
            h("subnet", "vpc", "cidr", "availability_zone", "route_table", "public", "available_ips"),
            [
                [
                    _name(s),
                    s.vpc.id,
                    subnet_blocks(s, lang),
                    s.availability_zone,
                    lab.route_table_of(s).id,
                    _yes(lab.is_public(s), lang),
                    s.available_ip_address_count,
                ]
                for s in lab.subnets.values()
            ],
        )
    )
    if lab.internet_gateways:
        parts.append(
            table(
                h("internet_gateway", "attached_to"),
                [[_name(g), g.vpc.id if g.vpc else None] for g in lab.internet_gateways.values()],
            )
        )
    if lab.instances:
        parts.append(table(h(*_INSTANCE_HEADERS), _instance_rows(lab.instances.values(), lang)))
    if lab.elastic_ips:
        parts.append(
            table(
                h("elastic_ip", "public_ip", "associated_with"),
                [
                    [
                        _name(e),
                        str(e.public_ip),
                        (e.instance or e.nat_gateway or e.network_interface).id
                        if e.associated
                        else tr("ui.idle", lang),
                    ]
                    for e in lab.elastic_ips.values()
                ],
            )
        )
    if lab.nat_gateways:
        parts.append(
            table(
                h("nat_gateway", "subnet", "public_ip", "state"),
                [
                    [
                        _name(n),
                        n.subnet.id,
                        n.public_ip,
                        _nat_state(n, lang),
                    ]
                    for n in lab.nat_gateways.values()
                ],
            )
        )
    if lab.network_interfaces:  # secondary interfaces of instances (imported labs)
        parts.append(
            table(
                h(
                    "network_interface",
                    "instance",
                    "device_index",
                    "subnet",
                    "private_ip",
                    "public_ip",
                    "public_ip_kind",
                    "security_groups",
                ),
                [
                    [
                        _name(n),
                        n.instance.id,
                        n.device_index,
                        n.subnet.id,
                        str(n.private_ip),
                        _text(n.public_ip),
                        tr("ui.elastic" if n.elastic_ip else ("ui.auto" if n.public_ip else "ui.none"), lang),
                        ", ".join(g.id for g in n.security_groups),
                    ]
                    for n in lab.network_interfaces.values()
                ],
            )
        )
    parts += [route_table_html(t, lang) for t in lab.route_tables.values()]
    parts += [security_group_html(g, lang) for g in lab.security_groups.values()]
    parts += [network_acl_html(a, lang) for a in lab.network_acls.values()]
    return "".join(parts) + "</div>"


def resource_html(resource, lang: str | None = None) -> str:
    """One resource as a table, for Jupyter's display of a variable."""
    lang = check_language(lang)
    h = lambda *keys: [tr(f"ui.{k}", lang) for k in keys]  # noqa: E731
    if isinstance(resource, RouteTable):
        return route_table_html(resource, lang)
    if isinstance(resource, SecurityGroup):
        return security_group_html(resource, lang)
    if isinstance(resource, NetworkAcl):
        return network_acl_html(resource, lang)
    if isinstance(resource, Instance):
        return table(h(*_INSTANCE_HEADERS), _instance_rows([resource], lang))
    if isinstance(resource, Vpc):
        return table(
            h("vpc", "cidrs", "internet_gateway", "route_table", "network_acl", "security_group"),
            [
                [
                    _name(resource),
                    ", ".join(map(str, resource.cidrs)),
                    resource.internet_gateway.id if resource.internet_gateway else None,
                    resource.main_route_table.id,
                    resource.default_network_acl.id,
                    resource.default_security_group.id,
                ]
            ],
        )
    if isinstance(resource, Subnet):
        return table(
            h("subnet", "vpc", "cidr", "availability_zone", "map_public_ip", "available_ips"),
            [
                [
                    _name(resource),
                    resource.vpc.id,
                    subnet_blocks(resource, lang),
                    resource.availability_zone,
                    _yes(resource.map_public_ip_on_launch, lang),
                    resource.available_ip_address_count,
                ]
            ],
        )
    if isinstance(resource, InternetGateway):
        return table(
            h("internet_gateway", "attached_to"), [[_name(resource), resource.vpc.id if resource.vpc else None]]
        )
    if isinstance(resource, ElasticIp):
        user = resource.instance or resource.nat_gateway or resource.network_interface
        return table(
            h("elastic_ip", "public_ip", "associated_with"),
            [[_name(resource), str(resource.public_ip), user.id if user else tr("ui.idle", lang)]],
        )
    if isinstance(resource, NatGateway):
        return table(
            h("nat_gateway", "subnet", "private_ip", "public_ip", "state"),
            [
                [
                    _name(resource),
                    resource.subnet.id,
                    resource.private_ip,
                    resource.public_ip,
                    _nat_state(resource, lang),
                ]
            ],
        )
    return f"<pre>{escape(repr(resource))}</pre>"


def unsupported_rows(lab, lang: str) -> list[list[object]]:
    """What an imported lab does not model: kind, id, where, and why (in ``lang``)."""
    return [[u.kind, u.id, u.where, u.text(lang)] for u in lab.unsupported]


def unsupported_html(lab, lang: str | None = None) -> str:
    """The table of ``lab.unsupported`` (empty text for a lab that has none, as every classroom lab)."""
    lang = check_language(lang)
    if not lab.unsupported:
        return ""
    headers = [tr(f"ui.{k}", lang) for k in ("kind", "component", "where", "why")]
    return table(headers, unsupported_rows(lab, lang), tr("ui.unsupported", lang))


register_display("html", resource_html)  # every resource shows as this table in Jupyter
