"""a04 — Repair a VPC with several faults at once; open nothing new.

Start: the faults of ``vpclab.scenarios.broken("several")``, built here with names of its own so that
grading never changes when a lesson's scenario does: the public route table lost its default route,
the security group lost HTTP (80) and got 8080 instead, and the subnet's custom network ACL lets
replies out only to ports 80 and 443, not to the clients' ephemeral ports. Each fault hides the next
one from ``analyze``, which names only the first component that blocks.
"""

from __future__ import annotations

from ...lab import Lab
from .. import lookup
from ..checks import Verdict, check
from . import _common

ASSIGNMENT = "a04_repair_several_faults"


def start() -> Lab:
    lab = Lab()
    vpc = lab.create_vpc("10.0.0.0/16", name="shop-vpc")
    public = lab.create_subnet(vpc, "10.0.1.0/24", name="public-a")
    igw = lab.create_internet_gateway(name="shop-igw")
    lab.attach_internet_gateway(igw, vpc)
    public_rt = lab.create_route_table(vpc, name="public-rt")  # fault 1: no default route to the gateway
    lab.associate_route_table(public_rt, public)
    web_sg = lab.create_security_group(vpc, "web-sg", "web server")
    for port in (8080, 443):  # fault 2: 8080 where 80 should be
        lab.authorize_security_group_ingress(web_sg, "tcp", port, cidr="0.0.0.0/0")
    web = lab.run_instance(public, name="web", security_groups=[web_sg])
    lab.associate_address(lab.allocate_address(name="web-eip"), web)
    web_acl = lab.create_network_acl(vpc, name="web-acl")  # fault 3: replies only to ports 80 and 443
    for number, port in ((100, 80), (110, 443)):
        lab.create_network_acl_entry(web_acl, number, False, "tcp", port, "0.0.0.0/0", "allow")
        lab.create_network_acl_entry(web_acl, number, True, "tcp", port, "0.0.0.0/0", "allow")
    lab.replace_network_acl_association(web_acl, public)
    return lab


def _serves(lab, port: int) -> Verdict:
    failure = _common.serves(lab, "web", (port,), _common.CLIENT_PORTS)
    return Verdict.ok() if failure is None else Verdict.fail(**failure)


@check(ASSIGNMENT, "http", points=4)
def http(lab) -> Verdict:
    """The internet reaches the web server on HTTP (80), from Linux and from Windows clients."""
    return _serves(lab, 80)


@check(ASSIGNMENT, "https", points=2)
def https(lab) -> Verdict:
    """The internet reaches it on HTTPS (443) too, from Linux and from Windows clients."""
    return _serves(lab, 443)


@check(ASSIGNMENT, "nothing_else", points=2)
def nothing_else(lab) -> Verdict:
    """The internet reaches 80 and 443 on the web server and nothing else (8080 is gone)."""
    web = lookup.instance(lab, "web")
    if web is None or not _common.exposure_of(lab, web).inbound:
        # Judged on its own, but nothing open at all (nothing works yet) is not "nothing else".
        return Verdict.fail(extra=_common.NONE)
    extra = _common.extra_exposure(lab, web)
    return Verdict.fail(extra=", ".join(extra)) if extra else Verdict.ok()
