"""Finding a learner's resources in a finished lab: by Name tag, since a correct solution may have
created them in any order (ids differ) — names are what the assignment text gives."""

from __future__ import annotations

from ..model.resources import InstanceState


def instance(lab, name: str):
    """The live instance named ``name`` (None if there is none)."""
    return next((i for i in lab.instances.values() if i.name == name and i.state is not InstanceState.TERMINATED), None)


def subnet(lab, name: str):
    return next((s for s in lab.subnets.values() if s.name == name), None)


def exposed_ports(lab, instance_) -> set[tuple[str, int, int]]:
    """(protocol, first port, last port) the internet can reach on the instance."""
    entry = lab.exposure()[instance_]
    return {(e.protocol, e.ports.first, e.ports.last) for e in entry.inbound}
