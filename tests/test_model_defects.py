"""What the model got wrong when tried as a careful user would (issue 14, "Fix what the model gets
wrong today"): each defect, with the behaviour that replaces it."""

from __future__ import annotations

import json
import math

import engine_topologies as T
import pytest
from conftest import assert_unchanged

import vpclab
from vpclab.model.history import plain


# ---- objects of another lab ---------------------------------------------------------------------------
def test_an_object_of_another_lab_is_refused_not_resolved_by_its_id():
    lab_a, lab_b = T.public_web(), T.public_web()
    assert lab_a.web.id == lab_b.web.id  # ids are deterministic, so they collide across labs
    error = assert_unchanged(lab_a.lab, lambda: lab_a.lab.terminate_instance(lab_b.web), "InvalidParameterValue")
    assert error.key == "InvalidParameterValue:other_lab"
    assert lab_a.web.state.value == "running" and lab_b.web.state.value == "running"
    foreign_target = lambda: lab_a.lab.create_route(lab_a.public_rt, "8.8.8.0/24", lab_b.igw)  # noqa: E731
    assert_unchanged(lab_a.lab, foreign_target, "InvalidParameterValue")
    with pytest.raises(vpclab.InvalidParameterError):
        lab_a.lab.analyze(lab_b.web, "internet")
    lab_a.lab.terminate_instance(lab_a.web.id)  # the id as text still names this lab's own
    assert lab_a.web.state.value == "terminated"


# ---- a VPC with a publicly routable CIDR --------------------------------------------------------------
def _with_public_cidr_vpc():
    t = T.public_web()
    lab = t.lab
    t.far = lab.create_vpc("8.8.0.0/16", name="public-range")
    igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw, t.far)
    subnet = lab.create_subnet(t.far, "8.8.0.0/24")
    table = lab.create_route_table(t.far)
    lab.associate_route_table(table, subnet)
    lab.create_route(table, "0.0.0.0/0", igw)
    t.far_instance = lab.run_instance(subnet, "far")
    return t


def test_internet_hosts_in_another_vpcs_public_range_stay_reachable():
    t = _with_public_cidr_vpc()
    analysis = t.lab.analyze(t.web, "8.8.8.8", "tcp", 443)
    assert analysis.reachable and analysis.source == t.web.private_ip
    assert [h.step for h in analysis.forward if h.kind == "internet-gateway"] == ["igw_out"]
    assert t.lab.analyze("8.8.8.8", t.web, "tcp", 80).reachable


def test_an_unpeered_vpcs_instance_is_not_reachable_through_the_internet():
    t = _with_public_cidr_vpc()
    analysis = t.lab.analyze(t.web, t.far_instance, "tcp", 80)
    assert analysis.reachable is False and analysis.code == "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"


# ---- the NAT gateway's source ports -----------------------------------------------------------------
@pytest.mark.parametrize(("first_port", "reachable"), [(32768, False), (1024, True)])
def test_the_nat_subnets_acl_must_let_replies_in_on_1024_to_65535(first_port, reachable):
    t = T.private_app_behind_nat()
    acl = t.lab.create_network_acl(t.vpc)
    t.lab.replace_network_acl_association(acl, t.public)
    t.lab.create_network_acl_entry(acl, 100, True, "-1", None, "0.0.0.0/0", "allow")
    t.lab.create_network_acl_entry(acl, 100, False, "tcp", (first_port, 65535), "0.0.0.0/0", "allow")
    t.lab.create_network_acl_entry(acl, 110, False, "-1", None, "10.0.0.0/16", "allow")
    analysis = t.lab.analyze(t.app, "internet", "tcp", 443)
    assert analysis.reachable is reachable
    if not reachable:
        assert (analysis.code, analysis.blocked_at) == ("SUBNET_ACL_RESTRICTION", acl.id)
        assert analysis.values["port"] < 32768  # the port the NAT gateway may pick and the ACL refuses


# ---- undo keeps the learner's objects live ---------------------------------------------------------------
def test_undo_after_deletes_brings_back_the_very_objects_the_learner_holds():
    t = T.private_app_behind_nat()
    lab = t.lab
    spare_sg = lab.create_security_group(t.vpc, "spare")
    spare_rt = lab.create_route_table(t.vpc, name="spare")
    spare_eip = lab.allocate_address()
    spare_subnet = lab.create_subnet(t.vpc, "10.0.9.0/24")
    snapshot = lab.to_json()
    for delete, resource in (
        (lab.delete_security_group, spare_sg),
        (lab.delete_route_table, spare_rt),
        (lab.release_address, spare_eip),
        (lab.delete_subnet, spare_subnet),
    ):
        delete(resource)
    lab.restore(snapshot)
    assert lab.security_groups[spare_sg.id] is spare_sg and lab.route_tables[spare_rt.id] is spare_rt
    assert lab.elastic_ips[spare_eip.id] is spare_eip and lab.subnets[spare_subnet.id] is spare_subnet
    lab.authorize_security_group_ingress(spare_sg, "tcp", 22, cidr="203.0.113.0/24")  # live again
    assert lab.run_instance(spare_subnet, security_groups=[spare_sg]).subnet is spare_subnet


# ---- booleans are booleans -------------------------------------------------------------------------------
def test_a_text_false_never_moves_an_elastic_ip():
    t = T.public_web()
    other = t.lab.run_instance(t.public, "other")
    error = assert_unchanged(
        t.lab, lambda: t.lab.associate_address(t.eip, other, allow_reassociation="false"), "InvalidParameterValue"
    )
    assert error.key == "InvalidParameterValue:bool" and t.eip.instance is t.web


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.lab.create_subnet(t.vpc, "10.0.5.0/24", map_public_ip_on_launch="false"),
        lambda t: t.lab.modify_subnet_attribute(t.public, map_public_ip_on_launch=0),
        lambda t: t.lab.run_instance(t.public, associate_public_ip="no"),
        lambda t: t.lab.associate_vpc_cidr_block(t.vpc, amazon_provided_ipv6="yes"),
    ],
)
def test_truthy_values_are_not_accepted_as_booleans(call):
    t = T.public_web()
    assert_unchanged(t.lab, lambda: call(t), "InvalidParameterValue")


# ---- what is not an internet host -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("169.254.169.254", "InvalidParameterValue:address_metadata"),
        ("169.254.169.253", "InvalidParameterValue:address_resolver"),
        ("0.0.0.0", "InvalidParameterValue:address_bogon"),
        ("240.0.0.1", "InvalidParameterValue:address_bogon"),
        ("::1", "InvalidParameterValue:address_bogon"),
        ("ff02::1", "InvalidParameterValue:address_bogon"),
    ],
)
def test_special_addresses_are_named_for_what_they_are(address, key):
    t = T.public_web()
    with pytest.raises(vpclab.InvalidParameterError) as caught:
        t.lab.analyze(t.web, address, "tcp", 80)
    assert caught.value.key == key and address in caught.value.message("en")


@pytest.mark.parametrize("address", ["192.0.2.10", "198.51.100.10", "203.0.113.10"])
def test_documentation_ranges_stay_internet_hosts(address):
    t = T.public_web()
    assert t.lab.analyze(address, t.web, "tcp", 80).reachable


# ---- ICMP replies ----------------------------------------------------------------------------------------
def test_icmp_queries_are_answered_with_their_reply_type():
    t = T.public_web()
    t.lab.authorize_security_group_ingress(t.web_sg, "icmp", (13, -1), cidr="0.0.0.0/0")
    analysis = t.lab.analyze("internet", t.web, "icmp", 13)
    assert analysis.reachable and analysis.return_[-1].packet.destination_port == 14


def test_an_acl_that_drops_the_echo_reply_gets_an_icmp_fix():
    t = T.public_web()
    t.lab.authorize_security_group_ingress(t.web_sg, "icmp", (8, -1), cidr="0.0.0.0/0")
    acl = t.lab.create_network_acl(t.vpc)
    t.lab.replace_network_acl_association(acl, t.public)
    t.lab.create_network_acl_entry(acl, 100, False, "icmp", (8, -1), "0.0.0.0/0", "allow")
    t.lab.create_network_acl_entry(acl, 100, True, "tcp", None, "0.0.0.0/0", "allow")
    analysis = t.lab.analyze("internet", t.web, "icmp", 8)
    assert analysis.code == "SUBNET_ACL_RESTRICTION" and analysis.values["port"] == 0  # the echo reply's type
    assert "1024-65535" not in analysis.explain("en")


def test_a_nat_leg_without_an_internet_route_names_the_destination():
    t = T.nat_in_private_subnet()
    analysis = t.lab.analyze(t.app, "internet", "tcp", 443)
    assert analysis.code == "NO_ROUTE_TO_DESTINATION" and "{destination}" not in analysis.explain("en")
    assert str(analysis.destination) in analysis.explain("en")


# ---- clear errors instead of deep ones ---------------------------------------------------------------------
def test_a_number_for_security_groups_is_a_clear_refusal():
    t = T.public_web()
    assert_unchanged(t.lab, lambda: t.lab.run_instance(t.public, security_groups=5), "InvalidParameterValue")


def test_modifying_an_instances_groups_to_none_is_refused():
    t = T.public_web()
    assert_unchanged(t.lab, lambda: t.lab.modify_instance_security_groups(t.web, None), "MissingParameter")


@pytest.mark.parametrize("region", [["ap-northeast-2"], None, 5])
def test_a_region_that_is_not_text_is_a_clear_refusal(region):
    with pytest.raises(vpclab.InvalidParameterError):
        vpclab.Lab(region=region)


def test_a_highlight_that_is_not_an_analysis_is_a_clear_refusal():
    t = T.public_web()
    with pytest.raises(vpclab.InvalidParameterError) as caught:
        vpclab.diagram(t.lab, highlight="x")
    assert caught.value.key == "InvalidParameterValue:highlight"


def test_a_description_that_is_not_text_is_refused_rather_than_stored_as_a_repr():
    t = T.public_web()
    assert_unchanged(t.lab, lambda: t.lab.create_security_group(t.vpc, "odd", object()), "InvalidParameterValue")


def test_the_history_never_holds_nan_infinities_or_object_reprs():
    assert plain([math.nan, math.inf, -math.inf]) == ["nan", "inf", "-inf"]
    assert plain(object()) == "<object>"


def test_to_json_is_valid_and_deterministic_json():
    first, second = T.private_app_behind_nat().lab, T.private_app_behind_nat().lab
    acl = first.create_network_acl(first.vpcs[next(iter(first.vpcs))])
    first.create_network_acl_entry(acl, 100, False, "tcp", 80, "0.0.0.0/0", "allow")
    acl2 = second.create_network_acl(second.vpcs[next(iter(second.vpcs))])
    second.create_network_acl_entry(acl2, 100, False, "tcp", 80, "0.0.0.0/0", "allow")
    text = first.to_json()
    assert text == second.to_json()
    json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} in to_json"))
    assert first.history[-1]["result"]["rule_number"] == 100  # a value object is saved as its fields


def test_a_lab_file_with_nan_is_refused():
    text = T.public_web().lab.to_json().replace('"public_ip_counter": ', '"public_ip_counter": NaN, "x": ', 1)
    with pytest.raises(vpclab.LabFileError):
        vpclab.Lab.from_json(text)


def test_the_default_group_name_is_reserved():
    t = T.public_web()
    assert_unchanged(t.lab, lambda: t.lab.create_security_group(t.vpc, "default"), "InvalidGroup.Reserved")
