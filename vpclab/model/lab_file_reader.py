"""Reading a lab file: typed access to untrusted JSON that names the field at fault, and the state
one load carries between its steps (routes waiting for their targets, public addresses seen)."""

from __future__ import annotations

from .addressing import PortRange, Protocol, parse_ports
from .errors import LabFileError, VpcLabError


class Reader:
    """Typed access to untrusted JSON that names the field at fault, and what one load carries
    from step to step."""

    def __init__(self, version: int) -> None:
        self.version = version
        self.ids: set[str] = set()
        self.pending_routes: list = []  # (route, field): targets are read after the instances
        self.public_seen: set = set()  # public addresses in the file, checked against the counter

    def since_v2(self, data: dict, key: str, default, field: str = ""):
        """A key version 2 added: required there, its old meaning (``default``) in a version-1 file."""
        if self.version < 2 and key not in data:
            return default
        if key not in data:
            raise LabFileError(field + key, "missing")
        if isinstance(default, list) and not isinstance(data[key], list):
            raise LabFileError(field + key, "type", expected="list")
        return data[key]

    def get_since_v2(self, data: dict, key: str, field: str, types, default, optional: bool = False):
        """``get`` for a key version 2 added; in a version-1 file without it, its old meaning."""
        if self.version < 2 and key not in data:
            return default
        return self.get(data, key, field, types, optional)

    def get_since_v3(self, data: dict, key: str, field: str, types, default, optional: bool = False):
        """``get`` for a key version 3 added (IPv6-only subnets, DNS64); older files: its old meaning."""
        if self.version < 3 and key not in data:
            return default
        return self.get(data, key, field, types, optional)

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


def ref(table: dict, value, field: str):
    if value not in table:
        raise LabFileError(field, "reference", id=str(value)[:80])
    return table[value]


def enum_of(enum_type, value, field: str):
    try:
        return enum_type(value)
    except ValueError:
        raise LabFileError(field, "value", value=str(value)[:80]) from None


def read_ports(r: Reader, data: dict, field: str, protocol: Protocol) -> PortRange | None:
    if "ports" not in data:
        raise LabFileError(field + "ports", "missing")
    raw = data["ports"]
    if raw is None:
        if protocol is not Protocol.ALL:
            raise LabFileError(field + "ports", "missing")
        return None
    if protocol is Protocol.ALL or not (isinstance(raw, list) and len(raw) == 2 and all(type(p) is int for p in raw)):
        raise LabFileError(field + "ports", "value", value=str(raw)[:80])
    return r.parsed(lambda v: parse_ports(protocol, tuple(v)), raw, field + "ports")
