"""Fix hints with calls for IPv6, the egress-only internet gateway and Block Public Access (fact sheet §12-§14).

The same promises as ``fixes.py``, and these:

* a server behind an egress-only gateway is made reachable by routing its subnet's IPv6 traffic to the
  internet gateway in a route table of the subnet's own (never the main one): that makes the subnet
  public for IPv6, and the words say so; an instance that only goes out needs nothing;
* an instance without IPv6 gets what it lacks, in order: the VPC's Amazon /56, the subnet's first free
  /64, then one address (``assign_ipv6_addresses``); the /56 a new block gets is known ahead, since the
  pool is deterministic (``LabState._next_ipv6_block``);
* Block Public Access is answered with one exclusion for the subnet whose traffic meets the gateway
  (the instance's, or the NAT gateway's for NAT traffic), ``allow-egress`` where outbound is enough
  and the mode honours it, else ``allow-bidirectional``; turning the mode off is never proposed: it
  is account-wide.
"""

from __future__ import annotations

from ..model.resources import (
    BlockPublicAccessMode,
    ExclusionMode,
    InstanceState,
)
from ..model.verbs_bpa import EXCLUSIONS_PER_ACCOUNT
from ..model.verbs_ipv6 import first_free_ipv6_subnet
from .fix_calls import Step, gateway_steps, own_table_steps
from .packets import Packet
from .rules import security_groups_allow

ANYWHERE_V6 = "::/0"


def _holder(lab, address):
    for instance in lab.instances.values():
        if instance.state is not InstanceState.TERMINATED and address in instance.ipv6_addresses:
            return instance
    return None


# ---- the egress-only gateway met by a connection from the internet ------------------------------------------
def _egress_only(lab, values: dict, packet: Packet, on_return: bool):
    """Inbound over IPv6 meets the egress-only gateway: the VPC has no internet gateway, or the reply is
    routed to the egress-only one. A server is moved to the internet gateway; the words say what that means."""
    inbound = packet.reply() if on_return else packet  # the connection as the internet opened it
    instance = _holder(lab, inbound.destination)
    if instance is None:
        return "eigw_no_inbound", values, ()
    subnet, vpc = instance.subnet, instance.vpc
    table = lab.route_table_of(subnet)
    route = table.lookup(inbound.source)  # the route the reply takes back to the client
    steps, gateway = gateway_steps(lab, vpc)
    destination = str(route.destination) if route is not None else ANYWHERE_V6
    values.update(
        instance_id=instance.id,
        subnet_id=subnet.id,
        route_table_id=table.id,
        route_destination=destination,
        igw_id=gateway if isinstance(gateway, str) else "",
    )
    if table.main:
        own = own_table_steps(lab, subnet, destination, gateway, len(steps))
        if own is None:  # the main table holds a route no call can recreate: words only
            return "eigw_no_inbound", values, ()
        steps += own
        key = "eigw_own_table"
    elif route is None:
        steps.append(Step("create_route", (table.id, destination, gateway)))
        key = "eigw_replace_route"
    else:
        steps.append(Step("replace_route", (table.id, destination, gateway)))
        key = "eigw_replace_route"
    if vpc.internet_gateway is None:
        key = "eigw_attach_gateway"
    if security_groups_allow(lab, instance.security_groups, inbound, egress=False) is None:
        # What the next analysis would stop at: the server's group has no inbound rule for it.
        port = inbound.destination_port
        cidr = f"{inbound.source}/{inbound.source.max_prefixlen}"
        group = instance.security_groups[0].id
        steps.append(Step("authorize_security_group_ingress", (group, inbound.protocol.value, port), {"cidr": cidr}))
    return key, values, tuple(steps)


# ---- an instance without an IPv6 address --------------------------------------------------------------------
def _ipv6_address(lab, values: dict, packet: Packet, on_return: bool):
    instance = lab.instances[values["instance_id"]]
    if instance.state is InstanceState.TERMINATED:
        return "replace_terminated", values, ()
    subnet, vpc = instance.subnet, instance.vpc
    steps: list[Step] = []
    blocks = list(vpc.ipv6_cidr_blocks)
    if not blocks:
        steps.append(Step("associate_vpc_cidr_block", (vpc.id,), {"amazon_provided_ipv6": True}))
        blocks = [lab._next_ipv6_block(vpc)]  # the block that call will get: the pool is deterministic
    if subnet.ipv6_cidr_block is None:
        free = first_free_ipv6_subnet(lab, vpc, blocks)
        if free is None:  # every /64 of the VPC's blocks is taken: a new block is the learner's choice
            return "add_ipv6_block", values, ()
        steps.append(Step("associate_subnet_cidr_block", (subnet.id, str(free))))
        values["ipv6_cidr"] = str(free)
    steps.append(Step("assign_ipv6_addresses", (instance.id,), {"ipv6_address_count": 1}))
    values["vpc_id"] = vpc.id
    key = "assign_ipv6" if len(steps) == 1 else ("ipv6_subnet_block" if len(steps) == 2 else "ipv6_vpc_block")
    return key, values, tuple(steps)


# ---- Block Public Access ------------------------------------------------------------------------------------
def _block_public_access(lab, values: dict, packet: Packet, on_return: bool, inbound: bool):
    subnet = lab.subnets[values["subnet_id"]]
    mode = lab.block_public_access_of(subnet.vpc).internet_gateway_block_mode  # its own Region's
    # allow-egress "only applies when VPC Block Public Access is set to Bidirectional" (fact sheet §14.2).
    outbound_enough = not inbound and mode is BlockPublicAccessMode.BLOCK_BIDIRECTIONAL
    needed = ExclusionMode.ALLOW_EGRESS if outbound_enough else ExclusionMode.ALLOW_BIDIRECTIONAL
    values["exclusion_mode"] = needed.value
    nat_subnet = not inbound and _sender_subnet(lab, packet) not in (None, subnet)
    own = next((e for e in lab.block_public_access_exclusions.values() if e.subnet is subnet), None)
    if own is not None:
        values["exclusion_id"] = own.id
        step = Step("modify_vpc_block_public_access_exclusion", (own.id, needed.value))
        return "bpa_modify_exclusion", values, (step,)
    if len(lab.block_public_access_exclusions) >= EXCLUSIONS_PER_ACCOUNT:
        return ("bpa_inbound" if inbound else "bpa_outbound"), values, ()
    step = Step("create_vpc_block_public_access_exclusion", (), {"subnet": subnet.id, "mode": needed.value})
    return ("bpa_exclude_nat_subnet" if nat_subnet else "bpa_exclude_subnet"), values, (step,)


def _sender_subnet(lab, packet: Packet):
    """The subnet of the instance that sent ``packet`` (by its own address), if the lab has one."""
    for instance in lab.instances.values():
        if packet.source == instance.private_ip or packet.source in instance.ipv6_addresses:
            return instance.subnet
    return None


KEYS = (
    "eigw_replace_route",
    "eigw_own_table",
    "eigw_attach_gateway",
    "assign_ipv6",
    "ipv6_subnet_block",
    "ipv6_vpc_block",
    "bpa_exclude_subnet",
    "bpa_exclude_nat_subnet",
    "bpa_modify_exclusion",
)

HANDLERS = {
    "eigw_no_inbound": _egress_only,
    "assign_ipv6": _ipv6_address,
    "add_ipv6_block": _ipv6_address,
    "bpa_inbound": lambda lab, v, p, r: _block_public_access(lab, v, p, r, inbound=True),
    "bpa_outbound": lambda lab, v, p, r: _block_public_access(lab, v, p, r, inbound=False),
}
