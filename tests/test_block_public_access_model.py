"""VPC Block Public Access in the model: the Region's mode and its exclusions (fact sheet §14)."""

from __future__ import annotations

import json

import pytest
from conftest import assert_unchanged

import vpclab


def test_the_mode_is_off_until_changed_and_the_options_object_stays_live(lab):
    options = lab.block_public_access
    assert options.mode == "off"
    assert lab.modify_vpc_block_public_access_options("block-bidirectional") is options
    assert options.mode == "block-bidirectional"
    lab.modify_vpc_block_public_access_options("block-ingress")
    assert lab.describe_vpc_block_public_access_options().mode == "block-ingress"


@pytest.mark.parametrize("mode", ["on", "block-egress", None, True])
def test_an_unknown_mode_is_invalid_parameter_value(lab, mode):
    assert_unchanged(lab, lambda: lab.modify_vpc_block_public_access_options(mode), "InvalidParameterValue")


def test_exclusions_for_a_vpc_or_a_subnet_even_while_the_mode_is_off(public_web_vpc):
    s = public_web_vpc
    for_vpc = s.lab.create_vpc_block_public_access_exclusion(vpc=s.vpc, mode="allow-egress")
    for_subnet = s.lab.create_vpc_block_public_access_exclusion(subnet=s.public)
    assert for_vpc.id.startswith("vpcbpa-exclude-") and for_vpc.resource is s.vpc
    assert for_subnet.internet_gateway_exclusion_mode == "allow-bidirectional" and for_subnet.resource is s.public
    s.lab.modify_vpc_block_public_access_exclusion(for_vpc, "allow-bidirectional")
    assert for_vpc.mode.value == "allow-bidirectional"
    s.lab.delete_vpc_block_public_access_exclusion(for_vpc)
    assert list(s.lab.block_public_access_exclusions) == [for_subnet.id]


@pytest.mark.parametrize(
    ("which", "code"),
    [
        ("neither", "MissingParameter"),
        ("both", "InvalidParameterCombination"),
        ("bad_mode", "InvalidParameterValue"),
        ("unknown_vpc", "InvalidVpcID.NotFound"),
        ("twice", "InvalidParameterValue"),
    ],
)
def test_bad_exclusions_are_refused(public_web_vpc, which, code):
    s = public_web_vpc
    s.lab.create_vpc_block_public_access_exclusion(subnet=s.public)
    kwargs = {
        "neither": {},
        "both": {"vpc": s.vpc, "subnet": s.public},
        "bad_mode": {"vpc": s.vpc, "mode": "allow-ingress"},
        "unknown_vpc": {"vpc": "vpc-0123456789abcdef0"},
        "twice": {"subnet": s.public.id},
    }[which]
    assert_unchanged(s.lab, lambda: s.lab.create_vpc_block_public_access_exclusion(**kwargs), code)


def test_an_unknown_exclusion_is_not_found(lab):
    assert_unchanged(
        lab,
        lambda: lab.delete_vpc_block_public_access_exclusion("vpcbpa-exclude-0123456789abcdef0"),
        "InvalidVpcBlockPublicAccessExclusionId.NotFound",
    )


def test_fifty_exclusions_then_the_limit(lab):
    vpcs = [lab.create_vpc(f"10.{n}.0.0/16") for n in range(5)]
    subnets = [lab.create_subnet(v, f"10.{n}.{k}.0/24") for n, v in enumerate(vpcs) for k in range(11)]
    for subnet in subnets[:50]:
        lab.create_vpc_block_public_access_exclusion(subnet=subnet)
    assert_unchanged(
        lab, lambda: lab.create_vpc_block_public_access_exclusion(subnet=subnets[50]), "ExclusionLimitExceeded"
    )


def test_an_excluded_subnet_or_vpc_cannot_be_deleted_until_its_exclusion_is(public_web_vpc):
    s = public_web_vpc
    spare = s.lab.create_subnet(s.vpc, "10.0.7.0/24")
    exclusion = s.lab.create_vpc_block_public_access_exclusion(subnet=spare)
    assert_unchanged(s.lab, lambda: s.lab.delete_subnet(spare), "DependencyViolation")
    s.lab.delete_vpc_block_public_access_exclusion(exclusion)
    s.lab.delete_subnet(spare)


def test_mode_and_exclusions_survive_save_load_and_undo(public_web_vpc):
    s = public_web_vpc
    s.lab.modify_vpc_block_public_access_options("block-bidirectional")
    exclusion = s.lab.create_vpc_block_public_access_exclusion(subnet=s.public, mode="allow-egress")
    text = s.lab.to_json()
    loaded = vpclab.Lab.from_json(text)
    assert loaded.to_json() == text and loaded.block_public_access.mode == "block-bidirectional"
    s.lab.modify_vpc_block_public_access_options("off")
    s.lab.delete_vpc_block_public_access_exclusion(exclusion)
    options = s.lab.block_public_access
    s.lab.restore(text)
    assert s.lab.block_public_access is options and options.mode == "block-bidirectional"
    assert s.lab.block_public_access_exclusions[exclusion.id] is exclusion


def test_a_file_with_an_exclusion_of_a_missing_subnet_is_refused(public_web_vpc):
    s = public_web_vpc
    s.lab.create_vpc_block_public_access_exclusion(subnet=s.public)
    data = json.loads(s.lab.to_json())
    data["block_public_access_exclusions"][0]["subnet"] = "subnet-0123456789abcdef0"
    with pytest.raises(vpclab.LabFileError) as caught:
        vpclab.Lab.from_json(json.dumps(data))
    assert caught.value.field == "block_public_access_exclusions[0].subnet"
