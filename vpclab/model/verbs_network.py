"""VPCs, their CIDRs, subnets and internet gateways (fact sheet §1 and §3)."""

from __future__ import annotations

from ipaddress import IPv4Network

from .addressing import ANYWHERE, NOT_ROUTABLE, Protocol, check_bool, parse_cidr, secondary_cidr_restricted
from .errors import (
    AlreadyAssociatedError,
    DependencyViolationError,
    IncorrectStateError,
    InvalidParameterError,
    LimitExceededError,
)
from .resources import (
    LOCAL,
    Action,
    InternetGateway,
    NetworkAcl,
    NetworkAclEntry,
    Route,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    Vpc,
)
from .verbs_ipv6 import Ipv6Verbs

VPCS_PER_REGION = 5  # AWS default quota; internet gateways share it
CIDRS_PER_VPC = 5


def _check_block_size(cidr: IPv4Network, code: str) -> None:
    # VPC and subnet CIDRs are /16 to /28 (VPC User Guide, "VPC CIDR blocks", "Subnet sizing").
    if not 16 <= cidr.prefixlen <= 28 or any(cidr.overlaps(n) for n in NOT_ROUTABLE):
        raise InvalidParameterError(code, cidr=str(cidr))


class NetworkVerbs(Ipv6Verbs):
    # ---- VPCs ----------------------------------------------------------------------------------
    def create_vpc(self, cidr: str, name: str | None = None) -> Vpc:
        """Create a VPC with its main route table, default network ACL and default security group.

        Raises:
            InvalidParameterError: ``InvalidParameterValue`` (malformed), ``InvalidVpc.Range`` (size).
            LimitExceededError: ``VpcLimitExceeded`` past 5 VPCs in the Region.
        """
        name = self._check_name(name)
        block = parse_cidr(cidr)
        _check_block_size(block, "InvalidVpc.Range")
        if len(self.vpcs) >= VPCS_PER_REGION:
            raise LimitExceededError("VpcLimitExceeded", limit=VPCS_PER_REGION)
        vpc = Vpc(self._new_id("vpc"), [block], name, [self._new_id("vpc-cidr-assoc")])
        self.vpcs[vpc.id] = vpc
        main = self._new_route_table(vpc, name=None)
        main.associations.append(RouteTableAssociation(self._new_id("rtbassoc"), main, None))
        vpc.main_route_table = main
        acl = NetworkAcl(self._new_id("acl"), vpc, is_default=True)
        anywhere = ANYWHERE
        for egress in (False, True):  # rule 100 allows everything both ways; "*" denies the rest
            acl.entries[(egress, 100)] = NetworkAclEntry(100, egress, Protocol.ALL, None, anywhere, Action.ALLOW)
        self.network_acls[acl.id] = acl
        vpc.default_network_acl = acl
        group = SecurityGroup(self._new_id("sg"), vpc, "default", "default VPC security group")
        group.rules = [  # members reach each other; everything may go out
            SecurityGroupRule(False, Protocol.ALL, None, group_id=group.id, rule_id=self._new_id("sgr")),
            SecurityGroupRule(True, Protocol.ALL, None, cidr=anywhere, rule_id=self._new_id("sgr")),
        ]
        self.security_groups[group.id] = group
        vpc.default_security_group = group
        return vpc

    def _new_route_table(self, vpc: Vpc, name: str | None) -> RouteTable:
        table = RouteTable(self._new_id("rtb"), vpc, name)
        for block in (*vpc.cidrs, *vpc.ipv6_cidr_blocks):
            table.routes[block] = Route(block, LOCAL, LOCAL, vpc, origin="CreateRouteTable")
        self.route_tables[table.id] = table
        return table

    def associate_vpc_cidr_block(
        self, vpc: Vpc | str, cidr: str | None = None, amazon_provided_ipv6: bool = False
    ) -> str:
        """Add a secondary IPv4 CIDR, or (``amazon_provided_ipv6=True``) an Amazon-provided IPv6 /56.

        Every route table of the VPC gets the block's local route. The IPv6 block comes from the
        Region's real EC2 IPv6 range, the same one on every run (``vpc.ipv6_cidr_blocks``).

        Returns:
            The CIDR block association id.
        """
        vpc = self._get("vpc", vpc)
        check_bool(amazon_provided_ipv6, "amazon_provided_ipv6")
        if amazon_provided_ipv6:
            if cidr is not None:
                raise InvalidParameterError("InvalidParameterCombination", "InvalidParameterCombination:cidr_and_ipv6")
            return self._associate_ipv6_block(vpc)
        if cidr is None:
            raise InvalidParameterError("MissingParameter", "MissingParameter:cidr")
        block = parse_cidr(cidr)
        _check_block_size(block, "InvalidVpc.Range")
        if len(vpc.cidrs) >= CIDRS_PER_VPC:
            raise LimitExceededError("CidrLimitExceeded", vpc_id=vpc.id, limit=CIDRS_PER_VPC)
        for existing in vpc.cidrs:
            if block.overlaps(existing):
                raise InvalidParameterError(
                    "InvalidVpc.Range", "InvalidVpc.Range:overlap", cidr=str(block), existing=str(existing)
                )
        if secondary_cidr_restricted(vpc.cidrs, block):
            raise InvalidParameterError(
                "InvalidVpc.Range", "InvalidVpc.Range:restricted", cidr=str(block), primary=str(vpc.cidr)
            )
        tables = [t for t in self.route_tables.values() if t.vpc is vpc]
        for table in tables:
            for route in table.routes.values():
                # The new CIDR must not equal or contain a destination already routed somewhere.
                if not route.is_local and route.destination.subnet_of(block):
                    raise InvalidParameterError(
                        "InvalidParameterValue",
                        "InvalidParameterValue:cidr_covers_route",
                        cidr=str(block),
                        destination=str(route.destination),
                        route_table_id=table.id,
                    )
        vpc.cidrs.append(block)
        association_id = self._new_id("vpc-cidr-assoc")
        vpc.cidr_association_ids.append(association_id)
        for table in tables:
            table.routes[block] = Route(block, LOCAL, LOCAL, vpc, origin="CreateRouteTable")
        return association_id

    def delete_vpc(self, vpc: Vpc | str) -> None:
        """Delete a VPC that has nothing left in it but its main table, default ACL and default group."""
        vpc = self._get("vpc", vpc)
        blockers = [s.id for s in self.subnets.values() if s.vpc is vpc]
        blockers += [vpc.internet_gateway.id] if vpc.internet_gateway else []
        blockers += [vpc.egress_only_internet_gateway.id] if vpc.egress_only_internet_gateway else []
        blockers += [x.id for x in self.block_public_access_exclusions.values() if x.vpc is vpc]
        blockers += [t.id for t in self.route_tables.values() if t.vpc is vpc and t is not vpc.main_route_table]
        blockers += [g.id for g in self.security_groups.values() if g.vpc is vpc and not g.is_default]
        blockers += [a.id for a in self.network_acls.values() if a.vpc is vpc and not a.is_default]
        if blockers:
            raise DependencyViolationError(
                "DependencyViolation", "DependencyViolation:vpc", vpc_id=vpc.id, blockers=", ".join(blockers)
            )
        del self.route_tables[vpc.main_route_table.id]
        del self.network_acls[vpc.default_network_acl.id]
        del self.security_groups[vpc.default_security_group.id]
        del self.vpcs[vpc.id]
        self._bury(vpc, vpc.main_route_table, vpc.default_network_acl, vpc.default_security_group)

    # ---- subnets -------------------------------------------------------------------------------
    def create_subnet(
        self,
        vpc: Vpc | str,
        cidr: str | None = None,
        name: str | None = None,
        availability_zone: str | None = None,
        map_public_ip_on_launch: bool = False,
        ipv6_cidr: str | None = None,
        ipv6_native: bool = False,
    ) -> Subnet:
        """Create a subnet inside one of the VPC's CIDRs, using the main table and the default ACL.

        ``ipv6_cidr``: a /64 of one of the VPC's IPv6 blocks, for a dual-stack subnet. With
        ``ipv6_native=True`` and no ``cidr`` the subnet is IPv6-only: the /64 is all it has, and its
        instances get IPv6 addresses and no IPv4 (fact sheet §12.1).

        Raises:
            InvalidParameterError: ``InvalidSubnet.Range`` (size, or outside the VPC),
                ``InvalidSubnet.Conflict`` (overlap), ``InvalidParameterValue`` (CIDR, zone),
                ``InvalidParameterCombination`` (an IPv4 CIDR or public IPv4 with ``ipv6_native``),
                ``MissingParameter`` (no CIDR of the kind the subnet needs).
        """
        vpc, name = self._get("vpc", vpc), self._check_name(name)
        check_bool(map_public_ip_on_launch, "map_public_ip_on_launch")
        check_bool(ipv6_native, "ipv6_native")
        if ipv6_native:
            self._check_ipv6_native(vpc, cidr, ipv6_cidr, map_public_ip_on_launch)
        elif cidr is None:
            # AWS's CreateSubnet wants cidrBlock unless the subnet is IPv6-only (docs/modelling-choices.md).
            raise InvalidParameterError("MissingParameter", "MissingParameter:subnet_cidr", vpc_id=vpc.id)
        ipv6_block = None if ipv6_cidr is None else self._check_subnet_ipv6(vpc, ipv6_cidr)
        block = None if ipv6_native else parse_cidr(cidr)
        if block is not None and (not 16 <= block.prefixlen <= 28 or not any(block.subnet_of(c) for c in vpc.cidrs)):
            raise InvalidParameterError(
                "InvalidSubnet.Range", cidr=str(block), vpc_cidrs=", ".join(map(str, vpc.cidrs))
            )
        for other in self.subnets.values():
            if block is not None and other.vpc is vpc and other.cidr is not None and other.cidr.overlaps(block):
                raise InvalidParameterError(
                    "InvalidSubnet.Conflict", cidr=str(block), subnet_id=other.id, other=str(other.cidr)
                )
        zones = self.zones_of(vpc)  # the VPC's Region: an imported lab may hold several
        zone = availability_zone if availability_zone is not None else zones[0]
        if zone not in zones:
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:zone",
                zone=zone,
                zones=", ".join(zones),
            )
        subnet = Subnet(
            self._new_id("subnet"),
            vpc,
            block,
            zone,
            name,
            map_public_ip_on_launch,
            network_acl=vpc.default_network_acl,
            network_acl_association_id=self._new_id("aclassoc"),
            ipv6_native=ipv6_native,
        )
        if ipv6_block is not None:
            subnet.ipv6_cidr_block, subnet.ipv6_cidr_association_id = ipv6_block, self._new_id("subnet-cidr-assoc")
        self.subnets[subnet.id] = subnet
        return subnet

    def modify_subnet_attribute(
        self,
        subnet: Subnet | str,
        map_public_ip_on_launch: bool | None = None,
        assign_ipv6_address_on_creation: bool | None = None,
        enable_dns64: bool | None = None,
    ) -> None:
        """Turn the auto-assigned public IPv4 (or IPv6 address) for new instances on or off, or DNS64.

        Neither address setting makes a subnet public: that is its route table's doing. DNS64 makes
        the VPC resolver answer IPv4-only names with 64:ff9b::/96 addresses, which a route to a NAT
        gateway carries out as IPv4 (NAT64).

        Raises:
            InvalidParameterError: ``InvalidParameterValue`` for IPv6 or DNS64 on a subnet without an
                IPv6 CIDR; ``InvalidParameterCombination`` for a public IPv4 on an IPv6-only subnet.
        """
        subnet = self._get("subnet", subnet)
        values = (
            (map_public_ip_on_launch, "map_public_ip_on_launch"),
            (assign_ipv6_address_on_creation, "assign_ipv6_address_on_creation"),
            (enable_dns64, "enable_dns64"),
        )
        if all(value is None for value, _ in values):
            raise InvalidParameterError("MissingParameter", "MissingParameter:subnet_attribute")
        for value, parameter in values:
            if value is not None:
                check_bool(value, parameter)
        if assign_ipv6_address_on_creation and subnet.ipv6_cidr_block is None:
            raise InvalidParameterError(
                "InvalidParameterValue", "InvalidParameterValue:assign_ipv6_without_block", subnet_id=subnet.id
            )
        if enable_dns64 and subnet.ipv6_cidr_block is None:
            # AWS's code is not in the sources; the same as assign-ipv6 without a block (docs/modelling-choices.md).
            raise InvalidParameterError(
                "InvalidParameterValue", "InvalidParameterValue:dns64_without_block", subnet_id=subnet.id
            )
        if map_public_ip_on_launch and subnet.ipv6_native:
            raise InvalidParameterError(
                "InvalidParameterCombination", "InvalidParameterCombination:ipv6_native_public_ip"
            )
        if map_public_ip_on_launch is not None:
            subnet.map_public_ip_on_launch = map_public_ip_on_launch
        if assign_ipv6_address_on_creation is not None:
            subnet.assign_ipv6_address_on_creation = assign_ipv6_address_on_creation
        if enable_dns64 is not None:
            subnet.enable_dns64 = enable_dns64

    def delete_subnet(self, subnet: Subnet | str) -> None:
        subnet = self._get("subnet", subnet)
        blockers = [i.id for i in self._live_instances(subnet=subnet)]
        blockers += [n.id for n in self._live_nat_gateways(subnet=subnet)]
        blockers += [i.id for i in self._live_interfaces(subnet=subnet)]
        blockers += [x.id for x in self.block_public_access_exclusions.values() if x.subnet is subnet]
        if blockers:
            raise DependencyViolationError(
                "DependencyViolation",
                "DependencyViolation:subnet",
                subnet_id=subnet.id,
                blockers=", ".join(blockers),
            )
        if subnet.route_table_association is not None:
            subnet.route_table_association.route_table.associations.remove(subnet.route_table_association)
        # Terminated instances and deleted NAT gateways are only records; they go with their subnet.
        for instance_id in [i.id for i in self.instances.values() if i.subnet is subnet]:
            self._bury(self.instances.pop(instance_id))
        for nat_id in [n.id for n in self.nat_gateways.values() if n.subnet is subnet]:
            self._bury(self.nat_gateways.pop(nat_id))
        del self.subnets[subnet.id]
        self._bury(subnet)

    # ---- internet gateways ---------------------------------------------------------------------
    def create_internet_gateway(self, name: str | None = None) -> InternetGateway:
        name = self._check_name(name)
        if len(self.internet_gateways) >= VPCS_PER_REGION:
            raise LimitExceededError("InternetGatewayLimitExceeded", limit=VPCS_PER_REGION)
        gateway = InternetGateway(self._new_id("igw"), name)
        self.internet_gateways[gateway.id] = gateway
        return gateway

    def attach_internet_gateway(self, igw: InternetGateway | str, vpc: Vpc | str) -> None:
        """Attach a gateway to a VPC: one gateway per VPC, one VPC per gateway.

        Raises:
            AlreadyAssociatedError: ``Resource.AlreadyAssociated`` if the gateway is attached.
            InvalidParameterError: ``InvalidParameterValue`` if the VPC already has a gateway.
        """
        gateway, vpc = self._get("igw", igw), self._get("vpc", vpc)
        if gateway.vpc is not None:
            raise AlreadyAssociatedError(
                "Resource.AlreadyAssociated",
                "Resource.AlreadyAssociated:igw",
                igw_id=gateway.id,
                vpc_id=gateway.vpc.id,
            )
        if vpc.internet_gateway is not None:
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:vpc_has_gateway",
                vpc_id=vpc.id,
                igw_id=vpc.internet_gateway.id,
            )
        gateway.vpc, vpc.internet_gateway = vpc, gateway

    def detach_internet_gateway(self, igw: InternetGateway | str, vpc: Vpc | str) -> None:
        """Detach a gateway. Its routes turn ``blackhole`` until it is attached again.

        Raises:
            IncorrectStateError: ``Gateway.NotAttached`` if it is not attached to this VPC.
            DependencyViolationError: while public addresses are mapped in the VPC.
        """
        # Existence first (*.NotFound), then the attachment: the fact sheet's recommendation (§1.2).
        gateway, vpc = self._get("igw", igw), self._get("vpc", vpc)
        if gateway.vpc is not vpc:
            raise IncorrectStateError("Gateway.NotAttached", igw_id=gateway.id, vpc_id=vpc.id)
        mapped = self.mapped_public_addresses(vpc)
        if mapped:
            raise DependencyViolationError(
                "DependencyViolation",
                "DependencyViolation:mapped_public",
                vpc_id=vpc.id,
                addresses=", ".join(f"{ip} ({owner})" for owner, ip in mapped),
            )
        gateway.vpc, vpc.internet_gateway = None, None

    def delete_internet_gateway(self, igw: InternetGateway | str) -> None:
        gateway = self._get("igw", igw)
        if gateway.vpc is not None:
            raise DependencyViolationError(
                "DependencyViolation", "DependencyViolation:igw", igw_id=gateway.id, vpc_id=gateway.vpc.id
            )
        gateway.deleted = True  # routes that still name it stay, as blackholes
        del self.internet_gateways[gateway.id]
        self._bury(gateway)
