"""DNS64 and NAT64: how an instance with no IPv4 address reaches an IPv4-only host (fact sheet §12.1, §12.7).

DNS64 (a subnet attribute) makes the VPC resolver answer an IPv4-only name with a synthesized address,
``64:ff9b::`` followed by the 32 bits of the IPv4 address (203.0.113.10 → ``64:ff9b::cb00:710a``).
A route ``64:ff9b::/96 → nat-…`` takes that IPv6 packet to a NAT gateway, which translates it (NAT64):
it leaves as IPv4 from the gateway's Elastic IP to the embedded address, and from there it goes exactly
as a NAT44 packet does (the gateway subnet's route table to the internet gateway, its network ACL, the
ports 1024-65535 of the replies). The reply comes back the same way and is translated back to IPv6.

Without DNS64 the instance gets no IPv6 answer for an IPv4-only name, and without the route (or with
``64:ff9b::/96`` sent to an internet or egress-only gateway: that prefix is not routed on the internet)
nothing translates it: ``DNS64_NAT64_REQUIRED``, a code of vpclab's own (Reachability Analyzer analyses
IPv4 only, fact sheet §12.5; docs/modelling-choices.md).
"""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address, IPv6Address

from ..model.addressing import NAT64_PREFIX, Protocol
from ..model.imported import UnsupportedTarget
from ..model.resources import Instance, NatGateway, NetworkInterface, RouteState
from .packets import ECHO_REPLY, ECHO_REPLY_V6, ECHO_REQUEST, ECHO_REQUEST_V6, Packet
from .vocabulary import Code, HopKind, Step

# ICMP types NAT64 translates (RFC 7915): echo request and reply; others keep their number here.
_TO_V4 = {ECHO_REQUEST_V6: ECHO_REQUEST, ECHO_REPLY_V6: ECHO_REPLY}
_TO_V6 = {v: k for k, v in _TO_V4.items()}


def synthesize(address: IPv4Address) -> IPv6Address:
    """The DNS64 answer for an IPv4 address: it in the last 32 bits of 64:ff9b::/96."""
    return IPv6Address(int(NAT64_PREFIX.network_address) | int(address))


def embedded(address: IPv6Address) -> IPv4Address:
    """The IPv4 address inside a 64:ff9b::/96 address."""
    return IPv4Address(int(address) & 0xFFFFFFFF)


def is_nat64(address) -> bool:
    return address.version == 6 and address in NAT64_PREFIX


def as_ipv6_protocol(protocol: Protocol, port: int) -> tuple[Protocol, int]:
    """The packet an IPv6-only instance sends for an IPv4 question: ICMP becomes ICMPv6 (echo 8 → 128)."""
    if protocol is Protocol.ICMP:
        return Protocol.ICMPV6, _TO_V6.get(port, port)
    return protocol, port


def _to_ipv4(packet: Packet, source: IPv4Address, source_port: int) -> Packet:
    protocol, port = packet.protocol, packet.destination_port
    if protocol is Protocol.ICMPV6:
        protocol, port = Protocol.ICMP, _TO_V4.get(port, port)
    return Packet(protocol, source, source_port, embedded(packet.destination), port)


def _to_ipv6(reply: Packet, original: Packet) -> Packet:
    """The IPv4 reply as the instance receives it: from the synthesized address to its own."""
    protocol, port = reply.protocol, reply.destination_port
    if protocol is Protocol.ICMP:
        protocol, port = Protocol.ICMPV6, _TO_V6.get(port, port)
    elif protocol.has_ports:
        port = original.source_port
    return replace(reply, protocol=protocol, source=original.destination, destination=original.source,
                   destination_port=port)  # fmt: skip


def dns64(t, instance, ipv4: IPv4Address, packet: Packet) -> None:
    """The instance asks for an IPv4-only name: DNS64 of its subnet answers with ``packet.destination``."""
    subnet = instance.subnet
    t.running(instance, packet)
    values = {"subnet_id": subnet.id, "ipv4": str(ipv4), "address": str(packet.destination)}
    if not subnet.enable_dns64:
        t.block(
            Code.DNS64_NAT64_REQUIRED,
            subnet.id,
            HopKind.SUBNET,
            Step.DNS64_OFF,
            packet,
            "turn_on_dns64",
            instance_id=instance.id,
            route_table_id=t.lab.route_table_of(subnet).id,
            **values,
        )
    t.hop(subnet.id, HopKind.SUBNET, Step.DNS64, packet, **values)


def check_route(t, instance, packet: Packet) -> None:
    """A 64:ff9b::/96 address goes nowhere but to a NAT gateway: anything else (no route, an internet or
    egress-only gateway) leaves it untranslated. A blackhole or an appliance is left to the route step."""
    table = t.lab.route_table_of(instance.subnet)
    route = table.lookup(packet.destination)
    if route is not None and (
        route.state is RouteState.BLACKHOLE or isinstance(route.target, NatGateway | Instance | NetworkInterface)
    ):
        return
    if route is not None and isinstance(route.target, UnsupportedTarget):
        return
    t.block(
        Code.DNS64_NAT64_REQUIRED,
        table.id,
        HopKind.ROUTE_TABLE,
        Step.ROUTE,
        packet,
        "add_nat64_route",
        instance_id=instance.id,
        subnet_id=instance.subnet.id,
        route_table_id=table.id,
        vpc_id=instance.vpc.id,
        ipv4=str(embedded(packet.destination)),
        address=str(packet.destination),
        destination=str(packet.destination),
        route=f"{route.destination} → {route.target_id}" if route is not None else "—",
    )


def through(t, instance, nat: NatGateway, packet: Packet):
    """Instance → NAT gateway (IPv6) → the internet (IPv4). Returns (the IPv4 packet leaving, how)."""
    ipv4 = _to_ipv4(packet, nat.private_ip, packet.source_port)  # its own private address, then the EIP at the IGW
    translated = replace(ipv4, source_port=t._nat_port(nat, ipv4))
    values = {"address": str(packet.destination), "ipv4": str(translated.destination)}
    leaving = t.nat_out(instance, nat, packet, translated, Step.NAT64_OUT, **values)
    return leaving, ("nat64", instance, nat, packet)


def reply_back(t, how, reply: Packet):
    """The IPv4 reply: in through the internet gateway to the NAT gateway, translated back to IPv6."""
    _, instance, nat, original = how
    values = {"address": str(original.destination), "ipv4": str(reply.source)}
    return t.nat_in(instance, nat, reply, _to_ipv6(reply, original), Step.NAT64_IN, **values)
