"""A fix hint's calls as values: :class:`Step` (one call of the lab's API), :class:`Made` (what an
earlier step of the same fix returns) and ``apply``, which runs them. Kept apart from the hints
themselves (``fixes.py``, ``fixes_ipv6.py``) so both can build steps."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.resources import EgressOnlyInternetGateway, Instance, InternetGateway, NatGateway, RouteState

# Route targets a new route table can be given again by ``create_route`` (a copy of another table's routes).
_COPYABLE = (InternetGateway, EgressOnlyInternetGateway, NatGateway, Instance)


@dataclass(frozen=True)
class Made:
    """The resource that an earlier step of the same fix creates (its index in the steps)."""

    step: int


@dataclass(frozen=True)
class Step:
    """One call of the lab's API: ``getattr(lab, verb)(*args, **kwargs)``."""

    verb: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    def __str__(self) -> str:
        shown = [f"<{a.step + 1}>" if isinstance(a, Made) else repr(a) for a in self.args]
        shown += [f"{k}={v!r}" for k, v in self.kwargs.items()]
        return f"lab.{self.verb}({', '.join(shown)})"


def apply(lab, steps) -> list:
    """Run ``steps`` through the lab's public verbs; what each returned, in order."""
    made: list = []
    for step in steps:
        args = [made[a.step] if isinstance(a, Made) else a for a in step.args]
        made.append(getattr(lab, step.verb)(*args, **step.kwargs))
    return made


def gateway_steps(lab, vpc) -> tuple[list[Step], object]:
    """Steps that give ``vpc`` an attached internet gateway, and what then stands for it."""
    if vpc.internet_gateway is not None:
        return [], vpc.internet_gateway.id
    spare = next((g for g in lab.internet_gateways.values() if g.vpc is None and not g.deleted), None)
    if spare is not None:
        return [Step("attach_internet_gateway", (spare.id, vpc.id))], spare.id
    return [Step("create_internet_gateway"), Step("attach_internet_gateway", (Made(0), vpc.id))], Made(0)


def own_table_steps(lab, subnet, destination: str, target, first: int) -> list[Step] | None:
    """A route table for ``subnet`` alone (``first``: the index of its creating step): the routes of the
    table the subnet uses now, with ``destination`` → ``target``.

    The copy keeps what the subnet had (its other family's way out, a NAT route, an appliance): only the
    one route changes. None when a route cannot be made again (a blackhole, an imported target): then the
    hint stays in words."""
    current = lab.route_table_of(subnet)
    steps = [Step("create_route_table", (subnet.vpc.id,))]
    for route in current.routes.values():
        if route.is_local or str(route.destination) == destination:
            continue
        if not isinstance(route.target, _COPYABLE) or route.state is not RouteState.ACTIVE:
            return None
        steps.append(Step("create_route", (Made(first), str(route.destination), route.target.id)))
    steps.append(Step("create_route", (Made(first), destination, target)))
    association = subnet.route_table_association
    if association is None:
        steps.append(Step("associate_route_table", (Made(first), subnet.id)))
    else:
        steps.append(Step("replace_route_table_association", (association.id, Made(first))))
    return steps
