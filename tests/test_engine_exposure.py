"""``lab.exposure()`` (the audit view) and ``lab.is_public(subnet)`` — and that both agree with ``analyze``."""

from __future__ import annotations

import json
import re
from ipaddress import IPv4Network

import engine_topologies as T
import pytest

from vpclab.model.addressing import PortRange

HANGUL = re.compile("[가-힣]")
EVERYWHERE = (IPv4Network("0.0.0.0/0"),)


def entries(exposure):
    """The inbound entries as plain tuples: (protocol, first port, last port, source CIDRs as text)."""
    return [(e.protocol, e.ports.first, e.ports.last, [str(s) for s in e.sources]) for e in exposure.inbound]


# ---- the report as data ---------------------------------------------------------------------------
def test_web_server_is_exposed_only_on_80_and_443_from_anywhere():
    t = T.public_web()
    web = t.lab.exposure()[t.web]
    assert entries(web) == [("tcp", 80, 80, ["0.0.0.0/0"]), ("tcp", 443, 443, ["0.0.0.0/0"])]
    assert all(e.sources == EVERYWHERE and e.ports == PortRange(e.ports.first, e.ports.first) for e in web.inbound)
    assert web.exposed and web.inbound_code is None and web.inbound_blocked_at is None and web.blocked_rules == []
    assert (web.outbound, web.outbound_via, web.outbound_code) == (True, t.igw.id, None)
    assert (web.instance_id, web.name, web.subnet_id) == (t.web.id, "web", t.public.id)
    assert (web.private_ip, web.public_ip) == (str(t.web.private_ip), str(t.web.public_ip))


def test_report_is_indexed_by_instance_or_id_and_iterates_in_launch_order():
    t = T.private_app_behind_nat()
    report = t.lab.exposure()
    assert report[t.app] is report[t.app.id]
    assert [e.instance_id for e in report] == [t.web.id, t.app.id]
    assert len(report) == 2
    with pytest.raises(KeyError):
        report["i-0123456789abcdef0"]


def test_ssh_limited_to_an_admin_network_shows_that_network():
    t = T.admin_ssh()
    web = t.lab.exposure()[t.web]
    assert ("tcp", 22, 22, [T.ADMIN_CIDR]) in entries(web)
    assert web.inbound_code is None


def test_acl_that_denies_part_of_a_network_leaves_the_remainder_and_says_why():
    t = T.admin_ssh_partly_denied()
    web = t.lab.exposure()[t.web]
    assert ("tcp", 22, 22, ["203.0.113.128/25"]) in entries(web)
    assert ("tcp", 80, 80, ["0.0.0.0/0"]) in entries(web)
    assert (web.inbound_code, web.inbound_blocked_at) == ("SUBNET_ACL_RESTRICTION", t.public_acl.id)
    [blocked] = web.blocked_rules
    assert (blocked.protocol, blocked.ports, str(blocked.cidr)) == ("tcp", PortRange(22, 22), T.ADMIN_CIDR)
    assert (blocked.code, blocked.blocked_at) == ("SUBNET_ACL_RESTRICTION", t.public_acl.id)


def test_acl_that_denies_one_client_network_excludes_it_from_the_sources():
    t = T.acl_denies_a_client_network()
    web = t.lab.exposure()[t.web]
    [http] = [e for e in web.inbound if e.ports == PortRange(80, 80)]
    assert not any(s.overlaps(IPv4Network("198.51.100.0/24")) for s in http.sources)
    assert any(IPv4Network("198.51.101.0/24").subnet_of(s) for s in http.sources)
    assert any(e.ports == PortRange(443, 443) and e.sources == EVERYWHERE for e in web.inbound)


def test_private_instance_behind_nat_has_no_inbound_and_goes_out_by_the_nat_gateway():
    t = T.private_app_behind_nat()
    app = t.lab.exposure()[t.app]
    assert app.inbound == [] and not app.exposed and app.public_ip is None
    assert (app.inbound_code, app.inbound_blocked_at) == ("IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", t.igw.id)
    assert (app.outbound, app.outbound_via, app.outbound_code) == (True, t.nat.id, None)


def test_terminated_instances_are_left_out():
    t = T.terminated_instance()
    report = t.lab.exposure()
    assert [e.instance_id for e in report] == [t.web.id]
    with pytest.raises(KeyError):
        report[t.gone]


@pytest.mark.parametrize(
    ("builder", "instance", "code", "at"),
    [
        (T.no_inbound_rules, "bare", "SG_HAS_NO_RULES", "bare_sg"),
        (T.tiers, "web2", "ENI_SG_RULES_MISMATCH", "peer_sg"),
        (T.no_public_ip, "plain", "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", "igw"),
        (T.no_gateway, "web", "BAD_STATE_ATTACHMENT", "vpc"),
        (T.stopped_instances, "web", "BAD_STATE", "web"),
        (T.stopped_instances, "auto", "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", "igw"),
        (T.private_with_eip, "db", "NO_ROUTE_TO_DESTINATION", "main_rt"),
        (T.private_with_eip_behind_nat, "app", "ASYMMETRIC_RETURN_PATH", "private_rt"),
        (T.acl_replies_to_windows_clients_only, "web", "SUBNET_ACL_RESTRICTION", "public_acl"),
    ],
    ids=[
        "sg-no-rules",
        "group-references-only",
        "no-public-ip",
        "no-gateway",
        "stopped-eip",
        "stopped-auto",
        "reply-no-route",
        "reply-by-nat",
        "reply-acl-windows-only",
    ],
)
def test_instance_closed_to_the_internet_names_what_blocks_it(builder, instance, code, at):
    t = builder()
    exposure = t.lab.exposure()[getattr(t, instance)]
    assert exposure.inbound == [] and not exposure.exposed
    assert (exposure.inbound_code, exposure.inbound_blocked_at) == (code, getattr(t, at).id)


@pytest.mark.parametrize(
    ("builder", "instance", "outbound", "via", "code"),
    [
        (T.public_web, "web", True, "igw", None),
        (T.main_table_public, "web", True, "igw", None),
        (T.private_app_behind_nat, "app", True, "nat", None),
        (T.no_outbound_rules, "web", False, None, "SG_HAS_NO_RULES"),
        (T.outbound_to_one_network, "web", True, "igw", None),
        (T.no_public_ip, "plain", False, None, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS"),
        (T.deleted_nat, "app", False, None, "BAD_STATE_ROUTE"),
        (T.nat_in_private_subnet, "app", False, None, "NO_ROUTE_TO_DESTINATION"),
        (T.acl_outbound_denies_https, "web", False, None, "SUBNET_ACL_RESTRICTION"),
        (T.stopped_instances, "web", False, None, "BAD_STATE"),
        (T.nat_behind_appliance, "app", None, None, "UNSUPPORTED_COMPONENT"),
    ],
    ids=[
        "igw",
        "main-table",
        "nat",
        "no-egress-rules",
        "one-network",
        "no-public-ip",
        "deleted-nat",
        "nat-in-private-subnet",
        "acl-denies-https",
        "stopped",
        "appliance",
    ],
)
def test_outbound_column_says_whether_and_how_the_instance_reaches_the_internet(builder, instance, outbound, via, code):
    t = builder()
    exposure = t.lab.exposure()[getattr(t, instance)]
    assert exposure.outbound is outbound
    assert exposure.outbound_via == (getattr(t, via).id if via else None)
    assert exposure.outbound_code == code
    analysis = t.lab.analyze(getattr(t, instance), "internet", "tcp", 443)
    assert (analysis.reachable, analysis.code, analysis.blocked_at) == (
        exposure.outbound,
        exposure.outbound_code,
        exposure.outbound_blocked_at,
    )


def test_nat_subnet_acl_that_singles_out_one_instance_is_seen_by_exposure_too():
    t = T.nat_with_acls()
    twin = t.lab.run_instance(t.private, name="twin", security_groups=[t.app_sg])
    t.lab.create_network_acl_entry(t.public_acl, 40, False, "-1", None, f"{twin.private_ip}/32", "deny")
    report = t.lab.exposure()
    assert (report[t.app].outbound, report[t.app].outbound_via) == (True, t.nat.id)
    assert (report[twin].outbound, report[twin].outbound_code) == (False, "SUBNET_ACL_RESTRICTION")
    assert report[twin].outbound_blocked_at == t.public_acl.id
    assert t.lab.analyze(twin, "internet", "tcp", 443).code == "SUBNET_ACL_RESTRICTION"


def test_shared_answers_still_name_each_instance_itself():
    t = T.public_web()
    twin = t.lab.run_instance(t.public, name="twin", security_groups=[t.web_sg])
    t.lab.associate_address(t.lab.allocate_address(), twin)
    t.lab.stop_instance(t.web)
    t.lab.stop_instance(twin)
    report = t.lab.exposure()
    for instance in (t.web, twin):
        entry = report[instance]
        assert (entry.inbound_code, entry.inbound_blocked_at) == ("BAD_STATE", instance.id)
        assert (entry.outbound_code, entry.outbound_blocked_at) == ("BAD_STATE", instance.id)


def test_subnets_sharing_acl_and_table_share_answers_but_keep_their_own_ids():
    t = T.public_web()
    other = t.lab.create_subnet(t.vpc, "10.0.3.0/24", name="public-2")
    t.lab.associate_route_table(t.public_rt, other)
    twin = t.lab.run_instance(other, name="twin", security_groups=[t.web_sg], associate_public_ip=True)
    report = t.lab.exposure()
    assert entries(report[twin]) == entries(report[t.web])
    assert report[twin].subnet_id == other.id and report[twin].public_ip == str(twin.public_ip)


def test_port_ranges_udp_and_ping_are_listed_per_protocol():
    t = T.port_range_and_udp()
    t.lab.authorize_security_group_ingress(t.web_sg, "icmp", 8, cidr="192.0.2.0/24")
    web = t.lab.exposure()[t.web]
    assert entries(web) == [
        ("tcp", 80, 80, ["0.0.0.0/0"]),
        ("tcp", 443, 443, ["0.0.0.0/0"]),
        ("tcp", 8000, 8100, ["0.0.0.0/0"]),
        ("udp", 53, 53, ["0.0.0.0/0"]),
        ("icmp", 8, 8, ["192.0.2.0/24"]),
    ]
    assert "icmp echo" in str(web.inbound[-1])


def test_all_protocols_rule_exposes_every_port_and_ping():
    t = T.all_protocols_open()
    exposure = t.lab.exposure()[t.any]
    assert entries(exposure) == [
        ("tcp", 0, 65535, ["0.0.0.0/0"]),
        ("udp", 0, 65535, ["0.0.0.0/0"]),
        ("icmp", 8, 8, ["0.0.0.0/0"]),
    ]


def test_icmp_rule_for_another_type_is_not_reported_as_ping():
    t = T.public_web()
    t.lab.authorize_security_group_ingress(t.web_sg, "icmp", 13, cidr="0.0.0.0/0")
    assert [e.protocol for e in t.lab.exposure()[t.web].inbound] == ["tcp", "tcp"]


def test_reply_route_through_an_appliance_is_reported_as_blocked_rule():
    t = T.appliance_route()
    web = t.lab.exposure()[t.web]
    [http] = [e for e in web.inbound if e.ports == PortRange(80, 80)]
    assert not any(s.overlaps(IPv4Network("203.0.113.0/24")) for s in http.sources)
    assert {(b.code, b.blocked_at) for b in web.blocked_rules} == {("UNSUPPORTED_COMPONENT", t.appliance.id)}


def test_instances_sharing_groups_and_subnet_get_equal_answers():
    t = T.public_web()
    twins = [t.lab.run_instance(t.public, security_groups=[t.web_sg], associate_public_ip=True) for _ in range(3)]
    report = t.lab.exposure()
    assert len({json.dumps(entries(report[i])) for i in [t.web, *twins]}) == 1


# ---- renderings ---------------------------------------------------------------------------------------
def test_to_data_is_json_serialisable_and_complete():
    t = T.admin_ssh_partly_denied()
    data = t.lab.exposure().to_data()
    text = json.dumps(data)
    assert json.loads(text) == data
    [web] = data
    assert web["instance_id"] == t.web.id and web["outbound_via"] == t.igw.id
    assert {"protocol": "tcp", "ports": [22, 22], "sources": ["203.0.113.128/25"]} in web["inbound"]
    assert web["blocked_rules"][0]["code"] == "SUBNET_ACL_RESTRICTION"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_text_table_names_instances_addresses_and_gateways(lang):
    t = T.private_app_behind_nat()
    text = t.lab.exposure().to_text(lang)
    for value in (t.web.id, t.app.id, str(t.web.public_ip), t.nat.id, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"):
        assert value in text
    assert "tcp 80 ← 0.0.0.0/0" in text
    assert bool(HANGUL.search(text)) is (lang == "ko")


def test_html_table_lists_every_instance():
    t = T.private_app_behind_nat()
    html = t.lab.exposure()._repr_html_()
    assert "<table" in html and t.web.id in html and t.app.id in html and t.nat.id in html


def test_empty_lab_has_an_empty_report():
    t = T.public_web()
    t.lab.terminate_instance(t.web)
    report = t.lab.exposure()
    assert len(report) == 0 and report.to_data() == []
    assert "<table" in report._repr_html_()


# ---- is_public uses the same engine ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("builder", "subnet", "public"),
    [
        (T.public_web, "public", True),
        (T.public_web, "private", False),
        (T.main_table_public, "subnet", True),
        (T.main_table_after_disassociation, "public", False),
        (T.detached_gateway, "public", False),
        (T.no_gateway, "subnet", False),
        (T.narrow_gateway_route, "narrow", True),
        (T.narrow_gateway_route, "holed", False),
        (T.secondary_cidr, "public", True),
        (T.private_app_behind_nat, "private", False),
    ],
    ids=[
        "public",
        "private",
        "main-table",
        "disassociated",
        "detached-gateway",
        "no-gateway",
        "narrow-route",
        "blackhole-only",
        "secondary-cidr",
        "behind-nat",
    ],
)
def test_is_public_agrees_with_the_engine(builder, subnet, public):
    t = builder()
    subnet = getattr(t, subnet)
    assert t.lab.is_public(subnet) is public
    assert t.lab.is_public(subnet.id) is public
    # A probe with a public IP and the default group (all outbound) reaches the internet by the
    # gateway exactly when the subnet is public.
    probe = t.lab.run_instance(subnet, name="probe", associate_public_ip=True)
    analysis = t.lab.analyze(probe, "internet", "-1")
    by_gateway = analysis.reachable and not any(h.kind == "nat-gateway" for h in analysis.forward)
    assert bool(by_gateway) is public
