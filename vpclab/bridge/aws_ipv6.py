"""The importer's IPv6 and Block Public Access parts: VPC and subnet IPv6 blocks, the IPv6 addresses of
network interfaces, egress-only internet gateways, and each Region's Block Public Access mode and
exclusions (fact sheet §12–§14). Each function takes the ``Importer`` of ``aws_import``.

Choices (docs/modelling-choices.md, "Importing a real account"):

- Only blocks in state ``associated`` count (``associating`` is not yet usable, the rest are gone).
  moto writes the state as the text of a dict (fact sheet §12.8); that text is read the same way.
- A Region whose snapshot lacks ``describe-vpc-block-public-access-options`` takes its mode from the
  ``BlockPublicAccessStates`` its VPCs carry (describe-vpcs has them since November 2024); without
  either, the mode is ``off`` (as for every account before BPA existed, and the default) and the
  missing call is listed. The Region's exclusions are then judged unknown only where it matters: a path
  that a known mode blocks is unknown while the exclusions are not collected.
- Early SDKs named the modes ``bidirectional-access-allowed`` / ``-blocked`` and
  ``ingress-access-blocked``: read as ``off``, ``block-bidirectional`` and ``block-ingress``.
"""

from __future__ import annotations

from ..model.errors import AwsSnapshotError
from ..model.imported import exclusions_placeholder
from ..model.ipv6_pool import SUBNET_IPV6_PREFIXES, VPC_IPV6_PREFIXES, block_counter
from ..model.resources import (
    BlockPublicAccessMode,
    EgressOnlyInternetGateway,
    ExclusionMode,
    VpcBlockPublicAccessExclusion,
    VpcBlockPublicAccessOptions,
)
from .aws_nodes import Node

IPV6_ADDRESSES_PER_INTERFACE = 50  # the most any instance type allows (EC2 "IP addresses per network interface")
_EARLY_MODE_NAMES = {
    "bidirectional-access-allowed": "off",
    "bidirectional-access-blocked": "block-bidirectional",
    "ingress-access-blocked": "block-ingress",
}
_IN_EFFECT = {"create-complete", "update-complete", "update-in-progress", "update-failed"}  # exclusion states


def associated(entry: Node, key: str) -> bool:
    """Is a CIDR association in effect? An absent state counts as associated (hand-made snapshots)."""
    value = entry.value.get(key) if isinstance(entry.value, dict) else None
    if value is None:
        return True
    if not isinstance(value, str):
        value = entry.child(key).text("State", optional=True)
    # moto writes "{'State': 'associated'}", in place of the object or of its State (fact sheet §12.8).
    return value in (None, "associated") or "'associated'" in value


# ---- blocks --------------------------------------------------------------------------------------------
def vpc_blocks(imp, node: Node, vpc) -> None:
    """The VPC's IPv6 blocks, each checked: a size AWS gives, and no overlap with another VPC's."""
    for entry in node.items("Ipv6CidrBlockAssociationSet"):
        if not associated(entry, "Ipv6CidrBlockState"):
            continue
        block = entry.cidr6("Ipv6CidrBlock")
        taken = any(block.overlaps(b) for v in imp.lab.vpcs.values() for b in v.ipv6_cidr_blocks)
        if block.prefixlen not in VPC_IPV6_PREFIXES or taken or any(block.overlaps(b) for b in vpc.ipv6_cidr_blocks):
            raise AwsSnapshotError("InvalidAwsSnapshot:value", where=entry.at("Ipv6CidrBlock").where, value=str(block))
        vpc.ipv6_cidr_blocks.append(block)
        association = entry.id("AssociationId", "vpc-cidr-assoc", optional=True) or imp.generated("vpc-cidr-assoc")
        vpc.ipv6_cidr_association_ids.append(association)


def subnet_block(imp, node: Node, subnet) -> None:
    """The subnet's IPv6 block (one at most is associated) and its auto-assign setting."""
    blocks = [e for e in node.items("Ipv6CidrBlockAssociationSet") if associated(e, "Ipv6CidrBlockState")]
    if len(blocks) > 1:
        raise AwsSnapshotError("InvalidAwsSnapshot:value", where=node.at("Ipv6CidrBlockAssociationSet").where, value=2)
    if blocks:
        entry = blocks[0]
        block = entry.cidr6("Ipv6CidrBlock")
        vpc = subnet.vpc
        inside = [b for b in vpc.ipv6_cidr_blocks if block.subnet_of(b)]
        if block.prefixlen not in SUBNET_IPV6_PREFIXES or not inside:
            raise AwsSnapshotError("InvalidAwsSnapshot:value", where=entry.at("Ipv6CidrBlock").where, value=str(block))
        mine = [s for s in imp.lab.subnets.values() if s.vpc is vpc and s.ipv6_cidr_block is not None]
        other = next((s for s in mine if s.ipv6_cidr_block.overlaps(block)), None)
        if other is not None:
            raise AwsSnapshotError(
                "InvalidAwsSnapshot:overlap", where=entry.at("Ipv6CidrBlock").where, value=str(block), id=other.id
            )
        subnet.ipv6_cidr_block = block
        subnet.ipv6_cidr_association_id = entry.id(
            "AssociationId", "subnet-cidr-assoc", optional=True
        ) or imp.generated("subnet-cidr-assoc")
    # AWS refuses the setting on a subnet without an IPv6 block; an emulator (moto) keeps it: left off.
    subnet.assign_ipv6_address_on_creation = subnet.ipv6_cidr_block is not None and node.flag(
        "AssignIpv6AddressOnCreation", False
    )


def move_block_counter(imp) -> None:
    """The lab's /56 counter past every block of the Region pools the account holds, so that
    ``associate_vpc_cidr_block`` never hands one out again."""
    lab = imp.lab
    for vpc in lab.vpcs.values():
        for block in vpc.ipv6_cidr_blocks:
            index = block_counter(vpc.region or lab.region, block)
            if index is not None:
                lab.ipv6_block_counter = max(lab.ipv6_block_counter, index + 1)


# ---- addresses -------------------------------------------------------------------------------------------
def interface_addresses(imp, sources: list[Node], holder, owner_id: str) -> None:
    """The IPv6 addresses of one interface, from every description of it, into ``holder.ipv6_addresses``."""
    subnet = holder.subnet
    found = []
    for source in sources:
        for entry in source.items("Ipv6Addresses"):
            found.append((entry.ip6("Ipv6Address"), entry.at("Ipv6Address").where))
        if source.has("Ipv6Address"):  # the primary IPv6 address, also given on its own
            found.append((source.ip6("Ipv6Address"), source.at("Ipv6Address").where))
    for address, where in found:
        if address in holder.ipv6_addresses:
            continue
        block = subnet.ipv6_cidr_block
        if block is None or address not in block:
            raise AwsSnapshotError(
                "InvalidAwsSnapshot:outside_subnet", where=where, value=str(address), id=subnet.id, cidr=str(block)
            )
        offset = int(address) - int(block.network_address)
        if offset < 4 or address == block.broadcast_address:  # AWS never assigns these (fact sheet §12.1)
            raise AwsSnapshotError("InvalidAwsSnapshot:value", where=where, value=str(address))
        if address in subnet.used_ipv6_addresses:
            holder_id = subnet.used_ipv6_addresses[address]
            raise AwsSnapshotError("InvalidAwsSnapshot:address_in_use", where=where, value=str(address), id=holder_id)
        if len(holder.ipv6_addresses) >= IPV6_ADDRESSES_PER_INTERFACE:
            raise AwsSnapshotError("InvalidAwsSnapshot:value", where=where, value=f"{len(found)} IPv6 addresses")
        subnet.used_ipv6_addresses[address] = owner_id
        holder.ipv6_addresses.append(address)


def other_addresses(node: Node) -> list:
    """The IPv6 addresses of an interface (or instance) outside the model, listed with its IPv4 ones."""
    found = [entry.ip6("Ipv6Address") for entry in node.items("Ipv6Addresses")]
    if node.has("Ipv6Address"):  # an instance's primary IPv6 address, given on its own
        found.append(node.ip6("Ipv6Address"))
    return list(dict.fromkeys(found))


# ---- egress-only internet gateways ------------------------------------------------------------------------
def egress_only_gateways(imp) -> None:
    lab = imp.lab
    for node, region in imp.of("EgressOnlyInternetGateways"):
        gateway_id = imp.new_id(node, "EgressOnlyInternetGatewayId", "eigw", lab.egress_only_internet_gateways)
        if gateway_id is None:
            continue
        attached = [
            a for a in node.items("Attachments") if a.text("State", optional=True) in (None, "attached", "attaching")
        ]
        if not attached:
            continue  # detaching or detached: being deleted, its routes already blackholes
        if len(attached) > 1:  # attached at creation to one VPC, for good (fact sheet §13)
            raise AwsSnapshotError("InvalidAwsSnapshot:value", where=node.at("Attachments").where, value=len(attached))
        vpc = imp.vpc_or_note(attached[0], "egress-only-internet-gateway", gateway_id, region)
        if vpc is None:
            continue
        if vpc.egress_only_internet_gateway is not None:  # "only one ... to a VPC at a time" (§13)
            raise AwsSnapshotError("InvalidAwsSnapshot:second_gateway", where=attached[0].at("VpcId").where, id=vpc.id)
        gateway = EgressOnlyInternetGateway(gateway_id, vpc, node.name())
        lab.egress_only_internet_gateways[gateway_id] = vpc.egress_only_internet_gateway = gateway


def inferred_gateway(imp, table, target_id: str):
    """A route names an egress-only gateway the snapshot does not describe: AWS marks such a route active
    only while the gateway exists, and it belongs to the table's VPC."""
    gateway = EgressOnlyInternetGateway(target_id, table.vpc)
    imp.lab.egress_only_internet_gateways[target_id] = table.vpc.egress_only_internet_gateway = gateway
    return gateway


# ---- Block Public Access -----------------------------------------------------------------------------------
def _mode(node: Node, key: str, enum_type):
    text = (node.text(key, optional=True) or "off").strip().lower()
    text = _EARLY_MODE_NAMES.get(text, text)
    for member in enum_type:
        if member.value == text:
            return member
    raise AwsSnapshotError("InvalidAwsSnapshot:value", where=node.at(key).where, value=text[:80])


def block_public_access(imp) -> None:
    """Each Region's mode and exclusions; what is not collected is listed (see the module's choices)."""
    lab = imp.lab
    regions = sorted({v.region or lab.region for v in lab.vpcs.values()})
    options = {}
    for node, region in imp.of("VpcBlockPublicAccessOptions"):
        options[region] = _mode(node, "InternetGatewayBlockMode", BlockPublicAccessMode)
    for region in regions:
        if region not in options:
            options[region] = _mode_from_vpcs(imp, region)
        mode = options[region]
        if mode is None:
            mode = BlockPublicAccessMode.OFF
            imp.note(
                "block-public-access", f"vpcbpa-options-{region}", region, "not_collected",
                detail=f"VpcBlockPublicAccessOptions ({region})",
            )  # fmt: skip
        if region == lab.region:
            lab.block_public_access.internet_gateway_block_mode = mode
        elif mode is not BlockPublicAccessMode.OFF:
            lab.block_public_access_regions[region] = VpcBlockPublicAccessOptions(mode)
        if not imp.was_collected(region, "VpcBlockPublicAccessExclusions") and mode is not BlockPublicAccessMode.OFF:
            imp.note(
                "block-public-access-exclusions", exclusions_placeholder(region), region, "not_collected",
                detail=f"VpcBlockPublicAccessExclusions ({region})",
            )  # fmt: skip
    for node, region in imp.of("VpcBlockPublicAccessExclusions"):
        _exclusion(imp, node, region)


def _mode_from_vpcs(imp, region: str):
    """The mode the Region's VPCs carry (``BlockPublicAccessStates``), or None where none does."""
    found = set()
    for node, vpc_region in imp.of("Vpcs"):
        states = node.child("BlockPublicAccessStates") if vpc_region == region else None
        if states is not None and states.has("InternetGatewayBlockMode"):
            found.add(_mode(states, "InternetGatewayBlockMode", BlockPublicAccessMode))
    if len(found) > 1:  # one Region has one mode: the stricter one is what a VPC may meet
        return BlockPublicAccessMode.BLOCK_BIDIRECTIONAL
    return found.pop() if found else None


def _exclusion(imp, node: Node, region: str) -> None:
    lab = imp.lab
    exclusion_id = imp.new_id(node, "ExclusionId", "vpcbpa-exclude", lab.block_public_access_exclusions)
    state = (node.text("State", optional=True) or "create-complete").lower()
    if exclusion_id is None or state not in _IN_EFFECT:
        return  # being created, failed, being deleted or deleted: not in effect
    arn = node.text("ResourceArn", optional=True) or ""
    kind, _, resource_id = arn.rpartition(":")[2].partition("/")
    table = {"vpc": lab.vpcs, "subnet": lab.subnets}.get(kind)
    if table is None or not resource_id:
        raise AwsSnapshotError("InvalidAwsSnapshot:value", where=node.at("ResourceArn").where, value=arn[:80])
    resource = table.get(resource_id)
    if resource is None:  # a VPC or subnet a filtered describe call left out: it changes nothing here
        detail = f"{'Vpcs' if kind == 'vpc' else 'Subnets'} ({region})"
        imp.note("block-public-access-exclusion", exclusion_id, resource_id, "not_collected", detail=detail)
        return
    if any(x.resource is resource for x in lab.block_public_access_exclusions.values()):
        raise AwsSnapshotError("InvalidAwsSnapshot:duplicate_id", where=node.at("ResourceArn").where, id=resource_id)
    mode = _mode(node, "InternetGatewayExclusionMode", ExclusionMode)
    exclusion = VpcBlockPublicAccessExclusion(
        exclusion_id,
        mode,
        resource if kind == "vpc" else None,
        resource if kind == "subnet" else None,
        node.name(),
    )
    lab.block_public_access_exclusions[exclusion_id] = exclusion
