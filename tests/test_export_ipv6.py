"""The exporters carry IPv6, the egress-only gateway and VPC Block Public Access (fact sheet §12-§14):
Terraform, CloudFormation and the AWS CLI script each create them, carve each subnet's /64 from the
block the real VPC receives (never the lab's own /56), and write no rule AWS adds by itself."""

from __future__ import annotations

import ipaddress
import re
import shutil
import subprocess

import pytest
from test_export import parse_hcl, parse_yaml

from vpclab.practice_labs import _l08_network

HEXTET_BLOCK = re.compile(r"2406:da1[0-9a-f]:")  # the lab's Amazon ranges for Seoul must not leak out


@pytest.fixture
def dual_stack():
    """Lesson 08's network, with web's subnet auto-assigning IPv6, Block Public Access on in block-ingress
    mode and web's subnet excluded from it."""
    lab, r = _l08_network()
    lab.modify_subnet_attribute(r["public"], assign_ipv6_address_on_creation=True)
    lab.modify_vpc_block_public_access_options("block-ingress")
    r["exclusion"] = lab.create_vpc_block_public_access_exclusion(subnet=r["public"], mode="allow-bidirectional")
    return lab, r


def test_terraform_requests_an_amazon_block_and_carves_each_subnet_64_from_it(dual_stack):
    lab, _r = dual_stack
    text = lab.to_terraform()
    resources = parse_hcl(text)["resource"]
    assert resources["aws_vpc"]["lab_vpc"]["assign_generated_ipv6_cidr_block"] is True
    public, private = resources["aws_subnet"]["public_a"], resources["aws_subnet"]["private_a"]
    assert "cidrsubnet(aws_vpc.lab_vpc.ipv6_cidr_block, 8, 0)" in public["ipv6_cidr_block"]
    assert "cidrsubnet(aws_vpc.lab_vpc.ipv6_cidr_block, 8, 1)" in private["ipv6_cidr_block"]
    assert public["assign_ipv6_address_on_creation"] is True and private["assign_ipv6_address_on_creation"] is False
    assert not HEXTET_BLOCK.search(text)


def test_terraform_writes_the_egress_only_gateway_its_route_the_ipv6_rules_and_addresses(dual_stack):
    lab, _r = dual_stack
    resources = parse_hcl(lab.to_terraform())["resource"]
    assert "aws_vpc.lab_vpc.id" in resources["aws_egress_only_internet_gateway"]["lab_eigw"]["vpc_id"]
    routes = list(resources["aws_route"].values())
    to_eigw = [x for x in routes if "egress_only_gateway_id" in x]
    assert [x["destination_ipv6_cidr_block"] for x in to_eigw] == ["::/0"]
    assert "aws_egress_only_internet_gateway.lab_eigw.id" in to_eigw[0]["egress_only_gateway_id"]
    assert any(x.get("destination_ipv6_cidr_block") == "::/0" and "gateway_id" in x for x in routes)
    ingress = resources["aws_vpc_security_group_ingress_rule"].values()
    assert sorted(x["from_port"] for x in ingress if x.get("cidr_ipv6") == "::/0") == [80, 443]
    instances = resources["aws_instance"]
    assert instances["web"]["ipv6_address_count"] == 1 and instances["worker"]["ipv6_address_count"] == 1


def test_terraform_sets_block_public_access_and_its_exclusion(dual_stack):
    lab, _r = dual_stack
    resources = parse_hcl(lab.to_terraform())["resource"]
    (options,) = resources["aws_vpc_block_public_access_options"].values()
    assert options["internet_gateway_block_mode"] == "block-ingress"
    (exclusion,) = resources["aws_vpc_block_public_access_exclusion"].values()
    assert "aws_subnet.public_a.id" in exclusion["subnet_id"]
    assert exclusion["internet_gateway_exclusion_mode"] == "allow-bidirectional"


def test_block_public_access_off_writes_no_options_resource_since_off_is_the_default(dual_stack):
    lab, _r = dual_stack
    lab.modify_vpc_block_public_access_options("off")
    assert "aws_vpc_block_public_access_options" not in lab.to_terraform()
    assert "VPCBlockPublicAccessOptions" not in lab.to_cloudformation()
    assert "modify-vpc-block-public-access-options" not in lab.to_aws_cli()


def test_defaults_aws_makes_for_ipv6_are_not_written_again(dual_stack):
    lab, r = dual_stack
    resources = parse_hcl(lab.to_terraform())["resource"]
    # the default group's "all out to ::/0" and the default ACL's rule 101 come with the IPv6 block
    assert "aws_default_security_group" not in resources and "aws_default_network_acl" not in resources
    script = lab.to_aws_cli()
    default_sg = [line for line in script.splitlines() if "LAB_VPC_DEFAULT_SG}" in line and "egress" in line]
    assert default_sg == [] and "--rule-number 101" not in script
    lab.delete_network_acl_entry(lab.default_network_acl(r["vpc"]), 101, False)  # a change is written
    assert "delete-network-acl-entry" in lab.to_aws_cli()


def test_cloudformation_carries_ipv6_and_block_public_access_and_passes_cfn_lint(dual_stack):
    lab, _r = dual_stack
    text = lab.to_cloudformation()
    resources = parse_yaml(text)["Resources"]
    kinds = {body["Type"] for body in resources.values()}
    assert {
        "AWS::EC2::EgressOnlyInternetGateway",
        "AWS::EC2::VPCBlockPublicAccessOptions",
        "AWS::EC2::VPCBlockPublicAccessExclusion",
    } <= kinds
    block = next(b for b in resources.values() if b["Properties"].get("AmazonProvidedIpv6CidrBlock"))
    assert block["Type"] == "AWS::EC2::VPCCidrBlock"
    subnets = [b for b in resources.values() if b["Type"] == "AWS::EC2::Subnet"]
    assert all("Ipv6CidrBlock" in s["Properties"] for s in subnets) and not HEXTET_BLOCK.search(text)
    routes = [b["Properties"] for b in resources.values() if b["Type"] == "AWS::EC2::Route"]
    assert any("EgressOnlyInternetGatewayId" in x and x["DestinationIpv6CidrBlock"] == "::/0" for x in routes)
    api = pytest.importorskip("cfnlint.api")
    matches = api.lint(text, config=api.ManualArgs(regions=[lab.region]))
    assert [f"{m.rule.id} {m.message}" for m in matches] == []


def test_cli_script_requests_the_block_waits_for_it_and_carves_the_same_64s(dual_stack):
    lab, _r = dual_stack
    script = lab.to_aws_cli()
    assert "--amazon-provided-ipv6-cidr-block" in script and "LAB_VPC_IPV6=$(" in script
    assert '--ipv6-cidr-block "$(subnet64 "${LAB_VPC_IPV6}" 1)"' in script and not HEXTET_BLOCK.search(script)
    assert '--egress-only-internet-gateway-id "${LAB_EIGW}"' in script and "--ipv6-address-count 1" in script
    lines = script.splitlines()
    exclusion = next(i for i, line in enumerate(lines) if "create-vpc-block-public-access-exclusion" in line)
    mode = next(i for i, line in enumerate(lines) if "modify-vpc-block-public-access-options" in line)
    assert exclusion < mode  # nothing excluded is ever cut off while the script runs
    # the helper, run by bash on a block AWS could hand out: the N-th /64, as Python counts it
    helper = "\n".join(lines[lines.index(next(x for x in lines if x.startswith("subnet64()"))) :][:3])
    for block, number in (("2600:1f18:7cb4:2e00::/56", 1), ("2406:da12:199::/56", 255), ("2406:da12:1:ab00::/56", 7)):
        out = subprocess.run(["bash", "-c", f"{helper}\nsubnet64 {block} {number}"], capture_output=True, text=True)
        expected = list(ipaddress.IPv6Network(block).subnets(new_prefix=64))[number]
        assert ipaddress.IPv6Network(out.stdout) == expected, out.stderr


def test_cli_script_with_ipv6_passes_shellcheck(dual_stack, tmp_path):
    if shutil.which("shellcheck") is None:
        pytest.fail("shellcheck is missing: scripts/dev.py test installs it (apt package shellcheck)")
    path = tmp_path / "lab.sh"
    path.write_text(dual_stack[0].to_aws_cli())
    result = subprocess.run(["shellcheck", "--severity=warning", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_a_deleted_egress_only_gateway_leaves_its_route_out_as_a_blackhole(dual_stack):
    lab, r = dual_stack
    lab.delete_egress_only_internet_gateway(r["eigw"])
    text = lab.to_terraform()
    assert "aws_egress_only_internet_gateway" not in text and "Left out: route ::/0" in text
