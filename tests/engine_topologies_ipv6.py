"""Small IPv6 and Block Public Access networks for the engine tests (fact sheet §12–§14).

Each builder returns a ``SimpleNamespace`` like those of ``engine_topologies``; ``t.web6`` is an
instance's IPv6 address as text, so that the scenario table can name it. Internet hosts come from
the documentation ranges (2001:db8::/32 for IPv6).
"""

from __future__ import annotations

from types import SimpleNamespace

import engine_topologies as T

import vpclab

CLIENT6 = "2001:db8:5::20"


def dual_stack():
    """``private_app_behind_nat`` made dual-stack: the VPC has an Amazon /56; the public subnet's /64
    routes ::/0 to the internet gateway; the private subnet's routes ::/0 to an egress-only gateway.
    ``web`` (public, Elastic IP) and ``app`` (private) each have an IPv6 address; the web group admits
    tcp 80 and 443 from ::/0 as well, and the app group tcp 8080 from ::/0."""
    t = T.private_app_behind_nat()
    lab = t.lab
    lab.associate_vpc_cidr_block(t.vpc, amazon_provided_ipv6=True)
    blocks = list(t.vpc.ipv6_cidr_blocks[0].subnets(new_prefix=64))[:3]
    lab.associate_subnet_cidr_block(t.public, str(blocks[1]))
    lab.associate_subnet_cidr_block(t.private, str(blocks[2]))
    lab.create_route(t.public_rt, "::/0", t.igw)
    t.eigw = lab.create_egress_only_internet_gateway(t.vpc, name="eigw")
    lab.create_route(t.private_rt, "::/0", t.eigw)
    for port in (80, 443):
        lab.authorize_security_group_ingress(t.web_sg, "tcp", port, cidr="::/0")
    lab.authorize_security_group_ingress(t.app_sg, "tcp", 8080, cidr="::/0")
    t.web = _with_ipv6(lab, t.web)
    t.app = _with_ipv6(lab, t.app)
    t.web6, t.app6 = str(t.web.ipv6_addresses[0]), str(t.app.ipv6_addresses[0])
    t.unheld6 = str(blocks[1].network_address + 0x99)  # in web's /64, held by nothing
    t.plain = lab.run_instance(t.public, name="plain", security_groups=[t.web_sg])  # IPv4 only
    return t


def _with_ipv6(lab, instance):
    """The same role, relaunched with an IPv6 address (an address is given at launch)."""
    replacement = lab.run_instance(
        instance.subnet, name=instance.name, security_groups=list(instance.security_groups), ipv6_address_count=1
    )
    if instance.elastic_ip is not None:
        lab.associate_address(instance.elastic_ip, replacement, allow_reassociation=True)
    lab.terminate_instance(instance)
    return replacement


def ipv6_without_route():
    """``dual_stack`` where the public table has no IPv6 route: 0.0.0.0/0 does not carry IPv6."""
    t = dual_stack()
    t.lab.delete_route(t.public_rt, "::/0")
    return t


def ipv6_acl_ipv4_only():
    """``dual_stack`` with a custom ACL on the public subnet that allows all IPv4 both ways but no
    IPv6: the IPv6 ``*`` rule (32768) denies it."""
    t = dual_stack()
    t.acl6 = T._open_acl(t.lab, t.vpc, t.public)
    for egress in (False, True):
        t.lab.create_network_acl_entry(t.acl6, 100, egress, "-1", None, "0.0.0.0/0", "allow")
    return t


def ipv6_acl_no_ephemeral_return():
    """``dual_stack`` with a custom ACL on the private subnet: IPv6 out to 443 allowed, IPv6 in only
    on port 8080, so the replies to app's own connections (ephemeral ports) are dropped."""
    t = dual_stack()
    t.acl6 = T._open_acl(t.lab, t.vpc, t.private)
    t.lab.create_network_acl_entry(t.acl6, 100, True, "tcp", 443, "::/0", "allow")
    t.lab.create_network_acl_entry(t.acl6, 100, False, "tcp", 8080, "::/0", "allow")
    return t


def ipv6_group_ipv4_only():
    """``dual_stack`` where ``web``'s group admits tcp 80 from 0.0.0.0/0 only (not ::/0)."""
    t = dual_stack()
    t.lab.revoke_security_group_ingress(t.web_sg, "tcp", 80, cidr="::/0")
    return t


def ipv6_reply_via_egress_only():
    """``dual_stack`` where ``app``'s subnet also reaches the internet gateway for IPv4 only: an IPv6
    client reaching ``app`` through the internet gateway gets its reply routed to the egress-only gateway."""
    return dual_stack()


def egress_only_deleted():
    """``dual_stack`` after the egress-only gateway is deleted: ::/0 in the private table is a blackhole."""
    t = dual_stack()
    t.lab.delete_egress_only_internet_gateway(t.eigw)
    t.private_rt_id = t.private_rt.id
    return t


def egress_only_vpc():
    """A VPC with an egress-only gateway and no internet gateway; ``app`` (IPv6) in a subnet whose
    ::/0 goes to the egress-only gateway, in a group open to ::/0 on tcp 80."""
    lab = vpclab.Lab()
    vpc, _ = T._vpc(lab, gateway=False)
    lab.associate_vpc_cidr_block(vpc, amazon_provided_ipv6=True)
    block = list(vpc.ipv6_cidr_blocks[0].subnets(new_prefix=64))[2]
    subnet = lab.create_subnet(vpc, "10.0.2.0/24", ipv6_cidr=str(block))
    lab.modify_subnet_attribute(subnet, assign_ipv6_address_on_creation=True)
    eigw = lab.create_egress_only_internet_gateway(vpc)
    lab.create_route(lab.main_route_table(vpc), "::/0", eigw)
    group = lab.create_security_group(vpc, "app")
    lab.authorize_security_group_ingress(group, "tcp", 80, cidr="::/0")
    app = lab.run_instance(subnet, name="app", security_groups=[group])
    return SimpleNamespace(lab=lab, vpc=vpc, eigw=eigw, app=app, app6=str(app.ipv6_addresses[0]))


# ---- Block Public Access ----------------------------------------------------------------------------
def _bpa(mode, **exclusions):
    t = dual_stack()
    t.lab.modify_vpc_block_public_access_options(mode)
    for where, exclusion_mode in exclusions.items():
        target = {"vpc": {"vpc": t.vpc}, "public": {"subnet": t.public}, "private": {"subnet": t.private}}[where]
        t.lab.create_vpc_block_public_access_exclusion(**target, mode=exclusion_mode)
    return t


def bpa_bidirectional():
    """``dual_stack`` with Block Public Access in ``block-bidirectional`` mode, no exclusion."""
    return _bpa("block-bidirectional")


def bpa_bidirectional_public_allow_egress():
    """``block-bidirectional`` with the public subnet (web's and the NAT gateway's) excluded ``allow-egress``."""
    return _bpa("block-bidirectional", public="allow-egress")


def bpa_bidirectional_public_allow_all():
    """``block-bidirectional`` with the public subnet excluded ``allow-bidirectional``."""
    return _bpa("block-bidirectional", public="allow-bidirectional")


def bpa_bidirectional_vpc_allow_all_subnet_egress():
    """``block-bidirectional``; the VPC excluded ``allow-bidirectional``, the public subnet ``allow-egress``:
    the subnet's own exclusion wins (vpclab's choice where AWS is silent)."""
    return _bpa("block-bidirectional", vpc="allow-bidirectional", public="allow-egress")


def bpa_ingress():
    """``dual_stack`` with Block Public Access in ``block-ingress`` mode, no exclusion."""
    return _bpa("block-ingress")


def bpa_ingress_public_allow_egress():
    """``block-ingress`` with the public subnet excluded ``allow-egress``, which applies only in
    bidirectional mode: nothing changes."""
    return _bpa("block-ingress", public="allow-egress")


def bpa_off_with_exclusion():
    """Block Public Access ``off`` with an exclusion made in advance: nothing is blocked."""
    return _bpa("off", private="allow-egress")
