"""Public NAT gateways: an Elastic IP, a subnet, and failures that are states, not errors (§7)."""

from ipaddress import IPv4Address

import pytest
from conftest import assert_unchanged, network_state


def test_nat_gateway_in_a_vpc_with_a_gateway_is_available_with_its_elastic_ips_address(
    private_app_behind_nat,
):
    s = private_app_behind_nat
    assert s.nat.state.value == "available" and s.nat.failure_code is None
    assert s.nat.public_ip == s.nat_eip.public_ip
    assert s.nat_eip.nat_gateway is s.nat and s.nat_eip.association_id.startswith("eipassoc-")
    assert s.nat.subnet is s.public and s.nat.vpc is s.vpc


def test_nat_gateway_takes_the_next_free_private_address_of_its_subnet(public_web_vpc):
    s = public_web_vpc
    count = s.public.available_ip_address_count
    nat = s.lab.create_nat_gateway(s.public.id, s.lab.allocate_address().id)
    assert nat.private_ip == IPv4Address("10.0.1.5")  # web holds .4
    assert s.public.available_ip_address_count == count - 1
    assert nat.network_interface_id.startswith("eni-")


def test_nat_gateway_without_an_internet_gateway_is_created_failed(vpc_lab):
    lab = vpc_lab.lab
    subnet = lab.create_subnet(vpc_lab.vpc, "10.0.1.0/24")
    eip = lab.allocate_address()
    nat = lab.create_nat_gateway(subnet, eip)
    assert (nat.state.value, nat.failure_code) == ("failed", "Gateway.NotAttached")
    assert nat.public_ip is None and nat.private_ip is None
    assert not eip.associated
    assert subnet.available_ip_address_count == 251


def test_nat_gateway_with_an_elastic_ip_in_use_is_created_failed(public_web_vpc):
    s = public_web_vpc
    nat = s.lab.create_nat_gateway(s.public, s.eip)
    assert (nat.state.value, nat.failure_code) == ("failed", "Resource.AlreadyAssociated")
    assert s.eip.instance is s.web and s.eip.nat_gateway is None


def test_deleting_a_nat_gateway_blackholes_its_routes_and_keeps_its_elastic_ip(
    private_app_behind_nat,
):
    s = private_app_behind_nat
    count = s.public.available_ip_address_count
    s.lab.delete_nat_gateway(s.nat.id)
    assert s.nat.state.value == "deleted" and s.nat.public_ip is None
    [route] = [r for r in s.private_rt.routes.values() if not r.is_local]
    assert (route.target_id, route.state.value) == (s.nat.id, "blackhole")
    assert s.nat_eip.id in s.lab.elastic_ips and not s.nat_eip.associated
    assert s.public.available_ip_address_count == count + 1
    s.lab.release_address(s.nat_eip)
    assert s.nat_eip.id not in s.lab.elastic_ips


def test_deleting_a_deleted_nat_gateway_again_changes_nothing(private_app_behind_nat):
    s = private_app_behind_nat
    s.lab.delete_nat_gateway(s.nat)
    before = network_state(s.lab)
    s.lab.delete_nat_gateway(s.nat)
    assert network_state(s.lab) == before


@pytest.mark.parametrize("nat", ["nat-00000000000000000", 7])
def test_deleting_an_unknown_nat_gateway_is_nat_gateway_not_found(lab, nat):
    assert_unchanged(lab, lambda: lab.delete_nat_gateway(nat), "NatGatewayNotFound")


def test_route_to_a_deleted_nat_gateway_is_invalid_nat_gateway_id_not_found(private_app_behind_nat):
    s = private_app_behind_nat
    s.lab.delete_nat_gateway(s.nat)
    call = lambda: s.lab.create_route(s.public_rt, "198.51.100.0/24", s.nat)  # noqa: E731
    assert_unchanged(s.lab, call, "InvalidNatGatewayID.NotFound")


def test_route_to_a_failed_nat_gateway_is_a_blackhole(vpc_lab):
    lab = vpc_lab.lab
    subnet = lab.create_subnet(vpc_lab.vpc, "10.0.1.0/24")
    nat = lab.create_nat_gateway(subnet, lab.allocate_address())
    route = lab.create_route(lab.main_route_table(vpc_lab.vpc), "0.0.0.0/0", nat)
    assert route.state.value == "blackhole"


def test_route_to_a_nat_gateway_of_another_vpc_is_invalid_parameter_value(private_app_behind_nat):
    s = private_app_behind_nat
    rt = s.lab.create_route_table(s.lab.create_vpc("10.9.0.0/16"))
    assert_unchanged(s.lab, lambda: s.lab.create_route(rt, "0.0.0.0/0", s.nat), "InvalidParameterValue")


def test_elastic_ip_of_a_nat_gateway_cannot_be_moved_to_an_instance(private_app_behind_nat):
    s = private_app_behind_nat
    call = lambda: s.lab.associate_address(s.nat_eip, s.app, allow_reassociation=True)  # noqa: E731
    assert_unchanged(s.lab, call, "Resource.AlreadyAssociated")


@pytest.mark.parametrize("verb", ["release_address", "disassociate_address"])
def test_elastic_ip_of_a_nat_gateway_cannot_be_released_or_disassociated(private_app_behind_nat, verb):
    s = private_app_behind_nat
    assert_unchanged(s.lab, lambda: getattr(s.lab, verb)(s.nat_eip), "InvalidIPAddress.InUse")


def test_subnet_holding_a_nat_gateway_cannot_be_deleted_until_it_is(private_app_behind_nat):
    s = private_app_behind_nat
    s.lab.terminate_instance(s.web)
    assert_unchanged(s.lab, lambda: s.lab.delete_subnet(s.public), "DependencyViolation")
    s.lab.delete_nat_gateway(s.nat)
    s.lab.delete_subnet(s.public)
    assert s.nat.id not in s.lab.nat_gateways


def test_nat_gateway_with_an_unknown_elastic_ip_is_invalid_allocation_id_not_found(public_web_vpc):
    s = public_web_vpc
    call = lambda: s.lab.create_nat_gateway(s.public, "eipalloc-00000000000000000")  # noqa: E731
    assert_unchanged(s.lab, call, "InvalidAllocationID.NotFound")


def test_private_subnet_reaches_out_through_the_nat_gateway_route(private_app_behind_nat):
    s = private_app_behind_nat
    assert s.lab.route_table_of(s.private) is s.private_rt
    assert s.private_rt.lookup(IPv4Address("203.0.113.9")).target_id == s.nat.id
    assert not s.lab.is_public(s.private) and s.app.public_ip is None


def test_nat_gateway_in_a_full_subnet_is_created_failed(public_web_vpc):
    s = public_web_vpc
    full = s.lab.create_subnet(s.vpc, "10.0.3.0/28")
    for _ in range(11):
        s.lab.run_instance(full)
    nat = s.lab.create_nat_gateway(full, s.lab.allocate_address())
    assert (nat.state.value, nat.failure_code) == ("failed", "InsufficientFreeAddressesInSubnet")
    assert nat.private_ip is None and full.available_ip_address_count == 0
