"""Reading a lab file, the compute side: instances, their secondary interfaces, NAT gateways,
Elastic IPs, and the route targets that only exist once those are read. Each checks what the API
would have refused."""

from __future__ import annotations

from .addressing import is_internet_address, parse_ip, parse_ip_any, reserved_addresses
from .errors import LabFileError
from .lab_file_reader import Reader, enum_of, ref
from .regions import id_number
from .resources import (
    LOCAL,
    EgressOnlyInternetGateway,
    ElasticIp,
    Instance,
    InstanceState,
    NatGateway,
    NatGatewayState,
    NetworkInterface,
    Subnet,
)

# AWS's limits for interfaces of a real account (imported labs): the classroom's quota is 5 groups per
# interface; AWS raises it up to 16.
GROUPS_PER_INTERFACE = {True: 5, False: 16}  # by "is it a vpclab id?"


def read_compute(r: Reader, lab, data: dict) -> None:
    read_instances(r, lab, data)
    read_interfaces(r, lab, data)
    read_nat_gateways(r, lab, data)
    read_elastic_ips(r, lab, data)
    resolve_route_targets(r, lab)


def public(r: Reader, value, field: str):
    """A public IPv4 address of the file: an internet address, used once."""
    address = r.parsed(parse_ip, value, field)
    if not is_internet_address(address):
        raise LabFileError(field, "value", value=str(address))
    if address in r.public_seen:
        raise LabFileError(field, "duplicate_address", value=str(address))
    r.public_seen.add(address)
    return address


def private(r: Reader, subnet: Subnet, value, owner: str, field: str, ours: bool = True):
    """A private address of ``subnet``, free, and not one of its reserved five (for our own ids)."""
    address = r.parsed(parse_ip, value, field)
    # A real account's snapshot is kept as it says (an anonymised one may use a reserved address).
    reserved = ours and address in reserved_addresses(subnet.cidr)
    if address not in subnet.cidr or reserved or address in subnet.used_addresses:
        raise LabFileError(field, "value", value=str(address))
    subnet.used_addresses[address] = owner
    return address


def read_instances(r: Reader, lab, data: dict) -> None:
    for n, raw in enumerate(r.items(data, "instances")):
        f = f"instances[{n}]."
        raw = r.obj(raw, f[:-1])
        instance_id = r.new_id(raw, f, "i")
        subnet = ref(lab.subnets, r.get(raw, "subnet", f, str), f + "subnet")
        state = enum_of(InstanceState, r.get(raw, "state", f, str), f + "state")
        address = r.parsed(parse_ip, r.get(raw, "private_ip", f, str), f + "private_ip")
        ours = id_number("i", instance_id) is not None  # else an instance of a real account (imported)
        if state is not InstanceState.TERMINATED:
            address = private(r, subnet, str(address), instance_id, f + "private_ip", ours)
        groups = [
            ref(lab.security_groups, r.get({"": g}, "", f"{f}security_groups[{k}]", str), f"{f}security_groups[{k}]")
            for k, g in enumerate(r.items(raw, "security_groups", f))
        ]
        # A terminated instance may have lost its groups (deleted after the termination).
        fewest = 0 if state is InstanceState.TERMINATED else 1
        if not fewest <= len(groups) <= GROUPS_PER_INTERFACE[ours] or any(g.vpc is not subnet.vpc for g in groups):
            raise LabFileError(f + "security_groups", "value", value=len(groups))
        instance = Instance(
            instance_id,
            subnet,
            address,
            r.get(raw, "network_interface_id", f, str),
            groups,
            r.get(raw, "name", f, str, True),
            state,
            r.get(raw, "auto_assign_public_ip", f, bool),
        )
        auto = r.get(raw, "auto_public_ip", f, str, True)
        if auto is not None:
            if state is not InstanceState.RUNNING or not instance.auto_assign_public_ip:
                raise LabFileError(f + "auto_public_ip", "value", value=auto)
            instance.auto_public_ip = public(r, auto, f + "auto_public_ip")
        _read_instance_ipv6(r, raw, f, instance)
        lab.instances[instance.id] = instance


def _read_instance_ipv6(r: Reader, raw: dict, f: str, instance: Instance | NetworkInterface) -> None:
    """The IPv6 addresses of an instance's primary interface, or of a secondary interface."""
    if isinstance(instance, NetworkInterface):  # written only when it has some (imported labs)
        texts = r.items(raw, "ipv6_addresses", f) if "ipv6_addresses" in raw else []
    else:
        texts = r.since_v2(raw, "ipv6_addresses", [], f)
    if len(texts) > 50:  # the most an interface of any instance type holds
        raise LabFileError(f + "ipv6_addresses", "value", value=len(texts))
    subnet = instance.subnet
    for k, text in enumerate(texts):
        field = f"{f}ipv6_addresses[{k}]"
        address = r.parsed(parse_ip_any, r.get({"": text}, "", field, str), field)
        block = subnet.ipv6_cidr_block
        live = instance.state is not InstanceState.TERMINATED  # terminate releases them
        if not live or address.version != 6 or block is None or address not in block:
            raise LabFileError(field, "value", value=str(address))
        if int(address) - int(block.network_address) < 4 or address == block.broadcast_address:
            raise LabFileError(field, "value", value=str(address))
        if address in subnet.used_ipv6_addresses:
            raise LabFileError(field, "duplicate_address", value=str(address))
        subnet.used_ipv6_addresses[address] = instance.id
        instance.ipv6_addresses.append(address)


def read_interfaces(r: Reader, lab, data: dict) -> None:
    """Secondary network interfaces of instances (imported labs only; the key may be left out)."""
    if "network_interfaces" not in data:
        return
    for n, raw in enumerate(r.items(data, "network_interfaces")):
        f = f"network_interfaces[{n}]."
        raw = r.obj(raw, f[:-1])
        interface_id = r.get(raw, "id", f, str)
        if not interface_id.startswith("eni-") or len(interface_id) > 64:
            raise LabFileError(f + "id", "bad_id", kind="eni")
        instance = ref(lab.instances, r.get(raw, "instance", f, str), f + "instance")
        subnet = ref(lab.subnets, r.get(raw, "subnet", f, str), f + "subnet")
        index = r.get(raw, "device_index", f, int)
        if instance.state is InstanceState.TERMINATED or subnet.vpc is not instance.vpc:
            raise LabFileError(f + "instance", "reference", id=instance.id)
        if not 1 <= index <= 64 or any(i.device_index == index for i in instance.interfaces):
            raise LabFileError(f + "device_index", "value", value=index)
        ours = id_number("eni", interface_id) is not None
        address = private(r, subnet, r.get(raw, "private_ip", f, str), interface_id, f + "private_ip", ours)
        groups = [
            ref(lab.security_groups, r.get({"": g}, "", f"{f}security_groups[{k}]", str), f"{f}security_groups[{k}]")
            for k, g in enumerate(r.items(raw, "security_groups", f))
        ]
        if not 1 <= len(groups) <= GROUPS_PER_INTERFACE[ours] or any(g.vpc is not subnet.vpc for g in groups):
            raise LabFileError(f + "security_groups", "value", value=len(groups))
        interface = NetworkInterface(
            interface_id, instance, subnet, address, groups, index, r.get(raw, "name", f, str, True)
        )
        auto = r.get(raw, "auto_public_ip", f, str, True)
        if auto is not None:
            if instance.state is not InstanceState.RUNNING:
                raise LabFileError(f + "auto_public_ip", "value", value=auto)
            interface.auto_public_ip = public(r, auto, f + "auto_public_ip")
        _read_instance_ipv6(r, raw, f, interface)
        instance.interfaces = sorted([*instance.interfaces, interface], key=lambda i: i.device_index)
        lab.network_interfaces[interface.id] = interface


def read_nat_gateways(r: Reader, lab, data: dict) -> None:
    for n, raw in enumerate(r.items(data, "nat_gateways")):
        f = f"nat_gateways[{n}]."
        raw = r.obj(raw, f[:-1])
        nat_id = r.new_id(raw, f, "nat")
        subnet = ref(lab.subnets, r.get(raw, "subnet", f, str), f + "subnet")
        state = enum_of(NatGatewayState, r.get(raw, "state", f, str), f + "state")
        raw_ip = r.get(raw, "private_ip", f, str, True)
        # An available gateway holds its address; a deleted one keeps it on record (already freed,
        # as delete_nat_gateway leaves it); a failed one never had one.
        if state is not NatGatewayState.DELETED and (raw_ip is None) == (state is NatGatewayState.AVAILABLE):
            raise LabFileError(f + "private_ip", "value", value=str(raw_ip))
        if state is NatGatewayState.AVAILABLE:
            address = private(r, subnet, raw_ip, nat_id, f + "private_ip")
        elif raw_ip is not None:
            address = r.parsed(parse_ip, raw_ip, f + "private_ip")
            if address not in subnet.cidr:
                raise LabFileError(f + "private_ip", "value", value=str(address))
        else:
            address = None
        failure = r.get(raw, "failure_code", f, str, True)
        # A failed gateway says why; an available one has no failure; a deleted one may have either.
        if state is not NatGatewayState.DELETED and (failure is None) != (state is not NatGatewayState.FAILED):
            raise LabFileError(f + "failure_code", "value", value=str(failure))
        nat = NatGateway(
            nat_id,
            subnet,
            address,
            r.get(raw, "network_interface_id", f, str),
            r.get(raw, "name", f, str, True),
            allocation_id=r.get(raw, "allocation_id", f, str),
            state=state,
            failure_code=failure,
        )
        lab.nat_gateways[nat.id] = nat


def read_elastic_ips(r: Reader, lab, data: dict) -> None:
    for n, raw in enumerate(r.items(data, "elastic_ips")):
        f = f"elastic_ips[{n}]."
        raw = r.obj(raw, f[:-1])
        eip = ElasticIp(
            r.new_id(raw, f, "eipalloc"),
            public(r, r.get(raw, "public_ip", f, str), f + "public_ip"),
            r.get(raw, "name", f, str, True),
            r.get(raw, "association_id", f, str, True),
        )
        instance_id, nat_id = r.get(raw, "instance", f, str, True), r.get(raw, "nat_gateway", f, str, True)
        interface_id = r.get(raw, "network_interface", f, str, True) if "network_interface" in raw else None
        holders = [h for h in (instance_id, nat_id, interface_id) if h is not None]
        if (eip.association_id is None) != (not holders) or len(holders) > 1:
            raise LabFileError(f + "association_id", "value", value=str(eip.association_id))
        # An interface and an instance hold an Elastic IP by the same rules: live, and no other public IPv4.
        for field, holder_id, holders_by_id in (
            ("network_interface", interface_id, lab.network_interfaces),
            ("instance", instance_id, lab.instances),
        ):
            if holder_id is None:
                continue
            holder = ref(holders_by_id, holder_id, f + field)
            if holder.elastic_ip is not None or holder.state is InstanceState.TERMINATED:
                raise LabFileError(f + field, "reference", id=holder_id)
            if holder.auto_public_ip is not None:
                raise LabFileError(f + field, "auto_and_elastic", id=holder_id)
            setattr(eip, field, holder)
            holder.elastic_ip = eip
        if nat_id is not None:
            nat = ref(lab.nat_gateways, nat_id, f + "nat_gateway")
            if nat.elastic_ip is not None or nat.state is not NatGatewayState.AVAILABLE:
                raise LabFileError(f + "nat_gateway", "reference", id=nat_id)
            eip.nat_gateway, nat.elastic_ip = nat, eip
        lab.elastic_ips[eip.id] = eip
    for n, nat in enumerate(lab.nat_gateways.values()):
        if nat.state is NatGatewayState.AVAILABLE and nat.elastic_ip is None:
            raise LabFileError(f"nat_gateways[{n}].allocation_id", "reference", id=nat.allocation_id)


def resolve_route_targets(r: Reader, lab) -> None:
    targets = {
        **lab.internet_gateways,
        **lab.egress_only_internet_gateways,
        **lab.nat_gateways,
        **lab.instances,
        **lab.network_interfaces,
    }
    for route, field in r.pending_routes:
        if route.target_id == LOCAL:
            if route.destination not in (*route.vpc.cidrs, *route.vpc.ipv6_cidr_blocks):  # only a VPC CIDR is local
                raise LabFileError(field, "value", value=LOCAL)
            route.target = LOCAL
            continue
        if not route.target_id.startswith(("igw-", "eigw-", "nat-", "i-", "eni-")):
            raise LabFileError(field, "value", value=route.target_id[:80])
        # A target that is gone (a deleted gateway) is legitimate: the route is a blackhole.
        route.target = targets.get(route.target_id)
        # A gateway may have moved to another VPC since (the route is then a blackhole), but a NAT
        # gateway or an instance never leaves its VPC: create_route refuses one of another VPC.
        stays = NatGateway | Instance | NetworkInterface | EgressOnlyInternetGateway
        if isinstance(route.target, stays) and route.target.vpc is not route.vpc:
            raise LabFileError(field, "reference", id=route.target_id)
        if route.target_id.startswith("eigw-") and route.destination.version != 6:  # create_route refuses it
            raise LabFileError(field, "value", value=route.target_id[:80])
    for instance in lab.instances.values():
        if instance.state is InstanceState.RUNNING and instance.auto_assign_public_ip and instance.public_ip is None:
            raise LabFileError(f"instances[{list(lab.instances).index(instance.id)}].auto_public_ip", "missing")
