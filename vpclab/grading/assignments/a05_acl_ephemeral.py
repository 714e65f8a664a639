"""a05 — A custom network ACL on the web subnet: HTTP in, its replies out on the ephemeral ports, SSH denied.

Start: the web subnet has a custom ACL ``web-acl`` with the classic mistakes: inbound it allows every
TCP port (so SSH, which the security group leaves open to the world, gets in), and outbound it allows
only port 80 — but a reply goes *to the client's* ephemeral port (Linux 32768-60999, Windows
49152-65535), so no web page ever gets back. Network ACLs are stateless: each direction needs its rule.
The checks ask the engine with Linux client ports (32768, and 60999 at the top of Linux's range) and
Windows ones (50000, and 65535 at the top of Windows' range): an outbound rule for one system's range
alone fails the other's clients.
"""

from __future__ import annotations

from ipaddress import ip_address

from ...engine.packets import Packet
from ...engine.rules import acl_decides
from ...lab import Lab
from ...model.addressing import Protocol
from ...model.resources import Action
from .. import lookup
from ..checks import Verdict, check
from . import _common

ASSIGNMENT = "a05_acl_ephemeral"
LINUX_PORTS = (_common.LINUX_CLIENT, 60999)
WINDOWS_PORTS = (_common.WINDOWS_CLIENT, 65535)
SSH_PROBES = ("198.51.100.7", "203.0.113.10", "192.0.2.200")  # internet hosts that try SSH


def start() -> Lab:
    lab = Lab()
    vpc = lab.create_vpc("10.0.0.0/16", name="shop-vpc")
    public = lab.create_subnet(vpc, "10.0.1.0/24", name="public-a")
    igw = lab.create_internet_gateway(name="shop-igw")
    lab.attach_internet_gateway(igw, vpc)
    public_rt = lab.create_route_table(vpc, name="public-rt")
    lab.create_route(public_rt, "0.0.0.0/0", igw)
    lab.associate_route_table(public_rt, public)
    web_sg = lab.create_security_group(vpc, "web-sg", "web server")
    for port in (80, 22):  # another team's group: SSH from anywhere; the subnet's ACL must stop it
        lab.authorize_security_group_ingress(web_sg, "tcp", port, cidr="0.0.0.0/0")
    web = lab.run_instance(public, name="web", security_groups=[web_sg])
    lab.associate_address(lab.allocate_address(name="web-eip"), web)
    web_acl = lab.create_network_acl(vpc, name="web-acl")
    lab.create_network_acl_entry(web_acl, 100, False, "tcp", (0, 65535), "0.0.0.0/0", "allow")
    lab.create_network_acl_entry(web_acl, 100, True, "tcp", 80, "0.0.0.0/0", "allow")
    lab.replace_network_acl_association(web_acl, public)
    return lab


def _custom_acl(lab, web):
    acl = lab.network_acl_of(web.subnet)
    return None if acl.is_default else acl


def _http(lab, client_ports: tuple[int, ...]) -> Verdict:
    web = lookup.instance(lab, "web")
    if web is None:
        return Verdict.fail(code="MISSING_INSTANCE", blocked_at="web", client_port=client_ports[0])
    if _custom_acl(lab, web) is None:  # the task is a custom ACL, not the default allow-all one
        return Verdict.fail(code="DEFAULT_NETWORK_ACL", blocked_at=lab.network_acl_of(web.subnet).id,
                            client_port=client_ports[0])  # fmt: skip
    failure = _common.from_internet(lab, web, 80, client_ports)
    if failure is not None:
        return Verdict.fail(code=failure["code"], blocked_at=failure["blocked_at"], client_port=failure["client_port"],
                            port=80, sources=failure["sources"])  # fmt: skip
    return Verdict.ok()


@check(ASSIGNMENT, "http_linux", points=3)
def http_linux(lab) -> Verdict:
    """Linux clients (source ports 32768-60999) get the web page through the custom ACL."""
    return _http(lab, LINUX_PORTS)


@check(ASSIGNMENT, "http_windows", points=3)
def http_windows(lab) -> Verdict:
    """Windows clients (source ports 49152-65535) get the web page through the custom ACL."""
    return _http(lab, WINDOWS_PORTS)


@check(ASSIGNMENT, "ssh_denied", points=2)
def ssh_denied(lab) -> Verdict:
    """The web subnet's custom ACL denies SSH (tcp 22) coming in from the internet."""
    web = lookup.instance(lab, "web")
    if web is None:
        return Verdict.fail(rule=_common.NONE, acl=_common.NONE)
    acl = lab.network_acl_of(web.subnet)
    if acl.is_default:
        return Verdict.fail(rule="100", acl=acl.id)
    for host in SSH_PROBES:
        packet = Packet(Protocol.TCP, ip_address(host), _common.LINUX_CLIENT, web.private_ip, 22)
        entry = acl_decides(acl, packet, egress=False)
        if entry.action is not Action.DENY:
            return Verdict.fail(rule=str(entry.rule_number), acl=acl.id)
    if lab.analyze("internet", web, "tcp", 22).reachable:  # some other internet host still gets in
        return Verdict.fail(rule=_common.NONE, acl=acl.id)
    return Verdict.ok()
