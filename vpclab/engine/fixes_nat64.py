"""Fixes for ``DNS64_NAT64_REQUIRED``: turn DNS64 on, route 64:ff9b::/96 to a NAT gateway (engine/nat64.py).

The same rules as ``fixes.py``: the route never goes into the main route table (the subnet gets a
table of its own with the main table's other routes, ``fix_calls.own_table_steps``); the NAT gateway
is one whose subnet routes 0.0.0.0/0 to the internet gateway, or a new one in such a public subnet;
where neither exists (or a route cannot be copied) the hint stays in words.
"""

from __future__ import annotations

from ..model.addressing import NAT64_PREFIX
from ..model.resources import InternetGateway, NatGatewayState, RouteState
from .fix_calls import Made, Step, own_table_steps

NAT64 = str(NAT64_PREFIX)


def _public(lab, subnet) -> bool:
    """Does the subnet send 0.0.0.0/0 to its VPC's internet gateway (a NAT gateway there reaches out)?"""
    route = lab.route_table_of(subnet).lookup("198.51.100.10")
    return (
        subnet.cidr is not None
        and route is not None
        and route.state is RouteState.ACTIVE
        and isinstance(route.target, InternetGateway)
    )


def _gateway_or_new(lab, vpc) -> tuple[list[Step], object]:
    """A working NAT gateway in a public subnet (or the steps that make one), and what stands for it."""
    for nat in lab.nat_gateways.values():
        if nat.vpc is vpc and nat.state is NatGatewayState.AVAILABLE and _public(lab, nat.subnet):
            return [], nat.id
    public = next((s for s in lab.subnets.values() if s.vpc is vpc and _public(lab, s)), None)
    if public is None:
        return [], None
    return [Step("allocate_address"), Step("create_nat_gateway", (public.id, Made(0)))], Made(1)


def _route_steps(lab, subnet, nat, first: int) -> list[Step] | None:
    """64:ff9b::/96 → ``nat`` in the subnet's own route table (``first``: the index of the first step)."""
    table = lab.route_table_of(subnet)
    if not table.main:
        verb = "replace_route" if NAT64_PREFIX in table.routes else "create_route"
        return [Step(verb, (table.id, NAT64, nat))]
    return own_table_steps(lab, subnet, NAT64, nat, first)


def _nat64_route(lab, values: dict, subnet):
    """(key, steps) that give ``subnet`` a 64:ff9b::/96 route to a NAT gateway in a public subnet."""
    made, nat = _gateway_or_new(lab, subnet.vpc)
    if nat is None:
        return None, ()
    values["nat_id"] = nat if isinstance(nat, str) else ""
    route = _route_steps(lab, subnet, nat, len(made))
    if route is None:
        return None, ()
    return ("add_nat64_route_new_nat" if made else "add_nat64_route"), (*made, *route)


def _routed(lab, subnet) -> bool:
    route = lab.route_table_of(subnet).lookup(NAT64_PREFIX.network_address)
    return route is not None and route.state is RouteState.ACTIVE and route.target_id.startswith("nat-")


def turn_on_dns64(lab, values: dict, packet, on_return: bool):
    subnet = lab.subnets[values["subnet_id"]]
    dns64 = Step("modify_subnet_attribute", (subnet.id,), {"enable_dns64": True})
    if _routed(lab, subnet):
        return "turn_on_dns64", values, (dns64,)
    key, steps = _nat64_route(lab, values, subnet)
    return "dns64_and_nat64_route", values, ((dns64, *_shift(steps, 1)) if key else ())


def add_nat64_route(lab, values: dict, packet, on_return: bool):
    subnet = lab.subnets[values["subnet_id"]]
    key, steps = _nat64_route(lab, values, subnet)
    return (key or "add_nat64_route"), values, steps


def blackhole(lab, values: dict, table, destination: str):
    """A 64:ff9b::/96 route to a NAT gateway that is gone, and no other works: a new one, the route to it."""
    made, nat = _gateway_or_new(lab, table.vpc)
    if nat is None:
        return "blackhole_replace", values, ()
    values["nat_id"] = nat if isinstance(nat, str) else ""
    return "add_nat64_route_new_nat", values, (*made, Step("replace_route", (table.id, destination, nat)))


def _shift(steps, by: int) -> tuple:
    """The steps with their ``Made`` references moved ``by`` places (a step was put before them)."""

    def moved(value):
        return Made(value.step + by) if isinstance(value, Made) else value

    return tuple(Step(s.verb, tuple(moved(a) for a in s.args), s.kwargs) for s in steps)


KEYS = ("turn_on_dns64", "dns64_and_nat64_route", "add_nat64_route", "add_nat64_route_new_nat")
HANDLERS = {"turn_on_dns64": turn_on_dns64, "add_nat64_route": add_nat64_route}
