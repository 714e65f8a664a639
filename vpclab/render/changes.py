"""What the last action changed in the diagram, for the browser to mark for a moment.

Two sources, together: the resources the lab's action history names for its last entry (its
arguments and result, and the drawn elements they stand for: a security group's instances, a
network ACL's subnets, an Elastic IP's instance), and every drawn element whose label differs from
the previous drawing (a badge that turned green, a subnet that became public). Nothing is marked for
the first drawing, or when the language alone changed.
"""

from __future__ import annotations

from ..model.history import MARKERS


def _ids(value) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list | tuple):
        return set().union(*map(_ids, value)) if value else set()
    if isinstance(value, dict):
        return set().union(*map(_ids, value.values())) if value else set()
    return set()


def _related(lab, resource_id: str) -> set[str]:
    """Drawn elements that stand for a resource that has no box of its own."""
    related = set()
    for instance in lab.instances.values():
        if any(group.id == resource_id for group in instance.security_groups):
            related.add(instance.id)
        if instance.elastic_ip is not None and instance.elastic_ip.id == resource_id:
            related.add(instance.id)
    for subnet in lab.subnets.values():
        if subnet.network_acl.id == resource_id:
            related.add(f"cluster_{subnet.id}")
    return related


def named_by_last_action(lab, drawn) -> set[str]:
    """The drawn elements (node or cluster names) that the lab's last recorded action names."""
    if not lab.history or lab.history[-1]["action"] in MARKERS:
        return set()
    entry = lab.history[-1]
    result = entry["result"]
    if isinstance(result, dict):  # a route's record also names its VPC: the container did not change
        result = {key: value for key, value in result.items() if key != "vpc"}
    ids = _ids(entry["args"]) | _ids(entry["kwargs"]) | _ids(result)
    found = set()
    for resource_id in ids:
        found |= _related(lab, resource_id)
        for name in drawn:
            if name == resource_id or name == f"cluster_{resource_id}" or resource_id in name.split("/"):
                found.add(name)
    return found


def changed(lab, before: dict[str, str] | None, after: dict[str, str]) -> list[str]:
    """Names of the drawn elements to mark, in drawing order."""
    if before is None:
        return []
    relabelled = {name for name, label in after.items() if before.get(name) != label}
    marked = (relabelled | named_by_last_action(lab, after)) & after.keys()
    return [name for name in after if name in marked]
