"""The engine for IPv6-only instances: DNS64, NAT64 at the NAT gateway, ``DNS64_NAT64_REQUIRED`` and its
fixes, ``UNASSOCIATED_COMPONENT``, and the exposure report (fact sheet §12.1, §12.5, §12.7)."""

from __future__ import annotations

import json
from ipaddress import IPv4Address, IPv6Address

import engine_topologies_ipv6only as T
import pytest

import vpclab
from vpclab.engine import fixes
from vpclab.engine.nat64 import embedded, synthesize


def test_dns64_puts_the_ipv4_address_in_the_last_32_bits_of_64_ff9b():
    assert synthesize(IPv4Address(T.UPDATES)) == IPv6Address(T.UPDATES64)
    assert embedded(IPv6Address(T.UPDATES64)) == IPv4Address(T.UPDATES)


def test_nat64_leaves_as_ipv4_from_the_nat_and_its_elastic_ip_and_comes_back_as_ipv6():
    t = T.ipv6_only()
    result = t.lab.analyze(t.worker, T.UPDATES, "tcp", 443)
    assert result.reachable and result.destination == IPv6Address(T.UPDATES64)
    steps = [h.step for h in result.forward]
    assert steps[0] == "dns64" and steps.index("nat64_out") < steps.index("igw_out")
    out = next(h for h in result.forward if h.step == "nat64_out")
    assert out.component == t.nat.id
    # The NAT's own private address first; the internet gateway maps it to the Elastic IP (fact sheet §17(b)).
    assert (out.packet.source, out.packet.destination) == (t.nat.private_ip, IPv4Address(T.UPDATES))
    assert 1024 <= out.packet.source_port <= 65535
    gateway = next(h for h in result.forward if h.step == "igw_out")
    assert (gateway.packet.source, gateway.packet.destination) == (t.nat.public_ip, IPv4Address(T.UPDATES))
    back = next(h for h in result.return_ if h.step == "nat64_in")
    assert (back.packet.source, back.packet.destination) == (IPv6Address(T.UPDATES64), t.worker.ipv6_addresses[0])
    assert result.return_[-1].step == "arrive" and result.return_[-1].component == t.worker.id


def test_the_nat_subnet_acl_meets_the_ipv6_packet_on_the_way_in_and_ipv4_on_the_way_out():
    t = T.ipv6_only()
    hops = t.lab.analyze(t.worker, T.UPDATES, "tcp", 443).forward
    acl = t.public.network_acl.id
    families = [(h.step, h.packet.destination.version) for h in hops if h.component == acl]
    assert ("acl_in", 6) in families and ("acl_out", 4) in families


def test_a_reply_dropped_by_the_nat_subnet_acl_is_blocked_on_the_return_path():
    t = T.nat_subnet_acl_without_reply_ports()
    result = t.lab.analyze(t.worker, T.UPDATES, "tcp", 443)
    assert (result.reachable, result.code, result.blocked_at) == (False, "SUBNET_ACL_RESTRICTION", t.nat_acl.id)
    assert result.return_ and not result.return_[-1].allowed and all(h.allowed for h in result.forward)
    assert result.return_[-1].packet.destination.version == 4  # the IPv4 reply, before translation


def test_without_dns64_the_block_is_at_the_subnet_and_the_synthesized_address_still_works():
    t = T.without_dns64()
    result = t.lab.analyze(t.worker, T.UPDATES, "tcp", 443)
    assert (result.code, result.blocked_at, result.forward[-1].step) == (
        "DNS64_NAT64_REQUIRED",
        t.v6only.id,
        "dns64_off",
    )
    assert t.lab.analyze(t.worker, T.UPDATES64, "tcp", 443).reachable


@pytest.mark.parametrize(
    "builder",
    [
        T.without_dns64,
        T.without_nat64_route,
        T.nat64_route_to_internet_gateway,
        T.on_the_main_table,
        T.nat_deleted,
    ],
)
def test_the_fix_of_a_missing_dns64_or_nat64_route_makes_it_reachable(builder):
    t = builder()
    result = t.lab.analyze(t.worker, T.UPDATES, "tcp", 443)
    assert not result.reachable and result.fix_steps
    fixes.apply(t.lab, result.fix_steps)
    assert t.lab.analyze(t.worker, T.UPDATES, "tcp", 443).reachable
    assert t.lab.route_table_of(t.v6only) is not t.lab.main_route_table(t.vpc)  # never the main table


def test_dns64_off_and_no_route_are_fixed_together():
    t = T.without_nat64_route()
    t.lab.modify_subnet_attribute(t.v6only, enable_dns64=False)
    result = t.lab.analyze(t.worker, T.UPDATES, "tcp", 443)
    assert result.fix == "dns64_and_nat64_route" and next(s.verb for s in result.fix_steps) == "modify_subnet_attribute"
    fixes.apply(t.lab, result.fix_steps)
    assert t.lab.analyze(t.worker, T.UPDATES, "tcp", 443).reachable


def test_without_a_nat_gateway_the_fix_creates_one_in_the_public_subnet():
    t = T.without_nat64_route()
    t.lab.delete_nat_gateway(t.nat)
    t.lab.replace_route(t.private_rt, "0.0.0.0/0", t.igw)
    result = t.lab.analyze(t.worker, T.UPDATES, "tcp", 443)
    assert result.fix == "add_nat64_route_new_nat"
    made = fixes.apply(t.lab, result.fix_steps)
    assert made[1].subnet is t.public and t.lab.analyze(t.worker, T.UPDATES, "tcp", 443).reachable


def test_without_any_public_subnet_the_fix_stays_in_words():
    t = T.without_nat64_route()
    t.lab.delete_nat_gateway(t.nat)
    t.lab.replace_route(t.private_rt, "0.0.0.0/0", t.igw)
    t.lab.delete_route(t.public_rt, "0.0.0.0/0")
    t.lab.delete_route(t.private_rt, "0.0.0.0/0")
    result = t.lab.analyze(t.worker, T.UPDATES, "tcp", 443)
    assert result.code == "DNS64_NAT64_REQUIRED" and result.fix_steps == ()


def test_the_main_tables_other_routes_go_along_to_the_subnets_own_table():
    t = T.on_the_main_table()
    eigw = t.lab.create_egress_only_internet_gateway(t.vpc)
    t.lab.create_route(t.main_rt, "::/0", eigw)
    result = t.lab.analyze(t.worker, T.UPDATES, "tcp", 443)
    fixes.apply(t.lab, result.fix_steps)
    own = t.lab.route_table_of(t.v6only)
    assert own.lookup("2001:db8::1").target is eigw and t.lab.analyze(t.worker, T.UPDATES, "tcp", 443).reachable


def test_ipv4_questions_about_an_ipv6_only_instance_name_it_as_unassociated():
    t = T.ipv6_only()
    for source, destination in (("internet", t.worker), (t.web, t.worker), (t.worker, str(t.web.private_ip))):
        result = t.lab.analyze(source, destination, "tcp", 22)
        assert (result.reachable, result.code, result.blocked_at) == (False, "UNASSOCIATED_COMPONENT", t.worker.id)
        assert result.fix == "reach_over_ipv6"


def test_a_nat64_address_standing_for_a_bogon_is_refused_as_that_address():
    t = T.ipv6_only()
    with pytest.raises(vpclab.VpcLabError) as caught:
        t.lab.analyze(t.worker, "64:ff9b::7f00:1", "tcp", 443)  # 127.0.0.1
    assert caught.value.code == "InvalidParameterValue"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_nat64_answer_explains_itself_in_both_languages(lang):
    for builder in (T.ipv6_only, T.without_dns64, T.without_nat64_route):
        t = builder()
        for destination in (T.UPDATES, "internet"):
            text = t.lab.analyze(t.worker, destination, "tcp", 443).explain(lang)
            assert "explain." not in text and "fix." not in text and "{" not in text
    text = t.lab.analyze("internet", t.worker, "tcp", 22).explain(lang)
    assert "explain." not in text and "{" not in text


# ---- exposure ----------------------------------------------------------------------------------------------
def test_exposure_lists_an_ipv6_only_instance_with_no_ipv4_in_and_ipv4_out_through_nat64():
    t = T.ipv6_only()
    entry = t.lab.exposure()[t.worker]
    assert entry.private_ip is None and entry.public_ip is None
    assert entry.inbound == [] and entry.inbound_code == "UNASSOCIATED_COMPONENT"
    assert (entry.outbound, entry.outbound_via) == (True, t.nat.id)
    assert entry.ipv6_addresses == [t.worker6] and entry.outbound_v6 is False  # no ::/0 route


def test_exposure_of_an_ipv6_only_instance_without_dns64_says_what_is_missing():
    t = T.without_dns64()
    entry = t.lab.exposure()[t.worker]
    assert (entry.outbound, entry.outbound_code, entry.outbound_blocked_at) == (
        False,
        "DNS64_NAT64_REQUIRED",
        t.v6only.id,
    )


def test_exposure_does_not_share_an_ipv6_only_answer_with_a_private_dual_stack_neighbour():
    t = T.ipv6_only()
    block = list(t.vpc.ipv6_cidr_blocks[0].subnets(new_prefix=64))[6]
    t.lab.associate_subnet_cidr_block(t.private, str(block))
    twin = t.lab.run_instance(t.private, security_groups=[t.worker_sg], ipv6_address_count=1)
    report = t.lab.exposure()
    assert report[twin].inbound_code == "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"
    assert report[t.worker].inbound_code == "UNASSOCIATED_COMPONENT"


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_exposure_report_with_an_ipv6_only_instance_renders_and_serialises(lang):
    t = T.ipv6_only()
    report = t.lab.exposure()
    text, html = report.to_text(lang), report._repr_html_()
    assert t.worker.id in text and t.worker.id in html
    assert json.loads(json.dumps(report.to_data()))[-1]["private_ip"] is None
