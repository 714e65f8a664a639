"""Questions the assignments' checks share: does the internet reach this server, what else is open,
what do its public addresses cost. Not an assignment itself (it registers no checks).

"Reachable from the internet" means from the internet *at large*: the path works (``analyze``)
and the sources that get through (``exposure``, security groups and network ACLs together) cover
every internet address (all of IPv4 but RFC 1918, RFC 6598 and never-routable space). A rule open
to one host (a /32) or a narrow range does not pass, unless an assignment says so (a02's
administrator). "Nothing else is open" is judged on its own: only what is exposed beyond the
allowed ports counts.

Every helper answers with the engine (``analyze``, ``exposure``) so that any correct design passes,
and returns plain values (codes, ids, ports) that fill the hints' placeholders in either language.
"""

from __future__ import annotations

from decimal import Decimal
from ipaddress import IPv4Network, ip_network
from types import SimpleNamespace

from ...engine.packets import LINUX_EPHEMERAL
from ...model.addressing import NOT_ROUTABLE, RFC1918, RFC6598
from .. import lookup

LINUX_CLIENT = LINUX_EPHEMERAL[0]  # 32768: the first ephemeral port of a Linux client
WINDOWS_CLIENT = 50000  # inside Windows' ephemeral range, 49152-65535
CLIENT_PORTS = (LINUX_CLIENT, WINDOWS_CLIENT)
NONE = "—"  # a placeholder value when there is nothing to name


def blocked(lab, source, destination, port: int, client_ports=(LINUX_CLIENT,), protocol: str = "tcp") -> dict | None:
    """None when every client port gets through; else the values of the first failure:
    ``code``, ``blocked_at``, ``port``, ``client_port``."""
    for client_port in client_ports:
        analysis = lab.analyze(source, destination, protocol, port, source_port=client_port)
        if not analysis.reachable:
            return {"code": analysis.code or NONE, "blocked_at": analysis.blocked_at or NONE, "port": port,
                    "client_port": client_port}  # fmt: skip
    return None


_CLOSED = sorted((int(n.network_address), int(n.broadcast_address)) for n in (*RFC1918, RFC6598, *NOT_ROUTABLE))


def _internet_spans() -> list[tuple[int, int]]:
    """Every internet address as integer spans: IPv4 minus private and never-routable space."""
    spans, start = [], 0
    for low, high in _CLOSED:
        if low > start:
            spans.append((start, low - 1))
        start = max(start, high + 1)
    if start <= 2**32 - 1:
        spans.append((start, 2**32 - 1))
    return spans


INTERNET = _internet_spans()


def covers_internet(sources) -> bool:
    """Do these networks, together, hold every internet address?"""
    merged: list[list[int]] = []
    for low, high in sorted((int(n.network_address), int(n.broadcast_address)) for n in sources):
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return all(any(a <= low and high <= b for a, b in merged) for low, high in INTERNET)


def serves(lab, name: str, ports, client_ports=(LINUX_CLIENT,)) -> dict | None:
    """None when the internet at large reaches instance ``name`` on every port; else what blocks
    the first one (``code`` ``MISSING_INSTANCE`` when there is no live instance of that name,
    ``NOT_OPEN_TO_ALL`` with ``sources`` when only some hosts get through)."""
    instance = lookup.instance(lab, name)
    if instance is None:
        return {"code": "MISSING_INSTANCE", "blocked_at": name, "port": ports[0], "client_port": client_ports[0]}
    for port in ports:
        failure = from_internet(lab, instance, port, client_ports)
        if failure is not None:
            return failure
    return None


# Internet hosts spread over the address space (one in each eighth, and beside private space):
# a rule for one host or a narrow range misses most of them.
PROBES = ("1.0.0.1", "45.6.7.8", "91.2.3.4", "126.255.0.1", "129.0.0.1", "172.32.0.1", "198.51.100.200",
          "203.0.113.200", "223.255.255.254")  # fmt: skip


def from_internet(lab, instance, port: int, client_ports=(LINUX_CLIENT,)) -> dict | None:
    """None when the internet at large reaches ``port`` on ``instance`` from every client port;
    else the values of the failure (``code``, ``blocked_at``, ``port``, ``client_port``, ``sources``).

    At large: the sources the exposure report finds for the port (security groups and ACLs
    together) cover every internet address, and each of ``PROBES`` gets through from each client
    port (the report asks with a Linux client's port; the probes ask with every one)."""
    failure = blocked(lab, "internet", instance, port, client_ports)
    if failure is not None:
        return {**failure, "sources": NONE}
    sources = sources_of(lab, instance, port)
    narrow = bool(sources) and not covers_internet(sources)
    if not narrow:
        narrow = any(blocked(lab, host, instance, port, client_ports) is not None for host in PROBES)
    if narrow:
        where = instance.name or instance.id
        return {"code": "NOT_OPEN_TO_ALL", "blocked_at": where, "port": port, "client_port": client_ports[0],
                "sources": ", ".join(str(s) for s in sources[:3]) or NONE}  # fmt: skip
    return None


def exposure_of(lab, instance):
    """The exposure entry of ``instance`` (an object or None)."""
    return lab.exposure()[instance] if instance is not None else None


def _within(sources, cidr: IPv4Network) -> bool:
    return all(ip_network(s).subnet_of(cidr) for s in sources)


def extra_exposure(lab, instance, public_ports=(80, 443), restricted: dict | None = None) -> list[str]:
    """What the internet reaches on ``instance`` beyond ``public_ports`` (TCP, from anywhere) and
    ``restricted`` ({tcp port: CIDR} open only to that CIDR), as text: ``["tcp 22 ← 0.0.0.0/0"]``."""
    restricted = {port: ip_network(cidr) for port, cidr in (restricted or {}).items()}
    extra = []
    for entry in exposure_of(lab, instance).inbound:
        first, last = entry.ports.first, entry.ports.last
        single = entry.protocol == "tcp" and first == last
        if single and first in public_ports:
            continue
        if single and first in restricted and _within(entry.sources, restricted[first]):
            continue
        extra.append(str(entry))
    return extra


def sources_of(lab, instance, port: int, protocol: str = "tcp") -> list[IPv4Network]:
    """Every internet source that reaches ``protocol``/``port`` on the instance."""
    return [
        ip_network(s)
        for e in exposure_of(lab, instance).inbound
        if e.protocol == protocol and e.ports.first <= port <= e.ports.last
        for s in e.sources
    ]


def outbound(lab, name: str, port: int = 443) -> dict | None:
    """None when instance ``name`` reaches the internet on ``port``; else ``code`` and ``blocked_at``."""
    instance = lookup.instance(lab, name)
    if instance is None:
        return {"code": "MISSING_INSTANCE", "blocked_at": name, "port": port, "client_port": LINUX_CLIENT}
    return blocked(lab, instance, "internet", port)


def public_ipv4(lab) -> tuple[int, Decimal]:
    """How many public IPv4 addresses are billed now, and what they cost in a 730-hour month (USD)."""
    lines = [line for line in lab.cost(hours=730).lines if line.unit == "ip_hour" and line.amount > 0]
    return len(lines), sum((line.amount for line in lines), Decimal(0))


def usd(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01'))}"


def shop_with_public_web(lab):
    """The shop network two assignments start from: a VPC with a public and a private subnet, an
    attached gateway routed from the public subnet, and a web server with an Elastic IP open on 80/443.

    Returns the resources by name: ``vpc``, ``public``, ``private``, ``igw``, ``web``."""
    vpc = lab.create_vpc("10.0.0.0/16", name="shop-vpc")
    public = lab.create_subnet(vpc, "10.0.1.0/24", name="public-a")
    private = lab.create_subnet(vpc, "10.0.2.0/24", name="private-a")
    igw = lab.create_internet_gateway(name="shop-igw")
    lab.attach_internet_gateway(igw, vpc)
    public_rt = lab.create_route_table(vpc, name="public-rt")
    lab.create_route(public_rt, "0.0.0.0/0", igw)
    lab.associate_route_table(public_rt, public)
    web_sg = lab.create_security_group(vpc, "web-sg", "web server")
    for port in (80, 443):
        lab.authorize_security_group_ingress(web_sg, "tcp", port, cidr="0.0.0.0/0")
    web = lab.run_instance(public, name="web", security_groups=[web_sg])
    lab.associate_address(lab.allocate_address(name="web-eip"), web)
    return SimpleNamespace(vpc=vpc, public=public, private=private, igw=igw, web=web)
