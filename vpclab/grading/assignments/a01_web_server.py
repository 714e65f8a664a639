"""a01 — Make the web server reachable on HTTP and HTTPS, and nothing else.

Start: a VPC with a public-to-be subnet and a web instance (no gateway, no route, no public IP).
Any correct design passes: the checks ask the engine, not for particular resources.
"""

from __future__ import annotations

from ...lab import Lab
from .. import lookup
from ..checks import Verdict, check

ASSIGNMENT = "a01_web_server"


def start() -> Lab:
    lab = Lab()
    vpc = lab.create_vpc("10.0.0.0/16", name="shop-vpc")
    subnet = lab.create_subnet(vpc, "10.0.1.0/24", name="web-subnet")
    group = lab.create_security_group(vpc, "web-sg", "web server")
    lab.run_instance(subnet, name="web", security_groups=[group])
    return lab


def _reachable(lab, port: int) -> Verdict:
    web = lookup.instance(lab, "web")
    if web is None:
        return Verdict.fail(code="MISSING_INSTANCE", blocked_at="web", port=port)
    analysis = lab.analyze("internet", web, "tcp", port)
    if analysis.reachable:
        return Verdict.ok()
    return Verdict.fail(code=analysis.code or "—", blocked_at=analysis.blocked_at or "—", port=port)


@check(ASSIGNMENT, "http", points=3)
def http(lab) -> Verdict:
    return _reachable(lab, 80)


@check(ASSIGNMENT, "https", points=3)
def https(lab) -> Verdict:
    return _reachable(lab, 443)


@check(ASSIGNMENT, "nothing_else", points=2)
def nothing_else(lab) -> Verdict:
    web = lookup.instance(lab, "web")
    exposed = lookup.exposed_ports(lab, web) if web is not None else set()
    extra = sorted(f"{p} {a}-{b}" for p, a, b in exposed if (p, a, b) not in {("tcp", 80, 80), ("tcp", 443, 443)})
    # Nothing exposed at all is not "nothing else": the server must be reachable for this to count.
    if not exposed or extra:
        return Verdict.fail(extra=", ".join(extra) or "—")
    return Verdict.ok()
