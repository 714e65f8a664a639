"""Every explanation code's fix, run through the API on a lab where it applies: accepted, and it helps.

For each code a small lab is built with the public verbs; the analysis's ``fix_steps`` (the calls its
fix hint proposes) are run with ``fixes.apply``; none may raise, and the verdict (reachable, code)
must change. Codes whose fix is outside the lab (a private peer, a component vpclab does not model)
propose no call at all. Every case also checks what a hint must never propose.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_network

import pytest

from vpclab import Lab, scenarios
from vpclab.engine import fixes
from vpclab.model.i18n import LANGUAGES, catalog
from vpclab.model.resources import InstanceState


@dataclass
class Case:
    lab: Lab
    source: object
    destination: object
    protocol: str = "tcp"
    port: int | None = None

    def analyze(self):
        return self.lab.analyze(self.source, self.destination, protocol=self.protocol, port=self.port)


def _vpc(gateway: bool = True, map_public: bool = True):
    lab = Lab()
    vpc = lab.create_vpc("10.0.0.0/16", name="vpc")
    subnet = lab.create_subnet(vpc, "10.0.1.0/24", name="subnet")
    if map_public:
        lab.modify_subnet_attribute(subnet, map_public_ip_on_launch=True)
    if gateway:
        igw = lab.create_internet_gateway(name="igw")
        lab.attach_internet_gateway(igw, vpc)
    group = lab.create_security_group(vpc, "web", "web")
    lab.authorize_security_group_ingress(group, "tcp", 80, cidr="0.0.0.0/0")
    lab.authorize_security_group_ingress(group, "icmp", 8, cidr="0.0.0.0/0")
    web = lab.run_instance(subnet, name="web", security_groups=[group])
    return lab, vpc, subnet, web


def _public_route_table(lab, vpc, subnet):
    table = lab.create_route_table(vpc, name="public")
    lab.create_route(table, "0.0.0.0/0", vpc.internet_gateway)
    lab.associate_route_table(table, subnet)
    return table


# ---- one lab per situation ---------------------------------------------------------------------------------
def no_route_main_table():
    lab, _, _, web = _vpc()
    return Case(lab, "internet", web, port=80)


def no_route_with_a_public_table_elsewhere():
    s = scenarios.classroom()
    lab = s.lab
    subnet = lab.create_subnet(s.web.vpc, "10.0.9.0/24")
    web2 = lab.run_instance(subnet, security_groups=[s.web.security_groups[0]])
    lab.associate_address(lab.allocate_address(), web2)
    return Case(lab, web2, "internet", port=443)


def no_route_no_gateway():
    lab, _, _, web = _vpc(gateway=False, map_public=False)
    return Case(lab, web, "internet", port=443)


def no_route_private_instance_with_nat():
    s = scenarios.classroom()
    subnet = s.lab.create_subnet(s.app.vpc, "10.0.9.0/24")
    worker = s.lab.run_instance(subnet, name="worker")
    return Case(s.lab, worker, "internet", port=443)


def no_route_scenario():
    s = scenarios.broken("no_route")
    return Case(s.lab, "internet", s.web, port=80)


def blackhole_detached_gateway():
    lab, vpc, subnet, web = _vpc(map_public=False)  # no public address: the gateway can be detached
    _public_route_table(lab, vpc, subnet)
    lab.detach_internet_gateway(vpc.internet_gateway, vpc)
    return Case(lab, web, "internet", port=443)


def blackhole_deleted_nat():
    s = scenarios.classroom()
    s.lab.delete_nat_gateway(next(iter(s.lab.nat_gateways)))
    return Case(s.lab, s.app, "internet", port=443)


def blackhole_stopped_appliance():
    lab, vpc, subnet, web = _vpc()
    table = _public_route_table(lab, vpc, subnet)
    appliance = lab.run_instance(subnet, name="appliance")
    lab.create_route(table, "203.0.113.0/24", appliance)
    lab.stop_instance(appliance)
    return Case(lab, web, "203.0.113.9", port=443)


def public_ip_for_egress_with_nat():
    s = scenarios.classroom()
    worker = s.lab.run_instance(s.web.subnet, name="worker")  # public subnet, no public IP
    s.lab.modify_subnet_attribute(s.web.subnet, map_public_ip_on_launch=False)
    return Case(s.lab, worker, "internet", port=443)


def public_ip_for_egress_without_nat():
    lab, vpc, subnet, _ = _vpc(map_public=False)
    _public_route_table(lab, vpc, subnet)
    worker = lab.run_instance(subnet, name="worker")
    return Case(lab, worker, "internet", port=443)


def private_ip_for_ingress():
    s = scenarios.classroom()
    return Case(s.lab, "internet", s.app, port=80)


def private_ip_for_ingress_without_gateway():
    lab, _, _, web = _vpc(gateway=False, map_public=False)
    return Case(lab, "internet", web, port=80)


def private_destination():
    lab, vpc, subnet, web = _vpc()
    _public_route_table(lab, vpc, subnet)
    return Case(lab, web, "192.168.7.7", port=443)


def shared_destination():
    lab, vpc, subnet, web = _vpc()
    _public_route_table(lab, vpc, subnet)
    return Case(lab, web, "100.64.7.7", port=443)


def private_source():
    lab, vpc, subnet, web = _vpc()
    _public_route_table(lab, vpc, subnet)
    return Case(lab, "192.168.7.7", web, port=80)


def shared_source():
    lab, vpc, subnet, web = _vpc()
    _public_route_table(lab, vpc, subnet)
    return Case(lab, "100.64.7.7", web, port=80)


def no_gateway_for_a_public_address():
    lab, _, _, web = _vpc(gateway=False)  # the subnet still hands out public IPv4 addresses
    return Case(lab, "internet", web, port=80)


def stopped_instance():
    s = scenarios.classroom()
    s.lab.stop_instance(s.web)
    return Case(s.lab, "internet", s.web, port=80)


def security_group_scenario():
    s = scenarios.broken("security_group")
    return Case(s.lab, "internet", s.web, port=80)


def security_group_icmp():
    s = scenarios.classroom()
    return Case(s.lab, "internet", s.web, protocol="icmp", port=8)


def security_group_without_rules():
    s = scenarios.classroom()
    group = s.app.security_groups[0]
    for rule in list(group.egress):
        s.lab.revoke_security_group_egress(
            group, rule.protocol.value, rule.ports and (rule.ports.first, rule.ports.last), cidr=str(rule.cidr)
        )
    return Case(s.lab, s.app, "internet", port=443)


def network_acl_scenario():
    s = scenarios.broken("network_acl")
    return Case(s.lab, "internet", s.web, port=80)


def network_acl_reply():
    s = scenarios.broken("no_ephemeral_ports")
    return Case(s.lab, "internet", s.web, port=80)


def network_acl_icmp_reply():
    lab, vpc, subnet, web = _vpc()
    _public_route_table(lab, vpc, subnet)
    acl = lab.create_network_acl(vpc, name="strict")
    lab.create_network_acl_entry(acl, 100, False, "-1", None, "0.0.0.0/0", "allow")
    lab.create_network_acl_entry(acl, 100, True, "tcp", (1024, 65535), "0.0.0.0/0", "allow")
    lab.replace_network_acl_association(acl, subnet)
    return Case(lab, "internet", web, protocol="icmp", port=8)


def asymmetric_scenario():
    s = scenarios.broken("private_with_eip")
    return Case(s.lab, "internet", s.app, port=80)


def appliance():
    lab, vpc, subnet, web = _vpc()
    table = _public_route_table(lab, vpc, subnet)
    lab.create_route(table, "203.0.113.0/24", lab.run_instance(subnet, name="appliance"))
    return Case(lab, web, "203.0.113.9", port=443)


def no_such_address():
    lab, _, _, web = _vpc()
    return Case(lab, web, "10.0.1.200", port=80)


def nat_gateway_inbound():
    s = scenarios.classroom()
    nat = next(iter(s.lab.nat_gateways.values()))
    return Case(s.lab, "internet", str(nat.public_ip), port=80)


def terminated_instance():
    s = scenarios.classroom()
    s.lab.terminate_instance(s.web)
    return Case(s.lab, "internet", s.web, port=80)


def terminated_sender():
    s = scenarios.classroom()
    s.lab.terminate_instance(s.app)
    return Case(s.lab, s.app, "internet", port=443)


# ---- IPv6, the egress-only gateway and Block Public Access ------------------------------------------------
def _dual_stack(gateway: bool = True):
    """``_vpc`` with an Amazon /56 and the subnet's first /64 (the instance has no IPv6 address yet)."""
    lab, vpc, subnet, web = _vpc(gateway=gateway)
    lab.associate_vpc_cidr_block(vpc, amazon_provided_ipv6=True)
    lab.associate_subnet_cidr_block(subnet, str(next(vpc.ipv6_cidr_blocks[0].subnets(new_prefix=64))))
    return lab, vpc, subnet, web


def block_public_access():
    lab, vpc, subnet, web = _vpc()
    _public_route_table(lab, vpc, subnet)
    lab.modify_vpc_block_public_access_options("block-bidirectional")
    return Case(lab, "internet", web, port=80)


def block_public_access_outbound():
    lab, vpc, subnet, web = _vpc()
    _public_route_table(lab, vpc, subnet)
    lab.modify_vpc_block_public_access_options("block-bidirectional")
    return Case(lab, web, "internet", port=443)


def block_public_access_outbound_in_ingress_mode():
    case = block_public_access_outbound()
    case.lab.modify_vpc_block_public_access_options("block-ingress")  # allow-egress means nothing here
    return case


def block_public_access_ipv6_inbound():
    lab, vpc, subnet, web = _dual_stack()
    table = _public_route_table(lab, vpc, subnet)
    lab.create_route(table, "::/0", vpc.internet_gateway)
    lab.authorize_security_group_ingress(web.security_groups[0], "tcp", 80, cidr="::/0")
    lab.assign_ipv6_addresses(web, ipv6_address_count=1)
    lab.modify_vpc_block_public_access_options("block-ingress")
    return Case(lab, "2001:db8::10", str(web.ipv6_addresses[0]), port=80)


def block_public_access_egress_only_outbound():
    lab, vpc, subnet, web = _dual_stack(gateway=False)
    table = lab.create_route_table(vpc, name="outbound-only")
    lab.create_route(table, "::/0", lab.create_egress_only_internet_gateway(vpc))
    lab.associate_route_table(table, subnet)
    lab.assign_ipv6_addresses(web, ipv6_address_count=1)
    lab.modify_vpc_block_public_access_options("block-bidirectional")
    return Case(lab, web, "2001:db8::10", port=443)


def block_public_access_nat_gateway():
    s = scenarios.classroom()
    s.lab.modify_vpc_block_public_access_options("block-bidirectional")
    return Case(s.lab, s.app, "internet", port=443)


def block_public_access_exclusion_of_the_wrong_mode():
    case = block_public_access()
    case.lab.create_vpc_block_public_access_exclusion(subnet=case.destination.subnet, mode="allow-egress")
    return case


def egress_only_inbound():
    """The forward path: the VPC has an egress-only gateway and no internet gateway."""
    lab, vpc, subnet, _ = _dual_stack(gateway=False)
    table = lab.create_route_table(vpc, name="outbound-only")
    lab.create_route(table, "::/0", lab.create_egress_only_internet_gateway(vpc))
    lab.associate_route_table(table, subnet)
    app = lab.run_instance(subnet, name="app", ipv6_address_count=1)
    return Case(lab, "2001:db8::10", str(app.ipv6_addresses[0]), port=80)


def egress_only_reply():
    """The return path: the request came in by the internet gateway, the reply is routed to the egress-only one."""
    lab, vpc, subnet, web = _dual_stack()
    table = _public_route_table(lab, vpc, subnet)
    lab.create_route(table, "::/0", lab.create_egress_only_internet_gateway(vpc))
    lab.authorize_security_group_ingress(web.security_groups[0], "tcp", 80, cidr="::/0")
    lab.assign_ipv6_addresses(web, ipv6_address_count=1)
    return Case(lab, "2001:db8::10", web, port=80)


def egress_only_in_the_main_table():
    """The subnet uses the main route table, which sends ::/0 to the egress-only gateway (and 0.0.0.0/0 out)."""
    lab, vpc, _, web = _dual_stack()
    main = vpc.main_route_table
    lab.create_route(main, "::/0", lab.create_egress_only_internet_gateway(vpc))
    lab.create_route(main, "0.0.0.0/0", vpc.internet_gateway)
    lab.authorize_security_group_ingress(web.security_groups[0], "tcp", 80, cidr="::/0")
    lab.assign_ipv6_addresses(web, ipv6_address_count=1)
    return Case(lab, "2001:db8::10", web, port=80)


def no_ipv6_address():
    lab, _, _, web = _vpc()
    return Case(lab, "2001:db8::10", web, port=80)


def no_ipv6_address_in_a_subnet_without_a_block():
    lab, vpc, _, _ = _dual_stack()
    other = lab.create_subnet(vpc, "10.0.2.0/24", name="other")
    return Case(lab, "2001:db8::10", lab.run_instance(other, name="worker"), port=80)


def no_ipv6_address_in_a_dual_stack_subnet():
    lab, _, _, web = _dual_stack()
    return Case(lab, "2001:db8::10", web, port=80)


def no_such_ipv6_address():
    lab, _, _, web = _dual_stack()
    lab.assign_ipv6_addresses(web, ipv6_address_count=1)
    nobody = web.ipv6_addresses[0] + 7
    return Case(lab, web, str(nobody), port=80)


# (builder, expected code, whether the fix is a call of the API)
CASES = [
    (block_public_access, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", True),
    (block_public_access_outbound, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", True),
    (block_public_access_outbound_in_ingress_mode, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", True),
    (block_public_access_ipv6_inbound, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", True),
    (block_public_access_egress_only_outbound, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", True),
    (block_public_access_nat_gateway, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", True),
    (block_public_access_exclusion_of_the_wrong_mode, "VPC_BLOCK_PUBLIC_ACCESS_ENABLED", True),
    (egress_only_inbound, "EGRESS_ONLY_IGW_NO_INBOUND", True),
    (egress_only_reply, "EGRESS_ONLY_IGW_NO_INBOUND", True),
    (egress_only_in_the_main_table, "EGRESS_ONLY_IGW_NO_INBOUND", True),
    (no_ipv6_address, "IPV6_NO_ADDRESS", True),
    (no_ipv6_address_in_a_subnet_without_a_block, "IPV6_NO_ADDRESS", True),
    (no_ipv6_address_in_a_dual_stack_subnet, "IPV6_NO_ADDRESS", True),
    (no_such_ipv6_address, "NO_POSSIBLE_DESTINATION", False),
    (no_route_main_table, "NO_ROUTE_TO_DESTINATION", True),
    (no_route_with_a_public_table_elsewhere, "NO_ROUTE_TO_DESTINATION", True),
    (no_route_no_gateway, "NO_ROUTE_TO_DESTINATION", True),
    (no_route_private_instance_with_nat, "NO_ROUTE_TO_DESTINATION", True),
    (no_route_scenario, "NO_ROUTE_TO_DESTINATION", True),
    (blackhole_detached_gateway, "BAD_STATE_ROUTE", True),
    (blackhole_deleted_nat, "BAD_STATE_ROUTE", True),
    (blackhole_stopped_appliance, "BAD_STATE_ROUTE", True),
    (public_ip_for_egress_with_nat, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", True),
    (public_ip_for_egress_without_nat, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", True),
    (private_ip_for_ingress, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", True),
    (private_ip_for_ingress_without_gateway, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", True),
    (private_destination, "IGW_DESTINATION_ADDRESS_NOT_IN_RFC1918_EGRESS", False),
    (shared_destination, "IGW_DESTINATION_ADDRESS_NOT_IN_RFC6598_EGRESS", False),
    (private_source, "IGW_SOURCE_ADDRESS_NOT_IN_RFC1918_INGRESS", False),
    (shared_source, "IGW_SOURCE_ADDRESS_NOT_IN_RFC6598_INGRESS", False),
    (no_gateway_for_a_public_address, "BAD_STATE_ATTACHMENT", True),
    (stopped_instance, "BAD_STATE", True),
    (security_group_scenario, "ENI_SG_RULES_MISMATCH", True),
    (security_group_icmp, "ENI_SG_RULES_MISMATCH", True),
    (security_group_without_rules, "SG_HAS_NO_RULES", True),
    (network_acl_scenario, "SUBNET_ACL_RESTRICTION", True),
    (network_acl_reply, "SUBNET_ACL_RESTRICTION", True),
    (network_acl_icmp_reply, "SUBNET_ACL_RESTRICTION", True),
    (asymmetric_scenario, "ASYMMETRIC_RETURN_PATH", True),
    (appliance, "UNSUPPORTED_COMPONENT", False),
    (no_such_address, "NO_POSSIBLE_DESTINATION", False),
    (nat_gateway_inbound, "NAT_GATEWAY_NO_INBOUND", False),
    (terminated_instance, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", False),
    (terminated_sender, "BAD_STATE", False),
]


def _never_proposed(case: Case, analysis) -> list[str]:
    """What no hint may propose, whatever the lab."""
    wrong = []
    for step in analysis.fix_steps:
        if step.verb in ("create_route", "replace_route"):
            table, destination = step.args[0], step.args[1]
            if isinstance(table, str) and case.lab.route_tables[table].main and step.verb == "create_route":
                wrong.append(f"{step}: a route added to the main route table")
            if ip_network(destination).prefixlen == 32:
                wrong.append(f"{step}: a /32 route for one client")
        if step.verb == "modify_vpc_block_public_access_options":
            wrong.append(f"{step}: Block Public Access changed for the whole account")
        if step.verb in ("start_instance", "associate_address"):
            instance = case.lab.instances[step.args[-1] if step.verb == "start_instance" else step.args[1]]
            if instance.state is InstanceState.TERMINATED:
                wrong.append(f"{step}: a terminated instance")
    for lang in LANGUAGES:
        text = analysis.explain(lang)
        if analysis.protocol == "icmp" and "1024-65535" in text:
            wrong.append(f"{lang}: ICMP opened by ports")
    return wrong


@pytest.mark.parametrize(("build", "code", "has_calls"), CASES, ids=[c[0].__name__ for c in CASES])
def test_the_fix_a_hint_proposes_is_accepted_by_the_api_and_changes_the_verdict(build, code, has_calls):
    case = build()
    before = case.analyze()
    assert before.code == code, before.explain("en")
    assert _never_proposed(case, before) == []
    assert bool(before.fix_steps) == has_calls, [str(s) for s in before.fix_steps]
    assert before.fix in fixes.KEYS or not has_calls
    if has_calls:
        fixes.apply(case.lab, before.fix_steps)  # raises if the API refuses a call
        after = case.analyze()
        assert (after.reachable, after.code) != (before.reachable, before.code), after.explain("en")


def test_every_explanation_code_has_a_case_here():
    codes = {key.removeprefix("phrase.") for key in catalog("en") if key.startswith("phrase.")}
    assert codes == {code for _, code, _ in CASES}


def test_a_terminated_instance_is_replaced_never_started_nor_given_an_address():
    for build in (terminated_instance, terminated_sender):
        analysis = build().analyze()
        assert analysis.fix == "replace_terminated" and analysis.fix_steps == ()
        assert "lab.run_instance" in analysis.explain("en") and "start_instance" not in analysis.explain("en")


def test_a_step_reads_as_the_call_a_learner_would_type():
    analysis = no_route_main_table().analyze()
    shown = [str(step) for step in analysis.fix_steps]
    assert shown[0].startswith("lab.create_route_table('vpc-") and shown[1].startswith(
        "lab.create_route(<1>, '0.0.0.0/0'"
    )


def test_a_blocked_reply_is_named_by_its_own_port_and_its_fix_opens_the_ephemeral_range():
    analysis = network_acl_reply().analyze()
    why, _, fix = analysis.explain("en").partition("Fix:")
    assert f"TCP port {analysis.source_port}" in why and "1024-65535" not in why
    assert "TCP port 1024-65535" in fix
    (step,) = analysis.fix_steps
    assert step.verb == "create_network_acl_entry" and step.args[4] == (1024, 65535) and step.args[1] % 10 == 0


def test_moving_a_dual_stack_subnet_off_the_main_table_keeps_its_ipv6_way_out():
    """The IPv4 fix makes the subnet a table of its own: a copy of the main table's routes, so the
    ::/0 route to the egress-only gateway that the subnet used goes with it (one route changes)."""
    lab = Lab()
    vpc = lab.create_vpc("10.0.0.0/16")
    lab.associate_vpc_cidr_block(vpc, amazon_provided_ipv6=True)
    block = vpc.ipv6_cidr_blocks[0]
    subnet = lab.create_subnet(vpc, "10.0.1.0/24", ipv6_cidr=str(next(block.subnets(new_prefix=64))))
    eigw = lab.create_egress_only_internet_gateway(vpc)
    lab.create_route(vpc.main_route_table, "::/0", eigw)
    gateway = lab.create_internet_gateway()
    lab.attach_internet_gateway(gateway, vpc)
    group = lab.create_security_group(vpc, "web", "web")
    lab.authorize_security_group_ingress(group, "tcp", 80, cidr="0.0.0.0/0")
    web = lab.run_instance(subnet, security_groups=[group], ipv6_address_count=1)
    lab.allocate_address()
    lab.associate_address(next(iter(lab.elastic_ips.values())), web)
    assert lab.analyze(web, "internet", "tcp", 443, ip_version=6).reachable
    analysis = lab.analyze("internet", web, "tcp", 80)
    assert not analysis.reachable and analysis.fix_steps
    fixes.apply(lab, analysis.fix_steps)
    assert lab.analyze("internet", web, "tcp", 80).reachable
    assert not lab.route_table_of(subnet).main
    assert lab.analyze(web, "internet", "tcp", 443, ip_version=6).reachable  # still out through the gateway
