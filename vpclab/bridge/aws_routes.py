"""The importer's last steps: route tables (whose targets need every other resource), the resources outside
the model, and the placeholders for describe calls a snapshot lacks.

A route's target is the model object it names (a gateway, a NAT gateway, an instance or a secondary
interface), ``None`` for one that is gone (the route is then a blackhole, as AWS reports it), or an
``UnsupportedTarget`` with the state AWS reported for what vpclab does not model. Each function takes
the ``Importer`` of ``aws_import``.
"""

from __future__ import annotations

from ..model.errors import AwsSnapshotError
from ..model.imported import UnsupportedTarget, target_kind
from ..model.resources import (
    LOCAL,
    InternetGateway,
    NetworkAcl,
    Route,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
)
from . import aws_compute, aws_ipv6
from .aws_nodes import Node

_GONE = {"deleted", "deleting", "rejected", "failed", "expired"}  # states of resources that no longer exist


# ---- route tables -----------------------------------------------------------------------------------
def route_tables(imp) -> None:
    lab = imp.lab
    for node, region in imp.of("RouteTables"):
        table_id = imp.new_id(node, "RouteTableId", "rtb", lab.route_tables)
        if table_id is None:
            continue
        vpc = imp.vpc_or_note(node, "route-table", table_id, region)
        if vpc is None:
            continue
        table = RouteTable(table_id, vpc, node.name())
        for route in node.items("Routes"):
            _route(imp, table, route)
        for block in (*vpc.cidrs, *vpc.ipv6_cidr_blocks):  # AWS keeps a local route for every VPC CIDR in every table
            if block not in table.routes or table.routes[block].target_id != LOCAL:
                table.routes[block] = Route(block, LOCAL, LOCAL, vpc, "CreateRouteTable")
        for association in node.items("Associations"):
            _association(imp, table, association)
        lab.route_tables[table_id] = table


def _association(imp, table: RouteTable, node: Node) -> None:
    state = node.child("AssociationState")
    if state is not None and state.text("State", optional=True) not in (None, "associated", "associating"):
        return
    association_id = node.id("RouteTableAssociationId", "rtbassoc", optional=True) or imp.generated("rtbassoc")
    vpc = table.vpc
    if node.flag("Main", False):
        if vpc.main_route_table is not None:
            raise AwsSnapshotError("InvalidAwsSnapshot:second_main", where=node.at("Main").where, id=vpc.id)
        vpc.main_route_table = table
        table.associations.append(RouteTableAssociation(association_id, table, None))
    elif node.has("SubnetId"):
        subnet_id = node.id("SubnetId", "subnet")
        subnet = imp.lab.subnets.get(subnet_id)
        if subnet is None:  # a filtered describe-subnets: listed, what is there still loads
            region = vpc.region or imp.lab.region
            imp.note("subnet", subnet_id, table.id, "not_collected", detail=f"Subnets ({region})")
            return
        if subnet.vpc is not vpc or subnet.route_table_association is not None:
            raise AwsSnapshotError("InvalidAwsSnapshot:reference", where=node.at("SubnetId").where, id=subnet_id)
        association = RouteTableAssociation(association_id, table, subnet)
        table.associations.append(association)
        subnet.route_table_association = association
    elif node.has("GatewayId"):
        imp.note("route-table", table.id, node.text("GatewayId")[:64], "gateway_route_table")


_TARGET_KEYS = (
    "GatewayId",
    "NatGatewayId",
    "TransitGatewayId",
    "VpcPeeringConnectionId",
    "NetworkInterfaceId",
    "InstanceId",
    "EgressOnlyInternetGatewayId",
    "CarrierGatewayId",
    "LocalGatewayId",
    "CoreNetworkArn",
)


def _route(imp, table: RouteTable, node: Node) -> None:
    key = next((k for k in _TARGET_KEYS if node.has(k)), None)
    if key is None:
        raise AwsSnapshotError("InvalidAwsSnapshot:missing", where=node.at("GatewayId").where)
    target_id = node.target(key)
    state = (node.text("State", optional=True) or "active").lower()
    state = "active" if state == "active" else "blackhole"
    origin = "CreateRouteTable" if node.text("Origin", optional=True) == "CreateRouteTable" else "CreateRoute"
    if node.has("DestinationPrefixListId"):
        list_id = node.id("DestinationPrefixListId", "pl")
        if list_id not in imp.prefix_lists:
            imp.note("prefix-list", list_id, table.id, "prefix_list", detail=target_id)
        destinations = imp.prefix_lists.get(list_id, [])
    elif node.has("DestinationCidrBlock"):
        destinations = [node.cidr("DestinationCidrBlock")]
    elif node.has("DestinationIpv6CidrBlock"):
        destinations = [node.cidr6("DestinationIpv6CidrBlock")]
    else:
        raise AwsSnapshotError("InvalidAwsSnapshot:missing", where=node.at("DestinationCidrBlock").where)
    if key == "EgressOnlyInternetGatewayId" and any(d.version == 4 for d in destinations):
        # AWS documents the target as "[IPv6 traffic only]"; moto accepts 0.0.0.0/0 -> eigw (fact sheet §12.4, §12.8)
        where = node.at("DestinationCidrBlock" if node.has("DestinationCidrBlock") else "DestinationPrefixListId")
        raise AwsSnapshotError("InvalidAwsSnapshot:value", where=where.where, value=str(destinations[0]))
    propagated = node.text("Origin", optional=True) == "EnableVgwRoutePropagation"
    for destination in destinations:
        if not propagated and not node.has("DestinationPrefixListId"):
            # One static route per destination in a table (AWS: RouteAlreadyExists); the same record twice is once.
            before = imp.static_routes.setdefault((table.id, destination), (target_id, state))
            if before != (target_id, state):
                where = node.at("DestinationCidrBlock" if destination.version == 4 else "DestinationIpv6CidrBlock")
                raise AwsSnapshotError("InvalidAwsSnapshot:duplicate_id", where=where.where, id=str(destination))
        target = _resolve(imp, table, target_id, state, key, node)
        if target == LOCAL and destination not in (*table.vpc.cidrs, *table.vpc.ipv6_cidr_blocks):
            continue  # the local route of a CIDR the VPC no longer has
        present = table.routes.get(destination)
        if present is not None and propagated:
            continue  # a static route beats a propagated one for the same destination
        shown = target.id if isinstance(target, UnsupportedTarget) else aws_compute.target_id(target, target_id)
        table.routes[destination] = Route(destination, shown, target, table.vpc, origin)


def _resolve(imp, table: RouteTable, target_id: str, state: str, key: str, node: Node):
    """The model object a route points at, an ``UnsupportedTarget``, or None (gone: a blackhole)."""
    lab = imp.lab
    if target_id == LOCAL:
        return LOCAL
    if target_id.startswith("igw-"):
        if target_id in lab.internet_gateways:
            return lab.internet_gateways[target_id]
        region = table.vpc.region or lab.region
        inferred = not imp.was_collected(region, "InternetGateways") and state == "active"
        if inferred and table.vpc.internet_gateway is None:
            # describe-internet-gateways is not in the snapshot, but AWS marks a route to a gateway
            # active only while the gateway is attached to the table's VPC.
            gateway = InternetGateway(target_id, None, table.vpc)
            lab.internet_gateways[target_id] = table.vpc.internet_gateway = gateway
            return gateway
        return None if state == "blackhole" else _unsupported_target(imp, target_id, state, table)
    if target_id.startswith("eigw-"):
        if target_id in lab.egress_only_internet_gateways:
            return lab.egress_only_internet_gateways[target_id]
        region = table.vpc.region or lab.region
        inferred = not imp.was_collected(region, "EgressOnlyInternetGateways") and state == "active"
        if inferred and table.vpc.egress_only_internet_gateway is None:
            return aws_ipv6.inferred_gateway(imp, table, target_id)
        return None if state == "blackhole" else _unsupported_target(imp, target_id, state, table)
    found = aws_compute.route_target(imp, target_id, key)
    if found is not None:
        return found
    if target_id.startswith(("nat-", "i-")) and state == "blackhole":
        return None  # a deleted NAT gateway, a terminated instance: the route stays a blackhole
    return _unsupported_target(imp, target_id, state, table)


def _unsupported_target(imp, target_id: str, state: str, table: RouteTable) -> UnsupportedTarget:
    kind = target_kind(target_id)
    if not any(u.id == target_id for u in imp.unsupported.values()):
        imp.note(kind, target_id, table.vpc.id, "outside_model")
    return UnsupportedTarget(target_id, kind, state)


# ---- resources outside the model -----------------------------------------------------------------------
# (describe key, id key, kind, where its state is, where its VPC is)
_OTHERS = (
    (
        "VpcPeeringConnections",
        "VpcPeeringConnectionId",
        "vpc-peering-connection",
        "Status.Code",
        "AccepterVpcInfo.VpcId",
    ),
    ("TransitGateways", "TransitGatewayId", "transit-gateway", "State", ""),
    ("VpnGateways", "VpnGatewayId", "vpn-gateway", "State", ""),
    ("VpnConnections", "VpnConnectionId", "vpn-connection", "State", ""),
    ("CustomerGateways", "CustomerGatewayId", "customer-gateway", "State", ""),
    ("VpcEndpoints", "VpcEndpointId", "vpc-endpoint", "State", "VpcId"),
    ("CarrierGateways", "CarrierGatewayId", "carrier-gateway", "State", "VpcId"),
    ("LocalGateways", "LocalGatewayId", "local-gateway", "State", ""),
)


def _path(node: Node, path: str) -> str | None:
    """A text at a dotted path (``Status.Code``), or None where any part is absent."""
    parts = path.split(".") if path else []
    for part in parts[:-1]:
        node = node.child(part)
        if node is None:
            return None
    return node.text(parts[-1], optional=True) if parts else None


def other_resources(imp) -> None:
    for key, id_key, kind, state_path, vpc_path in _OTHERS:
        for node, region in imp.of(key):
            state = _path(node, state_path)
            if state in _GONE:
                continue
            item_id = node.text(id_key)
            imp.note(kind, item_id, _path(node, vpc_path) or region, "outside_model", detail=state or "")


# ---- placeholders for describe calls the snapshot lacks -------------------------------------------
def placeholders(imp) -> None:
    lab = imp.lab
    for vpc in lab.vpcs.values():
        region = vpc.region or lab.region
        if vpc.main_route_table is None:
            table = RouteTable(f"rtb-unknown-{vpc.id}", vpc)
            for block in (*vpc.cidrs, *vpc.ipv6_cidr_blocks):
                table.routes[block] = Route(block, LOCAL, LOCAL, vpc, "CreateRouteTable")
            table.associations.append(RouteTableAssociation(imp.generated("rtbassoc"), table, None))
            vpc.main_route_table = lab.route_tables[table.id] = table
            imp.note("route-table", table.id, vpc.id, "not_collected", detail=_missing(imp, region, "RouteTables"))
        if vpc.default_network_acl is None:
            acl = NetworkAcl(f"acl-unknown-{vpc.id}", vpc, is_default=True)
            vpc.default_network_acl = lab.network_acls[acl.id] = acl
            imp.note("network-acl", acl.id, vpc.id, "not_collected", detail=_missing(imp, region, "NetworkAcls"))
        if vpc.default_security_group is None:
            group = SecurityGroup(f"sg-unknown-{vpc.id}", vpc, "default", "default VPC security group")
            vpc.default_security_group = lab.security_groups[group.id] = group
            imp.note(
                "security-group", group.id, vpc.id, "not_collected", detail=_missing(imp, region, "SecurityGroups")
            )
    for subnet in lab.subnets.values():
        if subnet.network_acl is None:
            subnet.network_acl = subnet.vpc.default_network_acl
        if not subnet.network_acl_association_id:
            subnet.network_acl_association_id = imp.generated("aclassoc")


def _missing(imp, region: str, key: str) -> str:
    return f"{key} ({region})" if not imp.was_collected(region, key) else f"{key}: not listed ({region})"
