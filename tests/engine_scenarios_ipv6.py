"""The scenario rows for IPv6 (fact sheet §12), the egress-only gateway (§13) and Block Public Access
(§14): reachable and blocked, forward and return, each with the component that blocks. The rows join
``SCENARIOS`` in ``test_engine_scenarios.py`` and run there."""

from __future__ import annotations

import engine_topologies_ipv6 as T6
import pytest

CLIENT = "198.51.100.20"
CLIENT6 = T6.CLIENT6


def case(name, builder, question, reachable, code=None, at=None):
    source, destination, protocol, port, source_port = (*question, *("tcp", None, None)[len(question) - 2 :])
    return pytest.param(builder, source, destination, protocol, port, source_port, reachable, code, at, id=name)


# fmt: off
SCENARIOS_IPV6 = [
    # ---- §12 IPv6 through the internet gateway: no translation, ::/0 route, IPv6 rules
    case("ipv6-internet-to-web", T6.dual_stack, (CLIENT6, "$web6", "tcp", 80), True),
    case("ipv6-web-to-internet", T6.dual_stack, ("$web6", CLIENT6, "tcp", 443), True),
    case("ipv6-web-to-app-inside-the-vpc", T6.dual_stack, ("$web6", "$app6", "tcp", 8080), True),
    case("ipv6-ping-echo-request-gets-echo-reply", T6.dual_stack, (CLIENT6, "$web6", "icmpv6", 128),
         False, "ENI_SG_RULES_MISMATCH", "$web_sg.id"),
    case("ipv6-no-route-forward", T6.ipv6_without_route, ("$web6", CLIENT6, "tcp", 443),
         False, "NO_ROUTE_TO_DESTINATION", "$public_rt.id"),
    case("ipv6-no-route-return", T6.ipv6_without_route, (CLIENT6, "$web6", "tcp", 80),
         False, "NO_ROUTE_TO_DESTINATION", "$public_rt.id"),
    case("ipv4-route-still-serves-ipv4", T6.ipv6_without_route, (CLIENT, "$web.public_ip", "tcp", 80), True),
    case("ipv6-acl-star-rule-32768-forward", T6.ipv6_acl_ipv4_only, (CLIENT6, "$web6", "tcp", 80),
         False, "SUBNET_ACL_RESTRICTION", "$acl6.id"),
    case("ipv6-acl-star-rule-32768-outbound", T6.ipv6_acl_ipv4_only, ("$web6", CLIENT6, "tcp", 443),
         False, "SUBNET_ACL_RESTRICTION", "$acl6.id"),
    case("ipv4-acl-rules-still-pass-ipv4", T6.ipv6_acl_ipv4_only, (CLIENT, "$web.public_ip", "tcp", 80), True),
    case("ipv6-group-rule-for-ipv4-only", T6.ipv6_group_ipv4_only, (CLIENT6, "$web6", "tcp", 80),
         False, "ENI_SG_RULES_MISMATCH", "$web_sg.id"),
    case("ipv6-instance-without-ipv6-address", T6.dual_stack, (CLIENT6, "$plain", "tcp", 80),
         False, "IPV6_NO_ADDRESS", "$plain.id"),
    case("ipv6-unknown-address", T6.dual_stack, (CLIENT6, "$unheld6", "tcp", 80),
         False, "NO_POSSIBLE_DESTINATION"),

    # ---- §13 egress-only internet gateway: outbound only, stateful, blackhole when deleted
    case("eigw-app-to-internet", T6.dual_stack, ("$app6", CLIENT6, "tcp", 443), True),
    case("eigw-reply-of-internet-connection", T6.ipv6_reply_via_egress_only, (CLIENT6, "$app6", "tcp", 8080),
         False, "EGRESS_ONLY_IGW_NO_INBOUND", "$eigw.id"),
    case("eigw-vpc-without-internet-gateway", T6.egress_only_vpc, (CLIENT6, "$app6", "tcp", 80),
         False, "EGRESS_ONLY_IGW_NO_INBOUND", "$eigw.id"),
    case("eigw-outbound-in-vpc-without-internet-gateway", T6.egress_only_vpc, ("$app6", CLIENT6, "tcp", 80), True),
    case("eigw-return-acl-drops-ephemeral-reply", T6.ipv6_acl_no_ephemeral_return, ("$app6", CLIENT6, "tcp", 443),
         False, "SUBNET_ACL_RESTRICTION", "$acl6.id"),
    case("eigw-deleted-route-is-blackhole", T6.egress_only_deleted, ("$app6", CLIENT6, "tcp", 443),
         False, "BAD_STATE_ROUTE", "$private_rt.id"),
    case("ipv4-nat-unaffected-by-ipv6", T6.dual_stack, ("$app", CLIENT, "tcp", 443), True),

    # ---- §14 Block Public Access: before routes and groups, both families, per mode and exclusion
    case("bpa-bidirectional-internet-to-web-ipv4", T6.bpa_bidirectional, (CLIENT, "$web.public_ip", "tcp", 80),
         False, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "$igw.id"),
    case("bpa-bidirectional-internet-to-web-ipv6", T6.bpa_bidirectional, (CLIENT6, "$web6", "tcp", 80),
         False, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "$igw.id"),
    case("bpa-bidirectional-web-out-ipv4", T6.bpa_bidirectional, ("$web", CLIENT, "tcp", 443),
         False, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "$igw.id"),
    case("bpa-bidirectional-nat-out", T6.bpa_bidirectional, ("$app", CLIENT, "tcp", 443),
         False, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "$igw.id"),
    case("bpa-bidirectional-eigw-out", T6.bpa_bidirectional, ("$app6", CLIENT6, "tcp", 443),
         False, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "$eigw.id"),
    case("bpa-bidirectional-private-traffic-unaffected", T6.bpa_bidirectional, ("$web", "$app", "tcp", 8080), True),
    case("bpa-allow-egress-web-out", T6.bpa_bidirectional_public_allow_egress, ("$web", CLIENT, "tcp", 443), True),
    case("bpa-allow-egress-nat-out", T6.bpa_bidirectional_public_allow_egress, ("$app", CLIENT, "tcp", 443), True),
    case("bpa-allow-egress-still-blocks-inbound", T6.bpa_bidirectional_public_allow_egress,
         (CLIENT6, "$web6", "tcp", 80), False, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "$igw.id"),
    case("bpa-allow-egress-of-public-does-not-cover-eigw-subnet", T6.bpa_bidirectional_public_allow_egress,
         ("$app6", CLIENT6, "tcp", 443), False, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "$eigw.id"),
    case("bpa-allow-bidirectional-inbound", T6.bpa_bidirectional_public_allow_all,
         (CLIENT, "$web.public_ip", "tcp", 80), True),
    case("bpa-subnet-exclusion-wins-over-vpc", T6.bpa_bidirectional_vpc_allow_all_subnet_egress,
         (CLIENT, "$web.public_ip", "tcp", 80), False, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "$igw.id"),
    case("bpa-vpc-exclusion-covers-other-subnets", T6.bpa_bidirectional_vpc_allow_all_subnet_egress,
         ("$app6", CLIENT6, "tcp", 443), True),
    case("bpa-ingress-blocks-inbound", T6.bpa_ingress, (CLIENT6, "$web6", "tcp", 80),
         False, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "$igw.id"),
    case("bpa-ingress-allows-nat-out", T6.bpa_ingress, ("$app", CLIENT, "tcp", 443), True),
    case("bpa-ingress-allows-eigw-out", T6.bpa_ingress, ("$app6", CLIENT6, "tcp", 443), True),
    case("bpa-ingress-blocks-direct-igw-out", T6.bpa_ingress, ("$web6", CLIENT6, "tcp", 443),
         False, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "$igw.id"),
    case("bpa-ingress-allow-egress-exclusion-changes-nothing", T6.bpa_ingress_public_allow_egress,
         ("$web", CLIENT, "tcp", 443), False, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "$igw.id"),
    case("bpa-checked-before-security-groups", T6.bpa_bidirectional, (CLIENT, "$web.public_ip", "tcp", 22),
         False, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "$igw.id"),
    case("bpa-off-exclusion-made-in-advance", T6.bpa_off_with_exclusion, (CLIENT6, "$web6", "tcp", 80), True),
]
# fmt: on
