"""Save and load a lab: a versioned JSON format, validated in full before anything is built.

Format (``"format": "vpclab-lab"``, ``"version": 1``): the Region, the id and address counters, then
one list per resource kind in creation order; resources refer to each other by id. The format is
documented field by field in ``docs/lab-format.md``. ``Lab.from_json`` reads only JSON (never code),
checks every field, reference and rule, and raises ``LabFileError`` (code ``InvalidLabFile``) naming
the field at the first problem; it returns a new lab or nothing, never half of one.
"""

from __future__ import annotations

import json

from .addressing import (
    NOT_ROUTABLE,
    PortRange,
    Protocol,
    is_internet_address,
    parse_cidr,
    parse_ip,
    parse_protocol,
)
from .errors import LabFileError, VpcLabError
from .history import MARKERS, VERBS
from .imported import REASONS, Unsupported, UnsupportedTarget, target_kind
from .regions import ID_KINDS, REGIONS, id_number
from .resources import (
    ACL_RULE_MAX,
    LOCAL,
    Action,
    ElasticIp,
    Instance,
    InstanceState,
    InternetGateway,
    NatGateway,
    NatGatewayState,
    NetworkAcl,
    NetworkAclEntry,
    NetworkInterface,
    Route,
    RouteTable,
    RouteTableAssociation,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    Vpc,
)

FORMAT, VERSION = "vpclab-lab", 1
MAX_TEXT = 20_000_000  # characters; a classroom lab is a few kilobytes
HISTORY_DEPTH = 16  # nesting of a history entry's args / kwargs / result; real ones use 3 at most
# AWS's limits for interfaces of a real account (imported labs): the classroom's quota is 5 groups per
# interface; AWS raises it up to 16.
GROUPS_PER_INTERFACE = {True: 5, False: 16}  # by "is it a vpclab id?"


def _ports(ports: PortRange | None):
    return None if ports is None else [ports.first, ports.last]


def dump(lab) -> dict:
    """The lab as plain JSON data, in creation order."""
    data = {
        "format": FORMAT,
        "version": VERSION,
        "region": lab.region,
        "counters": dict(lab.counters),
        "public_ip_counter": lab.public_ip_counter,
        "vpcs": [
            {
                "id": v.id,
                "name": v.name,
                "cidrs": [str(c) for c in v.cidrs],
                "cidr_association_ids": list(v.cidr_association_ids),
                **({"region": v.region} if v.region else {}),
            }
            for v in lab.vpcs.values()
        ],
        "internet_gateways": [
            {"id": g.id, "name": g.name, "vpc": g.vpc.id if g.vpc else None} for g in lab.internet_gateways.values()
        ],
        "network_acls": [
            {
                "id": a.id,
                "vpc": a.vpc.id,
                "name": a.name,
                "is_default": a.is_default,
                "entries": [
                    {
                        "rule_number": e.rule_number,
                        "egress": e.egress,
                        "protocol": e.protocol.value,
                        "ports": _ports(e.ports),
                        "cidr": str(e.cidr),
                        "action": e.action.value,
                    }
                    for e in a.entries.values()
                ],
            }
            for a in lab.network_acls.values()
        ],
        "security_groups": [
            {
                "id": g.id,
                "vpc": g.vpc.id,
                "group_name": g.group_name,
                "description": g.description,
                "name": g.name,
                "rules": [
                    {
                        "id": r.rule_id,
                        "egress": r.egress,
                        "protocol": r.protocol.value,
                        "ports": _ports(r.ports),
                        "cidr": str(r.cidr) if r.cidr else None,
                        "group": r.group_id,
                    }
                    for r in g.rules
                ],
            }
            for g in lab.security_groups.values()
        ],
        "subnets": [
            {
                "id": s.id,
                "vpc": s.vpc.id,
                "cidr": str(s.cidr),
                "availability_zone": s.availability_zone,
                "name": s.name,
                "map_public_ip_on_launch": s.map_public_ip_on_launch,
                "network_acl": s.network_acl.id,
                "network_acl_association_id": s.network_acl_association_id,
            }
            for s in lab.subnets.values()
        ],
        "route_tables": [
            {
                "id": t.id,
                "vpc": t.vpc.id,
                "name": t.name,
                "routes": [
                    {
                        "destination": str(r.destination),
                        "target": r.target_id,
                        "origin": r.origin,
                        **({"state": r.target.state} if isinstance(r.target, UnsupportedTarget) else {}),
                    }
                    for r in t.routes.values()
                ],
                "associations": [{"id": a.id, "subnet": a.subnet.id if a.subnet else None} for a in t.associations],
            }
            for t in lab.route_tables.values()
        ],
        "instances": [
            {
                "id": i.id,
                "name": i.name,
                "subnet": i.subnet.id,
                "private_ip": str(i.private_ip),
                "network_interface_id": i.network_interface_id,
                "security_groups": [g.id for g in i.security_groups],
                "state": i.state.value,
                "auto_assign_public_ip": i.auto_assign_public_ip,
                "auto_public_ip": str(i.auto_public_ip) if i.auto_public_ip else None,
            }
            for i in lab.instances.values()
        ],
        "nat_gateways": [
            {
                "id": n.id,
                "name": n.name,
                "subnet": n.subnet.id,
                "private_ip": str(n.private_ip) if n.private_ip else None,
                "network_interface_id": n.network_interface_id,
                "allocation_id": n.allocation_id,
                "state": n.state.value,
                "failure_code": n.failure_code,
            }
            for n in lab.nat_gateways.values()
        ],
        "elastic_ips": [
            {
                "id": e.id,
                "name": e.name,
                "public_ip": str(e.public_ip),
                "association_id": e.association_id,
                "instance": e.instance.id if e.instance else None,
                "nat_gateway": e.nat_gateway.id if e.nat_gateway else None,
                **({"network_interface": e.network_interface.id} if e.network_interface else {}),
            }
            for e in lab.elastic_ips.values()
        ],
        "history": lab.history,
    }
    # What only a lab imported from a real account has, written only when there is some, so that a
    # classroom lab's file stays as it was (docs/lab-format.md, "Imported labs").
    if lab.network_interfaces:
        data["network_interfaces"] = [
            {
                "id": n.id,
                "name": n.name,
                "instance": n.instance.id,
                "device_index": n.device_index,
                "subnet": n.subnet.id,
                "private_ip": str(n.private_ip),
                "security_groups": [g.id for g in n.security_groups],
                "auto_public_ip": str(n.auto_public_ip) if n.auto_public_ip else None,
            }
            for n in lab.network_interfaces.values()
        ]
    if lab.unsupported:
        data["unsupported"] = [
            {
                "kind": u.kind,
                "id": u.id,
                "where": u.where,
                "why": u.why,
                "detail": u.detail,
                "addresses": list(u.addresses),
            }
            for u in lab.unsupported
        ]
    return data


class _Reader:
    """Typed access to untrusted JSON that names the field at fault."""

    def __init__(self) -> None:
        self.ids: set[str] = set()

    def obj(self, value, field: str) -> dict:
        if not isinstance(value, dict):
            raise LabFileError(field, "type", expected="object")
        return value

    def items(self, data: dict, key: str, field: str = "") -> list:
        # Every key is required: to_json writes them all, so a missing one means a damaged file
        # (defaulting it would load a different network without a word).
        if key not in data:
            raise LabFileError(f"{field}{key}", "missing")
        value = data[key]
        if not isinstance(value, list):
            raise LabFileError(f"{field}{key}", "type", expected="list")
        return value

    def get(self, data: dict, key: str, field: str, types, optional: bool = False):
        if key not in data:  # optional means "may be null", not "may be left out"
            raise LabFileError(field + key, "missing")
        value = data[key]
        if value is None and optional:
            return None
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in _as_tuple(types)):
            names = "/".join(t.__name__ for t in _as_tuple(types))
            raise LabFileError(field + key, "type", expected=names)
        if isinstance(value, str) and len(value) > 256:
            raise LabFileError(field + key, "too_long", limit=256)
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate ("\udc80") would make the lab unsavable
                raise LabFileError(field + key, "value", value=ascii(value)[:80]) from None
        return value

    def new_id(self, data: dict, field: str, kind: str) -> str:
        value = self.get(data, "id", field, str)
        if not value.startswith(kind + "-") or len(value) > 64:
            raise LabFileError(field + "id", "bad_id", kind=kind)
        if value in self.ids:
            raise LabFileError(field + "id", "duplicate_id", id=value)
        self.ids.add(value)
        return value

    def parsed(self, parse, value, field: str):
        try:
            return parse(value)
        except VpcLabError:
            raise LabFileError(field, "value", value=str(value)[:80]) from None


def _as_tuple(types) -> tuple:
    return types if isinstance(types, tuple) else (types,)


def _ref(table: dict, value, field: str):
    if value not in table:
        raise LabFileError(field, "reference", id=str(value)[:80])
    return table[value]


def _enum(enum_type, value, field: str):
    try:
        return enum_type(value)
    except ValueError:
        raise LabFileError(field, "value", value=str(value)[:80]) from None


def _read_ports(r: _Reader, data: dict, field: str, protocol: Protocol) -> PortRange | None:
    if "ports" not in data:
        raise LabFileError(field + "ports", "missing")
    raw = data["ports"]
    if raw is None:
        if protocol is not Protocol.ALL:
            raise LabFileError(field + "ports", "missing")
        return None
    if protocol is Protocol.ALL or not (isinstance(raw, list) and len(raw) == 2 and all(type(p) is int for p in raw)):
        raise LabFileError(field + "ports", "value", value=str(raw)[:80])
    from .addressing import parse_ports

    return r.parsed(lambda v: parse_ports(protocol, tuple(v)), raw, field + "ports")


def load(lab_class, text: str):
    """Build a new lab from ``text``, or raise ``LabFileError``; ``lab_class`` is the class to make."""
    if not isinstance(text, str | bytes | bytearray):
        raise LabFileError("(file)", "type", expected="str")
    if len(text) > MAX_TEXT:
        raise LabFileError("(file)", "too_large", limit=MAX_TEXT)
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise LabFileError("(file)", "json", detail=str(error)[:120]) from None
    try:
        return _build(lab_class, data)
    except LabFileError:
        raise
    except Exception as error:  # pragma: no cover
        # A gap in the checks above (any other error, a VpcLabError included) must still end in the
        # one refusal callers expect, never a half-built lab.
        raise LabFileError("(file)", "corrupt", detail=type(error).__name__) from None


def _build(lab_class, data):
    r = _Reader()
    data = r.obj(data, "(file)")
    if data.get("format") != FORMAT:
        raise LabFileError("format", "format", expected=FORMAT)
    version = r.get(data, "version", "", int)
    if version != VERSION:
        raise LabFileError("version", "version", version=version, supported=VERSION)
    region = r.get(data, "region", "", str)
    try:
        lab = lab_class(region=region)
    except VpcLabError:
        raise LabFileError("region", "value", value=region[:80]) from None
    counters = r.get(data, "counters", "", dict)
    for kind, value in counters.items():
        if kind not in ID_KINDS or type(value) is not int or not 0 <= value < 1 << 40:
            raise LabFileError(f"counters.{kind}"[:100], "value", value=str(value)[:80])
    lab.counters = dict(counters)
    public_counter = r.get(data, "public_ip_counter", "", int)
    if not 0 <= public_counter < lab._pool.size:  # past the pool's end, addresses would repeat
        raise LabFileError("public_ip_counter", "value", value=public_counter)
    lab.public_ip_counter = public_counter

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
        lab.vpcs[vpc.id] = vpc

    for n, raw in enumerate(r.items(data, "internet_gateways")):
        f = f"internet_gateways[{n}]."
        raw = r.obj(raw, f[:-1])
        gateway = InternetGateway(r.new_id(raw, f, "igw"), r.get(raw, "name", f, str, True))
        vpc_id = r.get(raw, "vpc", f, str, True)
        if vpc_id is not None:
            vpc = _ref(lab.vpcs, vpc_id, f + "vpc")
            if vpc.internet_gateway is not None:
                raise LabFileError(f + "vpc", "second_gateway", id=vpc_id)
            gateway.vpc, vpc.internet_gateway = vpc, gateway
        lab.internet_gateways[gateway.id] = gateway

    for n, raw in enumerate(r.items(data, "network_acls")):
        f = f"network_acls[{n}]."
        raw = r.obj(raw, f[:-1])
        vpc = _ref(lab.vpcs, r.get(raw, "vpc", f, str), f + "vpc")
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
                _read_ports(r, entry, g, protocol),
                r.parsed(parse_cidr, r.get(entry, "cidr", g, str), g + "cidr"),
                _enum(Action, r.get(entry, "action", g, str), g + "action"),
            )
        if acl.is_default:
            if vpc.default_network_acl is not None:
                raise LabFileError(f + "is_default", "second_default", id=vpc.id)
            vpc.default_network_acl = acl
        lab.network_acls[acl.id] = acl

    pending_group_refs = []
    for n, raw in enumerate(r.items(data, "security_groups")):
        f = f"security_groups[{n}]."
        raw = r.obj(raw, f[:-1])
        vpc = _ref(lab.vpcs, r.get(raw, "vpc", f, str), f + "vpc")
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
                _read_ports(r, rule, g, protocol),
                r.parsed(parse_cidr, cidr, g + "cidr") if cidr is not None else None,
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
        if _ref(lab.security_groups, peer, field).vpc is not group.vpc:
            raise LabFileError(field, "reference", id=peer)

    for n, raw in enumerate(r.items(data, "subnets")):
        f = f"subnets[{n}]."
        raw = r.obj(raw, f[:-1])
        vpc = _ref(lab.vpcs, r.get(raw, "vpc", f, str), f + "vpc")
        cidr = r.parsed(parse_cidr, r.get(raw, "cidr", f, str), f + "cidr")
        if not 16 <= cidr.prefixlen <= 28 or not any(cidr.subnet_of(c) for c in vpc.cidrs):
            raise LabFileError(f + "cidr", "value", value=str(cidr))
        if any(s.vpc is vpc and s.cidr.overlaps(cidr) for s in lab.subnets.values()):
            raise LabFileError(f + "cidr", "overlap", value=str(cidr))
        zone = r.get(raw, "availability_zone", f, str)
        if zone not in lab.zones_of(vpc):
            raise LabFileError(f + "availability_zone", "value", value=zone)
        acl = _ref(lab.network_acls, r.get(raw, "network_acl", f, str), f + "network_acl")
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
        lab.subnets[subnet.id] = subnet

    _load_route_tables(r, lab, data)
    _load_instances_and_addresses(r, lab, data)
    for vpc in lab.vpcs.values():
        for role in ("main_route_table", "default_network_acl", "default_security_group"):
            if getattr(vpc, role) is None:
                raise LabFileError(f"vpcs[{list(lab.vpcs).index(vpc.id)}]", "missing_" + role, id=vpc.id)
    lab.unsupported = _load_unsupported(r, data)
    _check_counters(lab)
    lab.history = _load_history(r, data)
    return lab


def _load_history(r: _Reader, data: dict) -> list[dict]:
    """The action history: plain records of known verbs (what grading and analytics read)."""
    history = []
    for n, raw in enumerate(r.items(data, "history")):
        f = f"history[{n}]."
        raw = r.obj(raw, f[:-1])
        if set(raw) != {"action", "args", "kwargs", "result"}:
            raise LabFileError(f[:-1], "value", value=", ".join(sorted(map(str, raw)))[:80])
        action = r.get(raw, "action", f, str)
        if action not in VERBS and action not in MARKERS:
            raise LabFileError(f + "action", "value", value=action[:80])
        args, kwargs = r.items(raw, "args", f), r.get(raw, "kwargs", f, dict)
        for key in ("args", "kwargs", "result"):
            # json.loads accepts ~990 levels, but to_json's encoder then hits the recursion limit.
            if _too_deep(raw[key], HISTORY_DEPTH):
                raise LabFileError(f + key, "value", value=f"nested deeper than {HISTORY_DEPTH} levels")
        history.append({"action": action, "args": args, "kwargs": kwargs, "result": raw["result"]})
    return history


def _too_deep(value, limit: int) -> bool:
    """Do lists and objects nest deeper than ``limit`` in ``value``? (No recursion: input is hostile.)"""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, list | dict):
            if depth > limit:
                return True
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return False


def _load_route_tables(r: _Reader, lab, data: dict) -> None:
    pending = []
    for n, raw in enumerate(r.items(data, "route_tables")):
        f = f"route_tables[{n}]."
        raw = r.obj(raw, f[:-1])
        vpc = _ref(lab.vpcs, r.get(raw, "vpc", f, str), f + "vpc")
        table = RouteTable(r.new_id(raw, f, "rtb"), vpc, r.get(raw, "name", f, str, True))
        for k, route in enumerate(r.items(raw, "routes", f)):
            g = f"{f}routes[{k}]."
            route = r.obj(route, g[:-1])
            destination = r.parsed(parse_cidr, r.get(route, "destination", g, str), g + "destination")
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
                pending.append((table.routes[destination], g + "target"))
        for block in vpc.cidrs:
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
                subnet = _ref(lab.subnets, subnet_id, g + "subnet")
                if subnet.vpc is not vpc or subnet.route_table_association is not None:
                    raise LabFileError(g + "subnet", "reference", id=subnet_id)
                association.subnet, subnet.route_table_association = subnet, association
            table.associations.append(association)
        lab.route_tables[table.id] = table
    lab._pending_routes = pending


def _load_instances_and_addresses(r: _Reader, lab, data: dict) -> None:
    public_seen: set = set()

    def public(value, field):
        address = r.parsed(parse_ip, value, field)
        if not is_internet_address(address):
            raise LabFileError(field, "value", value=str(address))
        if address in public_seen:
            raise LabFileError(field, "duplicate_address", value=str(address))
        public_seen.add(address)
        return address

    def private(subnet: Subnet, value, owner: str, field: str, ours: bool = True):
        address = r.parsed(parse_ip, value, field)
        from .addressing import reserved_addresses

        # A real account's snapshot is kept as it says (an anonymised one may use a reserved address).
        reserved = ours and address in reserved_addresses(subnet.cidr)
        if address not in subnet.cidr or reserved or address in subnet.used_addresses:
            raise LabFileError(field, "value", value=str(address))
        subnet.used_addresses[address] = owner
        return address

    for n, raw in enumerate(r.items(data, "instances")):
        f = f"instances[{n}]."
        raw = r.obj(raw, f[:-1])
        instance_id = r.new_id(raw, f, "i")
        subnet = _ref(lab.subnets, r.get(raw, "subnet", f, str), f + "subnet")
        state = _enum(InstanceState, r.get(raw, "state", f, str), f + "state")
        address = r.parsed(parse_ip, r.get(raw, "private_ip", f, str), f + "private_ip")
        ours = id_number("i", instance_id) is not None  # else an instance of a real account (imported)
        if state is not InstanceState.TERMINATED:
            address = private(subnet, str(address), instance_id, f + "private_ip", ours)
        groups = [
            _ref(lab.security_groups, r.get({"": g}, "", f"{f}security_groups[{k}]", str), f"{f}security_groups[{k}]")
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
            instance.auto_public_ip = public(auto, f + "auto_public_ip")
        lab.instances[instance.id] = instance
    _load_interfaces(r, lab, data, private, public)

    for n, raw in enumerate(r.items(data, "nat_gateways")):
        f = f"nat_gateways[{n}]."
        raw = r.obj(raw, f[:-1])
        nat_id = r.new_id(raw, f, "nat")
        subnet = _ref(lab.subnets, r.get(raw, "subnet", f, str), f + "subnet")
        state = _enum(NatGatewayState, r.get(raw, "state", f, str), f + "state")
        raw_ip = r.get(raw, "private_ip", f, str, True)
        # An available gateway holds its address; a deleted one keeps it on record (already freed,
        # as delete_nat_gateway leaves it); a failed one never had one.
        if state is not NatGatewayState.DELETED and (raw_ip is None) == (state is NatGatewayState.AVAILABLE):
            raise LabFileError(f + "private_ip", "value", value=str(raw_ip))
        if state is NatGatewayState.AVAILABLE:
            address = private(subnet, raw_ip, nat_id, f + "private_ip")
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

    for n, raw in enumerate(r.items(data, "elastic_ips")):
        f = f"elastic_ips[{n}]."
        raw = r.obj(raw, f[:-1])
        eip = ElasticIp(
            r.new_id(raw, f, "eipalloc"),
            public(r.get(raw, "public_ip", f, str), f + "public_ip"),
            r.get(raw, "name", f, str, True),
            r.get(raw, "association_id", f, str, True),
        )
        instance_id, nat_id = r.get(raw, "instance", f, str, True), r.get(raw, "nat_gateway", f, str, True)
        interface_id = r.get(raw, "network_interface", f, str, True) if "network_interface" in raw else None
        holders = [h for h in (instance_id, nat_id, interface_id) if h is not None]
        if (eip.association_id is None) != (not holders) or len(holders) > 1:
            raise LabFileError(f + "association_id", "value", value=str(eip.association_id))
        if interface_id is not None:
            interface = _ref(lab.network_interfaces, interface_id, f + "network_interface")
            if interface.elastic_ip is not None or interface.state is InstanceState.TERMINATED:
                raise LabFileError(f + "network_interface", "reference", id=interface_id)
            if interface.auto_public_ip is not None:
                raise LabFileError(f + "network_interface", "auto_and_elastic", id=interface_id)
            eip.network_interface, interface.elastic_ip = interface, eip
        if instance_id is not None:
            instance = _ref(lab.instances, instance_id, f + "instance")
            if instance.elastic_ip is not None or instance.state is InstanceState.TERMINATED:
                raise LabFileError(f + "instance", "reference", id=instance_id)
            if instance.auto_public_ip is not None:
                raise LabFileError(f + "instance", "auto_and_elastic", id=instance_id)
            eip.instance, instance.elastic_ip = instance, eip
        if nat_id is not None:
            nat = _ref(lab.nat_gateways, nat_id, f + "nat_gateway")
            if nat.elastic_ip is not None or nat.state is not NatGatewayState.AVAILABLE:
                raise LabFileError(f + "nat_gateway", "reference", id=nat_id)
            eip.nat_gateway, nat.elastic_ip = nat, eip
        lab.elastic_ips[eip.id] = eip
    for n, nat in enumerate(lab.nat_gateways.values()):
        if nat.state is NatGatewayState.AVAILABLE and nat.elastic_ip is None:
            raise LabFileError(f"nat_gateways[{n}].allocation_id", "reference", id=nat.allocation_id)

    targets = {**lab.internet_gateways, **lab.nat_gateways, **lab.instances, **lab.network_interfaces}
    for route, field in lab.__dict__.pop("_pending_routes"):
        if route.target_id == LOCAL:
            if route.destination not in route.vpc.cidrs:  # only a VPC CIDR is routed locally
                raise LabFileError(field, "value", value=LOCAL)
            route.target = LOCAL
            continue
        if not route.target_id.startswith(("igw-", "nat-", "i-", "eni-")):
            raise LabFileError(field, "value", value=route.target_id[:80])
        # A target that is gone (a deleted gateway) is legitimate: the route is a blackhole.
        route.target = targets.get(route.target_id)
        # A gateway may have moved to another VPC since (the route is then a blackhole), but a NAT
        # gateway or an instance never leaves its VPC: create_route refuses one of another VPC.
        if isinstance(route.target, NatGateway | Instance | NetworkInterface) and route.target.vpc is not route.vpc:
            raise LabFileError(field, "reference", id=route.target_id)
    for instance in lab.instances.values():
        if instance.state is InstanceState.RUNNING and instance.auto_assign_public_ip and instance.public_ip is None:
            raise LabFileError(f"instances[{list(lab.instances).index(instance.id)}].auto_public_ip", "missing")
    lab._public_in_use = public_seen


def _check_counters(lab) -> None:
    """Every id and pool address of ours must lie below its counter, or a later call would reuse it."""
    kinds = {
        "vpc": lab.vpcs,
        "subnet": lab.subnets,
        "igw": lab.internet_gateways,
        "rtb": lab.route_tables,
        "i": lab.instances,
        "eipalloc": lab.elastic_ips,
        "sg": lab.security_groups,
        "acl": lab.network_acls,
        "nat": lab.nat_gateways,
    }
    for kind, table in kinds.items():
        for resource_id in table:
            number = id_number(kind, resource_id)
            if number is not None and number > lab.counters.get(kind, 0):
                raise LabFileError("counters." + kind, "counter", id=resource_id)
    seen: set[str] = set()
    for kind, field, value in _secondary_ids(lab):
        if not value.startswith(kind + "-") or len(value) > 64:
            raise LabFileError(field, "bad_id", kind=kind)
        if value in seen:
            raise LabFileError(field, "duplicate_id", id=value)
        seen.add(value)
        number = id_number(kind, value)
        if number is not None and number > lab.counters.get(kind, 0):
            raise LabFileError("counters." + kind, "counter", id=value)
    for address in lab.__dict__.pop("_public_in_use"):
        index = lab._pool.index(address)
        if index is not None and index >= lab.public_ip_counter:
            raise LabFileError("public_ip_counter", "counter", id=str(address))


def _secondary_ids(lab):
    """The ids that are not resources of their own, as (kind, field, id) in file order."""
    for n, vpc in enumerate(lab.vpcs.values()):
        for k, value in enumerate(vpc.cidr_association_ids):
            yield "vpc-cidr-assoc", f"vpcs[{n}].cidr_association_ids[{k}]", value
    for n, group in enumerate(lab.security_groups.values()):
        for k, rule in enumerate(group.rules):
            yield "sgr", f"security_groups[{n}].rules[{k}].id", rule.rule_id
    for n, subnet in enumerate(lab.subnets.values()):
        yield "aclassoc", f"subnets[{n}].network_acl_association_id", subnet.network_acl_association_id
    for n, table in enumerate(lab.route_tables.values()):
        for k, association in enumerate(table.associations):
            yield "rtbassoc", f"route_tables[{n}].associations[{k}].id", association.id
    for n, instance in enumerate(lab.instances.values()):
        yield "eni", f"instances[{n}].network_interface_id", instance.network_interface_id
    for n, nat in enumerate(lab.nat_gateways.values()):
        yield "eni", f"nat_gateways[{n}].network_interface_id", nat.network_interface_id
    for n, interface in enumerate(lab.network_interfaces.values()):
        yield "eni", f"network_interfaces[{n}].id", interface.id
    for n, eip in enumerate(lab.elastic_ips.values()):
        if eip.association_id is not None:
            yield "eipassoc", f"elastic_ips[{n}].association_id", eip.association_id


def _load_interfaces(r: _Reader, lab, data: dict, private, public) -> None:
    """Secondary network interfaces of instances (imported labs only; the key may be left out)."""
    if "network_interfaces" not in data:
        return
    for n, raw in enumerate(r.items(data, "network_interfaces")):
        f = f"network_interfaces[{n}]."
        raw = r.obj(raw, f[:-1])
        interface_id = r.get(raw, "id", f, str)
        if not interface_id.startswith("eni-") or len(interface_id) > 64:
            raise LabFileError(f + "id", "bad_id", kind="eni")
        instance = _ref(lab.instances, r.get(raw, "instance", f, str), f + "instance")
        subnet = _ref(lab.subnets, r.get(raw, "subnet", f, str), f + "subnet")
        index = r.get(raw, "device_index", f, int)
        if instance.state is InstanceState.TERMINATED or subnet.vpc is not instance.vpc:
            raise LabFileError(f + "instance", "reference", id=instance.id)
        if not 1 <= index <= 64 or any(i.device_index == index for i in instance.interfaces):
            raise LabFileError(f + "device_index", "value", value=index)
        ours = id_number("eni", interface_id) is not None
        address = private(subnet, r.get(raw, "private_ip", f, str), interface_id, f + "private_ip", ours)
        groups = [
            _ref(lab.security_groups, r.get({"": g}, "", f"{f}security_groups[{k}]", str), f"{f}security_groups[{k}]")
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
            interface.auto_public_ip = public(auto, f + "auto_public_ip")
        instance.interfaces = sorted([*instance.interfaces, interface], key=lambda i: i.device_index)
        lab.network_interfaces[interface.id] = interface


def _load_unsupported(r: _Reader, data: dict) -> list[Unsupported]:
    """What an imported lab could not model (the key may be left out: a classroom lab has none)."""
    if "unsupported" not in data:
        return []
    found = []
    for n, raw in enumerate(r.items(data, "unsupported")):
        f = f"unsupported[{n}]."
        raw = r.obj(raw, f[:-1])
        why = r.get(raw, "why", f, str)
        if why not in REASONS:
            raise LabFileError(f + "why", "value", value=why[:80])
        addresses = tuple(
            str(r.parsed(parse_ip, r.get({"": a}, "", f"{f}addresses[{k}]", str), f"{f}addresses[{k}]"))
            for k, a in enumerate(r.items(raw, "addresses", f))
        )
        found.append(
            Unsupported(
                r.get(raw, "kind", f, str),
                r.get(raw, "id", f, str),
                r.get(raw, "where", f, str),
                why,
                r.get(raw, "detail", f, str),
                addresses,
            )
        )
    return found


class SerializationMixin:
    def to_json(self, indent: int | None = 1) -> str:
        """The whole lab as versioned JSON (see ``docs/lab-format.md``); ``from_json`` reads it back."""
        return json.dumps(dump(self), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str):
        """A new lab from ``to_json`` output. Invalid input raises ``LabFileError`` and builds nothing."""
        return load(cls, text)
