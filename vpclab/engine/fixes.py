"""The fix an analysis proposes, in words and as the calls that make it, each one the API accepts.

A fix hint must never contradict the lessons nor propose a call AWS would refuse:

* the internet route goes into a route table of the subnet's own, never into the main route table
  (a new subnet stays private by default); a private instance is routed to a NAT gateway when the
  VPC has one;
* a server whose replies leave by a NAT gateway is moved to a public route table, never given a /32
  route per client;
* an Elastic IP is proposed only where ``associate_address`` works: a running or stopped instance
  in a VPC with an internet gateway (the gateway is attached first otherwise);
* a terminated instance is never to be started or given an address: it is replaced;
* ICMP is opened by its type, never by "ports 1024-65535".

``propose`` refines the fix key the tracer chose and returns the calls as :class:`Step` values, so a
test (or a learner) can run them: ``fixes.apply(lab, analysis.fix_steps)``.
"""

from __future__ import annotations

from ipaddress import ip_address

from ..model import wording
from ..model.addressing import PortRange
from ..model.resources import InstanceState, InternetGateway, NatGateway, NatGatewayState
from . import fixes_ipv6
from .fix_calls import Made, Step, apply, gateway_steps, own_table_steps
from .packets import Packet

__all__ = ["KEYS", "Made", "Step", "apply", "propose"]

ANYWHERE = "0.0.0.0/0"
EPHEMERAL = (1024, 65535)  # covers the ephemeral ranges of Linux, Windows and the NAT gateway


def propose(lab, fix: str | None, values: dict, packet: Packet, on_return: bool) -> tuple[str | None, dict, tuple]:
    """The fix key to show, the values its text needs, and the calls that carry it out."""
    if fix is None:
        return None, values, ()
    handler = _HANDLERS.get(fix)
    if handler is None:
        return fix, values, ()
    try:
        return handler(lab, dict(values), packet, on_return)
    except KeyError:
        # An imported lab's secondary interface or placeholder is no resource the verbs take:
        # the hint stays in words only.
        return fix, values, ()


# ---- gateways and route tables ----------------------------------------------------------------------------
def _own_table_steps(lab, subnet, target, first: int) -> list[Step] | None:
    """A route table for ``subnet`` alone: its routes now, with 0.0.0.0/0 → ``target`` (``first``: its
    step index); None where a route cannot be copied (the hint is then words only)."""
    return own_table_steps(lab, subnet, ANYWHERE, target, first)


def _public_table(lab, vpc):
    """A route table of ``vpc`` that is not the main one and sends 0.0.0.0/0 to its internet gateway."""
    for table in lab.route_tables.values():
        route = table.lookup(ANYWHERE.split("/")[0]) if table.vpc is vpc and not table.main else None
        if route is not None and route.target is vpc.internet_gateway and vpc.internet_gateway is not None:
            return table
    return None


def _move_to_table(subnet, table) -> Step:
    association = subnet.route_table_association
    if association is None:
        return Step("associate_route_table", (table.id, subnet.id))
    return Step("replace_route_table_association", (association.id, table.id))


def _usable_nat(lab, vpc, subnet):
    for nat in lab.nat_gateways.values():
        if nat.vpc is vpc and nat.state is NatGatewayState.AVAILABLE and nat.subnet is not subnet:
            return nat
    return None


def _private_sender(lab, subnet, packet: Packet, on_return: bool):
    """The instance of ``subnet`` that sent ``packet`` out, when it has no public address."""
    if on_return:
        return None
    for instance in lab.instances.values():
        if instance.subnet is subnet and instance.private_ip == packet.source and instance.public_ip is None:
            return instance
    return None


def _internet_route(lab, values: dict, packet: Packet, on_return: bool):
    subnet = lab.subnets[values["subnet_id"]]
    vpc, table = subnet.vpc, lab.route_table_of(subnet)
    nat = _usable_nat(lab, vpc, subnet) if _private_sender(lab, subnet, packet, on_return) else None
    if nat is not None:
        values.update(nat_id=nat.id, subnet_id=subnet.id)
        if table.main:
            return "route_table_to_nat", values, tuple(_own_table_steps(lab, subnet, nat.id, 0) or ())
        return "add_nat_route", values, (Step("create_route", (table.id, ANYWHERE, nat.id)),)
    steps, gateway = gateway_steps(lab, vpc)
    values.update(subnet_id=subnet.id, igw_id=gateway if isinstance(gateway, str) else "")
    if not table.main and not steps:
        return "add_internet_route", values, (Step("create_route", (table.id, ANYWHERE, gateway)),)
    public = _public_table(lab, vpc)
    if public is not None and not steps:
        values["public_route_table_id"] = public.id
        return "use_public_route_table", values, (_move_to_table(subnet, public),)
    own = _own_table_steps(lab, subnet, gateway, len(steps))
    if steps:
        return "gateway_and_route_table", values, (*steps, *own) if own is not None else ()
    return "route_table_for_subnet", values, tuple(own or ())


def _blackhole(lab, values: dict, packet: Packet, on_return: bool):
    table = lab.route_tables[values["route_table_id"]]
    destination, vpc = values["route_destination"], table.vpc
    target = next((r.target for r in table.routes.values() if str(r.destination) == destination), None)
    if (
        isinstance(target, InternetGateway)
        and target.vpc is None
        and not target.deleted
        and vpc.internet_gateway is None
    ):
        return "blackhole_route", values, (Step("attach_internet_gateway", (target.id, vpc.id)),)
    if getattr(target, "state", None) is InstanceState.STOPPED:
        return "blackhole_route", values, (Step("start_instance", (target.id,)),)
    if isinstance(target, NatGateway | InternetGateway) or target is None:
        working = _usable_nat(lab, vpc, None) if isinstance(target, NatGateway) else None
        if working is None:
            steps, gateway = gateway_steps(lab, vpc)
            return "blackhole_replace", values, (*steps, Step("replace_route", (table.id, destination, gateway)))
        return "blackhole_replace", values, (Step("replace_route", (table.id, destination, working.id)),)
    # A terminated appliance instance cannot come back: the route goes.
    return "blackhole_replace", values, (Step("delete_route", (table.id, destination)),)


def _asymmetric(lab, values: dict, packet: Packet, on_return: bool):
    subnet = lab.subnets[values["subnet_id"]]
    public = _public_table(lab, subnet.vpc)
    if public is not None:
        return "asymmetric", values, (_move_to_table(subnet, public),)
    return "asymmetric", values, tuple(_own_table_steps(lab, subnet, values["igw_id"], 0) or ())


# ---- instances and addresses ---------------------------------------------------------------------------
def _address_steps(lab, instance) -> tuple[str, list[Step]]:
    """An Elastic IP for ``instance``, after an internet gateway if its VPC has none."""
    steps, _ = gateway_steps(lab, instance.vpc)
    first = len(steps)
    steps += [Step("allocate_address"), Step("associate_address", (Made(first), instance.id))]
    return ("give_public_ip_with_gateway" if first else "give_public_ip"), steps


def _give_public_ip(lab, values: dict, packet: Packet, on_return: bool):
    instance = lab.instances[values["instance_id"]]
    if instance.state is InstanceState.TERMINATED:
        return "replace_terminated", values, ()
    key, steps = _address_steps(lab, instance)
    values["vpc_id"] = instance.vpc.id
    return key, values, tuple(steps)


def _public_ip_or_nat(lab, values: dict, packet: Packet, on_return: bool):
    instance = lab.instances[values["instance_id"]]
    nat = lab.nat_gateways.get(values.get("nat_hint") or "")
    if nat is not None and nat.subnet is not instance.subnet:
        values["subnet_id"] = instance.subnet.id
        return "public_ip_or_nat", values, tuple(_own_table_steps(lab, instance.subnet, nat.id, 0) or ())
    _, steps = _address_steps(lab, instance)
    return "public_ip_or_new_nat", values, tuple(steps)


def _start_instance(lab, values: dict, packet: Packet, on_return: bool):
    instance = lab.instances.get(values["instance_id"])
    if instance is None or instance.state is InstanceState.TERMINATED:
        return "replace_terminated", values, ()
    return "start_instance", values, (Step("start_instance", (instance.id,)),)


def _attach_gateway(lab, values: dict, packet: Packet, on_return: bool):
    steps, _ = gateway_steps(lab, lab.vpcs[values["vpc_id"]])
    return "attach_gateway", values, tuple(steps)


# ---- rules ----------------------------------------------------------------------------------------------
def _peer_cidr(values: dict) -> str:
    peer = ip_address(values["peer"])  # an IPv6 peer gets an IPv6 rule: IPv4 rules never match it
    return f"{peer}/{peer.max_prefixlen}"


def _traffic(packet: Packet):
    """What the rule must let through (an ICMP type with any code), and the port argument that says so."""
    return wording.packet_traffic(packet.protocol, packet.destination_port), packet.destination_port


def _security_group(lab, values: dict, packet: Packet, on_return: bool, egress: bool):
    values["opening"], port = _traffic(packet)
    verb = "authorize_security_group_egress" if egress else "authorize_security_group_ingress"
    step = Step(verb, (values["group_id"], packet.protocol.value, port), {"cidr": _peer_cidr(values)})
    return ("sg_egress" if egress else "sg_ingress"), values, (step,)


def _free_number_below(acl, egress: bool, deciding: int) -> int | None:
    """A free rule number that is evaluated before ``deciding``: a round one if there is room."""
    used = {number for (out, number) in acl.entries if out == egress}
    free = [n for n in range(min(deciding, 32767) - 1, 0, -1) if n not in used]
    return next((n for n in free if n % 10 == 0), free[0] if free else None)


def _network_acl(lab, values: dict, packet: Packet, on_return: bool, egress: bool):
    acl = lab.network_acls[values["acl_id"]]
    deciding = 32767 if values["rule_number"] == "*" else int(values["rule_number"])
    reply = on_return and packet.protocol.has_ports
    if reply:  # a reply goes to the client's ephemeral port: open the whole range, not one port
        port, values["opening"] = EPHEMERAL, wording.traffic(packet.protocol, PortRange(*EPHEMERAL))
    else:
        values["opening"], port = _traffic(packet)
    key = ("acl_egress" if egress else "acl_ingress") + ("_reply" if reply else "")
    number = _free_number_below(acl, egress, deciding)
    cidr = _peer_cidr(values)
    if number is None:  # rule 1 denies it: that rule itself must change
        call = Step("replace_network_acl_entry", (acl.id, deciding, egress, packet.protocol.value, port, cidr, "allow"))
    else:
        call = Step("create_network_acl_entry", (acl.id, number, egress, packet.protocol.value, port, cidr, "allow"))
    return key, values, (call,)


# Every fix key ``propose`` can return (their texts are in the catalogs).
KEYS = (
    "add_internet_route",
    "add_nat_route",
    "route_table_to_nat",
    "use_public_route_table",
    "route_table_for_subnet",
    "gateway_and_route_table",
    "blackhole_route",
    "blackhole_replace",
    "asymmetric",
    "give_public_ip",
    "give_public_ip_with_gateway",
    "replace_terminated",
    "public_ip_or_nat",
    "public_ip_or_new_nat",
    "start_instance",
    "attach_gateway",
    "sg_ingress",
    "sg_egress",
    "acl_ingress",
    "acl_egress",
    "acl_ingress_reply",
    "acl_egress_reply",
    *fixes_ipv6.KEYS,
)

_HANDLERS = {
    "add_internet_route": _internet_route,
    "add_nat_internet_route": _internet_route,
    "blackhole_route": _blackhole,
    "asymmetric": _asymmetric,
    "give_public_ip": _give_public_ip,
    "public_ip_or_nat": _public_ip_or_nat,
    "public_ip_or_new_nat": _public_ip_or_nat,
    "start_instance": _start_instance,
    "attach_gateway": _attach_gateway,
    "sg_ingress": lambda lab, v, p, r: _security_group(lab, v, p, r, egress=False),
    "sg_egress": lambda lab, v, p, r: _security_group(lab, v, p, r, egress=True),
    "acl_ingress": lambda lab, v, p, r: _network_acl(lab, v, p, r, egress=False),
    "acl_egress": lambda lab, v, p, r: _network_acl(lab, v, p, r, egress=True),
    "acl_ingress_reply": lambda lab, v, p, r: _network_acl(lab, v, p, r, egress=False),
    "acl_egress_reply": lambda lab, v, p, r: _network_acl(lab, v, p, r, egress=True),
    **fixes_ipv6.HANDLERS,
}
