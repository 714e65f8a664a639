"""The resources of one offline AWS account: plain objects that a Lab creates and changes.

A learner's variable holds the very object the lab keeps, so it never goes stale: ``web.public_ip``
is computed from the instance's current Elastic IP or auto-assigned address. Resources refer to each
other directly (a subnet to its VPC, a route to its target), never to the whole lab. Only the Lab
changes them; their attributes are for reading.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from .addressing import PortRange, Protocol, usable_count
from .imported import UnsupportedTarget


class InstanceState(enum.Enum):
    RUNNING = "running"
    STOPPED = "stopped"
    TERMINATED = "terminated"


class NatGatewayState(enum.Enum):
    AVAILABLE = "available"
    FAILED = "failed"
    DELETED = "deleted"


class RouteState(enum.Enum):
    ACTIVE = "active"
    BLACKHOLE = "blackhole"


class Action(enum.Enum):
    ALLOW = "allow"
    DENY = "deny"


class BlockPublicAccessMode(enum.Enum):
    """The account's VPC Block Public Access mode in the Region (fact sheet §14.2)."""

    OFF = "off"
    BLOCK_BIDIRECTIONAL = "block-bidirectional"
    BLOCK_INGRESS = "block-ingress"


class ExclusionMode(enum.Enum):
    """What a Block Public Access exclusion lets through for its VPC or subnet (fact sheet §14.2)."""

    ALLOW_BIDIRECTIONAL = "allow-bidirectional"
    ALLOW_EGRESS = "allow-egress"


LOCAL = "local"  # the target of a VPC's local routes

_DISPLAY: dict = {}


def register_display(kind: str, function) -> None:
    """The render layer's hook: ``register_display("html", resource_html)`` makes every resource
    show as that function draws it in Jupyter."""
    _DISPLAY[kind] = function


def _escape(text: str) -> str:
    from html import escape

    return escape(text)


class Resource:
    """Common behaviour: an id, an optional Name tag, a code-like repr and a Jupyter table."""

    id: str
    name: str | None

    def _repr_html_(self) -> str:
        # Rendering lives in the render layer, which registers its display here when it is imported
        # (see ``register_display``); the model never imports it.
        return _DISPLAY["html"](self) if "html" in _DISPLAY else f"<pre>{_escape(repr(self))}</pre>"

    def _repr_fields(self) -> str:
        return ""

    def __repr__(self) -> str:
        name = f", name={self.name!r}" if self.name else ""
        return f"{type(self).__name__}({self.id!r}{self._repr_fields()}{name})"


@dataclass(eq=False, repr=False)
class Vpc(Resource):
    id: str
    cidrs: list[IPv4Network]
    name: str | None = None
    cidr_association_ids: list[str] = field(default_factory=list)
    internet_gateway: InternetGateway | None = None
    main_route_table: RouteTable | None = None
    default_network_acl: NetworkAcl | None = None
    default_security_group: SecurityGroup | None = None
    region: str | None = None  # None: the lab's Region (a lab imported from several Regions sets it)
    ipv6_cidr_blocks: list[IPv6Network] = field(default_factory=list)  # Amazon-provided /56s
    ipv6_cidr_association_ids: list[str] = field(default_factory=list)
    egress_only_internet_gateway: EgressOnlyInternetGateway | None = None

    @property
    def cidr(self) -> IPv4Network:
        """The primary CIDR."""
        return self.cidrs[0]

    def _repr_fields(self) -> str:
        return f", cidr={str(self.cidr)!r}"


@dataclass(eq=False, repr=False)
class Subnet(Resource):
    id: str
    vpc: Vpc
    cidr: IPv4Network
    availability_zone: str
    name: str | None = None
    map_public_ip_on_launch: bool = False
    route_table_association: RouteTableAssociation | None = None  # None: the main table, implicitly
    network_acl: NetworkAcl | None = None
    network_acl_association_id: str = ""
    used_addresses: dict[IPv4Address, str] = field(default_factory=dict)  # private IP -> user id
    ipv6_cidr_block: IPv6Network | None = None  # a /64 of one of the VPC's IPv6 blocks
    ipv6_cidr_association_id: str | None = None
    assign_ipv6_address_on_creation: bool = False
    used_ipv6_addresses: dict[IPv6Address, str] = field(default_factory=dict)  # IPv6 address -> instance id

    @property
    def available_ip_address_count(self) -> int:
        """Addresses left: the CIDR's size less AWS's 5 reserved and those in use (a /24 starts at 251)."""
        return usable_count(self.cidr) - len(self.used_addresses)

    def _repr_fields(self) -> str:
        return f", cidr={str(self.cidr)!r}, availability_zone={self.availability_zone!r}"


@dataclass(eq=False, repr=False)
class InternetGateway(Resource):
    id: str
    name: str | None = None
    vpc: Vpc | None = None  # the attachment: one VPC at most
    deleted: bool = False

    @property
    def attachments(self) -> list[dict[str, str]]:
        # AWS reports an internet gateway's attachment state as "available", not "attached".
        return [{"VpcId": self.vpc.id, "State": "available"}] if self.vpc else []

    def _repr_fields(self) -> str:
        return f", vpc={self.vpc.id if self.vpc else None!r}"


@dataclass(eq=False, repr=False)
class EgressOnlyInternetGateway(Resource):
    """IPv6's answer to the NAT gateway: outbound-initiated IPv6 only, attached to one VPC at creation.

    There is no attach or detach: it belongs to its VPC until deleted, and routes that name it then
    turn ``blackhole`` (fact sheet §13).
    """

    id: str  # eigw-…
    vpc: Vpc
    name: str | None = None
    deleted: bool = False

    @property
    def attachments(self) -> list[dict[str, str]]:
        # Unlike the internet gateway's "available", AWS reports this attachment as "attached".
        return [] if self.deleted else [{"VpcId": self.vpc.id, "State": "attached"}]

    def _repr_fields(self) -> str:
        return f", vpc={self.vpc.id!r}"


@dataclass(eq=False, repr=False)
class Route:
    """One route: a destination CIDR (IPv4 or IPv6) and a target (``"local"``, a gateway, an
    egress-only gateway, a NAT gateway, an instance)."""

    destination: IPv4Network | IPv6Network
    target_id: str
    target: object  # the target resource, or LOCAL; a deleted target stays here and makes a blackhole
    vpc: Vpc
    origin: str = "CreateRoute"

    @property
    def state(self) -> RouteState:
        """``blackhole`` when the target cannot carry traffic now: detached, deleted, stopped."""
        target = self.target
        if target == LOCAL:
            active = True
        elif isinstance(target, InternetGateway):
            active = not target.deleted and target.vpc is self.vpc
        elif isinstance(target, EgressOnlyInternetGateway):
            active = not target.deleted
        elif isinstance(target, NatGateway):
            active = target.state is NatGatewayState.AVAILABLE
        elif isinstance(target, Instance | NetworkInterface):
            active = target.state is InstanceState.RUNNING
        elif isinstance(target, UnsupportedTarget):  # not modelled: the state AWS reported
            active = target.state == RouteState.ACTIVE.value
        else:
            active = False
        return RouteState.ACTIVE if active else RouteState.BLACKHOLE

    @property
    def is_local(self) -> bool:
        return self.target == LOCAL

    def __repr__(self) -> str:
        return f"Route({str(self.destination)!r} -> {self.target_id!r}, {self.state.value})"


@dataclass(eq=False, repr=False)
class RouteTableAssociation:
    id: str
    route_table: RouteTable
    subnet: Subnet | None  # None: the main association

    @property
    def main(self) -> bool:
        return self.subnet is None

    def __repr__(self) -> str:
        what = "main" if self.subnet is None else self.subnet.id
        return f"RouteTableAssociation({self.id!r}, {self.route_table.id!r} <- {what})"


@dataclass(eq=False, repr=False)
class RouteTable(Resource):
    id: str
    vpc: Vpc
    name: str | None = None
    routes: dict[IPv4Network | IPv6Network, Route] = field(default_factory=dict)
    associations: list[RouteTableAssociation] = field(default_factory=list)

    @property
    def main(self) -> bool:
        return any(a.main for a in self.associations)

    def lookup(self, address: IPv4Address | IPv6Address | str) -> Route | None:
        """Longest prefix match over the routes of the address's family (``0.0.0.0/0`` never carries
        IPv6, ``::/0`` never IPv4). A blackhole route still wins: AWS does not fall back to a shorter one."""
        if isinstance(address, str):
            from .addressing import parse_ip_any

            address = parse_ip_any(address, "address")
        best = None
        for route in self.routes.values():
            if (
                route.destination.version == address.version
                and address in route.destination
                and (best is None or route.destination.prefixlen > best.destination.prefixlen)
            ):
                best = route
        return best

    def _repr_fields(self) -> str:
        return f", vpc={self.vpc.id!r}, main={self.main}"


@dataclass(eq=False, repr=False)
class Instance(Resource):
    id: str
    subnet: Subnet
    private_ip: IPv4Address
    network_interface_id: str
    security_groups: list[SecurityGroup]
    name: str | None = None
    state: InstanceState = InstanceState.RUNNING
    # The network interface's "associate public IPv4" setting, fixed at launch.
    auto_assign_public_ip: bool = False
    auto_public_ip: IPv4Address | None = None
    elastic_ip: ElasticIp | None = None
    # Secondary network interfaces (device index 1 and up), by device index; only imported labs have them.
    interfaces: list[NetworkInterface] = field(default_factory=list)
    # IPv6 addresses of the primary interface: public by nature, no NAT, no Elastic IP (fact sheet §12.1).
    ipv6_addresses: list[IPv6Address] = field(default_factory=list)

    @property
    def public_ip(self) -> IPv4Address | None:
        """The public address in effect now: the Elastic IP, else the auto-assigned one, else None."""
        if self.elastic_ip is not None:
            return self.elastic_ip.public_ip
        return self.auto_public_ip

    @property
    def vpc(self) -> Vpc:
        return self.subnet.vpc

    def _repr_fields(self) -> str:
        public = str(self.public_ip) if self.public_ip else None
        ipv6 = f", ipv6_addresses={[str(a) for a in self.ipv6_addresses]!r}" if self.ipv6_addresses else ""
        return f", private_ip={str(self.private_ip)!r}, public_ip={public!r}{ipv6}, state={self.state.value!r}"


@dataclass(eq=False, repr=False)
class NetworkInterface(Resource):
    """A secondary network interface of an instance (device index 1 and up), as a real account has them.

    The instance itself stands for its primary interface (``Instance.private_ip``, ``security_groups``).
    A secondary interface has its own subnet (of the same VPC and Availability Zone), private address and
    security groups, and may hold an Elastic IP; it runs when its instance runs. The engine treats it as
    it treats an instance's interface: an analysis from or to its addresses follows its own subnet's
    route table and network ACL and its own groups.
    """

    id: str  # eni-…
    instance: Instance
    subnet: Subnet
    private_ip: IPv4Address
    security_groups: list[SecurityGroup]
    device_index: int = 1
    name: str | None = None
    auto_public_ip: IPv4Address | None = None
    elastic_ip: ElasticIp | None = None
    ipv6_addresses: list[IPv6Address] = field(default_factory=list)  # from its subnet's IPv6 block

    @property
    def public_ip(self) -> IPv4Address | None:
        if self.elastic_ip is not None:
            return self.elastic_ip.public_ip
        return self.auto_public_ip

    @property
    def state(self) -> InstanceState:
        return self.instance.state

    @property
    def vpc(self) -> Vpc:
        return self.subnet.vpc

    @property
    def network_interface_id(self) -> str:
        return self.id

    def _repr_fields(self) -> str:
        public = str(self.public_ip) if self.public_ip else None
        return (
            f", instance={self.instance.id!r}, private_ip={str(self.private_ip)!r}, public_ip={public!r}, "
            f"device_index={self.device_index}"
        )


@dataclass(eq=False, repr=False)
class ElasticIp(Resource):
    id: str  # the allocation id
    public_ip: IPv4Address
    name: str | None = None
    association_id: str | None = None
    instance: Instance | None = None
    nat_gateway: NatGateway | None = None
    network_interface: NetworkInterface | None = None  # a secondary interface of an instance (imported labs)

    @property
    def associated(self) -> bool:
        return self.instance is not None or self.nat_gateway is not None or self.network_interface is not None

    def _repr_fields(self) -> str:
        user = self.instance or self.nat_gateway or self.network_interface
        return f", public_ip={str(self.public_ip)!r}, associated_with={user.id if user else None!r}"


@dataclass(frozen=True)
class SecurityGroupRule:
    """An allow rule. Exactly one of ``cidr`` and ``source_group_id`` is set."""

    egress: bool
    protocol: Protocol
    ports: PortRange | None  # None with protocol -1: every port
    cidr: IPv4Network | IPv6Network | None = None
    group_id: str | None = None
    rule_id: str = field(default="", compare=False)

    @property
    def key(self) -> tuple:
        return (self.egress, self.protocol, self.ports, self.cidr, self.group_id)

    def __repr__(self) -> str:
        peer = str(self.cidr) if self.cidr is not None else self.group_id
        ports = "all" if self.ports is None else str(self.ports)
        way = "egress" if self.egress else "ingress"
        return f"SecurityGroupRule({way}, {self.protocol.value}, {ports}, {peer})"


@dataclass(eq=False, repr=False)
class SecurityGroup(Resource):
    id: str
    vpc: Vpc
    group_name: str
    description: str = ""
    name: str | None = None
    rules: list[SecurityGroupRule] = field(default_factory=list)

    @property
    def is_default(self) -> bool:
        return self.group_name == "default"

    @property
    def ingress(self) -> list[SecurityGroupRule]:
        return [r for r in self.rules if not r.egress]

    @property
    def egress(self) -> list[SecurityGroupRule]:
        return [r for r in self.rules if r.egress]

    def __repr__(self) -> str:
        return f"SecurityGroup({self.id!r}, group_name={self.group_name!r}, vpc={self.vpc.id!r})"


ACL_RULE_MAX = 32766
ACL_DEFAULT_RULE = 32767  # the "*" rule: deny everything, always last, never changed
ACL_DEFAULT_RULE_V6 = 32768  # its IPv6 twin, present once the VPC has an IPv6 block (fact sheet §12.3)


@dataclass(frozen=True)
class NetworkAclEntry:
    rule_number: int
    egress: bool
    protocol: Protocol
    ports: PortRange | None
    cidr: IPv4Network | IPv6Network
    action: Action

    def __repr__(self) -> str:
        number = "*" if self.rule_number > ACL_RULE_MAX else str(self.rule_number)
        ports = "all" if self.ports is None else str(self.ports)
        way = "egress" if self.egress else "ingress"
        return f"NetworkAclEntry({number}, {way}, {self.protocol.value}, {ports}, {self.cidr}, {self.action.value})"


_STAR_RULES = {
    egress: NetworkAclEntry(ACL_DEFAULT_RULE, egress, Protocol.ALL, None, IPv4Network("0.0.0.0/0"), Action.DENY)
    for egress in (False, True)
}
_STAR_RULES_V6 = {
    egress: NetworkAclEntry(ACL_DEFAULT_RULE_V6, egress, Protocol.ALL, None, IPv6Network("::/0"), Action.DENY)
    for egress in (False, True)
}


def star_rule(egress: bool, version: int = 4) -> NetworkAclEntry:
    return (_STAR_RULES_V6 if version == 6 else _STAR_RULES)[egress]


@dataclass(eq=False, repr=False)
class NetworkAcl(Resource):
    id: str
    vpc: Vpc
    is_default: bool = False
    name: str | None = None
    entries: dict[tuple[bool, int], NetworkAclEntry] = field(default_factory=dict)

    def rules(self, egress: bool) -> list[NetworkAclEntry]:
        """The rules of one direction in evaluation order, the ``*`` deny last."""
        mine = sorted((e for e in self.entries.values() if e.egress == egress), key=lambda e: e.rule_number)
        stars = [star_rule(egress)] + ([star_rule(egress, 6)] if self.vpc.ipv6_cidr_blocks else [])
        return [*mine, *stars]

    @property
    def inbound(self) -> list[NetworkAclEntry]:
        return self.rules(egress=False)

    @property
    def outbound(self) -> list[NetworkAclEntry]:
        return self.rules(egress=True)

    def _repr_fields(self) -> str:
        return f", vpc={self.vpc.id!r}, is_default={self.is_default}"


@dataclass(eq=False, repr=False)
class NatGateway(Resource):
    id: str
    subnet: Subnet
    private_ip: IPv4Address
    network_interface_id: str
    name: str | None = None
    elastic_ip: ElasticIp | None = None
    allocation_id: str = ""
    state: NatGatewayState = NatGatewayState.AVAILABLE
    failure_code: str | None = None

    @property
    def public_ip(self) -> IPv4Address | None:
        return self.elastic_ip.public_ip if self.elastic_ip is not None else None

    @property
    def vpc(self) -> Vpc:
        return self.subnet.vpc

    def _repr_fields(self) -> str:
        public = str(self.public_ip) if self.public_ip else None
        return f", subnet={self.subnet.id!r}, public_ip={public!r}, state={self.state.value!r}"


@dataclass(eq=False, repr=False)
class VpcBlockPublicAccessOptions:
    """The account's Block Public Access setting in the lab's Region (one object per lab, always live)."""

    internet_gateway_block_mode: BlockPublicAccessMode = BlockPublicAccessMode.OFF

    @property
    def mode(self) -> str:
        return self.internet_gateway_block_mode.value

    def __repr__(self) -> str:
        return f"VpcBlockPublicAccessOptions(internet_gateway_block_mode={self.mode!r})"


@dataclass(eq=False, repr=False)
class VpcBlockPublicAccessExclusion(Resource):
    """A VPC or a subnet that Block Public Access leaves (partly) open: exactly one of the two is set."""

    id: str  # vpcbpa-exclude-…
    mode: ExclusionMode
    vpc: Vpc | None = None
    subnet: Subnet | None = None
    name: str | None = None

    @property
    def internet_gateway_exclusion_mode(self) -> str:
        return self.mode.value

    @property
    def resource(self) -> Vpc | Subnet:
        return self.vpc if self.vpc is not None else self.subnet

    def _repr_fields(self) -> str:
        return f", {self.resource.id!r}, mode={self.mode.value!r}"
