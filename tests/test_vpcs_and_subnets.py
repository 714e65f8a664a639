"""VPCs, their CIDRs and subnets (fact sheet §3; issue 2, "Behaviour to reproduce")."""

from ipaddress import IPv4Address, IPv4Network

import pytest
from conftest import assert_unchanged

import vpclab


def local_destinations(table):
    return {str(r.destination) for r in table.routes.values() if r.is_local}


# ---- a new VPC --------------------------------------------------------------------------------
def test_lab_without_arguments_is_seoul_and_starts_without_any_vpc(lab):
    assert lab.region == "ap-northeast-2"
    assert lab.vpcs == {}


def test_unknown_region_is_rejected_with_invalid_parameter_value():
    with pytest.raises(vpclab.VpcLabError) as e:
        vpclab.Lab(region="mars-north-1")
    assert e.value.code == "InvalidParameterValue"


def test_new_vpc_main_route_table_holds_only_the_local_route(vpc_lab):
    main = vpc_lab.lab.main_route_table(vpc_lab.vpc)
    assert main.main
    assert vpc_lab.vpc.main_route_table is main
    [route] = main.routes.values()
    assert str(route.destination) == "10.0.0.0/16"
    assert route.target_id == "local"
    assert route.state.value == "active"


def test_new_vpc_default_network_acl_allows_with_rule_100_then_denies_with_star_both_ways(vpc_lab):
    acl = vpc_lab.lab.default_network_acl(vpc_lab.vpc)
    assert acl.is_default
    for egress in (False, True):
        allow, star = acl.rules(egress)
        assert (allow.rule_number, allow.action.value, allow.protocol.value) == (100, "allow", "-1")
        assert str(allow.cidr) == "0.0.0.0/0"
        assert (star.rule_number, star.action.value, star.protocol.value) == (32767, "deny", "-1")
        assert str(star.cidr) == "0.0.0.0/0"


def test_new_vpc_default_security_group_allows_inbound_from_itself_and_all_outbound(vpc_lab):
    group = vpc_lab.lab.default_security_group(vpc_lab.vpc)
    assert group.group_name == "default"
    [inbound] = group.ingress
    assert (inbound.protocol.value, inbound.ports, inbound.group_id) == ("-1", None, group.id)
    [outbound] = group.egress
    assert (outbound.protocol.value, outbound.ports, str(outbound.cidr)) == ("-1", None, "0.0.0.0/0")


def test_vpc_cidr_is_canonicalised(lab):
    assert lab.create_vpc("10.0.77.9/16").cidr == IPv4Network("10.0.0.0/16")


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "10.0.0.0/28", "172.16.0.0/20"])
def test_vpc_sizes_from_16_to_28_are_accepted(lab, cidr):
    assert str(lab.create_vpc(cidr).cidr) == cidr


@pytest.mark.parametrize("cidr", ["10.0.0.0/15", "10.0.0.0/8", "10.0.0.0/29", "10.0.0.0/32"])
def test_vpc_outside_16_to_28_is_rejected_with_invalid_vpc_range(lab, cidr):
    assert_unchanged(lab, lambda: lab.create_vpc(cidr), "InvalidVpc.Range")


@pytest.mark.parametrize("cidr", ["10.0.0.0", "10.0.0.256/16", "banana", "10.0.0.0/33", "", None, "fd00::/56"])
def test_malformed_vpc_cidr_is_rejected_with_invalid_parameter_value(lab, cidr):
    assert_unchanged(lab, lambda: lab.create_vpc(cidr), "InvalidParameterValue")


def test_sixth_vpc_in_a_region_is_rejected_with_vpc_limit_exceeded(lab):
    for n in range(5):
        lab.create_vpc(f"10.{n}.0.0/16")
    assert_unchanged(lab, lambda: lab.create_vpc("10.9.0.0/16"), "VpcLimitExceeded")


def test_same_calls_give_the_same_ids_and_addresses_every_time():
    def build():
        lab = vpclab.Lab()
        vpc = lab.create_vpc("10.0.0.0/16")
        subnet = lab.create_subnet(vpc, "10.0.1.0/24", map_public_ip_on_launch=True)
        instance = lab.run_instance(subnet)
        return [vpc.id, subnet.id, instance.id, instance.private_ip, instance.public_ip]

    assert build() == build()


# ---- secondary CIDRs --------------------------------------------------------------------------
def test_secondary_cidr_adds_a_local_route_to_every_existing_table_including_custom_ones(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    custom = lab.create_route_table(vpc)
    association_id = lab.associate_vpc_cidr_block(vpc, "10.1.0.0/16")
    assert association_id in vpc.cidr_association_ids
    assert vpc.cidrs == [IPv4Network("10.0.0.0/16"), IPv4Network("10.1.0.0/16")]
    for table in (lab.main_route_table(vpc), custom):
        assert local_destinations(table) == {"10.0.0.0/16", "10.1.0.0/16"}


def test_table_created_after_a_secondary_cidr_starts_with_both_local_routes(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    lab.associate_vpc_cidr_block(vpc.id, "100.64.0.0/16")
    assert local_destinations(lab.create_route_table(vpc)) == {"10.0.0.0/16", "100.64.0.0/16"}


def test_subnet_may_live_in_a_secondary_cidr(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    lab.associate_vpc_cidr_block(vpc, "10.1.0.0/16")
    assert str(lab.create_subnet(vpc, "10.1.5.0/24").cidr) == "10.1.5.0/24"


# (primary, candidate): the restriction table of "VPC CIDR blocks" (fact sheet §3).
RESTRICTED = [
    ("10.0.0.0/16", "172.16.0.0/16"),
    ("10.0.0.0/16", "192.168.0.0/16"),
    ("10.0.0.0/16", "198.19.0.0/16"),
    ("10.1.0.0/16", "10.0.0.0/16"),  # a primary in 10.0.0.0/15 cannot add 10.0.0.0/16
    ("10.1.0.0/16", "10.0.4.0/24"),
    ("172.16.0.0/16", "172.31.0.0/16"),  # the default VPC's range
    ("172.16.0.0/16", "10.0.0.0/16"),
    ("172.16.0.0/16", "198.19.0.0/16"),
    ("192.168.0.0/16", "10.0.0.0/16"),
    ("192.168.0.0/16", "198.19.0.0/16"),
    ("198.19.0.0/16", "10.0.0.0/16"),
    ("100.64.0.0/16", "10.0.0.0/16"),
    ("100.64.0.0/16", "198.19.0.0/16"),
    ("54.10.0.0/16", "192.168.0.0/16"),
    ("54.10.0.0/16", "198.19.0.0/16"),
]
PERMITTED = [
    ("10.0.0.0/16", "10.2.0.0/16"),
    ("10.0.0.0/16", "100.64.0.0/16"),
    ("10.0.0.0/16", "54.10.0.0/16"),
    ("10.2.0.0/16", "10.4.0.0/16"),
    ("172.16.0.0/16", "172.20.0.0/16"),
    ("172.31.0.0/16", "172.16.0.0/16"),
    ("192.168.0.0/20", "192.168.16.0/20"),
    ("198.19.0.0/16", "100.64.0.0/16"),
    ("100.64.0.0/16", "54.10.0.0/16"),
]


@pytest.mark.parametrize(("primary", "candidate"), RESTRICTED)
def test_rfc1918_restricted_secondary_cidr_is_rejected_with_invalid_vpc_range(lab, primary, candidate):
    vpc = lab.create_vpc(primary)
    assert_unchanged(lab, lambda: lab.associate_vpc_cidr_block(vpc, candidate), "InvalidVpc.Range")


@pytest.mark.parametrize(("primary", "candidate"), PERMITTED)
def test_permitted_secondary_cidr_is_accepted(lab, primary, candidate):
    vpc = lab.create_vpc(primary)
    lab.associate_vpc_cidr_block(vpc, candidate)
    assert [str(c) for c in vpc.cidrs] == [primary, candidate]


def test_any_cidr_in_10_0_0_0_slash_15_blocks_10_0_0_0_slash_16_not_only_the_primary(lab):
    vpc = lab.create_vpc("10.4.0.0/16")
    lab.associate_vpc_cidr_block(vpc, "10.1.0.0/16")
    assert_unchanged(lab, lambda: lab.associate_vpc_cidr_block(vpc, "10.0.0.0/16"), "InvalidVpc.Range")


@pytest.mark.parametrize("candidate", ["10.0.0.0/16", "10.0.8.0/24", "10.0.0.0/8"])
def test_secondary_cidr_overlapping_the_vpc_is_rejected(vpc_lab, candidate):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    # A /8 also breaks the size rule; either way it is InvalidVpc.Range.
    assert_unchanged(lab, lambda: lab.associate_vpc_cidr_block(vpc, candidate), "InvalidVpc.Range")


@pytest.mark.parametrize("candidate", ["10.1.0.0/15", "10.1.0.0/29"])
def test_secondary_cidr_outside_16_to_28_is_rejected_with_invalid_vpc_range(vpc_lab, candidate):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    assert_unchanged(lab, lambda: lab.associate_vpc_cidr_block(vpc, candidate), "InvalidVpc.Range")


def test_sixth_cidr_on_a_vpc_is_rejected_with_cidr_limit_exceeded(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    for n in range(1, 5):
        lab.associate_vpc_cidr_block(vpc, f"10.{n}.0.0/16")
    assert_unchanged(lab, lambda: lab.associate_vpc_cidr_block(vpc, "10.9.0.0/16"), "CidrLimitExceeded")


@pytest.mark.parametrize("candidate", ["10.1.0.0/24", "10.1.0.0/16"])
def test_secondary_cidr_equal_to_or_larger_than_a_route_destination_is_rejected(public_web_vpc, candidate):
    s = public_web_vpc
    s.lab.create_route(s.public_rt, "10.1.0.0/24", s.igw)
    assert_unchanged(s.lab, lambda: s.lab.associate_vpc_cidr_block(s.vpc, candidate), "InvalidParameterValue")


def test_secondary_cidr_smaller_than_a_route_destination_is_accepted(public_web_vpc):
    s = public_web_vpc
    s.lab.create_route(s.public_rt, "10.1.0.0/16", s.igw)
    s.lab.associate_vpc_cidr_block(s.vpc, "10.1.1.0/24")
    assert s.public_rt.lookup(IPv4Address("10.1.1.9")).target_id == "local"
    assert s.public_rt.lookup(IPv4Address("10.1.2.9")).target_id == s.igw.id


# ---- deleting a VPC ---------------------------------------------------------------------------
def test_empty_vpc_is_deleted_with_its_main_table_default_acl_and_default_group(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    lab.delete_vpc(vpc.id)
    assert lab.vpcs == {} and lab.route_tables == {}
    assert lab.network_acls == {} and lab.security_groups == {}


@pytest.mark.parametrize(
    "build",
    [
        lambda lab, vpc: lab.create_subnet(vpc, "10.0.1.0/24"),
        lambda lab, vpc: lab.create_route_table(vpc),
        lambda lab, vpc: lab.create_security_group(vpc, "extra"),
        lambda lab, vpc: lab.create_network_acl(vpc),
    ],
    ids=["subnet", "custom route table", "security group", "network acl"],
)
def test_vpc_that_still_holds_resources_cannot_be_deleted(vpc_lab, build):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    build(lab, vpc)
    assert_unchanged(lab, lambda: lab.delete_vpc(vpc), "DependencyViolation")


def test_deleting_an_unknown_vpc_is_invalid_vpc_id_not_found(lab):
    assert_unchanged(lab, lambda: lab.delete_vpc("vpc-0123456789abcdef0"), "InvalidVpcID.NotFound")


# ---- subnets ----------------------------------------------------------------------------------
def test_new_subnet_uses_the_main_table_the_default_acl_and_the_first_zone(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    subnet = lab.create_subnet(vpc, "10.0.1.0/24")
    assert subnet.route_table_association is None
    assert lab.route_table_of(subnet) is lab.main_route_table(vpc)
    assert lab.network_acl_of(subnet) is lab.default_network_acl(vpc)
    assert subnet.availability_zone == "ap-northeast-2a"
    assert subnet.map_public_ip_on_launch is False


def test_subnet_in_an_unknown_zone_is_rejected_with_invalid_parameter_value(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    call = lambda: lab.create_subnet(vpc, "10.0.1.0/24", availability_zone="us-east-1a")  # noqa: E731
    assert_unchanged(lab, call, "InvalidParameterValue")


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "10.0.3.0/24", "10.0.4.16/28"])
def test_subnet_sizes_from_16_to_28_are_accepted(vpc_lab, cidr):
    assert str(vpc_lab.lab.create_subnet(vpc_lab.vpc, cidr).cidr) == cidr


@pytest.mark.parametrize("cidr", ["10.0.1.0/29", "10.0.1.0/30", "10.0.1.1/32", "10.0.0.0/15"])
def test_subnet_outside_16_to_28_is_rejected_with_invalid_subnet_range(vpc_lab, cidr):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    assert_unchanged(lab, lambda: lab.create_subnet(vpc, cidr), "InvalidSubnet.Range")


@pytest.mark.parametrize("cidr", ["10.1.0.0/24", "192.168.1.0/24"])
def test_subnet_outside_the_vpc_is_rejected_with_invalid_subnet_range(vpc_lab, cidr):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    assert_unchanged(lab, lambda: lab.create_subnet(vpc, cidr), "InvalidSubnet.Range")


@pytest.mark.parametrize("cidr", ["10.0.1.0/24", "10.0.1.128/25", "10.0.0.0/20"])
def test_overlapping_subnet_is_rejected_with_invalid_subnet_conflict(vpc_lab, cidr):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    lab.create_subnet(vpc, "10.0.1.0/24")
    assert_unchanged(lab, lambda: lab.create_subnet(vpc, cidr), "InvalidSubnet.Conflict")


@pytest.mark.parametrize("cidr", ["10.0.1", "10.0.1.0/24/1", "subnet"])
def test_malformed_subnet_cidr_is_rejected_with_invalid_parameter_value(vpc_lab, cidr):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    assert_unchanged(lab, lambda: lab.create_subnet(vpc, cidr), "InvalidParameterValue")


def test_subnet_without_a_cidr_that_is_not_ipv6_only_is_rejected_with_missing_parameter(vpc_lab):
    # cidr may be left out only for an IPv6-only subnet (ipv6_native=True).
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    assert_unchanged(lab, lambda: lab.create_subnet(vpc, None), "MissingParameter")
    assert_unchanged(lab, lambda: lab.create_subnet(vpc, name="no-cidr"), "MissingParameter")


def test_subnet_cidr_is_canonicalised(vpc_lab):
    assert str(vpc_lab.lab.create_subnet(vpc_lab.vpc, "10.0.1.77/24").cidr) == "10.0.1.0/24"


def test_subnet_in_an_unknown_vpc_is_invalid_vpc_id_not_found(lab):
    assert_unchanged(lab, lambda: lab.create_subnet("vpc-404", "10.0.1.0/24"), "InvalidVpcID.NotFound")


@pytest.mark.parametrize(("cidr", "usable"), [("10.0.0.0/24", 251), ("10.0.0.0/28", 11), ("10.0.0.0/16", 65531)])
def test_five_addresses_are_reserved_in_every_subnet(vpc_lab, cidr, usable):
    assert vpc_lab.lab.create_subnet(vpc_lab.vpc, cidr).available_ip_address_count == usable


def test_private_addresses_are_handed_out_lowest_free_first_starting_at_dot_4(vpc_lab):
    lab = vpc_lab.lab
    subnet = lab.create_subnet(vpc_lab.vpc, "10.0.1.0/24")
    first, second = lab.run_instance(subnet), lab.run_instance(subnet)
    assert (first.private_ip, second.private_ip) == (IPv4Address("10.0.1.4"), IPv4Address("10.0.1.5"))
    assert subnet.available_ip_address_count == 249
    lab.terminate_instance(first)
    assert subnet.available_ip_address_count == 250
    assert lab.run_instance(subnet).private_ip == IPv4Address("10.0.1.4")


def test_explicit_private_address_is_used_and_skipped_by_later_launches(vpc_lab):
    lab = vpc_lab.lab
    subnet = lab.create_subnet(vpc_lab.vpc, "10.0.1.0/24")
    assert lab.run_instance(subnet, private_ip="10.0.1.4").private_ip == IPv4Address("10.0.1.4")
    assert lab.run_instance(subnet).private_ip == IPv4Address("10.0.1.5")


def test_explicit_private_address_in_use_is_rejected_with_invalid_ip_address_in_use(vpc_lab):
    lab = vpc_lab.lab
    subnet = lab.create_subnet(vpc_lab.vpc, "10.0.1.0/24")
    lab.run_instance(subnet, private_ip="10.0.1.10")
    assert_unchanged(lab, lambda: lab.run_instance(subnet.id, private_ip="10.0.1.10"), "InvalidIPAddress.InUse")


@pytest.mark.parametrize(
    "address", ["10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255", "10.0.2.4", "10.0.1.x"]
)
def test_explicit_private_address_reserved_or_outside_is_rejected(vpc_lab, address):
    lab = vpc_lab.lab
    subnet = lab.create_subnet(vpc_lab.vpc, "10.0.1.0/24")
    assert_unchanged(lab, lambda: lab.run_instance(subnet, private_ip=address), "InvalidParameterValue")


def test_full_subnet_refuses_another_instance(vpc_lab):
    lab = vpc_lab.lab
    subnet = lab.create_subnet(vpc_lab.vpc, "10.0.1.0/28")
    for _ in range(11):
        lab.run_instance(subnet)
    assert subnet.available_ip_address_count == 0
    assert_unchanged(lab, lambda: lab.run_instance(subnet), "InsufficientFreeAddressesInSubnet")


def test_subnet_with_a_live_instance_cannot_be_deleted(vpc_lab):
    lab = vpc_lab.lab
    subnet = lab.create_subnet(vpc_lab.vpc, "10.0.1.0/24")
    instance = lab.run_instance(subnet)
    lab.stop_instance(instance)
    assert_unchanged(lab, lambda: lab.delete_subnet(subnet), "DependencyViolation")
    lab.terminate_instance(instance)
    lab.delete_subnet(subnet.id)
    assert subnet.id not in lab.subnets and instance.id not in lab.instances


def test_deleting_an_explicitly_associated_subnet_frees_its_route_table(public_web_vpc):
    s = public_web_vpc
    s.lab.terminate_instance(s.web)
    s.lab.delete_subnet(s.public)
    assert s.public_rt.associations == []
    s.lab.delete_route_table(s.public_rt)
    assert s.public_rt.id not in s.lab.route_tables
