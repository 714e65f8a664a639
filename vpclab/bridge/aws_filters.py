"""The importer's network ACLs and security groups (with their entries and rules), each function taking the
``Importer`` of ``aws_import``. IPv4 and IPv6 entries and rules are both modelled; what a rule or entry
cannot mean for a packet of tcp, udp, icmp or icmpv6 (another IP protocol, ICMP with the other family's
peer, a group of another VPC or account) is listed, not modelled.
"""

from __future__ import annotations

from ..model.addressing import ALL_PORTS, ANY_ICMP, PROTOCOL_SPELLINGS, Protocol, parse_ports
from ..model.errors import AwsSnapshotError, VpcLabError
from ..model.resources import Action, NetworkAcl, NetworkAclEntry, SecurityGroup, SecurityGroupRule
from .aws_nodes import Node

_PROTOCOLS = PROTOCOL_SPELLINGS  # IpProtocol / Protocol as describe output spells them


def _family_fits(protocol: Protocol, version: int) -> bool:
    """ICMP is IPv4's and ICMPv6 IPv6's: with the other family's peer a rule matches no packet at all."""
    return not protocol.is_icmp or (protocol is Protocol.ICMPV6) == (version == 6)


# ---- network ACLs ------------------------------------------------------------------------------
def network_acls(imp) -> None:
    lab = imp.lab
    for node, region in imp.of("NetworkAcls"):
        acl_id = imp.new_id(node, "NetworkAclId", "acl", lab.network_acls)
        if acl_id is None:
            continue
        vpc = imp.vpc_or_note(node, "network-acl", acl_id, region)
        if vpc is None:
            continue
        acl = NetworkAcl(acl_id, vpc, node.flag("IsDefault", False), node.name())
        for entry in node.items("Entries"):
            _acl_entry(imp, acl, entry)
        if acl.is_default:
            if vpc.default_network_acl is not None:
                raise AwsSnapshotError("InvalidAwsSnapshot:second_default", where=node.at("IsDefault").where, id=vpc.id)
            vpc.default_network_acl = acl
        lab.network_acls[acl_id] = acl
        for association in node.items("Associations"):
            subnet_id = association.id("SubnetId", "subnet")
            subnet = lab.subnets.get(subnet_id)
            if subnet is None:  # a filtered describe-subnets: listed, what is there still loads
                imp.note("subnet", subnet_id, acl_id, "not_collected", detail=f"Subnets ({region})")
                continue
            if subnet.vpc is not vpc or subnet.network_acl is not None:
                raise AwsSnapshotError(
                    "InvalidAwsSnapshot:reference", where=association.at("SubnetId").where, id=subnet_id
                )
            subnet.network_acl = acl
            subnet.network_acl_association_id = association.id("NetworkAclAssociationId", "aclassoc", True) or ""


def _acl_entry(imp, acl: NetworkAcl, entry: Node) -> None:
    number, egress = entry.number("RuleNumber"), entry.flag("Egress")
    if number >= 32767:
        return  # the "*" rules (32767 IPv4, 32768 IPv6): implicit in every ACL
    cidr = entry.cidr6("Ipv6CidrBlock") if not entry.has("CidrBlock") and entry.has("Ipv6CidrBlock") else None
    text = entry.text("Protocol").lower()
    protocol = _PROTOCOLS.get(text)
    if protocol is None or not _family_fits(protocol, 6 if cidr is not None else 4):
        # Another IP protocol (GRE, ESP ...), or ICMP for the other family, never matches a modelled packet.
        imp.note("network-acl-entry", f"{acl.id} #{number}", acl.id, "protocol", detail=text[:20])
        return
    ports = None
    if protocol.has_ports:
        span = entry.child("PortRange")
        ports = _ports(protocol, span, "From", "To") if span is not None else ALL_PORTS
    elif protocol.is_icmp:
        code = entry.child("IcmpTypeCode")
        ports = _ports(protocol, code, "Type", "Code") if code is not None else ANY_ICMP
    action = entry.text("RuleAction").lower()
    if action not in ("allow", "deny") or not 1 <= number <= 32766 or (egress, number) in acl.entries:
        raise AwsSnapshotError("InvalidAwsSnapshot:value", where=entry.where, value=f"{number} {action}"[:80])
    acl.entries[(egress, number)] = NetworkAclEntry(
        number, egress, protocol, ports, cidr or entry.cidr("CidrBlock"), Action(action)
    )


def _ports(protocol: Protocol, node: Node, low: str, high: str):
    first, last = node.number(low, optional=True), node.number(high, optional=True)
    first, last = -1 if first is None else first, -1 if last is None else last
    if protocol.has_ports and first == -1 and last == -1:
        return ALL_PORTS
    try:
        return parse_ports(protocol, (first, last))
    except VpcLabError:
        raise AwsSnapshotError("InvalidAwsSnapshot:value", where=node.where, value=f"{first}-{last}") from None


# ---- security groups ------------------------------------------------------------------------------
def security_groups(imp) -> None:
    lab = imp.lab
    pending = []
    for node, region in imp.of("SecurityGroups"):
        group_id = imp.new_id(node, "GroupId", "sg", lab.security_groups)
        if group_id is None:
            continue
        if not node.has("VpcId"):  # an EC2-Classic group
            imp.note("security-group", group_id, "EC2-Classic", "no_subnet")
            continue
        vpc = imp.vpc_or_note(node, "security-group", group_id, region)
        if vpc is None:
            continue
        group = SecurityGroup(group_id, vpc, node.text("GroupName"), node.text("Description", True) or "", node.name())
        if any(g.vpc is vpc and g.group_name == group.group_name for g in lab.security_groups.values()):
            # AWS keeps group names unique per VPC; a hand-made snapshot may not. The first keeps the name.
            imp.note("security-group", group_id, vpc.id, "duplicate_group_name", detail=group.group_name)
            group.group_name = f"{group.group_name} ({group_id})"[:256]
        lab.security_groups[group_id] = group
        if group.is_default:
            vpc.default_security_group = group
        pending.append((group, node))
    for group, node in pending:  # rules may name any group of the VPC
        keys = set()
        for egress, key in ((False, "IpPermissions"), (True, "IpPermissionsEgress")):
            for permission in node.items(key):
                for rule in _rules(imp, group, permission, egress):
                    if rule.key not in keys:
                        keys.add(rule.key)
                        group.rules.append(rule)


def _rules(imp, group: SecurityGroup, permission: Node, egress: bool):
    text = permission.text("IpProtocol").lower()
    if text not in _PROTOCOLS:
        imp.note("security-group-rule", f"{group.id} {text[:20]}", group.id, "protocol", detail=text[:20])
        return
    protocol = _PROTOCOLS[text]
    ports = None
    if protocol is not Protocol.ALL:
        ports = _ports(protocol, permission, "FromPort", "ToPort")

    def rule(cidr=None, group_id=None) -> SecurityGroupRule:
        return SecurityGroupRule(egress, protocol, ports, cidr, group_id, rule_id=imp.generated("sgr"))

    peers = [entry.cidr("CidrIp") for entry in permission.items("IpRanges")]
    peers += [entry.cidr6("CidrIpv6") for entry in permission.items("Ipv6Ranges")]
    for entry in permission.items("PrefixListIds"):
        list_id = entry.id("PrefixListId", "pl")
        if list_id not in imp.prefix_lists:
            imp.note("prefix-list", list_id, group.id, "prefix_list")
        peers += imp.prefix_lists.get(list_id, [])
    for cidr in peers:
        if _family_fits(protocol, cidr.version):
            yield rule(cidr=cidr)
        else:  # icmp with an IPv6 peer, icmpv6 with an IPv4 one: the rule matches nothing
            imp.note("security-group-rule", f"{group.id} {text} {cidr}", group.id, "protocol", detail=text[:20])
    for entry in permission.items("UserIdGroupPairs"):
        peer_id = entry.id("GroupId", "sg")
        peer = imp.lab.security_groups.get(peer_id)
        if peer is None or peer.vpc is not group.vpc:
            # A group of another VPC or account matches only addresses there, never one of this VPC's
            # or the internet's: leaving the rule out changes no answer the lab can give.
            imp.note("security-group-rule", f"{group.id} → {peer_id}", group.id, "foreign_group", detail=peer_id)
            continue
        yield rule(group_id=peer_id)
