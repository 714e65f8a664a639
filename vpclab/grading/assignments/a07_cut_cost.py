"""a07 — Cut the monthly public IPv4 bill below USD 8 without breaking the service.

Start: a working shop (a web server with an Elastic IP, an app server behind a NAT gateway) that
pays for five public IPv4 addresses: two Elastic IPs left idle after a test, and one associated with
the app server, which sits in a private subnet where a public address is useless (its subnet has no
route to the internet gateway). Since 1 February 2024 AWS bills every public IPv4 address, in use or
idle, about USD 0.005 an hour (about USD 3.65 in a 730-hour month): five cost about USD 18.25 a month.
Cutting cost counts only with the service intact: web answers on 80 and 443, app still gets updates
(HTTPS out) and stays unreachable from the internet.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from ...lab import Lab
from .. import lookup
from ..checks import Verdict, check
from . import _common

ASSIGNMENT = "a07_cut_cost"
THRESHOLD = Decimal("8.00")  # USD per 730-hour month: at most two public IPv4 addresses


def start() -> Lab:
    lab = Lab()
    shop = _common.shop_with_public_web(lab)
    nat = lab.create_nat_gateway(shop.public, lab.allocate_address(name="nat-eip"), name="shop-nat")
    private_rt = lab.create_route_table(shop.vpc, name="private-rt")
    lab.create_route(private_rt, "0.0.0.0/0", nat)
    lab.associate_route_table(private_rt, shop.private)
    app_sg = lab.create_security_group(shop.vpc, "app-sg", "application server")
    app = lab.run_instance(shop.private, name="app", security_groups=[app_sg])
    lab.associate_address(lab.allocate_address(name="app-eip"), app)  # useless: private-a has no IGW route
    lab.allocate_address(name="old-test")
    lab.allocate_address(name="spare")
    return lab


@cache
def _start_cost() -> Decimal:
    return _common.public_ipv4(start())[1]


def _service(lab) -> dict | None:
    """None when the service is intact; else what broke (``what``, ``code``)."""
    failure = _common.serves(lab, "web", (80, 443))
    if failure is not None:
        return {"what": f"web:{failure['port']}", "code": failure["code"]}
    failure = _common.outbound(lab, "app", 443)
    if failure is not None:
        return {"what": "app → internet:443", "code": failure["code"]}
    exposed = _common.exposure_of(lab, lookup.instance(lab, "app")).inbound
    if exposed:
        return {"what": f"app ← {exposed[0]}", "code": "EXPOSED"}
    return None


@check(ASSIGNMENT, "cost_below", points=4)
def cost_below(lab) -> Verdict:
    """Public IPv4 addresses cost less than USD 8 a month, with the service intact."""
    count, amount = _common.public_ipv4(lab)
    broken = _service(lab)
    if amount >= THRESHOLD or broken is not None:
        return Verdict.fail(count=count, cost=_common.usd(amount), threshold=_common.usd(THRESHOLD),
                            what=(broken or {}).get("what", _common.NONE))  # fmt: skip
    return Verdict.ok()


def _cut(lab) -> bool:
    return _common.public_ipv4(lab)[1] < _start_cost()


@check(ASSIGNMENT, "web_still_up", points=2)
def web_still_up(lab) -> Verdict:
    """After the cut, the internet still reaches the web server on 80 and 443."""
    if not _cut(lab):  # "still" means after a change: the untouched lab earns nothing
        return Verdict.fail(code="NOTHING_CUT", port=_common.NONE)
    failure = _common.serves(lab, "web", (80, 443))
    return Verdict.ok() if failure is None else Verdict.fail(code=failure["code"], port=failure["port"])


@check(ASSIGNMENT, "updates_still_work", points=2)
def updates_still_work(lab) -> Verdict:
    """After the cut, ``app`` still opens HTTPS connections out, and nobody reaches it from the internet."""
    if not _cut(lab):
        return Verdict.fail(code="NOTHING_CUT", what=_common.NONE)
    failure = _common.outbound(lab, "app", 443)
    if failure is not None:
        return Verdict.fail(code=failure["code"], what="app → internet:443")
    exposed = _common.exposure_of(lab, lookup.instance(lab, "app")).inbound
    return Verdict.fail(code="EXPOSED", what=f"app ← {exposed[0]}") if exposed else Verdict.ok()
