"""The connectivity diagram: a deterministic Graphviz DOT graph of the lab, in the chosen language.

Laid out like the VPC console's resource map or an AWS architecture diagram, top to bottom: the
Internet; the internet gateway on the VPC's top edge; inside the VPC one column per Availability
Zone, public subnets above private ones; in each subnet its route table (blackhole routes marked),
then its instances and NAT gateways in rows. Public and private subnets differ in words ("public
subnet") and in line (solid, thick) as well as in colour. Each instance carries a badge with its
reachability from and to the internet (the open ports, or the code and component that block);
hop-by-hop paths are drawn only for the analysis being looked at (``highlight=``). Elastic IPs that
are allocated but unused sit outside: they still cost money.

Only names, ids and addresses enter the DOT source, in creation order, so tests can compare it. Every
element carries an ``id`` (``dom_id``) so the browser can mark what the last action changed.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from html import escape

import graphviz

from ..model.i18n import check_language, tr
from ..model.resources import InstanceState, NatGatewayState, RouteState
from .badges import RED, badge_codes, instance_badges
from .tables import subnet_blocks
from .text_width import text_width

FONT = "Noto Sans CJK KR"  # fonts-noto-cjk: Hangul and Latin in one family
INK = "#263238"  # text on the light node fills
MUTED = "#607d8b"  # cluster titles and quiet lines: readable on white and on a dark theme
GREEN, AMBER, BLUE, PURPLE = "#2e9d4f", "#d39200", "#1e88e5", "#8e44ad"
FILL = {
    "internet": "#e3f2fd",
    "igw": "#fff3e0",
    "instance": "#ffffff",
    "nat": "#fce4ec",
    "rt": "#f5f5f5",
    "eip": "#fff8e1",
}
SUBNET_FILL = {True: "#2e9d4f1f", False: "#78909c1f"}  # tinted, so titles stay readable on both themes
# Font sizes in points; at 100 % a point is 4/3 CSS px, and the browser never shrinks the smallest
# (SMALL) under 10 px. Instances wrap into rows of ROW, so a subnet with many grows down, not across.
TITLE, TEXT, SMALL = "13", "11", "10"
ROW = 3
_NOT_DRAWN = (InstanceState.TERMINATED, NatGatewayState.DELETED)


def dom_id(name: str) -> str:
    """The ``id`` an element of the diagram gets in the SVG (the browser marks changes by it)."""
    return "vpclab-" + name.replace("/", "--")


def _label(*lines, bold_first: bool = True, size: str = TEXT) -> str:
    """An HTML-like label: escaped lines, the first one bold; a (text, colour) line is small, coloured
    and bold. The lines sit flush left in a table cell as wide as the browser draws the widest of
    them (``text_width``, at the label's font ``size``), so Graphviz sizes the box from that width and
    not from its own estimate, which falls short for Hangul (see text_width.py). Flush left, because
    Graphviz places a centred line by its estimate too: a line wider than estimated would then drift
    to the right."""
    rows, width = [], 0.0
    for n, line in enumerate(lines):
        if isinstance(line, tuple):
            text, colour = line
            rows.append(f'<FONT COLOR="{colour}" POINT-SIZE="{SMALL}"><B>{escape(text)}</B></FONT>')
            width = max(width, text_width(text, float(SMALL), bold=True))
            continue
        bold = n == 0 and bold_first
        rows.append(f"<B>{escape(line)}</B>" if bold else escape(line))
        width = max(width, text_width(line, float(size), bold=bold))
    cell = f'<TD WIDTH="{math.ceil(width)}" ALIGN="LEFT" BALIGN="LEFT">' + "<BR/>".join(rows) + "</TD>"
    return f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>{cell}</TR></TABLE>>'


def _name(resource) -> str:
    return f"{resource.name} ({resource.id})" if resource.name else resource.id


class Diagram(graphviz.Digraph):
    """A ``graphviz.Digraph`` that remembers the label of each node and cluster it drew (``drawn``),
    so the console can tell what an action changed, and that Jupyter shows with the live widget."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.drawn: dict[str, str] = {}
        self.lang = "en"
        self.reading = ""

    def subgraph(self, graph=None, **kwargs):
        if graph is not None:
            return super().subgraph(graph)
        context = super().subgraph(**kwargs)

        @contextlib.contextmanager
        def sharing_drawn():
            with context as inner:
                inner.drawn = self.drawn
                yield inner

        return sharing_drawn()

    def _repr_mimebundle_(self, include=None, exclude=None, **_kwargs):
        from .live import graph_bundle

        return graph_bundle(self, self.lang, self.reading)


def _node(graph, node_id: str, label: str, kind: str, **attributes) -> None:
    attributes.setdefault("style", "filled,rounded")
    graph.drawn[node_id] = label
    graph.node(node_id, label, fillcolor=FILL[kind], color=MUTED, fontcolor=INK, id=dom_id(node_id), **attributes)


def _cluster(box, name: str, label: str, **attributes) -> None:
    box.drawn[name] = label
    box.attr(label=label, id=dom_id(name), **attributes)


def diagram(lab, highlight=None, lang: str | None = None, report=None, vpc=None) -> Diagram:
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
    graph = Diagram(
        "vpclab",
        graph_attr={
            "rankdir": "TB",
            "bgcolor": "transparent",
            "fontname": FONT,
            "fontcolor": MUTED,
            "compound": "true",
            "nodesep": "0.25",
            "ranksep": "0.35",
            "newrank": "true",
            "label": tr("diagram.title", lang, region=lab.region),
            "labelloc": "t",
            "fontsize": TITLE,
        },
        node_attr={"fontname": FONT, "fontsize": TEXT, "shape": "box", "margin": "0.16,0.06"},
        edge_attr={"fontname": FONT, "fontsize": SMALL, "color": MUTED, "fontcolor": MUTED},
    )
    graph.lang = lang
    badges = {(e.interface_id or e.instance_id): e for e in report}
    _node(graph, "internet", _label(tr("diagram.internet", lang)), "internet", shape="ellipse", peripheries="2")
    for gateway in lab.internet_gateways.values():
        if gateway.vpc is None and only is None:  # a detached gateway waits beside the internet
            _gateway(graph, gateway, lang)
    for each in lab.vpcs.values():
        if only is None or each is only:
            _vpc(graph, lab, each, lang, badges)
    for eip in lab.elastic_ips.values():
        if not eip.associated and only is None:
            _node(
                graph,
                eip.id,
                _label(tr("ui.elastic_ip", lang), f"{eip.public_ip} ({eip.id})", tr("diagram.idle_eip", lang)),
                "eip",
                shape="note",
            )
    if highlight is not None:
        _highlight(graph, lab, highlight, lang)
    return graph


def _gateway(box, gateway, lang: str) -> None:
    state = tr("diagram.attached", lang, vpc_id=gateway.vpc.id) if gateway.vpc else tr("diagram.detached", lang)
    _node(box, gateway.id, _label(tr("ui.internet_gateway", lang), _name(gateway), state), "igw")


def _vpc(graph, lab, vpc, lang: str, badges) -> None:
    cidrs = ", ".join(map(str, (*vpc.cidrs, *vpc.ipv6_cidr_blocks)))
    with graph.subgraph(name=f"cluster_{vpc.id}") as box:
        _cluster(
            box,
            f"cluster_{vpc.id}",
            _label(f"VPC {_name(vpc)}", cidrs, *_bpa_badge(lab, vpc, lang)),
            style="rounded,filled",
            fillcolor="#90a4ae14",
            color=MUTED,
            fontcolor=INK,
            fontsize=TEXT,
            penwidth="1.5",
            labeljust="l",
        )
        gateway = vpc.internet_gateway
        if gateway is not None:  # on the VPC's top edge, linked to the internet above it
            _gateway(box, gateway, lang)
            graph.edge("internet", gateway.id, dir="both", color=MUTED, penwidth="2", arrowsize="0.6")
        for eigw in lab.egress_only_internet_gateways.values():  # beside it, outbound only: the arrow points out
            if eigw.vpc is vpc:
                _node(box, eigw.id, _label(tr("ui.egress_only_gateway", lang), _name(eigw)), "igw")
                graph.edge(eigw.id, "internet", color=MUTED, penwidth="2", arrowsize="0.6")
        zones = sorted({s.availability_zone for s in lab.subnets.values() if s.vpc is vpc})
        for zone in zones:
            with box.subgraph(name=f"cluster_{vpc.id}_{zone}") as az:
                _cluster(
                    az,
                    f"cluster_{vpc.id}_{zone}",
                    _label(tr("diagram.zone", lang, zone=zone), bold_first=False),
                    style="dashed",
                    color=MUTED,
                    fontcolor=MUTED,
                    fontsize=TEXT,
                    labeljust="l",
                )
                subnets = [s for s in lab.subnets.values() if s.vpc is vpc and s.availability_zone == zone]
                # public subnets first (above), as in the console's resource map; creation order otherwise
                subnets.sort(key=lambda s: not lab.is_public(s))
                previous = gateway.id if gateway is not None else None
                for subnet in subnets:
                    previous = _subnet(az, graph, lab, subnet, lang, badges, previous)


def _subnet(parent, graph, lab, subnet, lang: str, badges, above: str | None) -> str:
    """Draw a subnet; returns the node at its bottom, so the next subnet of the zone goes below."""
    public = lab.is_public(subnet)
    kind = tr("diagram.public" if public else "diagram.private", lang)
    table = lab.route_table_of(subnet)
    rt_node = f"{subnet.id}/{table.id}"
    with parent.subgraph(name=f"cluster_{subnet.id}") as box:
        _cluster(
            box,
            f"cluster_{subnet.id}",
            _label(
                f"{tr('ui.subnet', lang)} {_name(subnet)}",
                f"{subnet_blocks(subnet, lang)} · {kind}"
                + (f" · {subnet.ipv6_cidr_block}" if subnet.ipv6_cidr_block and subnet.cidr is not None else ""),
                f"{tr('ui.network_acl', lang)}: {subnet.network_acl.id}",
                size=SMALL,
            ),
            style="rounded,filled" if public else "rounded,filled,dashed",
            fillcolor=SUBNET_FILL[public],
            color=GREEN if public else MUTED,
            fontcolor=INK,
            fontsize=SMALL,
            penwidth="2.5" if public else "1.2",
            labeljust="l",
        )
        rows = [f"{tr('ui.route_table', lang)} {_name(table)}" + (f" ({tr('ui.main', lang)})" if table.main else "")]
        for route in table.routes.values():
            mark = " ✘ " + tr("diagram.blackhole", lang) if route.state is RouteState.BLACKHOLE else ""
            rows.append(f"{route.destination} → {route.target_id}{mark}")
        _node(box, rt_node, _label(*rows, size=SMALL), "rt", shape="note", fontsize=SMALL)
        items = []
        for nat in lab.nat_gateways.values():
            if nat.subnet is subnet and nat.state is not NatGatewayState.DELETED:
                label = _label(tr("ui.nat_gateway", lang), _name(nat), *_nat_facts(nat))
                _node(box, nat.id, label, "nat", shape="hexagon")
                items.append(nat.id)
        for instance in lab.instances.values():
            if instance.subnet is subnet and instance.state is not InstanceState.TERMINATED:
                _instance(box, instance, lang, badges.get(instance.id))
                items.append(instance.id)
        for interface in lab.network_interfaces.values():  # secondary interfaces (imported labs)
            if interface.subnet is subnet and interface.state is not InstanceState.TERMINATED:
                facts = _instance_facts(interface, lang)
                of = tr("diagram.interface_of", lang, instance_id=interface.instance.id)
                _node(
                    box,
                    interface.id,
                    _label(_name(interface), of, *facts, *instance_badges(badges.get(interface.id), lang)),
                    "instance",
                    tooltip=badge_codes(badges.get(interface.id)),
                    shape="box3d" if interface.public_ip else "box",
                    style="filled,rounded,dashed",
                )
                graph.edge(interface.instance.id, interface.id, style="dotted", dir="none", constraint="false")
                items.append(interface.id)
        # Invisible edges place the rows: route table on top, then ROW items a row.
        if above is not None and lab.internet_gateways.get(above) is None:
            box.edge(above, rt_node, style="invis")
        grid = [items[n : n + ROW] for n in range(0, len(items), ROW)]
        for upper, lower in itertools.pairwise([[rt_node], *grid]):
            for n, item in enumerate(lower):
                box.edge(upper[min(n, len(upper) - 1)], item, style="invis")
    for route in table.routes.values():
        target = route.target_id
        drawn = {**lab.internet_gateways, **lab.egress_only_internet_gateways, **lab.nat_gateways, **lab.instances}.get(
            target
        )
        if route.is_local or drawn is None or getattr(drawn, "state", None) in _NOT_DRAWN:
            continue
        if target in lab.internet_gateways and drawn.vpc is not subnet.vpc:
            continue  # a route to a detached gateway: the blackhole mark in the table says it
        broken = route.state is RouteState.BLACKHOLE
        style = {
            "label": _label(f"{route.destination}" + (" ✘" if broken else ""), bold_first=False, size=SMALL),
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
    return grid[-1][0] if grid else rt_node


def _bpa_badge(lab, vpc, lang: str) -> list[str]:
    """A line on every VPC while its Region's Block Public Access is on: it overrides what the boxes show."""
    mode = lab.block_public_access_of(vpc).mode
    # ⊘, not ⛔: Noto and DejaVu fonts have it, so a machine without an emoji font still draws it.
    return [] if mode == "off" else [f"⊘ {tr('diagram.bpa', lang, mode=mode)}"]


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
    if instance.private_ip is None:  # an IPv6-only subnet's: no IPv4 at all, its IPv6 address is public
        ipv4 = [tr("ui.ipv6_only", lang)]
    else:
        ipv4 = [f"{tr('ui.private_ip', lang)} {instance.private_ip}", public]
    lines = [
        *ipv4,
        *(f"IPv6 {a}" for a in getattr(instance, "ipv6_addresses", ())),
        f"{tr('ui.security_groups', lang)}: " + ", ".join(g.group_name for g in instance.security_groups),
    ]
    if instance.state is not InstanceState.RUNNING:
        lines.append(tr(f"ui.state_{instance.state.value}", lang))
    return lines


def _instance(box, instance, lang: str, entry) -> None:
    _node(
        box,
        instance.id,
        _label(_name(instance), *_instance_facts(instance, lang), *instance_badges(entry, lang)),
        "instance",
        shape="box3d" if instance.public_ip else "box",
        tooltip=badge_codes(entry),
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
                and (instance.private_ip in addresses or any(a in addresses for a in instance.ipv6_addresses))
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
                    label=_label(f"{tr(f'diagram.{name}', lang)} {n_from}→{n_to}", bold_first=False, size=SMALL),
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


def __getattr__(name: str):
    # The text reading moved to reading.py (it reads this module's facts); importing it from here still works.
    if name == "diagram_text":
        from .reading import diagram_text

        return diagram_text
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
