"""The connectivity diagram: a deterministic Graphviz DOT graph of the lab, in the chosen language.

Layout, left to right: the Internet; the internet gateway on the VPC's edge; the VPC with its CIDRs;
inside it one cluster per Availability Zone with its subnets (public or private), each showing its
route table (blackhole routes marked), its network ACL, its instances (private, public and Elastic
IPs, security groups) and NAT gateways. Elastic IPs that are allocated but unused sit outside: they
still cost money. Reachability edges come from the exposure report: solid green ✔ where traffic gets
through, dashed red ✘ with the blocking code where it does not. Colour is never the only cue (line
style and a symbol too), and the palette reads on light and dark backgrounds.

``highlight=analysis`` draws that analysis's forward path (blue, numbered) and return path (purple).
Only names, ids and addresses enter the DOT source, in creation order, so tests can compare it.
"""

from __future__ import annotations

import itertools
from html import escape

import graphviz

from ..model.i18n import check_language, tr
from ..model.resources import InstanceState, NatGatewayState, RouteState

FONT = "Noto Sans CJK KR"  # fonts-noto-cjk: Hangul and Latin in one family
INK = "#263238"  # text on the light node fills
MUTED = "#78909c"  # cluster titles and quiet lines: readable on white and on a dark theme
GREEN, RED, AMBER, BLUE, PURPLE = "#2e9d4f", "#e0403a", "#d39200", "#1e88e5", "#8e44ad"
FILL = {
    "internet": "#e3f2fd",
    "igw": "#fff3e0",
    "instance": "#ffffff",
    "nat": "#fce4ec",
    "rt": "#f5f5f5",
    "eip": "#fff8e1",
}
SUBNET_FILL = {True: "#2e9d4f1f", False: "#78909c1f"}  # tinted, so titles stay readable on both themes
_NOT_DRAWN = (InstanceState.TERMINATED, NatGatewayState.DELETED)


def _label(*lines: str, bold_first: bool = True) -> str:
    """An HTML-like label: escaped lines, the first one bold."""
    rows = []
    for n, line in enumerate(lines):
        text = escape(line)
        rows.append(f"<B>{text}</B>" if n == 0 and bold_first else text)
    return "<" + "<BR/>".join(rows) + ">"


def _name(resource) -> str:
    return f"{resource.name} ({resource.id})" if resource.name else resource.id


def _node(graph, node_id: str, label: str, kind: str, **attributes) -> None:
    attributes.setdefault("style", "filled,rounded")
    graph.node(node_id, label, fillcolor=FILL[kind], color=MUTED, fontcolor=INK, **attributes)


def diagram(lab, highlight=None, lang: str | None = None, report=None, vpc=None) -> graphviz.Digraph:
    """The lab as a ``graphviz.Digraph`` (display it in Jupyter, or read ``.source``).

    Args:
        highlight: an ``Analysis`` whose forward and return paths are drawn hop by hop.
        lang: "ko" or "en" (default: the chosen language).
        report: an exposure report to draw (default: ``lab.exposure()``).
        vpc: draw only this VPC (an object or its id), its gateway and its instances' reachability.
    """
    lang = check_language(lang)
    report = report if report is not None else lab.exposure()
    only = lab._get("vpc", vpc) if vpc is not None else None
    if only is not None:  # one VPC of a larger (imported) lab
        report = [e for e in report if lab.subnets[e.subnet_id].vpc is only]
    graph = graphviz.Digraph(
        "vpclab",
        graph_attr={
            "rankdir": "LR",
            "bgcolor": "transparent",
            "fontname": FONT,
            "fontcolor": MUTED,
            "compound": "true",
            "nodesep": "0.3",
            "ranksep": "0.7",
            "newrank": "true",
            "label": tr("diagram.title", lang, region=lab.region),
            "labelloc": "t",
            "fontsize": "12",
        },
        node_attr={"fontname": FONT, "fontsize": "10", "shape": "box", "margin": "0.12,0.06"},
        edge_attr={"fontname": FONT, "fontsize": "9", "color": MUTED, "fontcolor": MUTED},
    )
    _node(graph, "internet", _label(tr("diagram.internet", lang)), "internet", shape="ellipse", peripheries="2")
    for gateway in lab.internet_gateways.values():
        if only is not None and gateway.vpc is not only:
            continue
        state = tr("diagram.attached", lang, vpc_id=gateway.vpc.id) if gateway.vpc else tr("diagram.detached", lang)
        _node(graph, gateway.id, _label(tr("ui.internet_gateway", lang), _name(gateway), state), "igw")
        if gateway.vpc is not None:
            graph.edge("internet", gateway.id, dir="both", color=MUTED, penwidth="2", arrowsize="0.6")
    for gateway in lab.egress_only_internet_gateways.values():  # outbound only: the arrow points out
        if only is None or gateway.vpc is only:
            _node(graph, gateway.id, _label(tr("ui.egress_only_gateway", lang), _name(gateway)), "igw")
            graph.edge(gateway.id, "internet", color=MUTED, penwidth="2", arrowsize="0.6")
    for each in lab.vpcs.values():
        if only is None or each is only:
            _vpc(graph, lab, each, lang)
    for eip in lab.elastic_ips.values():
        if not eip.associated and only is None:
            _node(
                graph,
                eip.id,
                _label(tr("ui.elastic_ip", lang), f"{eip.public_ip} ({eip.id})", tr("diagram.idle_eip", lang)),
                "eip",
                shape="note",
            )
    _reachability(graph, report, lang)
    if highlight is not None:
        _highlight(graph, lab, highlight, lang)
    return graph


def _vpc(graph, lab, vpc, lang: str) -> None:
    with graph.subgraph(name=f"cluster_{vpc.id}") as box:
        box.attr(
            label=_label(
                f"VPC {_name(vpc)}", ", ".join(map(str, (*vpc.cidrs, *vpc.ipv6_cidr_blocks))), *_bpa_badge(lab, lang)
            ),
            style="rounded,filled",
            fillcolor="#90a4ae14",
            color=MUTED,
            fontcolor=MUTED,
            penwidth="1.5",
        )
        zones = sorted({s.availability_zone for s in lab.subnets.values() if s.vpc is vpc})
        for zone in zones:
            with box.subgraph(name=f"cluster_{vpc.id}_{zone}") as az:
                az.attr(label=tr("diagram.zone", lang, zone=zone), style="dashed", color=MUTED, fontcolor=MUTED)
                for subnet in lab.subnets.values():
                    if subnet.vpc is vpc and subnet.availability_zone == zone:
                        _subnet(az, graph, lab, subnet, lang)


def _subnet(parent, graph, lab, subnet, lang: str) -> None:
    public = lab.is_public(subnet)
    kind = tr("diagram.public" if public else "diagram.private", lang)
    with parent.subgraph(name=f"cluster_{subnet.id}") as box:
        box.attr(
            label=_label(
                f"{tr('ui.subnet', lang)} {_name(subnet)}",
                f"{subnet.cidr} · {kind}" + (f" · {subnet.ipv6_cidr_block}" if subnet.ipv6_cidr_block else ""),
                f"{tr('ui.network_acl', lang)}: {subnet.network_acl.id}",
            ),
            style="rounded,filled",
            fillcolor=SUBNET_FILL[public],
            color=GREEN if public else MUTED,
            fontcolor=MUTED,
            penwidth="1.2",
        )
        table = lab.route_table_of(subnet)
        rt_node = f"{subnet.id}/{table.id}"
        rows = [f"{tr('ui.route_table', lang)} {_name(table)}" + (f" ({tr('ui.main', lang)})" if table.main else "")]
        for route in table.routes.values():
            mark = " ✘ " + tr("diagram.blackhole", lang) if route.state is RouteState.BLACKHOLE else ""
            rows.append(f"{route.destination} → {route.target_id}{mark}")
        _node(box, rt_node, _label(*rows), "rt", shape="note")
        for instance in lab.instances.values():
            if instance.subnet is subnet and instance.state is not InstanceState.TERMINATED:
                _instance(box, instance, lang)
        for interface in lab.network_interfaces.values():  # secondary interfaces (imported labs)
            if interface.subnet is subnet and interface.state is not InstanceState.TERMINATED:
                _node(
                    box,
                    interface.id,
                    _label(
                        _name(interface),
                        tr("diagram.interface_of", lang, instance_id=interface.instance.id),
                        *_instance_facts(interface, lang),
                    ),
                    "instance",
                    shape="box3d" if interface.public_ip else "box",
                    style="filled,rounded,dashed",
                )
                graph.edge(interface.instance.id, interface.id, style="dotted", dir="none", constraint="false")
        for nat in lab.nat_gateways.values():
            if nat.subnet is subnet and nat.state is not NatGatewayState.DELETED:
                _node(
                    box,
                    nat.id,
                    _label(tr("ui.nat_gateway", lang), _name(nat), *_nat_facts(nat)),
                    "nat",
                    shape="hexagon",
                )
    for route in table.routes.values():
        target = route.target_id
        drawn = {**lab.internet_gateways, **lab.egress_only_internet_gateways, **lab.nat_gateways, **lab.instances}.get(
            target
        )
        if route.is_local or drawn is None or getattr(drawn, "state", None) in _NOT_DRAWN:
            continue
        broken = route.state is RouteState.BLACKHOLE
        style = {
            "label": f"{route.destination}" + (" ✘" if broken else ""),
            "style": "dashed" if broken else "solid",
            "color": RED if broken else MUTED,
            "fontcolor": RED if broken else MUTED,
            "arrowsize": "0.6",
        }
        if target in lab.internet_gateways:
            # Drawn from the gateway backwards, so the gateway ranks between the internet and the VPC.
            graph.edge(target, rt_node, dir="back", **style)
        else:
            graph.edge(rt_node, target, constraint="false", **style)


def _bpa_badge(lab, lang: str) -> list[str]:
    """A line on every VPC while Block Public Access is on: it overrides what the boxes inside show."""
    mode = lab.block_public_access.mode
    return [] if mode == "off" else [f"⛔ {tr('diagram.bpa', lang, mode=mode)}"]


def _nat_facts(nat) -> list[str]:
    """Its address and, unless available, AWS's failure code (no state word to translate)."""
    failed = [f"✘ {nat.failure_code or nat.state.value}"] if nat.state is not NatGatewayState.AVAILABLE else []
    return [f"EIP {nat.public_ip or '—'}", *failed]


def _instance_facts(instance, lang: str) -> list[str]:
    """What the diagram says about an instance (its box and the text reading share it)."""
    if instance.elastic_ip is not None:
        public = f"{tr('ui.elastic_ip', lang)} {instance.public_ip}"
    elif instance.public_ip is not None:
        public = f"{tr('ui.public_ip', lang)} {instance.public_ip}"
    else:
        public = tr("diagram.no_public_ip", lang)
    lines = [
        f"{tr('ui.private_ip', lang)} {instance.private_ip}",
        public,
        *(f"IPv6 {a}" for a in getattr(instance, "ipv6_addresses", ())),
        f"{tr('ui.security_groups', lang)}: " + ", ".join(g.group_name for g in instance.security_groups),
    ]
    if instance.state is not InstanceState.RUNNING:
        lines.append(tr(f"ui.state_{instance.state.value}", lang))
    return lines


def _instance(box, instance, lang: str) -> None:
    _node(
        box,
        instance.id,
        _label(_name(instance), *_instance_facts(instance, lang)),
        "instance",
        shape="box3d" if instance.public_ip else "box",
    )


def _reachability(graph, report, lang: str) -> None:
    for entry in report:
        node = entry.interface_id or entry.instance_id  # a secondary interface has its own node
        if entry.inbound:
            text = "✔ " + "; ".join(
                f"{e.protocol} {'echo' if e.protocol == 'icmp' else e.ports}" for e in entry.inbound
            )
            graph.edge("internet", node, label=text, color=GREEN, fontcolor=GREEN, penwidth="1.6")
        else:
            graph.edge(
                "internet",
                node,
                label=f"✘ {entry.inbound_code}",
                color=RED,
                fontcolor=RED,
                style="dashed",
                arrowhead="tee",
            )
        if entry.outbound:
            graph.edge(
                node,
                "internet",
                label=f"✔ {tr('diagram.out_via', lang, gateway=entry.outbound_via)}",
                color=GREEN,
                fontcolor=GREEN,
                penwidth="1.6",
                constraint="false",
            )
        else:
            symbol, colour = ("?", AMBER) if entry.outbound is None else ("✘", RED)
            graph.edge(
                node,
                "internet",
                label=f"{symbol} {entry.outbound_code}",
                color=colour,
                fontcolor=colour,
                style="dashed",
                arrowhead="tee",
                constraint="false",
            )


def _drawn(lab, hop) -> str | None:
    """The node a hop is drawn on: the internet, a gateway, an instance, a NAT gateway or a route table."""
    gateways = ("internet-gateway", "egress-only-internet-gateway", "block-public-access")
    if hop.kind in ("internet", "instance", "nat-gateway", *gateways):
        return hop.component if hop.component != "—" else None
    if hop.kind == "route-table" and "subnet_id" in hop.values:
        return f"{hop.values['subnet_id']}/{hop.values['route_table_id']}"
    if hop.kind == "security-group":  # on the instance it guards: the sender going out, the receiver coming in
        packet = hop.packet
        addresses = {"sg_out": (packet.source,), "sg_in": (packet.destination,)}.get(
            hop.step, (packet.source, packet.destination)
        )
        for instance in (*lab.instances.values(), *lab.network_interfaces.values()):
            if (
                instance.state is not InstanceState.TERMINATED
                and instance.private_ip in addresses
                and any(g.id == hop.component for g in instance.security_groups)
            ):
                return instance.id
    return None


def _highlight(graph, lab, analysis, lang: str) -> None:
    for hops, colour, style, name in (
        (analysis.forward, BLUE, "bold", "forward"),
        (analysis.return_, PURPLE, "bold,dashed", "return"),
    ):
        points = [(n, _drawn(lab, hop)) for n, hop in enumerate(hops, 1)]
        points = [(n, node) for n, node in points if node]
        for (n_from, a), (n_to, b) in itertools.pairwise(points):
            if a != b:
                graph.edge(
                    a,
                    b,
                    label=f"{tr(f'diagram.{name}', lang)} {n_from}→{n_to}",
                    color=colour,
                    fontcolor=colour,
                    style=style,
                    penwidth="3",
                    constraint="false",
                )
    if analysis.blocked_at:
        graph.node(
            "blocked",
            _label(f"✘ {analysis.code}", analysis.blocked_at),
            shape="octagon",
            style="filled",
            fillcolor="#ffebee",
            color=RED,
            fontcolor=RED,
            penwidth="2",
        )
        last = next((node for hop in reversed(analysis.forward + analysis.return_) if (node := _drawn(lab, hop))), None)
        if last:
            graph.edge(last, "blocked", color=RED, style="bold", arrowhead="tee", constraint="false")


def diagram_text(lab, lang: str | None = None, report=None) -> str:
    """The same information as plain text: a reading of the diagram for screen readers."""
    lang = check_language(lang)
    report = report if report is not None else lab.exposure()
    lines = [tr("diagram.title", lang, region=lab.region)]
    for gateway in lab.internet_gateways.values():
        state = tr("diagram.attached", lang, vpc_id=gateway.vpc.id) if gateway.vpc else tr("diagram.detached", lang)
        lines.append(f"{tr('ui.internet_gateway', lang)} {_name(gateway)}: {state}")
    for vpc in lab.vpcs.values():
        gateway = vpc.internet_gateway.id if vpc.internet_gateway else tr("ui.none", lang)
        lines.append(f"VPC {_name(vpc)} {', '.join(map(str, vpc.cidrs))}; {tr('ui.internet_gateway', lang)}: {gateway}")
        for subnet in (s for s in lab.subnets.values() if s.vpc is vpc):
            kind = tr("diagram.public" if lab.is_public(subnet) else "diagram.private", lang)
            table = lab.route_table_of(subnet)
            routes = "; ".join(
                f"{r.destination} → {r.target_id}"
                + (f" ✘ {tr('diagram.blackhole', lang)}" if r.state is RouteState.BLACKHOLE else "")
                for r in table.routes.values()
            )
            lines.append(
                f"  {tr('ui.subnet', lang)} {_name(subnet)} {subnet.cidr} "
                f"({tr('diagram.zone', lang, zone=subnet.availability_zone)}, {kind}); "
                f"{tr('ui.route_table', lang)} {_name(table)}: {routes}; {tr('ui.network_acl', lang)} "
                f"{subnet.network_acl.id}"
            )
            for nat in lab.nat_gateways.values():
                if nat.subnet is subnet and nat.state is not NatGatewayState.DELETED:
                    lines.append(f"    {tr('ui.nat_gateway', lang)} {_name(nat)}: {'; '.join(_nat_facts(nat))}")
            for entry in (e for e in report if e.subnet_id == subnet.id):
                inbound = "; ".join(map(str, entry.inbound)) or f"{tr('ui.none', lang)} ({entry.inbound_code})"
                outbound = (
                    tr("ui.yes_via", lang, gateway=entry.outbound_via)
                    if entry.outbound
                    else f"{tr('ui.no', lang)} ({entry.outbound_code})"
                )
                instance = lab.network_interfaces.get(entry.interface_id) or lab.instances[entry.instance_id]
                facts = "; ".join(_instance_facts(instance, lang))
                lines.append(
                    f"    {_name(instance)}: {facts}; {tr('ui.from_internet', lang)}: {inbound}; "
                    f"{tr('ui.to_internet', lang)}: {outbound}"
                )
    idle = [f"{e.public_ip} ({e.id})" for e in lab.elastic_ips.values() if not e.associated]
    if idle:
        lines.append(f"{tr('diagram.idle_eip', lang)}: {', '.join(idle)}")
    return "\n".join(lines)
