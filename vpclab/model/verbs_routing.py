"""Route tables, routes and subnet associations (fact sheet §2)."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network

from .addressing import NAT64_PREFIX, RESERVED_ROUTE_RANGE, parse_cidr_any
from .errors import (
    AlreadyAssociatedError,
    DependencyViolationError,
    DuplicateError,
    IncorrectStateError,
    InvalidParameterError,
    LimitExceededError,
    NotFoundError,
)
from .resources import (
    LOCAL,
    EgressOnlyInternetGateway,
    Instance,
    InstanceState,
    NatGateway,
    NetworkInterface,
    Route,
    RouteTable,
    RouteTableAssociation,
    Subnet,
    Vpc,
)
from .state import LabState

ROUTES_PER_TABLE = 50  # AWS default quota for non-propagated routes


class RoutingVerbs(LabState):
    def create_route_table(self, vpc: Vpc | str, name: str | None = None) -> RouteTable:
        """A custom route table, starting with the local route of each VPC CIDR."""
        return self._new_route_table(self._get("vpc", vpc), self._check_name(name))

    def delete_route_table(self, route_table: RouteTable | str) -> None:
        """Delete a custom table that no subnet uses. The main table cannot be deleted."""
        table = self._get("rtb", route_table)
        if table.associations:
            raise DependencyViolationError(
                "DependencyViolation",
                "DependencyViolation:rtb",
                route_table_id=table.id,
                blockers=", ".join("main" if a.main else a.subnet.id for a in table.associations),
            )
        del self.route_tables[table.id]
        self._bury(table)

    # ---- routes --------------------------------------------------------------------------------
    def create_route(self, route_table: RouteTable | str, destination_cidr: str, target) -> Route:
        """Add a route. ``target``: an internet gateway, an egress-only internet gateway (IPv6
        destinations only), a NAT gateway, or an instance (or their ids). ``destination_cidr`` is an
        IPv4 or an IPv6 block (``"0.0.0.0/0"``, ``"::/0"``): each family has its own routes.

        Raises:
            DuplicateError: ``RouteAlreadyExists`` for a destination already in the table.
            InvalidParameterError: ``InvalidParameterValue`` for a gateway of another VPC, or a
                route more specific than the local route that is not a whole subnet to a NAT
                gateway or network interface.
        """
        table = self._get("rtb", route_table)
        destination = parse_cidr_any(destination_cidr, "destinationCidrBlock")
        resolved = self._resolve_target(target)
        if destination in table.routes:
            raise DuplicateError("RouteAlreadyExists", destination=str(destination), route_table_id=table.id)
        same_family = [r for r in table.routes.values() if r.destination.version == destination.version]
        if sum(not r.is_local for r in same_family) >= ROUTES_PER_TABLE:  # counted per family, as AWS does
            raise LimitExceededError("RouteLimitExceeded", route_table_id=table.id, limit=ROUTES_PER_TABLE)
        self._check_route(table, destination, resolved)
        route = Route(destination, _target_id(resolved), resolved, table.vpc)
        table.routes[destination] = route
        return route

    def replace_route(self, route_table: RouteTable | str, destination_cidr: str, target) -> Route:
        """Point an existing route at another target (a blackhole route comes back this way)."""
        table = self._get("rtb", route_table)
        destination = parse_cidr_any(destination_cidr, "destinationCidrBlock")
        resolved = self._resolve_target(target)
        current = table.routes.get(destination)
        if current is None:
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:no_route",
                destination=str(destination),
                route_table_id=table.id,
            )
        if current.is_local or resolved == LOCAL:
            # AWS lets a local route's target be swapped for a middlebox's network interface and
            # restored; vpclab does not model middlebox appliances, so a local route stays local.
            if current.is_local and resolved == LOCAL:
                return current
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:local_route_target",
                destination=str(destination),
                route_table_id=table.id,
            )
        self._check_route(table, destination, resolved)
        route = Route(destination, _target_id(resolved), resolved, table.vpc)
        table.routes[destination] = route
        return route

    def delete_route(self, route_table: RouteTable | str, destination_cidr: str) -> None:
        table = self._get("rtb", route_table)
        destination = parse_cidr_any(destination_cidr, "destinationCidrBlock")
        route = table.routes.get(destination)
        if route is None:
            raise NotFoundError("InvalidRoute.NotFound", destination=str(destination), route_table_id=table.id)
        if route.is_local:
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:local_route",
                destination=str(destination),
                route_table_id=table.id,
            )
        del table.routes[destination]

    def _resolve_target(self, target):
        resolved = self._get_route_target(target)
        if isinstance(resolved, Instance) and resolved.state is InstanceState.TERMINATED:
            raise IncorrectStateError("InvalidInstanceID", "InvalidInstanceID:terminated", instance_id=resolved.id)
        return resolved

    def _check_route(self, table: RouteTable, destination: IPv4Network | IPv6Network, target) -> None:
        vpc = table.vpc
        if target == LOCAL:
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:local_route_target",
                destination=str(destination),
                route_table_id=table.id,
            )
        v6 = destination.version == 6
        if isinstance(target, EgressOnlyInternetGateway) and not v6:
            # "[IPv6 traffic only]"; AWS's code for an IPv4 destination is unknown (fact sheet §12.4).
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:eigw_ipv4",
                destination=str(destination),
                target_id=target.id,
            )
        if isinstance(target, NatGateway) and v6 and not destination.subnet_of(NAT64_PREFIX):
            # A NAT gateway carries IPv6 only as NAT64, for 64:ff9b::/96 (fact sheet §12.2 recommendation).
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:nat_ipv6",
                destination=str(destination),
                target_id=target.id,
            )
        if (
            not v6
            and destination.overlaps(RESERVED_ROUTE_RANGE)
            and destination.prefixlen >= RESERVED_ROUTE_RANGE.prefixlen
        ):
            raise InvalidParameterError(
                "InvalidParameterValue", "InvalidParameterValue:reserved_route", destination=str(destination)
            )
        # A gateway attached elsewhere (or nowhere) cannot be a target; neither can a NAT gateway or
        # an instance of another VPC.
        target_vpc = target.vpc
        if target_vpc is not vpc:
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:route_different_networks",
                route_table_id=table.id,
                target_id=_target_id(target),
            )
        blocks = vpc.ipv6_cidr_blocks if v6 else vpc.cidrs
        inside = [c for c in blocks if destination.subnet_of(c)]
        if inside:
            whole_subnet = any(
                s.vpc is vpc and (s.ipv6_cidr_block if v6 else s.cidr) == destination for s in self.subnets.values()
            )
            if not (whole_subnet and isinstance(target, NatGateway | Instance | NetworkInterface)):
                raise InvalidParameterError(
                    "InvalidParameterValue",
                    "InvalidParameterValue:more_specific_than_local",
                    destination=str(destination),
                    local=str(inside[0]),
                    route_table_id=table.id,
                )

    # ---- associations ------------------------------------------------------------------------------
    def associate_route_table(self, route_table: RouteTable | str, subnet: Subnet | str) -> str:
        """Make the subnet use this table instead of the main one. Returns the association id.

        Raises:
            AlreadyAssociatedError: ``Resource.AlreadyAssociated`` if the subnet already has an
                explicit association (use ``replace_route_table_association``).
        """
        table, subnet = self._get("rtb", route_table), self._get("subnet", subnet)
        if table.vpc is not subnet.vpc:
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:rtb_subnet_different_networks",
                route_table_id=table.id,
                subnet_id=subnet.id,
            )
        if subnet.route_table_association is not None:
            raise AlreadyAssociatedError(
                "Resource.AlreadyAssociated",
                "Resource.AlreadyAssociated:rtb",
                subnet_id=subnet.id,
                route_table_id=subnet.route_table_association.route_table.id,
                association_id=subnet.route_table_association.id,
            )
        association = RouteTableAssociation(self._new_id("rtbassoc"), table, subnet)
        table.associations.append(association)
        subnet.route_table_association = association
        return association.id

    def disassociate_route_table(self, association: RouteTableAssociation | str) -> None:
        """Remove an explicit association: the subnet falls back to the main table."""
        found = self._get_association(association)
        if found.main:
            raise InvalidParameterError(
                "InvalidParameterValue", "InvalidParameterValue:main_association", association_id=found.id
            )
        found.route_table.associations.remove(found)
        found.subnet.route_table_association = None

    def replace_route_table_association(
        self, association: RouteTableAssociation | str, route_table: RouteTable | str
    ) -> str:
        """Move an association (a subnet's, or the main one) to another table. Returns the new id."""
        found, table = self._get_association(association), self._get("rtb", route_table)
        vpc = found.route_table.vpc
        if table.vpc is not vpc:
            raise InvalidParameterError(
                "InvalidParameterValue",
                "InvalidParameterValue:rtb_subnet_different_networks",
                route_table_id=table.id,
                subnet_id=found.subnet.id if found.subnet else vpc.id,
            )
        found.route_table.associations.remove(found)
        moved = RouteTableAssociation(self._new_id("rtbassoc"), table, found.subnet)
        table.associations.append(moved)
        if moved.subnet is None:
            vpc.main_route_table = table
        else:
            moved.subnet.route_table_association = moved
        return moved.id


def _target_id(target) -> str:
    return LOCAL if target == LOCAL else target.id
