"""Security groups: allow rules only, sources as CIDRs or groups, and what blocks a delete (§5)."""

import pytest
from conftest import assert_unchanged

import vpclab


def rules(group, egress=False):
    return [
        (
            r.protocol.value,
            None if r.ports is None else (r.ports.first, r.ports.last),
            str(r.cidr) if r.cidr is not None else r.group_id,
        )
        for r in (group.egress if egress else group.ingress)
    ]


@pytest.fixture
def web(public_web_vpc):
    return public_web_vpc.lab, public_web_vpc.web_sg


# ---- creating groups --------------------------------------------------------------------------
def test_new_group_allows_all_outbound_and_nothing_inbound(vpc_lab):
    group = vpc_lab.lab.create_security_group(vpc_lab.vpc.id, "app", "app servers")
    assert (group.group_name, group.description, group.vpc) == ("app", "app servers", vpc_lab.vpc)
    assert rules(group) == []
    assert rules(group, egress=True) == [("-1", None, "0.0.0.0/0")]
    assert not group.is_default


def test_description_defaults_to_the_name(vpc_lab):
    assert vpc_lab.lab.create_security_group(vpc_lab.vpc, "db").description == "db"


@pytest.mark.parametrize(("name", "code"), [("default", "InvalidGroup.Reserved"), ("  ", "MissingParameter")])
def test_reserved_or_empty_group_name_is_refused(vpc_lab, name, code):
    lab = vpc_lab.lab
    assert_unchanged(lab, lambda: lab.create_security_group(vpc_lab.vpc, name), code)


def test_duplicate_group_name_in_a_vpc_is_invalid_group_duplicate(web):
    lab, group = web
    assert_unchanged(lab, lambda: lab.create_security_group(group.vpc, "web"), "InvalidGroup.Duplicate")
    other = lab.create_vpc("10.9.0.0/16")
    assert lab.create_security_group(other, "web").vpc is other  # names are per VPC


# ---- rules ------------------------------------------------------------------------------------
def test_fixture_group_allows_http_and_https_from_anywhere(web):
    _, group = web
    assert rules(group) == [("tcp", (80, 80), "0.0.0.0/0"), ("tcp", (443, 443), "0.0.0.0/0")]


def test_security_group_rules_are_allow_rules_only(web):
    _, group = web
    assert all(not hasattr(rule, "action") for rule in group.rules)


@pytest.mark.parametrize(
    ("protocol", "expected"),
    [
        ("tcp", "tcp"),
        ("TCP", "tcp"),
        ("6", "tcp"),
        ("udp", "udp"),
        ("17", "udp"),
        ("icmp", "icmp"),
        ("1", "icmp"),
        ("-1", "-1"),
        ("all", "-1"),
        (-1, "-1"),
    ],
)
def test_protocol_accepts_aws_spellings(web, protocol, expected):
    lab, group = web
    rule = lab.authorize_security_group_ingress(group, protocol, 22, cidr="192.0.2.0/24")
    assert rule.protocol.value == expected


@pytest.mark.parametrize("protocol", ["gre", "47", "", None, True])
def test_unknown_protocol_is_invalid_parameter_value(web, protocol):
    lab, group = web
    call = lambda: lab.authorize_security_group_ingress(group, protocol, 22, cidr="192.0.2.0/24")  # noqa: E731
    assert_unchanged(lab, call, "InvalidParameterValue")


@pytest.mark.parametrize(
    ("protocol", "port", "expected"),
    [
        ("tcp", 22, (22, 22)),
        ("tcp", (1024, 65535), (1024, 65535)),
        ("udp", [53, 53], (53, 53)),
        ("tcp", None, (0, 65535)),
        ("icmp", None, (-1, -1)),
        ("icmp", 8, (8, -1)),
        ("icmp", (3, 4), (3, 4)),
        ("-1", 80, None),
        ("all", None, None),
    ],
)
def test_ports_are_one_port_a_range_or_none_for_all(web, protocol, port, expected):
    lab, group = web
    rule = lab.authorize_security_group_ingress(group, protocol, port, cidr="192.0.2.0/24")
    assert (None if rule.ports is None else (rule.ports.first, rule.ports.last)) == expected


@pytest.mark.parametrize(
    ("protocol", "port"),
    [
        ("tcp", 70000),
        ("tcp", -1),
        ("tcp", (443, 80)),
        ("tcp", "80"),
        ("tcp", (1, 2, 3)),
        ("udp", True),
        ("icmp", 300),
        ("icmp", (-1, 0)),
    ],
)
def test_bad_ports_are_invalid_parameter_value(web, protocol, port):
    lab, group = web
    call = lambda: lab.authorize_security_group_ingress(group, protocol, port, cidr="192.0.2.0/24")  # noqa: E731
    assert_unchanged(lab, call, "InvalidParameterValue")


def test_duplicate_rule_is_invalid_permission_duplicate(web):
    lab, group = web
    call = lambda: lab.authorize_security_group_ingress(group.id, "TCP", 80, cidr="0.0.0.0/0")  # noqa: E731
    assert_unchanged(lab, call, "InvalidPermission.Duplicate")


def test_all_protocols_rule_ignores_ports_when_checking_duplicates(web):
    lab, group = web
    lab.authorize_security_group_egress(group, "-1", None, cidr="10.0.0.0/16")
    call = lambda: lab.authorize_security_group_egress(group, "all", 443, cidr="10.0.0.0/16")  # noqa: E731
    assert_unchanged(lab, call, "InvalidPermission.Duplicate")


def test_revoking_a_rule_removes_it(web):
    lab, group = web
    lab.revoke_security_group_ingress(group, "tcp", 80, cidr="0.0.0.0/0")
    assert rules(group) == [("tcp", (443, 443), "0.0.0.0/0")]
    lab.revoke_security_group_egress(group.id, "-1", None, cidr="0.0.0.0/0")
    assert rules(group, egress=True) == []


@pytest.mark.parametrize("egress", [False, True])
def test_revoking_a_missing_rule_is_invalid_permission_not_found(web, egress):
    lab, group = web
    verb = lab.revoke_security_group_egress if egress else lab.revoke_security_group_ingress
    assert_unchanged(lab, lambda: verb(group, "tcp", 22, cidr="0.0.0.0/0"), "InvalidPermission.NotFound")


@pytest.mark.parametrize(
    ("cidr", "source", "code"),
    [
        (None, None, "MissingParameter"),
        ("0.0.0.0/0", "sg", "InvalidParameterCombination"),
        ("0.0.0.0/33", None, "InvalidParameterValue"),
        (None, "sg-00000000000000000", "InvalidGroup.NotFound"),
    ],
)
def test_rule_needs_exactly_one_valid_peer(web, cidr, source, code):
    lab, group = web
    source = group if source == "sg" else source
    call = lambda: lab.authorize_security_group_ingress(group, "tcp", 22, cidr=cidr, source_group=source)  # noqa: E731
    assert_unchanged(lab, call, code)


def test_source_group_is_stored_by_id(web):
    lab, group = web
    app = lab.create_security_group(group.vpc, "app")
    lab.authorize_security_group_ingress(app, "tcp", 8080, source_group=group.id)
    assert rules(app) == [("tcp", (8080, 8080), group.id)]


def test_source_group_from_another_vpc_is_invalid_group_not_found(web):
    lab, group = web
    foreign = lab.create_security_group(lab.create_vpc("10.9.0.0/16"), "foreign")
    call = lambda: lab.authorize_security_group_ingress(group, "tcp", 22, source_group=foreign)  # noqa: E731
    assert_unchanged(lab, call, "InvalidGroup.NotFound")


def test_sixty_first_rule_in_a_direction_is_rules_per_security_group_limit_exceeded(vpc_lab):
    lab = vpc_lab.lab
    group = lab.create_security_group(vpc_lab.vpc, "many")
    for port in range(60):
        lab.authorize_security_group_ingress(group, "tcp", 1000 + port, cidr="0.0.0.0/0")
    call = lambda: lab.authorize_security_group_ingress(group, "tcp", 22, cidr="0.0.0.0/0")  # noqa: E731
    assert_unchanged(lab, call, "RulesPerSecurityGroupLimitExceeded")


def test_default_group_rules_can_be_changed(vpc_lab):
    lab = vpc_lab.lab
    default = lab.default_security_group(vpc_lab.vpc)
    lab.revoke_security_group_ingress(default, "-1", None, source_group=default)
    assert default.ingress == []


# ---- deleting groups --------------------------------------------------------------------------
def test_default_group_cannot_be_deleted(vpc_lab):
    lab = vpc_lab.lab
    default = lab.default_security_group(vpc_lab.vpc)
    assert_unchanged(lab, lambda: lab.delete_security_group(default.id), "CannotDelete")


@pytest.mark.parametrize("state", ["running", "stopped"])
def test_group_on_an_instance_cannot_be_deleted(public_web_vpc, state):
    s = public_web_vpc
    if state == "stopped":
        s.lab.stop_instance(s.web)
    assert_unchanged(s.lab, lambda: s.lab.delete_security_group(s.web_sg), "DependencyViolation")


def test_group_of_a_terminated_instance_can_be_deleted(public_web_vpc):
    s = public_web_vpc
    s.lab.terminate_instance(s.web)
    s.lab.delete_security_group(s.web_sg.id)
    assert s.web_sg.id not in s.lab.security_groups
    assert s.web.security_groups == []  # the terminated record no longer names it
    saved = s.lab.to_json()
    assert vpclab.Lab.from_json(saved).to_json() == saved


def test_group_named_in_another_groups_rule_cannot_be_deleted(vpc_lab):
    lab = vpc_lab.lab
    db, app = (lab.create_security_group(vpc_lab.vpc, n) for n in ("db", "app"))
    lab.authorize_security_group_ingress(db, "tcp", 5432, source_group=app)
    assert_unchanged(lab, lambda: lab.delete_security_group(app), "DependencyViolation")
    lab.delete_security_group(db)
    lab.delete_security_group(app)


def test_group_that_only_references_itself_can_be_deleted(vpc_lab):
    lab = vpc_lab.lab
    cluster = lab.create_security_group(vpc_lab.vpc, "cluster")
    lab.authorize_security_group_ingress(cluster, "-1", None, source_group=cluster)
    lab.delete_security_group(cluster)
    assert cluster.id not in lab.security_groups


def test_deleting_an_unknown_group_is_invalid_group_not_found(lab):
    assert_unchanged(lab, lambda: lab.delete_security_group("sg-00000000000000000"), "InvalidGroup.NotFound")


# ---- groups on instances ----------------------------------------------------------------------
def test_instance_may_carry_groups_given_by_id(public_web_vpc):
    s = public_web_vpc
    app = s.lab.create_security_group(s.vpc, "app")
    instance = s.lab.run_instance(s.private, security_groups=[s.web_sg.id, app.id, s.web_sg])
    assert instance.security_groups == [s.web_sg, app]


def test_launching_with_a_group_of_another_vpc_is_invalid_parameter(public_web_vpc):
    s = public_web_vpc
    foreign = s.lab.create_security_group(s.lab.create_vpc("10.9.0.0/16"), "foreign")
    assert_unchanged(s.lab, lambda: s.lab.run_instance(s.private, security_groups=[foreign]), "InvalidParameter")


def test_more_than_five_groups_on_an_instance_is_security_groups_per_interface_limit_exceeded(
    vpc_lab,
):
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    subnet = lab.create_subnet(vpc, "10.0.1.0/24")
    groups = [lab.create_security_group(vpc, f"g{n}") for n in range(6)]
    assert len(lab.run_instance(subnet, security_groups=groups[:5]).security_groups) == 5
    call = lambda: lab.run_instance(subnet, security_groups=groups)  # noqa: E731
    assert_unchanged(lab, call, "SecurityGroupsPerInterfaceLimitExceeded")


def test_launching_with_an_unknown_group_is_invalid_group_not_found(public_web_vpc):
    s = public_web_vpc
    call = lambda: s.lab.run_instance(s.private, security_groups="sg-00000000000000000")  # noqa: E731
    assert_unchanged(s.lab, call, "InvalidGroup.NotFound")


def test_launching_with_an_empty_group_list_is_invalid_parameter_value(public_web_vpc):
    s = public_web_vpc
    assert_unchanged(s.lab, lambda: s.lab.run_instance(s.private, security_groups=[]), "InvalidParameterValue")
