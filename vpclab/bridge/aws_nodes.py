"""Typed access to one item of untrusted describe output, naming the file and the field at fault.

``Node(value, where)`` wraps a JSON value and the place it came from (``Subnets.json: Subnets[3]``);
each accessor checks the type and raises ``AwsSnapshotError`` with the field's full place
(``Subnets.json: Subnets[3].CidrBlock``) when the value is missing or wrong.
"""

from __future__ import annotations

import re
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from ..model.addressing import parse_cidr, parse_ip, parse_ip_any, parse_ipv6_cidr
from ..model.errors import AwsSnapshotError, VpcLabError
from .aws_files import Where

TEXT_LIMIT = 256  # AWS's limit for a tag value; a lab saves text fields of at most this length
_ID = re.compile(r"[0-9A-Za-z]{1,60}")
_TARGET = re.compile(r"[0-9A-Za-z:/._+=@-]{1,256}")  # a route target: an id, or an ARN (core network)
MISSING = object()


class Node:
    def __init__(self, value, where: Where) -> None:
        self.value, self.where = value, where

    def __str__(self) -> str:
        return str(self.where)

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and self.value.get(key) not in (None, "")

    def at(self, key: str) -> Node:
        if not isinstance(self.value, dict):
            raise AwsSnapshotError("InvalidAwsSnapshot:type", where=self.where, expected="object")
        return Node(self.value.get(key, MISSING), self.where.key(key))

    def _value(self, key: str, optional: bool):
        node = self.at(key)
        # An empty string means "none" where a value is optional (an emulator writes "InstanceId": "").
        if node.value is MISSING or node.value is None or (optional and node.value == ""):
            if optional:
                return None, node
            raise AwsSnapshotError("InvalidAwsSnapshot:missing", where=node.where)
        return node.value, node

    def text(self, key: str, optional: bool = False, limit: int = TEXT_LIMIT) -> str | None:
        value, node = self._value(key, optional)
        if value is None:
            return None
        if not isinstance(value, str):
            raise AwsSnapshotError("InvalidAwsSnapshot:type", where=node.where, expected="string")
        if len(value) > limit:
            raise AwsSnapshotError("InvalidAwsSnapshot:too_long", where=node.where, limit=limit)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate ("\udc80"): not text a file can hold
            raise AwsSnapshotError("InvalidAwsSnapshot:value", where=node.where, value=ascii(value)[:80]) from None
        return value

    def flag(self, key: str, default: bool | None = None) -> bool:
        value, node = self._value(key, default is not None)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise AwsSnapshotError("InvalidAwsSnapshot:type", where=node.where, expected="boolean")
        return value

    def number(self, key: str, optional: bool = False) -> int | None:
        value, node = self._value(key, optional)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise AwsSnapshotError("InvalidAwsSnapshot:type", where=node.where, expected="integer")
        return value

    def items(self, key: str, optional: bool = True) -> list[Node]:
        value, node = self._value(key, optional)
        if value is None:
            return []
        if not isinstance(value, list):
            raise AwsSnapshotError("InvalidAwsSnapshot:type", where=node.where, expected="list")
        return [Node(item, node.where.index(n)) for n, item in enumerate(value)]

    def child(self, key: str) -> Node | None:
        """A nested object, or None when it is absent."""
        value, node = self._value(key, True)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise AwsSnapshotError("InvalidAwsSnapshot:type", where=node.where, expected="object")
        return node

    def id(self, key: str, prefix: str, optional: bool = False) -> str | None:
        """An AWS id of one kind (``vpc-0a1b…``, ``subnet-8EXAMPLE``): the prefix, a dash, letters and digits."""
        value = self.text(key, optional)
        if value is None:
            return None
        if not (value.startswith(prefix + "-") and _ID.fullmatch(value[len(prefix) + 1 :])):
            raise AwsSnapshotError("InvalidAwsSnapshot:bad_id", where=self.at(key).where, kind=prefix, value=value[:80])
        return value

    def target(self, key: str) -> str:
        value = self.text(key)
        if not _TARGET.fullmatch(value):
            raise AwsSnapshotError("InvalidAwsSnapshot:value", where=self.at(key).where, value=value[:80])
        return value

    def cidr(self, key: str, optional: bool = False) -> IPv4Network | None:
        value = self.text(key, optional)
        if value is None:
            return None
        try:
            return parse_cidr(value)
        except VpcLabError:
            raise AwsSnapshotError("InvalidAwsSnapshot:value", where=self.at(key).where, value=value[:80]) from None

    def ip(self, key: str, optional: bool = False) -> IPv4Address | None:
        value = self.text(key, optional)
        if value is None:
            return None
        try:
            return parse_ip(value)
        except VpcLabError:
            raise AwsSnapshotError("InvalidAwsSnapshot:value", where=self.at(key).where, value=value[:80]) from None

    def cidr6(self, key: str) -> IPv6Network:
        """An IPv6 CIDR (``Ipv6CidrBlock``, ``DestinationIpv6CidrBlock``, ``CidrIpv6``)."""
        value = self.text(key)
        try:
            return parse_ipv6_cidr(value)
        except VpcLabError:
            raise AwsSnapshotError("InvalidAwsSnapshot:value", where=self.at(key).where, value=value[:80]) from None

    def ip6(self, key: str) -> IPv6Address:
        value = self.text(key)
        try:
            address = parse_ip_any(value) if ":" in value else None
        except VpcLabError:
            address = None
        if not isinstance(address, IPv6Address):
            raise AwsSnapshotError("InvalidAwsSnapshot:value", where=self.at(key).where, value=value[:80])
        return address

    def name(self, key: str = "Tags") -> str | None:
        """The Name tag, from ``Tags`` (or ``TagSet``): a list of ``{"Key": ..., "Value": ...}``."""
        for tag in self.items(key):
            if tag.text("Key", limit=128) == "Name":
                return tag.text("Value", optional=True)
        return None
