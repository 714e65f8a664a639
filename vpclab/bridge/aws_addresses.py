"""The importer's addresses: private addresses claimed in their subnets, public ones (auto-assigned or
Elastic IPs, told apart by ``describe-addresses`` or the association's owner), and the Elastic IPs no
instance or NAT gateway holds. Each function takes the ``Importer`` of ``aws_import``; ``aws_compute``
calls them for instances, interfaces and NAT gateways.
"""

from __future__ import annotations

from ipaddress import IPv4Address

from ..model.addressing import is_internet_address, is_private_range, reserved_addresses
from ..model.errors import AwsSnapshotError
from ..model.resources import ElasticIp
from .aws_nodes import Node


def address_index(imp) -> dict[IPv4Address, Node]:
    found: dict[IPv4Address, Node] = {}
    for node, _ in imp.of("Addresses"):
        address = node.ip("PublicIp")
        if address in found and found[address].value != node.value:
            raise AwsSnapshotError("InvalidAwsSnapshot:duplicate_id", where=node.at("PublicIp").where, id=str(address))
        found[address] = node
    return found


def claim(imp, subnet, address: IPv4Address, owner: str, where) -> IPv4Address:
    if address not in subnet.cidr:
        raise AwsSnapshotError(
            "InvalidAwsSnapshot:outside_subnet", where=where, value=str(address), id=subnet.id, cidr=str(subnet.cidr)
        )
    if address in subnet.used_addresses:
        raise AwsSnapshotError(
            "InvalidAwsSnapshot:address_in_use", where=where, value=str(address), id=subnet.used_addresses[address]
        )
    if address in reserved_addresses(subnet.cidr):
        imp.note("address", str(address), owner, "reserved_address", detail=subnet.id)
    subnet.used_addresses[address] = owner
    return address


def public_address(imp, address: IPv4Address, where, owner: str = "") -> IPv4Address:
    if not is_internet_address(address):
        if is_private_range(address) or any(address in c for c in imp.lab_cidrs()):
            raise AwsSnapshotError("InvalidAwsSnapshot:value", where=where, value=str(address))
        # AWS never maps a public IP outside the internet; an emulator does (moto's Elastic IPs are
        # 127.x.x.x). The lab needs an internet address there: the Region's next one, listed.
        replaced, address = address, imp.lab._new_public_ip()
        imp.note("address", str(address), owner or str(where), "replaced_address", detail=str(replaced))
    if address in imp.public_seen:
        raise AwsSnapshotError(
            "InvalidAwsSnapshot:address_in_use", where=where, value=str(address), id=imp.public_seen[address]
        )
    imp.public_seen[address] = str(where)
    return address


def elastic_ip(imp, address: IPv4Address, allocation_id, association_id, where) -> ElasticIp:
    """The Elastic IP of ``address``: its ids from ``Addresses`` if listed there, else from the association."""
    record = imp.addresses.get(address)
    imp.addresses_taken.add(address)
    name = None
    if record is not None:
        allocation_id = record.id("AllocationId", "eipalloc", optional=True) or allocation_id
        association_id = record.id("AssociationId", "eipassoc", optional=True) or association_id
        name = record.name()
    allocation_id = allocation_id or imp.generated("eipalloc")
    eip = ElasticIp(
        allocation_id,
        public_address(imp, address, where, allocation_id),
        name,
        association_id or imp.generated("eipassoc"),
    )
    if eip.id in imp.lab.elastic_ips:
        raise AwsSnapshotError("InvalidAwsSnapshot:duplicate_id", where=where, id=eip.id)
    imp.lab.elastic_ips[eip.id] = eip
    return eip


def is_elastic(imp, region: str, public: IPv4Address, owner_kind, allocation) -> bool:
    """An Elastic IP, or an auto-assigned address? describe-addresses lists every Elastic IP of the Region,
    so where it was collected it decides; else the association's owner (``amazon``: auto-assigned)."""
    if public in imp.addresses or allocation is not None:
        return True
    if owner_kind == "auto" or imp.was_collected(region, "Addresses"):
        return False  # (moto marks auto-assigned addresses with the account id, AWS with "amazon")
    return owner_kind == "elastic"


def public_of(node: Node, full: Node | None, instance: Node | None, private: IPv4Address):
    """(public address, "auto" / "elastic" / None, allocation id, association id, where) of the primary
    private address of an interface. describe-instances and describe-network-interfaces describe the same
    association; the second adds the allocation and association ids of an Elastic IP."""
    found = []
    for source in (node, full):
        if source is None or source is instance:
            continue
        found += [
            e.child("Association") for e in source.items("PrivateIpAddresses") if e.ip("PrivateIpAddress") == private
        ]
        found.append(source.child("Association"))
    found = [a for a in found if a is not None and a.has("PublicIp")]
    if found:
        address = found[0].ip("PublicIp")
        same = [a for a in found if a.ip("PublicIp") == address]
        owner = next((a.text("IpOwnerId") for a in same if a.has("IpOwnerId")), None)
        allocation = next((a.id("AllocationId", "eipalloc") for a in same if a.has("AllocationId")), None)
        association = next((a.id("AssociationId", "eipassoc") for a in same if a.has("AssociationId")), None)
        kind = "auto" if owner == "amazon" else ("elastic" if owner or allocation else None)
        return address, kind, allocation, association, same[0].at("PublicIp").where
    if instance is not None and instance.has("PublicIpAddress"):
        return instance.ip("PublicIpAddress"), None, None, None, instance.at("PublicIpAddress").where
    return None, None, None, None, None


def secondary_addresses(imp, node: Node, interface_id: str, primary: IPv4Address) -> None:
    """vpclab models one private address per interface: the others are listed, with their public ones."""
    for entry in node.items("PrivateIpAddresses"):
        address = entry.ip("PrivateIpAddress")
        if address == primary:
            continue
        association = entry.child("Association")
        public = [association.ip("PublicIp")] if association is not None and association.has("PublicIp") else []
        imp.note("secondary-address", str(address), interface_id, "secondary_address", addresses=[address, *public])


# ---- addresses no instance or NAT gateway holds ------------------------------------------------------------------
def idle_and_held_addresses(imp) -> None:
    lab = imp.lab
    for address, record in imp.addresses.items():
        if address in imp.addresses_taken:
            continue
        allocation_id = record.id("AllocationId", "eipalloc", optional=True)
        holder = record.text("NetworkInterfaceId", optional=True) or record.text("InstanceId", optional=True)
        if allocation_id is None:  # an EC2-Classic address
            imp.note("elastic-ip", str(address), "EC2-Classic", "no_subnet", addresses=[address])
        elif holder is not None:
            # Held by a load balancer, a secondary address, an instance not in the snapshot: not modelled.
            imp.note("elastic-ip", allocation_id, holder, "held_address", addresses=[address])
        else:
            address = public_address(imp, address, record.at("PublicIp").where, allocation_id)
            if allocation_id in lab.elastic_ips:
                raise AwsSnapshotError(
                    "InvalidAwsSnapshot:duplicate_id", where=record.at("AllocationId").where, id=allocation_id
                )
            lab.elastic_ips[allocation_id] = ElasticIp(allocation_id, address, record.name())
