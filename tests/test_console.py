"""The interactive console, headless: set control values, click buttons, and check the lab's state,
the diagram, the exposure table, the messages and the code shown — in both languages.

Buttons are found by the text a learner reads on them (the catalog text in the console's language),
so these tests also check that every button is labelled.
"""

from __future__ import annotations

import json
import re
from html import escape, unescape

import ipywidgets as widgets
import pytest

import vpclab
from vpclab.model.i18n import tr
from vpclab.render.commands import aws_cli, python_call

PRE = re.compile(r"<pre>(.*?)</pre>", re.S)


# ---- helpers ----------------------------------------------------------------------------------------
def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def button(console, tool: str, key: str) -> widgets.Button:
    """The one button of ``tool``'s tab labelled with catalog text ``key`` in the console's language."""
    text = tr(key, console.lang)
    found = [w for w in walk(console.panels[tool].box) if isinstance(w, widgets.Button) and w.description == text]
    assert len(found) == 1, f"{len(found)} buttons {text!r} in {tool}"
    return found[0]


def click(console, tool: str, key: str) -> None:
    button(console, tool, key).click()


def code(console) -> tuple[str, str | None]:
    """The vpclab call and the AWS CLI command the console shows (unescaped)."""
    blocks = [unescape(b) for b in PRE.findall(console.code.value)]
    return blocks[0], (blocks[1] if len(blocks) > 1 else None)


def message(console) -> str:
    return unescape(console.message.value)


def state(lab) -> dict:
    """The lab's saved state without its history (undo restores the state, the history goes on)."""
    data = json.loads(lab.to_json())
    data.pop("history", None)
    return data


def assert_done(console):
    assert "✔" in console.message.value and 'role="status"' in console.message.value, message(console)


def assert_refused(console, lab, before: str, history_length: int, call, expected_code: str):
    """The console shows ``expected_code`` and the lab's own bilingual messages for it; nothing changed."""
    shown = console.message.value
    assert 'role="alert"' in shown and "✘" in shown and escape(expected_code) in shown, message(console)
    assert lab.to_json() == before
    assert len(lab.history) == history_length
    if call is not None:  # the same call made directly: the console shows the lab's own texts
        with pytest.raises(vpclab.VpcLabError) as caught:
            call()
        assert caught.value.code == expected_code
        assert escape(caught.value.message("en")) in shown and escape(caught.value.message("ko")) in shown


def diagram(console) -> str:
    return unescape(console.diagram.dot)


@pytest.fixture
def classroom(private_app_behind_nat):
    """The classroom network (``private_app_behind_nat``) and a console on it."""
    s = private_app_behind_nat
    s.console = vpclab.Console(s.lab)
    return s


# ---- construction -----------------------------------------------------------------------------------
def test_a_console_shows_every_tool_the_live_diagram_and_the_exposure_table(classroom):
    c = classroom.console
    assert list(c.panels) == list(vpclab.widgets.console.TOOLS)
    assert len(c.tabs.children) == len(c.panels)
    assert c.diagram.dot.startswith("digraph") and classroom.web.id in c.diagram.reading
    assert classroom.web.id in diagram(c)
    assert classroom.web.id in unescape(c.exposure_table.value) and "<table" in c.exposure_table.value
    assert classroom.web.id in unescape(c.text_alternative.value)


def test_the_console_restricted_to_some_tools_shows_only_those_tabs(classroom):
    c = vpclab.Console(classroom.lab, tools=["internet_gateway", "tester"])
    assert list(c.panels) == ["internet_gateway", "tester"]
    assert len(c.tabs.children) == 2
    assert c.tabs.titles == (tr("console.tool.internet_gateway", "en"), tr("console.tool.tester", "en"))


def test_an_unknown_tool_name_is_refused_with_invalid_parameter_value(classroom):
    with pytest.raises(vpclab.VpcLabError) as caught:
        vpclab.Console(classroom.lab, tools=["internet_gateway", "firewall"])
    assert caught.value.code == "InvalidParameterValue"
    assert "firewall" in caught.value.message("en") and "firewall" in caught.value.message("ko")


# ---- internet gateways ------------------------------------------------------------------------------
def test_create_attach_detach_and_delete_an_internet_gateway(vpc_lab):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    c = vpclab.Console(lab)
    panel = c.panels["internet_gateway"]
    assert panel.gateway.value is None and panel.vpc.value == vpc.id

    click(c, "internet_gateway", "console.create_gateway")
    assert_done(c)
    (igw,) = lab.internet_gateways.values()
    assert igw.vpc is None and panel.gateway.value == igw.id
    assert code(c) == ("lab.create_internet_gateway()", "aws ec2 create-internet-gateway")
    assert igw.id in diagram(c) and "detached" in diagram(c)

    click(c, "internet_gateway", "console.attach")
    assert_done(c)
    assert igw.vpc is vpc and vpc.internet_gateway is igw
    assert code(c) == (
        f"lab.attach_internet_gateway('{igw.id}', '{vpc.id}')",
        f"aws ec2 attach-internet-gateway --internet-gateway-id {igw.id} --vpc-id {vpc.id}",
    )
    assert f"attached to {vpc.id}" in diagram(c)

    click(c, "internet_gateway", "console.detach")
    assert_done(c)
    assert igw.vpc is None
    assert code(c)[1] == f"aws ec2 detach-internet-gateway --internet-gateway-id {igw.id} --vpc-id {vpc.id}"

    click(c, "internet_gateway", "console.delete")
    assert_done(c)
    assert lab.internet_gateways == {} and panel.gateway.value is None and panel.gateway.options == ()
    assert code(c)[1] == f"aws ec2 delete-internet-gateway --internet-gateway-id {igw.id}"
    assert [e["action"] for e in lab.history[-4:]] == [
        "create_internet_gateway",
        "attach_internet_gateway",
        "detach_internet_gateway",
        "delete_internet_gateway",
    ]


def test_detaching_the_gateway_updates_the_diagram_and_the_exposure_table_at_once(classroom):
    s, c = classroom, classroom.console
    panel = c.panels["internet_gateway"]
    panel.gateway.value, panel.vpc.value = s.igw.id, s.vpc.id
    before, length = s.lab.to_json(), len(s.lab.history)
    click(c, "internet_gateway", "console.detach")  # mapped public addresses: AWS refuses
    assert_refused(c, s.lab, before, length, lambda: s.lab.detach_internet_gateway(s.igw, s.vpc), "DependencyViolation")
    assert "✔ tcp 80" in diagram(c)

    s.lab.disassociate_address(s.eip)
    s.lab.delete_nat_gateway(s.nat)
    c.refresh()
    click(c, "internet_gateway", "console.detach")
    assert_done(c)
    assert s.igw.vpc is None
    report = s.lab.exposure()
    assert "✔ tcp 80" not in diagram(c) and "detached" in diagram(c)
    assert escape(report[s.web].inbound_code) in c.exposure_table.value
    assert "via igw" not in unescape(c.exposure_table.value) and "via nat" not in unescape(c.exposure_table.value)


def test_a_refused_attach_shows_the_aws_code_and_both_messages_and_changes_nothing(classroom):
    s, c = classroom, classroom.console
    spare = s.lab.create_internet_gateway(name="spare")
    c.refresh()
    panel = c.panels["internet_gateway"]
    panel.gateway.value, panel.vpc.value = spare.id, s.vpc.id
    before, length = s.lab.to_json(), len(s.lab.history)
    click(c, "internet_gateway", "console.attach")
    assert_refused(
        c, s.lab, before, length, lambda: s.lab.attach_internet_gateway(spare, s.vpc), "InvalidParameterValue"
    )
    # the code is still shown, so the learner sees what was tried
    assert code(c)[0] == f"lab.attach_internet_gateway('{spare.id}', '{s.vpc.id}')"


def test_deleting_an_attached_gateway_is_refused_with_dependency_violation(classroom):
    s, c = classroom, classroom.console
    c.panels["internet_gateway"].gateway.value = s.igw.id
    before, length = s.lab.to_json(), len(s.lab.history)
    click(c, "internet_gateway", "console.delete")
    assert_refused(c, s.lab, before, length, lambda: s.lab.delete_internet_gateway(s.igw), "DependencyViolation")


# ---- route tables -----------------------------------------------------------------------------------
def test_create_a_route_table_and_add_replace_and_delete_the_default_route(classroom):
    s, c = classroom, classroom.console
    panel = c.panels["route_table"]
    assert panel.destination.value == "0.0.0.0/0", "the destination defaults to the default route"
    assert [v for _, v in panel.target.options] == [s.igw.id, s.nat.id, s.web.id, s.app.id]

    panel.vpc.value = s.vpc.id
    click(c, "route_table", "console.create_route_table")
    assert_done(c)
    table = list(s.lab.route_tables.values())[-1]
    assert table.vpc is s.vpc and code(c) == (
        f"lab.create_route_table('{s.vpc.id}')",
        f"aws ec2 create-route-table --vpc-id {s.vpc.id}",
    )

    panel.table.value, panel.target.value = table.id, s.nat.id
    click(c, "route_table", "console.add_route")
    assert_done(c)
    assert table.lookup("198.51.100.1").target is s.nat
    assert code(c)[1] == (
        f"aws ec2 create-route --route-table-id {table.id} --destination-cidr-block 0.0.0.0/0 "
        f"--nat-gateway-id {s.nat.id}"
    )

    panel.target.value = s.igw.id
    click(c, "route_table", "console.replace_route")
    assert_done(c)
    assert table.lookup("198.51.100.1").target is s.igw
    assert code(c)[1] == (
        f"aws ec2 replace-route --route-table-id {table.id} --destination-cidr-block 0.0.0.0/0 --gateway-id {s.igw.id}"
    )

    click(c, "route_table", "console.delete_route")
    assert_done(c)
    assert table.lookup("198.51.100.1") is None
    assert code(c) == (
        f"lab.delete_route('{table.id}', '0.0.0.0/0')",
        f"aws ec2 delete-route --route-table-id {table.id} --destination-cidr-block 0.0.0.0/0",
    )


def test_a_route_to_another_destination_and_to_an_instance(classroom):
    s, c = classroom, classroom.console
    panel = c.panels["route_table"]
    panel.table.value, panel.destination.value, panel.target.value = s.private_rt.id, "192.168.0.0/16", s.web.id
    click(c, "route_table", "console.add_route")
    assert_done(c)
    assert s.private_rt.lookup("192.168.1.1").target is s.web
    assert code(c)[1].endswith(f"--destination-cidr-block 192.168.0.0/16 --instance-id {s.web.id}")
    panel.destination.value = "not-a-cidr"
    before, length = s.lab.to_json(), len(s.lab.history)
    click(c, "route_table", "console.add_route")
    assert_refused(
        c, s.lab, before, length, lambda: s.lab.create_route(s.private_rt, "not-a-cidr", s.web), "InvalidParameterValue"
    )


def test_disassociate_and_associate_a_subnet(classroom):
    s, c = classroom, classroom.console
    panel = c.panels["route_table"]
    panel.subnet.value = s.private.id
    association = s.private.route_table_association.id
    click(c, "route_table", "console.disassociate")
    assert_done(c)
    assert s.lab.route_table_of(s.private) is s.vpc.main_route_table
    assert code(c) == (
        f"lab.disassociate_route_table('{association}')",
        f"aws ec2 disassociate-route-table --association-id {association}",
    )

    panel.table.value = s.public_rt.id
    click(c, "route_table", "console.associate")
    assert_done(c)
    assert s.lab.route_table_of(s.private) is s.public_rt
    assert "10.0.2.0/24 · public subnet" in diagram(c)
    assert code(c)[1] == f"aws ec2 associate-route-table --route-table-id {s.public_rt.id} --subnet-id {s.private.id}"

    before, length = s.lab.to_json(), len(s.lab.history)
    panel.table.value = s.private_rt.id
    click(c, "route_table", "console.associate")  # already associated: AWS wants a replace
    assert_refused(
        c,
        s.lab,
        before,
        length,
        lambda: s.lab.associate_route_table(s.private_rt, s.private),
        "Resource.AlreadyAssociated",
    )


# ---- Elastic IPs -------------------------------------------------------------------------------------
def test_allocate_associate_disassociate_and_release_an_elastic_ip(classroom):
    s, c = classroom, classroom.console
    panel = c.panels["elastic_ip"]
    click(c, "elastic_ip", "console.allocate")
    assert_done(c)
    eip = list(s.lab.elastic_ips.values())[-1]
    assert code(c) == ("lab.allocate_address()", "aws ec2 allocate-address --domain vpc")
    assert "still billed" in diagram(c) and str(eip.public_ip) in diagram(c)

    panel.address.value, panel.instance.value = eip.id, s.app.id
    click(c, "elastic_ip", "console.associate")
    assert_done(c)
    assert s.app.public_ip == eip.public_ip and eip.instance is s.app
    assert code(c)[1] == f"aws ec2 associate-address --allocation-id {eip.id} --instance-id {s.app.id}"
    assert f"Elastic IP {eip.public_ip}" in diagram(c)

    association = eip.association_id
    click(c, "elastic_ip", "console.disassociate")
    assert_done(c)
    assert s.app.public_ip is None and not eip.associated
    assert code(c) == (
        f"lab.disassociate_address('{association}')",
        f"aws ec2 disassociate-address --association-id {association}",
    )

    click(c, "elastic_ip", "console.release")
    assert_done(c)
    assert eip.id not in s.lab.elastic_ips
    assert code(c)[1] == f"aws ec2 release-address --allocation-id {eip.id}"
    assert str(eip.public_ip) not in diagram(c)


def test_moving_an_elastic_ip_needs_the_reassociation_checkbox(classroom):
    s, c = classroom, classroom.console
    panel = c.panels["elastic_ip"]
    panel.address.value, panel.instance.value = s.eip.id, s.app.id
    assert panel.reassociate.value is False
    before, length = s.lab.to_json(), len(s.lab.history)
    click(c, "elastic_ip", "console.associate")
    assert_refused(
        c, s.lab, before, length, lambda: s.lab.associate_address(s.eip, s.app), "Resource.AlreadyAssociated"
    )
    assert s.web.public_ip == s.eip.public_ip

    panel.reassociate.value = True
    click(c, "elastic_ip", "console.associate")
    assert_done(c)
    assert s.app.public_ip == s.eip.public_ip and s.web.public_ip is None
    assert code(c) == (
        f"lab.associate_address('{s.eip.id}', '{s.app.id}', allow_reassociation=True)",
        f"aws ec2 associate-address --allocation-id {s.eip.id} --instance-id {s.app.id} --allow-reassociation",
    )


def test_releasing_an_elastic_ip_in_use_is_refused(classroom):
    s, c = classroom, classroom.console
    c.panels["elastic_ip"].address.value = s.eip.id
    before, length = s.lab.to_json(), len(s.lab.history)
    click(c, "elastic_ip", "console.release")
    assert_refused(c, s.lab, before, length, lambda: s.lab.release_address(s.eip), "InvalidIPAddress.InUse")


# ---- instances -----------------------------------------------------------------------------------------
def test_launch_instances_with_and_without_a_public_ip(classroom):
    s, c = classroom, classroom.console
    panel = c.panels["instance"]
    assert panel.public.value is None, "by default the subnet decides"
    panel.subnet.value, panel.name.value, panel.public.value = s.public.id, "blog", True
    click(c, "instance", "console.launch")
    assert_done(c)
    blog = list(s.lab.instances.values())[-1]
    assert blog.name == "blog" and blog.subnet is s.public and blog.public_ip is not None
    assert code(c)[0] == f"lab.run_instance('{s.public.id}', name='blog', associate_public_ip=True)"
    assert "--associate-public-ip-address" in code(c)[1] and f"--subnet-id {s.public.id}" in code(c)[1]
    assert "Value=blog" in code(c)[1]
    assert f"Public IP {blog.public_ip}" in diagram(c)

    panel.name.value, panel.public.value = "", False
    click(c, "instance", "console.launch")
    quiet = list(s.lab.instances.values())[-1]
    assert quiet.public_ip is None and quiet.name is None
    assert code(c)[0] == f"lab.run_instance('{s.public.id}', associate_public_ip=False)"
    assert "--no-associate-public-ip-address" in code(c)[1]

    panel.public.value = None  # the subnet does not map public IPs on launch
    click(c, "instance", "console.launch")
    assert list(s.lab.instances.values())[-1].public_ip is None
    assert "associate-public-ip" not in code(c)[1]


def test_stop_start_and_terminate_an_instance(classroom):
    s, c = classroom, classroom.console
    panel = c.panels["instance"]
    panel.instance.value = s.app.id
    click(c, "instance", "console.stop")
    assert_done(c)
    assert s.app.state.value == "stopped" and code(c)[1] == f"aws ec2 stop-instances --instance-ids {s.app.id}"
    assert "stopped" in diagram(c)
    click(c, "instance", "console.start")
    assert s.app.state.value == "running" and code(c)[1] == f"aws ec2 start-instances --instance-ids {s.app.id}"
    click(c, "instance", "console.terminate")
    assert_done(c)
    assert s.app.state.value == "terminated"
    assert code(c)[1] == f"aws ec2 terminate-instances --instance-ids {s.app.id}"
    for tool in ("instance", "elastic_ip", "tester"):
        for control in walk(c.panels[tool].box):
            if isinstance(control, widgets.Dropdown):
                assert s.app.id not in [v for _, v in control.options], "a terminated instance is no choice"
    assert s.app.id not in unescape(c.exposure_table.value)


# ---- security groups --------------------------------------------------------------------------------------
def test_add_and_remove_security_group_rules_with_port_forms(classroom):
    s, c = classroom, classroom.console
    panel = c.panels["security_group"]
    assert panel.port.value == "80" and panel.cidr.value == "0.0.0.0/0"
    panel.group.value = s.web_sg.id

    panel.port.value = "22"
    click(c, "security_group", "console.add_rule")
    assert_done(c)
    assert str(s.web_sg.rules[-1].ports) == "22" and not s.web_sg.rules[-1].egress
    assert code(c) == (
        f"lab.authorize_security_group_ingress('{s.web_sg.id}', 'tcp', 22, cidr='0.0.0.0/0')",
        f"aws ec2 authorize-security-group-ingress --group-id {s.web_sg.id} "
        "--ip-permissions 'IpProtocol=tcp,FromPort=22,ToPort=22,IpRanges=[{CidrIp=0.0.0.0/0}]'",
    )
    assert "tcp 22" in unescape(c.exposure_table.value), "the exposure table updates at once"
    assert "tcp 22" in diagram(c)

    panel.direction.value, panel.port.value, panel.cidr.value = True, "1024-65535", "10.0.0.0/16"
    click(c, "security_group", "console.add_rule")
    assert_done(c)
    rule = s.web_sg.rules[-1]
    assert rule.egress and (rule.ports.first, rule.ports.last) == (1024, 65535) and str(rule.cidr) == "10.0.0.0/16"
    egress = f"lab.authorize_security_group_egress('{s.web_sg.id}', 'tcp', (1024, 65535), cidr='10.0.0.0/16')"
    assert code(c)[0] == egress
    assert "FromPort=1024,ToPort=65535" in code(c)[1] and "authorize-security-group-egress" in code(c)[1]

    panel.direction.value, panel.protocol.value, panel.port.value, panel.cidr.value = False, "-1", "", "10.0.0.0/16"
    click(c, "security_group", "console.add_rule")
    assert_done(c)
    rule = s.web_sg.rules[-1]
    assert rule.protocol.value == "-1" and rule.ports is None, "blank means all ports"
    assert "IpProtocol=-1" in code(c)[1]

    count = len(s.web_sg.rules)
    click(c, "security_group", "console.remove_rule")
    assert_done(c)
    assert len(s.web_sg.rules) == count - 1
    assert code(c)[1].startswith(f"aws ec2 revoke-security-group-ingress --group-id {s.web_sg.id}")

    panel.protocol.value, panel.port.value, panel.cidr.value = "tcp", "22", "0.0.0.0/0"
    click(c, "security_group", "console.remove_rule")
    assert_done(c)
    assert "tcp 22" not in unescape(c.exposure_table.value)


@pytest.mark.parametrize("text", ["http", "80-", "1024-abc", "8 0"])
def test_bad_port_text_shows_invalid_parameter_value_and_changes_nothing(classroom, text):
    s, c = classroom, classroom.console
    panel = c.panels["security_group"]
    panel.group.value, panel.port.value = s.web_sg.id, text
    before, length = s.lab.to_json(), len(s.lab.history)
    click(c, "security_group", "console.add_rule")
    assert_refused(c, s.lab, before, length, None, "InvalidParameterValue")
    assert escape(text) in c.message.value, "the message names the bad input"
    assert re.search("[\uac00-\ud7a3]", c.message.value), "and says it in Korean too"


def test_a_refused_action_shows_its_own_code_even_when_the_cli_cannot_spell_it(classroom):
    s, c = classroom, classroom.console
    panel = c.panels["security_group"]
    click(c, "internet_gateway", "console.create_gateway")  # some earlier code on screen
    panel.group.value, panel.port.value = s.web_sg.id, "70000"
    before, length = s.lab.to_json(), len(s.lab.history)
    click(c, "security_group", "console.add_rule")
    assert_refused(
        c,
        s.lab,
        before,
        length,
        lambda: s.lab.authorize_security_group_ingress(s.web_sg, "tcp", 70000, cidr="0.0.0.0/0"),
        "InvalidParameterValue",
    )
    assert code(c) == (f"lab.authorize_security_group_ingress('{s.web_sg.id}', 'tcp', 70000, cidr='0.0.0.0/0')", None)


def test_a_duplicate_rule_is_refused(classroom):
    s, c = classroom, classroom.console
    panel = c.panels["security_group"]
    panel.group.value, panel.port.value = s.web_sg.id, "80"
    before, length = s.lab.to_json(), len(s.lab.history)
    click(c, "security_group", "console.add_rule")
    assert_refused(
        c,
        s.lab,
        before,
        length,
        lambda: s.lab.authorize_security_group_ingress(s.web_sg, "tcp", 80, cidr="0.0.0.0/0"),
        "InvalidPermission.Duplicate",
    )
    assert "authorize-security-group-ingress" in code(c)[1]


# ---- network ACLs ---------------------------------------------------------------------------------------
def test_add_and_delete_network_acl_entries(classroom):
    s, c = classroom, classroom.console
    acl = s.public.network_acl
    panel = c.panels["network_acl"]
    panel.acl.value = acl.id
    panel.number.value, panel.protocol.value, panel.port.value, panel.action.value = 90, "tcp", "80", "deny"
    click(c, "network_acl", "console.add_entry")
    assert_done(c)
    entry = acl.entries[(False, 90)]
    assert entry.action.value == "deny" and str(entry.ports) == "80"
    assert code(c) == (
        f"lab.create_network_acl_entry('{acl.id}', 90, False, 'tcp', 80, '0.0.0.0/0', 'deny')",
        f"aws ec2 create-network-acl-entry --network-acl-id {acl.id} --rule-number 90 --ingress --protocol 6 "
        "--port-range From=80,To=80 --cidr-block 0.0.0.0/0 --rule-action deny",
    )
    report = s.lab.exposure()
    assert [(e.protocol, str(e.ports)) for e in report[s.web].inbound] == [("tcp", "443")]
    assert "✔ tcp 443" in diagram(c) and "✔ tcp 80" not in diagram(c)

    before, length = s.lab.to_json(), len(s.lab.history)
    click(c, "network_acl", "console.add_entry")
    assert_refused(
        c,
        s.lab,
        before,
        length,
        lambda: s.lab.create_network_acl_entry(acl, 90, False, "tcp", 80, "0.0.0.0/0", "deny"),
        "NetworkAclEntryAlreadyExists",
    )

    panel.direction.value, panel.number.value, panel.protocol.value, panel.port.value = True, 95, "-1", ""
    panel.action.value = "allow"
    click(c, "network_acl", "console.add_entry")
    assert_done(c)
    assert acl.entries[(True, 95)].ports is None
    assert "--egress --protocol -1 --cidr-block" in code(c)[1]

    panel.direction.value, panel.number.value = False, 90
    click(c, "network_acl", "console.delete_entry")
    assert_done(c)
    assert (False, 90) not in acl.entries and (True, 95) in acl.entries
    assert code(c)[1] == f"aws ec2 delete-network-acl-entry --network-acl-id {acl.id} --rule-number 90 --ingress"
    assert "✔ tcp 80" in diagram(c)


# ---- NAT gateways ---------------------------------------------------------------------------------------
def test_create_and_delete_a_nat_gateway(public_web_vpc):
    s = public_web_vpc
    c = vpclab.Console(s.lab)
    panel = c.panels["nat_gateway"]
    eip = s.lab.allocate_address(name="nat-eip")
    c.refresh()
    panel.subnet.value, panel.address.value = s.public.id, eip.id
    click(c, "nat_gateway", "console.create_nat")
    assert_done(c)
    (nat,) = s.lab.nat_gateways.values()
    assert nat.state.value == "available" and nat.public_ip == eip.public_ip
    assert code(c) == (
        f"lab.create_nat_gateway('{s.public.id}', '{eip.id}')",
        f"aws ec2 create-nat-gateway --subnet-id {s.public.id} --allocation-id {eip.id}",
    )
    assert nat.id in diagram(c) and panel.nat.value == nat.id
    assert nat.id in [v for _, v in c.panels["route_table"].target.options]

    click(c, "nat_gateway", "console.delete")
    assert_done(c)
    assert nat.state.value == "deleted" and panel.nat.options == ()
    assert code(c)[1] == f"aws ec2 delete-nat-gateway --nat-gateway-id {nat.id}"
    assert nat.id not in diagram(c)


# ---- connectivity tester ----------------------------------------------------------------------------------
def test_the_tester_shows_verdict_hops_and_explanation_and_highlights_the_path(classroom):
    s, c = classroom, classroom.console
    panel = c.panels["tester"]
    assert panel.source.options[0] == ("Internet", "internet")
    panel.source.value, panel.destination.value = "internet", s.web.id
    panel.protocol.value, panel.port.value = "tcp", "80"
    history, before = len(s.lab.history), s.lab.to_json()
    click(c, "tester", "console.test")
    analysis = s.lab.analyze("internet", s.web, "tcp", 80)
    result = panel.result.value
    assert analysis.reachable and "✔" in result and escape(analysis.explain("en")) in result
    assert "<table" in result and escape(tr("ui.forward_path", "en")) in result
    assert escape(tr("ui.return_path", "en")) in result and s.igw.id in result
    assert "request 1→2" in diagram(c) and "reply" in diagram(c)
    assert s.lab.to_json() == before and len(s.lab.history) == history, "a test changes nothing"

    panel.port.value = "22"
    click(c, "tester", "console.test")
    blocked = s.lab.analyze("internet", s.web, "tcp", 22)
    assert "✘" in panel.result.value and blocked.code in panel.result.value
    assert f"✘ {blocked.code}" in diagram(c)
    assert f"✘ {blocked.code}" in vpclab.diagram(s.lab, highlight=blocked).source

    panel.port.value = ""
    click(c, "tester", "console.test")
    assert "✔" in panel.result.value, "some port gets through: the analysis names it"

    click(c, "security_group", "console.add_rule")  # any action clears the highlight
    assert "request 1→2" not in diagram(c)


def test_the_tester_from_an_instance_to_the_internet(classroom):
    s, c = classroom, classroom.console
    panel = c.panels["tester"]
    panel.source.value, panel.destination.value, panel.port.value = s.app.id, "internet", "443"
    click(c, "tester", "console.test")
    assert "✔" in panel.result.value and s.nat.id in panel.result.value
    assert "request" in diagram(c)


def test_a_bad_tester_port_is_reported(classroom):
    c = classroom.console
    c.panels["tester"].port.value = "https"
    click(c, "tester", "console.test")
    assert "InvalidParameterValue" in c.message.value and 'role="alert"' in c.message.value


# ---- undo and history -----------------------------------------------------------------------------------
def test_undo_restores_the_previous_state_and_keeps_held_objects_live(classroom):
    s, c = classroom, classroom.console
    app, web = s.app, s.web
    start = state(s.lab)
    panel = c.panels["elastic_ip"]
    click(c, "elastic_ip", "console.allocate")
    eip = list(s.lab.elastic_ips.values())[-1]
    after_allocate = state(s.lab)
    panel.address.value, panel.instance.value, panel.reassociate.value = s.eip.id, app.id, True
    click(c, "elastic_ip", "console.associate")
    assert app.public_ip == s.eip.public_ip and web.public_ip is None

    c.undo_button.click()
    assert "↶" in c.message.value
    assert state(s.lab) == after_allocate
    assert web.public_ip == s.eip.public_ip and app.public_ip is None, "the objects the notebook holds are live"
    assert s.lab.instances[web.id] is web and s.lab.elastic_ips[s.eip.id] is s.eip
    assert s.eip.instance is web and web.elastic_ip is s.eip
    assert f"Elastic IP {s.eip.public_ip}" in diagram(c)

    c.undo_button.click()
    assert state(s.lab) == start and eip.id not in s.lab.elastic_ips
    assert eip.id not in [v for _, v in panel.address.options]

    c.undo_button.click()
    assert unescape(c.message.value).find(tr("console.nothing_to_undo", "en")) >= 0
    assert state(s.lab) == start


def test_undo_after_a_refused_action_undoes_the_last_successful_one(classroom):
    s, c = classroom, classroom.console
    click(c, "internet_gateway", "console.create_gateway")
    created = state(s.lab)
    c.panels["internet_gateway"].gateway.value = s.igw.id
    click(c, "internet_gateway", "console.delete")  # refused: attached
    assert state(s.lab) == created
    c.undo_button.click()
    assert len(s.lab.internet_gateways) == 1


def test_the_history_records_every_successful_action_and_the_undo_marker_but_no_refused_one(classroom):
    s, c = classroom, classroom.console
    start = len(s.lab.history)
    click(c, "internet_gateway", "console.create_gateway")
    c.panels["security_group"].group.value = s.web_sg.id
    c.panels["security_group"].port.value = "8080"
    click(c, "security_group", "console.add_rule")
    click(c, "security_group", "console.add_rule")  # refused: duplicate
    c.panels["security_group"].port.value = "nonsense"
    click(c, "security_group", "console.add_rule")  # refused: bad port
    c.undo_button.click()
    c.undo_button.click()
    c.undo_button.click()  # nothing left: not recorded
    actions = [e["action"] for e in s.lab.history[start:]]
    assert actions == ["create_internet_gateway", "authorize_security_group_ingress", "undo", "undo"]
    added = s.lab.history[start + 1]
    assert added["args"] == [s.web_sg.id, "tcp", 8080] and added["kwargs"] == {"cidr": "0.0.0.0/0"}
    assert json.loads(s.lab.to_json())["history"] == s.lab.history, "the history is saved with the lab"
    assert f"({len(s.lab.history)} actions)" in c.history.value and "<li>undo</li>" in c.history.value


# ---- code shown ---------------------------------------------------------------------------------------
def test_the_python_code_shown_replays_the_same_lab():
    """Run the vpclab calls the console showed on a twin lab: the learner's notebook gets the same lab."""

    def build():
        lab = vpclab.Lab()
        vpc = lab.create_vpc("10.0.0.0/16", name="lab-vpc")
        igw = lab.create_internet_gateway(name="igw")
        lab.attach_internet_gateway(igw, vpc)
        lab.create_subnet(vpc, "10.0.1.0/24", name="public")
        return lab

    lab, twin = build(), build()
    c = vpclab.Console(lab)
    shown = []

    def do(tool, key, **values):
        for name, value in values.items():
            getattr(c.panels[tool], name).value = value
        click(c, tool, key)
        assert_done(c)
        shown.append(code(c)[0])

    subnet = next(iter(lab.subnets))
    do("route_table", "console.create_route_table")
    table = list(lab.route_tables)[-1]
    do("route_table", "console.add_route", table=table, target=next(iter(lab.internet_gateways)))
    do("route_table", "console.associate", subnet=subnet)
    do("elastic_ip", "console.allocate")
    do("instance", "console.launch", subnet=subnet, name="web", public=False)
    web = list(lab.instances)[-1]
    do("elastic_ip", "console.associate", instance=web)
    do("security_group", "console.add_rule", port="1024-65535", direction=True)
    do("network_acl", "console.add_entry", number=50, port="", protocol="icmp", action="deny")
    do("elastic_ip", "console.disassociate")
    do("nat_gateway", "console.create_nat", subnet=subnet)
    for line in shown:
        assert line.startswith("lab.")
        exec(line, {"lab": twin})  # the code the console showed, on a lab of our own
    assert twin.to_json() == lab.to_json()


def test_aws_cli_spells_every_console_verb_with_ids_and_flags(classroom):
    s = classroom
    acl = s.public.network_acl
    association = s.eip.association_id
    expected = {
        ("create_internet_gateway",): "aws ec2 create-internet-gateway",
        ("attach_internet_gateway", s.igw, s.vpc): f"aws ec2 attach-internet-gateway --internet-gateway-id {s.igw.id} "
        f"--vpc-id {s.vpc.id}",
        ("detach_internet_gateway", s.igw, s.vpc): f"aws ec2 detach-internet-gateway --internet-gateway-id {s.igw.id} "
        f"--vpc-id {s.vpc.id}",
        ("delete_internet_gateway", s.igw): f"aws ec2 delete-internet-gateway --internet-gateway-id {s.igw.id}",
        ("create_route_table", s.vpc): f"aws ec2 create-route-table --vpc-id {s.vpc.id}",
        ("create_route", s.public_rt, "0.0.0.0/0", s.igw): f"aws ec2 create-route --route-table-id {s.public_rt.id} "
        f"--destination-cidr-block 0.0.0.0/0 --gateway-id {s.igw.id}",
        ("replace_route", s.private_rt, "0.0.0.0/0", s.nat): f"aws ec2 replace-route --route-table-id "
        f"{s.private_rt.id} --destination-cidr-block 0.0.0.0/0 --nat-gateway-id {s.nat.id}",
        ("create_route", s.private_rt, "10.9.0.0/16", s.web): f"aws ec2 create-route --route-table-id "
        f"{s.private_rt.id} --destination-cidr-block 10.9.0.0/16 --instance-id {s.web.id}",
        ("delete_route", s.public_rt, "0.0.0.0/0"): f"aws ec2 delete-route --route-table-id {s.public_rt.id} "
        "--destination-cidr-block 0.0.0.0/0",
        ("associate_route_table", s.public_rt, s.public): f"aws ec2 associate-route-table --route-table-id "
        f"{s.public_rt.id} --subnet-id {s.public.id}",
        ("disassociate_route_table", s.public_association): f"aws ec2 disassociate-route-table --association-id "
        f"{s.public_association}",
        ("allocate_address",): "aws ec2 allocate-address --domain vpc",
        ("associate_address", s.eip, s.app): f"aws ec2 associate-address --allocation-id {s.eip.id} "
        f"--instance-id {s.app.id}",
        ("disassociate_address", s.eip): f"aws ec2 disassociate-address --association-id {association}",
        ("disassociate_address", association): f"aws ec2 disassociate-address --association-id {association}",
        ("release_address", s.eip): f"aws ec2 release-address --allocation-id {s.eip.id}",
        ("stop_instance", s.web): f"aws ec2 stop-instances --instance-ids {s.web.id}",
        ("start_instance", s.web): f"aws ec2 start-instances --instance-ids {s.web.id}",
        ("terminate_instance", s.web): f"aws ec2 terminate-instances --instance-ids {s.web.id}",
        ("create_nat_gateway", s.public, s.eip): f"aws ec2 create-nat-gateway --subnet-id {s.public.id} "
        f"--allocation-id {s.eip.id}",
        ("delete_nat_gateway", s.nat): f"aws ec2 delete-nat-gateway --nat-gateway-id {s.nat.id}",
        ("delete_network_acl_entry", acl, 100, True): f"aws ec2 delete-network-acl-entry --network-acl-id {acl.id} "
        "--rule-number 100 --egress",
    }
    for (action, *args), command in expected.items():
        assert aws_cli(action, *args) == command, action
    assert aws_cli("associate_address", s.eip, s.app, allow_reassociation=True).endswith(" --allow-reassociation")
    run = aws_cli("run_instance", s.public, name="web 2", associate_public_ip=True, security_groups=[s.web_sg])
    assert run.startswith("aws ec2 run-instances --image-id ami-")
    for part in (
        f"--subnet-id {s.public.id}",
        "--associate-public-ip-address",
        f"--security-group-ids {s.web_sg.id}",
        "'ResourceType=instance,Tags=[{Key=Name,Value=web 2}]'",
    ):
        assert part in run, part
    assert "--no-associate-public-ip-address" in aws_cli("run_instance", s.public, associate_public_ip=False)
    for verb in ("authorize", "revoke"):
        for way in ("ingress", "egress"):
            command = aws_cli(f"{verb}_security_group_{way}", s.web_sg, "udp", (1024, 65535), cidr="10.0.0.0/8")
            assert command == (
                f"aws ec2 {verb}-security-group-{way} --group-id {s.web_sg.id} --ip-permissions "
                "'IpProtocol=udp,FromPort=1024,ToPort=65535,IpRanges=[{CidrIp=10.0.0.0/8}]'"
            )
    by_group = aws_cli("authorize_security_group_ingress", s.web_sg, "tcp", 22, source_group=s.web_sg)
    assert f"UserIdGroupPairs=[{{GroupId={s.web_sg.id}}}]" in by_group
    entry = aws_cli("create_network_acl_entry", acl, 110, False, "icmp", 8, "0.0.0.0/0", "allow")
    assert entry == (
        f"aws ec2 create-network-acl-entry --network-acl-id {acl.id} --rule-number 110 --ingress "
        "--protocol 1 --icmp-type-code Type=8,Code=-1 --cidr-block 0.0.0.0/0 --rule-action allow"
    )
    assert aws_cli("not_a_verb") is None


def test_python_call_names_resources_by_id_and_round_trips(classroom):
    s = classroom
    assert python_call("attach_internet_gateway", s.igw, s.vpc) == (
        f"lab.attach_internet_gateway('{s.igw.id}', '{s.vpc.id}')"
    )
    assert python_call("run_instance", s.public, name=None, security_groups=[s.web_sg]) == (
        f"lab.run_instance('{s.public.id}', security_groups=['{s.web_sg.id}'])"
    )
    call = python_call("authorize_security_group_egress", s.web_sg, "tcp", (1024, 65535), cidr="0.0.0.0/0")
    assert call == f"lab.authorize_security_group_egress('{s.web_sg.id}', 'tcp', (1024, 65535), cidr='0.0.0.0/0')"
    before = len(s.web_sg.rules)
    eval(call, {"lab": s.lab})  # the text we generated, on our own lab
    assert len(s.web_sg.rules) == before + 1 and s.lab.history[-1]["args"][0] == s.web_sg.id


# ---- languages -------------------------------------------------------------------------------------------
def test_the_language_switch_changes_labels_options_messages_and_the_diagram(classroom):
    s, c = classroom, classroom.console
    assert c.tabs.titles[0] == "Internet gateway"
    c.language.value = "ko"
    assert c.lang == "ko" and vpclab.get_language() == "ko"
    assert c.tabs.titles == tuple(tr(f"console.tool.{t}", "ko") for t in c.panels)
    assert c.tabs.titles[0] == "인터넷 게이트웨이" and c.tabs.titles[-1] == "연결 테스트"
    assert button(c, "internet_gateway", "console.create_gateway").description == "게이트웨이 생성"
    assert button(c, "internet_gateway", "console.create_gateway").tooltip == tr("console.create_gateway.help", "ko")
    assert c.undo_button.description == "실행 취소"
    assert c.panels["security_group"].protocol.options[-1] == ("전체(-1)", "-1")
    assert [label for label, _ in c.panels["security_group"].direction.options] == ["인바운드", "아웃바운드"]
    assert c.panels["tester"].source.options[0] == ("인터넷", "internet")
    assert c.panels["security_group"].port.description == tr("console.port", "ko")
    assert "인터넷" in diagram(c) and "가용 영역" in diagram(c) and "Internet" not in diagram(c)
    assert escape(tr("ui.exposure", "ko")) in c.exposure_table.value
    assert escape(tr("console.text_alternative", "ko")) in c.text_alternative.value
    assert "퍼블릭 서브넷" in unescape(c.text_alternative.value)

    click(c, "internet_gateway", "console.create_gateway")
    assert "완료" in c.message.value and escape(tr("console.python", "ko")) in c.code.value
    c.panels["internet_gateway"].gateway.value = s.igw.id
    click(c, "internet_gateway", "console.delete")  # refused: Korean first, English below
    shown = unescape(c.message.value)
    assert shown.index("연결되어 있어") < shown.index("has dependencies")

    c.language.value = "en"
    assert c.tabs.titles[0] == "Internet gateway" and c.undo_button.description == "Undo"
    assert c.panels["tester"].source.options[0] == ("Internet", "internet")
    assert "Internet" in diagram(c) and "인터넷" not in diagram(c)


def test_the_language_switch_keeps_the_chosen_values(classroom):
    s, c = classroom, classroom.console
    panel = c.panels["security_group"]
    panel.group.value, panel.protocol.value, panel.direction.value = s.web_sg.id, "udp", True
    c.language.value = "ko"
    assert (panel.group.value, panel.protocol.value, panel.direction.value) == (s.web_sg.id, "udp", True)


def test_a_console_opens_in_the_chosen_language(private_app_behind_nat):
    vpclab.set_language("ko")
    c = vpclab.Console(private_app_behind_nat.lab)
    assert c.language.value == "ko" and c.tabs.titles[0] == "인터넷 게이트웨이" and "인터넷" in diagram(c)


# ---- failures never vanish --------------------------------------------------------------------------------
def test_an_unexpected_exception_in_a_callback_is_shown_to_the_learner(classroom, monkeypatch):
    s, c = classroom, classroom.console

    def broken(*args, **kwargs):
        raise RuntimeError("the gateway exploded")

    monkeypatch.setattr(s.lab, "attach_internet_gateway", broken)
    before = s.lab.to_json()
    click(c, "internet_gateway", "console.attach")  # does not raise
    assert 'role="alert"' in c.message.value and "RuntimeError" in c.message.value
    assert "the gateway exploded" in c.message.value and "Traceback" in c.message.value
    assert s.lab.to_json() == before
    c.language.value = "ko"  # the message is shown again after the switch, still naming the error
    assert "the gateway exploded" in c.message.value
    c.undo_button.click()
    assert tr("console.nothing_to_undo", "ko") in unescape(c.message.value), "a failed action left no snapshot"


def test_an_exception_while_redrawing_after_a_language_switch_is_shown(classroom, monkeypatch):
    c = classroom.console

    def broken(*args, **kwargs):
        raise OSError("dot crashed")

    monkeypatch.setattr(vpclab.widgets.console, "diagram", broken)
    c.language.value = "ko"
    assert "OSError" in c.message.value and "dot crashed" in c.message.value


def test_without_dot_the_console_still_sends_the_whole_diagram_for_the_browser_to_lay_out(classroom, monkeypatch):
    import graphviz

    def missing(*args, **kwargs):
        raise graphviz.ExecutableNotFound(["dot"])

    monkeypatch.setattr(graphviz.Digraph, "pipe", missing)
    c = vpclab.Console(classroom.lab)
    click(c, "internet_gateway", "console.create_gateway")
    assert_done(c)
    new_gateway = list(classroom.lab.internet_gateways)[-1]
    assert classroom.web.id in diagram(c) and new_gateway in diagram(c)
    assert c.diagram.marked == [f"vpclab-{new_gateway}"], "the new gateway is marked, nothing else"
    assert "create_internet_gateway" in c.diagram.caption


def test_the_language_switch_also_translates_the_last_message_and_the_code_headings(vpc_lab):
    console = vpclab.Console(vpc_lab.lab, tools=["internet_gateway"])
    click(console, "internet_gateway", "console.create_gateway")
    assert "Done" in message(console) and "vpclab:" in console.code.value
    console.language.value = "ko"
    assert tr("console.done", "ko", action="create_internet_gateway") in unescape(console.message.value)
    assert tr("console.cli", "ko") in unescape(console.code.value)


def test_the_console_shows_what_the_network_would_cost_and_updates_it_after_an_action(vpc_lab):
    console = vpclab.Console(vpc_lab.lab, tools=["elastic_ip"])
    assert "$0.00" in console.cost_table.value
    click(console, "elastic_ip", "console.allocate")  # an idle Elastic IP is billed: 730 h x $0.005
    assert "$3.65" in console.cost_table.value
