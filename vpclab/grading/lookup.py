"""Finding a learner's resources in a finished lab: by Name tag, since a correct solution may have
created them in any order (ids differ) — names are what the assignment text gives."""

from __future__ import annotations

import re

from ..model.errors import NotFoundError
from ..model.resources import InstanceState
from ..model.restore import RESOURCE_TABLES


def instance(lab, name: str):
    """The live instance named ``name`` (None if there is none)."""
    return next((i for i in lab.instances.values() if i.name == name and i.state is not InstanceState.TERMINATED), None)


def subnet(lab, name: str):
    return next((s for s in lab.subnets.values() if s.name == name), None)


def exposed_ports(lab, instance_) -> set[tuple[str, int, int]]:
    """(protocol, first port, last port) the internet can reach on the instance."""
    entry = lab.exposure()[instance_]
    return {(e.protocol, e.ports.first, e.ports.last) for e in entry.inbound}


_KINDS = ("instances", "security_groups", "subnets", "route_tables", "internet_gateways", "network_acls",
          "elastic_ips", "nat_gateways", "vpcs")  # fmt: skip


def _names(resource) -> set[str]:
    names = {resource.name} if resource.name else set()
    group_name = getattr(resource, "group_name", None)  # a security group answers to its group name too
    return names | ({group_name} if group_name else set())


def _live(resource) -> bool:
    state = getattr(resource, "state", None)
    return getattr(state, "value", None) not in ("terminated", "deleted", "failed")


def named(lab, *names: str):
    """The live resources with these names (Name tag, or a security group's group name), in order:
    ``web, web_sg = vpclab.grading.named(lab, "web", "web-sg")``. One name gives one resource.

    Raises:
        NotFoundError (a ``LookupError``): no live resource, or more than one, has that name.
    """
    found = []
    for wanted in names:
        matches = [r for kind in _KINDS for r in getattr(lab, kind).values() if wanted in _names(r) and _live(r)]
        if len(matches) != 1:
            raise NotFoundError("InvalidParameterValue", "lookup.named", name=wanted, count=len(matches))
        found.append(matches[0])
    return found[0] if len(found) == 1 else tuple(found)


RESOURCE_ID = re.compile(r"\b(?:vpc|subnet|igw|rtb|i|eipalloc|sg|acl|nat|eni|eigw)-[0-9a-f]{8,17}\b")


def learner_names(lab) -> dict[str, str]:
    """{resource id: the learner's name for it} (Name tag, or a security group's group name)."""
    names = {}
    for table in RESOURCE_TABLES:
        for key, item in getattr(lab, table, {}).items():
            name = getattr(item, "name", None) or getattr(item, "group_name", None)
            if name and name != "default":
                names[key] = name
    return names


def named_text(text: str, names: dict[str, str]) -> str:
    """``text`` with every resource id the learner named replaced by that name (hints speak the
    learner's language: ``web-sg``, not ``sg-0a1b2c3d4e5f60718``)."""
    return RESOURCE_ID.sub(lambda m: names.get(m.group(0), m.group(0)), text)
