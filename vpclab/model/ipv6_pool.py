"""Amazon-provided IPv6 blocks: a VPC's /56, drawn deterministically from the Region's real range.

``AssociateVpcCidrBlock(AmazonProvidedIpv6CidrBlock=true)`` gives "an Amazon-provided IPv6 CIDR
block with a /56 prefix length for the VPC. You cannot specify the range" (fact sheet §12.1). The
lab draws it from the EC2 IPv6 range AWS publishes for the Region (``ip-ranges.json``, service EC2),
walking a fixed permutation of its /56 slots, so the same notebook gets the same block on every run
and two VPCs never share one. Kept apart from ``regions.py`` on purpose: it is one small table.
"""

from __future__ import annotations

from ipaddress import IPv6Network

VPC_IPV6_PREFIX = 56
SUBNET_IPV6_PREFIX = 64  # fact sheet §12.1: the kit accepts only /64 subnets from an Amazon /56
# What a lab file may hold: a real account's blocks (Lab.from_aws) may come from BYOIP or IPAM pools,
# whose VPC blocks run from /44 to /60 and subnet blocks from /44 to /64, in steps of /4 (fact sheet §12.1).
VPC_IPV6_PREFIXES = frozenset(range(44, 61, 4))
SUBNET_IPV6_PREFIXES = frozenset(range(44, 65, 4))

# ip-ranges.json, service EC2, one IPv6 prefix per Region (the largest one published for it).
AMAZON_IPV6_RANGES = {
    "ap-northeast-2": IPv6Network("2406:da12::/36"),
    "ap-northeast-1": IPv6Network("2406:da14::/35"),
    "us-east-1": IPv6Network("2600:1f18::/33"),
    "us-east-2": IPv6Network("2600:1f16::/34"),
    "us-west-1": IPv6Network("2600:1f1c::/36"),
    "us-west-2": IPv6Network("2600:1f14::/34"),
    "eu-west-1": IPv6Network("2a05:d018::/35"),
}

_STRIDE = 2_654_435_761  # odd and prime: coprime to every power of two, so n -> slot is a permutation
_OFFSET = 104_729


def amazon_ipv6_block(region: str, counter: int) -> IPv6Network:
    """The /56 for the ``counter``-th request in ``region`` (counter from 0, never reused)."""
    base = AMAZON_IPV6_RANGES[region]
    slots = 1 << (VPC_IPV6_PREFIX - base.prefixlen)
    slot = (counter * _STRIDE + _OFFSET) % slots
    return IPv6Network((int(base.network_address) + (slot << (128 - VPC_IPV6_PREFIX)), VPC_IPV6_PREFIX))


def block_counter(region: str, block: IPv6Network) -> int | None:
    """The counter that yields ``block`` in ``region``, or None if it is not one of the pool's /56s."""
    base = AMAZON_IPV6_RANGES.get(region)
    if base is None or block.prefixlen != VPC_IPV6_PREFIX or not block.subnet_of(base):
        return None
    slots = 1 << (VPC_IPV6_PREFIX - base.prefixlen)
    slot = (int(block.network_address) - int(base.network_address)) >> (128 - VPC_IPV6_PREFIX)
    return (slot - _OFFSET) * pow(_STRIDE, -1, slots) % slots
