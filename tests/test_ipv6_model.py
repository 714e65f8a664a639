"""IPv6 in the model: the VPC's Amazon /56, subnet /64s, instance addresses, IPv6 routes and rules,
the egress-only internet gateway (fact sheet §12, §13)."""

from __future__ import annotations

import json
from ipaddress import IPv6Address, IPv6Network

import pytest
from conftest import assert_unchanged

import vpclab
from vpclab.model.invariants import problems
from vpclab.model.ipv6_pool import AMAZON_IPV6_RANGES


@pytest.fixture
def dual_stack(public_web_vpc):
    """The public web VPC with an Amazon /56, its public subnet dual-stack and auto-assigning IPv6."""
    s = public_web_vpc
    s.lab.associate_vpc_cidr_block(s.vpc, amazon_provided_ipv6=True)
    s.block = s.vpc.ipv6_cidr_blocks[0]
    s.public_v6 = next(s.block.subnets(new_prefix=64))
    s.lab.associate_subnet_cidr_block(s.public, str(s.public_v6))
    s.lab.modify_subnet_attribute(s.public, assign_ipv6_address_on_creation=True)
    return s


# ---- the VPC's /56 ----------------------------------------------------------------------------------
def test_amazon_provided_block_is_a_56_from_the_regions_published_range(vpc_lab):
    vpc_lab.lab.associate_vpc_cidr_block(vpc_lab.vpc, amazon_provided_ipv6=True)
    (block,) = vpc_lab.vpc.ipv6_cidr_blocks
    assert block.prefixlen == 56
    assert block.subnet_of(AMAZON_IPV6_RANGES["ap-northeast-2"])


def test_amazon_provided_blocks_are_the_same_on_every_run_and_never_shared():
    def build(region):
        lab = vpclab.Lab(region)
        vpcs = [lab.create_vpc(f"10.{n}.0.0/16") for n in range(3)]
        for vpc in vpcs:
            lab.associate_vpc_cidr_block(vpc, amazon_provided_ipv6=True)
        return [v.ipv6_cidr_blocks[0] for v in vpcs]

    first, again = build("us-east-1"), build("us-east-1")
    assert first == again and len(set(first)) == 3
    assert all(b.subnet_of(AMAZON_IPV6_RANGES["us-east-1"]) for b in first)


def test_every_route_table_gets_the_local_route_of_the_ipv6_block(public_web_vpc):
    s = public_web_vpc
    s.lab.associate_vpc_cidr_block(s.vpc, amazon_provided_ipv6=True)
    block = s.vpc.ipv6_cidr_blocks[0]
    later = s.lab.create_route_table(s.vpc)
    for table in (s.vpc.main_route_table, s.public_rt, later):
        assert table.routes[block].is_local


def test_first_ipv6_block_adds_the_default_acl_rule_101_and_the_ipv6_star_rule(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    assert [e.rule_number for e in vpc.default_network_acl.inbound] == [100, 32767]
    lab.associate_vpc_cidr_block(vpc, amazon_provided_ipv6=True)
    for rules in (vpc.default_network_acl.inbound, vpc.default_network_acl.outbound):
        assert [(e.rule_number, str(e.cidr), e.action.value) for e in rules] == [
            (100, "0.0.0.0/0", "allow"),
            (101, "::/0", "allow"),
            (32767, "0.0.0.0/0", "deny"),
            (32768, "::/0", "deny"),
        ]
    custom = lab.create_network_acl(vpc)
    assert [(e.rule_number, str(e.cidr)) for e in custom.inbound] == [(32767, "0.0.0.0/0"), (32768, "::/0")]


def test_groups_with_untouched_outbound_rules_get_all_ipv6_out_and_changed_ones_do_not(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    untouched = lab.create_security_group(vpc, "untouched")
    changed = lab.create_security_group(vpc, "changed")
    lab.authorize_security_group_egress(changed, "tcp", 443, cidr="0.0.0.0/0")
    lab.associate_vpc_cidr_block(vpc, amazon_provided_ipv6=True)
    v6_out = [str(r.cidr) for g in (vpc.default_security_group, untouched) for r in g.egress]
    assert v6_out == ["0.0.0.0/0", "::/0", "0.0.0.0/0", "::/0"]
    assert "::/0" not in [str(r.cidr) for r in changed.egress]
    assert "::/0" in [str(r.cidr) for r in lab.create_security_group(vpc, "new").egress]


def test_a_modified_default_acl_gets_no_ipv6_allow_rule(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    lab.create_network_acl_entry(vpc.default_network_acl, 90, False, "tcp", 22, "192.0.2.0/24", "deny")
    lab.associate_vpc_cidr_block(vpc, amazon_provided_ipv6=True)
    assert (False, 101) not in vpc.default_network_acl.entries
    assert (True, 101) in vpc.default_network_acl.entries


def test_five_ipv6_blocks_per_vpc_then_cidr_limit_exceeded(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    for _ in range(5):
        lab.associate_vpc_cidr_block(vpc, amazon_provided_ipv6=True)
    assert_unchanged(lab, lambda: lab.associate_vpc_cidr_block(vpc, amazon_provided_ipv6=True), "CidrLimitExceeded")


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"cidr": "10.1.0.0/16", "amazon_provided_ipv6": True}, "InvalidParameterCombination"),
        ({}, "MissingParameter"),
        ({"amazon_provided_ipv6": "true"}, "InvalidParameterValue"),
    ],
)
def test_bad_vpc_cidr_requests_are_refused(vpc_lab, kwargs, code):
    assert_unchanged(vpc_lab.lab, lambda: vpc_lab.lab.associate_vpc_cidr_block(vpc_lab.vpc, **kwargs), code)


# ---- the subnet's /64 -------------------------------------------------------------------------------
def test_subnet_created_dual_stack_holds_its_64(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    lab.associate_vpc_cidr_block(vpc, amazon_provided_ipv6=True)
    wanted = list(vpc.ipv6_cidr_blocks[0].subnets(new_prefix=64))[3]
    subnet = lab.create_subnet(vpc, "10.0.3.0/24", ipv6_cidr=str(wanted))
    assert subnet.ipv6_cidr_block == wanted and subnet.ipv6_cidr_association_id.startswith("subnet-cidr-assoc-")


@pytest.mark.parametrize(
    ("which", "code"),
    [
        ("outside", "InvalidSubnet.Range"),
        ("a_60", "InvalidParameterValue"),
        ("taken", "InvalidSubnet.Conflict"),
        ("not_ipv6", "InvalidParameterValue"),
    ],
)
def test_bad_subnet_ipv6_blocks_are_refused(dual_stack, which, code):
    s = dual_stack
    other = s.lab.create_subnet(s.vpc, "10.0.9.0/24")
    cidr = {
        "outside": "2001:db8:0:1::/64",
        "a_60": str(next(s.block.subnets(new_prefix=60))),
        "taken": str(s.public_v6),
        "not_ipv6": "10.0.9.0/24",
    }[which]
    assert_unchanged(s.lab, lambda: s.lab.associate_subnet_cidr_block(other, cidr), code)


def test_a_subnet_has_one_ipv6_block(dual_stack):
    s = dual_stack
    second = str(list(s.block.subnets(new_prefix=64))[7])
    assert_unchanged(s.lab, lambda: s.lab.associate_subnet_cidr_block(s.public, second), "InvalidParameterValue")


def test_assign_ipv6_on_a_subnet_without_a_block_is_invalid_parameter_value(public_web_vpc):
    s = public_web_vpc
    error = assert_unchanged(
        s.lab,
        lambda: s.lab.modify_subnet_attribute(s.public, assign_ipv6_address_on_creation=True),
        "InvalidParameterValue",
    )
    assert error.key == "InvalidParameterValue:assign_ipv6_without_block"


def test_disassociating_the_block_while_it_is_assigned_on_creation_is_in_use(dual_stack):
    s = dual_stack
    association = s.public.ipv6_cidr_association_id
    assert_unchanged(s.lab, lambda: s.lab.disassociate_subnet_cidr_block(association), "InvalidCidrBlock.InUse")
    s.lab.modify_subnet_attribute(s.public, assign_ipv6_address_on_creation=False)
    s.lab.disassociate_subnet_cidr_block(association)
    assert s.public.ipv6_cidr_block is None


# ---- instance addresses -----------------------------------------------------------------------------
def test_instances_get_addresses_of_the_64_never_the_reserved_ones_and_lose_them_on_terminate(dual_stack):
    s = dual_stack
    first = s.lab.run_instance(s.public, "a")
    second = s.lab.run_instance(s.public, "b", ipv6_address_count=2)
    addresses = [*first.ipv6_addresses, *second.ipv6_addresses]
    assert len(set(addresses)) == 3 and all(a in s.public_v6 for a in addresses)
    assert all(int(a) - int(s.public_v6.network_address) >= 4 for a in addresses)
    s.lab.terminate_instance(first)
    assert first.ipv6_addresses == [] and problems(s.lab) == []
    assert s.lab.run_instance(s.public, "c").ipv6_addresses[0] not in second.ipv6_addresses


def test_ipv6_address_count_needs_a_block_and_a_count(public_web_vpc):
    s = public_web_vpc
    assert_unchanged(s.lab, lambda: s.lab.run_instance(s.public, ipv6_address_count=1), "InvalidParameterValue")
    assert_unchanged(s.lab, lambda: s.lab.run_instance(s.public, ipv6_address_count="1"), "InvalidParameterValue")
    assert s.lab.run_instance(s.public).ipv6_addresses == []


# ---- routes and rules -------------------------------------------------------------------------------
def test_ipv6_default_route_to_the_internet_gateway_and_ipv4_routes_stay_apart(dual_stack):
    s = dual_stack
    route = s.lab.create_route(s.public_rt, "::/0", s.igw)
    assert route.destination == IPv6Network("::/0")
    assert s.public_rt.lookup("2001:db8::1") is route
    assert str(s.public_rt.lookup("198.51.100.1").destination) == "0.0.0.0/0"


def test_ipv4_destination_to_an_egress_only_gateway_is_refused(dual_stack):
    s = dual_stack
    eigw = s.lab.create_egress_only_internet_gateway(s.vpc)
    refused = lambda: s.lab.create_route(s.public_rt, "198.51.100.0/24", eigw)  # noqa: E731
    error = assert_unchanged(s.lab, refused, "InvalidParameterValue")
    assert error.key == "InvalidParameterValue:eigw_ipv4"


def test_a_nat_gateway_takes_only_nat64_destinations(private_app_behind_nat):
    s = private_app_behind_nat
    assert_unchanged(s.lab, lambda: s.lab.create_route(s.private_rt, "::/0", s.nat), "InvalidParameterValue")
    assert s.lab.create_route(s.private_rt, "64:ff9b::/96", s.nat).target is s.nat


def test_an_ipv6_route_more_specific_than_the_local_one_is_refused(dual_stack):
    s = dual_stack
    inner = str(list(s.block.subnets(new_prefix=64))[9])
    assert_unchanged(s.lab, lambda: s.lab.create_route(s.public_rt, inner, s.igw), "InvalidParameterValue")


def test_security_group_and_acl_rules_take_ipv6_blocks(dual_stack):
    s = dual_stack
    rule = s.lab.authorize_security_group_ingress(s.web_sg, "tcp", 443, cidr="::/0")
    assert rule.cidr == IPv6Network("::/0")
    entry = s.lab.create_network_acl_entry(s.vpc.default_network_acl, 50, False, "58", (128, -1), "::/0", "allow")
    assert entry.protocol is vpclab.model.addressing.Protocol.ICMPV6
    s.lab.revoke_security_group_ingress(s.web_sg, "tcp", 443, cidr="::/0")
    assert rule not in s.web_sg.rules


# ---- egress-only internet gateway -------------------------------------------------------------------
def test_egress_only_gateway_is_attached_at_creation_one_per_vpc(dual_stack):
    s = dual_stack
    eigw = s.lab.create_egress_only_internet_gateway(s.vpc, name="out-only")
    assert eigw.id.startswith("eigw-") and eigw.attachments == [{"VpcId": s.vpc.id, "State": "attached"}]
    assert s.vpc.egress_only_internet_gateway is eigw
    assert_unchanged(s.lab, lambda: s.lab.create_egress_only_internet_gateway(s.vpc), "InvalidParameterValue")


def test_deleting_the_egress_only_gateway_turns_its_routes_blackhole(dual_stack):
    s = dual_stack
    eigw = s.lab.create_egress_only_internet_gateway(s.vpc)
    route = s.lab.create_route(s.public_rt, "::/0", eigw)
    assert route.state.value == "active"
    s.lab.delete_egress_only_internet_gateway(eigw)
    assert route.state.value == "blackhole" and s.vpc.egress_only_internet_gateway is None
    assert_unchanged(s.lab, lambda: s.lab.delete_egress_only_internet_gateway(eigw.id), "InvalidGatewayID.NotFound")
    route_to_gone = lambda: s.lab.create_route(s.public_rt, "2001:db8::/32", eigw.id)  # noqa: E731
    assert_unchanged(s.lab, route_to_gone, "InvalidGatewayID.NotFound")


def test_a_vpc_with_an_egress_only_gateway_cannot_be_deleted(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    eigw = lab.create_egress_only_internet_gateway(vpc)
    assert_unchanged(lab, lambda: lab.delete_vpc(vpc), "DependencyViolation")
    lab.delete_egress_only_internet_gateway(eigw)
    lab.delete_vpc(vpc)


# ---- save, load, undo -------------------------------------------------------------------------------
def test_ipv6_state_survives_save_and_load(dual_stack):
    s = dual_stack
    web6 = s.lab.run_instance(s.public, "web6")
    eigw = s.lab.create_egress_only_internet_gateway(s.vpc)
    s.lab.create_route(s.public_rt, "::/0", eigw)
    text = s.lab.to_json()
    loaded = vpclab.Lab.from_json(text)
    assert loaded.to_json() == text and problems(loaded) == []
    assert loaded.instances[web6.id].ipv6_addresses == web6.ipv6_addresses
    assert loaded.subnets[s.public.id].assign_ipv6_address_on_creation
    # The next /56 and the next address are the same in the loaded lab as in the original.
    other = s.lab.create_vpc("10.9.0.0/16")
    other_loaded = loaded.create_vpc("10.9.0.0/16")
    s.lab.associate_vpc_cidr_block(other, amazon_provided_ipv6=True)
    loaded.associate_vpc_cidr_block(other_loaded, amazon_provided_ipv6=True)
    assert other.ipv6_cidr_blocks == other_loaded.ipv6_cidr_blocks


def test_a_version_1_file_still_loads_as_an_ipv4_only_lab(public_web_vpc):
    data = json.loads(public_web_vpc.lab.to_json())
    data["version"] = 1
    for key in ("ipv6_block_counter", "block_public_access", "egress_only_internet_gateways"):
        data.pop(key)
    data.pop("block_public_access_exclusions")
    for vpc in data["vpcs"]:
        vpc.pop("ipv6_cidrs"), vpc.pop("ipv6_cidr_association_ids")
    for subnet in data["subnets"]:
        for key in ("ipv6_cidr", "ipv6_cidr_association_id", "assign_ipv6_address_on_creation"):
            subnet.pop(key)
    for instance in data["instances"]:
        instance.pop("ipv6_addresses")
    loaded = vpclab.Lab.from_json(json.dumps(data))
    assert loaded.to_json() == public_web_vpc.lab.to_json()


def test_an_ipv6_block_not_from_the_pool_counter_is_refused(dual_stack):
    data = json.loads(dual_stack.lab.to_json())
    data["ipv6_block_counter"] = 0
    with pytest.raises(vpclab.LabFileError) as caught:
        vpclab.Lab.from_json(json.dumps(data))
    assert caught.value.field == "ipv6_block_counter"


def test_an_instance_ipv6_address_outside_its_subnet_is_refused(dual_stack):
    s = dual_stack
    s.lab.run_instance(s.public, "web6")
    data = json.loads(s.lab.to_json())
    data["instances"][-1]["ipv6_addresses"] = [str(IPv6Address("2001:db8::4"))]
    with pytest.raises(vpclab.LabFileError) as caught:
        vpclab.Lab.from_json(json.dumps(data))
    assert caught.value.field.endswith("ipv6_addresses[0]")


def test_undo_of_an_egress_only_gateway_deletion_brings_back_the_same_object(dual_stack):
    s = dual_stack
    eigw = s.lab.create_egress_only_internet_gateway(s.vpc)
    route = s.lab.create_route(s.public_rt, "::/0", eigw)
    snapshot = s.lab.to_json()
    s.lab.delete_egress_only_internet_gateway(eigw)
    s.lab.restore(snapshot)
    assert s.vpc.egress_only_internet_gateway is eigw and s.lab.egress_only_internet_gateways[eigw.id] is eigw
    assert s.public_rt.routes[IPv6Network("::/0")].target is eigw and route.state.value == "active"
    s.lab.delete_egress_only_internet_gateway(eigw)  # the learner's variable works again


def test_a_malformed_ipv6_address_is_named_as_an_ipv6_address_in_both_languages():
    with pytest.raises(vpclab.InvalidParameterError) as caught:
        vpclab.Lab().analyze("2001:db8::zz", "internet", "tcp", 80)
    assert caught.value.code == "InvalidParameterValue"
    assert "IPv6" in caught.value.message("en") and "IPv6" in caught.value.message("ko")
