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
from ipaddress import IPv4Address

from ..model import wording
from ..model.addressing import Protocol, parse_ip, parse_protocol
from ..model.errors import InvalidParameterError
from ..model.i18n import tr
from ..model.resources import Instance, InstanceState, NetworkInterface
from . import fixes
from .packets import DEFAULT_SOURCE_PORT, ECHO_REQUEST, Blocked, Hop, Packet
from .paths import Tracer
from .search import candidate_hosts, candidate_ports

INTERNET = "internet"
DEFAULT_INTERNET_HOST = IPv4Address("198.51.100.10")  # a documentation address: an internet host here


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


def _internet_candidates(lab, instance: Instance | None, egress: bool) -> Iterable[IPv4Address]:
    return candidate_hosts(lab, instance, egress, DEFAULT_INTERNET_HOST)


class Context:
    """Indexes of the lab built once per question (or once per exposure report)."""

    def __init__(self, lab) -> None:
        self.lab = lab
        self.public_owner: dict = {}
        self.private_owner: dict = {}
        for instance in lab.instances.values():
            if instance.state is not InstanceState.TERMINATED:
                self.private_owner.setdefault(instance.private_ip, instance)
                if instance.public_ip is not None:
                    self.public_owner[instance.public_ip] = instance
        for nat in lab.nat_gateways.values():
            if nat.public_ip is not None:
                self.public_owner[nat.public_ip] = nat
        # An imported lab: the secondary interfaces of instances are endpoints like the instances, and
        # the addresses of what the import could not model lead to reachable=None, never to a guess.
        for interface in lab.network_interfaces.values():
            if interface.state is not InstanceState.TERMINATED:
                self.private_owner.setdefault(interface.private_ip, interface)
                if interface.public_ip is not None:
                    self.public_owner[interface.public_ip] = interface
        self.unsupported_owner = {IPv4Address(a): u for u in lab.unsupported for a in u.addresses}


class _Endpoint:
    def __init__(self, instance: Instance | None = None, address: IPv4Address | None = None, internet=False):
        self.instance, self.address, self.internet = instance, address, internet


def _classify(context: Context, value) -> _Endpoint:
    lab = context.lab
    if isinstance(value, Instance):
        return _Endpoint(lab._get("i", value))
    if isinstance(value, NetworkInterface):  # a secondary interface of an imported instance
        return _Endpoint(lab._get("eni", value))
    if isinstance(value, str) and value.strip().lower() == INTERNET:
        return _Endpoint(internet=True)
    if isinstance(value, str) and value.strip().startswith("i-"):
        return _Endpoint(lab._get("i", value.strip()))
    if isinstance(value, str) and value.strip().startswith("eni-"):
        return _Endpoint(_interface(lab, value.strip()))
    address = parse_ip(value, "address")
    owner = context.private_owner.get(address) or context.public_owner.get(address)
    return _Endpoint(owner if isinstance(owner, Instance | NetworkInterface) else None, address)


def _interface(lab, interface_id: str):
    """An instance by its primary interface's id, or a secondary interface."""
    for instance in lab.instances.values():
        if instance.network_interface_id == interface_id and instance.state is not InstanceState.TERMINATED:
            return instance
    return lab._get("eni", interface_id)


def _in_lab(lab, address: IPv4Address) -> bool:
    return any(address in block for vpc in lab.vpcs.values() for block in vpc.cidrs)


def _handed_out(lab, address: IPv4Address) -> bool:
    """A public address this lab handed out at some time: mapped now, or released since (the contract
    answers an internet source aimed at one with IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS, not an error)."""
    index = lab._pool.index(address)
    return index is not None and index < lab.public_ip_counter


def analyze(lab, source, destination, protocol="tcp", port=None, source_port=None) -> Analysis:
    """See ``Lab.analyze``."""
    return analyze_with(Context(lab), source, destination, protocol, port, source_port)


def analyze_with(context: Context, source, destination, protocol, port, source_port) -> Analysis:
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
    src, dst = _classify(context, source), _classify(context, destination)
    if (src.internet or (src.instance is None and not _in_lab(lab, src.address))) and (
        dst.internet
        or (
            dst.instance is None
            and dst.address not in context.public_owner
            and dst.address not in context.unsupported_owner
            and not _in_lab(lab, dst.address)
            and not _handed_out(lab, dst.address)
        )
    ):
        raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:outside_lab")
    protocols = [Protocol.TCP, Protocol.UDP, Protocol.ICMP] if proto is Protocol.ALL else [proto]
    sport = DEFAULT_SOURCE_PORT if source_port is None else source_port
    lab_side = src.instance or dst.instance
    best: Analysis | None = None
    for each in protocols:
        if port is not None:
            ports = [port]
        elif each is Protocol.ICMP:
            ports = [ECHO_REQUEST]
        else:
            ports = candidate_ports(lab, lab_side, each)
        for dport in ports:
            for s_addr in _addresses(lab, src, dst, egress=False):
                for d_addr in _addresses(lab, dst, src, egress=True):
                    result = _trace(context, src, dst, s_addr, d_addr, Packet(each, s_addr, sport, d_addr, dport))
                    if result.reachable:
                        return result
                    if best is None or _progress(result) > _progress(best):
                        best = result
    return best


def _progress(result: Analysis) -> int:
    # None ("cannot judge") outranks any plain failure: it got as far as the model can see.
    return len(result.forward) + len(result.return_) + (1000 if result.reachable is None else 0)


def _addresses(lab, end: _Endpoint, other: _Endpoint, egress: bool) -> Iterable[IPv4Address]:
    if end.internet:
        return _internet_candidates(lab, other.instance, egress)
    if end.address is not None:
        return [end.address]
    instance = end.instance
    if other.internet or (other.address is not None and other.instance is None and not _in_lab(lab, other.address)):
        # Seen from the internet an instance is its public address (none: the gateway drops it).
        return [instance.public_ip or instance.private_ip] if egress else [instance.private_ip]
    return [instance.private_ip]


def _trace(context: Context, src: _Endpoint, dst: _Endpoint, s_addr, d_addr, packet: Packet) -> Analysis:
    t = Tracer(context.lab)
    try:
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


def _route_packet(context: Context, t: Tracer, src: _Endpoint, dst: _Endpoint, packet: Packet) -> None:
    lab = context.lab
    source = src.instance
    target = dst.instance if dst.instance is not None and packet.destination == dst.instance.private_ip else None
    public_target = context.public_owner.get(packet.destination)
    if source is None:
        # From the internet (or an address outside the lab) to an address of the lab.
        t.hop(INTERNET, "internet", "internet_source", packet, address=str(packet.source))
        owner = public_target
        if owner is None and packet.destination in context.unsupported_owner:
            t.unsupported(context.unsupported_owner[packet.destination], packet)
        if not isinstance(owner, Instance | NetworkInterface):
            _unmapped(t, lab, dst, packet, owner)
        inside = t.in_from_internet(packet, owner)
        t.returning()
        t.reply_to_internet(owner, inside.reply())
        t.hop(
            INTERNET,
            "internet",
            "internet_arrive",
            inside.reply().with_source(owner.public_ip),
            address=str(packet.source),
        )
        return
    in_own_vpc = any(packet.destination in block for block in source.vpc.cidrs)
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
            "NO_POSSIBLE_DESTINATION",
            None,
            "instance",
            "arrive",
            packet,
            "no_destination",
            address=str(packet.destination),
        )
    leaving, how = t.out_to_internet(source, packet)
    if isinstance(public_target, Instance | NetworkInterface):
        # Hairpin: out through the gateway and back in to a public address of the lab.
        inside = t.in_from_internet(leaving, public_target)
        t.returning()
        back = t.reply_to_internet(public_target, inside.reply())
        t.reply_from_internet(how, back)
        return
    if public_target is not None:
        t.block(
            "NAT_GATEWAY_NO_INBOUND",
            public_target.id,
            "nat-gateway",
            "nat_in",
            leaving,
            "nat_no_inbound",
            nat_id=public_target.id,
        )
    if unsupported is not None:  # outside the VPC: a public address of a load balancer, another VPC ...
        t.unsupported(unsupported, leaving)
    t.hop(INTERNET, "internet", "internet_arrive", leaving, address=str(packet.destination))
    t.returning()
    t.reply_from_internet(how, leaving.reply())


def _local_owner(lab, vpc, address: IPv4Address) -> Instance | NetworkInterface | None:
    for instance in (*lab.instances.values(), *lab.network_interfaces.values()):
        if instance.vpc is vpc and instance.private_ip == address and instance.state is not InstanceState.TERMINATED:
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


def _unmapped(t: Tracer, lab, dst: _Endpoint, packet: Packet, owner) -> None:
    if owner is not None:  # a NAT gateway's address: it answers only connections started behind it
        t.block("NAT_GATEWAY_NO_INBOUND", owner.id, "nat-gateway", "nat_in", packet, "nat_no_inbound", nat_id=owner.id)
    instance = dst.instance
    gateway = instance.vpc.internet_gateway if instance is not None else None
    component = gateway.id if gateway else (instance.id if instance else None)
    t.block(
        "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS",
        component,
        "internet-gateway",
        "igw_in",
        packet,
        "give_public_ip" if instance else "unmapped_address",
        instance_id=instance.id if instance else "",
        address=str(packet.destination),
        nat_hint="",
    )
