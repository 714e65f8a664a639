"""The action history: every successful EC2 verb, in order, as plain data saved with the lab.

Grading and class analytics read it (which steps did a learner take, in which order, how often did
they undo); the console shows it. A refused call is not an action and is not recorded. Verbs called
from inside another verb are not recorded twice.
"""

from __future__ import annotations

import functools
from ipaddress import IPv4Address, IPv4Network

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
)
MARKERS = ("undo",)  # entries that are not verbs but belong to the story (the console's undo)


_SCALARS = frozenset({type(None), bool, int, float, str})


def plain(value):
    """A JSON-ready copy of an argument or a result: resources by id, addresses as text."""
    # Every verb call passes through here: the common cases (plain values, the argument tuple and
    # keyword dict, resources) come first, by exact type, which is much faster than isinstance.
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is tuple or kind is list:
        return [v if type(v) in _SCALARS else plain(v) for v in value]
    if kind is dict:
        return {str(k): v if type(v) in _SCALARS else plain(v) for k, v in value.items()}
    if isinstance(value, Resource):
        return value.id
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, IPv4Address | IPv4Network):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    resource_id = getattr(value, "id", None)
    if isinstance(resource_id, str):
        return resource_id
    if hasattr(value, "rule_id"):
        return value.rule_id or repr(value)
    return repr(value)


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
