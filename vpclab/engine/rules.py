"""How one packet meets one component: security-group rules, network-ACL rules, route lookup.

Security groups: allow rules only, the union of all groups on the interface; a rule that names a
group matches the *private* addresses of that group's members only, never an internet address (EC2
User Guide, "Security group rules"). Network ACLs: lowest rule number first, first match decides,
the ``*`` rule denies the rest. Protocol ``-1`` matches every protocol and port.
"""

from __future__ import annotations

from ipaddress import IPv4Address

from ..model.resources import (
    InstanceState,
    NetworkAcl,
    NetworkAclEntry,
    SecurityGroup,
    SecurityGroupRule,
    star_rule,
)
from .packets import Packet


def _port_matches(ports, packet: Packet) -> bool:
    if ports is None:
        return True
    if packet.protocol.is_icmp:
        return ports.matches_icmp(packet.destination_port, 0)
    return ports.contains(packet.destination_port)


def group_members(lab, group_id: str) -> set[IPv4Address]:
    """Private addresses of the running or stopped instances that carry the group (on any interface)."""
    members = set()
    for i in (*lab.instances.values(), *lab.network_interfaces.values()):
        if i.state is not InstanceState.TERMINATED and any(g.id == group_id for g in i.security_groups):
            if i.private_ip is not None:  # an IPv6-only instance has none
                members.add(i.private_ip)  # a group reference covers IPv6 too (fact sheet §12.3)
            members.update(getattr(i, "ipv6_addresses", ()))
    return members


def sg_rule_matches(lab, rule: SecurityGroupRule, packet: Packet, peer: IPv4Address) -> bool:
    if not rule.protocol.covers(packet.protocol) or not _port_matches(rule.ports, packet):
        return False
    if rule.cidr is not None:
        return peer.version == rule.cidr.version and peer in rule.cidr  # IPv4 rules never match IPv6
    return peer in group_members(lab, rule.group_id)


def security_groups_allow(
    lab, groups: list[SecurityGroup], packet: Packet, egress: bool
) -> tuple[SecurityGroup, SecurityGroupRule] | None:
    """The first (group, rule) that lets the packet through, or None. The peer is the far end."""
    peer = packet.destination if egress else packet.source
    for group in groups:
        for rule in group.rules:
            if rule.egress == egress and sg_rule_matches(lab, rule, packet, peer):
                return group, rule
    return None


def groups_have_rules(groups: list[SecurityGroup], egress: bool) -> bool:
    return any(rule.egress == egress for group in groups for rule in group.rules)


def acl_decides(acl: NetworkAcl, packet: Packet, egress: bool) -> NetworkAclEntry:
    """The entry that decides: the first, by rule number, that matches; the ``*`` deny otherwise."""
    peer = packet.destination if egress else packet.source
    rules = acl.rules(egress)
    for entry in rules:
        same_family = entry.cidr.version == peer.version
        if (
            same_family
            and entry.protocol.covers(packet.protocol)
            and _port_matches(entry.ports, packet)
            and peer in entry.cidr
        ):
            return entry
    return star_rule(egress, peer.version)
