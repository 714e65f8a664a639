"""The exporters carry IPv6-only subnets, DNS64 and the NAT64 route (fact sheet §12.1): Terraform
(``ipv6_native``, ``enable_dns64``, no ``cidr_block``), CloudFormation (``Ipv6Native``, ``EnableDns64``) and
the AWS CLI script (``--ipv6-native``, ``modify-subnet-attribute --enable-dns64``), each still valid."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from test_export import parse_hcl, parse_yaml

from vpclab.practice_labs import _l08_network


@pytest.fixture
def ipv6_only():
    """Lesson 08's network plus a NAT gateway in public-a and an IPv6-only subnet ``v6only-a`` (DNS64 on,
    its own table with 64:ff9b::/96 → the NAT gateway) holding ``updater``."""
    lab, r = _l08_network()
    vpc = r["vpc"]
    nat = lab.create_nat_gateway(r["public"], lab.allocate_address(name="nat-eip"), name="lab-nat")
    block = list(vpc.ipv6_cidr_blocks[0].subnets(new_prefix=64))[2]
    only = lab.create_subnet(vpc, ipv6_cidr=str(block), ipv6_native=True, name="v6only-a")
    lab.modify_subnet_attribute(only, enable_dns64=True)
    table = lab.create_route_table(vpc, name="v6only-rt")
    lab.create_route(table, "64:ff9b::/96", nat)
    lab.associate_route_table(table, only)
    updater = lab.run_instance(only, name="updater", security_groups=[r["worker_sg"]])
    return lab, dict(r, nat=nat, only=only, updater=updater)


def test_terraform_writes_an_ipv6_only_subnet_without_an_ipv4_block_and_with_dns64(ipv6_only):
    lab, _ = ipv6_only
    resources = parse_hcl(lab.to_terraform())["resource"]
    subnet = resources["aws_subnet"]["v6only_a"]
    assert "cidr_block" not in subnet and subnet["ipv6_native"] is True and subnet["enable_dns64"] is True
    assert "cidrsubnet(aws_vpc.lab_vpc.ipv6_cidr_block, 8, 2)" in subnet["ipv6_cidr_block"]
    assert subnet["assign_ipv6_address_on_creation"] is True
    assert "enable_dns64" not in resources["aws_subnet"]["public_a"]
    updater = resources["aws_instance"]["updater"]
    assert "private_ip" not in updater and updater["ipv6_address_count"] == 1
    routes = resources["aws_route"].values()
    assert any(x.get("destination_ipv6_cidr_block") == "64:ff9b::/96" and "nat_gateway_id" in x for x in routes)


def test_cloudformation_writes_ipv6_native_and_enable_dns64_and_passes_cfn_lint(ipv6_only):
    lab, _ = ipv6_only
    text = lab.to_cloudformation()
    resources = parse_yaml(text)["Resources"]
    subnet = next(b["Properties"] for b in resources.values() if b["Properties"].get("Ipv6Native"))
    assert "CidrBlock" not in subnet and subnet["EnableDns64"] is True
    instance = next(b for b in resources.values() if b["Type"] == "AWS::EC2::Instance" and "updater" in str(b))
    (interface,) = instance["Properties"]["NetworkInterfaces"]
    assert "PrivateIpAddress" not in interface and interface["Ipv6AddressCount"] == 1
    api = pytest.importorskip("cfnlint.api")
    matches = api.lint(text, config=api.ManualArgs(regions=[lab.region]))
    assert [f"{m.rule.id} {m.message}" for m in matches] == []


def test_cli_script_creates_the_ipv6_only_subnet_turns_dns64_on_and_passes_shellcheck(ipv6_only, tmp_path):
    lab, _ = ipv6_only
    script = lab.to_aws_cli()
    create = next(x for x in script.splitlines() if "--ipv6-native" in x)
    assert "create-subnet" in create and "--cidr-block" not in create
    assert '--ipv6-cidr-block "$(subnet64 "${LAB_VPC_IPV6}" 2)"' in create
    assert "--enable-dns64" in script and "--destination-ipv6-cidr-block 64:ff9b::/96" in script
    updater = next(x for x in script.splitlines() if "Value=updater" in x)
    assert "--private-ip-address" not in updater and "--ipv6-address-count 1" in updater
    if shutil.which("shellcheck") is None:
        pytest.fail("shellcheck is missing: scripts/dev.py test installs it (apt package shellcheck)")
    path = tmp_path / "lab.sh"
    path.write_text(script)
    result = subprocess.run(["shellcheck", "--severity=warning", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_the_console_history_of_an_ipv6_only_subnet_reads_as_its_cli_commands(ipv6_only):
    from vpclab.render.commands import aws_cli

    lab, _ = ipv6_only
    shown = [aws_cli(h["action"], *h["args"], **h["kwargs"]) for h in lab.history]
    create = next(c for c in shown if c and "--ipv6-native" in c)
    assert "--cidr-block" not in create and "--ipv6-cidr-block" in create
    assert any(c and c.endswith("--enable-dns64") for c in shown)
