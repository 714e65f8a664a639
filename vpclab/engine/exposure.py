"""``exposure()``: the audit view — what the internet can reach on every instance, and what each can reach.

Inbound is computed over whole address ranges and port ranges at once, with the same rules as
``analyze`` (internet gateway mapping, the subnet's ACL both ways with the client's ephemeral port,
the security groups, the route that carries the reply). The work depends only on a few components,
so it is shared: network-ACL cells per (ACL, protocol), reply sets per (ACL, route table), security
group pieces per (group, subnet), whole answers per (groups, subnet, address) — computed once per
report. Outbound asks ``analyze(instance, "internet", "tcp", 443)`` itself, shared the same way, so
the two views never disagree. ICMP is reported for echo requests (ping).
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field
from ipaddress import IPv4Network

from ..model.addressing import ALL_PORTS, NOT_ROUTABLE, RFC1918, RFC6598, PortRange, Protocol
from ..model.imported import UnsupportedTarget
from ..model.resources import Instance, InstanceState, InternetGateway, NetworkInterface, RouteState
from . import intervals as iv
from .analysis import analyze_with
from .bpa import Via, blocks, unknown_exclusions
from .endpoints import Context
from .exposure_ipv6 import ipv6_exposure
from .packets import DEFAULT_SOURCE_PORT, ECHO_REPLY, ECHO_REQUEST, Packet
from .rules import acl_decides
from .verdicts import UnknownReason, decide, uncollected_instances
from .vocabulary import Code, Step

OUTBOUND_PORT = 443  # "can it reach the internet?" means: can it open an HTTPS connection (updates, APIs)
_PROTOCOLS = (Protocol.TCP, Protocol.UDP, Protocol.ICMP)


@dataclass(frozen=True)
class ExposedPorts:
    """Internet sources that can open ``protocol``/``ports`` on the instance (and get a reply)."""

    protocol: str
    ports: PortRange
    sources: tuple[IPv4Network, ...]

    @property
    def label(self) -> str:
        """``tcp 22``, ``icmp echo``, ``icmpv6 echo`` (AWS spells ICMPv6 by its number, 58; the audit asks echo)."""
        if self.protocol in ("icmp", Protocol.ICMPV6.value):
            return f"{'icmp' if self.protocol == 'icmp' else 'icmpv6'} echo"
        return f"{self.protocol} {self.ports}"

    def __str__(self) -> str:
        return f"{self.label} ← {', '.join(map(str, self.sources))}"


@dataclass(frozen=True)
class BlockedRule:
    """A security-group rule that admits internet sources, and what stops (part of) them."""

    protocol: str
    ports: PortRange | None
    cidr: IPv4Network
    code: str
    blocked_at: str


@dataclass
class InstanceExposure:
    instance_id: str
    name: str | None
    private_ip: str | None  # None: an IPv6-only instance
    public_ip: str | None
    subnet_id: str
    interface_id: str | None = None  # a secondary network interface of the instance (imported labs); None: primary
    inbound: list[ExposedPorts] = field(default_factory=list)
    inbound_code: str | None = None  # what blocks the rest (or everything) from the internet
    inbound_blocked_at: str | None = None
    blocked_rules: list[BlockedRule] = field(default_factory=list)
    outbound: bool | None = False
    outbound_via: str | None = None
    outbound_code: str | None = None
    outbound_blocked_at: str | None = None
    # IPv6, reported apart: the instance's own addresses, what reaches them, and whether it reaches out.
    ipv6_addresses: list[str] = field(default_factory=list)
    inbound_v6: list[ExposedPorts] = field(default_factory=list)
    inbound_v6_code: str | None = None
    inbound_v6_blocked_at: str | None = None
    outbound_v6: bool | None = None  # None: the instance has no IPv6 address
    outbound_v6_via: str | None = None
    outbound_v6_code: str | None = None
    outbound_v6_blocked_at: str | None = None
    region: str | None = None
    vpc_id: str | None = None
    via_load_balancers: list = field(default_factory=list)  # LoadBalancerPath: the internet through a balancer
    unknown: list = field(default_factory=list)  # UnknownReason: what leaves an answer open, and what to collect

    @property
    def exposed(self) -> bool:
        return bool(self.inbound or self.inbound_v6 or self.via_load_balancers)

    @property
    def verdict(self) -> str:
        """``exposed`` (the internet reaches it), ``unknown`` (the snapshot cannot say), or ``none``."""
        if self.exposed:
            return "exposed"
        return "unknown" if any(r.direction == "inbound" for r in self.unknown) else "none"


class ExposureReport:
    """One entry per instance (terminated ones left out), followed by one per secondary network interface
    of it (imported labs): each interface has its own subnet, groups and addresses. Iterate it, index it
    by instance id (its primary interface) or interface id, or display it: ``to_data()`` (JSON-ready),
    ``to_text(lang)`` and a Jupyter table."""

    def __init__(self, entries: list[InstanceExposure]) -> None:
        self.instances = entries

    def __iter__(self):
        return iter(self.instances)

    def __len__(self) -> int:
        return len(self.instances)

    def __getitem__(self, instance) -> InstanceExposure:
        key = instance.id if isinstance(instance, Instance | NetworkInterface) else instance
        for entry in self.instances:
            if (entry.instance_id == key and entry.interface_id is None) or entry.interface_id == key:
                return entry
        raise KeyError(key)

    def to_data(self) -> list[dict]:
        def plain(entry: InstanceExposure) -> dict:
            return {
                **{
                    k: v
                    for k, v in entry.__dict__.items()
                    if k not in ("inbound", "blocked_rules", "inbound_v6", "via_load_balancers", "unknown")
                },
                "verdict": entry.verdict,
                "via_load_balancers": [
                    {**p.__dict__, "sources": [str(s) for s in p.sources]} for p in entry.via_load_balancers
                ],
                "unknown": [r.to_data() for r in entry.unknown],
                "inbound": [
                    {
                        "protocol": e.protocol,
                        "ports": [e.ports.first, e.ports.last],
                        "sources": [str(s) for s in e.sources],
                    }
                    for e in entry.inbound
                ],
                "inbound_v6": [
                    {
                        "protocol": "icmpv6" if e.protocol == "58" else e.protocol,  # the groups' own spelling
                        "ports": [e.ports.first, e.ports.last],
                        "sources": [str(x) for x in e.sources],
                    }
                    for e in entry.inbound_v6
                ],
                "blocked_rules": [
                    {
                        "protocol": b.protocol,
                        "ports": [b.ports.first, b.ports.last] if b.ports else None,
                        "cidr": str(b.cidr),
                        "code": b.code,
                        "blocked_at": b.blocked_at,
                    }
                    for b in entry.blocked_rules
                ],
            }

        return [plain(e) for e in self.instances]

    def to_text(self, lang: str | None = None) -> str:
        from ..render.exposure import exposure_text

        return exposure_text(self, lang)

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        from ..render.exposure import exposure_html

        return exposure_html(self)


class _Shared:
    """What one report computes once and reuses."""

    def __init__(self, lab) -> None:
        self.lab = lab
        self.context = Context(lab)
        excluded = iv.EMPTY
        for block in (*RFC1918, RFC6598, *NOT_ROUTABLE, *(c for v in lab.vpcs.values() for c in v.cidrs)):
            excluded = iv.union(excluded, iv.of(block))
        self.internet = iv.complement(excluded)
        self.cells: dict = {}
        self.replies: dict = {}
        self.pieces: dict = {}
        self.answers: dict = {}
        self.outbound: dict = {}
        self.nat_acl_edges: dict = {}
        self.nat_subnets = {n.subnet.id for n in lab.nat_gateways.values()}
        self.route_targets = {
            r.target.id
            for t in lab.route_tables.values()
            for r in t.routes.values()
            if isinstance(r.target, Instance | NetworkInterface)
        }

    def nat_acl_cell(self, instance: Instance) -> int:
        """Where the instance's private address falls among the rule boundaries of the ACLs of its
        VPC's NAT gateway subnets. Those ACLs see the private address as the peer (request in,
        reply out), so two instances that share groups and subnet can still differ there."""
        vpc = instance.vpc
        if vpc.id not in self.nat_acl_edges:
            acls = {
                n.subnet.network_acl.id: n.subnet.network_acl for n in self.lab.nat_gateways.values() if n.vpc is vpc
            }
            self.nat_acl_edges[vpc.id] = sorted(
                {
                    x
                    for acl in acls.values()
                    for e in acl.entries.values()
                    if e.cidr.version == 4
                    for x in _bounds(e.cidr)
                }
            )
        if instance.private_ip is None:  # an IPv6-only instance: the NAT subnet's ACLs see its IPv6 address
            return -1
        return bisect.bisect_right(self.nat_acl_edges[vpc.id], int(instance.private_ip))

    def acl_cells(self, acl, protocol: Protocol) -> list[tuple[PortRange, iv.Intervals]]:
        """Port stretches on which the ACL's inbound decision is constant, with the allowed sources."""
        key = (acl.id, protocol)
        if key not in self.cells:
            entries = [e for e in acl.rules(False) if e.protocol.covers(protocol) and e.cidr.version == 4]
            if protocol is Protocol.ICMP:
                edges = [ECHO_REQUEST, ECHO_REQUEST + 1]
            else:
                edges = sorted({0, 65536, *(p for e in entries if e.ports for p in (e.ports.first, e.ports.last + 1))})
            cells = []
            for low, high in itertools.pairwise(edges):
                probe = Packet(protocol, _ANY, 0, _ANY, low)
                decided = allowed = iv.EMPTY
                for entry in entries:
                    if entry.ports is not None and not _covers_port(entry.ports, probe):
                        continue
                    block = iv.subtract(iv.of(entry.cidr), decided)
                    if entry.action.value == "allow":
                        allowed = iv.union(allowed, block)
                    decided = iv.union(decided, iv.of(entry.cidr))
                cells.append((PortRange(low, high - 1), allowed))
            self.cells[key] = cells
        return self.cells[key]

    def reply_set(self, subnet, protocol: Protocol) -> iv.Intervals:
        """Clients whose reply passes the subnet's outbound ACL and is routed to the VPC's gateway."""
        table = self.lab.route_table_of(subnet)
        key = (subnet.network_acl.id, table.id, protocol)
        if key not in self.replies:
            reply_port = ECHO_REPLY if protocol is Protocol.ICMP else DEFAULT_SOURCE_PORT
            probe = Packet(protocol, _ANY, 0, _ANY, reply_port)
            decided = allowed = iv.EMPTY
            for entry in subnet.network_acl.rules(True):
                if entry.cidr.version != 4:
                    continue
                if entry.protocol.covers(protocol) and (entry.ports is None or _covers_port(entry.ports, probe)):
                    if entry.action.value == "allow":
                        allowed = iv.union(allowed, iv.subtract(iv.of(entry.cidr), decided))
                    decided = iv.union(decided, iv.of(entry.cidr))
            covered = routed = iv.EMPTY
            for route in sorted(
                (r for r in table.routes.values() if r.destination.version == 4), key=lambda r: -r.destination.prefixlen
            ):
                fresh = iv.subtract(iv.of(route.destination), covered)
                good = isinstance(route.target, InternetGateway) and route.target is subnet.vpc.internet_gateway
                if good and route.state is RouteState.ACTIVE:
                    routed = iv.union(routed, fresh)
                covered = iv.union(covered, iv.of(route.destination))
            self.replies[key] = iv.intersect(iv.intersect(allowed, routed), self.internet)
        return self.replies[key]

    def group_pieces(self, group, subnet):
        """(protocol, ports, sources) reachable through one group's rules, and its blocked rules."""
        table = self.lab.route_table_of(subnet)
        key = (group.id, subnet.network_acl.id, table.id)
        if key in self.pieces:
            return self.pieces[key]
        pieces, blocked = [], []
        for rule in group.rules:
            if rule.egress or rule.cidr is None or rule.cidr.version != 4:
                continue  # a group reference never matches an internet address; IPv6 is reported apart
            wanted = iv.intersect(iv.of(rule.cidr), self.internet)
            if not wanted:
                continue
            for protocol in _PROTOCOLS:
                if not rule.protocol.covers(protocol):
                    continue
                span = _rule_span(rule.ports, protocol)
                if span is None:
                    continue
                replies = self.reply_set(subnet, protocol)
                first_gap = None
                for cell, allowed_in in self.acl_cells(subnet.network_acl, protocol):
                    low, high = max(cell.first, span.first), min(cell.last, span.last)
                    if low > high:
                        continue
                    reach = iv.intersect(iv.intersect(wanted, allowed_in), replies)
                    if reach:
                        pieces.append((protocol, PortRange(low, high), reach))
                    gap = iv.subtract(wanted, reach)
                    if gap and first_gap is None:
                        first_gap = (low, iv.first(gap))
                if first_gap is not None:
                    code, at = self._why(subnet, protocol, *first_gap)
                    blocked.append(BlockedRule(protocol.value, span, rule.cidr, str(code), at))
        self.pieces[key] = (pieces, blocked)
        return self.pieces[key]

    def _why(self, subnet, protocol: Protocol, port: int, client) -> tuple[str, str]:
        """In path order, the component that stops a client the security group admits."""
        acl = subnet.network_acl
        request = Packet(protocol, client, DEFAULT_SOURCE_PORT, _ANY, port)
        if acl_decides(acl, request, egress=False).action.value != "allow":
            return Code.SUBNET_ACL_RESTRICTION, acl.id
        if acl_decides(acl, request.reply(), egress=True).action.value != "allow":
            return Code.SUBNET_ACL_RESTRICTION, acl.id
        table = self.lab.route_table_of(subnet)
        route = table.lookup(client)
        if route is None:
            return Code.NO_ROUTE_TO_DESTINATION, table.id
        if route.state is RouteState.BLACKHOLE:
            return Code.BAD_STATE_ROUTE, table.id
        if isinstance(route.target, Instance | NetworkInterface | UnsupportedTarget):
            return Code.UNSUPPORTED_COMPONENT, route.target_id
        return Code.ASYMMETRIC_RETURN_PATH, table.id


_ANY = iv.first(iv.EVERYTHING)
_SELF = object()  # in a shared answer: "the instance being reported"


def _bounds(cidr: IPv4Network) -> tuple[int, int]:
    """First address and one past the last: the edges between which membership is constant."""
    return int(cidr.network_address), int(cidr.broadcast_address) + 1


def _covers_port(ports: PortRange, probe: Packet) -> bool:
    if probe.protocol is Protocol.ICMP:
        return ports.matches_icmp(probe.destination_port, 0)
    return ports.contains(probe.destination_port)


def _rule_span(ports: PortRange | None, protocol: Protocol) -> PortRange | None:
    if protocol is Protocol.ICMP:
        echo = PortRange(ECHO_REQUEST, ECHO_REQUEST)
        return echo if ports is None or ports.matches_icmp(ECHO_REQUEST, 0) else None
    return ports or ALL_PORTS


def _merge(pieces) -> list[ExposedPorts]:
    """Per protocol: port stretches with the union of their sources, adjacent equal stretches joined."""
    merged = []
    for protocol in _PROTOCOLS:
        mine = [(p, a) for proto, p, a in pieces if proto is protocol]
        edges = sorted({e for p, _ in mine for e in (p.first, p.last + 1)})
        runs: list[list] = []
        for low, high in itertools.pairwise(edges):
            sources = iv.EMPTY
            for ports, addresses in mine:
                if ports.first <= low and high - 1 <= ports.last:
                    sources = iv.union(sources, addresses)
            if not sources:
                continue
            if runs and runs[-1][2] == sources and runs[-1][1] == low - 1:
                runs[-1][1] = high - 1
            else:
                runs.append([low, high - 1, sources])
        merged += [ExposedPorts(protocol.value, PortRange(lo, hi), src) for lo, hi, src in runs]
    return merged


def exposure(lab) -> ExposureReport:
    shared = _Shared(lab)
    live = [i for i in lab.instances.values() if i.state is not InstanceState.TERMINATED]
    entries = [_instance(shared, end) for i in live for end in (i, *i.interfaces)]
    decide(shared, entries, lambda sources: _display_sources(shared, sources))
    for instance_id, subnet_id, private, public, region, reasons in uncollected_instances(lab):
        entry = InstanceExposure(instance_id, None, private, public, subnet_id, outbound=None, region=region)
        entry.unknown = reasons + [UnknownReason(r.why, r.component, r.describe, r.region, "outbound") for r in reasons]
        entries.append(entry)
    return ExposureReport(entries)


def _display_sources(shared: _Shared, sources: iv.Intervals) -> tuple[IPv4Network, ...]:
    if sources == shared.internet:
        return (IPv4Network("0.0.0.0/0"),)  # every internet address
    return tuple(iv.to_cidrs(sources))


def _instance(shared: _Shared, instance: Instance | NetworkInterface) -> InstanceExposure:
    """The entry of an instance (its primary interface) or of a secondary interface of one."""
    owner = getattr(instance, "instance", instance)
    entry = InstanceExposure(
        owner.id,
        owner.name,
        str(instance.private_ip) if instance.private_ip is not None else None,
        str(instance.public_ip) if instance.public_ip else None,
        instance.subnet.id,
        instance.id if instance is not owner else None,
    )
    vpc, subnet = instance.vpc, instance.subnet
    groups = tuple(g.id for g in instance.security_groups)
    # The answers depend on the subnet only through its ACL and route table (and, outbound, on
    # whether a NAT gateway lives in it), so subnets that share those share the work. An answer that
    # names the instance itself stores _SELF in its place.
    key = (groups, subnet.network_acl.id, shared.lab.route_table_of(subnet).id, instance.public_ip is not None)
    # An instance or interface that routes carry (a firewall appliance) is a component of the paths it
    # shares the key with: an answer naming it must not be read as naming each of them (_SELF).
    key += (instance.state, instance.id if instance.id in shared.route_targets else None)
    # An IPv6-only instance: no IPv4 in, and out only through its own DNS64 and NAT64 (whose ACLs see
    # its own IPv6 address), so its answers are its own.
    key += (instance.id if instance.private_ip is None else None,)
    if key not in shared.answers:
        inbound, code, at, blocked = _inbound(shared, instance, vpc)
        # Converted to CIDRs once per key: the conversion costs more than the reasoning.
        shown = [ExposedPorts(e.protocol, e.ports, _display_sources(shared, e.sources)) for e in inbound]
        code = str(code) if code is not None else None  # the plain text, as analyze hands it out
        shared.answers[key] = (shown, code, _SELF if at == instance.id else at, blocked)
    inbound, code, at, blocked = shared.answers[key]
    entry.inbound = list(inbound)
    entry.inbound_code, entry.inbound_blocked_at = code, instance.id if at is _SELF else at
    entry.blocked_rules = list(blocked)
    out_key = (*key, shared.nat_acl_cell(instance), subnet.id if subnet.id in shared.nat_subnets else None)
    if out_key not in shared.outbound:
        result = analyze_with(shared.context, instance, "internet", "tcp", OUTBOUND_PORT, None)
        gateways = [h.component for h in result.forward if h.step in (Step.NAT_OUT, Step.NAT64_OUT, Step.IGW_OUT)]
        via = gateways[0] if gateways else None  # a NAT gateway comes before the internet gateway
        at = _SELF if result.blocked_at == instance.id else result.blocked_at
        shared.outbound[out_key] = (result.reachable, via if result.reachable else None, result.code, at)
    entry.outbound, entry.outbound_via, entry.outbound_code, at = shared.outbound[out_key]
    entry.outbound_blocked_at = instance.id if at is _SELF else at
    if getattr(instance, "ipv6_addresses", None):
        ipv6_exposure(shared.context, instance, entry)
    return entry


def _inbound(shared: _Shared, instance: Instance, vpc):
    """(reachable entries, code and component of what blocks the rest, blocked rules)."""
    gateway = vpc.internet_gateway
    unknown = {u.id for u in shared.lab.unsupported if u.why == "not_collected"}  # an imported lab's placeholders
    table = shared.lab.route_table_of(instance.subnet)
    if instance.private_ip is None:  # IPv6-only: none of its interfaces has an IPv4 address (analyze says so too)
        return [], Code.UNASSOCIATED_COMPONENT, instance.id, []
    if instance.public_ip is None:
        return [], Code.IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS, gateway.id if gateway else instance.id, []
    if gateway is None and table.id in unknown:
        return [], Code.UNSUPPORTED_COMPONENT, table.id, []
    if gateway is None:
        return [], Code.BAD_STATE_ATTACHMENT, vpc.id, []
    if instance.state is not InstanceState.RUNNING:
        return [], Code.BAD_STATE, instance.id, []
    if blocks(shared.lab, instance.subnet, True, Via.INTERNET_GATEWAY):
        placeholder = unknown_exclusions(shared.lab, instance.subnet)
        if placeholder is not None:  # an exclusion the snapshot lacks may leave it open
            return [], Code.UNSUPPORTED_COMPONENT, placeholder, []
        return [], Code.VPC_BLOCK_PUBLIC_ACCESS_ENABLED, gateway.id, []
    for component in (instance.subnet.network_acl.id, table.id):
        if component in unknown:
            return [], Code.UNSUPPORTED_COMPONENT, component, []
    pieces, blocked = [], []
    for group in instance.security_groups:
        more, stopped = shared.group_pieces(group, instance.subnet)
        pieces += more
        blocked += [b for b in stopped if b not in blocked]
    merged = _merge(pieces)
    unknown_groups = [g.id for g in instance.security_groups if g.id in unknown]
    if unknown_groups:  # what the known groups admit is shown; the rest cannot be judged
        return merged, Code.UNSUPPORTED_COMPONENT, unknown_groups[0], blocked
    if blocked:
        return merged, blocked[0].code, blocked[0].blocked_at, blocked
    if merged:
        return merged, None, None, []
    has_rules = any(not r.egress for g in instance.security_groups for r in g.rules)
    return [], Code.ENI_SG_RULES_MISMATCH if has_rules else Code.SG_HAS_NO_RULES, instance.security_groups[0].id, []
