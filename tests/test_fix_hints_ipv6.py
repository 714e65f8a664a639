"""What the fix hints for IPv6, the egress-only gateway and Block Public Access propose, call by call.

``test_fix_hints.py`` checks that every proposed fix is accepted and changes the verdict; here, that
each one is the narrowest the lessons allow (fact sheet §12-§14).
"""

from __future__ import annotations

from ipaddress import IPv6Network

from test_fix_hints import (
    block_public_access,
    block_public_access_egress_only_outbound,
    block_public_access_exclusion_of_the_wrong_mode,
    block_public_access_ipv6_inbound,
    block_public_access_nat_gateway,
    block_public_access_outbound,
    block_public_access_outbound_in_ingress_mode,
    egress_only_in_the_main_table,
    egress_only_inbound,
    egress_only_reply,
    no_ipv6_address,
    no_ipv6_address_in_a_dual_stack_subnet,
    no_such_ipv6_address,
)

from vpclab.engine import fixes


def _exclusion(case):
    analysis = case.analyze()
    (step,) = analysis.fix_steps
    return analysis, step


def test_block_public_access_is_answered_with_one_subnet_exclusion_never_by_turning_it_off():
    for build, mode in [
        (block_public_access, "allow-bidirectional"),  # inbound needs both ways
        (block_public_access_outbound, "allow-egress"),  # outbound is enough in block-bidirectional
        (block_public_access_outbound_in_ingress_mode, "allow-bidirectional"),  # allow-egress is ignored there
        (block_public_access_ipv6_inbound, "allow-bidirectional"),
        (block_public_access_egress_only_outbound, "allow-egress"),
    ]:
        case = build()
        analysis, step = _exclusion(case)
        instance = next(i for i in case.lab.instances.values() if i.name == "web")
        assert step.verb == "create_vpc_block_public_access_exclusion", build.__name__
        assert step.kwargs == {"subnet": instance.subnet.id, "mode": mode}, build.__name__
        for lang in ("en", "ko"):
            assert "lab.modify_vpc_block_public_access_options" not in analysis.explain(lang)


def test_block_public_access_on_a_nat_path_excludes_the_nat_gateways_subnet_not_the_private_one():
    case = block_public_access_nat_gateway()
    analysis, step = _exclusion(case)
    nat = next(iter(case.lab.nat_gateways.values()))
    assert analysis.fix == "bpa_exclude_nat_subnet"
    assert step.kwargs == {"subnet": nat.subnet.id, "mode": "allow-egress"} and nat.subnet is not case.source.subnet


def test_an_exclusion_of_the_wrong_mode_is_modified_not_duplicated():
    case = block_public_access_exclusion_of_the_wrong_mode()
    _, step = _exclusion(case)
    (exclusion,) = case.lab.block_public_access_exclusions.values()
    assert step.verb == "modify_vpc_block_public_access_exclusion"
    assert step.args == (exclusion.id, "allow-bidirectional")


def test_a_server_behind_the_egress_only_gateway_gets_the_internet_gateway_and_the_missing_group_rule():
    case = egress_only_inbound()  # no internet gateway; the group allows port 80 over IPv4 only
    analysis = case.analyze()
    verbs = [step.verb for step in analysis.fix_steps]
    assert verbs == [
        "create_internet_gateway",
        "attach_internet_gateway",
        "replace_route",
        "authorize_security_group_ingress",
    ]
    assert analysis.fix_steps[2].args[1] == "::/0"
    fixes.apply(case.lab, analysis.fix_steps)
    assert case.analyze().reachable


def test_a_reply_sent_to_the_egress_only_gateway_is_fixed_by_replacing_that_route():
    case = egress_only_reply()
    analysis = case.analyze()
    (step,) = analysis.fix_steps
    table = case.destination.subnet.route_table_association.route_table
    assert step.verb == "replace_route" and step.args == (
        table.id,
        "::/0",
        case.lab.vpcs[table.vpc.id].internet_gateway.id,
    )
    assert analysis.return_ and not analysis.return_[-1].allowed  # it was the reply that was stopped
    fixes.apply(case.lab, analysis.fix_steps)
    assert case.analyze().reachable


def test_a_subnet_on_the_main_table_gets_a_table_of_its_own_that_keeps_its_other_routes():
    case = egress_only_in_the_main_table()
    main = case.destination.vpc.main_route_table
    before = {str(d): r.target_id for d, r in main.routes.items()}
    analysis = case.analyze()
    assert analysis.fix == "eigw_own_table"
    fixes.apply(case.lab, analysis.fix_steps)
    own = case.lab.route_table_of(case.destination.subnet)
    assert own is not main and {str(d): r.target_id for d, r in main.routes.items()} == before
    assert own.routes[IPv6Network("::/0")].target is case.destination.vpc.internet_gateway
    assert str(own.lookup("198.51.100.1").destination) == "0.0.0.0/0"  # the IPv4 way out is kept
    assert case.analyze().reachable


def test_an_instance_without_ipv6_gets_the_vpc_block_the_subnets_first_free_64_then_one_address():
    case = no_ipv6_address()
    analysis = case.analyze()
    assert [s.verb for s in analysis.fix_steps] == [
        "associate_vpc_cidr_block",
        "associate_subnet_cidr_block",
        "assign_ipv6_addresses",
    ]
    fixes.apply(case.lab, analysis.fix_steps)
    web = case.destination
    assert analysis.fix_steps[1].args[1] == str(web.subnet.ipv6_cidr_block)  # the /56 was known ahead
    assert web.subnet.ipv6_cidr_block == next(web.vpc.ipv6_cidr_blocks[0].subnets(new_prefix=64))
    assert len(web.ipv6_addresses) == 1 and web.ipv6_addresses[0] in web.subnet.ipv6_cidr_block


def test_an_instance_in_a_dual_stack_subnet_only_gets_an_address():
    analysis = no_ipv6_address_in_a_dual_stack_subnet().analyze()
    assert [str(s) for s in analysis.fix_steps] == [
        f"lab.assign_ipv6_addresses({analysis.values['instance_id']!r}, ipv6_address_count=1)"
    ]


def test_an_ipv6_address_that_nobody_holds_is_answered_in_words_only():
    # A mistyped or stale address: giving it to some instance would guess what the learner meant.
    analysis = no_such_ipv6_address().analyze()
    assert analysis.code == "NO_POSSIBLE_DESTINATION" and analysis.fix == "no_destination"
    assert analysis.fix_steps == ()
