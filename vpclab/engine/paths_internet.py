"""The internet legs of a traced path: the internet gateway (with its 1:1 NAT for IPv4, none for IPv6),
the NAT gateway (NAT44, and NAT64 by ``nat64``), the egress-only gateway, and Block Public Access,
checked before any of them (fact sheet §4, §6, §12–§14). ``InternetLegs`` is a part of ``paths.Tracer``:
its methods use the tracer's hops, routes, groups and ACLs.
"""

from __future__ import annotations

from ..model.addressing import RFC6598, is_private_range
from ..model.imported import UnsupportedTarget
from ..model.resources import (
    EgressOnlyInternetGateway,
    Instance,
    InternetGateway,
    NatGateway,
    NetworkInterface,
    RouteState,
)
from . import nat64
from .bpa import Via, blocks, unknown_exclusions
from .packets import NAT_GATEWAY_PORTS, Packet
from .rules import acl_decides
from .vocabulary import Code, HopKind, Step


class Placeholder:
    """A route table, network ACL or security group that stands for a describe call missing from an
    imported snapshot; the path cannot be judged past it."""

    def __init__(self, component_id: str, kind: str) -> None:
        self.id, self.kind = component_id, kind


def gateway_id(vpc) -> str:
    return vpc.internet_gateway.id if vpc.internet_gateway is not None else ""


class InternetLegs:
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
                self.unsupported(Placeholder(placeholder, HopKind.BLOCK_PUBLIC_ACCESS), packet)
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
        elif isinstance(target, NatGateway) and (packet.destination.version == 4 or nat64.is_nat64(packet.destination)):
            # The NAT gateway's internet leg (NAT64's too) leaves from its own subnet (fact sheet §14.3).
            self.block_public_access(target.subnet, False, Via.NAT_GATEWAY, target.vpc.internet_gateway, packet)

    def out_to_internet(self, instance: Instance, packet: Packet):
        """Instance → internet side. Returns (packet as it leaves the VPC, how it left)."""
        self.running(instance, packet)
        self._bpa_outbound(instance, packet)
        self.security_groups(instance, packet, egress=True)
        v6 = packet.destination.version == 6
        if nat64.is_nat64(packet.destination):
            nat64.check_route(self, instance, packet)
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
        if isinstance(target, NatGateway) and nat64.is_nat64(packet.destination):
            return nat64.through(self, instance, target, packet)
        if isinstance(target, NatGateway) and v6:  # only an imported lab routes other IPv6 to a NAT gateway
            self.unsupported(Placeholder(target.id, HopKind.NAT_GATEWAY), packet)
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
        translated = packet.with_source(nat.private_ip, self._nat_port(nat, packet))
        return self.nat_out(instance, nat, packet, translated, Step.NAT_OUT), ("nat", instance, nat, packet)

    def nat_out(self, instance, nat: NatGateway, packet: Packet, translated: Packet, step: Step, **values) -> Packet:
        """Instance → NAT gateway → the internet (NAT44 and NAT64 alike). The NAT gateway puts its own
        private address in; the internet gateway's 1:1 NAT then puts its Elastic IP (fact sheet §17(b):
        "its own private IP which is translated to Elastic IP address by the internet gateway").
        Returns the packet as it leaves for the internet."""
        if nat.subnet is not instance.subnet:
            self.acl(instance.subnet, packet, egress=True)
            self.acl(nat.subnet, packet, egress=False)
        self.hop(
            nat.id,
            HopKind.NAT_GATEWAY,
            step,
            translated,
            nat_id=nat.id,
            private=str(packet.source),
            public=str(nat.private_ip),
            **values,
        )
        return self._nat_to_internet(nat, translated)

    def nat_in(self, instance, nat: NatGateway, reply: Packet, inside: Packet, step: Step, **values) -> Packet:
        """The reply back: the internet gateway maps the Elastic IP to the NAT's private address, the NAT
        subnet's ACL lets it in, the NAT gateway hands it to the instance (``inside``, as the instance
        sees it), and the ACLs between the two subnets let it through."""
        gateway = nat.vpc.internet_gateway
        at_nat = reply.with_destination(nat.private_ip)
        self.gateway(gateway, Step.IGW_IN, at_nat, private=nat.private_ip, public=nat.public_ip)
        self.acl(nat.subnet, at_nat, egress=False)
        self.hop(
            nat.id,
            HopKind.NAT_GATEWAY,
            step,
            inside,
            nat_id=nat.id,
            public=str(nat.private_ip),
            private=str(inside.destination),
            **values,
        )
        if nat.subnet is not instance.subnet:
            self.acl(nat.subnet, inside, egress=True)
            self.acl(instance.subnet, inside, egress=False)
        return inside

    def _nat_to_internet(self, nat: NatGateway, translated: Packet) -> Packet:
        """The translated IPv4 packet from the NAT gateway on (its source the NAT's private address): its
        subnet's route to the internet gateway, its subnet's ACL, the gateway, which maps the source to
        the Elastic IP (NAT44 and NAT64 alike). Returns the packet as it leaves for the internet."""
        route = self.route(nat.subnet, translated.destination, translated, "add_nat_internet_route")
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
                igw_id=gateway_id(nat.vpc),
                vpc_id=nat.vpc.id,
                destination=str(translated.destination),
                subnet_id=nat.subnet.id,
            )
        self.acl(nat.subnet, translated, egress=True)
        self._internet_destination(route.target, translated)
        leaving = translated.with_source(nat.public_ip)
        self.gateway(route.target, Step.IGW_OUT, leaving, private=nat.private_ip, public=nat.public_ip)
        return leaving

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
                igw_id=gateway_id(vpc),
            )
        table = self.lab.route_table_of(owner.subnet)
        if gateway is None and table.id in self.unknown:  # routes and gateways not in the snapshot
            self.unsupported(Placeholder(table.id, HopKind.ROUTE_TABLE), packet)
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
                igw_id=gateway_id(instance.vpc),
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
        elif how[0] == "nat64":
            _, instance, _, _ = how
            inside = nat64.reply_back(self, how, reply)
        elif how[0] == "igw":
            _, instance, gateway = how
            inside = reply.with_destination(instance.private_ip)
            self.gateway(gateway, Step.IGW_IN, inside, private=instance.private_ip, public=reply.destination)
            self.acl(instance.subnet, inside, egress=False)
        else:
            _, instance, nat, original = how
            inside = reply.with_destination(original.source, original.source_port)
            self.nat_in(instance, nat, reply, inside, Step.NAT_IN)
        self.stateful(instance, inside)
        self.hop(instance.id, HopKind.INSTANCE, Step.ARRIVE, inside, instance_id=instance.id)
