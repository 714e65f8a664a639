"""Where to look when the question says "some internet host" or "some port".

The rules that decide a verdict are CIDRs and port ranges, so the verdict is constant between their
boundaries: one address per stretch between CIDR boundaries, and one port per stretch between
port-range boundaries, is enough to find a reachable one if any exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from ipaddress import IPv4Address

from ..model.addressing import NAT64_PREFIX, NOT_ROUTABLE, RFC1918, RFC6598, Protocol, is_internet_address
from ..model.resources import Instance

DEFAULT_PORTS = {Protocol.TCP: 80, Protocol.UDP: 53}


def _relevant(lab, instance: Instance | None):
    """Security groups, ACLs and route tables that a packet to or from ``instance`` can meet."""
    if instance is None:
        return [], [], []
    subnets = [instance.subnet] + [n.subnet for n in lab.nat_gateways.values() if n.vpc is instance.vpc]
    acls = list({id(s.network_acl): s.network_acl for s in subnets}.values())
    tables = list({id(t): t for t in (lab.route_table_of(s) for s in subnets)}.values())
    return instance.security_groups, acls, tables


def candidate_hosts(lab, instance: Instance | None, egress: bool, default: IPv4Address) -> Iterator[IPv4Address]:
    """``default`` first, then one internet address per stretch between rule boundaries — lazily:
    the first host usually answers, and the rest is then never computed."""
    yield default
    groups, acls, tables = _relevant(lab, instance)
    blocks = [r.cidr for g in groups for r in g.rules if r.cidr is not None]
    blocks += [e.cidr for a in acls for e in a.entries.values()]
    blocks += [route.destination for t in tables for route in t.routes.values()]
    if default.version == 6:
        yield from _ipv6_candidates(instance, blocks, default)
        return
    blocks = [b for b in blocks if b.version == 4]
    # Internet hosts are judged per VPC: another VPC's publicly routable CIDR is the internet here.
    vpcs = [instance.vpc] if instance is not None else lab.vpcs.values()
    excluded = [*RFC1918, RFC6598, *NOT_ROUTABLE] + [c for v in vpcs for c in v.cidrs]
    edges = {0}
    for block in (*blocks, *excluded):
        edges.add(int(block.network_address))
        edges.add(int(block.broadcast_address) + 1)
    # Integer spans: RFC 1918, RFC 6598 and never-routable space (is_internet_address) and the lab's VPCs.
    spans = [(int(c.network_address), int(c.broadcast_address)) for c in excluded]
    public = None  # the lab's own public addresses, gathered only if a boundary falls in the Region's pool
    for edge in sorted(e for e in edges if e < 2**32):
        if any(low <= edge <= high for low, high in spans):
            continue
        address = IPv4Address(edge)
        if address == default:
            continue
        if lab._pool.index(address) is not None:
            if public is None:
                public = {i.public_ip for i in (*lab.instances.values(), *lab.network_interfaces.values())}
                public |= {e.public_ip for e in lab.elastic_ips.values()}
            if address in public:
                continue
        yield address


def _ipv6_candidates(instance, blocks, default) -> Iterator:
    """IPv6 space is too large to walk: the first and the next address of each rule's block."""
    own = instance.vpc.ipv6_cidr_blocks if instance is not None else []
    seen = {default}
    for block in blocks:
        if block.version != 6:
            continue
        for address in (block.network_address, block.network_address + 1):
            # 64:ff9b::/96 stands for IPv4 hosts (NAT64), not for an IPv6 internet host.
            nat64 = address in NAT64_PREFIX
            if (
                address not in seen
                and is_internet_address(address)
                and not nat64
                and not any(address in b for b in own)
            ):
                seen.add(address)
                yield address


def candidate_ports(lab, instance: Instance | None, protocol: Protocol) -> list[int]:
    groups, acls, _ = _relevant(lab, instance)
    ranges = [r.ports for g in groups for r in g.rules if r.ports is not None and r.protocol is protocol]
    ranges += [e.ports for a in acls for e in a.entries.values() if e.ports is not None and e.protocol is protocol]
    starts = sorted({p.first for p in ranges})
    others = sorted({p.last + 1 for p in ranges if p.last < 65535} - set(starts))
    return list(dict.fromkeys([*starts, DEFAULT_PORTS[protocol], *others]))
