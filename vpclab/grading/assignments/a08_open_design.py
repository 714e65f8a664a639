"""a08 — Open design: a VPC for a web tier and a private database tier, graded on behaviour only.

Start: an empty lab. Requirements (the task text states them; nothing about CIDRs, subnets, route
tables or rule styles): an instance named ``web`` answers HTTPS (443) from the internet; an instance
named ``db`` is in a private subnet, has no public address and is reachable from the internet on no
port; ``web`` reaches ``db`` on PostgreSQL (5432); and ``db`` can open HTTPS connections to the
internet for its software updates (this assignment requires it). Any design that behaves so passes.
"""

from __future__ import annotations

from ...lab import Lab
from .. import lookup
from ..checks import Verdict, check
from . import _common

ASSIGNMENT = "a08_open_design"


def start() -> Lab:
    return Lab()


@check(ASSIGNMENT, "web_https", points=3)
def web_https(lab) -> Verdict:
    """The internet reaches ``web`` on HTTPS (443)."""
    failure = _common.serves(lab, "web", (443,))
    return Verdict.ok() if failure is None else Verdict.fail(code=failure["code"], blocked_at=failure["blocked_at"])


@check(ASSIGNMENT, "db_private", points=3)
def db_private(lab) -> Verdict:
    """``db`` sits in a private subnet, has no public address, and the internet reaches it on no port."""
    db = lookup.instance(lab, "db")
    if db is None:
        return Verdict.fail(problem="MISSING_INSTANCE", detail="db")
    # Unreachable because nothing reaches the internet at all is not a design: the web tier must be online.
    if _common.serves(lab, "web", (443,)) is not None:
        return Verdict.fail(problem="WEB_NOT_ONLINE", detail="web:443")
    if db.public_ip is not None:
        return Verdict.fail(problem="PUBLIC_ADDRESS", detail=str(db.public_ip))
    if lab.is_public(db.subnet):
        return Verdict.fail(problem="PUBLIC_SUBNET", detail=db.subnet.name or db.subnet.id)
    exposed = _common.exposure_of(lab, db).inbound
    if exposed:
        return Verdict.fail(problem="EXPOSED", detail=str(exposed[0]))
    return Verdict.ok()


@check(ASSIGNMENT, "web_to_db", points=2)
def web_to_db(lab) -> Verdict:
    """``web`` reaches ``db`` on PostgreSQL (tcp 5432)."""
    web, db = lookup.instance(lab, "web"), lookup.instance(lab, "db")
    if web is None or db is None:
        return Verdict.fail(code="MISSING_INSTANCE", blocked_at="web" if web is None else "db")
    failure = _common.blocked(lab, web, db, 5432)
    return Verdict.ok() if failure is None else Verdict.fail(code=failure["code"], blocked_at=failure["blocked_at"])


@check(ASSIGNMENT, "db_updates", points=2)
def db_updates(lab) -> Verdict:
    """``db`` opens HTTPS (443) connections to the internet for its updates."""
    failure = _common.outbound(lab, "db", 443)
    return Verdict.ok() if failure is None else Verdict.fail(code=failure["code"], blocked_at=failure["blocked_at"])
