"""The importer's second half: instances and their network interfaces, NAT gateways, and the network
interfaces of other services (their addresses: ``aws_addresses``; their IPv6 ones: ``aws_ipv6``).

Public addresses come from the interfaces' associations (``PrivateIpAddresses[].Association.PublicIp``),
since ``Addresses`` is often empty: ``IpOwnerId`` ``amazon`` is an auto-assigned address, anything else
(an account id) an Elastic IP, whose allocation id comes from ``Addresses`` or the association. An
instance's interface 0 is the instance itself; its other interfaces become ``NetworkInterface`` objects,
each with its own subnet, groups and addresses. Interfaces that belong to no instance (load balancers,
endpoints, Lambda, RDS ...) are listed as unsupported with their addresses, so that an analysis to one
of them answers ``reachable=None``.
"""

from __future__ import annotations

from ..model.errors import AwsSnapshotError
from ..model.resources import (
    LOCAL,
    Instance,
    InstanceState,
    NatGateway,
    NatGatewayState,
    NetworkInterface,
    SecurityGroup,
)
from . import aws_addresses, aws_ipv6
from .aws_nodes import Node

GROUPS_PER_INTERFACE = 16  # AWS's highest quota (the default is 5)
_STATES = {
    "running": InstanceState.RUNNING,
    "pending": InstanceState.RUNNING,
    "stopped": InstanceState.STOPPED,
    "stopping": InstanceState.STOPPED,
}


def build(imp) -> None:
    imp.addresses = aws_addresses.address_index(imp)
    imp.enis = _interfaces_by_id(imp)
    imp.eni_owner = {}  # interface id -> the Instance (its interface 0) or NetworkInterface
    imp.public_seen = {}
    imp.nat_enis = set()
    imp.addresses_taken = set()  # the addresses of Addresses records an instance or NAT gateway holds
    _nat_gateways(imp)
    _instances(imp)
    aws_addresses.idle_and_held_addresses(imp)
    _other_interfaces(imp)


def target_id(target, raw: str) -> str:
    """How a route names its target in the lab: ``local``, the resource's id, or the snapshot's id."""
    if target == LOCAL:
        return LOCAL
    return target.id if target is not None else raw


def route_target(imp, value: str, key: str):
    """The modelled target of a route (NAT gateway, instance, secondary interface), or None."""
    lab = imp.lab
    if value.startswith("nat-"):
        return lab.nat_gateways.get(value)
    if value.startswith("eni-"):
        return imp.eni_owner.get(value)
    if value.startswith("i-"):
        return lab.instances.get(value)
    return None


# ---- indexes -------------------------------------------------------------------------------------------
def _interfaces_by_id(imp) -> dict[str, Node]:
    found: dict[str, Node] = {}
    for node, _ in imp.of("NetworkInterfaces"):
        interface_id = node.id("NetworkInterfaceId", "eni")
        found.setdefault(interface_id, node)  # the same interface in two Regions' files: once
    return found


# ---- security groups ---------------------------------------------------------------------------------------
def _groups(imp, vpc, region: str, nodes: list[Node], where) -> list[SecurityGroup]:
    lab, groups = imp.lab, []
    for node in nodes:
        group_id = node.id("GroupId", "sg")
        group = lab.security_groups.get(group_id)
        if group is None:
            # describe-security-groups is not in the snapshot (or filtered, or another account's): a
            # placeholder the engine does not judge.
            name = node.text("GroupName", optional=True) or group_id
            if any(g.vpc is vpc and g.group_name == name for g in lab.security_groups.values()):
                name = group_id
            group = lab.security_groups[group_id] = SecurityGroup(group_id, vpc, name)
            if group.is_default and vpc.default_security_group is None:
                vpc.default_security_group = group
            imp.note("security-group", group_id, vpc.id, "not_collected", detail=f"SecurityGroups ({region})")
        if group is None or group.vpc is not vpc:
            raise AwsSnapshotError("InvalidAwsSnapshot:reference", where=node.at("GroupId").where, id=group_id)
        if group not in groups:
            groups.append(group)
    if not 1 <= len(groups) <= GROUPS_PER_INTERFACE:
        raise AwsSnapshotError("InvalidAwsSnapshot:value", where=where, value=f"{len(groups)} security groups")
    return groups


# ---- NAT gateways ---------------------------------------------------------------------------------------------
def _nat_gateways(imp) -> None:
    lab = imp.lab
    for node, region in imp.of("NatGateways"):
        nat_id = imp.new_id(node, "NatGatewayId", "nat", lab.nat_gateways)
        state = node.text("State").lower()
        addresses = node.items("NatGatewayAddresses")
        for entry in addresses:
            imp.nat_enis.add(entry.id("NetworkInterfaceId", "eni", optional=True))
        if nat_id is None or state not in ("available", "failed"):
            continue  # deleted (its routes are blackholes), or not yet there
        if (node.text("ConnectivityType", optional=True) or "public") == "private":
            private = [str(a.ip("PrivateIp")) for a in addresses if a.has("PrivateIp")]
            imp.note(
                "nat-gateway", nat_id, node.text("SubnetId", optional=True) or "", "private_nat", addresses=private
            )
            continue
        if node.has("SubnetId") and node.id("SubnetId", "subnet") not in lab.subnets:
            public = [str(a.ip("PublicIp")) for a in addresses if a.has("PublicIp")]
            where = node.text("SubnetId")
            imp.note("nat-gateway", nat_id, where, "not_collected", detail=f"Subnets ({region})", addresses=public)
            continue
        subnet = imp.subnet_of(node)
        primary = next((a for a in addresses if a.flag("IsPrimary", False)), addresses[0] if addresses else None)
        if state == "failed" or primary is None or not primary.has("PublicIp"):
            failure = node.text("FailureCode", optional=True) or "Failed"
            allocation = primary.id("AllocationId", "eipalloc", optional=True) if primary is not None else None
            nat = NatGateway(
                nat_id,
                subnet,
                None,
                imp.generated("eni"),
                node.name(),
                allocation_id=allocation or "",
                state=NatGatewayState.FAILED,
                failure_code=failure[:256],
            )
            lab.nat_gateways[nat_id] = nat
            continue
        interface = primary.id("NetworkInterfaceId", "eni", optional=True) or imp.generated("eni")
        private = primary.ip("PrivateIp")
        if not any(private in block for block in subnet.vpc.cidrs):
            # An emulator's NAT gateway (moto's) gets an address outside its subnet and VPC: it takes the
            # subnet's lowest free address, as vpclab's own create_nat_gateway gives it, listed.
            replaced, private = private, imp.lab._claim_address(subnet, None, check_only=True)
            imp.note("address", str(private), nat_id, "replaced_address", detail=str(replaced))
        private = aws_addresses.claim(imp, subnet, private, nat_id, primary.at("PrivateIp").where)
        allocation = primary.id("AllocationId", "eipalloc", optional=True)
        association = primary.id("AssociationId", "eipassoc", optional=True)
        eip = aws_addresses.elastic_ip(
            imp, primary.ip("PublicIp"), allocation, association, primary.at("PublicIp").where
        )
        nat = NatGateway(nat_id, subnet, private, interface, node.name(), eip, eip.id)
        eip.nat_gateway = nat
        lab.nat_gateways[nat_id] = nat
        for entry in addresses:
            if entry is not primary and entry.has("PublicIp"):  # vpclab models one address per NAT gateway
                imp.note(
                    "elastic-ip",
                    entry.text("AllocationId", optional=True) or str(entry.ip("PublicIp")),
                    nat_id,
                    "held_address",
                    addresses=[entry.ip("PublicIp")],
                )


# ---- instances ------------------------------------------------------------------------------------------------
def _instances(imp) -> None:
    lab = imp.lab
    for node, region in imp.of("Reservations"):
        for item in node.items("Instances"):
            instance_id = imp.new_id(item, "InstanceId", "i", lab.instances)
            state_name = item.child("State")
            state = (state_name.text("Name") if state_name is not None else "running").lower()
            if instance_id is None or state in ("terminated", "shutting-down"):
                continue  # terminated instances hold nothing any more
            if state not in _STATES:
                raise AwsSnapshotError("InvalidAwsSnapshot:value", where=item.at("State").where, value=state[:40])
            ends = _interface_nodes(imp, item, instance_id)
            if not ends:
                imp.note("instance", instance_id, "EC2-Classic", "no_subnet")
                continue
            if _subnet_not_collected(imp, item, ends, region):
                continue
            _instance(imp, item, instance_id, _STATES[state], region, ends)


def _subnet_not_collected(imp, item: Node, ends, region: str) -> bool:
    """A partial snapshot (instances only, or a filtered describe-subnets): an instance whose subnet is not
    in it is listed with its addresses and the call that would add it; the audit reports it as unknown."""
    _, entry, full = ends[0]
    node = entry or full or item
    node = node if node.has("SubnetId") else item
    if not node.has("SubnetId"):
        return False
    subnet_id = node.id("SubnetId", "subnet")
    if subnet_id in imp.lab.subnets:
        return False
    wanted = ("Vpcs", "Subnets", "RouteTables", "NetworkAcls", "SecurityGroups", "InternetGateways")
    missing = ", ".join(k for k in wanted if not imp.was_collected(region, k))
    if not missing:  # the calls were made but filtered: the instance's VPC or subnet is not among the answers
        missing = "Subnets" if item.text("VpcId", optional=True) in imp.lab.vpcs else "Vpcs, Subnets"
    addresses = [a for a in (item.text("PrivateIpAddress", True), item.text("PublicIpAddress", True)) if a]
    imp.note(
        "instance",
        item.text("InstanceId"),
        subnet_id,
        "not_collected",
        detail=f"{missing} ({region})",
        addresses=[str(Node({"a": a}, item.where).ip("a")) for a in addresses]
        + [str(a) for a in aws_ipv6.other_addresses(item)],
    )
    return True


def _interface_nodes(imp, item: Node, instance_id: str) -> list[tuple[int, Node | None, Node | None]]:
    """(device index, the interface in describe-instances, the same in describe-network-interfaces)."""
    embedded = {}
    for entry in item.items("NetworkInterfaces"):
        attachment = entry.child("Attachment")
        index = attachment.number("DeviceIndex", optional=True) if attachment is not None else None
        embedded[entry.id("NetworkInterfaceId", "eni")] = (0 if index is None else index, entry)
    for interface_id, full in imp.enis.items():  # interfaces describe-instances left out
        attachment = full.child("Attachment")
        if attachment is not None and attachment.text("InstanceId", optional=True) == instance_id:
            embedded.setdefault(interface_id, (attachment.number("DeviceIndex", optional=True) or 0, None))
    ends = [(index, entry, imp.enis.get(interface_id)) for interface_id, (index, entry) in embedded.items()]
    if not ends and item.has("SubnetId"):
        ends = [(0, None, None)]  # an old snapshot: only the instance's own fields
    return sorted(ends, key=lambda e: e[0])


def _instance(imp, item: Node, instance_id: str, state: InstanceState, region: str, ends) -> None:
    lab = imp.lab
    name = item.name()
    primary = None
    for index, entry, full in ends:
        node = entry or full or item  # what describes this interface best, for its subnet, address, groups
        interface_id = node.id("NetworkInterfaceId", "eni") if (entry or full) else None
        if interface_id is None or interface_id in imp.eni_owner:
            if interface_id is not None:
                imp.note("network-interface", interface_id, instance_id, "duplicate_interface")
            interface_id = imp.generated("eni")
        subnet = imp.subnet_of(node if node.has("SubnetId") else item)
        if primary is not None and subnet.vpc is not primary.vpc:
            raise AwsSnapshotError("InvalidAwsSnapshot:reference", where=node.at("SubnetId").where, id=subnet.id)
        groups_key = "Groups" if node is not item else "SecurityGroups"
        groups = _groups(imp, subnet.vpc, region, node.items(groups_key), node.at(groups_key).where)
        owner = instance_id if primary is None else interface_id
        if subnet.ipv6_native and primary is not None:
            # A secondary interface without IPv4: vpclab models IPv6-only on an instance's own interface.
            detail = ", ".join(str(a) for a in aws_ipv6.other_addresses(full or node))
            imp.note("network-interface", interface_id, instance_id, "ipv6", detail=detail[:256])
            continue
        if subnet.ipv6_native:  # an IPv6-only subnet: no IPv4 at all, so no public IPv4 either
            address, public = None, None
        else:
            address_key = "PrivateIpAddress"
            address = aws_addresses.claim(imp, subnet, node.ip(address_key), owner, node.at(address_key).where)
            public, kind, allocation, association, where = aws_addresses.public_of(
                node, full, item if node is item else None, address
            )
            aws_addresses.secondary_addresses(imp, node, interface_id, address)
        if primary is None:
            primary = Instance(instance_id, subnet, address, interface_id, groups, name, state)
            lab.instances[instance_id] = primary
            end = primary
        else:
            end = NetworkInterface(
                interface_id, primary, subnet, address, groups, max(index, 1), (full or node).name("TagSet")
            )
            if any(i.device_index == end.device_index for i in primary.interfaces):
                end.device_index = max(i.device_index for i in primary.interfaces) + 1
            primary.interfaces.append(end)
            lab.network_interfaces[interface_id] = end
        imp.eni_owner[interface_id] = end
        sources = {id(n): n for n in (full, node) if n is not None}.values()  # both descriptions of it
        aws_ipv6.interface_addresses(imp, list(sources), end, end.id)
        if public is None:
            continue
        if aws_addresses.is_elastic(imp, region, public, kind, allocation):
            eip = aws_addresses.elastic_ip(imp, public, allocation, association, where)
            eip.instance, eip.network_interface = (end, None) if end is primary else (None, end)
            end.elastic_ip = eip
        elif state is InstanceState.RUNNING:  # an auto-assigned address exists only while running
            end.auto_public_ip = aws_addresses.public_address(imp, public, where, end.id)
            if end is primary:
                primary.auto_assign_public_ip = True


# ---- interfaces of other services ------------------------------------------------------------------------------
def _other_interfaces(imp) -> None:
    for interface_id, node in imp.enis.items():
        if interface_id in imp.eni_owner or interface_id in imp.nat_enis:
            continue
        addresses = []
        for entry in node.items("PrivateIpAddresses"):
            addresses.append(entry.ip("PrivateIpAddress"))
            association = entry.child("Association")
            if association is not None and association.has("PublicIp"):
                addresses.append(association.ip("PublicIp"))
        if not addresses and node.has("PrivateIpAddress"):
            addresses.append(node.ip("PrivateIpAddress"))
        addresses += aws_ipv6.other_addresses(node)  # an analysis to any of them answers reachable=None
        kind = node.text("InterfaceType", optional=True) or "interface"
        description = node.text("Description", optional=True) or ""
        attachment = node.child("Attachment")
        if attachment is None or not attachment.has("InstanceId"):
            kind = f"{kind}, {node.text('Status', optional=True) or 'not attached'}"
        else:  # attached to an instance the snapshot does not list
            kind = f"{kind}, {attachment.text('InstanceId')}"
        where = node.text("SubnetId", optional=True) or node.text("VpcId", optional=True) or ""
        detail = f"{kind}: {description}" if description else kind
        imp.note("network-interface", interface_id, where, "other_service", detail=detail, addresses=addresses)
