"""Reading a lab file, the network side: VPCs, gateways, network ACLs, security groups, subnets and
route tables, one function per list. Each checks what the API would have refused."""

from __future__ import annotations

from .addressing import NOT_ROUTABLE, parse_cidr, parse_cidr_any, parse_ipv6_cidr, parse_protocol
from .errors import LabFileError
from .imported import UnsupportedTarget, target_kind
from .ipv6_pool import SUBNET_IPV6_PREFIXES, VPC_IPV6_PREFIXES
from .lab_file_reader import Reader, enum_of, read_ports, ref
from .regions import REGIONS
from .resources import (
    ACL_RULE_MAX,
    LOCAL,
    Action,
    EgressOnlyInternetGateway,
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


def read_network(r: Reader, lab, data: dict) -> None:
    """VPCs, gateways, ACLs, groups, subnets, route tables, in the order references need them."""
    read_vpcs(r, lab, data)
    read_internet_gateways(r, lab, data)
    read_egress_only_gateways(r, lab, data)
    read_network_acls(r, lab, data)
    read_security_groups(r, lab, data)
    read_subnets(r, lab, data)
    read_route_tables(r, lab, data)


def read_vpcs(r: Reader, lab, data: dict) -> None:
    for n, raw in enumerate(r.items(data, "vpcs")):
        f = f"vpcs[{n}]."
        raw = r.obj(raw, f[:-1])
        cidrs = [r.parsed(parse_cidr, c, f"{f}cidrs[{k}]") for k, c in enumerate(r.items(raw, "cidrs", f))]
        assoc = [
            r.get({"": a}, "", f"{f}cidr_association_ids[{k}]", str)
            for k, a in enumerate(r.items(raw, "cidr_association_ids", f))
        ]
        if not cidrs or len(assoc) != len(cidrs):
            raise LabFileError(f + "cidrs", "value", value=len(cidrs))
        for k, block in enumerate(cidrs):  # the rules of create_vpc and associate_vpc_cidr_block
            if not 16 <= block.prefixlen <= 28 or any(block.overlaps(c) for c in (*NOT_ROUTABLE, *cidrs[:k])):
                raise LabFileError(f"{f}cidrs[{k}]", "value", value=str(block))
        vpc = Vpc(r.new_id(raw, f, "vpc"), cidrs, r.get(raw, "name", f, str, True), assoc)
        if "region" in raw:  # only a lab imported from several Regions names a VPC's own
            vpc.region = r.get(raw, "region", f, str)
            if vpc.region not in REGIONS:
                raise LabFileError(f + "region", "value", value=vpc.region[:80])
        _read_vpc_ipv6(r, lab, raw, f, vpc)
        lab.vpcs[vpc.id] = vpc


def _read_vpc_ipv6(r: Reader, lab, raw: dict, f: str, vpc: Vpc) -> None:
    blocks = r.since_v2(raw, "ipv6_cidrs", [], f)
    ids = r.since_v2(raw, "ipv6_cidr_association_ids", [], f)
    if len(blocks) != len(ids) or len(blocks) > 5:
        raise LabFileError(f + "ipv6_cidrs", "value", value=len(blocks))
    for k, (text, association) in enumerate(zip(blocks, ids, strict=True)):
        block = r.parsed(parse_ipv6_cidr, text, f"{f}ipv6_cidrs[{k}]")
        if block.prefixlen not in VPC_IPV6_PREFIXES or any(
            block.overlaps(b) for v in lab.vpcs.values() for b in v.ipv6_cidr_blocks
        ):
            raise LabFileError(f"{f}ipv6_cidrs[{k}]", "value", value=str(block))
        if any(block.overlaps(b) for b in vpc.ipv6_cidr_blocks):
            raise LabFileError(f"{f}ipv6_cidrs[{k}]", "value", value=str(block))
        vpc.ipv6_cidr_blocks.append(block)
        vpc.ipv6_cidr_association_ids.append(r.get({"": association}, "", f"{f}ipv6_cidr_association_ids[{k}]", str))


def read_internet_gateways(r: Reader, lab, data: dict) -> None:
    for n, raw in enumerate(r.items(data, "internet_gateways")):
        f = f"internet_gateways[{n}]."
        raw = r.obj(raw, f[:-1])
        gateway = InternetGateway(r.new_id(raw, f, "igw"), r.get(raw, "name", f, str, True))
        vpc_id = r.get(raw, "vpc", f, str, True)
        if vpc_id is not None:
            vpc = ref(lab.vpcs, vpc_id, f + "vpc")
            if vpc.internet_gateway is not None:
                raise LabFileError(f + "vpc", "second_gateway", id=vpc_id)
            gateway.vpc, vpc.internet_gateway = vpc, gateway
        lab.internet_gateways[gateway.id] = gateway


def read_egress_only_gateways(r: Reader, lab, data: dict) -> None:
    for n, raw in enumerate(r.since_v2(data, "egress_only_internet_gateways", [])):
        f = f"egress_only_internet_gateways[{n}]."
        raw = r.obj(raw, f[:-1])
        vpc = ref(lab.vpcs, r.get(raw, "vpc", f, str), f + "vpc")
        if vpc.egress_only_internet_gateway is not None:  # one per VPC (create_egress_only_internet_gateway)
            raise LabFileError(f + "vpc", "second_gateway", id=vpc.id)
        gateway = EgressOnlyInternetGateway(r.new_id(raw, f, "eigw"), vpc, r.get(raw, "name", f, str, True))
        vpc.egress_only_internet_gateway = gateway
        lab.egress_only_internet_gateways[gateway.id] = gateway


def read_network_acls(r: Reader, lab, data: dict) -> None:
    for n, raw in enumerate(r.items(data, "network_acls")):
        f = f"network_acls[{n}]."
        raw = r.obj(raw, f[:-1])
        vpc = ref(lab.vpcs, r.get(raw, "vpc", f, str), f + "vpc")
        acl = NetworkAcl(
            r.new_id(raw, f, "acl"), vpc, r.get(raw, "is_default", f, bool), r.get(raw, "name", f, str, True)
        )
        for k, entry in enumerate(r.items(raw, "entries", f)):
            g = f"{f}entries[{k}]."
            entry = r.obj(entry, g[:-1])
            number, egress = r.get(entry, "rule_number", g, int), r.get(entry, "egress", g, bool)
            if not 1 <= number <= ACL_RULE_MAX:
                raise LabFileError(g + "rule_number", "value", value=number)
            if (egress, number) in acl.entries:
                raise LabFileError(g + "rule_number", "duplicate_rule", value=number)
            protocol = r.parsed(parse_protocol, r.get(entry, "protocol", g, str), g + "protocol")
            acl.entries[(egress, number)] = NetworkAclEntry(
                number,
                egress,
                protocol,
                read_ports(r, entry, g, protocol),
                r.parsed(parse_cidr_any, r.get(entry, "cidr", g, str), g + "cidr"),
                enum_of(Action, r.get(entry, "action", g, str), g + "action"),
            )
        if acl.is_default:
            if vpc.default_network_acl is not None:
                raise LabFileError(f + "is_default", "second_default", id=vpc.id)
            vpc.default_network_acl = acl
        lab.network_acls[acl.id] = acl


def read_security_groups(r: Reader, lab, data: dict) -> None:
    pending_group_refs = []
    for n, raw in enumerate(r.items(data, "security_groups")):
        f = f"security_groups[{n}]."
        raw = r.obj(raw, f[:-1])
        vpc = ref(lab.vpcs, r.get(raw, "vpc", f, str), f + "vpc")
        group = SecurityGroup(
            r.new_id(raw, f, "sg"),
            vpc,
            r.get(raw, "group_name", f, str),
            r.get(raw, "description", f, str),
            r.get(raw, "name", f, str, True),
        )
        if any(g.vpc is vpc and g.group_name == group.group_name for g in lab.security_groups.values()):
            raise LabFileError(f + "group_name", "duplicate_name", value=group.group_name)
        keys = set()
        for k, rule in enumerate(r.items(raw, "rules", f)):
            g = f"{f}rules[{k}]."
            rule = r.obj(rule, g[:-1])
            protocol = r.parsed(parse_protocol, r.get(rule, "protocol", g, str), g + "protocol")
            cidr, peer = r.get(rule, "cidr", g, str, True), r.get(rule, "group", g, str, True)
            if (cidr is None) == (peer is None):
                raise LabFileError(g + "cidr", "peer")
            parsed = SecurityGroupRule(
                r.get(rule, "egress", g, bool),
                protocol,
                read_ports(r, rule, g, protocol),
                r.parsed(parse_cidr_any, cidr, g + "cidr") if cidr is not None else None,
                peer,
                rule_id=r.get(rule, "id", g, str),
            )
            if parsed.key in keys:
                raise LabFileError(g[:-1], "duplicate_rule", value=repr(parsed))
            keys.add(parsed.key)
            group.rules.append(parsed)
            if peer is not None:
                pending_group_refs.append((group, peer, g + "group"))
        if group.is_default:
            vpc.default_security_group = group
        lab.security_groups[group.id] = group
    for group, peer, field in pending_group_refs:
        if ref(lab.security_groups, peer, field).vpc is not group.vpc:
            raise LabFileError(field, "reference", id=peer)


def read_subnets(r: Reader, lab, data: dict) -> None:
    for n, raw in enumerate(r.items(data, "subnets")):
        f = f"subnets[{n}]."
        raw = r.obj(raw, f[:-1])
        vpc = ref(lab.vpcs, r.get(raw, "vpc", f, str), f + "vpc")
        cidr = r.parsed(parse_cidr, r.get(raw, "cidr", f, str), f + "cidr")
        if not 16 <= cidr.prefixlen <= 28 or not any(cidr.subnet_of(c) for c in vpc.cidrs):
            raise LabFileError(f + "cidr", "value", value=str(cidr))
        if any(s.vpc is vpc and s.cidr.overlaps(cidr) for s in lab.subnets.values()):
            raise LabFileError(f + "cidr", "overlap", value=str(cidr))
        zone = r.get(raw, "availability_zone", f, str)
        if zone not in lab.zones_of(vpc):
            raise LabFileError(f + "availability_zone", "value", value=zone)
        acl = ref(lab.network_acls, r.get(raw, "network_acl", f, str), f + "network_acl")
        if acl.vpc is not vpc:
            raise LabFileError(f + "network_acl", "reference", id=acl.id)
        subnet = Subnet(
            r.new_id(raw, f, "subnet"),
            vpc,
            cidr,
            zone,
            r.get(raw, "name", f, str, True),
            r.get(raw, "map_public_ip_on_launch", f, bool),
            None,
            acl,
            r.get(raw, "network_acl_association_id", f, str),
        )
        _read_subnet_ipv6(r, lab, raw, f, subnet)
        lab.subnets[subnet.id] = subnet


def _read_subnet_ipv6(r: Reader, lab, raw: dict, f: str, subnet: Subnet) -> None:
    text = r.get_since_v2(raw, "ipv6_cidr", f, str, None, optional=True)
    association = r.get_since_v2(raw, "ipv6_cidr_association_id", f, str, None, optional=True)
    assign = r.get_since_v2(raw, "assign_ipv6_address_on_creation", f, bool, False)
    if (text is None) != (association is None):
        raise LabFileError(f + "ipv6_cidr_association_id", "value", value=str(association)[:80])
    if text is None and assign:  # modify_subnet_attribute refuses it without a block
        raise LabFileError(f + "assign_ipv6_address_on_creation", "value", value=assign)
    if text is None:
        return
    block = r.parsed(parse_ipv6_cidr, text, f + "ipv6_cidr")
    vpc = subnet.vpc
    taken = any(s.vpc is vpc and s.ipv6_cidr_block == block for s in lab.subnets.values())
    inside = any(block.subnet_of(b) for b in vpc.ipv6_cidr_blocks)
    if block.prefixlen not in SUBNET_IPV6_PREFIXES or not inside or taken:
        raise LabFileError(f + "ipv6_cidr", "value", value=str(block))
    subnet.ipv6_cidr_block = block
    subnet.ipv6_cidr_association_id = association
    subnet.assign_ipv6_address_on_creation = assign


def read_route_tables(r: Reader, lab, data: dict) -> None:
    for n, raw in enumerate(r.items(data, "route_tables")):
        f = f"route_tables[{n}]."
        raw = r.obj(raw, f[:-1])
        vpc = ref(lab.vpcs, r.get(raw, "vpc", f, str), f + "vpc")
        table = RouteTable(r.new_id(raw, f, "rtb"), vpc, r.get(raw, "name", f, str, True))
        for k, route in enumerate(r.items(raw, "routes", f)):
            g = f"{f}routes[{k}]."
            route = r.obj(route, g[:-1])
            destination = r.parsed(parse_cidr_any, r.get(route, "destination", g, str), g + "destination")
            if destination in table.routes:
                raise LabFileError(g + "destination", "duplicate_route", value=str(destination))
            target = r.get(route, "target", g, str)
            origin = r.get(route, "origin", g, str)
            if origin not in ("CreateRoute", "CreateRouteTable"):
                raise LabFileError(g + "origin", "value", value=origin)
            table.routes[destination] = Route(destination, target, None, vpc, origin)
            if "state" in route:  # a target vpclab does not model (imported labs): the state AWS reported
                state = r.get(route, "state", g, str)
                if state not in ("active", "blackhole") or target == LOCAL:
                    raise LabFileError(g + "state", "value", value=state[:80])
                table.routes[destination].target = UnsupportedTarget(target, target_kind(target), state)
            else:
                r.pending_routes.append((table.routes[destination], g + "target"))
        for block in (*vpc.cidrs, *vpc.ipv6_cidr_blocks):
            route = table.routes.get(block)
            if route is None or route.target_id != LOCAL:
                raise LabFileError(f + "routes", "local_route", cidr=str(block))
        for k, assoc in enumerate(r.items(raw, "associations", f)):
            g = f"{f}associations[{k}]."
            assoc = r.obj(assoc, g[:-1])
            subnet_id = r.get(assoc, "subnet", g, str, True)
            association = RouteTableAssociation(r.new_id(assoc, g, "rtbassoc"), table, None)
            if subnet_id is None:
                if vpc.main_route_table is not None:
                    raise LabFileError(g + "subnet", "second_main", id=vpc.id)
                vpc.main_route_table = table
            else:
                subnet = ref(lab.subnets, subnet_id, g + "subnet")
                if subnet.vpc is not vpc or subnet.route_table_association is not None:
                    raise LabFileError(g + "subnet", "reference", id=subnet_id)
                association.subnet, subnet.route_table_association = subnet, association
            table.associations.append(association)
        lab.route_tables[table.id] = table
