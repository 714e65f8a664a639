"""Instances, public and Elastic IP addresses, NAT gateways (fact sheet §4 and §7)."""

from __future__ import annotations

from ipaddress import IPv4Address

from .addressing import check_bool, parse_ip, reserved_addresses
from .errors import (
    AlreadyAssociatedError,
    DependencyViolationError,
    IncorrectStateError,
    InvalidParameterError,
    LimitExceededError,
    NotFoundError,
)
from .resources import (
    ElasticIp,
    Instance,
    InstanceState,
    NatGateway,
    NatGatewayState,
    SecurityGroup,
    Subnet,
)
from .state import LabState, _short

ELASTIC_IPS_PER_REGION = 5
SECURITY_GROUPS_PER_INTERFACE = 5
NAT_GATEWAYS_PER_ZONE = 5
IPV6_PER_INTERFACE = 10  # a small instance type's limit; the lessons use one


class ComputeVerbs(LabState):
    # ---- instances -----------------------------------------------------------------------------
    def run_instance(
        self,
        subnet: Subnet | str,
        name: str | None = None,
        private_ip: str | None = None,
        associate_public_ip: bool | None = None,
        security_groups=None,
        ipv6_address_count: int | None = None,
    ) -> Instance:
        """Launch one instance.

        Args:
            subnet: where its network interface lives.
            private_ip: a free address of the subnet; by default the lowest free one (AWS picks
                at random; vpclab picks deterministically so notebooks re-run identically).
            associate_public_ip: the launch override; None follows the subnet's
                ``map_public_ip_on_launch``.
            security_groups: groups of the subnet's VPC (default: the VPC's default group).
            ipv6_address_count: IPv6 addresses from the subnet's /64 (``instance.ipv6_addresses``);
                None follows the subnet's ``assign_ipv6_address_on_creation`` (one address).
        """
        subnet, name = self._get("subnet", subnet), self._check_name(name)
        if associate_public_ip is not None:
            check_bool(associate_public_ip, "associate_public_ip")
        groups = self._resolve_groups(subnet, security_groups)
        address = self._claim_address(subnet, private_ip, check_only=True)
        ipv6_count = self._ipv6_count(subnet, ipv6_address_count)
        wants_public = subnet.map_public_ip_on_launch if associate_public_ip is None else associate_public_ip
        instance = Instance(
            self._new_id("i"),
            subnet,
            address,
            self._new_id("eni"),
            groups,
            name,
            auto_assign_public_ip=wants_public,
        )
        subnet.used_addresses[address] = instance.id
        instance.ipv6_addresses = self._claim_ipv6(subnet, ipv6_count) if ipv6_count else []
        for ipv6 in instance.ipv6_addresses:
            subnet.used_ipv6_addresses[ipv6] = instance.id
        if wants_public:
            instance.auto_public_ip = self._new_public_ip()
        self.instances[instance.id] = instance
        return instance

    def _ipv6_count(self, subnet: Subnet, requested) -> int:
        if requested is None:
            return 1 if subnet.assign_ipv6_address_on_creation else 0
        if isinstance(requested, bool) or not isinstance(requested, int) or not 0 <= requested <= IPV6_PER_INTERFACE:
            raise InvalidParameterError(
                "InvalidParameterValue", "InvalidParameterValue:ipv6_address_count", value=_short(requested)
            )
        if requested and subnet.ipv6_cidr_block is None:
            raise InvalidParameterError(
                "InvalidParameterValue", "InvalidParameterValue:ipv6_without_block", subnet_id=subnet.id
            )
        return requested

    def _resolve_groups(self, subnet: Subnet, security_groups) -> list[SecurityGroup]:
        if security_groups is None:
            return [subnet.vpc.default_security_group]
        if isinstance(security_groups, SecurityGroup | str):
            security_groups = [security_groups]
        if not isinstance(security_groups, list | tuple | set | frozenset):
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:wrong_kind",
                value=_short(security_groups),
                expected="SecurityGroup",
                parameter="security_groups",
            )
        groups: list[SecurityGroup] = []
        for value in security_groups:
            group = self._get("sg", value, "security_groups")
            if group.vpc is not subnet.vpc:
                raise InvalidParameterError(
                    "InvalidParameter",
                    "InvalidParameter:sg_subnet_different_networks",
                    group_id=group.id,
                    subnet_id=subnet.id,
                )
            if group not in groups:
                groups.append(group)
        if not groups:
            raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:no_groups")
        if len(groups) > SECURITY_GROUPS_PER_INTERFACE:
            raise LimitExceededError("SecurityGroupsPerInterfaceLimitExceeded", limit=SECURITY_GROUPS_PER_INTERFACE)
        return groups

    def _claim_address(self, subnet: Subnet, private_ip, check_only: bool) -> IPv4Address | None:
        """A free private address of the subnet (the requested one, or the lowest free)."""
        if private_ip is not None:
            address = parse_ip(private_ip)
            if address not in subnet.cidr:
                raise InvalidParameterError(
                    "InvalidParameterValue",
                    "InvalidParameterValue:address_outside_subnet",
                    address=str(address),
                    subnet_id=subnet.id,
                    cidr=str(subnet.cidr),
                )
            if address in reserved_addresses(subnet.cidr):
                raise InvalidParameterError(
                    "InvalidParameterValue",
                    "InvalidParameterValue:address_reserved",
                    address=str(address),
                    subnet_id=subnet.id,
                )
            if address in subnet.used_addresses:
                raise DependencyViolationError(
                    "InvalidIPAddress.InUse", address=str(address), owner=subnet.used_addresses[address]
                )
            return address
        if subnet.available_ip_address_count <= 0:
            if check_only:
                raise LimitExceededError("InsufficientFreeAddressesInSubnet", subnet_id=subnet.id)
            return None
        candidate = subnet.cidr.network_address + 4
        while candidate in subnet.used_addresses:
            candidate += 1
        return candidate

    def _instance_for_change(self, instance) -> Instance:
        return self._get("i", instance)

    def stop_instance(self, instance: Instance | str) -> None:
        """Stop it: the auto-assigned public IP goes back to Amazon; an Elastic IP stays."""
        instance = self._instance_for_change(instance)
        if instance.state is InstanceState.TERMINATED:
            raise IncorrectStateError("IncorrectInstanceState", "IncorrectInstanceState:stop", instance_id=instance.id)
        instance.state = InstanceState.STOPPED
        instance.auto_public_ip = None
        for interface in instance.interfaces:  # an imported instance's secondary interfaces
            interface.auto_public_ip = None

    def start_instance(self, instance: Instance | str) -> None:
        """Start it: without an Elastic IP it gets a new public IP (never the old one)."""
        instance = self._instance_for_change(instance)
        if instance.state is InstanceState.TERMINATED:
            raise IncorrectStateError("IncorrectInstanceState", "IncorrectInstanceState:start", instance_id=instance.id)
        if instance.state is InstanceState.STOPPED:
            instance.state = InstanceState.RUNNING
            self._refresh_auto_public_ip(instance)

    def terminate_instance(self, instance: Instance | str) -> None:
        """Terminate it: its private address is freed and an Elastic IP is disassociated, not released."""
        instance = self._instance_for_change(instance)
        if instance.state is InstanceState.TERMINATED:
            return
        if instance.elastic_ip is not None:
            eip = instance.elastic_ip
            eip.instance, eip.association_id, instance.elastic_ip = None, None, None
        instance.subnet.used_addresses.pop(instance.private_ip, None)
        for ipv6 in instance.ipv6_addresses:  # "released when you terminate your instance" (fact sheet §12.1)
            instance.subnet.used_ipv6_addresses.pop(ipv6, None)
        instance.ipv6_addresses = []
        # Secondary interfaces (imported labs only) go with the instance: their addresses are freed and
        # their Elastic IPs disassociated, still allocated.
        for interface in instance.interfaces:
            if interface.elastic_ip is not None:
                interface.elastic_ip.network_interface = interface.elastic_ip.association_id = None
            interface.subnet.used_addresses.pop(interface.private_ip, None)
            for ipv6 in interface.ipv6_addresses:
                interface.subnet.used_ipv6_addresses.pop(ipv6, None)
            self.network_interfaces.pop(interface.id, None)
        instance.interfaces = []
        instance.state, instance.auto_public_ip = InstanceState.TERMINATED, None

    def _refresh_auto_public_ip(self, instance: Instance) -> None:
        # A running instance whose interface asked for a public IP at launch has one unless an
        # Elastic IP replaces it (EC2 User Guide, "Public IPv4 addresses").
        wanted = instance.state is InstanceState.RUNNING and instance.auto_assign_public_ip
        if wanted and instance.elastic_ip is None and instance.auto_public_ip is None:
            instance.auto_public_ip = self._new_public_ip()
        elif instance.elastic_ip is not None:
            instance.auto_public_ip = None

    # ---- Elastic IPs -----------------------------------------------------------------------------
    def allocate_address(self, name: str | None = None) -> ElasticIp:
        """Allocate an Elastic IP (5 per Region by default). It costs money from now until released."""
        name = self._check_name(name)
        if len(self.elastic_ips) >= ELASTIC_IPS_PER_REGION:
            raise LimitExceededError("AddressLimitExceeded", limit=ELASTIC_IPS_PER_REGION)
        eip = ElasticIp(self._new_id("eipalloc"), self._new_public_ip(), name)
        self.elastic_ips[eip.id] = eip
        return eip

    def _get_eip(self, value: object) -> ElasticIp:
        if isinstance(value, str) and not value.startswith("eipalloc-"):
            text = value.strip()
            for eip in self.elastic_ips.values():
                if str(eip.public_ip) == text or eip.association_id == text:
                    return eip
            code = "InvalidAssociationID.NotFound" if text.startswith("eipassoc-") else "InvalidAddress.NotFound"
            raise NotFoundError(code, id=text)
        return self._get("eipalloc", value)

    def associate_address(
        self, eip: ElasticIp | str, instance: Instance | str, allow_reassociation: bool = False
    ) -> str:
        """Map an Elastic IP to an instance's private address. Returns the association id.

        The instance's auto-assigned public IP is released; an Elastic IP it already had is
        disassociated (still allocated). Moving an Elastic IP that another instance uses needs
        ``allow_reassociation=True``: the sources disagree on AWS's default (fact sheet §4.2), and
        vpclab follows the explicit flag as the AWS CLI's ``--allow-reassociation`` does.

        Raises:
            IncorrectStateError: ``Gateway.NotAttached`` if the VPC has no internet gateway.
            AlreadyAssociatedError: ``Resource.AlreadyAssociated`` if it is in use elsewhere.
        """
        eip, instance = self._get_eip(eip), self._get("i", instance)
        check_bool(allow_reassociation, "allow_reassociation")
        if instance.state is InstanceState.TERMINATED:
            raise IncorrectStateError("InvalidInstanceID", "InvalidInstanceID:terminated", instance_id=instance.id)
        if instance.vpc.internet_gateway is None:
            raise IncorrectStateError(
                "Gateway.NotAttached", "Gateway.NotAttached:eip", vpc_id=instance.vpc.id, allocation_id=eip.id
            )
        if eip.instance is instance:
            return eip.association_id
        held = eip.instance or eip.network_interface
        if eip.nat_gateway is not None or (held is not None and not allow_reassociation):
            user = eip.nat_gateway or held
            raise AlreadyAssociatedError(
                "Resource.AlreadyAssociated",
                "Resource.AlreadyAssociated:eip",
                public_ip=str(eip.public_ip),
                owner=user.id,
            )
        previous_owner = eip.instance
        if previous_owner is not None:
            previous_owner.elastic_ip = None
        if eip.network_interface is not None:  # a secondary interface of an imported instance
            eip.network_interface.elastic_ip = eip.network_interface = None
        if instance.elastic_ip is not None:
            instance.elastic_ip.instance = instance.elastic_ip.association_id = None
        eip.instance, eip.association_id = instance, self._new_id("eipassoc")
        instance.elastic_ip, instance.auto_public_ip = eip, None
        if previous_owner is not None:
            self._refresh_auto_public_ip(previous_owner)
        return eip.association_id

    def disassociate_address(self, eip: ElasticIp | str) -> None:
        """Unmap an Elastic IP (by the address, its allocation id or association id). It stays allocated."""
        eip = self._get_eip(eip)
        if eip.nat_gateway is not None:
            raise DependencyViolationError(
                "InvalidIPAddress.InUse",
                "InvalidIPAddress.InUse:nat",
                public_ip=str(eip.public_ip),
                owner=eip.nat_gateway.id,
            )
        if eip.network_interface is not None:  # a secondary interface of an imported instance
            eip.network_interface.elastic_ip = None
            eip.network_interface = eip.association_id = None
            return
        if eip.instance is None:
            raise NotFoundError(
                "InvalidAssociationID.NotFound", "InvalidAssociationID.NotFound:eip", public_ip=str(eip.public_ip)
            )
        instance = eip.instance
        eip.instance = eip.association_id = instance.elastic_ip = None
        self._refresh_auto_public_ip(instance)

    def release_address(self, eip: ElasticIp | str) -> None:
        """Give the Elastic IP back to AWS (and stop paying for it). It must not be in use."""
        eip = self._get_eip(eip)
        if eip.associated:
            raise DependencyViolationError(
                "InvalidIPAddress.InUse",
                "InvalidIPAddress.InUse:eip",
                public_ip=str(eip.public_ip),
                owner=(eip.instance or eip.nat_gateway or eip.network_interface).id,
            )
        del self.elastic_ips[eip.id]
        self._bury(eip)

    # ---- NAT gateways ----------------------------------------------------------------------------
    def create_nat_gateway(self, subnet: Subnet | str, eip: ElasticIp | str, name: str | None = None) -> NatGateway:
        """A public NAT gateway in ``subnet`` with an Elastic IP.

        As in AWS, some problems are not API errors: the gateway is created in state ``failed``
        with a ``failure_code`` when the VPC has no internet gateway (``Gateway.NotAttached``), the
        Elastic IP is already in use (``Resource.AlreadyAssociated``) or the subnet is full.
        """
        subnet, eip, name = self._get("subnet", subnet), self._get_eip(eip), self._check_name(name)
        in_zone = [n for n in self._live_nat_gateways() if n.subnet.availability_zone == subnet.availability_zone]
        if sum(n.state is NatGatewayState.AVAILABLE for n in in_zone) >= NAT_GATEWAYS_PER_ZONE:
            raise LimitExceededError("NatGatewayLimitExceeded", limit=NAT_GATEWAYS_PER_ZONE)
        address = self._claim_address(subnet, None, check_only=False)
        if subnet.vpc.internet_gateway is None:
            failure = "Gateway.NotAttached"
        elif eip.associated:
            failure = "Resource.AlreadyAssociated"
        elif address is None:
            failure = "InsufficientFreeAddressesInSubnet"
        else:
            failure = None
        nat = NatGateway(
            self._new_id("nat"),
            subnet,
            address if failure is None else None,
            self._new_id("eni"),
            name,
            allocation_id=eip.id,
        )
        if failure is None:
            subnet.used_addresses[address] = nat.id
            nat.elastic_ip, eip.nat_gateway, eip.association_id = eip, nat, self._new_id("eipassoc")
        else:
            nat.state, nat.failure_code = NatGatewayState.FAILED, failure
        self.nat_gateways[nat.id] = nat
        return nat

    def delete_nat_gateway(self, nat: NatGateway | str) -> None:
        """Delete it: routes to it turn ``blackhole``; its Elastic IP stays allocated (and billed)."""
        key = nat.id if isinstance(nat, NatGateway) else nat
        found = self.nat_gateways.get(key) if isinstance(key, str) else None
        if found is None:
            raise NotFoundError("NatGatewayNotFound", id=_short(key))
        if found.state is NatGatewayState.DELETED:
            return  # AWS keeps a deleted gateway visible for a while; deleting it again changes nothing
        if found.elastic_ip is not None:
            found.elastic_ip.nat_gateway = found.elastic_ip.association_id = None
            found.elastic_ip = None
        if found.private_ip is not None:
            found.subnet.used_addresses.pop(found.private_ip, None)
        found.state = NatGatewayState.DELETED
