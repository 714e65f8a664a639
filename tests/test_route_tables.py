"""Route tables, routes and associations (fact sheet §2)."""

from ipaddress import IPv4Address

import pytest
from conftest import assert_unchanged, network_state


def target_of(table, address):
    route = table.lookup(IPv4Address(address))
    return None if route is None else route.target_id


def state_of(table, destination):
    return next(r.state.value for r in table.routes.values() if str(r.destination) == destination)


def main_association(lab, vpc):
    return next(a for a in lab.main_route_table(vpc).associations if a.main)


# ---- route selection --------------------------------------------------------------------------
def test_longest_prefix_match_picks_the_most_specific_route(private_app_behind_nat):
    s = private_app_behind_nat
    lab, rt = s.lab, s.public_rt
    lab.create_route(rt, "198.51.100.0/24", s.nat)
    lab.create_route(rt, "10.0.2.0/24", s.nat)  # a whole subnet, more specific than local
    assert target_of(rt, "203.0.113.9") == s.igw.id
    assert target_of(rt, "198.51.100.7") == s.nat.id
    assert target_of(rt, "10.0.2.9") == s.nat.id
    assert target_of(rt, "10.0.3.9") == "local"


def test_routes_accept_id_strings_for_the_table_and_the_target(public_web_vpc):
    s = public_web_vpc
    route = s.lab.create_route(s.public_rt.id, "198.51.100.0/24", s.igw.id)
    assert route.target is s.igw and target_of(s.public_rt, "198.51.100.1") == s.igw.id
    s.lab.replace_route(s.public_rt.id, "198.51.100.0/24", s.web.id)
    assert target_of(s.public_rt, "198.51.100.1") == s.web.id


def test_lookup_without_a_matching_route_finds_nothing(vpc_lab):
    main = vpc_lab.lab.main_route_table(vpc_lab.vpc)
    assert target_of(main, "203.0.113.9") is None


def test_blackhole_route_still_wins_over_a_shorter_active_route(private_app_behind_nat):
    s = private_app_behind_nat
    s.lab.create_route(s.public_rt, "198.51.100.0/24", s.nat)
    s.lab.delete_nat_gateway(s.nat)
    route = s.public_rt.lookup(IPv4Address("198.51.100.7"))
    assert (route.target_id, route.state.value) == (s.nat.id, "blackhole")
    assert state_of(s.public_rt, "0.0.0.0/0") == "active"


def test_new_custom_table_holds_only_the_local_routes(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    rt = lab.create_route_table(vpc.id, name="custom")
    assert [(str(r.destination), r.target_id) for r in rt.routes.values()] == [("10.0.0.0/16", "local")]
    assert not rt.main and rt.associations == []


def test_user_routes_have_origin_create_route_and_local_routes_create_route_table(public_web_vpc):
    origins = {str(r.destination): r.origin for r in public_web_vpc.public_rt.routes.values()}
    assert origins == {"10.0.0.0/16": "CreateRouteTable", "0.0.0.0/0": "CreateRoute"}


# ---- refused routes ---------------------------------------------------------------------------
def test_local_route_cannot_be_deleted(public_web_vpc):
    s = public_web_vpc
    assert_unchanged(s.lab, lambda: s.lab.delete_route(s.public_rt, "10.0.0.0/16"), "InvalidParameterValue")


@pytest.mark.parametrize("destination", ["0.0.0.0/0", "10.0.0.0/16", "0.0.0.0/0 "])
def test_duplicate_destination_is_route_already_exists(public_web_vpc, destination):
    s = public_web_vpc
    assert_unchanged(s.lab, lambda: s.lab.create_route(s.public_rt, destination, s.igw), "RouteAlreadyExists")


def test_destination_is_canonicalised_before_the_duplicate_check(public_web_vpc):
    s = public_web_vpc
    route = s.lab.create_route(s.public_rt, "198.51.100.77/24", s.igw)
    assert str(route.destination) == "198.51.100.0/24"
    assert_unchanged(s.lab, lambda: s.lab.create_route(s.public_rt, "198.51.100.0/24", s.igw), "RouteAlreadyExists")


def test_route_to_a_gateway_of_another_vpc_is_invalid_parameter_value(public_web_vpc):
    s = public_web_vpc
    other = s.lab.create_vpc("10.9.0.0/16")
    rt = s.lab.create_route_table(other)
    assert_unchanged(s.lab, lambda: s.lab.create_route(rt, "0.0.0.0/0", s.igw), "InvalidParameterValue")


def test_route_to_an_unattached_gateway_is_invalid_parameter_value(vpc_lab):
    lab = vpc_lab.lab
    igw = lab.create_internet_gateway()
    rt = lab.main_route_table(vpc_lab.vpc)
    assert_unchanged(lab, lambda: lab.create_route(rt, "0.0.0.0/0", igw), "InvalidParameterValue")


@pytest.mark.parametrize(
    ("destination", "target"),
    [
        ("10.0.5.0/24", "igw"),  # inside the VPC, not a subnet
        ("10.0.2.0/24", "igw"),  # a whole subnet, but to the gateway
        ("10.0.2.0/25", "nat"),  # part of a subnet
        ("10.0.0.0/17", "nat"),  # more than a subnet
        ("10.0.2.0/24", "none"),  # a whole subnet to nothing known
    ],
)
def test_route_more_specific_than_local_is_refused_unless_whole_subnet_to_nat_or_instance(
    private_app_behind_nat, destination, target
):
    s = private_app_behind_nat
    targets = {"igw": s.igw, "nat": s.nat, "none": "pcx-0123456789abcdef0"}
    call = lambda: s.lab.create_route(s.public_rt, destination, targets[target])  # noqa: E731
    assert_unchanged(s.lab, call, "InvalidParameterValue")


@pytest.mark.parametrize("target", ["nat", "app", "app_eni"])
def test_whole_subnet_route_to_a_nat_gateway_or_an_instance_is_accepted(private_app_behind_nat, target):
    s = private_app_behind_nat
    value = {"nat": s.nat.id, "app": s.app.id, "app_eni": s.app.network_interface_id}[target]
    route = s.lab.create_route(s.public_rt, "10.0.2.0/24", value)
    assert route.target_id in (s.nat.id, s.app.id)
    assert route.state.value == "active"


@pytest.mark.parametrize("destination", ["169.254.168.0/22", "169.254.169.0/24", "169.254.169.253/32"])
def test_route_into_the_metadata_and_dns_range_is_refused(public_web_vpc, destination):
    s = public_web_vpc
    assert_unchanged(s.lab, lambda: s.lab.create_route(s.public_rt, destination, s.igw), "InvalidParameterValue")


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("igw-00000000000000000", "InvalidGatewayID.NotFound"),
        ("nat-00000000000000000", "InvalidNatGatewayID.NotFound"),
        ("i-00000000000000000", "InvalidInstanceID.NotFound"),
        ("eni-00000000000000000", "InvalidNetworkInterfaceID.NotFound"),
        ("vgw-00000000000000000", "InvalidParameterValue"),
        (42, "InvalidParameterValue"),
    ],
)
def test_unknown_or_unsupported_route_target_is_refused(public_web_vpc, target, code):
    s = public_web_vpc
    assert_unchanged(s.lab, lambda: s.lab.create_route(s.public_rt, "198.51.100.0/24", target), code)


@pytest.mark.parametrize("destination", ["198.51.100.0", "300.1.1.0/24", "::/129", "fe80::/0/1", None])
def test_malformed_destination_is_invalid_parameter_value(public_web_vpc, destination):
    s = public_web_vpc
    assert_unchanged(s.lab, lambda: s.lab.create_route(s.public_rt, destination, s.igw), "InvalidParameterValue")


def test_route_in_an_unknown_table_is_invalid_route_table_id_not_found(public_web_vpc):
    s = public_web_vpc
    call = lambda: s.lab.create_route("rtb-00000000000000000", "0.0.0.0/0", s.igw)  # noqa: E731
    assert_unchanged(s.lab, call, "InvalidRouteTableID.NotFound")


def test_fifty_first_route_is_route_limit_exceeded(public_web_vpc):
    s = public_web_vpc
    for n in range(49):  # the table already has 0.0.0.0/0
        s.lab.create_route(s.public_rt, f"198.51.{n}.0/24", s.igw)
    assert_unchanged(s.lab, lambda: s.lab.create_route(s.public_rt, "198.51.99.0/24", s.igw), "RouteLimitExceeded")


# ---- blackholes -------------------------------------------------------------------------------
def test_route_turns_blackhole_on_detach_and_active_again_on_reattach(public_web_vpc):
    s = public_web_vpc
    s.lab.disassociate_address(s.eip)
    s.lab.detach_internet_gateway(s.igw, s.vpc)
    assert state_of(s.public_rt, "0.0.0.0/0") == "blackhole"
    s.lab.attach_internet_gateway(s.igw, s.vpc)
    assert state_of(s.public_rt, "0.0.0.0/0") == "active"


def test_route_stays_blackhole_when_its_gateway_is_deleted(public_web_vpc):
    s = public_web_vpc
    s.lab.disassociate_address(s.eip)
    s.lab.detach_internet_gateway(s.igw, s.vpc)
    s.lab.delete_internet_gateway(s.igw)
    assert state_of(s.public_rt, "0.0.0.0/0") == "blackhole"
    assert target_of(s.public_rt, "203.0.113.9") == s.igw.id


def test_route_to_a_deleted_nat_gateway_is_blackhole(private_app_behind_nat):
    s = private_app_behind_nat
    s.lab.delete_nat_gateway(s.nat)
    assert state_of(s.private_rt, "0.0.0.0/0") == "blackhole"


def test_route_to_an_instance_follows_its_state(private_app_behind_nat):
    s = private_app_behind_nat
    s.lab.create_route(s.private_rt, "198.51.100.0/24", s.web)
    s.lab.stop_instance(s.web)
    assert state_of(s.private_rt, "198.51.100.0/24") == "blackhole"
    s.lab.start_instance(s.web)
    assert state_of(s.private_rt, "198.51.100.0/24") == "active"
    s.lab.terminate_instance(s.web)
    assert state_of(s.private_rt, "198.51.100.0/24") == "blackhole"


def test_route_to_a_terminated_instance_is_invalid_instance_id(private_app_behind_nat):
    s = private_app_behind_nat
    s.lab.terminate_instance(s.app)
    assert_unchanged(s.lab, lambda: s.lab.create_route(s.public_rt, "198.51.100.0/24", s.app), "InvalidInstanceID")


# ---- replace and delete -----------------------------------------------------------------------
def test_replace_route_points_a_blackhole_route_at_a_new_target(private_app_behind_nat):
    s = private_app_behind_nat
    s.lab.delete_nat_gateway(s.nat)
    new_nat = s.lab.create_nat_gateway(s.public, s.nat_eip)
    route = s.lab.replace_route(s.private_rt.id, "0.0.0.0/0", new_nat.id)
    assert (route.target_id, route.state.value) == (new_nat.id, "active")
    assert target_of(s.private_rt, "203.0.113.9") == new_nat.id


def test_replacing_a_missing_route_is_invalid_parameter_value(public_web_vpc):
    s = public_web_vpc
    assert_unchanged(s.lab, lambda: s.lab.replace_route(s.public_rt, "198.51.100.0/24", s.igw), "InvalidParameterValue")


def test_local_route_target_cannot_be_replaced_but_local_to_local_is_accepted(private_app_behind_nat):
    s = private_app_behind_nat
    assert_unchanged(s.lab, lambda: s.lab.replace_route(s.public_rt, "10.0.0.0/16", s.nat), "InvalidParameterValue")
    before = network_state(s.lab)
    assert s.lab.replace_route(s.public_rt, "10.0.0.0/16", "local").is_local
    assert network_state(s.lab) == before


def test_delete_route_removes_it(public_web_vpc):
    s = public_web_vpc
    s.lab.delete_route(s.public_rt.id, "0.0.0.0/0")
    assert target_of(s.public_rt, "203.0.113.9") is None
    assert not s.lab.is_public(s.public)


def test_deleting_a_missing_route_is_invalid_route_not_found(public_web_vpc):
    s = public_web_vpc
    assert_unchanged(s.lab, lambda: s.lab.delete_route(s.public_rt, "198.51.100.0/24"), "InvalidRoute.NotFound")


# ---- tables and associations ------------------------------------------------------------------
def test_main_table_cannot_be_deleted(vpc_lab):
    lab = vpc_lab.lab
    main = lab.main_route_table(vpc_lab.vpc)
    assert_unchanged(lab, lambda: lab.delete_route_table(main.id), "DependencyViolation")


def test_table_with_associations_cannot_be_deleted(public_web_vpc):
    s = public_web_vpc
    assert_unchanged(s.lab, lambda: s.lab.delete_route_table(s.public_rt), "DependencyViolation")


def test_unassociated_custom_table_is_deleted(vpc_lab):
    lab = vpc_lab.lab
    rt = lab.create_route_table(vpc_lab.vpc)
    lab.delete_route_table(rt)
    assert rt.id not in lab.route_tables
    assert_unchanged(lab, lambda: lab.delete_route_table(rt.id), "InvalidRouteTableID.NotFound")


def test_subnet_without_explicit_association_uses_the_main_table(public_web_vpc):
    s = public_web_vpc
    assert s.private.route_table_association is None
    assert s.lab.route_table_of(s.private.id) is s.lab.main_route_table(s.vpc)
    assert s.lab.route_table_of(s.public) is s.public_rt


@pytest.mark.parametrize("table", ["same", "other"])
def test_associating_an_already_associated_subnet_is_resource_already_associated(public_web_vpc, table):
    s = public_web_vpc
    rt = s.public_rt if table == "same" else s.lab.create_route_table(s.vpc)
    assert_unchanged(s.lab, lambda: s.lab.associate_route_table(rt, s.public), "Resource.AlreadyAssociated")


def test_associating_a_table_with_a_subnet_of_another_vpc_is_invalid_parameter_value(
    public_web_vpc,
):
    s = public_web_vpc
    other = s.lab.create_vpc("10.9.0.0/16")
    subnet = s.lab.create_subnet(other, "10.9.1.0/24")
    assert_unchanged(s.lab, lambda: s.lab.associate_route_table(s.public_rt, subnet), "InvalidParameterValue")


def test_disassociating_a_subnet_falls_back_to_the_main_table(public_web_vpc):
    s = public_web_vpc
    s.lab.disassociate_route_table(s.public_association)
    assert s.lab.route_table_of(s.public) is s.lab.main_route_table(s.vpc)
    assert s.public_rt.associations == []
    call = lambda: s.lab.disassociate_route_table(s.public_association)  # noqa: E731
    assert_unchanged(s.lab, call, "InvalidAssociationID.NotFound")


def test_disassociating_the_main_association_is_invalid_parameter_value(vpc_lab):
    lab = vpc_lab.lab
    association = main_association(lab, vpc_lab.vpc)
    assert_unchanged(lab, lambda: lab.disassociate_route_table(association.id), "InvalidParameterValue")


def test_replacing_a_subnet_association_moves_the_subnet(public_web_vpc):
    s = public_web_vpc
    other = s.lab.create_route_table(s.vpc)
    new_id = s.lab.replace_route_table_association(s.public_association, other.id)
    assert new_id != s.public_association
    assert s.lab.route_table_of(s.public) is other
    assert s.public_rt.associations == []
    assert [a.id for a in other.associations] == [new_id]


def test_replacing_the_main_association_changes_the_table_of_implicit_subnets(public_web_vpc):
    s = public_web_vpc
    old_main = s.lab.main_route_table(s.vpc)
    new_main = s.lab.create_route_table(s.vpc)
    s.lab.replace_route_table_association(main_association(s.lab, s.vpc).id, new_main)
    assert s.lab.main_route_table(s.vpc) is new_main and new_main.main and not old_main.main
    assert s.lab.route_table_of(s.private) is new_main  # implicit
    assert s.lab.route_table_of(s.public) is s.public_rt  # explicit, unchanged
    s.lab.delete_route_table(old_main)  # no longer main, no associations


def test_replacing_an_association_with_a_table_of_another_vpc_is_invalid_parameter_value(
    public_web_vpc,
):
    s = public_web_vpc
    foreign = s.lab.create_route_table(s.lab.create_vpc("10.9.0.0/16"))
    call = lambda: s.lab.replace_route_table_association(s.public_association, foreign)  # noqa: E731
    assert_unchanged(s.lab, call, "InvalidParameterValue")


def test_replacing_an_unknown_association_is_invalid_association_id_not_found(public_web_vpc):
    s = public_web_vpc
    call = lambda: s.lab.replace_route_table_association("rtbassoc-0", s.public_rt)  # noqa: E731
    assert_unchanged(s.lab, call, "InvalidAssociationID.NotFound")
