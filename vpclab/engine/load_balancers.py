"""Internet-facing load balancers as entry points: which targets the internet reaches through them.

The importer (``vpclab.bridge.aws_lb``) reads ``describe-load-balancers`` (elbv2 and classic), their
listeners, target groups and target health into the plain values below and hangs them on the lab
(``lab.load_balancers``). ``paths_through`` follows the audit recipe of AWS's guides (docs/modelling-
choices.md, "Load balancers"): the balancer is internet-facing and active; one of its subnets admits
internet clients on the listener port and routes their replies to the internet gateway; its security
groups (where it has them) admit those clients; the target's security groups admit the balancer's
groups, its private addresses, or, where a network load balancer keeps the client's address, the
clients themselves, on the target port; and the target's network ACL admits that source both ways.
Target health is shown but does not decide (a network load balancer whose targets all fail their
checks still forwards to all of them; Reachability Analyzer ignores health too).

Each answer is reachable (with the sources), not reachable, or unknown with the missing describe call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network

from ..model.addressing import Protocol
from ..model.resources import RouteState
from . import intervals as iv
from .packets import DEFAULT_SOURCE_PORT, Packet
from .rules import acl_decides

ACTIVE_STATES = (None, "active", "active_impaired", "provisioning")


@dataclass(frozen=True)
class Target:
    id: str  # an instance id, or a private IPv4 address (target type ip)
    port: int
    health: str | None = None  # None: describe-target-health not collected


@dataclass(frozen=True)
class TargetGroup:
    arn: str
    name: str
    target_type: str  # instance | ip | lambda | alb
    protocol: str
    port: int | None
    targets: tuple[Target, ...] | None  # None: describe-target-health not collected
    preserve_client_ip: bool | None  # the attribute as read; None: not collected (the API default applies)


@dataclass(frozen=True)
class Listener:
    port: int
    protocol: str
    target_groups: tuple[TargetGroup, ...]


@dataclass(frozen=True)
class LoadBalancer:
    name: str
    arn: str  # the classic load balancer's name for a classic one
    kind: str  # application | network | gateway | classic
    scheme: str
    state: str | None
    vpc_id: str
    region: str
    subnet_ids: tuple[str, ...]
    security_groups: tuple[str, ...] | None  # None: it has none (a network load balancer may not)
    listeners: tuple[Listener, ...] | None  # None: describe-listeners not collected
    public_ips: tuple[str, ...] = ()
    private_ips: tuple[str, ...] = ()

    @property
    def internet_facing(self) -> bool:
        return self.scheme == "internet-facing"


@dataclass(frozen=True)
class LoadBalancerPath:
    """The internet reaches ``target_id`` (an instance or a secondary interface) through ``load_balancer``."""

    load_balancer: str
    kind: str
    listener_port: int
    protocol: str
    target_port: int
    sources: tuple[IPv4Network, ...]
    health: str | None


@dataclass
class PathVerdicts:
    reachable: dict[str, list[LoadBalancerPath]] = field(default_factory=dict)  # end id -> paths
    unknown: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # end id -> (what, describe key)


def _protocol(text: str) -> Protocol:
    return Protocol.UDP if text.lower() in ("udp", "tcp_udp") else Protocol.TCP


def preserves_client_ip(balancer: LoadBalancer, group: TargetGroup) -> bool:
    """Does the target see the client's address? ALBs and classic ones never; an NLB per its attribute,
    else the API's default (instance targets and UDP: yes; ip targets over TCP/TLS: no)."""
    if balancer.kind != "network":
        return False
    if group.preserve_client_ip is not None:
        return group.preserve_client_ip
    return group.target_type == "instance" or group.protocol.lower() in ("udp", "tcp_udp")


def _group_sources(groups, port: int, protocol: Protocol, egress: bool = False) -> iv.Intervals:
    """The addresses the rules of these groups admit on ``port`` (CIDR rules only)."""
    found = iv.EMPTY
    for group in groups:
        for rule in group.rules:
            wanted = rule.egress == egress and rule.cidr is not None and rule.protocol.covers(protocol)
            if wanted and (rule.ports is None or rule.ports.contains(port)):
                found = iv.union(found, iv.of(rule.cidr))
    return found


def _admits_group(groups, peer_ids: tuple[str, ...], port: int, protocol: Protocol) -> bool:
    return any(
        rule.group_id in peer_ids
        and rule.protocol.covers(protocol)
        and (rule.ports is None or rule.ports.contains(port))
        for group in groups
        for rule in group.rules
        if not rule.egress and rule.group_id is not None
    )


def _acl_allowed(acl, protocol: Protocol, port: int, egress: bool) -> iv.Intervals:
    """Peers whose packets on ``port`` the ACL allows in that direction (first matching rule wins)."""
    decided = allowed = iv.EMPTY
    for entry in acl.rules(egress):
        if entry.protocol.covers(protocol) and (entry.ports is None or entry.ports.contains(port)):
            if entry.action.value == "allow":
                allowed = iv.union(allowed, iv.subtract(iv.of(entry.cidr), decided))
            decided = iv.union(decided, iv.of(entry.cidr))
    return allowed


def _front(shared, balancer: LoadBalancer, listener: Listener, placeholders: set[str]):
    """Internet clients that reach the balancer's listener and get a reply, or a (what, key) unknown."""
    lab, protocol = shared.lab, _protocol(listener.protocol)
    sources = iv.EMPTY
    for subnet_id in balancer.subnet_ids:
        subnet = lab.subnets.get(subnet_id)
        if subnet is None:
            return None, (subnet_id, "Subnets")
        table = lab.route_table_of(subnet)
        for component, key in ((table.id, "RouteTables"), (subnet.network_acl.id, "NetworkAcls")):
            if component in placeholders:
                return None, (component, key)
        gateway = subnet.vpc.internet_gateway
        default = table.lookup(IPv4Address("8.8.8.8"))
        if (
            gateway is None
            or default is None
            or default.target is not gateway
            or default.state is not RouteState.ACTIVE
        ):
            continue  # not a public subnet: no node of it answers the internet
        inbound = _acl_allowed(subnet.network_acl, protocol, listener.port, egress=False)
        replies = iv.intersect(shared.reply_set(subnet, protocol), inbound)
        sources = iv.union(sources, replies)
    if balancer.security_groups is not None:
        groups = [lab.security_groups.get(g) for g in balancer.security_groups]
        if any(g is None for g in groups):
            return None, (next(g for g in balancer.security_groups if g not in lab.security_groups), "SecurityGroups")
        sources = iv.intersect(sources, _group_sources(groups, listener.port, protocol))
    return iv.intersect(sources, shared.internet), None


def _target_end(lab, balancer: LoadBalancer, group: TargetGroup, target: Target):
    """The instance or secondary interface a target names, or None (outside the lab: not judged here)."""
    if group.target_type == "instance":
        found = lab.instances.get(target.id)
        # An IPv6-only instance has no IPv4 for the balancer to reach: IPv6 targets are not judged here.
        return found if found is not None and found.private_ip is not None else None
    try:
        address = IPv4Address(target.id)
    except ValueError:
        return None
    for end in (*lab.instances.values(), *lab.network_interfaces.values()):
        if end.private_ip == address and end.vpc.id == balancer.vpc_id:
            return end
    return None


def _back(lab, balancer: LoadBalancer, group: TargetGroup, end, port: int, clients: iv.Intervals, placeholders):
    """The clients (or all of them, through the balancer's own addresses) the target side lets in; or
    a (what, key) unknown where the snapshot lacks the target's groups, its ACL or the balancer's private
    addresses."""
    protocol = _protocol(group.protocol)
    groups, acl = end.security_groups, end.subnet.network_acl
    for component, key in (*((g.id, "SecurityGroups") for g in groups), (acl.id, "NetworkAcls")):
        if component in placeholders:
            return None, (component, key)
    if preserves_client_ip(balancer, group):
        admitted = _group_sources(groups, port, protocol)
        if balancer.security_groups:
            admitted = iv.union(
                admitted, clients if _admits_group(groups, balancer.security_groups, port, protocol) else iv.EMPTY
            )
        reach = iv.intersect(clients, admitted)
        reach = iv.intersect(reach, _acl_allowed(acl, protocol, port, egress=False))
        return iv.intersect(reach, _acl_allowed(acl, protocol, DEFAULT_SOURCE_PORT, egress=True)), None
    # The target sees the balancer's own private addresses.
    by_group = bool(balancer.security_groups) and _admits_group(groups, balancer.security_groups, port, protocol)
    if not balancer.private_ips:
        if by_group and _acl_lets_vpc(acl, protocol, port, lab, balancer):
            return clients, None
        return None, (balancer.name, "NetworkInterfaces")
    admitted = _group_sources(groups, port, protocol)
    for address in balancer.private_ips:
        ip = IPv4Address(address)
        if not by_group and not iv.contains(admitted, ip):
            continue
        request = Packet(protocol, ip, DEFAULT_SOURCE_PORT, end.private_ip, port)
        if acl_decides(acl, request, egress=False).action.value != "allow":
            continue
        if acl_decides(acl, request.reply(), egress=True).action.value != "allow":
            continue
        return clients, None
    return iv.EMPTY, None


def _acl_lets_vpc(acl, protocol: Protocol, port: int, lab, balancer: LoadBalancer) -> bool:
    """Without the balancer's addresses: does the ACL let every address of its subnets in and back?"""
    wanted = iv.EMPTY
    for subnet_id in balancer.subnet_ids:
        if subnet_id in lab.subnets and lab.subnets[subnet_id].cidr is not None:
            wanted = iv.union(wanted, iv.of(lab.subnets[subnet_id].cidr))
    inbound = _acl_allowed(acl, protocol, port, egress=False)
    outbound = _acl_allowed(acl, protocol, DEFAULT_SOURCE_PORT, egress=True)
    return bool(wanted) and iv.subtract(wanted, iv.intersect(inbound, outbound)) == iv.EMPTY


def paths_through(shared, placeholders: set[str], display) -> PathVerdicts:
    """Per instance or interface id: the load-balancer paths the internet has to it, and what is unknown."""
    lab = shared.lab
    verdicts = PathVerdicts()
    for balancer in getattr(lab, "load_balancers", ()):
        if not balancer.internet_facing or balancer.state not in ACTIVE_STATES:
            continue
        if balancer.listeners is None:
            for end_id in _candidates(lab, balancer, placeholders):
                verdicts.unknown.setdefault(end_id, []).append((balancer.name, "Listeners"))
            continue
        for listener in balancer.listeners:
            clients, unknown = _front(shared, balancer, listener, placeholders)
            for group in listener.target_groups:
                if group.targets is None:
                    for end_id in _candidates(lab, balancer, placeholders):
                        verdicts.unknown.setdefault(end_id, []).append((group.name, "TargetHealth"))
                    continue
                for target in group.targets:
                    end = _target_end(lab, balancer, group, target)
                    if end is None:
                        continue
                    if unknown is not None:
                        verdicts.unknown.setdefault(end.id, []).append(unknown)
                        continue
                    if not clients:
                        continue
                    reach, missing = _back(lab, balancer, group, end, target.port, clients, placeholders)
                    if missing is not None:
                        verdicts.unknown.setdefault(end.id, []).append(missing)
                    elif reach:
                        path = LoadBalancerPath(
                            balancer.name,
                            balancer.kind,
                            listener.port,
                            listener.protocol.lower(),
                            target.port,
                            display(reach),
                            target.health,
                        )
                        found = verdicts.reachable.setdefault(end.id, [])
                        if path not in found:
                            found.append(path)
    return verdicts


def _candidates(lab, balancer: LoadBalancer, placeholders: set[str]) -> list[str]:
    """Instances and interfaces of the balancer's VPC whose groups could admit its traffic."""
    vpc = lab.vpcs.get(balancer.vpc_id)
    if vpc is None:
        return []
    return [end.id for end in _ends(lab) if end.vpc is vpc and could_admit_balancer(end, vpc, placeholders)]


def _ends(lab):
    for instance in lab.instances.values():
        yield instance
        yield from instance.interfaces


def could_admit_balancer(end, vpc, placeholders: set[str]) -> bool:
    """Does some inbound rule of the end's groups admit a source a load balancer can have: one of the
    VPC's groups, an address of the VPC (a balancer node), or an internet address (a preserved client)?
    A group the snapshot lacks (a placeholder) may."""
    for group in end.security_groups:
        if group.id in placeholders:
            return True
        for rule in group.rules:
            if rule.egress:
                continue
            if rule.group_id is not None:
                return True
            if rule.cidr is not None and not _private_outside(rule.cidr, vpc):
                return True
    return False


def _private_outside(cidr: IPv4Network, vpc) -> bool:
    """A CIDR inside the private ranges that overlaps none of the VPC's CIDRs (another network's)."""
    return cidr.is_private and not any(cidr.overlaps(block) for block in vpc.cidrs)


__all__ = [
    "Listener",
    "LoadBalancer",
    "LoadBalancerPath",
    "PathVerdicts",
    "Target",
    "TargetGroup",
    "could_admit_balancer",
    "paths_through",
    "preserves_client_ip",
]
