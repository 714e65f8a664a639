"""Packets, hops and the verdicts the engine hands back.

A packet is what a hop sees: protocol, addresses and ports after any translation by the internet
gateway (1:1 NAT) or a NAT gateway. A hop names the component, what it did (a step key into the
catalogs) and the rule or route that decided. ``Blocked`` carries an explanation code in the style of
AWS Reachability Analyzer, the component that blocks, and the values its explanation and fix use.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from ipaddress import IPv4Address, IPv6Address

from ..model.addressing import Protocol

# Ephemeral (client) port ranges (VPC User Guide, "Network ACLs", "Ephemeral ports").
LINUX_EPHEMERAL = (32768, 60999)
WINDOWS_EPHEMERAL = (49152, 65535)
NAT_GATEWAY_PORTS = (1024, 65535)
# analyze()'s default client port: the first port of a Linux client's range. An ACL that lets
# replies out only to a Windows range (49152-65535) therefore blocks the default client, as it
# would block a Linux one.
DEFAULT_SOURCE_PORT = LINUX_EPHEMERAL[0]
ECHO_REQUEST, ECHO_REPLY = 8, 0  # ICMP types: "port" is the ICMP type for protocol icmp
ECHO_REQUEST_V6, ECHO_REPLY_V6 = 128, 129  # ICMPv6 (protocol 58)
# ICMP queries and the type of their answer (RFC 792, RFC 4443): echo, timestamp, information,
# address mask. Any other type (an error such as 3 or 11) has no answer.
ICMP_REPLIES = {8: 0, 13: 14, 15: 16, 17: 18}
ICMPV6_REPLIES = {128: 129}


@dataclass(frozen=True)
class Packet:
    protocol: Protocol
    source: IPv4Address | IPv6Address
    source_port: int
    destination: IPv4Address | IPv6Address
    destination_port: int

    def reply(self) -> Packet:
        """The answer: addresses and ports swapped; an ICMP query is answered by its reply type (echo
        request 8 by echo reply 0, timestamp 13 by 14 ...; ICMPv6 echo 128 by 129)."""
        if self.protocol.is_icmp:
            replies = ICMPV6_REPLIES if self.protocol is Protocol.ICMPV6 else ICMP_REPLIES
            reply_type = replies.get(self.destination_port, self.destination_port)
            return Packet(self.protocol, self.destination, 0, self.source, reply_type)
        return Packet(self.protocol, self.destination, self.destination_port, self.source, self.source_port)

    def with_source(self, address: IPv4Address, port: int | None = None) -> Packet:
        return replace(self, source=address, source_port=self.source_port if port is None else port)

    def with_destination(self, address: IPv4Address, port: int | None = None) -> Packet:
        return replace(self, destination=address, destination_port=self.destination_port if port is None else port)

    def __str__(self) -> str:
        if self.protocol.is_icmp:
            name = "icmpv6" if self.protocol is Protocol.ICMPV6 else "icmp"
            return f"{name} {self.source} → {self.destination} (type {self.destination_port})"
        return f"{self.protocol.value} {self.source}:{self.source_port} → {self.destination}:{self.destination_port}"


@dataclass(frozen=True)
class Hop:
    """One component on a path.

    Attributes:
        component: the component's id (``sg-…``, ``acl-…``, ``rtb-…``, ``igw-…``, ``i-…``) or
            ``"internet"``.
        kind: ``instance``, ``security-group``, ``network-acl``, ``route-table``,
            ``internet-gateway``, ``nat-gateway`` or ``internet``.
        step: catalog key (``hop.<step>``) of what happened here.
        packet: the packet as it leaves this hop.
        allowed: False on the hop that blocks.
        values: what the step's text names (rule, route, addresses).
    """

    component: str
    kind: str
    step: str
    packet: Packet
    allowed: bool = True
    values: dict = field(default_factory=dict, compare=False)


class Blocked(Exception):
    """Raised inside the tracer at the first component that stops the packet."""

    def __init__(self, code: str, component: str | None, fix: str, reachable: bool | None = False, **values):
        super().__init__(code)
        self.code, self.component, self.fix, self.reachable, self.values = code, component, fix, reachable, values
