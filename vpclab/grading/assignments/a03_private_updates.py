"""a03 — The app server fetches updates through a NAT gateway and stays unreachable from the internet.

Start: a colleague's shortcut. To let ``app`` download updates, the private subnet's route table got
a default route to the internet gateway and ``app`` got an Elastic IP: updates work, but ``app`` is
now a public server (its port 8080 is open to the world) and pays for a public address. The task:
updates through a NAT gateway in the public subnet, no public address, nothing reachable from outside.
"""

from __future__ import annotations

from ...lab import Lab
from .. import lookup
from ..checks import Verdict, check
from . import _common

ASSIGNMENT = "a03_private_updates"


def start() -> Lab:
    lab = Lab()
    shop = _common.shop_with_public_web(lab)
    app_sg = lab.create_security_group(shop.vpc, "app-sg", "application server")
    lab.authorize_security_group_ingress(app_sg, "tcp", 8080, cidr="0.0.0.0/0")
    app = lab.run_instance(shop.private, name="app", security_groups=[app_sg])
    # The shortcut: the "private" subnet's default route goes straight to the internet gateway.
    private_rt = lab.create_route_table(shop.vpc, name="private-rt")
    lab.create_route(private_rt, "0.0.0.0/0", shop.igw)
    lab.associate_route_table(private_rt, shop.private)
    lab.associate_address(lab.allocate_address(name="app-eip"), app)
    return lab


@check(ASSIGNMENT, "updates_via_nat", points=4)
def updates_via_nat(lab) -> Verdict:
    """``app`` opens HTTPS connections to the internet, through a NAT gateway."""
    failure = _common.outbound(lab, "app", 443)
    if failure is not None:
        return Verdict.fail(code=failure["code"], blocked_at=failure["blocked_at"], via=_common.NONE)
    via = _common.exposure_of(lab, lookup.instance(lab, "app")).outbound_via or _common.NONE
    if not via.startswith("nat-"):  # out through the internet gateway with its own public address
        return Verdict.fail(code="NOT_THROUGH_NAT", blocked_at=_common.NONE, via=via)
    return Verdict.ok()


@check(ASSIGNMENT, "unreachable", points=3)
def unreachable(lab) -> Verdict:
    """Nobody on the internet reaches ``app``, on any port."""
    app = lookup.instance(lab, "app")
    if app is None:
        return Verdict.fail(exposed=_common.NONE)
    exposed = [str(e) for e in _common.exposure_of(lab, app).inbound]
    return Verdict.fail(exposed=", ".join(exposed)) if exposed else Verdict.ok()


@check(ASSIGNMENT, "no_public_address", points=2)
def no_public_address(lab) -> Verdict:
    """``app`` has no public IPv4 address (neither Elastic nor auto-assigned)."""
    app = lookup.instance(lab, "app")
    if app is None:
        return Verdict.fail(address=_common.NONE)
    return Verdict.fail(address=str(app.public_ip)) if app.public_ip is not None else Verdict.ok()
