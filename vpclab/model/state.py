"""The lab's state: its resources by id, the deterministic counters, and look-ups by object or id.

Every verb (in the ``verbs_*`` modules) resolves its arguments here first, validates, and only then
changes anything, so a call that raises leaves the lab exactly as it was.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Network

from .errors import InvalidParameterError, NotFoundError
from .ipv6_pool import amazon_ipv6_block
from .kinds import RESOURCE_KINDS
from .regions import DEFAULT_REGION, REGIONS, PublicAddressPool, resource_id
from .resources import (
    LOCAL,
    EgressOnlyInternetGateway,
    ElasticIp,
    Instance,
    InstanceState,
    InternetGateway,
    NatGateway,
    NatGatewayState,
    NetworkAcl,
    NetworkInterface,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    Subnet,
    Vpc,
    VpcBlockPublicAccessExclusion,
    VpcBlockPublicAccessOptions,
)

NAME_LIMIT = 256  # characters in an AWS tag value (the Name tag)

# kind of resource -> (class, the AWS code for an unknown id, the attribute of LabState holding them)
KINDS = {k.prefix: (k.cls, k.not_found, k.table) for k in RESOURCE_KINDS}


class LabState:
    """Resources by id (in creation order) and the counters that make ids and addresses repeatable."""

    def __init__(self, region: str = DEFAULT_REGION) -> None:
        if not isinstance(region, str) or region not in REGIONS:
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:region",
                value=_short(region),
                regions=", ".join(REGIONS),
            )
        self.region = region
        self.counters: dict[str, int] = {}
        self.public_ip_counter = 0
        self.vpcs: dict[str, Vpc] = {}
        self.subnets: dict[str, Subnet] = {}
        self.internet_gateways: dict[str, InternetGateway] = {}
        self.route_tables: dict[str, RouteTable] = {}
        self.instances: dict[str, Instance] = {}
        self.elastic_ips: dict[str, ElasticIp] = {}
        self.security_groups: dict[str, SecurityGroup] = {}
        self.network_acls: dict[str, NetworkAcl] = {}
        self.nat_gateways: dict[str, NatGateway] = {}
        # Only a lab imported from a real account has these (Lab.from_aws): secondary network interfaces
        # of instances, and what the import could not model (vpclab.model.imported.Unsupported).
        self.network_interfaces: dict[str, NetworkInterface] = {}
        self.egress_only_internet_gateways: dict[str, EgressOnlyInternetGateway] = {}
        self.block_public_access_exclusions: dict[str, VpcBlockPublicAccessExclusion] = {}
        self.block_public_access = VpcBlockPublicAccessOptions()
        # Block Public Access is set per Region: a lab imported from several Regions keeps the other
        # Regions' settings here (Region -> options); the lab's own Region uses ``block_public_access``.
        self.block_public_access_regions: dict[str, VpcBlockPublicAccessOptions] = {}
        self.ipv6_block_counter = 0  # Amazon-provided /56s handed out so far (ipv6_pool.py)
        self.unsupported: list = []
        self.history: list[dict] = []  # every successful verb, in order (see history.py)
        # Objects that left the lab (deleted), by id: undo brings back these very objects, so a
        # learner's variable that still holds one is live again (restore.py).
        self._retired: dict[str, object] = {}
        self._in_verb = False
        self._pool = PublicAddressPool(REGIONS[region])

    def _bury(self, *resources) -> None:
        for resource in resources:
            if resource is not None:
                self._retired[resource.id] = resource

    # ---- deterministic ids and addresses -------------------------------------------------------
    def _new_id(self, kind: str) -> str:
        number = self.counters.get(kind, 0) + 1
        self.counters[kind] = number
        return resource_id(self.region, kind, number)

    def _new_public_ip(self) -> IPv4Address:
        address, self.public_ip_counter = self._pool.draw(self.public_ip_counter)
        return address

    def _new_ipv6_block(self, vpc: Vpc) -> IPv6Network:
        block = self._next_ipv6_block(vpc)
        self.ipv6_block_counter += 1
        return block

    def _next_ipv6_block(self, vpc: Vpc) -> IPv6Network:
        """The /56 the next Amazon-provided block request for ``vpc`` gets (a fix hint names it ahead)."""
        return amazon_ipv6_block(vpc.region or self.region, self.ipv6_block_counter)

    def block_public_access_of(self, vpc: Vpc) -> VpcBlockPublicAccessOptions:
        """The Block Public Access setting that governs ``vpc``: its own Region's."""
        if vpc.region is None or vpc.region == self.region:
            return self.block_public_access
        return self.block_public_access_regions.get(vpc.region) or VpcBlockPublicAccessOptions()

    @property
    def availability_zones(self) -> tuple[str, ...]:
        return REGIONS[self.region].zones

    def zones_of(self, vpc: Vpc) -> tuple[str, ...]:
        """The Availability Zones of the VPC's Region (a lab imported from several Regions mixes them)."""
        return REGIONS[vpc.region or self.region].zones

    # ---- names ----------------------------------------------------------------------------------
    @staticmethod
    def _check_name(value: object, parameter: str = "name", limit: int = NAME_LIMIT) -> str | None:
        """A Name tag, group name or description: None, or text of at most ``limit`` characters.

        AWS allows 256 characters in a tag value and 255 in a group name or description; holding to
        that (and to text a UTF-8 file can store) keeps every lab savable and loadable again.
        """
        if value is None:
            return None
        ok = isinstance(value, str) and len(value) <= limit
        if ok:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate
                ok = False
        if not ok:
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:name",
                parameter=parameter,
                value=_short(value),
                limit=limit,
            )
        return value

    # ---- look-ups -------------------------------------------------------------------------------
    def _get(self, kind: str, value: object, parameter: str | None = None):
        """The live resource for an object or an id string; ``*.NotFound`` if it is not in this lab."""
        cls, not_found, attribute = KINDS[kind]
        if isinstance(value, cls):
            # An object of another lab with the same id: acting on this lab's would be a silent surprise.
            key = self._own(value)
        elif isinstance(value, str):
            key = value.strip()
        else:
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:wrong_kind",
                value=_short(value),
                expected=cls.__name__,
                parameter=parameter or kind,
            )
        found = getattr(self, attribute).get(key)
        if found is None or (kind == "nat" and found.state is NatGatewayState.DELETED):
            raise NotFoundError(not_found, id=key)
        return found

    def _own(self, resource) -> str:
        """The id of a resource object, refused if this lab holds another object under that id."""
        kind = next(k for k, (cls, _, _) in KINDS.items() if isinstance(resource, cls))
        held = getattr(self, KINDS[kind][2]).get(resource.id)
        if held is not None and held is not resource:
            raise InvalidParameterError(
                "InvalidParameterValue", "InvalidParameterValue:other_lab", id=resource.id, parameter=kind
            )
        return resource.id

    def _get_association(self, value: object) -> RouteTableAssociation:
        key = value.id if isinstance(value, RouteTableAssociation) else value
        if isinstance(key, str):
            for table in self.route_tables.values():
                for association in table.associations:
                    if association.id == key.strip():
                        return association
        raise NotFoundError("InvalidAssociationID.NotFound", id=_short(key))

    def _get_route_target(self, value: object):
        """A route target: ``"local"``, an internet gateway, a NAT gateway, or an instance / its ENI."""
        if isinstance(value, NetworkInterface) and value.id in self.network_interfaces:
            return self._get("eni", value)
        if isinstance(value, InternetGateway | EgressOnlyInternetGateway | NatGateway | Instance):
            value = self._own(value)
        if value == LOCAL:
            return LOCAL
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("igw-"):
                if text not in self.internet_gateways:
                    raise NotFoundError("InvalidGatewayID.NotFound", id=text)
                return self.internet_gateways[text]
            if text.startswith("eigw-"):
                return self._get("eigw", text)
            if text.startswith("nat-"):
                nat = self.nat_gateways.get(text)
                if nat is None or nat.state is NatGatewayState.DELETED:
                    raise NotFoundError("InvalidNatGatewayID.NotFound", id=text)
                return nat
            if text.startswith("i-"):
                return self._get("i", text)
            if text.startswith("eni-"):
                for instance in self.instances.values():
                    if instance.network_interface_id == text and instance.state is not InstanceState.TERMINATED:
                        return instance
                if text in self.network_interfaces:
                    return self.network_interfaces[text]
                raise NotFoundError("InvalidNetworkInterfaceID.NotFound", id=text)
        raise InvalidParameterError("InvalidParameterValue", "InvalidParameterValue:route_target", value=_short(value))

    # ---- derived facts shared by several verbs ------------------------------------------------
    def route_table_of(self, subnet: Subnet | str) -> RouteTable:
        """The table that routes the subnet's traffic: its explicit association, else the main table."""
        subnet = self._get("subnet", subnet)
        if subnet.route_table_association is not None:
            return subnet.route_table_association.route_table
        return subnet.vpc.main_route_table

    def main_route_table(self, vpc: Vpc | str) -> RouteTable:
        return self._get("vpc", vpc).main_route_table

    def network_acl_of(self, subnet: Subnet | str) -> NetworkAcl:
        return self._get("subnet", subnet).network_acl

    def default_network_acl(self, vpc: Vpc | str) -> NetworkAcl:
        return self._get("vpc", vpc).default_network_acl

    def default_security_group(self, vpc: Vpc | str) -> SecurityGroup:
        return self._get("vpc", vpc).default_security_group

    def _live_instances(self, vpc: Vpc | None = None, subnet: Subnet | None = None):
        for instance in self.instances.values():
            if instance.state is InstanceState.TERMINATED:
                continue
            if (vpc is None or instance.subnet.vpc is vpc) and (subnet is None or instance.subnet is subnet):
                yield instance

    def _live_interfaces(self, vpc: Vpc | None = None, subnet: Subnet | None = None):
        """Secondary network interfaces of instances that are not terminated."""
        for interface in self.network_interfaces.values():
            if interface.state is InstanceState.TERMINATED:
                continue
            if (vpc is None or interface.vpc is vpc) and (subnet is None or interface.subnet is subnet):
                yield interface

    def _live_nat_gateways(self, vpc: Vpc | None = None, subnet: Subnet | None = None):
        for nat in self.nat_gateways.values():
            if nat.state is NatGatewayState.DELETED:
                continue
            if (vpc is None or nat.subnet.vpc is vpc) and (subnet is None or nat.subnet is subnet):
                yield nat

    def mapped_public_addresses(self, vpc: Vpc) -> list[tuple[str, IPv4Address]]:
        """Public addresses the VPC's gateway translates now: (owner id, address).

        An Elastic IP on a stopped instance still counts: the association (and its mapping) stays.
        """
        mapped = [(i.id, i.public_ip) for i in self._live_instances(vpc) if i.public_ip is not None]
        mapped += [(i.id, i.public_ip) for i in self._live_interfaces(vpc) if i.public_ip is not None]
        mapped += [(n.id, n.public_ip) for n in self._live_nat_gateways(vpc) if n.public_ip is not None]
        return mapped


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
