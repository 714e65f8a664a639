"""Deterministic names for the exporters: Terraform addresses, CloudFormation logical ids, shell variables.

A name comes from the resource's Name tag (a security group's group name when it has no tag), else
from its id, so the same lab always gives the same file. Terraform names are unique per resource
type (``aws_subnet.public``); CloudFormation logical ids and shell variables are unique in the whole
file and end with the kind (``PublicSubnet``, ``PUBLIC_SUBNET``), unless the name already does;
names derived from them (``PublicSubnetAclAssociation``) never end with a kind word.
"""

from __future__ import annotations

import re

from ..model.resources import (
    EgressOnlyInternetGateway,
    ElasticIp,
    Instance,
    InternetGateway,
    NatGateway,
    NetworkAcl,
    RouteTable,
    SecurityGroup,
    Subnet,
    Vpc,
    VpcBlockPublicAccessExclusion,
)

# The word that ends a CloudFormation logical id or a shell variable of each kind.
KIND_WORDS = {
    Vpc: "vpc",
    Subnet: "subnet",
    InternetGateway: "igw",
    RouteTable: "rt",
    SecurityGroup: "sg",
    NetworkAcl: "acl",
    Instance: "instance",
    ElasticIp: "eip",
    NatGateway: "nat",
    EgressOnlyInternetGateway: "eigw",
    VpcBlockPublicAccessExclusion: "exclusion",
}


def words(text: str | None) -> list[str]:
    """The ASCII letters and digits of ``text`` as lower-case words (Hangul and punctuation drop out)."""
    return re.findall(r"[a-z0-9]+", (text or "").lower())


def camel(parts: list[str]) -> str:
    return "".join(p[:1].upper() + p[1:] for p in parts)


def cidr_words(cidr) -> list[str]:
    """``10.0.1.0/24`` as words for a name: ``["10", "0", "1", "0", "24"]``."""
    return re.findall(r"[0-9]+", str(cidr))


class Names:
    """The names of every resource of one lab, fixed at construction (in the lab's creation order)."""

    def __init__(self, lab) -> None:
        self._tf: dict[str, str] = {}
        self._words: dict[str, list[str]] = {}
        used_tf: dict[type, set[str]] = {}
        used_global: set[str] = set()
        groups = (
            lab.vpcs,
            lab.subnets,
            lab.internet_gateways,
            lab.route_tables,
            lab.security_groups,
            lab.network_acls,
            lab.instances,
            lab.elastic_ips,
            lab.nat_gateways,
            lab.egress_only_internet_gateways,
            lab.block_public_access_exclusions,
        )
        for resources in groups:
            for resource in resources.values():
                kind = KIND_WORDS[type(resource)]
                base = words(resource.name)
                if not base and isinstance(resource, SecurityGroup) and not resource.is_default:
                    base = words(resource.group_name)
                if not base and _is_vpc_default(resource):
                    # The VPC's own default group, default ACL or main table: named after the VPC.
                    role = "main" if isinstance(resource, RouteTable) else "default"
                    base = [*self._tf[resource.vpc.id].split("_"), role]
                if not base:  # no usable name (none, or only Hangul): the id, unique and stable
                    base = [kind, *words(resource.id.partition("-")[2])]
                tf = "_".join(base)
                if tf[:1].isdigit():
                    tf = f"{kind}_{tf}"
                taken = used_tf.setdefault(type(resource), set())
                self._tf[resource.id] = _unique(tf, taken, "_")
                # Unique in the whole file, also once camel-cased ("web-1" and "web1" both give Web1Sg).
                full = base if base[-1] == kind else [*base, kind]
                candidate, number = full, 2
                while camel(candidate) in used_global or "_".join(candidate) in used_global:
                    candidate, number = [*full, str(number)], number + 1
                used_global |= {camel(candidate), "_".join(candidate)}
                self._words[resource.id] = candidate

    def tf(self, resource) -> str:
        """The Terraform resource name (``public`` in ``aws_subnet.public``)."""
        return self._tf[resource.id]

    def cfn(self, resource, *suffix: str) -> str:
        """A CloudFormation logical id: ``PublicSubnet``, or ``PublicRtRoute00000`` with a suffix.

        A suffix never ends with a kind word, so it cannot meet another resource's own id.
        """
        return camel([*self._words[resource.id], *suffix])

    def var(self, resource, *suffix: str) -> str:
        """A shell variable: ``PUBLIC_SUBNET``, or ``LAB_VPC_MAIN_RT`` with a suffix."""
        return "_".join([*self._words[resource.id], *suffix]).upper()


def _is_vpc_default(resource) -> bool:
    vpc = getattr(resource, "vpc", None)
    if isinstance(resource, Instance | NatGateway) or vpc is None:
        return False
    return resource in (vpc.default_security_group, vpc.default_network_acl, vpc.main_route_table)


def _unique(name: str, taken: set[str], sep: str) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}{sep}{number}", number + 1
    taken.add(candidate)
    return candidate
