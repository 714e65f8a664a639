"""a01 — Make the web server reachable on HTTP and HTTPS, and nothing else.

Start: a VPC with a public-to-be subnet and a web instance (no gateway, no route, no public IP).
Any correct design passes: the checks ask the engine, not for particular resources.
"""

from __future__ import annotations

from ...lab import Lab
from .. import lookup
from ..checks import Verdict, check
from . import _common

ASSIGNMENT = "a01_web_server"


def start() -> Lab:
    lab = Lab()
    vpc = lab.create_vpc("10.0.0.0/16", name="shop-vpc")
    subnet = lab.create_subnet(vpc, "10.0.1.0/24", name="web-subnet")
    group = lab.create_security_group(vpc, "web-sg", "web server")
    lab.run_instance(subnet, name="web", security_groups=[group])
    return lab


def _reachable(lab, port: int) -> Verdict:
    """The internet at large (not one host or a narrow range) reaches ``web`` on ``port``."""
    failure = _common.serves(lab, "web", (port,))
    if failure is None:
        return Verdict.ok()
    return Verdict.fail(code=failure["code"], blocked_at=failure["blocked_at"], port=port, sources=failure["sources"])


@check(ASSIGNMENT, "http", points=3)
def http(lab) -> Verdict:
    return _reachable(lab, 80)


@check(ASSIGNMENT, "https", points=3)
def https(lab) -> Verdict:
    return _reachable(lab, 443)


@check(ASSIGNMENT, "nothing_else", points=2)
def nothing_else(lab) -> Verdict:
    web = lookup.instance(lab, "web")
    if web is None:
        return Verdict.fail(extra=_common.NONE)
    extra = _common.extra_exposure(lab, web)
    # Judged on its own (open only to one host still counts as open), but nothing exposed at all is
    # not "nothing else": the starting lab must not pass.
    if extra or not _common.exposure_of(lab, web).inbound:
        return Verdict.fail(extra=", ".join(extra) or _common.NONE)
    return Verdict.ok()
