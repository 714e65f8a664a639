"""The diagram as plain text: what a screen reader reads, and what a viewer without Graphviz shows.

It carries the same facts as the picture (``render.diagram``), in the chosen language.
"""

from __future__ import annotations

from ..model.i18n import check_language, tr
from ..model.resources import NatGatewayState, RouteState
from .diagram import _instance_facts, _name, _nat_facts
from .tables import subnet_blocks


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
                f"  {tr('ui.subnet', lang)} {_name(subnet)} {subnet_blocks(subnet, lang)} "
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
