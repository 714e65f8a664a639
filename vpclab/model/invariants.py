"""The lab's invariants, as one function the property tests and the loader share.

They hold after any sequence of calls, failed ones included: at most one gateway per VPC and one VPC
per gateway; every subnet with exactly one route table and one network ACL of its own VPC; a local
route for every VPC CIDR in every table; addresses in use exactly once.
"""

from __future__ import annotations

from .resources import LOCAL, InstanceState, NatGatewayState


def problems(lab) -> list[str]:
    """Every broken invariant, as a sentence; an empty list when the lab is sound."""
    found: list[str] = []
    for vpc in lab.vpcs.values():
        gateways = [g for g in lab.internet_gateways.values() if g.vpc is vpc]
        if len(gateways) > 1 or (gateways[:1] or [None])[0] is not vpc.internet_gateway:
            found.append(f"{vpc.id}: gateway attachment is not one-to-one")
        mains = [t for t in lab.route_tables.values() if t.vpc is vpc and t.main]
        if mains != [vpc.main_route_table]:
            found.append(f"{vpc.id}: expected exactly one main route table")
        for role in ("default_network_acl", "default_security_group"):
            if getattr(vpc, role) not in {**lab.network_acls, **lab.security_groups}.values():
                found.append(f"{vpc.id}: {role} missing")
        eigws = [g for g in lab.egress_only_internet_gateways.values() if g.vpc is vpc]
        if len(eigws) > 1 or (eigws[:1] or [None])[0] is not vpc.egress_only_internet_gateway:
            found.append(f"{vpc.id}: egress-only gateway attachment is not one-to-one")
    for table in lab.route_tables.values():
        for block in (*table.vpc.cidrs, *table.vpc.ipv6_cidr_blocks):
            route = table.routes.get(block)
            if route is None or route.target != LOCAL:
                found.append(f"{table.id}: no local route for {block}")
    for subnet in lab.subnets.values():
        explicit = [a for t in lab.route_tables.values() for a in t.associations if a.subnet is subnet]
        if len(explicit) > 1 or (explicit and explicit[0] is not subnet.route_table_association):
            found.append(f"{subnet.id}: {len(explicit)} explicit route table associations")
        if lab.route_table_of(subnet).vpc is not subnet.vpc:
            found.append(f"{subnet.id}: route table of another VPC")
        acl = subnet.network_acl
        if acl is None or acl.id not in lab.network_acls or acl.vpc is not subnet.vpc:
            found.append(f"{subnet.id}: network ACL missing or foreign")
        users = {
            i.private_ip: i.id
            for i in lab.instances.values()
            if i.subnet is subnet and i.state is not InstanceState.TERMINATED
        }
        users.update(
            {
                n.private_ip: n.id
                for n in lab.nat_gateways.values()
                if n.subnet is subnet and n.state is NatGatewayState.AVAILABLE
            }
        )
        users.update({n.private_ip: n.id for n in lab.network_interfaces.values() if n.subnet is subnet})
        if users != subnet.used_addresses:
            found.append(f"{subnet.id}: addresses in use do not match its instances and NAT gateways")
        holders = (*lab.instances.values(), *lab.network_interfaces.values())
        ipv6_users = {a: i.id for i in holders if i.subnet is subnet for a in i.ipv6_addresses}
        if ipv6_users != subnet.used_ipv6_addresses:
            found.append(f"{subnet.id}: IPv6 addresses in use do not match its instances and interfaces")
        block = subnet.ipv6_cidr_block
        if block is not None and not any(block.subnet_of(b) for b in subnet.vpc.ipv6_cidr_blocks):
            found.append(f"{subnet.id}: IPv6 block outside its VPC's")
        if subnet.assign_ipv6_address_on_creation and block is None:
            found.append(f"{subnet.id}: assigns IPv6 addresses without an IPv6 block")
    for exclusion in lab.block_public_access_exclusions.values():
        target = exclusion.resource
        if target is None or target not in (*lab.vpcs.values(), *lab.subnets.values()):
            found.append(f"{exclusion.id}: excludes a VPC or subnet that is gone")
    for eip in lab.elastic_ips.values():
        if eip.instance is not None and eip.instance.elastic_ip is not eip:
            found.append(f"{eip.id}: instance does not point back")
        if eip.nat_gateway is not None and eip.nat_gateway.elastic_ip is not eip:
            found.append(f"{eip.id}: NAT gateway does not point back")
        if eip.network_interface is not None and eip.network_interface.elastic_ip is not eip:
            found.append(f"{eip.id}: network interface does not point back")
    for interface in lab.network_interfaces.values():  # secondary interfaces (imported labs)
        owner = interface.instance
        if owner.id not in lab.instances or interface not in owner.interfaces or interface.vpc is not owner.vpc:
            found.append(f"{interface.id}: not a secondary interface of a live instance of its VPC")
    publics = [i.public_ip for i in lab.instances.values() if i.public_ip is not None]
    publics += [n.auto_public_ip for n in lab.network_interfaces.values() if n.auto_public_ip is not None]
    publics += [e.public_ip for e in lab.elastic_ips.values() if e.instance is None]
    if len(publics) != len(set(publics)):
        found.append("a public address is in use twice")
    return found
