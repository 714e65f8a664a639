"""The IPv6 half of the exposure report: what the internet reaches on an instance's IPv6 address,
and whether the instance reaches the internet over IPv6 (and through which gateway).

IPv6 space is too large for the interval sets of the IPv4 half, and the rules that admit it are few,
so each inbound security-group rule with an IPv6 block is asked of ``analyze`` itself: from the
block's first internet address, on each port where the subnet's IPv6 ACL entries change their mind.
The answers therefore never disagree with ``analyze``. Sources are shown as the rule's block.
"""

from __future__ import annotations

import itertools
from ipaddress import IPv6Address

from ..model.addressing import ALL_PORTS, PortRange, Protocol, is_internet_address
from .analysis import analyze_with
from .endpoints import DEFAULT_INTERNET_HOST_V6
from .packets import ECHO_REQUEST_V6
from .vocabulary import Step

OUTBOUND_PORT = 443
_PROTOCOLS = (Protocol.TCP, Protocol.UDP, Protocol.ICMPV6)


def ipv6_exposure(context, instance, entry) -> None:
    """Fill the entry's IPv6 fields (``ipv6_addresses``, ``inbound_v6*``, ``outbound_v6*``)."""
    address = instance.ipv6_addresses[0]
    entry.ipv6_addresses = [str(a) for a in instance.ipv6_addresses]
    found, first_block = [], None
    for group in instance.security_groups:
        for rule in group.rules:
            if rule.egress or rule.cidr is None or rule.cidr.version != 6:
                continue
            client = _client(rule.cidr)
            if client is None:
                continue
            for protocol in _PROTOCOLS:
                if not rule.protocol.covers(protocol):
                    continue
                for ports in _stretches(instance, rule.ports, protocol):
                    result = analyze_with(context, str(client), str(address), protocol.value, ports.first, None)
                    if result.reachable:
                        found.append((protocol.value, ports, rule.cidr))
                    elif first_block is None:
                        first_block = (result.code, result.blocked_at)
    entry.inbound_v6 = _merge(found)
    if first_block is None and not found:
        probe = analyze_with(context, str(DEFAULT_INTERNET_HOST_V6), str(address), "tcp", 80, None)
        first_block = (probe.code, probe.blocked_at)
    entry.inbound_v6_code, entry.inbound_v6_blocked_at = first_block or (None, None)
    result = analyze_with(context, instance, "internet", "tcp", OUTBOUND_PORT, None, 6)
    gateways = [h.component for h in result.forward if h.step in (Step.IGW6_OUT, Step.EIGW_OUT)]
    entry.outbound_v6 = result.reachable
    entry.outbound_v6_via = gateways[0] if result.reachable and gateways else None
    entry.outbound_v6_code = result.code
    entry.outbound_v6_blocked_at = result.blocked_at


def _client(block) -> IPv6Address | None:
    """An internet address of the block: the default client if the block holds it, else its first."""
    if DEFAULT_INTERNET_HOST_V6 in block:
        return DEFAULT_INTERNET_HOST_V6
    for candidate in (block.network_address, block.network_address + 1):
        if is_internet_address(candidate):
            return candidate
    return None


def _stretches(instance, ports: PortRange | None, protocol: Protocol) -> list[PortRange]:
    """The rule's ports cut where the subnet's IPv6 ACL entries start or stop (ICMPv6: echo only)."""
    if protocol is Protocol.ICMPV6:
        echo = PortRange(ECHO_REQUEST_V6, ECHO_REQUEST_V6)
        return [echo] if ports is None or ports.matches_icmp(ECHO_REQUEST_V6, 0) else []
    span = ports or ALL_PORTS
    edges = {span.first, span.last + 1}
    for entry in instance.subnet.network_acl.entries.values():
        if entry.cidr.version == 6 and not entry.egress and entry.ports is not None:
            edges |= {p for p in (entry.ports.first, entry.ports.last + 1) if span.first < p <= span.last}
    return [PortRange(low, high - 1) for low, high in itertools.pairwise(sorted(edges))]


def _merge(found) -> list:
    from .exposure import ExposedPorts  # the report's own value type

    merged: list = []
    for protocol, ports, block in sorted(found, key=lambda f: (f[0], f[1].first, str(f[2]))):
        last = merged[-1] if merged else None
        if last and last.protocol == protocol and last.sources == (block,) and last.ports.last + 1 == ports.first:
            merged[-1] = ExposedPorts(protocol, PortRange(last.ports.first, ports.last), (block,))
        else:
            merged.append(ExposedPorts(protocol, ports, (block,)))
    return merged
