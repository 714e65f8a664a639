"""The action history: every successful EC2 verb, in order, as plain data saved with the lab.

Grading and class analytics read it (which steps did a learner take, in which order, how often did
they undo); the console shows it. A refused call is not an action and is not recorded. Verbs called
from inside another verb are not recorded twice.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import math
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from .resources import Resource

VERBS = (
    "create_vpc",
    "associate_vpc_cidr_block",
    "delete_vpc",
    "create_subnet",
    "modify_subnet_attribute",
    "delete_subnet",
    "create_internet_gateway",
    "attach_internet_gateway",
    "detach_internet_gateway",
    "delete_internet_gateway",
    "create_route_table",
    "delete_route_table",
    "create_route",
    "replace_route",
    "delete_route",
    "associate_route_table",
    "disassociate_route_table",
    "replace_route_table_association",
    "run_instance",
    "stop_instance",
    "start_instance",
    "terminate_instance",
    "allocate_address",
    "associate_address",
    "disassociate_address",
    "release_address",
    "create_nat_gateway",
    "delete_nat_gateway",
    "create_security_group",
    "delete_security_group",
    "modify_instance_security_groups",
    "authorize_security_group_ingress",
    "authorize_security_group_egress",
    "revoke_security_group_ingress",
    "revoke_security_group_egress",
    "create_network_acl",
    "delete_network_acl",
    "create_network_acl_entry",
    "replace_network_acl_entry",
    "delete_network_acl_entry",
    "replace_network_acl_association",
    "associate_subnet_cidr_block",
    "disassociate_subnet_cidr_block",
    "assign_ipv6_addresses",
    "unassign_ipv6_addresses",
    "create_egress_only_internet_gateway",
    "delete_egress_only_internet_gateway",
    "modify_vpc_block_public_access_options",
    "create_vpc_block_public_access_exclusion",
    "modify_vpc_block_public_access_exclusion",
    "delete_vpc_block_public_access_exclusion",
)
MARKERS = ("undo",)  # entries that are not verbs but belong to the story (the console's undo)


_SCALARS = frozenset({type(None), bool, int, float, str})
_PLAIN = frozenset({type(None), bool, int, str})  # floats go through plain(): NaN and infinities


def plain(value):
    """A JSON-ready copy of an argument or a result: resources by id, addresses as text."""
    # Every verb call passes through here: the common cases (plain values, the argument tuple and
    # keyword dict, resources) come first, by exact type, which is much faster than isinstance.
    kind = type(value)
    if kind is float and not math.isfinite(value):
        return repr(value)  # JSON has no NaN or infinity: the history stays valid JSON
    if kind in _SCALARS:
        return value
    if kind is tuple or kind is list:
        return [v if type(v) in _PLAIN else plain(v) for v in value]
    if kind is dict:
        return {str(k): v if type(v) in _PLAIN else plain(v) for k, v in value.items()}
    if isinstance(value, Resource):
        return value.id
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if value is None or isinstance(value, bool | int | str):
        return value if type(value) in _SCALARS else (str(value) if isinstance(value, str) else int(value))
    if isinstance(value, IPv4Address | IPv4Network | IPv6Address | IPv6Network):
        return str(value)
    if isinstance(value, enum.Enum):
        return plain(value.value)
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    resource_id = getattr(value, "id", None)
    if isinstance(resource_id, str):
        return resource_id
    if hasattr(value, "rule_id"):
        return value.rule_id or _kind_of(value)
    if hasattr(value, "internet_gateway_block_mode"):  # the Block Public Access options
        return value.mode
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # a route, an ACL entry: its fields
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.compare}
    # Never an object's repr (addresses of memory, text that changes between runs): its kind only.
    return _kind_of(value)


def _kind_of(value) -> str:
    return f"<{type(value).__name__}>"


def recorded(method):
    """Append ``{"action", "args", "kwargs", "result"}`` to ``lab.history`` after a successful call."""

    @functools.wraps(method)
    def verb(self, *args, **kwargs):
        if self._in_verb:
            return method(self, *args, **kwargs)
        self._in_verb = True
        try:
            result = method(self, *args, **kwargs)
        finally:
            self._in_verb = False
        self.history.append(
            {"action": method.__name__, "args": plain(args), "kwargs": plain(kwargs), "result": plain(result)}
        )
        return result

    return verb


def record_verbs(cls):
    """Class decorator: wrap every verb of ``VERBS`` that the class defines."""
    for name in VERBS:
        setattr(cls, name, recorded(getattr(cls, name)))
    return cls
