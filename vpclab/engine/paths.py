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
from ..model.resources import (
    EgressOnlyInternetGateway,
    Instance,
    InstanceState,
    InternetGateway,
    NatGateway,
    NetworkInterface,
    RouteState,
)
from .bpa import Via, blocks, unknown_exclusions
from .packets import NAT_GATEWAY_PORTS, Blocked, Hop, Packet
from .rules import acl_decides, groups_have_rules, security_groups_allow
from .vocabulary import Code, HopKind, Step


class Tracer:
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
            self.unsupported(_Placeholder(unknown[0].id, HopKind.SECURITY_GROUP), packet)
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
            self.unsupported(_Placeholder(acl.id, HopKind.NETWORK_ACL), packet)
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

    def gateway(self, gateway: InternetGateway, step: str, packet: Packet, private, public) -> None:
        """The internet gateway's 1:1 NAT as a hop: ``igw_out`` rewrote the source, ``igw_in`` the destination."""
        self.hop(
            gateway.id,
            HopKind.INTERNET_GATEWAY,
            step,
            packet,
            igw_id=gateway.id,
            private=str(private),
            public=str(public),
        )

    def block_public_access(self, subnet, inbound: bool, via: Via, gateway, packet: Packet) -> None:
        """Block Public Access, checked before routes, ACLs and groups: it overrides them all."""
        if blocks(self.lab, subnet, inbound, via):
            placeholder = unknown_exclusions(self.lab, subnet)
            if placeholder is not None:  # an exclusion the snapshot lacks may leave this path open
                self.unsupported(_Placeholder(placeholder, HopKind.BLOCK_PUBLIC_ACCESS), packet)
            mode = self.lab.block_public_access_of(subnet.vpc).mode
            self.block(
                Code.VPC_BLOCK_PUBLIC_ACCESS_ENABLED,
                gateway.id if gateway is not None else subnet.vpc.id,
                HopKind.BLOCK_PUBLIC_ACCESS,
                Step.BPA,
                packet,
                "bpa_inbound" if inbound else "bpa_outbound",
                mode=mode,
                subnet_id=subnet.id,
                vpc_id=subnet.vpc.id,
                gateway_id=gateway.id if gateway is not None else subnet.vpc.id,
            )

    def _bpa_outbound(self, instance, packet: Packet) -> None:
        """Where the instance's route would take the packet to the internet, is that blocked?"""
        route = self.lab.route_table_of(instance.subnet).lookup(packet.destination)
        if route is None or route.state is not RouteState.ACTIVE:
            return
        target = route.target
        if isinstance(target, InternetGateway):
            self.block_public_access(instance.subnet, False, Via.INTERNET_GATEWAY, target, packet)
        elif isinstance(target, EgressOnlyInternetGateway):
            self.block_public_access(instance.subnet, False, Via.EGRESS_ONLY_GATEWAY, target, packet)
        elif isinstance(target, NatGateway) and packet.destination.version == 4:
            # The NAT gateway's internet leg leaves from its own subnet (fact sheet §14.3).
            self.block_public_access(target.subnet, False, Via.NAT_GATEWAY, target.vpc.internet_gateway, packet)

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
            self.unsupported(_Placeholder(table.id, HopKind.ROUTE_TABLE), packet)
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
    def out_to_internet(self, instance: Instance, packet: Packet):
        """Instance → internet side. Returns (packet as it leaves the VPC, how it left)."""
        self.running(instance, packet)
        self._bpa_outbound(instance, packet)
        self.security_groups(instance, packet, egress=True)
        v6 = packet.destination.version == 6
        route = self.route(
            instance.subnet, packet.destination, packet, "add_ipv6_route" if v6 else "add_internet_route"
        )
        target = route.target
        if isinstance(target, InternetGateway) and v6:
            # IPv6 addresses are public: the gateway carries the packet as it is, no translation.
            self.acl(instance.subnet, packet, egress=True)
            self.hop(
                target.id, HopKind.INTERNET_GATEWAY, Step.IGW6_OUT, packet, igw_id=target.id, address=str(packet.source)
            )
            return packet, ("igw6", instance, target)
        if isinstance(target, EgressOnlyInternetGateway):
            self.acl(instance.subnet, packet, egress=True)
            self.hop(target.id, HopKind.EGRESS_ONLY_INTERNET_GATEWAY, Step.EIGW_OUT, packet, eigw_id=target.id)
            return packet, ("eigw", instance, target)
        if isinstance(target, NatGateway) and v6:  # NAT64 (64:ff9b::/96) is not modelled
            self.unsupported(_Placeholder(target.id, HopKind.NAT_GATEWAY), packet)
        if isinstance(target, InternetGateway):
            self.acl(instance.subnet, packet, egress=True)
            self._internet_destination(target, packet)
            if instance.public_ip is None:
                self.block(
                    Code.IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS,
                    target.id,
                    HopKind.INTERNET_GATEWAY,
                    Step.IGW_OUT,
                    packet,
                    "public_ip_or_nat" if self._nat_hint(instance) else "public_ip_or_new_nat",
                    instance_id=instance.id,
                    igw_id=target.id,
                    nat_hint=self._nat_hint(instance),
                )
            leaving = packet.with_source(instance.public_ip)
            self.gateway(target, Step.IGW_OUT, leaving, private=packet.source, public=instance.public_ip)
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
        translated = packet.with_source(nat.public_ip, self._nat_port(nat, packet))
        self.hop(
            nat.id,
            HopKind.NAT_GATEWAY,
            Step.NAT_OUT,
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
                Code.NO_ROUTE_TO_DESTINATION,
                self.lab.route_table_of(nat.subnet).id,
                HopKind.ROUTE_TABLE,
                Step.ROUTE,
                translated,
                "add_nat_internet_route",
                route_table_id=self.lab.route_table_of(nat.subnet).id,
                igw_id=_gateway_id(nat.vpc),
                vpc_id=nat.vpc.id,
                destination=str(packet.destination),
                subnet_id=nat.subnet.id,
            )
        self.acl(nat.subnet, translated, egress=True)
        self._internet_destination(route.target, translated)
        self.gateway(route.target, Step.IGW_OUT, translated, private=nat.private_ip, public=nat.public_ip)
        return translated, ("nat", instance, nat, packet)

    def _nat_port(self, nat: NatGateway, packet: Packet) -> int:
        """The source port the NAT gateway gives the connection: any of 1024-65535 (fact sheet §6, §7,
        §16.2). Its subnet's ACL must let the replies in on all of them, so the port judged is one the
        ACL refuses, if there is one; otherwise the client's own port (or 1024)."""
        low, high = NAT_GATEWAY_PORTS
        if packet.protocol.has_ports:
            acl = nat.subnet.network_acl
            edges = {low, high}
            for entry in acl.entries.values():
                if not entry.egress and entry.ports is not None:
                    edges |= {entry.ports.first - 1, entry.ports.first, entry.ports.last, entry.ports.last + 1}
            for port in sorted(p for p in edges if low <= p <= high):
                reply = Packet(packet.protocol, packet.destination, packet.destination_port, nat.private_ip, port)
                if acl_decides(acl, reply, egress=False).action.value != "allow":
                    return port
        return packet.source_port if low <= packet.source_port <= high else low

    def _internet_destination(self, gateway: InternetGateway, packet: Packet) -> None:
        if is_private_range(packet.destination):
            code = (
                Code.IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS
                if packet.destination in RFC6598
                else (Code.IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS)
            )
            self.block(
                code,
                gateway.id,
                HopKind.INTERNET_GATEWAY,
                Step.IGW_OUT,
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
                Code.IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS
                if packet.source in RFC6598
                else (Code.IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS)
            )
            self.block(
                code,
                gateway.id if gateway else vpc.id,
                HopKind.INTERNET_GATEWAY,
                Step.IGW_IN,
                packet,
                "private_peer",
                address=str(packet.source),
                igw_id=_gateway_id(vpc),
            )
        table = self.lab.route_table_of(owner.subnet)
        if gateway is None and table.id in self.unknown:  # routes and gateways not in the snapshot
            self.unsupported(_Placeholder(table.id, HopKind.ROUTE_TABLE), packet)
        eigw = vpc.egress_only_internet_gateway
        if gateway is None and packet.destination.version == 6 and eigw is not None:
            self._egress_only(eigw, packet, vpc)
        if gateway is None:
            self.block(
                Code.BAD_STATE_ATTACHMENT,
                vpc.id,
                HopKind.INTERNET_GATEWAY,
                Step.IGW_IN,
                packet,
                "attach_gateway",
                vpc_id=vpc.id,
            )
        self.block_public_access(owner.subnet, True, Via.INTERNET_GATEWAY, gateway, packet)
        if packet.destination.version == 6:
            inside = packet
            self.hop(
                gateway.id,
                HopKind.INTERNET_GATEWAY,
                Step.IGW6_IN,
                inside,
                igw_id=gateway.id,
                address=str(inside.destination),
            )
        else:
            inside = packet.with_destination(owner.private_ip)
            self.gateway(gateway, Step.IGW_IN, inside, private=owner.private_ip, public=packet.destination)
        self.running(owner, inside)
        self.acl(owner.subnet, inside, egress=False)
        self.security_groups(owner, inside, egress=False)
        self.hop(owner.id, HopKind.INSTANCE, Step.ARRIVE, inside, instance_id=owner.id)
        return inside

    def _egress_only(self, eigw: EgressOnlyInternetGateway, packet: Packet, vpc) -> None:
        self.block(
            Code.EGRESS_ONLY_IGW_NO_INBOUND,
            eigw.id,
            HopKind.EGRESS_ONLY_INTERNET_GATEWAY,
            Step.EIGW_IN,
            packet,
            "eigw_no_inbound",
            eigw_id=eigw.id,
            vpc_id=vpc.id,
            address=str(packet.destination),
        )

    def reply_to_internet(self, instance: Instance, reply: Packet) -> Packet:
        """The reply of an instance that was reached through the internet gateway."""
        self.stateful(instance, reply)
        self.acl(instance.subnet, reply, egress=True)
        v6 = reply.destination.version == 6
        route = self.route(instance.subnet, reply.destination, reply, "add_ipv6_route" if v6 else "add_internet_route")
        gateway = instance.vpc.internet_gateway
        if isinstance(route.target, EgressOnlyInternetGateway):
            # It admits only connections that start inside; a reply to one that started outside is
            # dropped (fact sheet §12.7, unsure: no source says what it does with it).
            self._egress_only(route.target, reply, instance.vpc)
        if route.target is not gateway:
            if isinstance(route.target, Instance | NetworkInterface | UnsupportedTarget):
                self._beyond(route, reply)
            self.block(
                Code.ASYMMETRIC_RETURN_PATH,
                self.lab.route_table_of(instance.subnet).id,
                HopKind.ROUTE_TABLE,
                Step.ROUTE,
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
        if v6:
            self.hop(
                gateway.id, HopKind.INTERNET_GATEWAY, Step.IGW6_OUT, reply, igw_id=gateway.id, address=str(reply.source)
            )
            return reply
        leaving = reply.with_source(instance.public_ip)
        self.gateway(gateway, Step.IGW_OUT, leaving, private=instance.private_ip, public=instance.public_ip)
        return leaving

    def reply_from_internet(self, how, reply: Packet) -> None:
        """The answer coming back in, to the instance that started the connection."""
        if how[0] in ("igw6", "eigw"):  # IPv6: no translation either way
            _, instance, gateway = how
            inside = reply
            step = Step.IGW6_IN if how[0] == "igw6" else Step.EIGW_IN_REPLY
            kind = HopKind.INTERNET_GATEWAY if how[0] == "igw6" else HopKind.EGRESS_ONLY_INTERNET_GATEWAY
            self.hop(
                gateway.id, kind, step, inside, igw_id=gateway.id, eigw_id=gateway.id, address=str(inside.destination)
            )
            self.acl(instance.subnet, inside, egress=False)
        elif how[0] == "igw":
            _, instance, gateway = how
            inside = reply.with_destination(instance.private_ip)
            self.gateway(gateway, Step.IGW_IN, inside, private=instance.private_ip, public=reply.destination)
            self.acl(instance.subnet, inside, egress=False)
        else:
            _, instance, nat, original = how
            gateway = nat.vpc.internet_gateway
            at_nat = reply.with_destination(nat.private_ip)
            self.gateway(gateway, Step.IGW_IN, at_nat, private=nat.private_ip, public=nat.public_ip)
            self.acl(nat.subnet, at_nat, egress=False)
            inside = reply.with_destination(original.source, original.source_port)
            self.hop(
                nat.id,
                HopKind.NAT_GATEWAY,
                Step.NAT_IN,
                inside,
                nat_id=nat.id,
                public=str(nat.public_ip),
                private=str(original.source),
            )
            if nat.subnet is not instance.subnet:
                self.acl(nat.subnet, inside, egress=True)
                self.acl(instance.subnet, inside, egress=False)
        self.stateful(instance, inside)
        self.hop(instance.id, HopKind.INSTANCE, Step.ARRIVE, inside, instance_id=instance.id)

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
