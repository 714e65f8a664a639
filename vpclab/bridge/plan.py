"""What the three exporters share: which resources a real account would get, and why others are left out.

The exporters describe the lab as it is now (not the steps that built it). Blackhole routes, deleted
or failed NAT gateways and terminated instances have no counterpart a template could create; they
are left out with a comment that says why. The VPC's own main route table, default security group
and default network ACL exist as soon as the VPC does: they are written out only where the lab
changed them.
"""

from __future__ import annotations

import copy
import re
from ipaddress import IPv4Network, IPv6Network

from ..model.addressing import GROUP_TEXT, Protocol
from ..model.errors import InvalidParameterError
from ..model.imported import UnsupportedTarget
from ..model.resources import (
    Action,
    Instance,
    InstanceState,
    InternetGateway,
    NatGateway,
    NatGatewayState,
    NetworkAclEntry,
    NetworkInterface,
    RouteState,
    RouteTable,
    SecurityGroupRule,
)

ANYWHERE = IPv4Network("0.0.0.0/0")
ANYWHERE_V6 = IPv6Network("::/0")
AMI_PLACEHOLDER = "ami-0abcdef1234567890"  # the AWS documentation's example id: replace it with a real AMI
INSTANCE_TYPE = "t3.micro"


def original_main_table(lab, vpc) -> RouteTable:
    """The main table the VPC was created with (the first of its tables), which may no longer be main."""
    return next(t for t in lab.route_tables.values() if t.vpc is vpc)


def exported_routes(table: RouteTable) -> list:
    """The routes a template creates: not the local ones, not the blackholes, not those to
    components vpclab does not model (an imported account's peering connections, transit gateways …),
    not those to a secondary network interface (a firewall appliance's), which is not exported."""
    return [
        r
        for r in table.routes.values()
        if not r.is_local
        and r.state is RouteState.ACTIVE
        and not isinstance(r.target, UnsupportedTarget | NetworkInterface)
    ]


def skipped_routes(table: RouteTable) -> list[tuple[object, str]]:
    """(route, reason) for each route left out: blackholes, targets outside the model, and secondary
    network interfaces (the source account's ``eni-`` id means nothing in another account)."""
    skipped = []
    for route in table.routes.values():
        if isinstance(route.target, UnsupportedTarget):
            skipped.append(
                (route, f"blackhole (its target {route.target.id} ({route.target.kind}) is outside vpclab's model)")
            )
        elif isinstance(route.target, NetworkInterface) and route.state is RouteState.ACTIVE:
            owner = route.target.instance.id
            skipped.append(
                (
                    route,
                    f"its target is {route.target.id}, a secondary network interface of {owner}, which is not "
                    "exported (attach an interface to that instance and route to it by hand)",
                )
            )
        elif route.state is RouteState.BLACKHOLE:
            skipped.append((route, f"blackhole ({blackhole_reason(route)})"))
    return skipped


def regions_of(lab) -> list[str]:
    return sorted({v.region or lab.region for v in lab.vpcs.values()} or {lab.region})


def for_region(lab, region: str | None, tool: str):
    """The lab to export: itself, or for a lab of several Regions, only ``region``'s VPCs and what they
    hold (one template, configuration or script per Region). A lab of several Regions without
    ``region``, or a Region it does not have, is refused: one file cannot create subnets in two."""
    regions = regions_of(lab)
    if region is None and len(regions) > 1:
        raise InvalidParameterError(
            "InvalidParameterValue", "InvalidParameterValue:export_regions", tool=tool, regions=", ".join(regions)
        )
    if region is None or regions == [region]:
        return lab
    if region not in regions:
        raise InvalidParameterError(
            "InvalidParameterValue", "InvalidParameterValue:export_region", region=region, regions=", ".join(regions)
        )
    view = copy.deepcopy(lab)
    kept = {v.id for v in view.vpcs.values() if (v.region or lab.region) == region}
    for name in ("vpcs", "subnets", "route_tables", "security_groups", "network_acls", "nat_gateways"):
        table = getattr(view, name)
        for key in [k for k, item in table.items() if (item.id if name == "vpcs" else item.vpc.id) not in kept]:
            del table[key]
    for name in ("instances", "network_interfaces"):
        table = getattr(view, name)
        for key in [k for k, item in table.items() if item.subnet.vpc.id not in kept]:
            del table[key]
    for key, gateway in list(view.internet_gateways.items()):
        if gateway.vpc.id not in kept if gateway.vpc is not None else region != lab.region:
            del view.internet_gateways[key]
    for key, eip in list(view.elastic_ips.items()):
        holder = eip.instance or eip.network_interface or getattr(eip, "nat_gateway", None)
        if holder.vpc.id not in kept if holder is not None else region != lab.region:
            del view.elastic_ips[key]
    for key, gateway in list(view.egress_only_internet_gateways.items()):
        if gateway.vpc.id not in kept:
            del view.egress_only_internet_gateways[key]
    for key, exclusion in list(view.block_public_access_exclusions.items()):
        if (exclusion.vpc or exclusion.subnet.vpc).id not in kept:
            del view.block_public_access_exclusions[key]
    # Block Public Access is a setting of each Region: the view carries the exported Region's.
    first = next(iter(view.vpcs.values()), None)
    if first is not None:
        view.block_public_access = view.block_public_access_of(first)
    view.block_public_access_regions = {}
    for vpc in view.vpcs.values():
        vpc.region = None
    view.region = region
    return view


def blackhole_reason(route) -> str:
    target = route.target
    if isinstance(target, InternetGateway):
        return (
            "its internet gateway was deleted" if target.deleted else "its internet gateway is not attached to this VPC"
        )
    if isinstance(target, NatGateway):
        return f"its NAT gateway is {target.state.value}"
    if isinstance(target, Instance):
        return f"its instance is {target.state.value}"
    return "its target no longer exists"


def default_sg_rule_keys(group) -> set[tuple]:
    return {SecurityGroupRule(False, Protocol.ALL, None, group_id=group.id).key, *new_group_rule_keys(group)}


def new_group_rule_keys(group) -> set[tuple]:
    """The egress rules AWS gives a new group: all out, and all out over IPv6 in a VPC with an IPv6 block
    (fact sheet §12.3; the exports request the block before any group changes)."""
    keys = {SecurityGroupRule(True, Protocol.ALL, None, cidr=ANYWHERE).key}
    if group.vpc.ipv6_cidr_blocks:
        keys.add(SecurityGroupRule(True, Protocol.ALL, None, cidr=ANYWHERE_V6).key)
    return keys


def default_group_changed(group) -> bool:
    """Do the default security group's rules differ from AWS's (all from itself in, all out)?"""
    return {r.key for r in group.rules} != default_sg_rule_keys(group)


def allows_all_out(group) -> bool:
    """Does the group still have the allow-all egress rule that AWS puts in every new group?"""
    return SecurityGroupRule(True, Protocol.ALL, None, cidr=ANYWHERE).key in {r.key for r in group.rules}


def default_acl_entries(vpc=None) -> dict[tuple[bool, int], NetworkAclEntry]:
    """AWS's entries of a default ACL: 100 allow all, and 101 allow all over IPv6 once the VPC has a block."""
    entries = {
        (egress, 100): NetworkAclEntry(100, egress, Protocol.ALL, None, ANYWHERE, Action.ALLOW)
        for egress in (False, True)
    }
    if vpc is not None and vpc.ipv6_cidr_blocks:
        for egress in (False, True):
            entries[(egress, 101)] = NetworkAclEntry(101, egress, Protocol.ALL, None, ANYWHERE_V6, Action.ALLOW)
    return entries


def default_acl_changed(acl) -> bool:
    return acl.entries != default_acl_entries(acl.vpc)


def acl_entries(acl) -> list[NetworkAclEntry]:
    """The ACL's own entries (the ``*`` rules are AWS's and never written), inbound first, by number."""
    return sorted(acl.entries.values(), key=lambda e: (e.egress, e.rule_number))


def live_instances(lab) -> list:
    return [i for i in lab.instances.values() if i.state is not InstanceState.TERMINATED]


def gone_instances(lab) -> list:
    return [i for i in lab.instances.values() if i.state is InstanceState.TERMINATED]


def routing_instances(lab) -> list:
    """Running or stopped instances that some exported route points at: AWS needs their source/destination
    check turned off to forward other hosts' traffic (the lab does not model that check)."""
    targets = {id(r.target) for t in lab.route_tables.values() for r in exported_routes(t)}
    return [i for i in live_instances(lab) if id(i) in targets]


def live_nat_gateways(lab) -> list:
    return [n for n in lab.nat_gateways.values() if n.state is NatGatewayState.AVAILABLE]


def gone_nat_gateways(lab) -> list:
    return [n for n in lab.nat_gateways.values() if n.state is not NatGatewayState.AVAILABLE]


def nat_reason(nat) -> str:
    if nat.state is NatGatewayState.FAILED:
        return f"it failed ({nat.failure_code})"
    return "it was deleted"


def in_secondary_cidr(subnet) -> IPv4Network | None:
    """The secondary VPC CIDR the subnet lies in (it must wait for that CIDR's association), or None."""
    return next((c for c in subnet.vpc.cidrs[1:] if subnet.cidr.subnet_of(c)), None)


def header_lines(lab, tool: str) -> list[str]:
    lines = [
        f"{tool} for the vpclab lab in {lab.region}, generated from its state (not its history).",
        "Review before use: the AMI is a placeholder and every public IPv4 address and NAT gateway is billed",
        "(see lab.cost()).",
    ]
    # An imported account may route to components vpclab does not model: say what is not exported.
    outside = sorted(
        {
            (r.target.id, r.target.kind)
            for t in lab.route_tables.values()
            for r in t.routes.values()
            if isinstance(r.target, UnsupportedTarget)
        }
    )
    if outside:
        lines.append("Not exported (outside vpclab's model), with every route to them:")
        lines += [f"  {target} ({kind})" for target, kind in outside]
    if getattr(lab, "network_interfaces", None):
        lines.append("Not exported: secondary network interfaces " + ", ".join(sorted(lab.network_interfaces)))
    return lines


# ---- IPv6, the egress-only gateway, Block Public Access (fact sheet §12-§14) ----------------------------
def ipv6_subnet_number(subnet) -> int | None:
    """Which /64 of its VPC's first IPv6 block the subnet holds (0-255), or None.

    A real account gets another Amazon /56 than the lab, so templates carve the subnet's /64 from
    whatever block the VPC receives (``cidrsubnet(…, 8, n)``, ``!Cidr``) rather than copy the lab's.
    """
    block = subnet.ipv6_cidr_block
    if block is None or not subnet.vpc.ipv6_cidr_blocks or not block.subnet_of(subnet.vpc.ipv6_cidr_blocks[0]):
        return None
    return (int(block.network_address) - int(subnet.vpc.ipv6_cidr_blocks[0].network_address)) >> 64


def ipv6_left_out(lab) -> list[str]:
    """What the exporters cannot write for IPv6: a VPC's extra /56s and the subnets carved from them."""
    lines = []
    for vpc in lab.vpcs.values():
        lines += [
            f"Left out: IPv6 block {block} of {vpc.id} (only the first is requested)."
            for block in vpc.ipv6_cidr_blocks[1:]
        ]
    for subnet in lab.subnets.values():
        if subnet.ipv6_cidr_block is not None and ipv6_subnet_number(subnet) is None:
            lines.append(
                f"Left out: IPv6 block {subnet.ipv6_cidr_block} of {subnet.id} (not in the VPC's first block)."
            )
    return lines


def block_public_access_mode(lab) -> str | None:
    """The Region's Block Public Access mode when it is not ``off`` (a template cannot set ``off``, §14.4)."""
    mode = lab.block_public_access.internet_gateway_block_mode.value
    return None if mode == "off" else mode


def is_ipv6(cidr) -> bool:
    return getattr(cidr, "version", 4) == 6


def eip_comment(eip) -> str | None:
    """What an Elastic IP's export must say: idle (billed, associated with nothing), or in use by a
    secondary network interface that is not exported (associate it by hand: it is not idle, and
    releasing it would cut that interface off)."""
    if eip.network_interface is not None:
        return (
            f"In use on {eip.network_interface.id}, a secondary network interface of "
            f"{eip.network_interface.instance.id}, which is not exported: associate it by hand (not idle)."
        )
    return "Not associated with anything: billed while allocated." if not eip.associated else None


# The model refuses other text since CreateSecurityGroup does; a lab saved before that, or built by
# from_json, may still hold some, so an export renames it rather than write what AWS refuses.
_GROUP_TEXT = re.compile(GROUP_TEXT.pattern[:-1])  # one allowed character


def group_name(group) -> str:
    """The group's name as AWS accepts it: the characters it allows, else ``vpclab-group-<digits of its id>``."""
    kept = "".join(_GROUP_TEXT.findall(group.group_name)).strip()[:255]
    if not kept or kept.lower().startswith("sg-") or kept != group.group_name:
        return f"vpclab-group-{group.id.partition('-')[2]}"[:255]
    return kept


def group_description(group) -> str:
    """The description as AWS accepts it: the allowed characters, else the group's exported name."""
    kept = "".join(_GROUP_TEXT.findall(group.description or "")).strip()[:255]
    return kept if kept == group.description and kept else group_name(group)


def group_text_note(group) -> str | None:
    """Why an export renamed a group (AWS refuses Korean text and some punctuation in names and descriptions)."""
    if group_name(group) == group.group_name and group_description(group) == group.description:
        return None
    return (
        f"AWS accepts only a-z A-Z 0-9 spaces and ._-:/()#,@[]+=&;{{}}!$* in a group's name and description: "
        f"{group.id} ({group.group_name!r}) is exported as {group_name(group)!r}, its description as "
        f"{group_description(group)!r}."
    )
