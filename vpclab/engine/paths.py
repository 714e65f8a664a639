"""Hop-by-hop tracing of one packet and its reply (fact sheet §9, "Evaluation algorithm").

The forward path and the return path are traced with the same steps, in the order AWS Reachability
Analyzer reports them: instance → security group → route table → network ACL → gateway, and back.
The first component that stops the packet raises ``Blocked``; the tracer keeps the hops so far.

Model decisions (fact sheet §2.4, §9, §11): the internet gateway delivers inbound packets by the
VPC's local route (the destination subnet's route table is used only for the reply); network ACLs
apply only when a packet crosses a subnet boundary; a reply that would leave by anything but the
internet gateway that carried the request is dropped (``ASYMMETRIC_RETURN_PATH``); routes whose
target is an instance (an appliance) cannot be judged (``reachable=None``). In a lab imported from a
real account the same holds for every component the import could not model: a route to a peering
connection, a transit or virtual private gateway, an endpoint, another service's interface, and the
placeholders of describe calls missing from the snapshot (``UNSUPPORTED_COMPONENT``, never a guess).
The legs that meet the internet (gateways, NAT, Block Public Access) are in ``paths_internet``.
"""

from __future__ import annotations

from ipaddress import IPv4Address

from ..model import wording
from ..model.imported import UnsupportedTarget
from ..model.resources import (
    Instance,
    InstanceState,
    RouteState,
)
from .packets import Blocked, Hop, Packet
from .paths_internet import InternetLegs, Placeholder, gateway_id
from .rules import acl_decides, groups_have_rules, security_groups_allow
from .vocabulary import Code, HopKind, Step


class Tracer(InternetLegs):
    def __init__(self, lab) -> None:
        self.lab = lab
        self.forward: list[Hop] = []
        self.return_: list[Hop] = []
        self.path = self.forward
        # Placeholders for describe calls the snapshot of an imported lab lacks: not judged.
        self.unknown = {u.id for u in lab.unsupported if u.why == "not_collected"}

    def hop(self, component: str, kind: HopKind, step: Step, packet: Packet, **values) -> None:
        # The enums are the engine's own names; what it hands out is their plain text.
        self.path.append(Hop(component, str(kind), str(step), packet, True, values))

    def block(self, code: Code, component, kind: HopKind, step: Step, packet, fix, reachable=False, **values):
        self.path.append(Hop(component or "—", str(kind), str(step), packet, False, values))
        raise Blocked(str(code), component, fix, reachable, **values)

    def returning(self) -> None:
        self.path = self.return_

    def unsupported(self, item, packet: Packet) -> None:
        """The path reaches something vpclab does not model (an imported lab's): it cannot judge further."""
        self.block(
            Code.UNSUPPORTED_COMPONENT,
            item.id,
            item.kind,
            Step.UNSUPPORTED,
            packet,
            "unsupported",
            reachable=None,
            target_id=item.id,
            what=item.kind,
        )

    def _beyond(self, route, packet: Packet) -> None:
        """A route whose target vpclab cannot follow: an appliance instance, or an imported unsupported target."""
        if isinstance(route.target, UnsupportedTarget):
            self.unsupported(route.target, packet)
        self.block(
            Code.UNSUPPORTED_COMPONENT,
            route.target_id,
            HopKind.INSTANCE,
            Step.APPLIANCE,
            packet,
            "appliance",
            reachable=None,
            target_id=route.target_id,
        )

    # ---- components -------------------------------------------------------------------------------
    def running(self, instance: Instance, packet: Packet) -> None:
        if instance.state is not InstanceState.RUNNING:
            self.block(
                Code.BAD_STATE,
                instance.id,
                HopKind.INSTANCE,
                Step.INSTANCE,
                packet,
                "start_instance",
                instance_id=getattr(instance, "instance", instance).id,  # a secondary interface: its instance
                state=wording.state(instance.state.value),
            )

    def security_groups(self, instance: Instance, packet: Packet, egress: bool) -> None:
        groups = instance.security_groups
        found = security_groups_allow(self.lab, groups, packet, egress)
        ids = ", ".join(g.id for g in groups)
        step = Step.SG_OUT if egress else Step.SG_IN
        unknown = [g for g in groups if g.id in self.unknown]
        if found is None and unknown:  # a group whose rules the snapshot lacks might allow it
            self.unsupported(Placeholder(unknown[0].id, HopKind.SECURITY_GROUP), packet)
        if found is None:
            code = Code.ENI_SG_RULES_MISMATCH if groups_have_rules(groups, egress) else Code.SG_HAS_NO_RULES
            self.block(
                code,
                groups[0].id,
                HopKind.SECURITY_GROUP,
                step,
                packet,
                "sg_egress" if egress else "sg_ingress",
                group_ids=ids,
                group_id=groups[0].id,
                **_packet_values(packet, egress),
            )
        group, rule = found
        self.hop(group.id, HopKind.SECURITY_GROUP, step, packet, group_id=group.id, rule=wording.rule(rule))

    def stateful(self, instance: Instance, packet: Packet) -> None:
        self.hop(
            instance.security_groups[0].id,
            HopKind.SECURITY_GROUP,
            Step.SG_STATEFUL,
            packet,
            group_ids=", ".join(g.id for g in instance.security_groups),
        )

    def acl(self, subnet, packet: Packet, egress: bool) -> None:
        acl = subnet.network_acl
        if acl.id in self.unknown:
            self.unsupported(Placeholder(acl.id, HopKind.NETWORK_ACL), packet)
        entry = acl_decides(acl, packet, egress)
        step = Step.ACL_OUT if egress else Step.ACL_IN
        number = "*" if entry.rule_number > 32766 else str(entry.rule_number)
        values = {"acl_id": acl.id, "subnet_id": subnet.id, "rule_number": number, "rule": wording.rule(entry)}
        if entry.action.value != "allow":
            self.block(
                Code.SUBNET_ACL_RESTRICTION,
                acl.id,
                HopKind.NETWORK_ACL,
                step,
                packet,
                # A reply goes to the client's ephemeral port: its fix names the ephemeral range (an ICMP
                # reply's fix names its type instead: engine/fixes.py).
                ("acl_egress" if egress else "acl_ingress") + ("_reply" if self.path is self.return_ else ""),
                **values,
                **_packet_values(packet, egress),
            )
        self.hop(acl.id, HopKind.NETWORK_ACL, step, packet, **values)

    def route(self, subnet, destination: IPv4Address, packet: Packet, fix: str):
        """LPM in the subnet's table; a blackhole wins and drops the packet (no fallback)."""
        table = self.lab.route_table_of(subnet)
        route = table.lookup(destination)
        values = {
            "route_table_id": table.id,
            "subnet_id": subnet.id,
            "vpc_id": subnet.vpc.id,
            "route": "—",
            "destination": str(destination),
            "igw_id": gateway_id(subnet.vpc),
        }
        if table.id in self.unknown and (route is None or not route.is_local):
            self.unsupported(Placeholder(table.id, HopKind.ROUTE_TABLE), packet)
        if route is None:
            self.block(Code.NO_ROUTE_TO_DESTINATION, table.id, HopKind.ROUTE_TABLE, Step.ROUTE, packet, fix, **values)
        values.update(
            route=f"{route.destination} → {route.target_id}",
            target_id=route.target_id,
            route_destination=str(route.destination),
        )
        if route.state is RouteState.BLACKHOLE:
            self.block(
                Code.BAD_STATE_ROUTE, table.id, HopKind.ROUTE_TABLE, Step.ROUTE, packet, "blackhole_route", **values
            )
        self.hop(table.id, HopKind.ROUTE_TABLE, Step.ROUTE, packet, **values)
        return route

    # ---- legs -------------------------------------------------------------------------------------
    def within_vpc(self, source: Instance, destination: Instance, packet: Packet, back: bool = False) -> None:
        """Private addresses, same VPC: the local route; ACLs only between different subnets."""
        if source.subnet is not destination.subnet:
            route = self.route(source.subnet, packet.destination, packet, "add_internet_route")
            if isinstance(route.target, UnsupportedTarget):
                self.unsupported(route.target, packet)
            if not route.is_local:
                self.block(
                    Code.UNSUPPORTED_COMPONENT,
                    route.target_id,
                    HopKind.ROUTE_TABLE,
                    Step.APPLIANCE,
                    packet,
                    "appliance",
                    reachable=None,
                    target_id=route.target_id,
                )
            self.acl(source.subnet, packet, egress=True)
            self.acl(destination.subnet, packet, egress=False)
        if not back:
            self.security_groups(destination, packet, egress=False)
        self.hop(destination.id, HopKind.INSTANCE, Step.ARRIVE, packet, instance_id=destination.id)


def _packet_values(packet: Packet, egress: bool) -> dict:
    peer = packet.destination if egress else packet.source
    return {
        "protocol": packet.protocol.value,
        "port": packet.destination_port,
        "traffic": wording.packet_traffic(packet.protocol, packet.destination_port),
        "peer": str(peer),
    }
