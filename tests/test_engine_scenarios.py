"""``lab.analyze``: one table of questions, each answered with a verdict and an explanation code (issue 3).

Every row builds a small network through the public API (``engine_topologies``), asks one question
(source, destination, protocol, port, source port) and states the expected ``reachable``, ``code``
and, where it matters, ``blocked_at``. Endpoints written ``"$name"`` or ``"$name.attribute"`` are
looked up in the built network (``"$web"`` is the instance, ``"$web.public_ip"`` its address as a
string); everything else is passed to ``analyze`` as written. The rows also cover every explanation
code the engine can emit (checked below by scanning the engine's source).
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

import engine_topologies as T
import pytest
from engine_scenarios_ipv6 import SCENARIOS_IPV6
from engine_scenarios_ipv6only import SCENARIOS_IPV6_ONLY

import vpclab
from vpclab.render.analysis import analysis_text

HANGUL = re.compile("[가-힣]")
ENGINE = Path(vpclab.__file__).parent / "engine"


def resolve(t, value):
    """``"$web"`` → ``t.web``; ``"$web.public_ip"`` → its address as a string; anything else as is."""
    if not (isinstance(value, str) and value.startswith("$")):
        return value
    name, _, attribute = value[1:].partition(".")
    found = getattr(t, name)
    if attribute:
        found = getattr(found, attribute)
        return found if isinstance(found, str) else str(found)
    return found


def case(name, builder, question, reachable, code=None, at=None):
    """One row. ``question`` is (source, destination[, protocol[, port[, source_port]]])."""
    source, destination, protocol, port, source_port = (*question, *("tcp", None, None)[len(question) - 2 :])
    return pytest.param(builder, source, destination, protocol, port, source_port, reachable, code, at, id=name)


# fmt: off
SCENARIOS = [
    # ---- inbound from the internet: 1:1 NAT at the gateway, security groups, ACL both ways, reply route
    case("internet-to-web-http", T.public_web, ("internet", "$web", "tcp", 80), True),
    case("internet-to-web-https", T.public_web, ("internet", "$web", "tcp", 443), True),
    case("doc-host-203-0-113-is-internet", T.public_web, ("203.0.113.7", "$web", "tcp", 443), True),
    case("doc-host-192-0-2-is-internet", T.public_web, ("192.0.2.1", "$web", "tcp", 80), True),
    case("doc-host-198-51-100-is-internet", T.public_web, (T.CLIENT, "$web", "tcp", 80), True),
    case("internet-host-to-elastic-ip-string", T.public_web, (T.CLIENT, "$web.public_ip", "tcp", 80), True),
    case("web-by-instance-id", T.public_web, ("internet", "$web.id", "tcp", 80), True),
    case("ssh-not-in-group", T.public_web, ("internet", "$web", "tcp", 22),
         False, "ENI_SG_RULES_MISMATCH", "$web_sg.id"),
    case("udp-not-in-group", T.public_web, ("internet", "$web", "udp", 80),
         False, "ENI_SG_RULES_MISMATCH", "$web_sg.id"),
    case("internet-to-private-ip-string", T.public_web, (T.CLIENT, "$web.private_ip", "tcp", 80),
         False, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"),
    case("admin-ssh-from-admin-network", T.admin_ssh, ("203.0.113.50", "$web", "tcp", 22), True),
    case("admin-ssh-from-elsewhere", T.admin_ssh, (T.CLIENT, "$web", "tcp", 22),
         False, "ENI_SG_RULES_MISMATCH", "$web_sg.id"),
    case("admin-ssh-from-some-internet-host", T.admin_ssh, ("internet", "$web", "tcp", 22), True),
    case("group-without-inbound-rules", T.no_inbound_rules, ("internet", "$bare", "tcp", 80),
         False, "SG_HAS_NO_RULES", "$bare_sg.id"),
    case("acl-denies-client-network", T.acl_denies_a_client_network, (T.CLIENT, "$web", "tcp", 80),
         False, "SUBNET_ACL_RESTRICTION", "$public_acl.id"),
    case("acl-denies-only-that-network", T.acl_denies_a_client_network, ("192.0.2.1", "$web", "tcp", 80), True),
    case("acl-denies-only-that-port", T.acl_denies_a_client_network, (T.CLIENT, "$web", "tcp", 443), True),
    case("acl-partial-deny-some-host-gets-through", T.acl_denies_a_client_network, ("internet", "$web", "tcp", 80),
         True),
    case("acl-reply-windows-only-blocks-default-client", T.acl_replies_to_windows_clients_only,
         (T.CLIENT, "$web", "tcp", 80), False, "SUBNET_ACL_RESTRICTION", "$public_acl.id"),
    case("acl-reply-windows-only-blocks-linux-client", T.acl_replies_to_windows_clients_only,
         (T.CLIENT, "$web", "tcp", 80, 40000), False, "SUBNET_ACL_RESTRICTION", "$public_acl.id"),
    case("acl-reply-windows-only-passes-windows-client", T.acl_replies_to_windows_clients_only,
         (T.CLIENT, "$web", "tcp", 80, 49152), True),
    case("acl-reply-linux-only-passes-default-client", T.acl_replies_to_linux_clients_only,
         (T.CLIENT, "$web", "tcp", 80), True),
    case("acl-reply-linux-only-blocks-windows-client", T.acl_replies_to_linux_clients_only,
         (T.CLIENT, "$web", "tcp", 80, 65535), False, "SUBNET_ACL_RESTRICTION", "$public_acl.id"),
    case("acl-reply-1024-65535-passes-windows-client", T.acl_replies_to_all_ephemeral_ports,
         (T.CLIENT, "$web", "tcp", 80, 65535), True),
    case("acl-reply-1024-65535-passes-linux-client", T.acl_replies_to_all_ephemeral_ports,
         (T.CLIENT, "$web", "tcp", 80, 32768), True),
    case("acl-inbound-port-not-listed", T.acl_replies_to_all_ephemeral_ports, (T.CLIENT, "$web", "tcp", 443),
         False, "SUBNET_ACL_RESTRICTION", "$public_acl.id"),
    case("reply-without-route", T.private_with_eip, (T.CLIENT, "$db", "tcp", 80),
         False, "NO_ROUTE_TO_DESTINATION", "$main_rt.id"),
    case("reply-leaves-by-nat-gateway", T.private_with_eip_behind_nat, (T.CLIENT, "$app", "tcp", 80),
         False, "ASYMMETRIC_RETURN_PATH", "$private_rt.id"),
    case("rfc1918-source-10", T.public_web, ("10.9.9.9", "$web", "tcp", 80),
         False, "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS", "$igw.id"),
    case("rfc1918-source-172", T.public_web, ("172.16.0.1", "$web", "tcp", 80),
         False, "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS", "$igw.id"),
    case("rfc1918-source-192-168", T.public_web, ("192.168.1.10", "$web.public_ip", "tcp", 80),
         False, "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS", "$igw.id"),
    case("rfc6598-source", T.public_web, ("100.64.0.1", "$web", "tcp", 80),
         False, "IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS", "$igw.id"),
    case("inbound-to-instance-without-public-ip", T.no_public_ip, ("internet", "$plain", "tcp", 80),
         False, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", "$igw.id"),
    case("inbound-to-released-public-ip", T.released_public_ip, (T.CLIENT, "$old_ip", "tcp", 80),
         False, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"),
    case("inbound-to-new-public-ip-after-restart", T.released_public_ip, (T.CLIENT, "$auto.public_ip", "tcp", 80),
         True),
    case("inbound-without-gateway", T.no_gateway, ("internet", "$web", "tcp", 80),
         False, "BAD_STATE_ATTACHMENT", "$vpc.id"),
    case("inbound-to-nat-gateway-address", T.private_app_behind_nat, ("internet", "$nat.public_ip", "tcp", 80),
         False, "NAT_GATEWAY_NO_INBOUND", "$nat.id"),
    case("inbound-to-private-instance-behind-nat", T.private_app_behind_nat, ("internet", "$app", "tcp", 8080),
         False, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", "$igw.id"),

    # ---- outbound, directly through the gateway
    case("web-to-internet-https", T.public_web, ("$web", "internet", "tcp", 443), True),
    case("web-to-dns-udp", T.public_web, ("$web", "8.8.8.8", "udp", 53), True),
    case("web-to-doc-host", T.public_web, ("$web", "203.0.113.9", "tcp", 443), True),
    case("web-some-port-some-host", T.public_web, ("$web", "internet"), True),
    case("web-id-to-internet", T.public_web, ("$web.id", "internet", "tcp", 443), True),
    case("group-without-outbound-rules", T.no_outbound_rules, ("$web", "internet", "tcp", 443),
         False, "SG_HAS_NO_RULES", "$web_sg.id"),
    case("outbound-rule-does-not-match", T.https_only_outbound, ("$web", "8.8.8.8", "udp", 53),
         False, "ENI_SG_RULES_MISMATCH", "$web_sg.id"),
    case("outbound-rule-matches", T.https_only_outbound, ("$web", "internet", "tcp", 443), True),
    case("outbound-to-one-network-some-host", T.outbound_to_one_network, ("$web", "internet", "tcp", 443), True),
    case("outbound-to-one-network-other-host", T.outbound_to_one_network, ("$web", T.CLIENT, "tcp", 443),
         False, "ENI_SG_RULES_MISMATCH", "$web_sg.id"),
    case("outbound-without-public-ip", T.no_public_ip, ("$plain", "internet", "tcp", 443),
         False, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", "$igw.id"),
    case("outbound-private-subnet-no-route", T.tiers, ("$d2", "internet", "tcp", 443),
         False, "NO_ROUTE_TO_DESTINATION", "$main_rt.id"),
    case("outbound-after-gateway-detached", T.detached_gateway, ("$web", "internet", "tcp", 443),
         False, "BAD_STATE_ROUTE", "$public_rt.id"),
    case("outbound-without-gateway", T.no_gateway, ("$web", "internet", "tcp", 443),
         False, "NO_ROUTE_TO_DESTINATION", "$main_rt.id"),
    case("outbound-to-rfc1918", T.public_web, ("$web", "192.168.1.1", "tcp", 443),
         False, "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS", "$igw.id"),
    case("outbound-to-rfc6598", T.public_web, ("$web", "100.64.1.1", "tcp", 443),
         False, "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS", "$igw.id"),
    case("outbound-acl-denies-https", T.acl_outbound_denies_https, ("$web", "internet", "tcp", 443),
         False, "SUBNET_ACL_RESTRICTION", "$public_acl.id"),
    case("outbound-acl-allows-http", T.acl_outbound_denies_https, ("$web", "internet", "tcp", 80), True),
    case("outbound-reply-dropped-by-inbound-acl", T.acl_inbound_web_only, ("$web", "internet", "tcp", 443),
         False, "SUBNET_ACL_RESTRICTION", "$public_acl.id"),
    case("outbound-to-nat-gateway-address", T.private_app_behind_nat, ("$web", "$nat.public_ip", "tcp", 443),
         False, "NAT_GATEWAY_NO_INBOUND", "$nat.id"),
    case("stopped-instance-sends-nothing", T.stopped_instances, ("$web", "internet", "tcp", 443),
         False, "BAD_STATE", "$web.id"),
    case("terminated-instance-sends-nothing", T.terminated_instance, ("$gone", "internet", "tcp", 443),
         False, "BAD_STATE", "$gone.id"),

    # ---- outbound through a NAT gateway
    case("app-through-nat", T.private_app_behind_nat, ("$app", "internet", "tcp", 443), True),
    case("app-through-nat-udp", T.private_app_behind_nat, ("$app", "8.8.8.8", "udp", 53), True),
    case("app-through-nat-ping", T.private_app_behind_nat, ("$app", "8.8.8.8", "icmp", 8), True),
    case("app-through-nat-with-acls", T.nat_with_acls, ("$app", "internet", "tcp", 443), True),
    case("nat-subnet-acl-denies-private-subnet", T.nat_acl_blocks_private_subnet, ("$app", "internet", "tcp", 443),
         False, "SUBNET_ACL_RESTRICTION", "$public_acl.id"),
    case("nat-subnet-acl-drops-replies", T.nat_acl_blocks_internet_replies, ("$app", "internet", "tcp", 443),
         False, "SUBNET_ACL_RESTRICTION", "$public_acl.id"),
    case("nat-subnet-acl-blocks-way-out", T.nat_acl_blocks_outbound_to_internet, ("$app", "internet", "tcp", 443),
         False, "SUBNET_ACL_RESTRICTION", "$public_acl.id"),
    case("private-acl-drops-reply-to-app", T.nat_acl_blocks_reply_to_app, ("$app", "internet", "tcp", 443),
         False, "SUBNET_ACL_RESTRICTION", "$private_acl.id"),
    case("nat-in-private-subnet", T.nat_in_private_subnet, ("$app", "internet", "tcp", 443),
         False, "NO_ROUTE_TO_DESTINATION", "$main_rt.id"),
    case("failed-nat-gateway", T.failed_nat, ("$app", "internet", "tcp", 443),
         False, "BAD_STATE_ROUTE", "$private_rt.id"),
    case("deleted-nat-gateway", T.deleted_nat, ("$app", "internet", "tcp", 443),
         False, "BAD_STATE_ROUTE", "$private_rt.id"),
    case("nat-subnet-routes-back-to-nat", T.nat_route_loop, ("$app", "internet", "tcp", 443),
         False, "NO_ROUTE_TO_DESTINATION", "$private_rt.id"),
    case("nat-subnet-routes-through-appliance", T.nat_behind_appliance, ("$app", "internet", "tcp", 443),
         None, "UNSUPPORTED_COMPONENT", "$appliance.id"),
    case("app-to-rfc1918-through-nat", T.private_app_behind_nat, ("$app", "192.168.0.1", "tcp", 443),
         False, "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS", "$igw.id"),

    # ---- inside the VPC: local routes, group references, ACLs between subnets only
    case("web-to-app-by-group-reference", T.tiers, ("$web", "$app", "tcp", 8080), True),
    case("web-to-app-private-ip-string", T.tiers, ("$web", "$app.private_ip", "tcp", 8080), True),
    case("web-to-app-wrong-port", T.tiers, ("$web", "$app", "tcp", 22),
         False, "ENI_SG_RULES_MISMATCH", "$app_sg.id"),
    case("d2-not-in-referenced-group", T.tiers, ("$d2", "$app", "tcp", 8080),
         False, "ENI_SG_RULES_MISMATCH", "$app_sg.id"),
    case("default-group-members-any-protocol", T.tiers, ("$d1", "$d2", "udp", 5353), True),
    case("default-group-members-ping", T.tiers, ("$d1", "$d2", "icmp", 8), True),
    case("default-group-members-all-protocols", T.tiers, ("$d1", "$d2", "-1"), True),
    case("web-to-web2-private-by-reference", T.tiers, ("$web", "$web2", "tcp", 80), True),
    case("same-subnet-ignores-deny-all-acl", T.tiers_behind_deny_all_acls, ("$web", "$web3", "tcp", 80), True),
    case("other-subnet-meets-deny-all-acl", T.tiers_behind_deny_all_acls, ("$web", "$app", "tcp", 8080),
         False, "SUBNET_ACL_RESTRICTION", "$deny_acl.id"),
    case("unowned-private-address", T.public_web, ("$web", "10.0.1.200", "tcp", 80),
         False, "NO_POSSIBLE_DESTINATION"),
    case("within-vpc-to-stopped-instance", T.stopped_instances, ("$peer", "$auto", "tcp", 80),
         False, "BAD_STATE", "$auto.id"),
    case("within-vpc-through-appliance", T.appliance_route, ("$app", "$web", "tcp", 80),
         None, "UNSUPPORTED_COMPONENT", "$appliance.id"),
    case("other-vpc-private-address", T.two_vpcs, ("$a", "$b.private_ip", "tcp", 80),
         False, "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS", "$igw_a.id"),
    case("other-vpc-instance", T.two_vpcs, ("$a", "$b", "tcp", 80),
         False, "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS", "$igw_a.id"),
    case("other-vpc-by-public-ip", T.two_vpcs, ("$a", "$b.public_ip", "tcp", 80), True),
    case("overlapping-vpc-address-stays-local", T.overlapping_vpcs, ("$b1", "$a2.private_ip", "tcp", 80), True),
    case("overlapping-vpc-instance-unreachable", T.overlapping_vpcs, ("$b1", "$a2", "tcp", 80),
         False, "NO_POSSIBLE_DESTINATION"),
    case("overlapping-vpc-by-public-ip", T.overlapping_vpcs, ("$b1", "$a2.public_ip", "tcp", 80), True),
    case("rfc6598-vpc-private-address", T.shared_address_space_vpc, ("$web", "$far.private_ip", "tcp", 80),
         False, "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS", "$igw.id"),

    # ---- hairpin: out through the gateway to a public address of the lab, and back in
    case("hairpin-group-reference-does-not-match", T.tiers, ("$web", "$web2.public_ip", "tcp", 80),
         False, "ENI_SG_RULES_MISMATCH", "$peer_sg.id"),
    case("hairpin-public-source-cidr-matches", T.hairpin_by_address, ("$web", "$web2.public_ip", "tcp", 8443), True),
    case("hairpin-from-nat-private-app", T.private_app_behind_nat, ("$app", "$web.public_ip", "tcp", 80), True),
    case("hairpin-needs-a-public-ip", T.no_public_ip, ("$plain", "$web.public_ip", "tcp", 80),
         False, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", "$igw.id"),

    # ---- protocols, ports, ICMP
    case("all-protocols-rule-tcp", T.all_protocols_open, ("internet", "$any", "tcp", 5432), True),
    case("all-protocols-rule-udp", T.all_protocols_open, ("internet", "$any", "udp", 5432), True),
    case("all-protocols-rule-icmp", T.all_protocols_open, ("internet", "$any", "icmp", 8), True),
    case("protocol-minus-one-question", T.public_web, ("internet", "$web", "-1", 443), True),
    case("protocol-all-question", T.public_web, ("$web", "internet", "all"), True),
    case("protocol-number-6", T.public_web, ("internet", "$web", "6", 80), True),
    case("port-range-first", T.port_range_and_udp, ("internet", "$web", "tcp", 8000), True),
    case("port-range-last", T.port_range_and_udp, ("internet", "$web", "tcp", 8100), True),
    case("port-range-past-the-end", T.port_range_and_udp, ("internet", "$web", "tcp", 8101),
         False, "ENI_SG_RULES_MISMATCH", "$web_sg.id"),
    case("udp-rule", T.port_range_and_udp, ("internet", "$web", "udp", 53), True),
    case("udp-rule-does-not-open-tcp", T.port_range_and_udp, ("internet", "$web", "tcp", 53),
         False, "ENI_SG_RULES_MISMATCH", "$web_sg.id"),
    case("some-port-finds-8080", T.custom_port_only, ("internet", "$alt"), True),
    case("ping-echo-request", T.ping_allowed, ("internet", "$web", "icmp", 8), True),
    case("ping-some-type-means-echo", T.ping_allowed, ("internet", "$web", "icmp"), True),
    case("icmp-timestamp-not-allowed", T.ping_allowed, ("internet", "$web", "icmp", 13),
         False, "ENI_SG_RULES_MISMATCH", "$web_sg.id"),
    case("ping-without-icmp-rule", T.public_web, ("internet", "$web", "icmp", 8),
         False, "ENI_SG_RULES_MISMATCH", "$web_sg.id"),
    case("ping-blocked-by-acl", T.ping_blocked_by_acl, ("internet", "$web", "icmp", 8),
         False, "SUBNET_ACL_RESTRICTION", "$public_acl.id"),
    case("tcp-passes-tcp-udp-acl", T.ping_blocked_by_acl, ("internet", "$web", "tcp", 80), True),

    # ---- longest prefix match, blackholes, main-table fallback, secondary CIDRs
    case("blackhole-beats-shorter-active-route-outbound", T.blackhole_more_specific,
         ("$web", "203.0.113.9", "tcp", 443), False, "BAD_STATE_ROUTE", "$public_rt.id"),
    case("blackhole-beats-shorter-active-route-reply", T.blackhole_more_specific,
         ("203.0.113.9", "$web", "tcp", 80), False, "BAD_STATE_ROUTE", "$public_rt.id"),
    case("shorter-route-serves-other-hosts", T.blackhole_more_specific, ("$web", T.CLIENT, "tcp", 443), True),
    case("appliance-route-outbound", T.appliance_route, ("$web", "203.0.113.9", "tcp", 443),
         None, "UNSUPPORTED_COMPONENT", "$appliance.id"),
    case("appliance-route-reply", T.appliance_route, ("203.0.113.9", "$web", "tcp", 80),
         None, "UNSUPPORTED_COMPONENT", "$appliance.id"),
    case("appliance-route-other-hosts", T.appliance_route, (T.CLIENT, "$web", "tcp", 80), True),
    case("main-table-fallback-inbound", T.main_table_public, ("internet", "$web", "tcp", 80), True),
    case("main-table-fallback-outbound", T.main_table_public, ("$web", "internet", "tcp", 443), True),
    case("disassociated-subnet-falls-back-to-main", T.main_table_after_disassociation,
         ("$web", "internet", "tcp", 443), False, "NO_ROUTE_TO_DESTINATION", "$main_rt.id"),
    case("secondary-cidr-subnet-inbound", T.secondary_cidr, ("internet", "$web", "tcp", 80), True),
    case("secondary-cidr-subnet-outbound", T.secondary_cidr, ("$web", "internet", "tcp", 443), True),
    case("secondary-to-primary-local", T.secondary_cidr, ("$web", "$app", "tcp", 5432), True),
    case("primary-to-secondary-local", T.secondary_cidr, ("$app", "$web", "udp", 53), True),

    # ---- stopped and terminated instances
    case("stopped-with-elastic-ip", T.stopped_instances, ("internet", "$web", "tcp", 80),
         False, "BAD_STATE", "$web.id"),
    case("stopped-lost-its-public-ip", T.stopped_instances, ("internet", "$auto", "tcp", 80),
         False, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", "$igw.id"),
    case("terminated-from-internet", T.terminated_instance, ("internet", "$gone", "tcp", 80),
         False, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", "$igw.id"),
    *SCENARIOS_IPV6,  # IPv6, the egress-only gateway and Block Public Access (engine_scenarios_ipv6.py)
    *SCENARIOS_IPV6_ONLY,  # IPv6-only subnets, DNS64 and NAT64 (engine_scenarios_ipv6only.py)
]
# fmt: on


@pytest.mark.parametrize(
    ("builder", "source", "destination", "protocol", "port", "source_port", "reachable", "code", "at"), SCENARIOS
)
def test_scenario(builder, source, destination, protocol, port, source_port, reachable, code, at):
    t = builder()
    analysis = t.lab.analyze(
        resolve(t, source), resolve(t, destination), protocol=protocol, port=port, source_port=source_port
    )
    assert (analysis.reachable, analysis.code) == (reachable, code), analysis_text(analysis, "en")
    if at is not None:
        assert analysis.blocked_at == resolve(t, at), analysis_text(analysis, "en")
    if reachable:
        assert analysis.blocked_at is None and all(hop.allowed for hop in analysis.forward + analysis.return_)
    else:
        hops = analysis.forward + analysis.return_
        assert [hop.allowed for hop in hops].count(False) == 1 and not hops[-1].allowed


# ---- every explanation code the engine can emit appears in the table ----------------------------------
def engine_codes() -> set[str]:
    """The explanation codes written in the engine's source (``"UPPER_CASE_WORDS"`` literals)."""
    codes = set()
    for path in ENGINE.glob("*.py"):
        codes |= set(re.findall(r'"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"', path.read_text(encoding="utf-8")))
    return codes


def test_every_engine_code_appears_in_the_scenario_table():
    emitted = engine_codes()
    assert len(emitted) >= 15  # the scan itself works
    covered = {p.values[7] for p in SCENARIOS if p.values[7] is not None}
    assert emitted - covered == set()
    assert covered - emitted == set()


def test_every_engine_code_is_explained_in_both_languages():
    from vpclab.model.i18n import tr

    for code in engine_codes():
        for lang in ("en", "ko"):
            assert tr(f"explain.{code}", lang) != f"explain.{code}"


def test_scenario_ids_are_unique():
    ids = [p.id for p in SCENARIOS]
    assert len(ids) == len(set(ids))


# ---- paths: hops in order, translations -------------------------------------------------------------
def kinds(hops):
    return [hop.kind for hop in hops]


def test_classic_web_server_paths_list_the_components_in_order():
    t = T.public_web()
    a = t.lab.analyze("internet", t.web, "tcp", 80)
    assert kinds(a.forward) == ["internet", "internet-gateway", "network-acl", "security-group", "instance"]
    assert [h.component for h in a.forward] == ["internet", t.igw.id, t.acl.id, t.web_sg.id, t.web.id]
    assert kinds(a.return_) == ["security-group", "network-acl", "route-table", "internet-gateway", "internet"]
    assert [h.component for h in a.return_] == [t.web_sg.id, t.acl.id, t.public_rt.id, t.igw.id, "internet"]


def test_gateway_translates_the_destination_inbound_and_the_source_on_the_way_back():
    t = T.public_web()
    a = t.lab.analyze(T.CLIENT, t.web, "tcp", 80)
    client, public, private = IPv4Address(T.CLIENT), t.web.public_ip, t.web.private_ip
    assert a.forward[0].packet.destination == public
    gateway = a.forward[1]
    assert gateway.component == t.igw.id
    assert (gateway.packet.source, gateway.packet.destination) == (client, private)
    assert all(h.packet.destination == private for h in a.forward[1:])
    assert (a.return_[0].packet.source, a.return_[0].packet.destination) == (private, client)
    back = next(h for h in a.return_ if h.kind == "internet-gateway")
    assert (back.packet.source, back.packet.destination) == (public, client)
    assert back.packet.source_port == 80 and back.packet.destination_port == 32768


def test_outbound_path_leaves_with_the_public_address():
    t = T.public_web()
    a = t.lab.analyze(t.web, T.CLIENT, "tcp", 443)
    assert kinds(a.forward) == ["security-group", "route-table", "network-acl", "internet-gateway", "internet"]
    assert a.forward[0].packet.source == t.web.private_ip
    assert a.forward[-1].packet.source == t.web.public_ip
    assert kinds(a.return_)[0] == "internet-gateway"
    assert a.return_[-1].packet.destination == t.web.private_ip
    assert a.return_[-1].packet.destination_port == a.source_port == 32768


def test_nat_gateway_puts_its_private_address_in_and_the_internet_gateway_maps_it_to_the_elastic_ip():
    """Fact sheet §17(b): the NAT gateway replaces the source "with its own private IP which is translated
    to Elastic IP address by the internet gateway"."""
    t = T.private_app_behind_nat()
    a = t.lab.analyze(t.app, T.CLIENT, "tcp", 443)
    assert a.reachable
    nat = next(h for h in a.forward if h.kind == "nat-gateway")
    assert nat.component == t.nat.id
    assert nat.packet.source == t.nat.private_ip
    assert 1024 <= nat.packet.source_port <= 65535
    gateway = next(h for h in a.forward if h.kind == "internet-gateway")
    assert gateway.packet.source == t.nat_eip.public_ip == t.nat.public_ip
    assert gateway.values["private"] == str(t.nat.private_ip)
    assert a.forward[-1].packet.source == t.nat.public_ip
    assert a.forward[0].packet.source == t.app.private_ip
    assert [h.component for h in a.forward].index(t.nat.id) < [h.component for h in a.forward].index(t.igw.id)
    untranslated = next(h for h in a.return_ if h.kind == "nat-gateway")
    assert untranslated.packet.destination == t.app.private_ip
    # Back in: the gateway maps the Elastic IP to the NAT's private address, the NAT that to the app's.
    assert (untranslated.values["public"], untranslated.values["private"]) == (
        str(t.nat.private_ip),
        str(t.app.private_ip),
    )
    assert a.return_[-1].component == t.app.id


def test_hairpin_leaves_through_the_gateway_and_comes_back_in():
    t = T.hairpin_by_address()
    a = t.lab.analyze(t.web, str(t.web2.public_ip), "tcp", 8443)
    assert a.reachable
    gateways = [h for h in a.forward if h.kind == "internet-gateway"]
    assert [h.step for h in gateways] == ["igw_out", "igw_in"]
    arriving = a.forward[-1]
    assert arriving.component == t.web2.id
    assert (arriving.packet.source, arriving.packet.destination) == (t.web.public_ip, t.web2.private_ip)


def test_address_in_overlapping_vpcs_names_the_instance_of_the_source_vpc():
    t = T.overlapping_vpcs()
    assert t.a2.private_ip == t.b2.private_ip
    a = t.lab.analyze(t.b1, str(t.a2.private_ip), "tcp", 80)
    assert a.reachable and a.forward[-1].component == t.b2.id
    assert not any(h.kind == "internet-gateway" for h in a.forward)


def test_nat_private_ip_source_port_is_the_clients_when_in_range():
    t = T.private_app_behind_nat()
    a = t.lab.analyze(t.app, T.CLIENT, "tcp", 443, source_port=50000)
    nat = next(h for h in a.forward if h.kind == "nat-gateway")
    assert nat.packet.source_port == 50000


# ---- the question's endpoints: "internet", port=None ---------------------------------------------
def test_internet_source_is_an_address_the_group_admits():
    t = T.admin_ssh()
    a = t.lab.analyze("internet", t.web, "tcp", 22)
    assert a.reachable
    assert a.source in IPv4Network(T.ADMIN_CIDR)
    assert a.destination == t.web.public_ip


def test_internet_source_avoids_the_network_an_acl_denies():
    t = T.acl_denies_a_client_network()
    a = t.lab.analyze("internet", t.web, "tcp", 80)
    assert a.reachable and a.source not in IPv4Network("198.51.100.0/24")


def test_internet_destination_is_an_address_the_group_allows():
    t = T.outbound_to_one_network()
    a = t.lab.analyze(t.web, "internet", "tcp", 443)
    assert a.reachable and a.destination in IPv4Network("192.0.2.0/24")


def test_some_port_is_named_in_the_analysis():
    t = T.custom_port_only()
    a = t.lab.analyze("internet", t.alt)
    assert a.reachable and a.port == 8080 and a.protocol == "tcp"
    assert "8080" in a.explain("en")


def test_some_icmp_type_is_echo_request():
    t = T.ping_allowed()
    a = t.lab.analyze("internet", t.web, "icmp")
    assert a.reachable and a.port == 8


def test_default_source_port_is_the_first_linux_ephemeral_port():
    t = T.public_web()
    assert t.lab.analyze("internet", t.web, "tcp", 80).source_port == 32768
    assert t.lab.analyze("internet", t.web, "tcp", 80, source_port=50000).source_port == 50000


def test_internet_host_in_documentation_range_is_named_as_is():
    t = T.public_web()
    a = t.lab.analyze("203.0.113.7", t.web, "tcp", 80)
    assert a.source == IPv4Address("203.0.113.7")


def test_unreachable_some_port_still_names_a_port_and_a_host():
    t = T.no_inbound_rules()
    a = t.lab.analyze("internet", t.bare)
    assert a.reachable is False and a.code == "SG_HAS_NO_RULES"
    assert isinstance(a.port, int) and a.source is not None


def test_ids_and_objects_give_the_same_answer():
    t = T.tiers()
    by_object = t.lab.analyze(t.web, t.app, "tcp", 8080)
    by_id = t.lab.analyze(t.web.id, t.app.id, "tcp", 8080)
    assert (by_object.reachable, by_object.code) == (by_id.reachable, by_id.code) == (True, None)
    assert [h.component for h in by_object.forward] == [h.component for h in by_id.forward]


def test_analyze_does_not_change_the_lab():
    t = T.private_app_behind_nat()
    before = t.lab.to_json()
    t.lab.analyze("internet", t.web)
    t.lab.analyze(t.app, "internet", "-1")
    assert t.lab.to_json() == before


# ---- bad questions -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "destination", "protocol", "port", "source_port"),
    [
        pytest.param("internet", "internet", "tcp", 80, None, id="both-ends-internet"),
        pytest.param(T.CLIENT, "internet", "tcp", 80, None, id="internet-host-to-internet"),
        pytest.param("internet", "8.8.8.8", "tcp", 80, None, id="internet-to-internet-host"),
        pytest.param("$web", "internet", "tcp", 70000, None, id="port-too-large"),
        pytest.param("$web", "internet", "tcp", "80", None, id="port-as-text"),
        pytest.param("$web", "internet", "tcp", True, None, id="port-as-bool"),
        pytest.param("$web", "internet", "tcp", -1, None, id="tcp-port-minus-one"),
        pytest.param("$web", "internet", "-1", -1, None, id="all-protocols-port-minus-one"),
        pytest.param("$web", "internet", "icmp", 256, None, id="icmp-type-too-large"),
        pytest.param("$web", "internet", "tcp", (80, 81), None, id="port-range-is-not-a-packet"),
        pytest.param("$web", "internet", "tcp", 80, 65536, id="source-port-too-large"),
        pytest.param("$web", "internet", "tcp", 80, -1, id="source-port-negative"),
        pytest.param("$web", "internet", "gre", 80, None, id="unknown-protocol"),
        pytest.param("$web", "internet", "", 80, None, id="empty-protocol"),
        pytest.param("$web", "not-an-address", "tcp", 80, None, id="bad-address"),
        pytest.param("$web", "10.0.1", "tcp", 80, None, id="short-address"),
        pytest.param("$web", "fe80::1", "tcp", 80, None, id="ipv6-link-local"),
        pytest.param("$web", "169.254.169.254", "tcp", 80, None, id="instance-metadata-service"),
        pytest.param("$web", "169.254.169.253", "udp", 53, None, id="vpc-resolver"),
        pytest.param("$web", "127.0.0.1", "tcp", 80, None, id="loopback"),
        pytest.param("$web", "224.0.0.5", "udp", 80, None, id="multicast"),
        pytest.param("$web", "255.255.255.255", "udp", 67, None, id="broadcast"),
        pytest.param("0.1.2.3", "$web", "tcp", 80, None, id="this-network-source"),
        pytest.param("$web", "fd00:ec2::254", "tcp", 80, None, id="ipv6-metadata-service"),
        pytest.param("$web.public_ip", "2001:db8::1", "tcp", 80, None, id="mixed-families"),
    ],
)
def test_bad_questions_raise_invalid_parameter_value(source, destination, protocol, port, source_port):
    t = T.public_web()
    with pytest.raises(vpclab.VpcLabError) as caught:
        t.lab.analyze(resolve(t, source), resolve(t, destination), protocol, port, source_port)
    assert caught.value.code == "InvalidParameterValue"


def test_unknown_instance_id_raises_not_found():
    t = T.public_web()
    with pytest.raises(vpclab.VpcLabError) as caught:
        t.lab.analyze("i-0123456789abcdef0", "internet", "tcp", 443)
    assert caught.value.code.endswith("NotFound")


def test_an_instance_of_another_lab_is_refused():
    t, other = T.public_web(), T.tiers()
    with pytest.raises(vpclab.VpcLabError):
        t.lab.analyze(other.app, "internet", "tcp", 443)


# ---- explanations and displays -------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_explain_names_the_blocking_component(lang):
    t = T.acl_denies_a_client_network()
    a = t.lab.analyze(T.CLIENT, t.web, "tcp", 80)
    text = a.explain(lang)
    assert t.public_acl.id in text
    assert bool(HANGUL.search(text)) is (lang == "ko")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_no_route_fix_names_the_route_the_gateway_and_the_table(lang):
    t = T.main_table_after_disassociation()
    a = t.lab.analyze(t.web, "internet", "tcp", 443)
    assert a.code == "NO_ROUTE_TO_DESTINATION"
    text = a.explain(lang)
    assert "0.0.0.0/0" in text and t.igw.id in text and t.main_rt.id in text


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_no_route_fix_on_the_reply_names_the_route_too(lang):
    t = T.private_with_eip()
    a = t.lab.analyze(T.CLIENT, t.db, "tcp", 80)
    text = a.explain(lang)
    assert "0.0.0.0/0" in text and t.igw.id in text and t.main_rt.id in text


@pytest.mark.parametrize(
    ("builder", "question", "component"),
    [
        (T.no_inbound_rules, ("internet", "$bare", "tcp", 80), "$bare_sg.id"),
        (T.https_only_outbound, ("$web", "8.8.8.8", "udp", 53), "$web_sg.id"),
        (T.blackhole_more_specific, ("$web", "203.0.113.9", "tcp", 443), "$public_rt.id"),
        (T.no_public_ip, ("$plain", "internet", "tcp", 443), "$plain.id"),
        (T.no_gateway, ("internet", "$web", "tcp", 80), "$vpc.id"),
        (T.stopped_instances, ("internet", "$web", "tcp", 80), "$web.id"),
        (T.private_with_eip_behind_nat, (T.CLIENT, "$app", "tcp", 80), "$private_rt.id"),
        (T.private_app_behind_nat, ("internet", "$nat.public_ip", "tcp", 80), "$nat.id"),
        (T.appliance_route, ("$web", "203.0.113.9", "tcp", 443), "$appliance.id"),
    ],
    ids=[
        "sg-no-rules",
        "sg-mismatch",
        "blackhole",
        "no-public-ip",
        "no-gateway",
        "stopped",
        "asymmetric",
        "nat-inbound",
        "appliance",
    ],
)
@pytest.mark.parametrize("lang", ["en", "ko"])
def test_explanations_name_the_component_in_both_languages(builder, question, component, lang):
    t = builder()
    a = t.lab.analyze(*(resolve(t, q) for q in question))
    text = a.explain(lang)
    assert resolve(t, component) in text
    assert "{" not in text and "}" not in text
    assert bool(HANGUL.search(text)) is (lang == "ko")


def test_reachable_explanation_says_so():
    t = T.public_web()
    a = t.lab.analyze("internet", t.web, "tcp", 80)
    assert a.code is None and a.blocked_at is None
    assert "eachable" in a.explain("en") and HANGUL.search(a.explain("ko"))


def test_analysis_html_shows_the_hop_table():
    t = T.public_web()
    a = t.lab.analyze("internet", t.web, "tcp", 80)
    html = a._repr_html_()
    assert "<table" in html
    for component in (t.igw.id, t.acl.id, t.web_sg.id, t.web.id, t.public_rt.id):
        assert component in html
    assert str(t.web.private_ip) in html


def test_analysis_html_of_a_blocked_path_marks_the_blocking_acl():
    t = T.acl_denies_a_client_network()
    html = t.lab.analyze(T.CLIENT, t.web, "tcp", 80)._repr_html_()
    assert html.count("<table") == 1  # the forward path only: the request never got a reply
    assert t.public_acl.id in html and t.igw.id in html and t.web_sg.id not in html


def test_analysis_text_in_korean():
    t = T.acl_denies_a_client_network()
    a = t.lab.analyze(T.CLIENT, t.web, "tcp", 80)
    text = analysis_text(a, "ko")
    assert HANGUL.search(text) and t.public_acl.id in text
    assert t.igw.id in text  # the hops before the block are listed too


def test_analysis_repr_reads_as_a_verdict():
    t = T.public_web()
    assert "not reachable" in repr(t.lab.analyze("internet", t.web, "tcp", 22))
    assert bool(t.lab.analyze("internet", t.web, "tcp", 80)) is True
    assert bool(t.lab.analyze("internet", t.web, "tcp", 22)) is False
