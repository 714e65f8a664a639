"""Instances, auto-assigned public IPs and Elastic IPs (fact sheet §4)."""

from ipaddress import IPv4Address, IPv4Network

import pytest
from conftest import assert_unchanged, network_state

import vpclab

DOCUMENTATION = [IPv4Network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")]


@pytest.fixture
def gateway_vpc(vpc_lab):
    """A VPC with an attached gateway, a subnet that maps public IPs and one that does not."""
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw, vpc)
    mapping = lab.create_subnet(vpc, "10.0.1.0/24", map_public_ip_on_launch=True)
    plain = lab.create_subnet(vpc, "10.0.2.0/24")
    return vpc_lab.lab, mapping, plain


# ---- auto-assigned public IPs -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("subnet", "override", "public"),
    [("mapping", None, True), ("plain", None, False), ("plain", True, True), ("mapping", False, False)],
)
def test_auto_public_ip_follows_the_subnet_setting_or_the_launch_override(gateway_vpc, subnet, override, public):
    lab, mapping, plain = gateway_vpc
    instance = lab.run_instance({"mapping": mapping, "plain": plain}[subnet], associate_public_ip=override)
    assert (instance.public_ip is not None) is public


def test_auto_public_ip_is_given_only_at_launch(gateway_vpc):
    lab, _, plain = gateway_vpc
    instance = lab.run_instance(plain)
    lab.modify_subnet_attribute(plain, map_public_ip_on_launch=True)
    lab.stop_instance(instance)
    lab.start_instance(instance)
    assert instance.public_ip is None
    assert lab.run_instance(plain).public_ip is not None


def test_stop_releases_the_auto_public_ip_and_start_gives_a_new_different_one(gateway_vpc):
    lab, mapping, _ = gateway_vpc
    web = lab.run_instance(mapping.id)
    first = web.public_ip
    lab.stop_instance(web.id)
    assert web.state.value == "stopped" and web.public_ip is None
    lab.start_instance(web.id)
    assert web.state.value == "running"
    assert web.public_ip is not None and web.public_ip != first


def test_associating_an_elastic_ip_releases_the_auto_public_ip(gateway_vpc):
    lab, mapping, _ = gateway_vpc
    web = lab.run_instance(mapping)
    auto = web.public_ip
    eip = lab.allocate_address()
    association_id = lab.associate_address(eip, web)
    assert association_id == eip.association_id and association_id.startswith("eipassoc-")
    assert web.public_ip == eip.public_ip != auto
    assert web.auto_public_ip is None and eip.instance is web


def test_disassociating_an_elastic_ip_gives_a_new_auto_public_ip(gateway_vpc):
    lab, mapping, _ = gateway_vpc
    web = lab.run_instance(mapping)
    auto = web.public_ip
    eip = lab.allocate_address()
    lab.associate_address(eip, web)
    lab.disassociate_address(eip)
    assert web.public_ip not in (None, auto, eip.public_ip)
    assert eip.instance is None and eip.id in lab.elastic_ips


def test_disassociating_from_an_instance_launched_without_public_ip_leaves_none(public_web_vpc):
    s = public_web_vpc
    s.lab.disassociate_address(s.eip.public_ip.exploded)  # by address
    assert s.web.public_ip is None


def test_elastic_ip_survives_stop_and_start(public_web_vpc):
    s = public_web_vpc
    s.lab.stop_instance(s.web)
    assert s.web.public_ip == s.eip.public_ip
    s.lab.start_instance(s.web)
    assert s.web.public_ip == s.eip.public_ip and s.eip.instance is s.web


def test_the_held_instance_object_always_shows_the_current_public_ip(gateway_vpc):
    lab, mapping, _ = gateway_vpc
    web = lab.run_instance(mapping)
    seen = [web.public_ip]
    eip = lab.allocate_address()
    lab.associate_address(eip.id, web.id)
    seen.append(web.public_ip)
    lab.disassociate_address(eip.association_id)  # by association id
    seen.append(web.public_ip)
    assert lab.instances[web.id] is web
    assert seen[1] == eip.public_ip and len(set(seen)) == 3


# ---- Elastic IP rules -------------------------------------------------------------------------
def test_associating_an_elastic_ip_without_a_gateway_is_gateway_not_attached(vpc_lab):
    lab = vpc_lab.lab
    instance = lab.run_instance(lab.create_subnet(vpc_lab.vpc, "10.0.1.0/24"))
    eip = lab.allocate_address()
    assert_unchanged(lab, lambda: lab.associate_address(eip, instance), "Gateway.NotAttached")


def test_releasing_an_associated_elastic_ip_is_invalid_ip_address_in_use(public_web_vpc):
    s = public_web_vpc
    assert_unchanged(s.lab, lambda: s.lab.release_address(s.eip), "InvalidIPAddress.InUse")
    s.lab.disassociate_address(s.eip)
    s.lab.release_address(s.eip.id)
    assert s.eip.id not in s.lab.elastic_ips


def test_sixth_elastic_ip_is_address_limit_exceeded(lab):
    addresses = [lab.allocate_address() for _ in range(5)]
    assert_unchanged(lab, lab.allocate_address, "AddressLimitExceeded")
    lab.release_address(addresses[0])
    assert lab.allocate_address().public_ip not in {a.public_ip for a in addresses}


def test_moving_an_elastic_ip_needs_allow_reassociation(gateway_vpc):
    lab, mapping, _ = gateway_vpc
    first, second = lab.run_instance(mapping), lab.run_instance(mapping)
    eip = lab.allocate_address()
    lab.associate_address(eip, first)
    assert_unchanged(lab, lambda: lab.associate_address(eip, second), "Resource.AlreadyAssociated")
    lab.associate_address(eip, second, allow_reassociation=True)
    assert second.public_ip == eip.public_ip and eip.instance is second
    assert first.elastic_ip is None
    assert first.public_ip is not None and first.public_ip != eip.public_ip  # a new auto IP


def test_associating_with_the_same_instance_again_is_idempotent(public_web_vpc):
    s = public_web_vpc
    before = network_state(s.lab)
    assert s.lab.associate_address(s.eip, s.web) == s.eip.association_id
    assert network_state(s.lab) == before  # recorded in the history, but the network is the same


def test_second_elastic_ip_on_an_instance_disassociates_the_first(public_web_vpc):
    s = public_web_vpc
    other = s.lab.allocate_address()
    s.lab.associate_address(other, s.web)
    assert s.web.public_ip == other.public_ip
    assert s.eip.instance is None and s.eip.association_id is None


def test_associating_with_a_terminated_instance_is_invalid_instance_id(public_web_vpc):
    s = public_web_vpc
    s.lab.terminate_instance(s.web)
    assert s.eip.instance is None and s.eip.id in s.lab.elastic_ips  # disassociated, kept
    assert_unchanged(s.lab, lambda: s.lab.associate_address(s.eip, s.web), "InvalidInstanceID")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("eipalloc-00000000000000000", "InvalidAllocationID.NotFound"),
        ("eipassoc-00000000000000000", "InvalidAssociationID.NotFound"),
        ("198.51.100.1", "InvalidAddress.NotFound"),
    ],
)
def test_unknown_elastic_ip_is_not_found(public_web_vpc, value, code):
    s = public_web_vpc
    assert_unchanged(s.lab, lambda: s.lab.disassociate_address(value), code)


def test_disassociating_an_idle_elastic_ip_is_invalid_association_id_not_found(lab):
    eip = lab.allocate_address()
    assert_unchanged(lab, lambda: lab.disassociate_address(eip), "InvalidAssociationID.NotFound")


# ---- public address pool ----------------------------------------------------------------------
def test_public_addresses_come_from_the_regions_ec2_blocks(gateway_vpc):
    lab, mapping, _ = gateway_vpc
    seoul = [
        IPv4Network(n)
        for n in ("13.124.0.0/16", "13.125.0.0/16", "3.34.0.0/15", "43.200.0.0/14", "52.78.0.0/16", "54.180.0.0/15")
    ]
    addresses = [lab.run_instance(mapping).public_ip for _ in range(20)]
    addresses.append(lab.allocate_address().public_ip)
    assert all(any(a in block for block in seoul) for a in addresses)


def test_public_addresses_are_unique_and_never_documentation_ranges_over_thousands():
    lab = vpclab.Lab()
    seen = []
    for n in range(3):
        vpc = lab.create_vpc(f"10.{n}.0.0/16")
        subnet = lab.create_subnet(vpc, f"10.{n}.0.0/20", map_public_ip_on_launch=True)
        for _ in range(1000):
            instance = lab.run_instance(subnet)
            seen.append(instance.public_ip)
        lab.stop_instance(instance)
        lab.start_instance(instance)
        seen.append(instance.public_ip)
    seen += [lab.allocate_address().public_ip for _ in range(5)]
    assert len(seen) == 3008 and len(set(seen)) == len(seen)
    assert not any(a in net for a in seen for net in DOCUMENTATION)


# ---- instance states --------------------------------------------------------------------------
def test_new_instance_runs_with_the_default_group_and_an_eni(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    instance = lab.run_instance(lab.create_subnet(vpc, "10.0.1.0/24"), name="box")
    assert instance.state.value == "running"
    assert instance.security_groups == [lab.default_security_group(vpc)]
    assert instance.network_interface_id.startswith("eni-") and instance.vpc is vpc


@pytest.mark.parametrize("verb", ["stop_instance", "start_instance"])
def test_stopping_or_starting_a_terminated_instance_is_incorrect_instance_state(public_web_vpc, verb):
    s = public_web_vpc
    s.lab.terminate_instance(s.web)
    assert s.web.state.value == "terminated" and s.web.public_ip is None
    assert_unchanged(s.lab, lambda: getattr(s.lab, verb)(s.web), "IncorrectInstanceState")


def test_terminating_frees_the_private_address_and_twice_is_harmless(public_web_vpc):
    s = public_web_vpc
    count = s.public.available_ip_address_count
    s.lab.terminate_instance(s.web.id)
    s.lab.terminate_instance(s.web.id)
    assert s.public.available_ip_address_count == count + 1


def test_starting_a_running_instance_changes_nothing(gateway_vpc):
    lab, mapping, _ = gateway_vpc
    web = lab.run_instance(mapping)
    before = network_state(lab)
    lab.start_instance(web)
    assert network_state(lab) == before


@pytest.mark.parametrize(
    ("subnet", "code"),
    [("subnet-00000000000000000", "InvalidSubnetID.NotFound"), (12, "InvalidParameterValue")],
)
def test_launching_into_an_unknown_subnet_is_refused(lab, subnet, code):
    assert_unchanged(lab, lambda: lab.run_instance(subnet), code)


def test_unknown_instance_id_is_invalid_instance_id_not_found(lab):
    assert_unchanged(lab, lambda: lab.stop_instance("i-00000000000000000"), "InvalidInstanceID.NotFound")


def test_private_addresses_are_deterministic_and_independent_of_the_region():
    def first_instance(region):
        lab = vpclab.Lab(region=region)
        subnet = lab.create_subnet(lab.create_vpc("10.0.0.0/16"), "10.0.1.0/24")
        return lab.run_instance(subnet).private_ip

    assert first_instance("us-east-1") == first_instance("ap-northeast-2") == IPv4Address("10.0.1.4")
