"""Checks mean what they say: for every check of the eight assignments, a near-miss — a lab that
is almost right — fails it. "Reachable from the internet" means from the internet at large, so a
rule open to one host (a /32) or a narrow range fails; "nothing else is open" is judged on its own.

The correct designs come from ``tests/test_assignments.py``; each near-miss changes one thing.
"""

from __future__ import annotations

import pytest
from test_assignments import (
    _a02_office_network_instead_of_the_admin,
    _a03_nat_but_app_keeps_its_address,
    _a03_nat_in_the_private_subnet,
    _a04_repaired_but_8080_kept,
    _a05_back_to_the_default_acl,
    _a05_deny_after_the_allow,
    _a05_linux_range_only,
    _a06_elastic_ip_plus_an_idle_one,
    _a07_idle_addresses_only,
    _a07_nat_gateway_deleted,
    _a08_database_in_the_public_subnet,
    _a08_isolated_lab,
    a01_elastic_ip_and_custom_table,
    a05_narrow_inbound_rule_and_client_ranges,
    a08_classic_design,
    score,
    start,
)

from vpclab.grading import lookup
from vpclab.grading.assignments._common import covers_internet
from vpclab.grading.checks import checks_of

ONE_HOST = "198.51.100.7/32"
NARROW = "203.0.113.0/24"


def narrowed(lab, group: str, port: int, cidr: str = ONE_HOST):
    """``group``'s rule for ``port`` from anywhere, replaced by one from ``cidr`` only."""
    sg = lookup.named(lab, group)
    lab.revoke_security_group_ingress(sg, "tcp", port, cidr="0.0.0.0/0")
    lab.authorize_security_group_ingress(sg, "tcp", port, cidr=cidr)
    return lab


def a02_correct():
    lab = start("a02_ssh_admin_only")
    return narrowed(lab, "web-sg", 22, "203.0.113.10/32")


def a03_correct():
    lab = start("a03_private_updates")
    public, private_rt, app_eip = lookup.named(lab, "public-a", "private-rt", "app-eip")
    lab.disassociate_address(app_eip)
    lab.replace_route(private_rt, "0.0.0.0/0", lab.create_nat_gateway(public, app_eip))
    return lab


def a04_correct():
    lab = start("a04_repair_several_faults")
    public_rt, igw, web_sg, web_acl = lookup.named(lab, "public-rt", "shop-igw", "web-sg", "web-acl")
    lab.create_route(public_rt, "0.0.0.0/0", igw)
    lab.authorize_security_group_ingress(web_sg, "tcp", 80, cidr="0.0.0.0/0")
    lab.revoke_security_group_ingress(web_sg, "tcp", 8080, cidr="0.0.0.0/0")
    lab.create_network_acl_entry(web_acl, 120, True, "tcp", (1024, 65535), "0.0.0.0/0", "allow")
    return lab


def a06_correct():
    lab = start("a06_elastic_vs_auto")
    lab.associate_address(lab.allocate_address(name="web-eip"), lookup.named(lab, "web"))
    return lab


def a07_correct():
    lab = start("a07_cut_cost")
    lab.disassociate_address(lookup.named(lab, "app-eip"))
    for name in ("app-eip", "old-test", "spare"):
        lab.release_address(lookup.named(lab, name))
    return lab


def _a01_http_for_one_host():
    return narrowed(a01_elastic_ip_and_custom_table(), "web-sg", 80)


def _a01_https_for_a_narrow_range():
    return narrowed(a01_elastic_ip_and_custom_table(), "web-sg", 443, NARROW)


def _a01_ssh_for_one_host():
    lab = a01_elastic_ip_and_custom_table()
    lab.authorize_security_group_ingress(lookup.named(lab, "web-sg"), "tcp", 22, cidr="203.0.113.10/32")
    return lab


def _a02_website_for_one_host():
    return narrowed(a02_correct(), "web-sg", 80)


def _a02_rdp_for_the_administrator_too():
    lab = a02_correct()
    lab.authorize_security_group_ingress(lookup.named(lab, "web-sg"), "tcp", 3389, cidr="203.0.113.10/32")
    return lab


def _a03_app_restricted_to_one_host_but_still_public():
    return narrowed(start("a03_private_updates"), "app-sg", 8080)


def _a04_http_for_one_host():
    return narrowed(a04_correct(), "web-sg", 80)


def _a04_acl_lets_https_in_from_a_narrow_range():
    lab = a04_correct()
    lab.replace_network_acl_entry(lookup.named(lab, "web-acl"), 110, False, "tcp", 443, NARROW, "allow")
    return lab


def _a05_windows_range_only():
    lab = start("a05_acl_ephemeral")
    acl = lookup.named(lab, "web-acl")
    lab.replace_network_acl_entry(acl, 100, False, "tcp", 80, "0.0.0.0/0", "allow")
    lab.create_network_acl_entry(acl, 110, True, "tcp", (49152, 65535), "0.0.0.0/0", "allow")
    return lab


def _a05_acl_lets_http_in_from_a_narrow_range():
    lab = a05_narrow_inbound_rule_and_client_ranges()
    lab.replace_network_acl_entry(lookup.named(lab, "web-acl"), 100, False, "tcp", 80, NARROW, "allow")
    return lab


def _a06_elastic_ip_left_unassociated():
    lab = start("a06_elastic_vs_auto")
    lab.allocate_address(name="web-eip")
    return lab


def _a06_customers_from_one_host_only():
    return narrowed(a06_correct(), "web-sg", 80)


def _a07_cut_but_website_for_one_host():
    return narrowed(a07_correct(), "web-sg", 443)


def _a08_web_for_one_host():
    return narrowed(a08_classic_design(), "web-sg", 443)


def _a08_database_open_to_the_wrong_network():
    lab = a08_classic_design()
    db_sg = lookup.named(lab, "db-sg")
    lab.revoke_security_group_ingress(db_sg, "tcp", 5432, source_group=lookup.named(lab, "web-sg"))
    lab.authorize_security_group_ingress(db_sg, "tcp", 5432, cidr="10.0.9.0/24")
    return lab


NEAR_MISSES = [
    ("a01_web_server", _a01_http_for_one_host, {"http"}),
    ("a01_web_server", _a01_https_for_a_narrow_range, {"https"}),
    ("a01_web_server", _a01_ssh_for_one_host, {"nothing_else"}),
    ("a02_ssh_admin_only", _a02_office_network_instead_of_the_admin, {"admin_only", "nothing_else"}),
    ("a02_ssh_admin_only", _a02_website_for_one_host, {"web_still_up"}),
    ("a02_ssh_admin_only", _a02_rdp_for_the_administrator_too, {"nothing_else"}),
    ("a03_private_updates", _a03_nat_in_the_private_subnet, {"updates_via_nat"}),
    (
        "a03_private_updates",
        _a03_app_restricted_to_one_host_but_still_public,
        {"updates_via_nat", "unreachable", "no_public_address"},
    ),
    ("a03_private_updates", _a03_nat_but_app_keeps_its_address, {"no_public_address"}),
    ("a04_repair_several_faults", _a04_http_for_one_host, {"http"}),
    ("a04_repair_several_faults", _a04_acl_lets_https_in_from_a_narrow_range, {"https"}),
    ("a04_repair_several_faults", _a04_repaired_but_8080_kept, {"nothing_else"}),
    ("a05_acl_ephemeral", _a05_windows_range_only, {"http_linux"}),
    ("a05_acl_ephemeral", _a05_linux_range_only, {"http_windows"}),
    ("a05_acl_ephemeral", _a05_acl_lets_http_in_from_a_narrow_range, {"http_linux", "http_windows"}),
    ("a05_acl_ephemeral", _a05_deny_after_the_allow, {"ssh_denied"}),
    ("a05_acl_ephemeral", _a05_back_to_the_default_acl, {"http_linux", "http_windows", "ssh_denied"}),
    (
        "a06_elastic_vs_auto",
        _a06_elastic_ip_left_unassociated,
        {"keeps_address", "reachable_after_restart", "no_idle_address"},
    ),
    ("a06_elastic_vs_auto", _a06_customers_from_one_host_only, {"reachable_after_restart"}),
    ("a06_elastic_vs_auto", _a06_elastic_ip_plus_an_idle_one, {"no_idle_address"}),
    ("a07_cut_cost", _a07_idle_addresses_only, {"cost_below"}),
    ("a07_cut_cost", _a07_cut_but_website_for_one_host, {"cost_below", "web_still_up"}),
    ("a07_cut_cost", _a07_nat_gateway_deleted, {"cost_below", "updates_still_work"}),
    ("a08_open_design", _a08_web_for_one_host, {"web_https", "db_private"}),
    ("a08_open_design", _a08_database_in_the_public_subnet, {"db_private", "db_updates"}),
    ("a08_open_design", _a08_database_open_to_the_wrong_network, {"web_to_db"}),
    ("a08_open_design", _a08_isolated_lab, {"web_https", "db_private", "db_updates"}),
]
IDS = [b.__name__.strip("_") for _, b, _ in NEAR_MISSES]


@pytest.mark.parametrize(("assignment", "build", "failing"), NEAR_MISSES, ids=IDS)
def test_a_near_miss_fails_exactly_the_checks_it_misses(assignment, build, failing):
    result = score(assignment, build())
    assert {check_id for check_id, passed in result.items() if not passed} == failing


@pytest.mark.parametrize("assignment", sorted({a for a, _, _ in NEAR_MISSES}))
def test_every_check_has_a_near_miss_that_fails_it(assignment):
    missed = set().union(*(failing for a, _, failing in NEAR_MISSES if a == assignment))
    assert missed == set(checks_of(assignment))


@pytest.mark.parametrize(
    "build", [a02_correct, a03_correct, a04_correct, a06_correct, a07_correct], ids=lambda b: b.__name__
)
def test_the_correct_labs_the_near_misses_start_from_earn_full_marks(build):
    assignment = {"a02": "a02_ssh_admin_only", "a03": "a03_private_updates", "a04": "a04_repair_several_faults",
                  "a06": "a06_elastic_vs_auto", "a07": "a07_cut_cost"}[build.__name__[:3]]  # fmt: skip
    assert all(score(assignment, build()).values())


def test_the_internet_at_large_is_all_of_it_split_any_way_but_not_less():
    from ipaddress import ip_network

    assert covers_internet([ip_network("0.0.0.0/0")])
    assert covers_internet([ip_network("0.0.0.0/1"), ip_network("128.0.0.0/1")])
    assert not covers_internet([ip_network("0.0.0.0/1")])
    assert not covers_internet([ip_network(ONE_HOST)])
