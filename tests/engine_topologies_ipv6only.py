"""IPv6-only subnets with DNS64 and NAT64 for the engine tests (fact sheet §12.1, §12.7).

``ipv6_only`` extends ``private_app_behind_nat`` (public subnet 10.0.1.0/24 with the NAT gateway and
``web``): the VPC gets an Amazon /56 and an IPv6-only subnet ``v6only`` (its own route table
``v6only_rt``: ``64:ff9b::/96 → nat``, DNS64 on) with ``worker`` in it. The other builders each take one
piece away or put one obstacle in. ``t.worker6`` is the worker's IPv6 address as text.
"""

from __future__ import annotations

import engine_topologies as T

UPDATES = "203.0.113.10"  # an IPv4-only update server on the internet
UPDATES64 = "64:ff9b::cb00:710a"  # what DNS64 makes of it


def ipv6_only():
    t = T.private_app_behind_nat()
    lab = t.lab
    lab.associate_vpc_cidr_block(t.vpc, amazon_provided_ipv6=True)
    block = list(t.vpc.ipv6_cidr_blocks[0].subnets(new_prefix=64))[5]
    t.v6only = lab.create_subnet(t.vpc, ipv6_cidr=str(block), ipv6_native=True, name="v6only")
    lab.modify_subnet_attribute(t.v6only, enable_dns64=True)
    t.v6only_rt = lab.create_route_table(t.vpc, name="v6only-rt")
    lab.create_route(t.v6only_rt, "64:ff9b::/96", t.nat)
    lab.associate_route_table(t.v6only_rt, t.v6only)
    t.worker_sg = lab.create_security_group(t.vpc, "worker", "outbound only")
    t.worker = lab.run_instance(t.v6only, name="worker", security_groups=[t.worker_sg])
    t.worker6 = str(t.worker.ipv6_addresses[0])
    return t


def without_dns64():
    t = ipv6_only()
    t.lab.modify_subnet_attribute(t.v6only, enable_dns64=False)
    return t


def without_nat64_route():
    t = ipv6_only()
    t.lab.delete_route(t.v6only_rt, "64:ff9b::/96")
    return t


def nat64_route_to_internet_gateway():
    """64:ff9b::/96 sent to the internet gateway: nothing translates it, and the internet does not route it."""
    t = without_nat64_route()
    t.lab.create_route(t.v6only_rt, "64:ff9b::/96", t.igw)
    return t


def on_the_main_table():
    """DNS64 on, but ``v6only`` uses the main route table (local routes only)."""
    t = without_nat64_route()
    t.lab.disassociate_route_table(t.v6only.route_table_association)
    return t


def nat_deleted():
    t = ipv6_only()
    t.lab.delete_nat_gateway(t.nat)
    t.lab.replace_route(t.private_rt, "0.0.0.0/0", t.igw)  # so no other NAT gateway stands ready
    return t


def nat_subnet_acl_without_ipv6():
    """The NAT gateway's subnet has a custom ACL allowing all IPv4 both ways and no IPv6: the worker's
    IPv6 packet is dropped by the ``*`` rule 32768 on its way in to the NAT gateway."""
    t = ipv6_only()
    t.nat_acl = T._open_acl(t.lab, t.vpc, t.public)
    for egress in (False, True):
        t.lab.create_network_acl_entry(t.nat_acl, 100, egress, "-1", None, "0.0.0.0/0", "allow")
    return t


def nat_subnet_acl_without_reply_ports():
    """The NAT subnet's ACL admits IPv6 both ways and IPv4 out, but IPv4 in only on 80 and 443: the
    reply to the NAT gateway's port (1024-65535) is dropped on the return path."""
    t = ipv6_only()
    t.nat_acl = T._open_acl(t.lab, t.vpc, t.public)
    for egress in (False, True):
        t.lab.create_network_acl_entry(t.nat_acl, 90, egress, "-1", None, "::/0", "allow")
    t.lab.create_network_acl_entry(t.nat_acl, 100, True, "-1", None, "0.0.0.0/0", "allow")
    t.lab.create_network_acl_entry(t.nat_acl, 100, False, "tcp", 80, "0.0.0.0/0", "allow")
    t.lab.create_network_acl_entry(t.nat_acl, 110, False, "tcp", 443, "0.0.0.0/0", "allow")
    return t


def worker_group_without_ipv6_egress():
    """The worker's group lets only IPv4 out: its IPv6 packet to 64:ff9b::… matches no rule."""
    t = ipv6_only()
    t.lab.revoke_security_group_egress(t.worker_sg, "-1", None, cidr="::/0")
    return t


def nat_subnet_blocked_by_bpa():
    t = ipv6_only()
    t.lab.modify_vpc_block_public_access_options("block-bidirectional")
    return t


def hairpin_to_web():
    """``ipv6_only`` where the worker's target is ``web``'s own Elastic IP (out and back in)."""
    return ipv6_only()
