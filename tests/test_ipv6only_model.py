"""IPv6-only subnets and DNS64 in the model (fact sheet §12.1): a subnet with a /64 and no IPv4 CIDR,
instances without IPv4, the refusals around them, and the lab file that carries them."""

from __future__ import annotations

import json

import pytest
from conftest import assert_unchanged

import vpclab
from vpclab.model.invariants import problems


@pytest.fixture
def v6(public_web_vpc):
    """The public web VPC with an Amazon /56, and an IPv6-only subnet ``only`` of its sixth /64."""
    s = public_web_vpc
    s.lab.associate_vpc_cidr_block(s.vpc, amazon_provided_ipv6=True)
    s.blocks = list(s.vpc.ipv6_cidr_blocks[0].subnets(new_prefix=64))[:8]
    s.only = s.lab.create_subnet(s.vpc, ipv6_cidr=str(s.blocks[5]), ipv6_native=True, name="only")
    return s


# ---- the subnet ---------------------------------------------------------------------------------------
def test_an_ipv6_only_subnet_has_its_64_and_no_ipv4_cidr(v6):
    assert v6.only.ipv6_native is True and v6.only.cidr is None
    assert v6.only.ipv6_cidr_block == v6.blocks[5] and v6.only.ipv6_cidr_association_id
    assert v6.only.available_ip_address_count == 0 and v6.only.enable_dns64 is False
    assert "ipv6_native=True" in repr(v6.only) and problems(v6.lab) == []


def test_every_existing_subnet_call_still_works_with_cidr_second(v6):
    dual = v6.lab.create_subnet(v6.vpc, "10.0.7.0/24", "dual", None, False, str(v6.blocks[6]))
    assert str(dual.cidr) == "10.0.7.0/24" and dual.ipv6_native is False and dual.ipv6_cidr_block == v6.blocks[6]


def test_an_ipv4_cidr_on_an_ipv6_only_subnet_is_rejected_with_invalid_parameter_combination(v6):
    make = lambda: v6.lab.create_subnet(v6.vpc, "10.0.7.0/24", ipv6_cidr=str(v6.blocks[6]), ipv6_native=True)  # noqa: E731
    assert_unchanged(v6.lab, make, "InvalidParameterCombination")


def test_an_ipv6_only_subnet_without_its_64_is_rejected_with_missing_parameter(v6):
    assert_unchanged(v6.lab, lambda: v6.lab.create_subnet(v6.vpc, ipv6_native=True), "MissingParameter")


def test_a_public_ipv4_on_an_ipv6_only_subnet_is_rejected_with_invalid_parameter_combination(v6):
    make = lambda: v6.lab.create_subnet(  # noqa: E731
        v6.vpc, ipv6_cidr=str(v6.blocks[6]), ipv6_native=True, map_public_ip_on_launch=True
    )
    assert_unchanged(v6.lab, make, "InvalidParameterCombination")
    change = lambda: v6.lab.modify_subnet_attribute(v6.only, map_public_ip_on_launch=True)  # noqa: E731
    assert_unchanged(v6.lab, change, "InvalidParameterCombination")


def test_an_ipv6_only_subnet_in_a_vpc_without_ipv6_is_rejected_with_invalid_subnet_range(vpc_lab):
    make = lambda: vpc_lab.lab.create_subnet(vpc_lab.vpc, ipv6_cidr="2406:da12::/64", ipv6_native=True)  # noqa: E731
    assert_unchanged(vpc_lab.lab, make, "InvalidSubnet.Range")


def test_ipv6_native_must_be_a_bool(v6):
    make = lambda: v6.lab.create_subnet(v6.vpc, ipv6_cidr=str(v6.blocks[6]), ipv6_native="yes")  # noqa: E731
    assert_unchanged(v6.lab, make, "InvalidParameterValue")


def test_the_64_of_an_ipv6_only_subnet_cannot_be_disassociated(v6):
    association = v6.only.ipv6_cidr_association_id
    assert_unchanged(v6.lab, lambda: v6.lab.disassociate_subnet_cidr_block(association), "InvalidParameterValue")


def test_an_ipv4_only_subnet_cannot_become_ipv6_only(v6):
    # No migration path (fact sheet §12.1): no verb takes ipv6_native for an existing subnet.
    with pytest.raises(TypeError):
        v6.lab.modify_subnet_attribute(v6.public, ipv6_native=True)


# ---- DNS64 ---------------------------------------------------------------------------------------------
def test_dns64_is_turned_on_and_off_on_a_subnet_with_an_ipv6_block(v6):
    v6.lab.modify_subnet_attribute(v6.only, enable_dns64=True)
    assert v6.only.enable_dns64 is True
    v6.lab.modify_subnet_attribute(v6.only, enable_dns64=False)
    assert v6.only.enable_dns64 is False


def test_dns64_on_a_subnet_without_an_ipv6_block_is_rejected_with_invalid_parameter_value(v6):
    change = lambda: v6.lab.modify_subnet_attribute(v6.public, enable_dns64=True)  # noqa: E731
    assert_unchanged(v6.lab, change, "InvalidParameterValue")


@pytest.mark.parametrize("value", ["true", 1, None])
def test_dns64_takes_a_bool_only(v6, value):
    code = "MissingParameter" if value is None else "InvalidParameterValue"
    assert_unchanged(v6.lab, lambda: v6.lab.modify_subnet_attribute(v6.only, enable_dns64=value), code)


def test_a_dual_stack_subnets_block_cannot_be_disassociated_while_dns64_is_on(v6):
    association = v6.lab.associate_subnet_cidr_block(v6.public, str(v6.blocks[1]))
    v6.lab.modify_subnet_attribute(v6.public, enable_dns64=True)
    error = assert_unchanged(
        v6.lab, lambda: v6.lab.disassociate_subnet_cidr_block(association), "InvalidCidrBlock.InUse"
    )
    assert error.key == "InvalidCidrBlock.InUse:dns64"
    v6.lab.modify_subnet_attribute(v6.public, enable_dns64=False)
    v6.lab.disassociate_subnet_cidr_block(association)
    assert v6.public.ipv6_cidr_block is None


# ---- instances -----------------------------------------------------------------------------------------
def test_an_instance_in_an_ipv6_only_subnet_gets_an_ipv6_address_and_no_ipv4(v6):
    worker = v6.lab.run_instance(v6.only, name="worker")
    assert worker.private_ip is None and worker.public_ip is None
    assert worker.ipv6_addresses == [v6.blocks[5].network_address + 4]
    assert v6.only.used_addresses == {} and v6.only.used_ipv6_addresses == {worker.ipv6_addresses[0]: worker.id}
    assert "private_ip=None" in repr(worker) and problems(v6.lab) == []
    two = v6.lab.run_instance(v6.only, ipv6_address_count=2)
    assert len(two.ipv6_addresses) == 2


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"private_ip": "10.0.1.50"}, "InvalidParameterCombination"),
        ({"associate_public_ip": True}, "InvalidParameterCombination"),
        ({"ipv6_address_count": 0}, "InvalidParameterValue"),
    ],
)
def test_an_ipv4_address_or_no_address_at_launch_in_an_ipv6_only_subnet_is_refused(v6, kwargs, code):
    assert_unchanged(v6.lab, lambda: v6.lab.run_instance(v6.only, **kwargs), code)


def test_an_elastic_ip_cannot_be_associated_with_an_ipv6_only_instance(v6):
    worker = v6.lab.run_instance(v6.only)
    eip = v6.lab.allocate_address()
    assert_unchanged(v6.lab, lambda: v6.lab.associate_address(eip, worker), "InvalidParameterValue")


def test_a_nat_gateway_cannot_be_created_in_an_ipv6_only_subnet(v6):
    eip = v6.lab.allocate_address()
    assert_unchanged(v6.lab, lambda: v6.lab.create_nat_gateway(v6.only, eip), "InvalidSubnet")


def test_terminating_an_ipv6_only_instance_frees_its_ipv6_address(v6):
    worker = v6.lab.run_instance(v6.only)
    v6.lab.terminate_instance(worker)
    assert worker.ipv6_addresses == [] and v6.only.used_ipv6_addresses == {} and problems(v6.lab) == []
    v6.lab.delete_subnet(v6.only)


def test_a_64_to_a_nat_gateway_route_is_accepted_for_nat64(v6):
    nat = v6.lab.create_nat_gateway(v6.public, v6.lab.allocate_address())
    table = v6.lab.create_route_table(v6.vpc)
    v6.lab.create_route(table, "64:ff9b::/96", nat)
    v6.lab.associate_route_table(table, v6.only)
    assert v6.lab.route_table_of(v6.only).lookup("64:ff9b::cb00:710a").target is nat


# ---- save, load, undo ----------------------------------------------------------------------------------
def test_ipv6_only_subnets_dns64_and_their_instances_survive_save_and_load(v6):
    v6.lab.modify_subnet_attribute(v6.only, enable_dns64=True)
    worker = v6.lab.run_instance(v6.only, name="worker")
    text = v6.lab.to_json()
    loaded = vpclab.Lab.from_json(text)
    assert loaded.to_json() == text and problems(loaded) == []
    subnet, copy = loaded.subnets[v6.only.id], loaded.instances[worker.id]
    assert subnet.ipv6_native and subnet.cidr is None and subnet.enable_dns64
    assert copy.private_ip is None and copy.ipv6_addresses == worker.ipv6_addresses
    data = json.loads(text)
    assert data["version"] == 3


def test_undo_of_an_ipv6_only_subnet_change_keeps_the_learners_objects_live(v6):
    worker = v6.lab.run_instance(v6.only, name="worker")
    snapshot = v6.lab.to_json()
    v6.lab.modify_subnet_attribute(v6.only, enable_dns64=True)
    v6.lab.terminate_instance(worker)
    v6.lab.restore(snapshot)
    assert v6.lab.subnets[v6.only.id] is v6.only and v6.only.enable_dns64 is False
    assert v6.lab.instances[worker.id] is worker and worker.ipv6_addresses and worker.private_ip is None
    v6.lab.modify_subnet_attribute(v6.only, enable_dns64=True)  # the learner's variable works again
    assert problems(v6.lab) == []


def test_a_version_2_file_loads_with_no_ipv6_only_subnet_and_dns64_off(dual_stack_lab):
    data = json.loads(dual_stack_lab.to_json())
    data["version"] = 2
    for subnet in data["subnets"]:
        subnet.pop("ipv6_native"), subnet.pop("enable_dns64")
    loaded = vpclab.Lab.from_json(json.dumps(data))
    assert loaded.to_json() == dual_stack_lab.to_json()


@pytest.fixture
def dual_stack_lab(public_web_vpc):
    s = public_web_vpc
    s.lab.associate_vpc_cidr_block(s.vpc, amazon_provided_ipv6=True)
    s.lab.associate_subnet_cidr_block(s.public, str(next(s.vpc.ipv6_cidr_blocks[0].subnets(new_prefix=64))))
    return s.lab


def _refused(data: dict, field: str) -> None:
    with pytest.raises(vpclab.LabFileError) as caught:
        vpclab.Lab.from_json(json.dumps(data))
    assert caught.value.field == field, (caught.value.field, caught.value.key)


def _saved(v6) -> tuple[dict, int, int]:
    worker = v6.lab.run_instance(v6.only, name="worker")
    data = json.loads(v6.lab.to_json())
    subnet = next(n for n, s in enumerate(data["subnets"]) if s["id"] == v6.only.id)
    instance = next(n for n, i in enumerate(data["instances"]) if i["id"] == worker.id)
    return data, subnet, instance


def test_a_file_with_an_ipv4_cidr_on_an_ipv6_only_subnet_is_refused(v6):
    data, n, _ = _saved(v6)
    data["subnets"][n]["cidr"] = "10.0.9.0/24"
    _refused(data, f"subnets[{n}].cidr")


def test_a_file_with_a_subnet_without_any_cidr_that_is_not_ipv6_only_is_refused(v6):
    data, n, _ = _saved(v6)
    data["subnets"][n]["ipv6_native"] = False
    _refused(data, f"subnets[{n}].cidr")


def test_a_file_with_an_ipv6_only_subnet_without_its_64_is_refused(v6):
    data, n, m = _saved(v6)
    data["instances"].pop(m)
    data["subnets"][n]["ipv6_cidr"] = data["subnets"][n]["ipv6_cidr_association_id"] = None
    _refused(data, f"subnets[{n}].ipv6_cidr")


def test_a_file_with_dns64_on_a_subnet_without_an_ipv6_block_is_refused(v6):
    data = json.loads(v6.lab.to_json())
    n = next(n for n, s in enumerate(data["subnets"]) if s["id"] == v6.public.id)
    data["subnets"][n]["enable_dns64"] = True
    _refused(data, f"subnets[{n}].enable_dns64")


def test_a_file_with_an_ipv4_address_on_an_ipv6_only_instance_is_refused(v6):
    data, _, m = _saved(v6)
    data["instances"][m]["private_ip"] = "10.0.1.77"
    _refused(data, f"instances[{m}].private_ip")


def test_a_file_with_an_ipv6_only_instance_without_an_ipv6_address_is_refused(v6):
    data, _, m = _saved(v6)
    data["instances"][m]["ipv6_addresses"] = []
    _refused(data, f"instances[{m}].ipv6_addresses")


def test_a_file_with_a_nat_gateway_in_an_ipv6_only_subnet_is_refused(v6):
    v6.lab.create_nat_gateway(v6.public, v6.lab.allocate_address())
    data, _n, _ = _saved(v6)
    data["nat_gateways"][0]["subnet"] = v6.only.id
    _refused(data, "nat_gateways[0].subnet")


def test_the_last_ipv6_address_of_an_ipv6_only_instance_cannot_be_unassigned(v6):
    worker = v6.lab.run_instance(v6.only, ipv6_address_count=2)
    first, second = worker.ipv6_addresses
    v6.lab.unassign_ipv6_addresses(worker, [str(second)])
    assert worker.ipv6_addresses == [first]
    change = lambda: v6.lab.unassign_ipv6_addresses(worker, [str(first)])  # noqa: E731
    assert_unchanged(v6.lab, change, "InvalidParameterValue")
