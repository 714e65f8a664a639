"""Put a lab back to a saved state *in place*, so the objects a learner holds stay live.

Undo in the console restores the snapshot taken before the last action. Loading the snapshot gives
new objects; here their state is copied into the lab's existing objects (matched by id), and every
reference is pointed at those, so ``web.public_ip`` in the learner's notebook shows the restored
address. Objects that did not exist at the snapshot (made by the undone action) leave the lab.
"""

from __future__ import annotations

import dataclasses

from .kinds import TABLES as RESOURCE_TABLES
from .resources import Resource


def _known_objects(lab) -> dict[str, Resource]:
    # Deleted objects first: a learner's variable may still hold one, and undo brings it back live.
    known = dict(lab._retired)
    for table in RESOURCE_TABLES:
        known.update(getattr(lab, table))
    for route_table in lab.route_tables.values():  # deleted gateways live on in blackhole routes
        for route in route_table.routes.values():
            if isinstance(route.target, Resource):
                known.setdefault(route.target.id, route.target)
    return known


def restore_in_place(lab, text: str) -> None:
    """Make ``lab`` equal to ``type(lab).from_json(text)`` while keeping its object identities."""
    fresh = type(lab).from_json(text)  # validates fully: a bad snapshot changes nothing
    known = _known_objects(lab)
    final: dict[int, object] = {}
    for table in RESOURCE_TABLES:
        for key, obj in getattr(fresh, table).items():
            old = known.get(key)
            final[id(obj)] = old if old is not None and type(old) is type(obj) else obj
    for route_table in fresh.route_tables.values():
        for route in route_table.routes.values():
            if isinstance(route.target, Resource) and id(route.target) not in final:
                final[id(route.target)] = known.get(route.target.id, route.target)
    done: set[int] = set()

    def convert(value):
        if isinstance(value, list):
            return [convert(v) for v in value]
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if id(value) in final:
            return final[id(value)]
        if dataclasses.is_dataclass(value) and not _frozen(value) and id(value) not in done:
            done.add(id(value))  # a route or an association: fix its references in place
            for field in dataclasses.fields(value):
                setattr(value, field.name, convert(getattr(value, field.name)))
        return value

    for table in RESOURCE_TABLES:
        for obj in getattr(fresh, table).values():
            target = final[id(obj)]
            for field in dataclasses.fields(obj):
                setattr(target, field.name, convert(getattr(obj, field.name)))
    for table in RESOURCE_TABLES:
        setattr(lab, table, {key: final[id(obj)] for key, obj in getattr(fresh, table).items()})
    final_ids = {key for table in RESOURCE_TABLES for key in getattr(lab, table)}
    for key in final_ids:
        lab._retired.pop(key, None)
    for key, value in vars(fresh).items():
        if key == "block_public_access":  # one live object: copy its state into it
            lab.block_public_access.internet_gateway_block_mode = value.internet_gateway_block_mode
        elif key not in RESOURCE_TABLES and not key.startswith(("_pool", "_retired")):
            setattr(lab, key, value)
    # What the undone action made leaves the lab; keep it, so that redoing by hand finds it live too.
    for obj in known.values():
        if obj.id not in final_ids:
            lab._retired[obj.id] = obj


def _frozen(value) -> bool:
    return bool(getattr(type(value), "__dataclass_params__", None) and type(value).__dataclass_params__.frozen)
