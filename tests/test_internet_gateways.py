"""Internet gateways: 1:1 with a VPC, and the exact codes of their misuse (fact sheet §1)."""

import pytest
from conftest import assert_unchanged


@pytest.fixture
def two_vpcs(lab):
    first = lab.create_vpc("10.0.0.0/16", name="first")
    second = lab.create_vpc("10.1.0.0/16", name="second")
    return lab, first, second


def test_new_gateway_is_detached(lab):
    igw = lab.create_internet_gateway(name="igw")
    assert igw.vpc is None
    assert igw.attachments == []
    assert igw.id.startswith("igw-0") and len(igw.id) == len("igw-") + 17


def test_attached_gateway_reports_state_available_like_aws(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw.id, vpc.id)
    assert igw.vpc is vpc and vpc.internet_gateway is igw
    assert igw.attachments == [{"VpcId": vpc.id, "State": "available"}]


def test_attaching_a_gateway_twice_to_the_same_vpc_is_resource_already_associated(public_web_vpc):
    s = public_web_vpc
    assert_unchanged(s.lab, lambda: s.lab.attach_internet_gateway(s.igw, s.vpc), "Resource.AlreadyAssociated")


def test_attaching_an_attached_gateway_to_another_vpc_is_resource_already_associated(two_vpcs):
    lab, first, second = two_vpcs
    igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw, first)
    assert_unchanged(lab, lambda: lab.attach_internet_gateway(igw, second), "Resource.AlreadyAssociated")


def test_second_gateway_on_same_vpc_is_rejected_with_invalid_parameter_value(public_web_vpc):
    s = public_web_vpc
    other = s.lab.create_internet_gateway()
    assert_unchanged(s.lab, lambda: s.lab.attach_internet_gateway(other.id, s.vpc.id), "InvalidParameterValue")
    assert other.vpc is None


@pytest.mark.parametrize(
    ("igw", "vpc", "code"),
    [
        ("igw-00000000000000000", None, "InvalidInternetGatewayID.NotFound"),
        (None, "vpc-00000000000000000", "InvalidVpcID.NotFound"),
    ],
)
def test_attaching_with_an_unknown_id_is_not_found(vpc_lab, igw, vpc, code):
    lab = vpc_lab.lab
    real = lab.create_internet_gateway()
    assert_unchanged(lab, lambda: lab.attach_internet_gateway(igw or real, vpc or vpc_lab.vpc), code)


def test_detaching_an_unattached_gateway_is_gateway_not_attached(vpc_lab):
    lab = vpc_lab.lab
    igw = lab.create_internet_gateway()
    assert_unchanged(lab, lambda: lab.detach_internet_gateway(igw, vpc_lab.vpc), "Gateway.NotAttached")


def test_detaching_from_a_vpc_it_is_not_attached_to_is_gateway_not_attached(two_vpcs):
    lab, first, second = two_vpcs
    igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw, first)
    assert_unchanged(lab, lambda: lab.detach_internet_gateway(igw, second), "Gateway.NotAttached")


@pytest.mark.parametrize(
    ("igw", "vpc", "code"),
    [
        ("igw-00000000000000000", None, "InvalidInternetGatewayID.NotFound"),
        (None, "vpc-00000000000000000", "InvalidVpcID.NotFound"),
    ],
)
def test_detaching_with_an_unknown_id_is_not_found_before_the_attachment_is_checked(vpc_lab, igw, vpc, code):
    lab = vpc_lab.lab
    unattached = lab.create_internet_gateway()
    assert_unchanged(lab, lambda: lab.detach_internet_gateway(igw or unattached, vpc or vpc_lab.vpc), code)


def test_detaching_a_gateway_with_no_public_address_mapped_succeeds(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw, vpc)
    lab.run_instance(lab.create_subnet(vpc, "10.0.1.0/24"))
    lab.detach_internet_gateway(igw.id, vpc.id)
    assert igw.vpc is None and vpc.internet_gateway is None and igw.attachments == []


def test_detaching_while_an_auto_assigned_public_ip_is_mapped_is_dependency_violation(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw, vpc)
    subnet = lab.create_subnet(vpc, "10.0.1.0/24", map_public_ip_on_launch=True)
    instance = lab.run_instance(subnet)
    assert_unchanged(lab, lambda: lab.detach_internet_gateway(igw, vpc), "DependencyViolation")
    lab.stop_instance(instance)  # the auto-assigned address goes back to Amazon
    lab.detach_internet_gateway(igw, vpc)
    assert vpc.internet_gateway is None


def test_detaching_while_an_elastic_ip_is_on_a_running_instance_is_dependency_violation(
    public_web_vpc,
):
    s = public_web_vpc
    assert_unchanged(s.lab, lambda: s.lab.detach_internet_gateway(s.igw, s.vpc), "DependencyViolation")


def test_detaching_while_an_elastic_ip_is_on_a_stopped_instance_is_dependency_violation(
    public_web_vpc,
):
    s = public_web_vpc
    s.lab.stop_instance(s.web)
    assert s.web.public_ip == s.eip.public_ip
    assert_unchanged(s.lab, lambda: s.lab.detach_internet_gateway(s.igw, s.vpc), "DependencyViolation")


def test_detaching_while_a_nat_gateway_holds_an_elastic_ip_is_dependency_violation(
    private_app_behind_nat,
):
    s = private_app_behind_nat
    s.lab.disassociate_address(s.eip)
    assert_unchanged(s.lab, lambda: s.lab.detach_internet_gateway(s.igw, s.vpc), "DependencyViolation")
    s.lab.delete_nat_gateway(s.nat)
    s.lab.detach_internet_gateway(s.igw, s.vpc)
    assert s.igw.vpc is None


def test_instance_with_a_public_ip_may_launch_without_a_gateway_and_then_blocks_the_detach(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    subnet = lab.create_subnet(vpc, "10.0.1.0/24")
    instance = lab.run_instance(subnet, associate_public_ip=True)
    assert instance.public_ip is not None
    igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw, vpc)
    assert_unchanged(lab, lambda: lab.detach_internet_gateway(igw, vpc), "DependencyViolation")


def test_deleting_an_attached_gateway_is_dependency_violation(public_web_vpc):
    s = public_web_vpc
    assert_unchanged(s.lab, lambda: s.lab.delete_internet_gateway(s.igw.id), "DependencyViolation")


def test_deleting_a_detached_gateway_removes_it(lab):
    igw = lab.create_internet_gateway()
    lab.delete_internet_gateway(igw.id)
    assert igw.id not in lab.internet_gateways
    assert_unchanged(lab, lambda: lab.delete_internet_gateway(igw), "InvalidInternetGatewayID.NotFound")


def test_deleting_a_vpc_that_still_has_a_gateway_is_dependency_violation(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    lab.attach_internet_gateway(lab.create_internet_gateway(), vpc)
    assert_unchanged(lab, lambda: lab.delete_vpc(vpc), "DependencyViolation")


def test_sixth_gateway_in_a_region_is_internet_gateway_limit_exceeded(lab):
    for _ in range(5):
        lab.create_internet_gateway()
    assert_unchanged(lab, lab.create_internet_gateway, "InternetGatewayLimitExceeded")


def test_deleting_a_gateway_frees_its_place_in_the_quota(lab):
    gateways = [lab.create_internet_gateway() for _ in range(5)]
    lab.delete_internet_gateway(gateways[0])
    assert lab.create_internet_gateway().id not in {g.id for g in gateways}


def test_gateway_may_move_to_another_vpc_after_a_detach(two_vpcs):
    lab, first, second = two_vpcs
    igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw, first)
    lab.detach_internet_gateway(igw, first)
    lab.attach_internet_gateway(igw, second)
    assert second.internet_gateway is igw and first.internet_gateway is None


def test_subnet_is_public_only_while_its_table_routes_to_an_attached_gateway(public_web_vpc):
    s = public_web_vpc
    assert s.lab.is_public(s.public) and not s.lab.is_public(s.private.id)
    s.lab.disassociate_address(s.eip)
    s.lab.detach_internet_gateway(s.igw, s.vpc)
    assert not s.lab.is_public(s.public)
    s.lab.attach_internet_gateway(s.igw, s.vpc)
    assert s.lab.is_public(s.public)


def test_map_public_ip_on_launch_does_not_make_a_subnet_public(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    lab.attach_internet_gateway(lab.create_internet_gateway(), vpc)
    subnet = lab.create_subnet(vpc, "10.0.1.0/24", map_public_ip_on_launch=True)
    assert not lab.is_public(subnet)


def test_narrower_route_to_the_gateway_also_makes_a_subnet_public(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw, vpc)
    subnet = lab.create_subnet(vpc, "10.0.1.0/24")
    lab.create_route(lab.main_route_table(vpc), "198.51.100.0/24", igw)
    assert lab.is_public(subnet)


def test_passing_a_vpc_where_a_gateway_is_expected_is_invalid_parameter_value(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    igw = lab.create_internet_gateway()
    assert_unchanged(lab, lambda: lab.attach_internet_gateway(vpc, igw), "InvalidParameterValue")
