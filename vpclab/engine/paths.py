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
"""

from __future__ import annotations

from ipaddress import IPv4Address

from ..model import wording
from ..model.addressing import RFC6598, is_private_range
from ..model.imported import UnsupportedTarget
from ..model.resources import Instance, InstanceState, InternetGateway, NatGateway, NetworkInterface, RouteState
from .packets import NAT_GATEWAY_PORTS, Blocked, Hop, Packet
from .rules import acl_decides, groups_have_rules, security_groups_allow


class Tracer:
    def __init__(self, lab) -> None:
        self.lab = lab
        self.forward: list[Hop] = []
        self.return_: list[Hop] = []
        self.path = self.forward
        # Placeholders for describe calls the snapshot of an imported lab lacks: not judged.
        self.unknown = {u.id for u in lab.unsupported if u.why == "not_collected"}

    def hop(self, component: str, kind: str, step: str, packet: Packet, **values) -> None:
        self.path.append(Hop(component, kind, step, packet, True, values))

    def block(self, code, component, kind, step, packet, fix, reachable=False, **values):
        self.path.append(Hop(component or "—", kind, step, packet, False, values))
        raise Blocked(code, component, fix, reachable, **values)

    def returning(self) -> None:
        self.path = self.return_

    def unsupported(self, item, packet: Packet) -> None:
        """The path reaches something vpclab does not model (an imported lab's): it cannot judge further."""
        self.block(
            "UNSUPPORTED_COMPONENT",
            item.id,
            item.kind,
            "unsupported",
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
            "UNSUPPORTED_COMPONENT",
            route.target_id,
            "instance",
            "appliance",
            packet,
            "appliance",
            reachable=None,
            target_id=route.target_id,
        )

    # ---- components -------------------------------------------------------------------------------
    def running(self, instance: Instance, packet: Packet) -> None:
        if instance.state is not InstanceState.RUNNING:
            self.block(
                "BAD_STATE",
                instance.id,
                "instance",
                "instance",
                packet,
                "start_instance",
                instance_id=getattr(instance, "instance", instance).id,  # a secondary interface: its instance
                state=wording.state(instance.state.value),
            )

    def security_groups(self, instance: Instance, packet: Packet, egress: bool) -> None:
        groups = instance.security_groups
        found = security_groups_allow(self.lab, groups, packet, egress)
        ids = ", ".join(g.id for g in groups)
        step = "sg_out" if egress else "sg_in"
        unknown = [g for g in groups if g.id in self.unknown]
        if found is None and unknown:  # a group whose rules the snapshot lacks might allow it
            self.unsupported(_Placeholder(unknown[0].id, "security-group"), packet)
        if found is None:
            code = "ENI_SG_RULES_MISMATCH" if groups_have_rules(groups, egress) else "SG_HAS_NO_RULES"
            self.block(
                code,
                groups[0].id,
                "security-group",
                step,
                packet,
                "sg_egress" if egress else "sg_ingress",
                group_ids=ids,
                group_id=groups[0].id,
                **_packet_values(packet, egress),
            )
        group, rule = found
        self.hop(group.id, "security-group", step, packet, group_id=group.id, rule=wording.rule(rule))

    def stateful(self, instance: Instance, packet: Packet) -> None:
        self.hop(
            instance.security_groups[0].id,
            "security-group",
            "sg_stateful",
            packet,
            group_ids=", ".join(g.id for g in instance.security_groups),
        )

    def acl(self, subnet, packet: Packet, egress: bool) -> None:
        acl = subnet.network_acl
        if acl.id in self.unknown:
            self.unsupported(_Placeholder(acl.id, "network-acl"), packet)
        entry = acl_decides(acl, packet, egress)
        step = "acl_out" if egress else "acl_in"
        number = "*" if entry.rule_number > 32766 else str(entry.rule_number)
        values = {"acl_id": acl.id, "subnet_id": subnet.id, "rule_number": number, "rule": wording.rule(entry)}
        if entry.action.value != "allow":
            self.block(
                "SUBNET_ACL_RESTRICTION",
                acl.id,
                "network-acl",
                step,
                packet,
                # A reply goes to the client's ephemeral port: its fix names the ephemeral range.
                ("acl_egress" if egress else "acl_ingress") + ("_reply" if self.path is self.return_ else ""),
                **values,
                **_packet_values(packet, egress),
            )
        self.hop(acl.id, "network-acl", step, packet, **values)

    def gateway(self, gateway: InternetGateway, step: str, packet: Packet, private, public) -> None:
        """The internet gateway's 1:1 NAT as a hop: ``igw_out`` rewrote the source, ``igw_in`` the destination."""
        self.hop(
            gateway.id, "internet-gateway", step, packet, igw_id=gateway.id, private=str(private), public=str(public)
        )

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
            "igw_id": _gateway_id(subnet.vpc),
        }
        if table.id in self.unknown and (route is None or not route.is_local):
            self.unsupported(_Placeholder(table.id, "route-table"), packet)
        if route is None:
            self.block("NO_ROUTE_TO_DESTINATION", table.id, "route-table", "route", packet, fix, **values)
        values.update(
            route=f"{route.destination} → {route.target_id}",
            target_id=route.target_id,
            route_destination=str(route.destination),
        )
        if route.state is RouteState.BLACKHOLE:
            self.block("BAD_STATE_ROUTE", table.id, "route-table", "route", packet, "blackhole_route", **values)
        self.hop(table.id, "route-table", "route", packet, **values)
        return route

    # ---- legs -------------------------------------------------------------------------------------
    def out_to_internet(self, instance: Instance, packet: Packet):
        """Instance → internet side. Returns (packet as it leaves the VPC, how it left)."""
        self.running(instance, packet)
        self.security_groups(instance, packet, egress=True)
        route = self.route(instance.subnet, packet.destination, packet, "add_internet_route")
        target = route.target
        if isinstance(target, InternetGateway):
            self.acl(instance.subnet, packet, egress=True)
            self._internet_destination(target, packet)
            if instance.public_ip is None:
                self.block(
                    "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS",
                    target.id,
                    "internet-gateway",
                    "igw_out",
                    packet,
                    "public_ip_or_nat" if self._nat_hint(instance) else "public_ip_or_new_nat",
                    instance_id=instance.id,
                    igw_id=target.id,
                    nat_hint=self._nat_hint(instance),
                )
            leaving = packet.with_source(instance.public_ip)
            self.gateway(target, "igw_out", leaving, private=packet.source, public=instance.public_ip)
            return leaving, ("igw", instance, target)
        if isinstance(target, NatGateway):
            return self._through_nat(instance, target, packet)
        self._beyond(route, packet)
        return None  # unreachable

    def _through_nat(self, instance: Instance, nat: NatGateway, packet: Packet):
        crossing = nat.subnet is not instance.subnet
        if crossing:
            self.acl(instance.subnet, packet, egress=True)
            self.acl(nat.subnet, packet, egress=False)
        low, high = NAT_GATEWAY_PORTS
        nat_port = packet.source_port if low <= packet.source_port <= high else low
        translated = packet.with_source(nat.public_ip, nat_port)
        self.hop(
            nat.id,
            "nat-gateway",
            "nat_out",
            translated,
            nat_id=nat.id,
            private=str(packet.source),
            public=str(nat.public_ip),
        )
        route = self.route(nat.subnet, packet.destination, translated, "add_nat_internet_route")
        if isinstance(route.target, Instance | NetworkInterface | UnsupportedTarget):
            self._beyond(route, translated)
        if not isinstance(route.target, InternetGateway):
            self.block(
                "NO_ROUTE_TO_DESTINATION",
                self.lab.route_table_of(nat.subnet).id,
                "route-table",
                "route",
                translated,
                "add_nat_internet_route",
                route_table_id=self.lab.route_table_of(nat.subnet).id,
                igw_id=_gateway_id(nat.vpc),
                vpc_id=nat.vpc.id,
                subnet_id=nat.subnet.id,
            )
        self.acl(nat.subnet, translated, egress=True)
        self._internet_destination(route.target, translated)
        self.gateway(route.target, "igw_out", translated, private=nat.private_ip, public=nat.public_ip)
        return translated, ("nat", instance, nat, packet)

    def _internet_destination(self, gateway: InternetGateway, packet: Packet) -> None:
        if is_private_range(packet.destination):
            code = (
                "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS"
                if packet.destination in RFC6598
                else ("IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS")
            )
            self.block(
                code,
                gateway.id,
                "internet-gateway",
                "igw_out",
                packet,
                "private_peer",
                address=str(packet.destination),
                igw_id=gateway.id,
            )

    def _nat_hint(self, instance: Instance) -> str:
        nats = [n.id for n in self.lab.nat_gateways.values() if n.vpc is instance.vpc and n.public_ip]
        return nats[0] if nats else ""

    def in_from_internet(self, packet: Packet, owner: Instance) -> Packet:
        """Internet side → the instance that owns the packet's public destination address."""
        vpc = owner.vpc
        gateway = vpc.internet_gateway
        if is_private_range(packet.source):
            code = (
                "IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS"
                if packet.source in RFC6598
                else ("IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS")
            )
            self.block(
                code,
                gateway.id if gateway else vpc.id,
                "internet-gateway",
                "igw_in",
                packet,
                "private_peer",
                address=str(packet.source),
                igw_id=_gateway_id(vpc),
            )
        table = self.lab.route_table_of(owner.subnet)
        if gateway is None and table.id in self.unknown:  # routes and gateways not in the snapshot
            self.unsupported(_Placeholder(table.id, "route-table"), packet)
        if gateway is None:
            self.block(
                "BAD_STATE_ATTACHMENT", vpc.id, "internet-gateway", "igw_in", packet, "attach_gateway", vpc_id=vpc.id
            )
        inside = packet.with_destination(owner.private_ip)
        self.gateway(gateway, "igw_in", inside, private=owner.private_ip, public=packet.destination)
        self.running(owner, inside)
        self.acl(owner.subnet, inside, egress=False)
        self.security_groups(owner, inside, egress=False)
        self.hop(owner.id, "instance", "arrive", inside, instance_id=owner.id)
        return inside

    def reply_to_internet(self, instance: Instance, reply: Packet) -> Packet:
        """The reply of an instance that was reached through the internet gateway."""
        self.stateful(instance, reply)
        self.acl(instance.subnet, reply, egress=True)
        route = self.route(instance.subnet, reply.destination, reply, "add_internet_route")
        gateway = instance.vpc.internet_gateway
        if route.target is not gateway:
            if isinstance(route.target, Instance | NetworkInterface | UnsupportedTarget):
                self._beyond(route, reply)
            self.block(
                "ASYMMETRIC_RETURN_PATH",
                self.lab.route_table_of(instance.subnet).id,
                "route-table",
                "route",
                reply,
                "asymmetric",
                route=f"{route.destination} → {route.target_id}",
                destination=str(reply.destination),
                target_id=route.target_id,
                igw_id=_gateway_id(instance.vpc),
                route_table_id=self.lab.route_table_of(instance.subnet).id,
                subnet_id=instance.subnet.id,
                address=str(reply.destination),
            )
        leaving = reply.with_source(instance.public_ip)
        self.gateway(gateway, "igw_out", leaving, private=instance.private_ip, public=instance.public_ip)
        return leaving

    def reply_from_internet(self, how, reply: Packet) -> None:
        """The answer coming back in, to the instance that started the connection."""
        if how[0] == "igw":
            _, instance, gateway = how
            inside = reply.with_destination(instance.private_ip)
            self.gateway(gateway, "igw_in", inside, private=instance.private_ip, public=reply.destination)
            self.acl(instance.subnet, inside, egress=False)
        else:
            _, instance, nat, original = how
            gateway = nat.vpc.internet_gateway
            at_nat = reply.with_destination(nat.private_ip)
            self.gateway(gateway, "igw_in", at_nat, private=nat.private_ip, public=nat.public_ip)
            self.acl(nat.subnet, at_nat, egress=False)
            inside = reply.with_destination(original.source, original.source_port)
            self.hop(
                nat.id,
                "nat-gateway",
                "nat_in",
                inside,
                nat_id=nat.id,
                public=str(nat.public_ip),
                private=str(original.source),
            )
            if nat.subnet is not instance.subnet:
                self.acl(nat.subnet, inside, egress=True)
                self.acl(instance.subnet, inside, egress=False)
        self.stateful(instance, inside)
        self.hop(instance.id, "instance", "arrive", inside, instance_id=instance.id)

    def within_vpc(self, source: Instance, destination: Instance, packet: Packet, back: bool = False) -> None:
        """Private addresses, same VPC: the local route; ACLs only between different subnets."""
        if source.subnet is not destination.subnet:
            route = self.route(source.subnet, packet.destination, packet, "add_internet_route")
            if isinstance(route.target, UnsupportedTarget):
                self.unsupported(route.target, packet)
            if not route.is_local:
                self.block(
                    "UNSUPPORTED_COMPONENT",
                    route.target_id,
                    "route-table",
                    "appliance",
                    packet,
                    "appliance",
                    reachable=None,
                    target_id=route.target_id,
                )
            self.acl(source.subnet, packet, egress=True)
            self.acl(destination.subnet, packet, egress=False)
        if not back:
            self.security_groups(destination, packet, egress=False)
        self.hop(destination.id, "instance", "arrive", packet, instance_id=destination.id)


class _Placeholder:
    """A route table, network ACL or security group that stands for a describe call missing from an
    imported snapshot; the path cannot be judged past it."""

    def __init__(self, component_id: str, kind: str) -> None:
        self.id, self.kind = component_id, kind


def _gateway_id(vpc) -> str:
    return vpc.internet_gateway.id if vpc.internet_gateway is not None else ""


def _packet_values(packet: Packet, egress: bool) -> dict:
    peer = packet.destination if egress else packet.source
    return {
        "protocol": packet.protocol.value,
        "port": packet.destination_port,
        "traffic": wording.packet_traffic(packet.protocol, packet.destination_port),
        "peer": str(peer),
    }
