"""a06 — A server whose public address must survive a stop and start: an Elastic IP.

Start: ``web`` runs in a public subnet with an auto-assigned public IPv4 address, which AWS releases
when the instance stops and replaces by a new one when it starts. Customers and DNS records that know
the old address lose the site. The checks stop and start ``web`` on a copy of the submitted lab (the
learner's lab is never changed) and ask whether the address stayed and still answers.
"""

from __future__ import annotations

from ...lab import Lab
from .. import lookup
from ..checks import Verdict, check
from . import _common

ASSIGNMENT = "a06_elastic_vs_auto"
CUSTOMER = "198.51.100.7"  # an internet host that remembers the old address


def start() -> Lab:
    lab = Lab()
    vpc = lab.create_vpc("10.0.0.0/16", name="shop-vpc")
    public = lab.create_subnet(vpc, "10.0.1.0/24", name="public-a", map_public_ip_on_launch=True)
    igw = lab.create_internet_gateway(name="shop-igw")
    lab.attach_internet_gateway(igw, vpc)
    public_rt = lab.create_route_table(vpc, name="public-rt")
    lab.create_route(public_rt, "0.0.0.0/0", igw)
    lab.associate_route_table(public_rt, public)
    web_sg = lab.create_security_group(vpc, "web-sg", "web server")
    for port in (80, 443):
        lab.authorize_security_group_ingress(web_sg, "tcp", port, cidr="0.0.0.0/0")
    lab.run_instance(public, name="web", security_groups=[web_sg])
    return lab


def _restarted(lab):
    """A copy of ``lab`` in which ``web`` was stopped and started: (copy, address before, address after)."""
    copy = type(lab).from_json(lab.to_json())
    web = lookup.instance(copy, "web")
    if web is None:
        return copy, None, None
    before = web.public_ip
    copy.stop_instance(web)
    copy.start_instance(web)
    return copy, before, web.public_ip


@check(ASSIGNMENT, "keeps_address", points=3)
def keeps_address(lab) -> Verdict:
    """After a stop and a start, ``web`` has the same public address as before."""
    _, before, after = _restarted(lab)
    if before is None or after != before:
        return Verdict.fail(before=str(before or _common.NONE), after=str(after or _common.NONE))
    return Verdict.ok()


@check(ASSIGNMENT, "reachable_after_restart", points=2)
def reachable_after_restart(lab) -> Verdict:
    """After the restart, a customer who knows the old address still gets the web page (80)."""
    copy, before, _ = _restarted(lab)
    if before is None:
        return Verdict.fail(address=_common.NONE, code="NO_PUBLIC_ADDRESS", blocked_at="web")
    failure = _common.blocked(copy, CUSTOMER, str(before), 80)
    if failure is not None:
        return Verdict.fail(address=str(before), code=failure["code"], blocked_at=failure["blocked_at"])
    # A customer is anyone on the internet: a rule open to one host or a narrow range is not enough.
    failure = _common.from_internet(copy, lookup.instance(copy, "web"), 80)
    if failure is not None:
        return Verdict.fail(address=str(before), code=failure["code"], blocked_at=failure["blocked_at"],
                            sources=failure["sources"], port=80)  # fmt: skip
    return Verdict.ok()


@check(ASSIGNMENT, "no_idle_address", points=1)
def no_idle_address(lab) -> Verdict:
    """``web`` has an Elastic IP, and no other Elastic IP lies idle (each one is billed by the hour)."""
    web = lookup.instance(lab, "web")
    if web is None or web.elastic_ip is None:  # no Elastic IP in use yet: nothing to judge
        return Verdict.fail(idle=_common.NONE, count=0)
    idle = [str(e.public_ip) for e in lab.elastic_ips.values() if not e.associated]
    return Verdict.fail(idle=", ".join(idle), count=len(idle)) if idle else Verdict.ok()
