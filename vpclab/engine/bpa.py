"""VPC Block Public Access as the engine sees it: does the Region's mode stop this internet path?

Checked before routes, network ACLs and security groups (fact sheet §14.6): BPA "supersedes any
existing VPC settings". The subnet whose traffic meets the gateway decides: an instance's own subnet
for the internet gateway and the egress-only gateway, the NAT gateway's subnet for traffic through a
NAT gateway (its internet leg leaves from there, §14.3).

Choices where the sources are silent (docs/modelling-choices.md): a subnet's exclusion wins over its
VPC's (the more specific one); in ``block-ingress`` mode an instance's own outbound connection through
the internet gateway is blocked too ("only traffic to and from NAT gateways and egress-only internet
gateways is allowed").
"""

from __future__ import annotations

import enum

from ..model.imported import exclusions_placeholder
from ..model.resources import BlockPublicAccessMode, ExclusionMode


class Via(enum.Enum):
    """How a path meets the internet."""

    INTERNET_GATEWAY = "igw"
    NAT_GATEWAY = "nat"
    EGRESS_ONLY_GATEWAY = "eigw"


def exclusion_for(lab, subnet):
    """The exclusion that applies to the subnet: its own, else its VPC's, else None."""
    found = None
    for exclusion in lab.block_public_access_exclusions.values():
        if exclusion.subnet is subnet:
            return exclusion
        if exclusion.vpc is subnet.vpc:
            found = exclusion
    return found


def blocks(lab, subnet, inbound: bool, via: Via) -> bool:
    """Does Block Public Access drop a connection that meets the internet this way from ``subnet``?

    ``inbound``: the connection starts on the internet. Replies travel with their connection.
    """
    mode = lab.block_public_access_of(subnet.vpc).internet_gateway_block_mode
    if mode is BlockPublicAccessMode.OFF:
        return False
    exclusion = exclusion_for(lab, subnet)
    if exclusion is not None and exclusion.mode is ExclusionMode.ALLOW_BIDIRECTIONAL:
        return False
    if mode is BlockPublicAccessMode.BLOCK_INGRESS:
        # Only NAT gateways and egress-only gateways may carry connections that start inside;
        # allow-egress "only applies when VPC Block Public Access is set to Bidirectional".
        return inbound or via is Via.INTERNET_GATEWAY
    allow_egress = exclusion is not None and exclusion.mode is ExclusionMode.ALLOW_EGRESS
    return inbound or not allow_egress


def unknown_exclusions(lab, subnet) -> str | None:
    """The placeholder id when an imported lab lacks the exclusions of the subnet's Region (then a path its
    mode blocks is unknown, never "blocked": an exclusion the snapshot does not show may leave it open)."""
    placeholder = exclusions_placeholder(subnet.vpc.region or lab.region)
    return placeholder if any(u.id == placeholder for u in lab.unsupported) else None
