"""a09 — IPv6 for the shop: a dual-stack web server, and a private server that only reaches out over IPv6.

Start: the shop network already has IPv6 addresses (an Amazon /56 on the VPC, a /64 on each subnet, an
IPv6 address on ``web`` and on ``app``), but ``web``'s subnet neither routes nor admits IPv6. ``app``
fetches updates over IPv4 through a NAT gateway; its group admits its internal API (tcp 8080) from
``::/0`` as well as from the VPC, and a colleague's quick try routes the private subnet's ``::/0`` to the
internet gateway, which makes ``app`` a public IPv6 server. The services ``app`` calls all speak IPv6.
The task: ``web`` serves 80 and 443 over IPv6 too; ``app`` gets out over IPv6 through an egress-only
internet gateway and nobody reaches it from the internet; the NAT gateway and its address, no longer
needed, stop costing money (fact sheet §12, §13).
"""

from __future__ import annotations

from ...lab import Lab
from .. import lookup
from ..checks import Verdict, check
from . import _common

ASSIGNMENT = "a09_ipv6_egress_only"
CLIENT6 = "2001:db8:5::20"  # an internet host from IPv6's documentation range
WEB_PORTS = (80, 443)
GATEWAYS = ("internet-gateway", "egress-only-internet-gateway")  # the hop a packet leaves the VPC by


def start() -> Lab:
    """The shop network of a03/a07 with IPv6 addresses everywhere, but no IPv6 route or rule yet."""
    lab = Lab()
    vpc = lab.create_vpc("10.0.0.0/16", name="shop-vpc")
    lab.associate_vpc_cidr_block(vpc, amazon_provided_ipv6=True)
    public6, private6 = list(vpc.ipv6_cidr_blocks[0].subnets(new_prefix=64))[:2]
    public = lab.create_subnet(vpc, "10.0.1.0/24", name="public-a", ipv6_cidr=str(public6))
    private = lab.create_subnet(vpc, "10.0.2.0/24", name="private-a", ipv6_cidr=str(private6))
    igw = lab.create_internet_gateway(name="shop-igw")
    lab.attach_internet_gateway(igw, vpc)
    public_rt = lab.create_route_table(vpc, name="public-rt")
    lab.create_route(public_rt, "0.0.0.0/0", igw)
    lab.associate_route_table(public_rt, public)
    web_sg = lab.create_security_group(vpc, "web-sg", "web server")
    for port in WEB_PORTS:
        lab.authorize_security_group_ingress(web_sg, "tcp", port, cidr="0.0.0.0/0")
    web = lab.run_instance(public, name="web", security_groups=[web_sg], ipv6_address_count=1)
    lab.associate_address(lab.allocate_address(name="web-eip"), web)
    app_sg = lab.create_security_group(vpc, "app-sg", "application server")
    for cidr in ("10.0.0.0/16", "::/0"):  # the internal API, opened to all of IPv6 by mistake
        lab.authorize_security_group_ingress(app_sg, "tcp", 8080, cidr=cidr)
    lab.run_instance(private, name="app", security_groups=[app_sg], ipv6_address_count=1)
    nat = lab.create_nat_gateway(public, lab.allocate_address(name="nat-eip"), name="shop-nat")
    private_rt = lab.create_route_table(vpc, name="private-rt")
    lab.create_route(private_rt, "0.0.0.0/0", nat)
    lab.create_route(private_rt, "::/0", igw)  # a colleague's quick try: app is now a public IPv6 server
    lab.associate_route_table(private_rt, private)
    return lab


def _first_failure(lab, source, destination, ports) -> dict | None:
    for port in ports:
        analysis = lab.analyze(source, destination, "tcp", port, ip_version=6)
        if not analysis.reachable:
            return {"code": analysis.code or _common.NONE, "blocked_at": analysis.blocked_at or _common.NONE,
                    "port": port}  # fmt: skip
    return None


@check(ASSIGNMENT, "web_ipv6", points=3)
def web_ipv6(lab) -> Verdict:
    """The internet reaches ``web`` on 80 and 443 over IPv6, and still over IPv4."""
    web = lookup.instance(lab, "web")
    if web is None or not web.ipv6_addresses:
        return Verdict.fail(code="IPV6_NO_ADDRESS", blocked_at="web", port=WEB_PORTS[0])
    failure = _first_failure(lab, CLIENT6, web, WEB_PORTS) or _common.serves(lab, "web", WEB_PORTS)
    return Verdict.ok() if failure is None else Verdict.fail(**failure)


@check(ASSIGNMENT, "app_out_ipv6", points=3)
def app_out_ipv6(lab) -> Verdict:
    """``app`` opens HTTPS connections to the internet over IPv6, through an egress-only internet gateway."""
    app = lookup.instance(lab, "app")
    if app is None or not app.ipv6_addresses:
        return Verdict.fail(code="IPV6_NO_ADDRESS", blocked_at="app", via=_common.NONE)
    analysis = lab.analyze(app, "internet", "tcp", 443, ip_version=6)
    if not analysis.reachable:
        return Verdict.fail(code=analysis.code or _common.NONE, blocked_at=analysis.blocked_at or _common.NONE,
                            via=_common.NONE)  # fmt: skip
    via = next((h.component for h in analysis.forward if h.kind in GATEWAYS), _common.NONE)
    if not str(via).startswith("eigw-"):  # out through the internet gateway: app would be a public server
        return Verdict.fail(code="NOT_THROUGH_EGRESS_ONLY_GATEWAY", blocked_at=_common.NONE, via=via)
    return Verdict.ok()


@check(ASSIGNMENT, "app_unreachable", points=2)
def app_unreachable(lab) -> Verdict:
    """Nobody on the internet reaches ``app``, on any port, over IPv4 or IPv6."""
    app = lookup.instance(lab, "app")
    if app is None:
        return Verdict.fail(exposed=_common.NONE)
    entry = _common.exposure_of(lab, app)
    exposed = [str(e) for e in [*entry.inbound, *entry.inbound_v6]]
    return Verdict.fail(exposed=", ".join(exposed)) if exposed else Verdict.ok()


@check(ASSIGNMENT, "no_nat_bill", points=2)
def no_nat_bill(lab) -> Verdict:
    """No NAT gateway is billed any more, and the only public IPv4 address left is web's."""
    count, monthly = _common.public_ipv4(lab)
    nats = [line for line in lab.cost(hours=730).lines if line.kind == "nat_hours"]
    if nats or count > 1:
        return Verdict.fail(nat_gateways=len(nats), addresses=count, monthly=_common.usd(monthly))
    return Verdict.ok()
