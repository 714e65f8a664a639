"""``analyze``: can this packet get through, and if not, what stops it? — answered offline, at once.

Endpoints (the contract of issue "The core"): an instance is its private address when the other end
is in its VPC and its public address when the other end is on the internet; an address string is an
internet host, a private address in the lab, or a public address of the lab (the path then leaves
through the gateway and comes back in: hairpin); ``"internet"`` is *some* internet host, and
``port=None`` is *some* port: the engine tries the hosts and ports where the rules change and names
the one it used — a reachable one if there is one, otherwise the one that got furthest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address

from ..model import wording
from ..model.addressing import Protocol, parse_protocol
from ..model.errors import InvalidParameterError
from ..model.i18n import tr
from ..model.resources import Instance, InstanceState, NetworkInterface
from . import fixes, nat64
from .endpoints import (
    INTERNET,
    Context,
    Endpoint,
    classify,
    handed_out,
    in_lab,
    in_vpc,
    internet_candidates,
)
from .packets import DEFAULT_SOURCE_PORT, ECHO_REQUEST, ECHO_REQUEST_V6, Blocked, Hop, Packet
from .paths import Tracer
from .search import candidate_ports
from .vocabulary import Code, HopKind, Step


@dataclass
class Analysis:
    """The answer to one question, in the shape of a Reachability Analyzer result.

    Attributes:
        reachable: True / False; None only when the path crosses something the model cannot judge.
        code: explanation code of the first component that blocks (None when reachable).
        blocked_at: that component's id.
        forward, return_: the hops of the request and of the reply.
        source, destination, protocol, port, source_port: the packet that was analysed (with the
            address and port chosen for ``"internet"`` and ``port=None``).
    """

    reachable: bool | None
    code: str | None
    blocked_at: str | None
    forward: list[Hop]
    return_: list[Hop]
    source: IPv4Address
    destination: IPv4Address
    protocol: str
    port: int
    source_port: int
    fix: str | None = None
    values: dict = field(default_factory=dict)
    fix_steps: tuple = ()  # the fix as calls of the lab's API (``engine.fixes.Step``), each one it accepts

    def explain(self, lang: str | None = None) -> str:
        """A short text: the verdict, what blocks the packet, and the fix."""
        head = tr(
            "analysis.reachable"
            if self.reachable
            else ("analysis.unknown" if self.reachable is None else "analysis.unreachable"),
            lang,
            protocol=self.protocol,
            source=self.source,
            destination=self.destination,
            port=self.port,
            traffic=wording.packet_traffic(parse_protocol(self.protocol), self.port),
        )
        if self.code is None:
            return head
        why = tr(f"explain.{self.code}", lang, **self.values)
        fix = tr(f"fix.{self.fix}", lang, **self.values) if self.fix else ""
        return " ".join(part for part in (head, why, fix) if part)

    def __bool__(self) -> bool:
        return bool(self.reachable)

    def __repr__(self) -> str:
        verdict = {True: "reachable", False: "not reachable", None: "unknown"}[self.reachable]
        code = f", code={self.code!r}, blocked_at={self.blocked_at!r}" if self.code else ""
        return (
            f"Analysis({verdict}{code}: {self.protocol} {self.source}:{self.source_port} → "
            f"{self.destination}:{self.port})"
        )

    def _repr_html_(self) -> str:
        from ..render.analysis import analysis_html

        return analysis_html(self)


def analyze(lab, source, destination, protocol="tcp", port=None, source_port=None, ip_version=None) -> Analysis:
    """See ``Lab.analyze``."""
    return analyze_with(Context(lab), source, destination, protocol, port, source_port, ip_version)


def analyze_with(context: Context, source, destination, protocol, port, source_port, ip_version=None) -> Analysis:
    lab = context.lab
    proto = parse_protocol(protocol)
    if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not -1 <= port <= 65535):
        raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:port", value=port)
    if port is not None and (port > 255 if proto is Protocol.ICMP else port < 0):
        # A TCP/UDP port is 0-65535 (-1 is no port); an ICMP "port" is a type, 0-255 (-1: any).
        raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:port", value=port)
    if source_port is not None and (
        isinstance(source_port, bool) or not isinstance(source_port, int) or not 0 <= source_port <= 65535
    ):
        raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:port", value=source_port)
    src, dst = classify(context, source), classify(context, destination)
    version = _version(src, dst, ip_version)
    if (proto is Protocol.ICMPV6 and version != 6) or (proto is Protocol.ICMP and version == 6):
        raise InvalidParameterError(
            "InvalidParameterValue", "InvalidParameterValue:icmp_family", protocol=proto.value, version=version
        )
    if (src.internet or (src.instance is None and not in_lab(lab, src.address))) and (
        dst.internet
        or (
            dst.instance is None
            and dst.address not in context.public_owner
            and dst.address not in context.unsupported_owner
            and not in_lab(lab, dst.address)
            and not handed_out(lab, dst.address)
        )
    ):
        raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:outside_lab")
    icmp = Protocol.ICMPV6 if version == 6 else Protocol.ICMP
    protocols = [Protocol.TCP, Protocol.UDP, icmp] if proto is Protocol.ALL else [proto]
    missing = _without_ipv6(src, dst) if version == 6 else None
    if missing is not None:
        return _no_ipv6_address(lab, missing, protocols[0], port)
    # An IPv6-only instance has no IPv4 address: it reaches an IPv4 internet host only through DNS64
    # and NAT64 (engine/nat64.py); nothing reaches it over IPv4.
    v4less = _without_ipv4(src, dst) if version == 4 else None
    dns64 = v4less is not None and v4less is src.instance and _outside_lab(lab, dst)
    if v4less is not None and not dns64:
        return _no_ipv4_address(lab, v4less, protocols[0], port)
    sport = DEFAULT_SOURCE_PORT if source_port is None else source_port
    lab_side = src.instance or dst.instance
    best: Analysis | None = None
    for each in protocols:
        if port is not None:
            ports = [port]
        elif each.is_icmp:
            ports = [ECHO_REQUEST_V6 if each is Protocol.ICMPV6 else ECHO_REQUEST]
        else:
            ports = candidate_ports(lab, lab_side, each)
        for dport in ports:
            for s_addr in _addresses(lab, src, dst, False, version) if not dns64 else _own_ipv6(src.instance):
                for d_addr in _addresses(lab, dst, src, True, version):
                    if dns64:  # what the instance sends: IPv6, to the address DNS64 gave it for d_addr
                        synthesized, (proto6, port6) = nat64.synthesize(d_addr), nat64.as_ipv6_protocol(each, dport)
                        packet = Packet(proto6, s_addr, sport, synthesized, port6)
                        result = _trace(context, src, dst, s_addr, synthesized, packet, dns64=d_addr)
                    else:
                        result = _trace(context, src, dst, s_addr, d_addr, Packet(each, s_addr, sport, d_addr, dport))
                    if result.reachable:
                        return result
                    if best is None or _progress(result) > _progress(best):
                        best = result
    return best


def _progress(result: Analysis) -> int:
    # None ("cannot judge") outranks any plain failure: it got as far as the model can see.
    return len(result.forward) + len(result.return_) + (1000 if result.reachable is None else 0)


def _version(src: Endpoint, dst: Endpoint, ip_version) -> int:
    """4 or 6: ``ip_version`` if given, else the family of an address endpoint, else 4."""
    if ip_version is not None and (isinstance(ip_version, bool) or ip_version not in (4, 6)):
        raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:ip_version", value=repr(ip_version))
    families = {e.address.version for e in (src, dst) if e.address is not None}
    if len(families) > 1 or (ip_version is not None and families and families != {ip_version}):
        raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:mixed_families")
    return ip_version or (families.pop() if families else 4)


def _without_ipv6(src: Endpoint, dst: Endpoint):
    """An instance endpoint with no IPv6 address, asked about over IPv6 (None if there is none)."""
    for end in (src, dst):
        if end.address is None and end.instance is not None and not getattr(end.instance, "ipv6_addresses", None):
            return end.instance
    return None


def _without_ipv4(src: Endpoint, dst: Endpoint):
    """An instance endpoint with no IPv4 address (an IPv6-only subnet's), asked about over IPv4."""
    for end in (src, dst):
        if end.address is None and end.instance is not None and end.instance.private_ip is None:
            return end.instance
    return None


def _outside_lab(lab, end: Endpoint) -> bool:
    """Is the other end an internet host (or a public address of the lab), as DNS64 and NAT64 serve?"""
    return end.internet or (end.address is not None and not in_lab(lab, end.address))


def _own_ipv6(instance) -> list:
    # A terminated instance has released its addresses: "::" stands in, and the path stops at its state.
    return instance.ipv6_addresses[:1] or [_NO_ADDRESS]


def _no_ipv4_address(lab, instance, protocol: Protocol, port) -> Analysis:
    """IPv4 asked of an IPv6-only instance: Reachability Analyzer's UNASSOCIATED_COMPONENT ("none of its
    network interfaces has an IPv4 address", fact sheet §12.5)."""
    t = Tracer(lab)
    packet = Packet(protocol, _NO_ADDRESS_V4, DEFAULT_SOURCE_PORT, _NO_ADDRESS_V4, port or 0)
    try:
        t.block(
            Code.UNASSOCIATED_COMPONENT,
            instance.id,
            HopKind.INSTANCE,
            Step.NO_IPV4,
            packet,
            "reach_over_ipv6",
            instance_id=instance.id,
            subnet_id=instance.subnet.id,
            address=str(instance.ipv6_addresses[0]) if instance.ipv6_addresses else "—",
        )
    except Blocked as blocked:
        return Analysis(
            False, blocked.code, blocked.component, t.forward, [], _NO_ADDRESS_V4, _NO_ADDRESS_V4, protocol.value,
            port or 0, DEFAULT_SOURCE_PORT, blocked.fix, blocked.values,
        )  # fmt: skip
    raise AssertionError("block raises")  # pragma: no cover


def _no_ipv6_address(lab, instance, protocol: Protocol, port) -> Analysis:
    """IPv6 asked of an instance without an IPv6 address: AWS has no code for this (a library code)."""
    t = Tracer(lab)
    packet = Packet(protocol, _NO_ADDRESS, DEFAULT_SOURCE_PORT, _NO_ADDRESS, port or 0)
    fix = "assign_ipv6" if instance.subnet.ipv6_cidr_block is not None else "add_ipv6_block"
    try:
        t.block(
            Code.IPV6_NO_ADDRESS,
            instance.id,
            HopKind.INSTANCE,
            Step.NO_IPV6,
            packet,
            fix,
            instance_id=instance.id,
            subnet_id=instance.subnet.id,
        )
    except Blocked as blocked:
        shown, values, steps = fixes.propose(lab, blocked.fix, blocked.values, packet, False)
        return Analysis(
            False, blocked.code, blocked.component, t.forward, [], _NO_ADDRESS, _NO_ADDRESS, protocol.value,
            port or 0, DEFAULT_SOURCE_PORT, shown, values, steps,
        )  # fmt: skip
    raise AssertionError("block raises")  # pragma: no cover


_NO_ADDRESS = IPv6Address("::")
_NO_ADDRESS_V4 = IPv4Address("0.0.0.0")


def _addresses(lab, end: Endpoint, other: Endpoint, egress: bool, version: int = 4) -> Iterable:
    if end.internet:
        return internet_candidates(lab, other.instance, egress, version)
    if end.address is not None:
        return [end.address]
    instance = end.instance
    if version == 6:  # global addresses: the same inside the VPC and from the internet
        return instance.ipv6_addresses[:1]
    outside = other.address is not None and other.instance is None and not in_vpc(instance.vpc, other.address)
    if other.internet or outside:
        # Seen from the internet an instance is its public address (none: the gateway drops it).
        return [instance.public_ip or instance.private_ip] if egress else [instance.private_ip]
    return [instance.private_ip]


def _trace(context: Context, src: Endpoint, dst: Endpoint, s_addr, d_addr, packet: Packet, dns64=None) -> Analysis:
    t = Tracer(context.lab)
    try:
        if dns64 is not None:  # the IPv4 address asked for, which DNS64 turned into d_addr
            nat64.dns64(t, src.instance, dns64, packet)
        _route_packet(context, t, src, dst, packet)
    except Blocked as blocked:
        on_return = bool(t.return_) and t.path is t.return_
        fix, values, steps = fixes.propose(context.lab, blocked.fix, blocked.values, t.path[-1].packet, on_return)
        return Analysis(
            blocked.reachable,
            blocked.code,
            blocked.component,
            t.forward,
            t.return_,
            s_addr,
            d_addr,
            packet.protocol.value,
            packet.destination_port,
            packet.source_port,
            fix,
            values,
            steps,
        )
    return Analysis(
        True,
        None,
        None,
        t.forward,
        t.return_,
        s_addr,
        d_addr,
        packet.protocol.value,
        packet.destination_port,
        packet.source_port,
    )


def _route_packet(context: Context, t: Tracer, src: Endpoint, dst: Endpoint, packet: Packet) -> None:
    lab = context.lab
    source = src.instance
    target = dst.instance if dst.instance is not None and _holds(dst.instance, packet.destination) else None
    public_target = context.public_owner.get(packet.destination)
    if source is None:
        # From the internet (or an address outside the lab) to an address of the lab.
        t.hop(INTERNET, HopKind.INTERNET, Step.INTERNET_SOURCE, packet, address=str(packet.source))
        owner = public_target
        if owner is None and packet.destination in context.unsupported_owner:
            t.unsupported(context.unsupported_owner[packet.destination], packet)
        if not isinstance(owner, Instance | NetworkInterface):
            _unmapped(t, lab, dst, packet, owner)
        inside = t.in_from_internet(packet, owner)
        t.returning()
        t.reply_to_internet(owner, inside.reply())
        back = inside.reply() if packet.destination.version == 6 else inside.reply().with_source(owner.public_ip)
        t.hop(INTERNET, HopKind.INTERNET, Step.INTERNET_ARRIVE, back, address=str(packet.source))
        return
    in_own_vpc = in_vpc(source.vpc, packet.destination)
    if in_own_vpc and target is not None and target.vpc is not source.vpc:
        # VPCs with overlapping CIDRs: the local route keeps the packet in the source's VPC, so an
        # address names the instance there; another VPC's instance is never reached this way.
        target = _local_owner(lab, source.vpc, packet.destination) if dst.address is not None else None
    if target is not None and target.vpc is source.vpc:
        _within(t, source, target, packet)
        return
    unsupported = context.unsupported_owner.get(packet.destination) if public_target is None else None
    if in_own_vpc and target is None and unsupported is not None:
        # A load balancer, an endpoint, another service's interface: judged up to it, then not at all.
        _inside_to(t, lab, source, packet)
        t.unsupported(unsupported, packet)
    if in_own_vpc and target is None and public_target is None:
        t.block(
            Code.NO_POSSIBLE_DESTINATION,
            None,
            HopKind.INSTANCE,
            Step.ARRIVE,
            packet,
            "no_destination",
            address=str(packet.destination),
        )
    leaving, how = t.out_to_internet(source, packet)
    if how[0] == "nat64":  # from the NAT gateway on, the packet is IPv4 to the embedded address
        public_target = context.public_owner.get(leaving.destination)
        unsupported = context.unsupported_owner.get(leaving.destination) if public_target is None else None
    if target is not None and target.vpc is not source.vpc and public_target is None:
        # Another VPC's instance by its private address: outside that VPC the address is the internet's
        # (a publicly routable VPC CIDR), and no gateway maps it to the instance. No peering is modelled.
        _unmapped(t, lab, dst, leaving, None)
    if isinstance(public_target, Instance | NetworkInterface):
        # Hairpin: out through the gateway and back in to a public address of the lab.
        inside = t.in_from_internet(leaving, public_target)
        t.returning()
        back = t.reply_to_internet(public_target, inside.reply())
        t.reply_from_internet(how, back)
        return
    if public_target is not None:
        t.block(
            Code.NAT_GATEWAY_NO_INBOUND,
            public_target.id,
            HopKind.NAT_GATEWAY,
            Step.NAT_IN,
            leaving,
            "nat_no_inbound",
            nat_id=public_target.id,
        )
    if unsupported is not None:  # outside the VPC: a public address of a load balancer, another VPC ...
        t.unsupported(unsupported, leaving)
    t.hop(INTERNET, HopKind.INTERNET, Step.INTERNET_ARRIVE, leaving, address=str(leaving.destination))
    t.returning()
    t.reply_from_internet(how, leaving.reply())


def _holds(instance, address) -> bool:
    return address == instance.private_ip or address in getattr(instance, "ipv6_addresses", ())


def _local_owner(lab, vpc, address: IPv4Address) -> Instance | NetworkInterface | None:
    for instance in (*lab.instances.values(), *lab.network_interfaces.values()):
        if instance.vpc is vpc and _holds(instance, address) and instance.state is not InstanceState.TERMINATED:
            return instance
    return None


def _inside_to(t: Tracer, lab, source, packet: Packet) -> None:
    """Instance -> a private address of its VPC that no instance holds: as far as the model judges."""
    t.running(source, packet)
    t.security_groups(source, packet, egress=True)
    route = t.route(source.subnet, packet.destination, packet, "add_internet_route")
    subnet = next((s for s in lab.subnets.values() if s.vpc is source.vpc and packet.destination in s.cidr), None)
    if route.is_local and subnet is not None and subnet is not source.subnet:
        t.acl(source.subnet, packet, egress=True)
        t.acl(subnet, packet, egress=False)


def _within(t: Tracer, source: Instance, target: Instance, packet: Packet) -> None:
    t.running(source, packet)
    t.security_groups(source, packet, egress=True)
    t.running(target, packet)
    t.within_vpc(source, target, packet)
    t.returning()
    reply = packet.reply()
    t.stateful(target, reply)
    t.within_vpc(target, source, reply, back=True)


def _unmapped(t: Tracer, lab, dst: Endpoint, packet: Packet, owner) -> None:
    if owner is not None:  # a NAT gateway's address: it answers only connections started behind it
        t.block(
            Code.NAT_GATEWAY_NO_INBOUND,
            owner.id,
            HopKind.NAT_GATEWAY,
            Step.NAT_IN,
            packet,
            "nat_no_inbound",
            nat_id=owner.id,
        )
    instance = dst.instance
    if packet.destination.version == 6 and instance is None:  # no translation: nobody has this address
        t.block(
            Code.NO_POSSIBLE_DESTINATION,
            None,
            HopKind.INSTANCE,
            Step.ARRIVE,
            packet,
            "no_destination",
            address=str(packet.destination),
        )
    gateway = instance.vpc.internet_gateway if instance is not None else None
    component = gateway.id if gateway else (instance.id if instance else None)
    t.block(
        Code.IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS,
        component,
        HopKind.INTERNET_GATEWAY,
        Step.IGW_IN,
        packet,
        "give_public_ip" if instance else "unmapped_address",
        instance_id=instance.id if instance else "",
        address=str(packet.destination),
        nat_hint="",
    )
