"""Addresses, CIDRs, protocols and ports: parsed once, at the boundary, into value objects.

Everything here is pure (no lab state): parsing with AWS's error codes, the five reserved addresses
of a subnet, the RFC 1918 / RFC 6598 rules that decide what counts as "the internet", and the
secondary-CIDR restriction table of the VPC User Guide.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network

from .errors import InvalidParameterError

RFC1918 = (IPv4Network("10.0.0.0/8"), IPv4Network("172.16.0.0/12"), IPv4Network("192.168.0.0/16"))
RFC6598 = IPv4Network("100.64.0.0/10")
BENCHMARK_198_19 = IPv4Network("198.19.0.0/16")
DEFAULT_VPC_RANGE = IPv4Network("172.31.0.0/16")
TEN_ZERO_15, TEN_ZERO_16 = IPv4Network("10.0.0.0/15"), IPv4Network("10.0.0.0/16")
# Never routed on the internet: "this network", loopback, link-local (IMDS, DNS), multicast, reserved.
NOT_ROUTABLE = (
    IPv4Network("0.0.0.0/8"),
    IPv4Network("127.0.0.0/8"),
    IPv4Network("169.254.0.0/16"),
    IPv4Network("224.0.0.0/4"),
    IPv4Network("240.0.0.0/4"),
)
ANYWHERE = IPv4Network("0.0.0.0/0")
ANYWHERE_V6 = IPv6Network("::/0")
# IPv6 space that is never an internet host: unspecified, loopback, IPv4-mapped, discard-only,
# unique-local (fc00::/7), link-local (fe80::/10, the IMDS's fd00:ec2::254 is unique-local) and multicast.
NOT_ROUTABLE_V6 = (
    IPv6Network("::/128"),
    IPv6Network("::1/128"),
    IPv6Network("::ffff:0:0/96"),
    IPv6Network("100::/64"),
    IPv6Network("fc00::/7"),
    IPv6Network("fe80::/10"),
    IPv6Network("ff00::/8"),
)
NAT64_PREFIX = IPv6Network("64:ff9b::/96")  # IPv4 addresses seen from an IPv6-only host (DNS64 + NAT64)
# What the lab's internet side holds besides ordinary hosts: the instance metadata service and the
# VPC resolver answer on the instance's own host (link-local), never through the VPC's network.
INSTANCE_METADATA = (IPv4Address("169.254.169.254"), IPv6Address("fd00:ec2::254"))
VPC_RESOLVER = (IPv4Address("169.254.169.253"), IPv6Address("fd00:ec2::253"))
# Routes into the instance metadata / DNS range cannot be added (VPC User Guide, "Route tables").
RESERVED_ROUTE_RANGE = IPv4Network("169.254.168.0/22")


@lru_cache(maxsize=4096)
def _network(text: str):
    # Networks are immutable values; a lesson names the same few CIDRs over and over.
    return ip_network(_unscoped(text), strict=False)


def _unscoped(text: str) -> str:
    """Refuse an IPv6 zone id (``fe80::1%eth0``): Python accepts one, but an address with a zone never
    equals the same address without it, and EC2 neither takes nor prints one."""
    if "%" in text:
        raise ValueError(text)
    return text


def parse_cidr(value: object, parameter: str = "cidrBlock") -> IPv4Network:
    """An IPv4 CIDR, canonicalised the way EC2 does (``10.0.1.7/24`` becomes ``10.0.1.0/24``).

    Raises:
        InvalidParameterError: ``InvalidParameterValue`` for anything that is not an IPv4 CIDR.
    """
    if isinstance(value, IPv4Network):
        return value
    text = str(value).strip() if isinstance(value, str) else None
    try:
        if text is None or "/" not in text:
            raise ValueError
        network = _network(text)
    except ValueError:
        raise InvalidParameterError(
            "InvalidParameterValue", "InvalidParameterValue:cidr", value=value, parameter=parameter
        ) from None
    if not isinstance(network, IPv4Network):
        raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:ipv6", value=value)
    return network


def parse_ip(value: object, parameter: str = "privateIpAddress") -> IPv4Address:
    if isinstance(value, IPv4Address):
        return value
    try:
        address = ip_address(str(value).strip()) if isinstance(value, str) else None
    except ValueError:
        address = None
    if not isinstance(address, IPv4Address):
        raise InvalidParameterError(
            "InvalidParameterValue", "InvalidParameterValue:ip", value=value, parameter=parameter
        )
    return address


def parse_ipv6_cidr(value: object, parameter: str = "ipv6CidrBlock") -> IPv6Network:
    """An IPv6 CIDR (``2406:da12:7f::/56``), canonicalised; ``InvalidParameterValue`` otherwise."""
    if isinstance(value, IPv6Network):
        return value
    text = value.strip() if isinstance(value, str) else None
    try:
        if text is None or "/" not in text:
            raise ValueError
        network = _network(text)
    except ValueError:
        network = None
    if not isinstance(network, IPv6Network):
        raise InvalidParameterError(
            "InvalidParameterValue", "InvalidParameterValue:ipv6_cidr", value=value, parameter=parameter
        )
    return network


def parse_cidr_any(value: object, parameter: str = "cidrBlock") -> IPv4Network | IPv6Network:
    """An IPv4 or an IPv6 CIDR: a route's destination, a rule's peer (``"0.0.0.0/0"``, ``"::/0"``)."""
    if isinstance(value, IPv6Network) or (isinstance(value, str) and ":" in value):
        return parse_ipv6_cidr(value, parameter)
    return parse_cidr(value, parameter)


def parse_ip_any(value: object, parameter: str = "address") -> IPv4Address | IPv6Address:
    if isinstance(value, IPv6Address) or (isinstance(value, str) and ":" in value):
        try:
            address = IPv6Address(_unscoped(value.strip())) if isinstance(value, str) else value
            if address.scope_id is not None:
                raise ValueError(value)
            return address
        except ValueError:
            raise InvalidParameterError(
                "InvalidParameterValue", "InvalidParameterValue:ip6", value=value, parameter=parameter
            ) from None
    return parse_ip(value, parameter)


def reserved_addresses(subnet: IPv4Network) -> tuple[IPv4Address, ...]:
    """The five addresses AWS keeps in every subnet: network, router, DNS, future use, broadcast."""
    base = subnet.network_address
    return (base, base + 1, base + 2, base + 3, subnet.broadcast_address)


def usable_count(subnet: IPv4Network) -> int:
    return subnet.num_addresses - 5


def in_any(address, networks) -> bool:
    if isinstance(address, IPv4Network | IPv6Network):
        return any(address.version == n.version and address.subnet_of(n) for n in networks)
    return any(address in n for n in networks)


def is_private_range(address: IPv4Address | IPv4Network) -> bool:
    """RFC 1918 or RFC 6598 (carrier-grade NAT) space: never an internet host for a VPC."""
    return in_any(address, (*RFC1918, RFC6598))


def is_internet_address(address: IPv4Address | IPv6Address) -> bool:
    """Could this be a host on the internet, as an internet gateway sees it?

    Python's ``ipaddress`` calls the documentation ranges (192.0.2.0/24, 198.51.100.0/24,
    203.0.113.0/24) private; for a VPC they are ordinary internet hosts, and the lessons use them so.
    Only RFC 1918, RFC 6598 and never-routable space is excluded here; the engine also excludes the
    lab's own VPC CIDRs. For IPv6 the same holds for 2001:db8::/32; unique-local, link-local,
    multicast, loopback and IPv4-mapped space are excluded.
    """
    if address.version == 6:
        return not in_any(address, NOT_ROUTABLE_V6)
    return not is_private_range(address) and not in_any(address, NOT_ROUTABLE)


def bogon_kind(address: IPv4Address | IPv6Address) -> str | None:
    """What a non-internet address is, if it is one of the special ones: ``metadata`` (the instance
    metadata service), ``resolver`` (the VPC's DNS resolver) or ``bogon`` (never routed); else None."""
    if address in INSTANCE_METADATA:
        return "metadata"
    if address in VPC_RESOLVER:
        return "resolver"
    if address.version == 6:
        return "bogon" if in_any(address, NOT_ROUTABLE_V6) else None
    return "bogon" if in_any(address, NOT_ROUTABLE) or address == IPv4Address("255.255.255.255") else None


def rfc1918_block(network: IPv4Network) -> IPv4Network | None:
    return next((block for block in RFC1918 if network.subnet_of(block)), None)


def secondary_cidr_restricted(cidrs: list[IPv4Network], candidate: IPv4Network) -> bool:
    """The restriction table of "VPC CIDR blocks" in the VPC User Guide (``cidrs[0]`` is the primary).

    A VPC whose primary CIDR is in one RFC 1918 block cannot add a CIDR from another RFC 1918 block,
    nor 198.19.0.0/16; a 172.16.0.0/12 VPC cannot add 172.31.0.0/16 (the default VPC's range); a VPC
    with a CIDR in 10.0.0.0/15 cannot add 10.0.0.0/16; a 198.19.0.0/16, publicly routable or
    100.64.0.0/10 primary cannot add RFC 1918 space, and the last two not 198.19.0.0/16 either.
    """
    primary = cidrs[0]
    candidate_block = rfc1918_block(candidate)
    primary_block = rfc1918_block(primary)
    if primary_block is not None:
        if candidate_block is not None and candidate_block != primary_block:
            return True
        if primary_block == RFC1918[1] and candidate.overlaps(DEFAULT_VPC_RANGE):
            return True
        if candidate.overlaps(TEN_ZERO_16) and any(c.subnet_of(TEN_ZERO_15) for c in cidrs):
            return True
        return candidate.overlaps(BENCHMARK_198_19)
    if candidate_block is not None:
        return True
    return not primary.subnet_of(BENCHMARK_198_19) and candidate.overlaps(BENCHMARK_198_19)


def check_bool(value: object, parameter: str) -> bool:
    """A yes/no parameter must be ``True`` or ``False``: ``"false"`` is truthy, so it is refused."""
    if not isinstance(value, bool):
        raise InvalidParameterError(
            "InvalidParameterValue", "InvalidParameterValue:bool", parameter=parameter, value=repr(value)[:80]
        )
    return value


class Protocol(enum.Enum):
    """IP protocols a rule can name. ``ALL`` is AWS's ``-1``."""

    TCP = "tcp"
    UDP = "udp"
    ICMP = "icmp"
    ICMPV6 = "58"  # AWS spells it by number; a rule with it needs an IPv6 peer to match anything
    ALL = "-1"

    @property
    def number(self) -> str:
        return {"tcp": "6", "udp": "17", "icmp": "1", "58": "58", "-1": "-1"}[self.value]

    @property
    def is_icmp(self) -> bool:
        return self in (Protocol.ICMP, Protocol.ICMPV6)

    @property
    def has_ports(self) -> bool:
        return self in (Protocol.TCP, Protocol.UDP)

    def covers(self, other: Protocol) -> bool:
        return self is Protocol.ALL or self is other


# How AWS spells each protocol: the API's names and numbers (an imported snapshot uses the same table).
PROTOCOL_SPELLINGS = {
    "tcp": Protocol.TCP,
    "6": Protocol.TCP,
    "udp": Protocol.UDP,
    "17": Protocol.UDP,
    "icmp": Protocol.ICMP,
    "1": Protocol.ICMP,
    "icmpv6": Protocol.ICMPV6,
    "58": Protocol.ICMPV6,
    "-1": Protocol.ALL,
    "all": Protocol.ALL,
}


def parse_protocol(value: object) -> Protocol:
    if isinstance(value, Protocol):
        return value
    spelled = PROTOCOL_SPELLINGS.get(str(value).strip().lower()) if isinstance(value, str | int) else None
    if spelled is None or isinstance(value, bool):
        raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:protocol", value=value)
    return spelled


@dataclass(frozen=True, order=True)
class PortRange:
    """TCP/UDP ports ``first``-``last`` inclusive; for ICMP, AWS's (type, code), ``-1`` meaning any."""

    first: int
    last: int

    def __repr__(self) -> str:
        return f"PortRange({self.first}, {self.last})"

    def __str__(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"

    def contains(self, port: int) -> bool:
        return self.first <= port <= self.last

    def covers(self, other: PortRange) -> bool:
        return self.first <= other.first and other.last <= self.last

    def matches_icmp(self, icmp_type: int, icmp_code: int) -> bool:
        return self.first in (-1, icmp_type) and self.last in (-1, icmp_code)


ALL_PORTS = PortRange(0, 65535)
ANY_ICMP = PortRange(-1, -1)


def parse_ports(protocol: Protocol, port: object) -> PortRange | None:
    """``port`` as the contract takes it (one port, a (from, to) pair, or None for all).

    For ``-1`` the ports are ignored, as AWS does; for ICMP the pair is (type, code).
    """
    if protocol is Protocol.ALL:
        return None
    if port is None:
        return ALL_PORTS if protocol.has_ports else ANY_ICMP
    if isinstance(port, PortRange):
        first, last = port.first, port.last
    elif isinstance(port, int) and not isinstance(port, bool):
        first, last = (port, port) if protocol.has_ports else (port, -1)
    elif (
        isinstance(port, tuple | list)
        and len(port) == 2
        and all(isinstance(p, int) and not isinstance(p, bool) for p in port)
    ):
        first, last = port
    else:
        raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:port", value=port)
    if protocol.has_ports:
        valid = 0 <= first <= last <= 65535
    else:
        valid = -1 <= first <= 255 and -1 <= last <= 255 and not (first == -1 and last != -1)
    if not valid:
        raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:port", value=port)
    return PortRange(first, last)


# CreateSecurityGroup in a VPC takes names and descriptions of at most 255 of these characters
# (EC2 API reference, CreateSecurityGroup: GroupName, Description): no Hangul, no quotes.
GROUP_TEXT = re.compile(r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+")
