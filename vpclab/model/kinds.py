"""The one registry of resource kinds: adding a kind of resource means adding one line here.

Each kind names its id prefix (``vpc`` in ``vpc-0…``), its class, the AWS error code for an id
that names nothing, and the ``LabState`` table that holds its resources. Look-ups (``LabState._get``),
undo (``restore.py``), save/load (the id counters) and grading's look-up by name all read this
table. ``SECONDARY_ID_KINDS`` are ids that are not resources of their own (associations, rules,
network interfaces) but are counted the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from .resources import (
    EgressOnlyInternetGateway,
    ElasticIp,
    Instance,
    InternetGateway,
    NatGateway,
    NetworkAcl,
    NetworkInterface,
    RouteTable,
    SecurityGroup,
    Subnet,
    Vpc,
    VpcBlockPublicAccessExclusion,
)


@dataclass(frozen=True)
class Kind:
    prefix: str
    cls: type
    not_found: str
    table: str
    learner_made: bool = True  # False: only an imported lab has them (no id counter of ours)


RESOURCE_KINDS = (
    Kind("vpc", Vpc, "InvalidVpcID.NotFound", "vpcs"),
    Kind("subnet", Subnet, "InvalidSubnetID.NotFound", "subnets"),
    Kind("igw", InternetGateway, "InvalidInternetGatewayID.NotFound", "internet_gateways"),
    Kind("rtb", RouteTable, "InvalidRouteTableID.NotFound", "route_tables"),
    Kind("i", Instance, "InvalidInstanceID.NotFound", "instances"),
    Kind("eipalloc", ElasticIp, "InvalidAllocationID.NotFound", "elastic_ips"),
    Kind("sg", SecurityGroup, "InvalidGroup.NotFound", "security_groups"),
    Kind("acl", NetworkAcl, "InvalidNetworkAclID.NotFound", "network_acls"),
    Kind("nat", NatGateway, "NatGatewayNotFound", "nat_gateways"),
    Kind("eni", NetworkInterface, "InvalidNetworkInterfaceID.NotFound", "network_interfaces", learner_made=False),
    # Fact sheet §13: moto answers InvalidGatewayID.NotFound for an unknown eigw id.
    Kind("eigw", EgressOnlyInternetGateway, "InvalidGatewayID.NotFound", "egress_only_internet_gateways"),
    # The code for an unknown exclusion id is not documented (fact sheet §14.4): the EC2 pattern.
    Kind(
        "vpcbpa-exclude",
        VpcBlockPublicAccessExclusion,
        "InvalidVpcBlockPublicAccessExclusionId.NotFound",
        "block_public_access_exclusions",
    ),
)
BY_PREFIX = {k.prefix: k for k in RESOURCE_KINDS}
TABLES = tuple(k.table for k in RESOURCE_KINDS)

SECONDARY_ID_KINDS = (
    "rtbassoc",
    "aclassoc",
    "sgr",
    "eni",
    "eipassoc",
    "vpc-cidr-assoc",
    "subnet-cidr-assoc",
)
# Every kind of id a lab hands out (and counts in ``LabState.counters``).
ID_KINDS = tuple(dict.fromkeys([*(k.prefix for k in RESOURCE_KINDS), *SECONDARY_ID_KINDS]))
