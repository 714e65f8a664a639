"""Reading a lab file, the last checks: id counters, the history, what an import left unmodelled."""

from __future__ import annotations

from .addressing import parse_ip_any
from .errors import LabFileError
from .history import MARKERS, VERBS
from .imported import REASONS, Unsupported
from .ipv6_pool import block_counter
from .kinds import RESOURCE_KINDS
from .lab_file_reader import Reader
from .regions import id_number

HISTORY_DEPTH = 16  # nesting of a history entry's args / kwargs / result; real ones use 3 at most


def read_history(r: Reader, data: dict) -> list[dict]:
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
            if too_deep(raw[key], HISTORY_DEPTH):
                raise LabFileError(f + key, "value", value=f"nested deeper than {HISTORY_DEPTH} levels")
        history.append({"action": action, "args": args, "kwargs": kwargs, "result": raw["result"]})
    return history


def too_deep(value, limit: int) -> bool:
    """Do lists and objects nest deeper than ``limit`` in ``value``? (No recursion: input is hostile.)"""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, list | dict):
            if depth > limit:
                return True
            stack.extend((v, depth + 1) for v in (item.values() if isinstance(item, dict) else item))
    return False


def check_counters(r: Reader, lab) -> None:
    """Every id and pool address of ours must lie below its counter, or a later call would reuse it."""
    kinds = {k.prefix: getattr(lab, k.table) for k in RESOURCE_KINDS if k.learner_made}
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
    for address in r.public_seen:
        index = lab._pool.index(address)
        if index is not None and index >= lab.public_ip_counter:
            raise LabFileError("public_ip_counter", "counter", id=str(address))
    for vpc in lab.vpcs.values():  # an Amazon /56 of the pool must come before the counter, as addresses do
        for block in vpc.ipv6_cidr_blocks:
            # A block outside the pool (BYOIP, IPAM, a Region without a published range) can only come
            # from a real account (Lab.from_aws); the lab never hands it out, so no counter covers it.
            index = block_counter(vpc.region or lab.region, block)
            if index is not None and index >= lab.ipv6_block_counter:
                raise LabFileError("ipv6_block_counter", "counter", id=str(block))


def _secondary_ids(lab):
    """The ids that are not resources of their own, as (kind, field, id) in file order."""
    for n, vpc in enumerate(lab.vpcs.values()):
        for k, value in enumerate(vpc.cidr_association_ids):
            yield "vpc-cidr-assoc", f"vpcs[{n}].cidr_association_ids[{k}]", value
        for k, value in enumerate(vpc.ipv6_cidr_association_ids):
            yield "vpc-cidr-assoc", f"vpcs[{n}].ipv6_cidr_association_ids[{k}]", value
    for n, group in enumerate(lab.security_groups.values()):
        for k, rule in enumerate(group.rules):
            yield "sgr", f"security_groups[{n}].rules[{k}].id", rule.rule_id
    for n, subnet in enumerate(lab.subnets.values()):
        yield "aclassoc", f"subnets[{n}].network_acl_association_id", subnet.network_acl_association_id
        if subnet.ipv6_cidr_association_id is not None:
            yield "subnet-cidr-assoc", f"subnets[{n}].ipv6_cidr_association_id", subnet.ipv6_cidr_association_id
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


def read_unsupported(r: Reader, data: dict) -> list[Unsupported]:
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
            str(r.parsed(parse_ip_any, r.get({"": a}, "", f"{f}addresses[{k}]", str), f"{f}addresses[{k}]"))
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
