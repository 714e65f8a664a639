"""The two ends of a question to ``analyze``: an instance, a secondary interface, ``"internet"`` or an
address, told apart once per question with the lab's indexes (``Context``, also built once per exposure
report). An address that is no internet host (a bogon, the metadata service, the VPC resolver) is
refused here, saying what it is; internet hosts are judged per VPC.
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Address, IPv6Address, ip_address

from ..model.addressing import bogon_kind, parse_ip_any
from ..model.errors import InvalidParameterError
from ..model.resources import Instance, InstanceState, NetworkInterface
from . import nat64
from .search import candidate_hosts

INTERNET = "internet"
DEFAULT_INTERNET_HOST = IPv4Address("198.51.100.10")  # a documentation address: an internet host here
DEFAULT_INTERNET_HOST_V6 = IPv6Address("2001:db8:a::10")  # likewise, from 2001:db8::/32


def internet_candidates(lab, instance: Instance | None, egress: bool, version: int = 4) -> Iterable:
    default = DEFAULT_INTERNET_HOST_V6 if version == 6 else DEFAULT_INTERNET_HOST
    return candidate_hosts(lab, instance, egress, default)


class Context:
    """Indexes of the lab built once per question (or once per exposure report)."""

    def __init__(self, lab) -> None:
        self.lab = lab
        self.public_owner: dict = {}
        self.private_owner: dict = {}
        for instance in lab.instances.values():
            if instance.state is not InstanceState.TERMINATED:
                if instance.private_ip is not None:  # an IPv6-only instance has none
                    self.private_owner.setdefault(instance.private_ip, instance)
                if instance.public_ip is not None:
                    self.public_owner[instance.public_ip] = instance
                for address in instance.ipv6_addresses:  # public by nature: the internet reaches them as they are
                    self.public_owner[address] = instance
                    self.private_owner.setdefault(address, instance)
        for nat in lab.nat_gateways.values():
            if nat.public_ip is not None:
                self.public_owner[nat.public_ip] = nat
        # An imported lab: the secondary interfaces of instances are endpoints like the instances, and
        # the addresses of what the import could not model lead to reachable=None, never to a guess.
        for interface in lab.network_interfaces.values():
            if interface.state is not InstanceState.TERMINATED:
                self.private_owner.setdefault(interface.private_ip, interface)
                if interface.public_ip is not None:
                    self.public_owner[interface.public_ip] = interface
                for address in interface.ipv6_addresses:
                    self.public_owner[address] = interface
                    self.private_owner.setdefault(address, interface)
        self.unsupported_owner = {ip_address(a): u for u in lab.unsupported for a in u.addresses}


class Endpoint:
    def __init__(self, instance: Instance | None = None, address: IPv4Address | None = None, internet=False):
        self.instance, self.address, self.internet = instance, address, internet


def classify(context: Context, value) -> Endpoint:
    lab = context.lab
    if isinstance(value, Instance):
        return Endpoint(lab._get("i", value))
    if isinstance(value, NetworkInterface):  # a secondary interface of an imported instance
        return Endpoint(lab._get("eni", value))
    if isinstance(value, str) and value.strip().lower() == INTERNET:
        return Endpoint(internet=True)
    if isinstance(value, str) and value.strip().startswith("i-"):
        return Endpoint(lab._get("i", value.strip()))
    if isinstance(value, str) and value.strip().startswith("eni-"):
        return Endpoint(interface_of(lab, value.strip()))
    address = parse_ip_any(value, "address")
    refuse_special(address)
    owner = context.private_owner.get(address) or context.public_owner.get(address)
    return Endpoint(owner if isinstance(owner, Instance | NetworkInterface) else None, address)


def refuse_special(address) -> None:
    """Not an internet host: say what it is. The metadata service and the VPC resolver answer on the
    instance's own host; the rest is never routed."""
    # A NAT64 address stands for its embedded IPv4 address: judged as that one.
    special = bogon_kind(nat64.embedded(address) if nat64.is_nat64(address) else address)
    if special == "metadata":
        raise InvalidParameterError(
            "InvalidParameterValue", "InvalidParameterValue:address_metadata", address=str(address)
        )
    if special == "resolver":
        raise InvalidParameterError(
            "InvalidParameterValue", "InvalidParameterValue:address_resolver", address=str(address)
        )
    if special == "bogon":
        raise InvalidParameterError(
            "InvalidParameterValue", "InvalidParameterValue:address_bogon", address=str(address)
        )


def interface_of(lab, interface_id: str):
    """An instance by its primary interface's id, or a secondary interface."""
    for instance in lab.instances.values():
        if instance.network_interface_id == interface_id and instance.state is not InstanceState.TERMINATED:
            return instance
    return lab._get("eni", interface_id)


def in_lab(lab, address) -> bool:
    return any(in_vpc(vpc, address) for vpc in lab.vpcs.values())


def in_vpc(vpc, address) -> bool:
    """Is the address inside one of the VPC's own blocks? Internet hosts are judged per VPC: another
    VPC's publicly routable CIDR is the internet for this one."""
    return any(address in block for block in (*vpc.cidrs, *vpc.ipv6_cidr_blocks))


def handed_out(lab, address: IPv4Address) -> bool:
    """A public address this lab handed out at some time: mapped now, or released since (the contract
    answers an internet source aimed at one with IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS, not an error)."""
    index = lab._pool.index(address)
    return index is not None and index < lab.public_ip_counter
