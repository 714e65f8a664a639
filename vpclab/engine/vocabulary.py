"""The engine's vocabulary as enums: explanation codes, the kinds of component a hop names, and the
steps (what happened there). Each value is also a catalog key (``explain.<code>``, ``hop.<step>``).

They are ``StrEnum`` members, so they compare equal to their text; what the engine hands out
(``Analysis.code``, ``Hop.kind``, ``Hop.step``) is the plain text, as Reachability Analyzer spells it.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    """Why a packet does not get through: Reachability Analyzer's explanation codes, and a few of
    vpclab's own where it has none (IPv6, the egress-only gateway, DNS64 and NAT64,
    docs/modelling-choices.md)."""

    ASYMMETRIC_RETURN_PATH = "ASYMMETRIC_RETURN_PATH"
    BAD_STATE = "BAD_STATE"
    BAD_STATE_ATTACHMENT = "BAD_STATE_ATTACHMENT"
    BAD_STATE_ROUTE = "BAD_STATE_ROUTE"
    DNS64_NAT64_REQUIRED = "DNS64_NAT64_REQUIRED"
    EGRESS_ONLY_IGW_NO_INBOUND = "EGRESS_ONLY_IGW_NO_INBOUND"
    ENI_SG_RULES_MISMATCH = "ENI_SG_RULES_MISMATCH"
    IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS = "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS"
    IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS = "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS"
    IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS = "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"
    IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS = "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS"
    IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS = "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS"
    IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS = "IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS"
    IPV6_NO_ADDRESS = "IPV6_NO_ADDRESS"
    NAT_GATEWAY_NO_INBOUND = "NAT_GATEWAY_NO_INBOUND"
    NO_POSSIBLE_DESTINATION = "NO_POSSIBLE_DESTINATION"
    NO_ROUTE_TO_DESTINATION = "NO_ROUTE_TO_DESTINATION"
    SG_HAS_NO_RULES = "SG_HAS_NO_RULES"
    SUBNET_ACL_RESTRICTION = "SUBNET_ACL_RESTRICTION"
    UNASSOCIATED_COMPONENT = "UNASSOCIATED_COMPONENT"
    UNSUPPORTED_COMPONENT = "UNSUPPORTED_COMPONENT"
    VPC_BLOCK_PUBLIC_ACCESS_ENABLED = "VPC_BLOCK_PUBLIC_ACCESS_ENABLED"


class HopKind(StrEnum):
    """The kind of component a hop names."""

    INSTANCE = "instance"
    SUBNET = "subnet"
    SECURITY_GROUP = "security-group"
    NETWORK_ACL = "network-acl"
    ROUTE_TABLE = "route-table"
    INTERNET_GATEWAY = "internet-gateway"
    EGRESS_ONLY_INTERNET_GATEWAY = "egress-only-internet-gateway"
    NAT_GATEWAY = "nat-gateway"
    BLOCK_PUBLIC_ACCESS = "block-public-access"
    INTERNET = "internet"


class Step(StrEnum):
    """What happened at a hop (catalog ``hop.<step>``)."""

    INSTANCE = "instance"
    SG_OUT = "sg_out"
    SG_IN = "sg_in"
    SG_STATEFUL = "sg_stateful"
    ACL_OUT = "acl_out"
    ACL_IN = "acl_in"
    ROUTE = "route"
    IGW_OUT = "igw_out"
    IGW_IN = "igw_in"
    IGW6_OUT = "igw6_out"
    IGW6_IN = "igw6_in"
    EIGW_OUT = "eigw_out"
    EIGW_IN = "eigw_in"
    EIGW_IN_REPLY = "eigw_in_reply"
    NAT_OUT = "nat_out"
    NAT_IN = "nat_in"
    NAT64_OUT = "nat64_out"
    NAT64_IN = "nat64_in"
    DNS64 = "dns64"
    DNS64_OFF = "dns64_off"
    NO_IPV4 = "no_ipv4"
    BPA = "bpa"
    ARRIVE = "arrive"
    APPLIANCE = "appliance"
    UNSUPPORTED = "unsupported"
    NO_IPV6 = "no_ipv6"
    INTERNET_SOURCE = "internet_source"
    INTERNET_ARRIVE = "internet_arrive"
