"""Network ACLs: numbered rules, lowest first, the ``*`` deny last, one ACL per subnet (§6)."""

import pytest
from conftest import assert_unchanged

STAR = 32767


def numbers(acl, egress=False):
    return [e.rule_number for e in acl.rules(egress)]


@pytest.fixture
def custom_acl(public_web_vpc):
    """The fixture VPC plus an empty custom ACL."""
    s = public_web_vpc
    return s.lab, s.lab.create_network_acl(s.vpc, name="custom"), s


def test_new_custom_acl_denies_everything_with_only_the_star_rules(custom_acl):
    _, acl, s = custom_acl
    assert not acl.is_default and acl.vpc is s.vpc
    for egress in (False, True):
        [star] = acl.rules(egress)
        assert (star.rule_number, star.action.value, star.protocol.value) == (STAR, "deny", "-1")
        assert str(star.cidr) == "0.0.0.0/0"
    assert [e.rule_number for e in acl.inbound] == [STAR]
    assert [e.rule_number for e in acl.outbound] == [STAR]


def test_rules_are_listed_in_evaluation_order_with_the_star_rule_last(custom_acl):
    lab, acl, _ = custom_acl
    for number in (200, 100, 150):
        lab.create_network_acl_entry(acl, number, False, "tcp", 80, "0.0.0.0/0", "allow")
    lab.create_network_acl_entry(acl.id, 120, False, "-1", None, "192.0.2.0/24", "deny")
    assert numbers(acl) == [100, 120, 150, 200, STAR]
    assert [e.action.value for e in acl.rules(False)] == ["allow", "deny", "allow", "allow", "deny"]
    assert numbers(acl, egress=True) == [STAR]


@pytest.mark.parametrize("number", [1, 32766])
def test_rule_numbers_1_and_32766_are_accepted(custom_acl, number):
    lab, acl, _ = custom_acl
    lab.create_network_acl_entry(acl, number, True, "tcp", (1024, 65535), "0.0.0.0/0", "allow")
    assert numbers(acl, egress=True) == [number, STAR]


@pytest.mark.parametrize("number", [0, -5, 32767, 40000, 65535, "100", 100.0, True, None])
def test_rule_number_outside_1_to_32766_is_invalid_parameter_value(custom_acl, number):
    lab, acl, _ = custom_acl
    call = lambda: lab.create_network_acl_entry(acl, number, False, "tcp", 80, "0.0.0.0/0", "allow")  # noqa: E731
    assert_unchanged(lab, call, "InvalidParameterValue")


def test_duplicate_rule_number_in_one_direction_is_network_acl_entry_already_exists(custom_acl):
    lab, acl, _ = custom_acl
    lab.create_network_acl_entry(acl, 100, False, "tcp", 80, "0.0.0.0/0", "allow")
    call = lambda: lab.create_network_acl_entry(acl, 100, False, "udp", 53, "10.0.0.0/8", "deny")  # noqa: E731
    assert_unchanged(lab, call, "NetworkAclEntryAlreadyExists")


def test_same_rule_number_in_the_other_direction_is_fine(custom_acl):
    lab, acl, _ = custom_acl
    lab.create_network_acl_entry(acl, 100, False, "tcp", 80, "0.0.0.0/0", "allow")
    lab.create_network_acl_entry(acl, 100, True, "tcp", (1024, 65535), "0.0.0.0/0", "allow")
    assert numbers(acl) == numbers(acl, egress=True) == [100, STAR]


def test_entry_fields_are_parsed_and_canonicalised(custom_acl):
    lab, acl, _ = custom_acl
    entry = lab.create_network_acl_entry(acl, 10, False, "TCP", (22, 22), "192.0.2.77/24", "DENY")
    assert (entry.protocol.value, entry.ports.first, entry.ports.last) == ("tcp", 22, 22)
    assert (str(entry.cidr), entry.action.value, entry.egress) == ("192.0.2.0/24", "deny", False)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("action", "reject"),
        ("action", None),
        ("egress", "yes"),
        ("protocol", "gre"),
        ("port", 70000),
        ("cidr", "0.0.0.0"),
        ("cidr", "::/200"),
    ],
)
def test_bad_entry_field_is_invalid_parameter_value(custom_acl, field, value):
    lab, acl, _ = custom_acl
    args = {"egress": False, "protocol": "tcp", "port": 80, "cidr": "0.0.0.0/0", "action": "allow"}
    args[field] = value
    assert_unchanged(lab, lambda: lab.create_network_acl_entry(acl, 100, **args), "InvalidParameterValue")


def test_twenty_first_entry_in_a_direction_is_network_acl_entry_limit_exceeded(custom_acl):
    lab, acl, _ = custom_acl
    for n in range(20):
        lab.create_network_acl_entry(acl, n + 1, False, "tcp", 1000 + n, "0.0.0.0/0", "allow")
    call = lambda: lab.create_network_acl_entry(acl, 99, False, "tcp", 22, "0.0.0.0/0", "allow")  # noqa: E731
    assert_unchanged(lab, call, "NetworkAclEntryLimitExceeded")


def test_deleting_an_entry_removes_only_that_direction(vpc_lab):
    lab = vpc_lab.lab
    acl = lab.default_network_acl(vpc_lab.vpc)
    lab.delete_network_acl_entry(acl.id, 100, False)
    assert numbers(acl) == [STAR] and numbers(acl, egress=True) == [100, STAR]


@pytest.mark.parametrize(("number", "egress"), [(200, False), (100, True)])
def test_deleting_a_missing_entry_is_invalid_network_acl_entry_not_found(custom_acl, number, egress):
    lab, acl, _ = custom_acl
    lab.create_network_acl_entry(acl, 100, False, "tcp", 80, "0.0.0.0/0", "allow")
    assert_unchanged(lab, lambda: lab.delete_network_acl_entry(acl, number, egress), "InvalidNetworkAclEntry.NotFound")


def test_star_rule_cannot_be_deleted(vpc_lab):
    lab = vpc_lab.lab
    acl = lab.default_network_acl(vpc_lab.vpc)
    assert_unchanged(lab, lambda: lab.delete_network_acl_entry(acl, STAR, False), "InvalidParameterValue")


def test_replacing_an_entry_changes_it_in_place(vpc_lab):
    lab = vpc_lab.lab
    acl = lab.default_network_acl(vpc_lab.vpc)
    lab.replace_network_acl_entry(acl, 100, False, "tcp", 443, "0.0.0.0/0", "allow")
    [entry, _] = acl.rules(False)
    assert (entry.rule_number, entry.protocol.value, entry.ports.first) == (100, "tcp", 443)
    call = lambda: lab.replace_network_acl_entry(acl, 7, False, "tcp", 443, "0.0.0.0/0", "allow")  # noqa: E731
    assert_unchanged(lab, call, "InvalidNetworkAclEntry.NotFound")


# ---- associations -----------------------------------------------------------------------------
def test_every_subnet_has_exactly_one_acl_starting_with_the_default(public_web_vpc):
    s = public_web_vpc
    default = s.lab.default_network_acl(s.vpc)
    for subnet in (s.public, s.private):
        assert s.lab.network_acl_of(subnet) is default
        assert subnet.network_acl_association_id.startswith("aclassoc-")


def test_replacing_the_association_moves_the_subnet_to_the_new_acl(custom_acl):
    lab, acl, s = custom_acl
    old = s.public.network_acl_association_id
    new = lab.replace_network_acl_association(acl.id, s.public.id)
    assert new != old and s.public.network_acl_association_id == new
    assert lab.network_acl_of(s.public) is acl
    assert lab.network_acl_of(s.private) is lab.default_network_acl(s.vpc)


def test_acl_of_another_vpc_cannot_serve_a_subnet(public_web_vpc):
    s = public_web_vpc
    foreign = s.lab.create_network_acl(s.lab.create_vpc("10.9.0.0/16"))
    assert_unchanged(s.lab, lambda: s.lab.replace_network_acl_association(foreign, s.public), "InvalidParameterValue")


def test_acl_in_use_cannot_be_deleted_until_its_subnets_move_back(custom_acl):
    lab, acl, s = custom_acl
    lab.replace_network_acl_association(acl, s.private)
    assert_unchanged(lab, lambda: lab.delete_network_acl(acl), "DependencyViolation")
    lab.replace_network_acl_association(lab.default_network_acl(s.vpc), s.private)
    lab.delete_network_acl(acl.id)
    assert acl.id not in lab.network_acls


def test_default_acl_cannot_be_deleted(vpc_lab):
    lab = vpc_lab.lab
    acl = lab.default_network_acl(vpc_lab.vpc)
    assert_unchanged(lab, lambda: lab.delete_network_acl(acl), "InvalidParameterValue")


@pytest.mark.parametrize("verb", ["delete_network_acl", "create_network_acl_entry"])
def test_unknown_acl_is_invalid_network_acl_id_not_found(lab, verb):
    calls = {
        "delete_network_acl": lambda: lab.delete_network_acl("acl-00000000000000000"),
        "create_network_acl_entry": lambda: lab.create_network_acl_entry(
            "acl-00000000000000000", 100, False, "tcp", 80, "0.0.0.0/0", "allow"
        ),
    }
    assert_unchanged(lab, calls[verb], "InvalidNetworkAclID.NotFound")


def test_acl_in_an_unknown_vpc_is_invalid_vpc_id_not_found_and_uses_up_no_id(lab):
    assert_unchanged(lab, lambda: lab.create_network_acl("vpc-00000000000000000"), "InvalidVpcID.NotFound")
