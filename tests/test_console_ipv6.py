"""The console's IPv6 and Block Public Access tools, headless: set the controls, click, and check the lab,
the code shown (vpclab and AWS CLI) and undo (fact sheet §12-§14)."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

import vpclab
from vpclab.model.i18n import tr
from vpclab.render.commands import aws_cli


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def click(console, tool: str, key: str) -> None:
    text = tr(key, console.lang)
    found = [w for w in _walk(console.panels[tool].box) if isinstance(w, widgets.Button) and w.description == text]
    assert len(found) == 1, f"{len(found)} buttons {text!r} in {tool}"
    found[0].click()


@pytest.fixture
def classroom():
    return vpclab.scenarios.classroom(nat=False)


def test_the_ipv6_tool_gives_the_vpc_its_block_a_subnet_the_next_free_64_and_auto_assignment(classroom):
    s = classroom
    console = vpclab.Console(s.lab, tools=["ipv6", "instance"])
    panel = console.panels["ipv6"]
    click(console, "ipv6", "console.add_ipv6_block")
    block = s.vpc.ipv6_cidr_blocks[0]
    assert "--amazon-provided-ipv6-cidr-block" in console.code.value
    panel.subnet.value = s.public.id
    offered = panel.ipv6_cidr.value
    assert offered == str(next(block.subnets(new_prefix=64)))
    click(console, "ipv6", "console.associate_ipv6")
    assert str(s.public.ipv6_cidr_block) == offered and panel.ipv6_cidr.value != offered  # the next one offered
    click(console, "ipv6", "console.auto_ipv6")
    assert s.public.assign_ipv6_address_on_creation
    assert "--assign-ipv6-address-on-creation" in console.code.value
    console.panels["instance"].subnet.value = s.public.id
    click(console, "instance", "console.launch")
    launched = list(s.lab.instances.values())[-1]
    assert launched.ipv6_addresses and launched.ipv6_addresses[0] in s.public.ipv6_cidr_block


def test_the_ipv6_tool_gives_a_running_instance_an_address_and_takes_it_back_and_undo_restores_it(classroom):
    s = classroom
    console = vpclab.Console(s.lab, tools=["ipv6"])
    panel = console.panels["ipv6"]
    click(console, "ipv6", "console.add_ipv6_block")
    panel.subnet.value = s.public.id
    click(console, "ipv6", "console.associate_ipv6")
    panel.instance.value = s.web.id
    click(console, "ipv6", "console.assign_ipv6")
    (address,) = s.web.ipv6_addresses
    assert address in s.public.ipv6_cidr_block
    assert f"assign-ipv6-addresses --network-interface-id {s.web.network_interface_id}" in console.code.value
    click(console, "ipv6", "console.unassign_ipv6")
    assert s.web.ipv6_addresses == [] and "unassign-ipv6-addresses" in console.code.value
    console.undo()
    assert s.web.ipv6_addresses == [address]


def test_a_subnet_ipv6_block_outside_the_vpc_is_refused_with_its_aws_code_and_changes_nothing(classroom):
    s = classroom
    console = vpclab.Console(s.lab, tools=["ipv6"])
    click(console, "ipv6", "console.add_ipv6_block")
    before = s.lab.to_json()
    panel = console.panels["ipv6"]
    panel.subnet.value, panel.ipv6_cidr.value = s.public.id, "2001:db8::/64"
    click(console, "ipv6", "console.associate_ipv6")
    assert "InvalidSubnet.Range" in console.message.value and s.lab.to_json() == before


def test_the_ipv6_tool_creates_and_deletes_the_egress_only_gateway_and_undo_brings_it_back(classroom):
    s = classroom
    console = vpclab.Console(s.lab, tools=["ipv6"])
    click(console, "ipv6", "console.create_eigw")
    (gateway,) = s.lab.egress_only_internet_gateways.values()
    assert console.panels["ipv6"].gateway.value == gateway.id
    assert "aws ec2 create-egress-only-internet-gateway --vpc-id " + s.vpc.id in console.code.value
    click(console, "ipv6", "console.create_eigw")  # one per VPC
    assert "InvalidParameterValue" in console.message.value and len(s.lab.egress_only_internet_gateways) == 1
    click(console, "ipv6", "console.delete_eigw")
    assert not s.lab.egress_only_internet_gateways
    console.undo_button.click()
    assert list(s.lab.egress_only_internet_gateways) == [gateway.id]


def test_the_block_public_access_tool_sets_the_mode_and_an_exclusion_and_the_tester_sees_both(classroom):
    s = classroom
    console = vpclab.Console(s.lab, tools=["block_public_access", "tester"])
    panel = console.panels["block_public_access"]
    panel.mode.value = "block-bidirectional"
    click(console, "block_public_access", "console.set_bpa_mode")
    assert "--internet-gateway-block-mode block-bidirectional" in console.code.value
    assert s.lab.analyze("internet", s.web, port=80).code == "VPC_BLOCK_PUBLIC_ACCESS_ENABLED"
    panel.target.value, panel.exclusion_mode.value = s.public.id, "allow-bidirectional"
    click(console, "block_public_access", "console.create_exclusion")
    (exclusion,) = s.lab.block_public_access_exclusions.values()
    assert exclusion.subnet is s.public and s.lab.analyze("internet", s.web, port=80).reachable
    assert f"--subnet-id {s.public.id} --internet-gateway-exclusion-mode allow-bidirectional" in console.code.value
    click(console, "block_public_access", "console.create_exclusion")  # a second one for the same subnet
    assert "InvalidParameterValue" in console.message.value and len(s.lab.block_public_access_exclusions) == 1
    click(console, "block_public_access", "console.delete_exclusion")
    assert not s.lab.block_public_access_exclusions
    console.undo_button.click()
    console.undo_button.click()
    assert not s.lab.block_public_access_exclusions and panel.mode.value == "block-bidirectional"
    console.undo_button.click()
    assert s.lab.block_public_access.internet_gateway_block_mode.value == "off" and panel.mode.value == "off"


def test_a_vpc_exclusion_is_made_with_the_vpc_id_option(classroom):
    s = classroom
    console = vpclab.Console(s.lab, tools=["block_public_access"])
    console.panels["block_public_access"].target.value = s.vpc.id
    click(console, "block_public_access", "console.create_exclusion")
    (exclusion,) = s.lab.block_public_access_exclusions.values()
    assert exclusion.vpc is s.vpc and f"--vpc-id {s.vpc.id}" in console.code.value


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (("create_route", "rtb-1", "::/0", "eigw-2"),
         "create-route --route-table-id rtb-1 --destination-ipv6-cidr-block ::/0"
         " --egress-only-internet-gateway-id eigw-2"),
        (("delete_route", "rtb-1", "::/0"), "delete-route --route-table-id rtb-1 --destination-ipv6-cidr-block ::/0"),
        (("delete_route", "rtb-1", "0.0.0.0/0"),
         "delete-route --route-table-id rtb-1 --destination-cidr-block 0.0.0.0/0"),
        (("associate_subnet_cidr_block", "subnet-1", "2406:da12::/64"),
         "associate-subnet-cidr-block --subnet-id subnet-1 --ipv6-cidr-block 2406:da12::/64"),
        (("delete_vpc_block_public_access_exclusion", "vpcbpa-exclude-1"),
         "delete-vpc-block-public-access-exclusion --exclusion-id vpcbpa-exclude-1"),
    ],
)  # fmt: skip
def test_aws_cli_spells_the_ipv6_verbs_with_their_own_options(call, expected):
    assert aws_cli(*call) == "aws ec2 " + expected


def test_an_ipv6_security_group_rule_is_spelled_with_ipv6_ranges():
    line = aws_cli("authorize_security_group_ingress", "sg-1", "tcp", 443, cidr="::/0")
    assert "Ipv6Ranges=[{CidrIpv6=::/0}]" in line and "IpRanges" not in line
