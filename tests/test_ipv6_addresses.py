"""IPv6 addresses of a running instance: ``assign_ipv6_addresses`` and ``unassign_ipv6_addresses``
(EC2's AssignIpv6Addresses / UnassignIpv6Addresses, fact sheet §12.1)."""

from __future__ import annotations

from ipaddress import IPv6Address

import pytest
from conftest import assert_unchanged

import vpclab
from vpclab.grading.replay import replay
from vpclab.model.invariants import problems
from vpclab.render.commands import aws_cli


@pytest.fixture
def dual_stack(public_web_vpc):
    """The public web VPC with an Amazon /56 and the public subnet's first /64; ``web`` has no IPv6 yet."""
    s = public_web_vpc
    s.lab.associate_vpc_cidr_block(s.vpc, amazon_provided_ipv6=True)
    s.public_v6 = next(s.vpc.ipv6_cidr_blocks[0].subnets(new_prefix=64))
    s.lab.associate_subnet_cidr_block(s.public, str(s.public_v6))
    return s


def test_a_count_gives_the_lowest_free_addresses_of_the_subnet_after_the_reserved_ones(dual_stack):
    s = dual_stack
    other = s.lab.run_instance(s.public, name="other", ipv6_address_count=1)  # holds ::4
    added = s.lab.assign_ipv6_addresses(s.web, ipv6_address_count=2)
    base = s.public_v6.network_address
    assert other.ipv6_addresses == [base + 4]
    assert added == s.web.ipv6_addresses == [base + 5, base + 6]
    assert s.public.used_ipv6_addresses[base + 5] == s.web.id and problems(s.lab) == []


def test_specific_addresses_are_assigned_as_asked(dual_stack):
    s = dual_stack
    wanted = s.public_v6.network_address + 0x100
    assert s.lab.assign_ipv6_addresses(s.web, ipv6_addresses=[str(wanted)]) == [wanted]
    assert s.web.ipv6_addresses == [wanted]


def test_a_stopped_instance_may_get_an_address_and_keeps_it_when_started(dual_stack):
    s = dual_stack
    s.lab.stop_instance(s.web)
    (address,) = s.lab.assign_ipv6_addresses(s.web, ipv6_address_count=1)
    s.lab.start_instance(s.web)
    assert s.web.ipv6_addresses == [address]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({}, "MissingParameter"),
        ({"ipv6_address_count": 1, "ipv6_addresses": ["x"]}, "InvalidParameterCombination"),
        ({"ipv6_address_count": 0}, "InvalidParameterValue"),
        ({"ipv6_address_count": -1}, "InvalidParameterValue"),
        ({"ipv6_address_count": True}, "InvalidParameterValue"),
        ({"ipv6_address_count": 11}, "InvalidParameterValue"),
        ({"ipv6_addresses": []}, "MissingParameter"),
        ({"ipv6_addresses": ["2001:db8::4"]}, "InvalidParameterValue"),  # not in the subnet's /64
        ({"ipv6_addresses": ["10.0.1.9"]}, "InvalidParameterValue"),  # not IPv6
        ({"ipv6_addresses": ["not an address"]}, "InvalidParameterValue"),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(dual_stack, kwargs, code):
    s = dual_stack
    assert_unchanged(s.lab, lambda: s.lab.assign_ipv6_addresses(s.web, **kwargs), code)


def test_reserved_and_used_addresses_are_refused_and_change_nothing(dual_stack):
    s = dual_stack
    base = s.public_v6.network_address
    other = s.lab.run_instance(s.public, name="other", ipv6_address_count=1)
    for reserved in (base, base + 1, base + 3, s.public_v6.broadcast_address):
        assert_unchanged(
            s.lab,
            lambda a=reserved: s.lab.assign_ipv6_addresses(s.web, ipv6_addresses=[str(a)]),
            "InvalidParameterValue",
        )
    taken = str(other.ipv6_addresses[0])
    assert_unchanged(
        s.lab, lambda: s.lab.assign_ipv6_addresses(s.web, ipv6_addresses=[taken]), "InvalidIPAddress.InUse"
    )
    twice = [str(base + 9), str(base + 9)]
    assert_unchanged(s.lab, lambda: s.lab.assign_ipv6_addresses(s.web, ipv6_addresses=twice), "InvalidIPAddress.InUse")


def test_a_subnet_without_an_ipv6_block_gives_no_address(public_web_vpc):
    s = public_web_vpc
    assert_unchanged(s.lab, lambda: s.lab.assign_ipv6_addresses(s.web, ipv6_address_count=1), "InvalidParameterValue")


def test_a_terminated_instance_gets_no_address(dual_stack):
    s = dual_stack
    s.lab.terminate_instance(s.web)
    assert_unchanged(s.lab, lambda: s.lab.assign_ipv6_addresses(s.web, ipv6_address_count=1), "InvalidInstanceID")


def test_no_more_than_ten_addresses_on_an_interface(dual_stack):
    s = dual_stack
    s.lab.assign_ipv6_addresses(s.web, ipv6_address_count=10)
    assert_unchanged(s.lab, lambda: s.lab.assign_ipv6_addresses(s.web, ipv6_address_count=1), "InvalidParameterValue")


def test_unassigned_addresses_return_to_the_subnet_and_are_handed_out_again(dual_stack):
    s = dual_stack
    first, second = s.lab.assign_ipv6_addresses(s.web, ipv6_address_count=2)
    assert s.lab.unassign_ipv6_addresses(s.web, [str(first)]) == [first]
    assert s.web.ipv6_addresses == [second] and first not in s.public.used_ipv6_addresses
    assert s.lab.assign_ipv6_addresses(s.web, ipv6_address_count=1) == [first]
    assert problems(s.lab) == []


def test_unassigning_an_address_the_instance_does_not_hold_is_refused_and_changes_nothing(dual_stack):
    s = dual_stack
    (mine,) = s.lab.assign_ipv6_addresses(s.web, ipv6_address_count=1)
    other = s.lab.run_instance(s.public, name="other", ipv6_address_count=1)
    theirs = str(other.ipv6_addresses[0])
    assert_unchanged(s.lab, lambda: s.lab.unassign_ipv6_addresses(s.web, [theirs]), "InvalidParameterValue")
    both = [str(mine), theirs]  # one bad address: none is taken back
    assert_unchanged(s.lab, lambda: s.lab.unassign_ipv6_addresses(s.web, both), "InvalidParameterValue")
    assert_unchanged(s.lab, lambda: s.lab.unassign_ipv6_addresses(s.web, []), "MissingParameter")
    assert_unchanged(s.lab, lambda: s.lab.unassign_ipv6_addresses(s.web, [str(mine)] * 2), "InvalidParameterValue")


def test_assigned_addresses_survive_save_and_load(dual_stack):
    s = dual_stack
    s.lab.assign_ipv6_addresses(s.web, ipv6_addresses=[str(s.public_v6.network_address + 0x42)])
    text = s.lab.to_json()
    loaded = vpclab.Lab.from_json(text)
    assert loaded.to_json() == text and problems(loaded) == []
    assert loaded.instances[s.web.id].ipv6_addresses == [IPv6Address(s.public_v6.network_address + 0x42)]


def test_undo_takes_an_assignment_back_and_keeps_the_learners_object(dual_stack):
    s = dual_stack
    snapshot = s.lab.to_json()
    s.lab.assign_ipv6_addresses(s.web, ipv6_address_count=1)
    s.lab.restore(snapshot)
    assert s.lab.instances[s.web.id] is s.web and s.web.ipv6_addresses == []
    assert s.public.used_ipv6_addresses == {} and problems(s.lab) == []


def test_both_verbs_are_recorded_and_a_replay_gives_the_same_addresses(dual_stack):
    s = dual_stack
    start = len(s.lab.history)
    s.lab.assign_ipv6_addresses(s.web, ipv6_address_count=2)
    s.lab.unassign_ipv6_addresses(s.web, [str(s.web.ipv6_addresses[0])])
    entries = s.lab.history[start:]
    assert [e["action"] for e in entries] == ["assign_ipv6_addresses", "unassign_ipv6_addresses"]
    again = vpclab.Lab()
    assert replay(again, s.lab.history) == []
    assert again.instances[s.web.id].ipv6_addresses == s.web.ipv6_addresses


def test_the_cli_command_names_the_instances_network_interface(dual_stack):
    s = dual_stack
    assign = aws_cli("assign_ipv6_addresses", s.web, ipv6_address_count=1)
    assert (
        assign
        == f"aws ec2 assign-ipv6-addresses --network-interface-id {s.web.network_interface_id} --ipv6-address-count 1"
    )
    unassign = aws_cli("unassign_ipv6_addresses", s.web, ["2406:da12::4"])
    assert unassign.endswith(f"--network-interface-id {s.web.network_interface_id} --ipv6-addresses 2406:da12::4")
    assert aws_cli("assign_ipv6_addresses", s.web.id, ipv6_address_count=1) is None  # an id alone names no interface
