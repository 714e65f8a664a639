"""The engine over IPv6 and under Block Public Access: the path's hops, ``ip_version``, and the
exposure report's separate IPv6 half (fact sheet §12–§14)."""

from __future__ import annotations

from ipaddress import IPv6Address

import engine_topologies_ipv6 as T6
import pytest

import vpclab


def test_the_internet_gateway_carries_ipv6_without_translation_both_ways():
    t = T6.dual_stack()
    analysis = t.lab.analyze(T6.CLIENT6, t.web6, "tcp", 80)
    gateway_hops = [h for h in analysis.forward + analysis.return_ if h.kind == "internet-gateway"]
    assert [h.step for h in gateway_hops] == ["igw6_in", "igw6_out"]
    for hop in analysis.forward:
        assert str(hop.packet.destination) == t.web6  # never rewritten to a private address
    for hop in analysis.return_:
        assert str(hop.packet.source) == t.web6


def test_ip_version_6_uses_the_instances_ipv6_addresses_and_some_ipv6_internet_host():
    t = T6.dual_stack()
    out = t.lab.analyze(t.app, "internet", "tcp", 443, ip_version=6)
    assert out.reachable and out.source == IPv6Address(t.app6) and out.destination.version == 6
    assert [h.component for h in out.forward if h.step == "eigw_out"] == [t.eigw.id]
    inside = t.lab.analyze(t.web, t.app, "tcp", 8080, ip_version=6)
    assert inside.reachable and str(inside.destination) == t.app6
    assert t.lab.analyze(t.web, t.app, "tcp", 8080).destination == t.app.private_ip  # IPv4 by default


def test_an_ipv4_question_ignores_ipv6_rules_and_routes():
    t = T6.ipv6_group_ipv4_only()
    assert t.lab.analyze("internet", t.web, "tcp", 80).reachable  # 0.0.0.0/0 still admits IPv4


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"ip_version": 5}, "InvalidParameterValue:ip_version"),
        ({"ip_version": True}, "InvalidParameterValue:ip_version"),
        ({"protocol": "icmpv6", "port": 128}, "InvalidParameterValue:icmp_family"),
        ({"protocol": "icmp", "port": 8, "ip_version": 6}, "InvalidParameterValue:icmp_family"),
    ],
)
def test_bad_ipv6_questions_are_refused_clearly(kwargs, key):
    t = T6.dual_stack()
    with pytest.raises(vpclab.InvalidParameterError) as caught:
        t.lab.analyze(t.web, "internet", **{"protocol": "tcp", "port": 443, **kwargs})
    assert caught.value.key == key


def test_ping_over_ipv6_is_answered_by_an_echo_reply():
    t = T6.dual_stack()
    t.lab.authorize_security_group_ingress(t.web_sg, "58", (128, -1), cidr="::/0")
    analysis = t.lab.analyze(T6.CLIENT6, t.web6, "icmpv6", 128)
    assert analysis.reachable and analysis.return_[-1].packet.destination_port == 129


def test_block_public_access_is_reported_before_the_route_that_would_also_block():
    t = T6.bpa_bidirectional()
    t.lab.delete_route(t.public_rt, "::/0")
    t.lab.create_route(t.public_rt, "::/0", t.igw)
    t.lab.revoke_security_group_ingress(t.web_sg, "tcp", 80, cidr="::/0")  # the group would block too
    analysis = t.lab.analyze(T6.CLIENT6, t.web6, "tcp", 80)
    assert analysis.code == "VPC_BLOCK_PUBLIC_ACCESS_ENABLED"
    assert [h.kind for h in analysis.forward if not h.allowed] == ["block-public-access"]
    assert "Block Public Access" in analysis.explain("en") and "퍼블릭 액세스 차단" in analysis.explain("ko")


def test_exposure_reports_ipv4_and_ipv6_openings_separately():
    t = T6.dual_stack()
    report = t.lab.exposure()
    web, app, plain = report[t.web], report[t.app], report[t.plain]
    assert [str(e) for e in web.inbound] == ["tcp 80 ← 0.0.0.0/0", "tcp 443 ← 0.0.0.0/0"]
    assert [str(e) for e in web.inbound_v6] == ["tcp 80 ← ::/0", "tcp 443 ← ::/0"]
    assert web.ipv6_addresses == [t.web6] and web.outbound_v6 and web.outbound_v6_via == t.igw.id
    assert app.inbound_v6 == [] and app.inbound_v6_code == "EGRESS_ONLY_IGW_NO_INBOUND"
    assert app.outbound_v6 and app.outbound_v6_via == t.eigw.id and app.outbound_via == t.nat.id
    assert plain.ipv6_addresses == [] and plain.outbound_v6 is None
    data = {e["instance_id"]: e for e in report.to_data()}
    assert data[t.web.id]["inbound_v6"][0] == {"protocol": "tcp", "ports": [80, 80], "sources": ["::/0"]}
    text = report.to_text("en")
    assert "tcp 80 ← ::/0" in text and t.web6 in text


def test_exposure_shows_block_public_access_for_both_families():
    t = T6.bpa_bidirectional()
    web = t.lab.exposure()[t.web]
    assert web.inbound == [] and web.inbound_code == "VPC_BLOCK_PUBLIC_ACCESS_ENABLED"
    assert web.inbound_v6 == [] and web.inbound_v6_code == "VPC_BLOCK_PUBLIC_ACCESS_ENABLED"
    assert web.outbound is False and web.outbound_code == "VPC_BLOCK_PUBLIC_ACCESS_ENABLED"
    assert web.outbound_v6 is False


def test_exposure_of_an_ipv6_rule_cut_by_the_acl_lists_only_the_open_ports():
    t = T6.dual_stack()
    t.lab.authorize_security_group_ingress(t.web_sg, "tcp", (8000, 8100), cidr="2001:db8::/32")
    acl = t.lab.create_network_acl(t.vpc)
    t.lab.replace_network_acl_association(acl, t.public)
    t.lab.create_network_acl_entry(acl, 100, False, "tcp", (8050, 8100), "::/0", "allow")
    t.lab.create_network_acl_entry(acl, 100, True, "-1", None, "::/0", "allow")
    opened = [str(e) for e in t.lab.exposure()[t.web].inbound_v6]
    assert opened == ["tcp 8050-8100 ← 2001:db8::/32"]
