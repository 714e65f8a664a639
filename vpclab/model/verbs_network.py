"""VPCs, their CIDRs, subnets and internet gateways (fact sheet §1 and §3)."""

from __future__ import annotations

from ipaddress import IPv4Network

from .addressing import ANYWHERE, NOT_ROUTABLE, Protocol, parse_cidr, secondary_cidr_restricted
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
from .state import LabState

VPCS_PER_REGION = 5  # AWS default quota; internet gateways share it
CIDRS_PER_VPC = 5


def _check_block_size(cidr: IPv4Network, code: str) -> None:
    # VPC and subnet CIDRs are /16 to /28 (VPC User Guide, "VPC CIDR blocks", "Subnet sizing").
    if not 16 <= cidr.prefixlen <= 28 or any(cidr.overlaps(n) for n in NOT_ROUTABLE):
        raise InvalidParameterError(code, cidr=str(cidr))


class NetworkVerbs(LabState):
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
        for block in vpc.cidrs:
            table.routes[block] = Route(block, LOCAL, LOCAL, vpc, origin="CreateRouteTable")
        self.route_tables[table.id] = table
        return table

    def associate_vpc_cidr_block(self, vpc: Vpc | str, cidr: str) -> str:
        """Add a secondary IPv4 CIDR; every route table of the VPC gets its local route.

        Returns:
            The CIDR block association id.
        """
        vpc = self._get("vpc", vpc)
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

    # ---- subnets -------------------------------------------------------------------------------
    def create_subnet(
        self,
        vpc: Vpc | str,
        cidr: str,
        name: str | None = None,
        availability_zone: str | None = None,
        map_public_ip_on_launch: bool = False,
    ) -> Subnet:
        """Create a subnet inside one of the VPC's CIDRs, using the main table and the default ACL.

        Raises:
            InvalidParameterError: ``InvalidSubnet.Range`` (size, or outside the VPC),
                ``InvalidSubnet.Conflict`` (overlap), ``InvalidParameterValue`` (CIDR, zone).
        """
        vpc, name = self._get("vpc", vpc), self._check_name(name)
        block = parse_cidr(cidr)
        if not 16 <= block.prefixlen <= 28 or not any(block.subnet_of(c) for c in vpc.cidrs):
            raise InvalidParameterError(
                "InvalidSubnet.Range", cidr=str(block), vpc_cidrs=", ".join(map(str, vpc.cidrs))
            )
        for other in self.subnets.values():
            if other.vpc is vpc and other.cidr.overlaps(block):
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
            bool(map_public_ip_on_launch),
            network_acl=vpc.default_network_acl,
            network_acl_association_id=self._new_id("aclassoc"),
        )
        self.subnets[subnet.id] = subnet
        return subnet

    def modify_subnet_attribute(self, subnet: Subnet | str, map_public_ip_on_launch: bool) -> None:
        """Turn the auto-assigned public IPv4 for new instances on or off (it does not make a subnet public)."""
        self._get("subnet", subnet).map_public_ip_on_launch = bool(map_public_ip_on_launch)

    def delete_subnet(self, subnet: Subnet | str) -> None:
        subnet = self._get("subnet", subnet)
        blockers = [i.id for i in self._live_instances(subnet=subnet)]
        blockers += [n.id for n in self._live_nat_gateways(subnet=subnet)]
        blockers += [i.id for i in self._live_interfaces(subnet=subnet)]
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
            del self.instances[instance_id]
        for nat_id in [n.id for n in self.nat_gateways.values() if n.subnet is subnet]:
            del self.nat_gateways[nat_id]
        del self.subnets[subnet.id]

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
