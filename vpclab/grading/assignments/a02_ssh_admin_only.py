"""a02 — Let only the administrator (203.0.113.10/32) log in with SSH; the website stays up.

Start: a working public web server whose security group also lets SSH (tcp 22) in from 0.0.0.0/0.
Any correct design passes (a narrower security-group rule, a network ACL, or both): the checks ask
the engine who reaches port 22 and whether 80 and 443 still answer.
"""

from __future__ import annotations

from ipaddress import ip_network

from ...lab import Lab
from .. import lookup
from ..checks import Verdict, check
from . import _common

ASSIGNMENT = "a02_ssh_admin_only"
ADMIN = "203.0.113.10"
ADMIN_CIDR = "203.0.113.10/32"
OTHER_HOST = "198.51.100.7"  # someone else on the internet


def start() -> Lab:
    lab = Lab()
    vpc = lab.create_vpc("10.0.0.0/16", name="shop-vpc")
    subnet = lab.create_subnet(vpc, "10.0.1.0/24", name="public-a")
    igw = lab.create_internet_gateway(name="shop-igw")
    lab.attach_internet_gateway(igw, vpc)
    table = lab.create_route_table(vpc, name="public-rt")
    lab.create_route(table, "0.0.0.0/0", igw)
    lab.associate_route_table(table, subnet)
    group = lab.create_security_group(vpc, "web-sg", "web server")
    for port in (80, 443, 22):  # 22 from anywhere: "just for a quick fix", never closed again
        lab.authorize_security_group_ingress(group, "tcp", port, cidr="0.0.0.0/0")
    web = lab.run_instance(subnet, name="web", security_groups=[group])
    lab.associate_address(lab.allocate_address(name="web-eip"), web)
    return lab


def _ssh_open_to_others(lab, web) -> str | None:
    """The first internet source beyond the administrator that reaches port 22 (None: none)."""
    admin = ip_network(ADMIN_CIDR)
    wider = [s for s in _common.sources_of(lab, web, 22) if not s.subnet_of(admin)]
    return str(wider[0]) if wider else None


@check(ASSIGNMENT, "admin_only", points=4)
def admin_only(lab) -> Verdict:
    """The administrator logs in with SSH, and nobody else on the internet can."""
    web = lookup.instance(lab, "web")
    if web is None:
        return Verdict.fail(source=_common.NONE, code="MISSING_INSTANCE", blocked_at="web")
    others = _ssh_open_to_others(lab, web)
    if others is not None:
        return Verdict.fail(source=others, code=_common.NONE, blocked_at=_common.NONE)
    # Closing 22 to everyone is not the task: the administrator must still get in.
    failure = _common.blocked(lab, ADMIN, web, 22)
    if failure is not None:
        return Verdict.fail(source=_common.NONE, code=failure["code"], blocked_at=failure["blocked_at"])
    return Verdict.ok()


@check(ASSIGNMENT, "web_still_up", points=2)
def web_still_up(lab) -> Verdict:
    """With SSH no longer open to the whole internet, the website still answers on 80 and 443."""
    web = lookup.instance(lab, "web")
    # "Still" means after the change: while any internet host gets into SSH, this earns nothing.
    if web is None or _common.blocked(lab, OTHER_HOST, web, 22) is None:
        return Verdict.fail(code="SSH_OPEN_TO_ALL", blocked_at=_common.NONE, port=22)
    failure = _common.serves(lab, "web", (80, 443))
    if failure is not None:
        return Verdict.fail(code=failure["code"], blocked_at=failure["blocked_at"], port=failure["port"])
    return Verdict.ok()


@check(ASSIGNMENT, "nothing_else", points=2)
def nothing_else(lab) -> Verdict:
    """The internet reaches 80 and 443, SSH from the administrator only, and nothing more."""
    web = lookup.instance(lab, "web")
    if web is None:
        return Verdict.fail(extra=_common.NONE)
    extra = _common.extra_exposure(lab, web, restricted={22: ADMIN_CIDR})
    if extra or not _common.exposure_of(lab, web).inbound:  # nothing open at all is not "nothing else"
        return Verdict.fail(extra=", ".join(extra) or _common.NONE)
    return Verdict.ok()
