"""The scenario rows for IPv6-only subnets, DNS64 and NAT64 (fact sheet §12.1, §12.7): reachable and
blocked, forward and return, each with the component that blocks. The rows join ``SCENARIOS`` in
``test_engine_scenarios.py`` and run there."""

from __future__ import annotations

import engine_topologies_ipv6only as T
import pytest

UPDATES, UPDATES64 = T.UPDATES, T.UPDATES64


def case(name, builder, question, reachable, code=None, at=None):
    source, destination, protocol, port, source_port = (*question, *("tcp", None, None)[len(question) - 2 :])
    return pytest.param(builder, source, destination, protocol, port, source_port, reachable, code, at, id=name)


# fmt: off
SCENARIOS_IPV6_ONLY = [
    # ---- DNS64 + NAT64: out as IPv6, translated at the NAT gateway, on as NAT44 does, and back
    case("ipv6-only-to-ipv4-server-through-dns64-and-nat64", T.ipv6_only, ("$worker", UPDATES, "tcp", 443), True),
    case("ipv6-only-to-synthesized-address-directly", T.ipv6_only, ("$worker", UPDATES64, "tcp", 443), True),
    case("ipv6-only-to-some-internet-host-over-ipv4", T.ipv6_only, ("$worker", "internet", "tcp", 443), True),
    case("ipv6-only-ping-becomes-icmpv6-and-back", T.ipv6_only, ("$worker", UPDATES, "icmp", 8), True),
    case("ipv6-only-hairpin-to-web-elastic-ip", T.ipv6_only, ("$worker", "$web.public_ip", "tcp", 443), True),
    case("ipv6-only-hairpin-meets-web-group", T.ipv6_only, ("$worker", "$web.public_ip", "tcp", 22),
         False, "ENI_SG_RULES_MISMATCH", "$web_sg.id"),
    case("ipv6-only-without-dns64", T.without_dns64, ("$worker", UPDATES, "tcp", 443),
         False, "DNS64_NAT64_REQUIRED", "$v6only.id"),
    case("ipv6-only-synthesized-address-needs-no-dns64", T.without_dns64, ("$worker", UPDATES64, "tcp", 443), True),
    case("ipv6-only-without-nat64-route", T.without_nat64_route, ("$worker", UPDATES, "tcp", 443),
         False, "DNS64_NAT64_REQUIRED", "$v6only_rt.id"),
    case("ipv6-only-nat64-prefix-to-internet-gateway", T.nat64_route_to_internet_gateway,
         ("$worker", UPDATES, "tcp", 443), False, "DNS64_NAT64_REQUIRED", "$v6only_rt.id"),
    case("ipv6-only-on-main-table", T.on_the_main_table, ("$worker", UPDATES, "tcp", 443),
         False, "DNS64_NAT64_REQUIRED", "$main_rt.id"),
    case("ipv6-only-nat-deleted-route-is-blackhole", T.nat_deleted, ("$worker", UPDATES, "tcp", 443),
         False, "BAD_STATE_ROUTE", "$v6only_rt.id"),
    case("ipv6-only-nat-subnet-acl-drops-ipv6-forward", T.nat_subnet_acl_without_ipv6,
         ("$worker", UPDATES, "tcp", 443), False, "SUBNET_ACL_RESTRICTION", "$nat_acl.id"),
    case("ipv6-only-nat-subnet-acl-drops-reply-ports-return", T.nat_subnet_acl_without_reply_ports,
         ("$worker", UPDATES, "tcp", 443), False, "SUBNET_ACL_RESTRICTION", "$nat_acl.id"),
    case("ipv6-only-group-without-ipv6-egress", T.worker_group_without_ipv6_egress,
         ("$worker", UPDATES, "tcp", 443), False, "ENI_SG_RULES_MISMATCH", "$worker_sg.id"),
    case("ipv6-only-nat64-blocked-by-bpa-at-nat-subnet", T.nat_subnet_blocked_by_bpa,
         ("$worker", UPDATES, "tcp", 443), False, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", "$igw.id"),
    # ---- no IPv4 at all: nothing reaches it over IPv4, it reaches no IPv4 address in the VPC
    case("internet-to-ipv6-only-over-ipv4", T.ipv6_only, ("internet", "$worker", "tcp", 22),
         False, "UNASSOCIATED_COMPONENT", "$worker.id"),
    case("ipv4-client-to-ipv6-only", T.ipv6_only, (UPDATES, "$worker", "tcp", 22),
         False, "UNASSOCIATED_COMPONENT", "$worker.id"),
    case("web-to-ipv6-only-over-ipv4", T.ipv6_only, ("$web", "$worker", "tcp", 22),
         False, "UNASSOCIATED_COMPONENT", "$worker.id"),
    case("ipv6-only-to-private-ipv4-in-vpc", T.ipv6_only, ("$worker", "$web.private_ip", "tcp", 80),
         False, "UNASSOCIATED_COMPONENT", "$worker.id"),
]
# fmt: on
