"""Routing facts that several answers share (a subnet is public when its table reaches a gateway)."""

from __future__ import annotations

from ..model.resources import InternetGateway, Route, RouteState


def internet_gateway_route(lab, subnet) -> Route | None:
    """The subnet's active route to its VPC's internet gateway, if it has one.

    "If a subnet is associated with a route table that has a route to an internet gateway, it's
    known as a public subnet" (VPC User Guide). A route to a detached or deleted gateway is a
    blackhole and does not count; the route need not be 0.0.0.0/0.
    """
    table = lab.route_table_of(subnet)
    for route in table.routes.values():
        if isinstance(route.target, InternetGateway) and route.state is RouteState.ACTIVE:
            return route
    return None
