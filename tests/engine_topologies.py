"""Small networks for the engine tests, each built through the public API and named after what it shows.

Every builder returns a ``SimpleNamespace`` holding the lab and the resources a question may name
(``t.web``, ``t.public_rt``, ``t.acl`` ...). Addresses on the internet side come from the
documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24): for a VPC they are ordinary
internet hosts.
"""

from __future__ import annotations

from types import SimpleNamespace

import vpclab

ADMIN_CIDR = "203.0.113.0/24"
CLIENT = "198.51.100.20"


# ---- building blocks ------------------------------------------------------------------------------
def _vpc(lab, cidr: str = "10.0.0.0/16", gateway: bool = True, name: str = "lab-vpc"):
    vpc = lab.create_vpc(cidr, name=name)
    igw = None
    if gateway:
        igw = lab.create_internet_gateway(name=f"{name}-igw")
        lab.attach_internet_gateway(igw, vpc)
    return vpc, igw


def _public_subnet(lab, vpc, igw, cidr: str = "10.0.1.0/24", name: str = "public"):
    subnet = lab.create_subnet(vpc, cidr, name=name)
    table = lab.create_route_table(vpc, name=f"{name}-rt")
    lab.create_route(table, "0.0.0.0/0", igw)
    lab.associate_route_table(table, subnet)
    return subnet, table


def _web_group(lab, vpc, name: str = "web"):
    group = lab.create_security_group(vpc, name, "HTTP and HTTPS from anywhere")
    lab.authorize_security_group_ingress(group, "tcp", 80, cidr="0.0.0.0/0")
    lab.authorize_security_group_ingress(group, "tcp", 443, cidr="0.0.0.0/0")
    return group


def _open_acl(lab, vpc, subnet):
    """A custom ACL for ``subnet`` with no entries yet: it denies everything until rules are added."""
    acl = lab.create_network_acl(vpc)
    lab.replace_network_acl_association(acl, subnet)
    return acl


# ---- the classroom ----------------------------------------------------------------------------------
def public_web():
    """The classic public web server.

    VPC 10.0.0.0/16 with an attached gateway; public subnet 10.0.1.0/24 with its own table
    (0.0.0.0/0 → gateway); private subnet 10.0.2.0/24 on the main table (local only); ``web`` in the
    public subnet with an Elastic IP and a group allowing tcp 80 and 443 from anywhere (egress: all).
    """
    lab = vpclab.Lab()
    vpc, igw = _vpc(lab)
    public, public_rt = _public_subnet(lab, vpc, igw)
    private = lab.create_subnet(vpc, "10.0.2.0/24", name="private")
    web_sg = _web_group(lab, vpc)
    web = lab.run_instance(public, name="web", security_groups=[web_sg])
    eip = lab.allocate_address(name="web-eip")
    lab.associate_address(eip, web)
    return SimpleNamespace(
        lab=lab,
        vpc=vpc,
        igw=igw,
        public=public,
        private=private,
        public_rt=public_rt,
        main_rt=lab.main_route_table(vpc),
        acl=lab.default_network_acl(vpc),
        web_sg=web_sg,
        web=web,
        eip=eip,
    )


def private_app_behind_nat():
    """``public_web`` plus a NAT gateway in the public subnet, a private table (0.0.0.0/0 → NAT) for
    the private subnet, and ``app`` there (no public IP) in a group that admits ``web``'s group on 8080."""
    t = public_web()
    lab = t.lab
    t.nat_eip = lab.allocate_address(name="nat-eip")
    t.nat = lab.create_nat_gateway(t.public, t.nat_eip, name="nat")
    t.private_rt = lab.create_route_table(t.vpc, name="private-rt")
    lab.create_route(t.private_rt, "0.0.0.0/0", t.nat)
    lab.associate_route_table(t.private_rt, t.private)
    t.app_sg = lab.create_security_group(t.vpc, "app", "8080 from the web tier")
    lab.authorize_security_group_ingress(t.app_sg, "tcp", 8080, source_group=t.web_sg)
    t.app = lab.run_instance(t.private, name="app", security_groups=[t.app_sg])
    return t


def nat_with_acls():
    """``private_app_behind_nat`` where each subnet has its own custom ACL (``public_acl``,
    ``private_acl``) with the rules a NAT set-up needs; tests then remove or narrow one."""
    t = private_app_behind_nat()
    lab = t.lab
    t.public_acl = _open_acl(lab, t.vpc, t.public)
    t.private_acl = _open_acl(lab, t.vpc, t.private)
    for acl in (t.public_acl, t.private_acl):
        lab.create_network_acl_entry(acl, 100, False, "-1", None, "0.0.0.0/0", "allow")
        lab.create_network_acl_entry(acl, 100, True, "-1", None, "0.0.0.0/0", "allow")
    return t


def nat_acl_blocks_private_subnet():
    """The NAT gateway's subnet ACL denies requests coming from the private subnet."""
    t = nat_with_acls()
    t.lab.create_network_acl_entry(t.public_acl, 50, False, "-1", None, "10.0.2.0/24", "deny")
    return t


def nat_acl_blocks_internet_replies():
    """The NAT gateway's subnet ACL admits only the VPC inbound: replies from the internet to the
    NAT gateway's ports (1024-65535) are dropped."""
    t = nat_with_acls()
    lab = t.lab
    lab.delete_network_acl_entry(t.public_acl, 100, False)
    lab.create_network_acl_entry(t.public_acl, 100, False, "-1", None, "10.0.0.0/16", "allow")
    return t


def nat_acl_blocks_outbound_to_internet():
    """The NAT gateway's subnet ACL lets traffic out only inside the VPC."""
    t = nat_with_acls()
    lab = t.lab
    lab.delete_network_acl_entry(t.public_acl, 100, True)
    lab.create_network_acl_entry(t.public_acl, 100, True, "-1", None, "10.0.0.0/16", "allow")
    return t


def nat_acl_blocks_reply_to_app():
    """The private subnet's ACL admits only tcp 8080 from the VPC: the reply from the internet,
    translated back by the NAT gateway, arrives on ``app``'s ephemeral port and is dropped."""
    t = nat_with_acls()
    lab = t.lab
    lab.delete_network_acl_entry(t.private_acl, 100, False)
    lab.create_network_acl_entry(t.private_acl, 100, False, "tcp", 8080, "10.0.0.0/16", "allow")
    return t


def nat_in_private_subnet():
    """The NAT gateway sits in a subnet whose table has no route to the internet gateway."""
    lab = vpclab.Lab()
    vpc, igw = _vpc(lab)
    _public_subnet(lab, vpc, igw)
    nat_home = lab.create_subnet(vpc, "10.0.3.0/24", name="nat-home")  # main table: local only
    private = lab.create_subnet(vpc, "10.0.2.0/24", name="private")
    nat = lab.create_nat_gateway(nat_home, lab.allocate_address(), name="nat")
    private_rt = lab.create_route_table(vpc, name="private-rt")
    lab.create_route(private_rt, "0.0.0.0/0", nat)
    lab.associate_route_table(private_rt, private)
    app = lab.run_instance(private, name="app")
    return SimpleNamespace(lab=lab, vpc=vpc, igw=igw, nat=nat, app=app, main_rt=lab.main_route_table(vpc))


def failed_nat():
    """A NAT gateway created in a VPC without an internet gateway is ``failed``; its route is a blackhole."""
    lab = vpclab.Lab()
    vpc, _ = _vpc(lab, gateway=False)
    home = lab.create_subnet(vpc, "10.0.1.0/24", name="home")
    private = lab.create_subnet(vpc, "10.0.2.0/24", name="private")
    nat = lab.create_nat_gateway(home, lab.allocate_address(), name="nat")
    private_rt = lab.create_route_table(vpc, name="private-rt")
    lab.create_route(private_rt, "0.0.0.0/0", nat)
    lab.associate_route_table(private_rt, private)
    app = lab.run_instance(private, name="app")
    return SimpleNamespace(lab=lab, vpc=vpc, nat=nat, app=app, private_rt=private_rt)


def deleted_nat():
    """``private_app_behind_nat`` after ``delete_nat_gateway``: the private table's 0.0.0.0/0 is a blackhole."""
    t = private_app_behind_nat()
    t.lab.delete_nat_gateway(t.nat)
    return t


# ---- inbound variations -----------------------------------------------------------------------------
def admin_ssh():
    """``public_web`` whose group also allows SSH, but only from the admin network 203.0.113.0/24."""
    t = public_web()
    t.lab.authorize_security_group_ingress(t.web_sg, "tcp", 22, cidr=ADMIN_CIDR)
    return t


def custom_port_only():
    """A server whose group allows only tcp 8080 from anywhere (``port=None`` must find it)."""
    t = public_web()
    lab = t.lab
    t.alt_sg = lab.create_security_group(t.vpc, "alt", "8080 only")
    lab.authorize_security_group_ingress(t.alt_sg, "tcp", 8080, cidr="0.0.0.0/0")
    t.alt = lab.run_instance(t.public, name="alt", security_groups=[t.alt_sg], associate_public_ip=True)
    return t


def port_range_and_udp():
    """``web`` also allows tcp 8000-8100 and udp 53 from anywhere."""
    t = public_web()
    t.lab.authorize_security_group_ingress(t.web_sg, "tcp", (8000, 8100), cidr="0.0.0.0/0")
    t.lab.authorize_security_group_ingress(t.web_sg, "udp", 53, cidr="0.0.0.0/0")
    return t


def ping_allowed():
    """``web`` also answers ICMP echo requests (type 8) from anywhere."""
    t = public_web()
    t.lab.authorize_security_group_ingress(t.web_sg, "icmp", 8, cidr="0.0.0.0/0")
    return t


def ping_blocked_by_acl():
    """``ping_allowed`` with a custom ACL on the public subnet that allows tcp and udp only."""
    t = ping_allowed()
    lab = t.lab
    t.public_acl = _open_acl(lab, t.vpc, t.public)
    for egress in (False, True):
        lab.create_network_acl_entry(t.public_acl, 100, egress, "tcp", None, "0.0.0.0/0", "allow")
        lab.create_network_acl_entry(t.public_acl, 110, egress, "udp", None, "0.0.0.0/0", "allow")
    return t


def all_protocols_open():
    """A server whose group allows every protocol (``-1``) from anywhere."""
    t = public_web()
    lab = t.lab
    t.any_sg = lab.create_security_group(t.vpc, "any", "everything")
    lab.authorize_security_group_ingress(t.any_sg, "-1", None, cidr="0.0.0.0/0")
    t.any = lab.run_instance(t.public, name="any", security_groups=[t.any_sg], associate_public_ip=True)
    return t


def no_inbound_rules():
    """An instance with a public IP in a group that has no inbound rules (a new group)."""
    t = public_web()
    lab = t.lab
    t.bare_sg = lab.create_security_group(t.vpc, "bare", "no rules")
    t.bare = lab.run_instance(t.public, name="bare", security_groups=[t.bare_sg], associate_public_ip=True)
    return t


def no_outbound_rules():
    """``web`` whose group lost its only outbound rule (all traffic to 0.0.0.0/0)."""
    t = public_web()
    t.lab.revoke_security_group_egress(t.web_sg, "-1", None, cidr="0.0.0.0/0")
    return t


def https_only_outbound():
    """``web`` may open only tcp 443 to the internet."""
    t = no_outbound_rules()
    t.lab.authorize_security_group_egress(t.web_sg, "tcp", 443, cidr="0.0.0.0/0")
    return t


def outbound_to_one_network():
    """``web`` may talk only to 192.0.2.0/24 ("internet" as destination must find an address there)."""
    t = no_outbound_rules()
    t.lab.authorize_security_group_egress(t.web_sg, "-1", None, cidr="192.0.2.0/24")
    return t


def acl_denies_a_client_network():
    """The public subnet's ACL: rule 50 denies tcp 80 from 198.51.100.0/24, rule 100 allows all."""
    t = public_web()
    lab = t.lab
    t.public_acl = _open_acl(lab, t.vpc, t.public)
    lab.create_network_acl_entry(t.public_acl, 50, False, "tcp", 80, "198.51.100.0/24", "deny")
    for egress in (False, True):
        lab.create_network_acl_entry(t.public_acl, 100, egress, "-1", None, "0.0.0.0/0", "allow")
    return t


def _reply_ports_acl(first: int, last: int):
    t = public_web()
    lab = t.lab
    t.public_acl = _open_acl(lab, t.vpc, t.public)
    lab.create_network_acl_entry(t.public_acl, 100, False, "tcp", 80, "0.0.0.0/0", "allow")
    lab.create_network_acl_entry(t.public_acl, 100, True, "tcp", (first, last), "0.0.0.0/0", "allow")
    return t


def acl_replies_to_windows_clients_only():
    """The public ACL lets replies out only to Windows clients' ephemeral ports, 49152-65535."""
    return _reply_ports_acl(49152, 65535)


def acl_replies_to_linux_clients_only():
    """The public ACL lets replies out only to Linux clients' ephemeral ports, 32768-60999."""
    return _reply_ports_acl(32768, 60999)


def acl_replies_to_all_ephemeral_ports():
    """The public ACL lets replies out to 1024-65535, AWS's advice."""
    return _reply_ports_acl(1024, 65535)


def acl_inbound_web_only():
    """The public ACL admits only tcp 80 and 443 inbound (out: all): replies to ``web``'s own
    outbound connections, which arrive on its ephemeral port, are dropped."""
    t = public_web()
    lab = t.lab
    t.public_acl = _open_acl(lab, t.vpc, t.public)
    lab.create_network_acl_entry(t.public_acl, 100, False, "tcp", 80, "0.0.0.0/0", "allow")
    lab.create_network_acl_entry(t.public_acl, 110, False, "tcp", 443, "0.0.0.0/0", "allow")
    lab.create_network_acl_entry(t.public_acl, 100, True, "-1", None, "0.0.0.0/0", "allow")
    return t


def acl_outbound_denies_https():
    """The public ACL denies tcp 443 outbound (rule 50) and allows everything else."""
    t = public_web()
    lab = t.lab
    t.public_acl = _open_acl(lab, t.vpc, t.public)
    lab.create_network_acl_entry(t.public_acl, 50, True, "tcp", 443, "0.0.0.0/0", "deny")
    for egress in (False, True):
        lab.create_network_acl_entry(t.public_acl, 100, egress, "-1", None, "0.0.0.0/0", "allow")
    return t


# ---- addresses and states ---------------------------------------------------------------------------
def no_public_ip():
    """``web`` plus ``plain``: in the public subnet, same group, but launched without a public IP."""
    t = public_web()
    t.plain = t.lab.run_instance(t.public, name="plain", security_groups=[t.web_sg], associate_public_ip=False)
    return t


def released_public_ip():
    """``auto`` got an auto-assigned public IP at launch, then stopped and started: the first address
    (``t.old_ip``) went back to Amazon and it now has a new one."""
    t = public_web()
    lab = t.lab
    t.auto = lab.run_instance(t.public, name="auto", security_groups=[t.web_sg], associate_public_ip=True)
    t.old_ip = str(t.auto.public_ip)
    lab.stop_instance(t.auto)
    lab.start_instance(t.auto)
    return t


def stopped_instances():
    """``web`` (Elastic IP, keeps it) and ``auto`` (auto-assigned IP, loses it) both stopped; ``peer``
    runs in the private subnet with the default group."""
    t = public_web()
    lab = t.lab
    t.auto = lab.run_instance(t.public, name="auto", security_groups=[t.web_sg], associate_public_ip=True)
    t.peer = lab.run_instance(t.private, name="peer", security_groups=[t.web_sg])
    lab.stop_instance(t.web)
    lab.stop_instance(t.auto)
    return t


def terminated_instance():
    """``gone`` had an auto-assigned public IP and was terminated."""
    t = public_web()
    t.gone = t.lab.run_instance(t.public, name="gone", security_groups=[t.web_sg], associate_public_ip=True)
    t.lab.terminate_instance(t.gone)
    return t


def no_gateway():
    """A VPC that never had an internet gateway; ``web`` was launched with a public IP anyway."""
    lab = vpclab.Lab()
    vpc, _ = _vpc(lab, gateway=False)
    subnet = lab.create_subnet(vpc, "10.0.1.0/24", name="subnet")
    web_sg = _web_group(lab, vpc)
    web = lab.run_instance(subnet, name="web", security_groups=[web_sg], associate_public_ip=True)
    return SimpleNamespace(lab=lab, vpc=vpc, subnet=subnet, web=web, main_rt=lab.main_route_table(vpc))


def detached_gateway():
    """The gateway was detached (allowed: no public address was mapped) and then deleted; the public
    table's 0.0.0.0/0 now points at nothing."""
    lab = vpclab.Lab()
    vpc, igw = _vpc(lab)
    public, public_rt = _public_subnet(lab, vpc, igw)
    web = lab.run_instance(public, name="web", security_groups=[_web_group(lab, vpc)])
    lab.detach_internet_gateway(igw, vpc)
    return SimpleNamespace(lab=lab, vpc=vpc, igw=igw, public=public, public_rt=public_rt, web=web)


def private_with_eip():
    """``db`` in the private subnet (main table: local only) with an Elastic IP: requests come in, the
    reply has no route out."""
    t = public_web()
    lab = t.lab
    t.db = lab.run_instance(t.private, name="db", security_groups=[t.web_sg])
    lab.associate_address(lab.allocate_address(name="db-eip"), t.db)
    return t


def private_with_eip_behind_nat():
    """``private_app_behind_nat`` where ``app`` also has an Elastic IP and a group open on tcp 80:
    the request comes in through the gateway, the reply would leave by the NAT gateway."""
    t = private_app_behind_nat()
    lab = t.lab
    lab.authorize_security_group_ingress(t.app_sg, "tcp", 80, cidr="0.0.0.0/0")
    lab.associate_address(lab.allocate_address(name="app-eip"), t.app)
    return t


# ---- routing ----------------------------------------------------------------------------------------
def blackhole_more_specific():
    """The public table also sends 203.0.113.0/24 to a NAT gateway that was deleted: that blackhole
    is more specific than the active 0.0.0.0/0 → gateway and wins (no fallback)."""
    t = public_web()
    lab = t.lab
    nat = lab.create_nat_gateway(t.private, lab.allocate_address(), name="gone-nat")
    lab.create_route(t.public_rt, "203.0.113.0/24", nat)
    lab.delete_nat_gateway(nat)
    t.gone_nat = nat
    return t


def appliance_route():
    """The public table sends 203.0.113.0/24 to ``appliance`` (an instance): vpclab cannot judge it.
    ``app`` lives in the private subnet, whose table sends 10.0.1.0/24 through the appliance too."""
    t = public_web()
    lab = t.lab
    t.appliance = lab.run_instance(t.public, name="appliance", security_groups=[t.web_sg])
    lab.create_route(t.public_rt, "203.0.113.0/24", t.appliance)
    t.private_rt = lab.create_route_table(t.vpc, name="private-rt")
    lab.create_route(t.private_rt, "10.0.1.0/24", t.appliance)
    lab.associate_route_table(t.private_rt, t.private)
    t.app = lab.run_instance(t.private, name="app", security_groups=[t.web_sg])
    return t


def main_table_public():
    """No custom table: the main table itself sends 0.0.0.0/0 to the gateway, and ``web``'s subnet
    has no explicit association (the main-table fallback)."""
    lab = vpclab.Lab()
    vpc, igw = _vpc(lab)
    main_rt = lab.main_route_table(vpc)
    lab.create_route(main_rt, "0.0.0.0/0", igw)
    subnet = lab.create_subnet(vpc, "10.0.1.0/24", name="implicit")
    web = lab.run_instance(subnet, name="web", security_groups=[_web_group(lab, vpc)], associate_public_ip=True)
    return SimpleNamespace(lab=lab, vpc=vpc, igw=igw, subnet=subnet, main_rt=main_rt, web=web)


def main_table_after_disassociation():
    """``public_web`` after the public subnet's explicit association is removed: it falls back to
    the main table, which has only the local route."""
    t = public_web()
    association = t.public.route_table_association
    t.lab.disassociate_route_table(association)
    return t


def secondary_cidr():
    """VPC 10.0.0.0/16 plus secondary 10.1.0.0/16; ``web`` in public subnet 10.1.1.0/24 (secondary),
    ``app`` in 10.0.2.0/24 (primary) on the main table, both in a group that admits its own members."""
    lab = vpclab.Lab()
    vpc, igw = _vpc(lab)
    lab.associate_vpc_cidr_block(vpc, "10.1.0.0/16")
    public, public_rt = _public_subnet(lab, vpc, igw, cidr="10.1.1.0/24")
    primary = lab.create_subnet(vpc, "10.0.2.0/24", name="primary")
    web_sg = _web_group(lab, vpc)
    lab.authorize_security_group_ingress(web_sg, "-1", None, source_group=web_sg)
    web = lab.run_instance(public, name="web", security_groups=[web_sg], associate_public_ip=True)
    app = lab.run_instance(primary, name="app", security_groups=[web_sg])
    return SimpleNamespace(lab=lab, vpc=vpc, igw=igw, public=public, public_rt=public_rt, web=web, app=app)


# ---- inside the VPC -----------------------------------------------------------------------------------
def tiers():
    """``public_web`` plus ``app`` (private subnet, group ``app_sg`` admits ``web_sg`` on 8080) and
    ``web2`` (public subnet, auto public IP, group ``peer_sg`` that admits ``web_sg`` on 80 and the
    default group's members on everything)."""
    t = public_web()
    lab = t.lab
    t.app_sg = lab.create_security_group(t.vpc, "app", "8080 from the web tier")
    lab.authorize_security_group_ingress(t.app_sg, "tcp", 8080, source_group=t.web_sg)
    t.app = lab.run_instance(t.private, name="app", security_groups=[t.app_sg])
    t.peer_sg = lab.create_security_group(t.vpc, "peer", "80 from web_sg members")
    lab.authorize_security_group_ingress(t.peer_sg, "tcp", 80, source_group=t.web_sg)
    t.web2 = lab.run_instance(t.public, name="web2", security_groups=[t.peer_sg], associate_public_ip=True)
    t.default_sg = lab.default_security_group(t.vpc)
    t.d1 = lab.run_instance(t.public, name="d1")
    t.d2 = lab.run_instance(t.private, name="d2")
    return t


def tiers_behind_deny_all_acls():
    """``tiers`` with both subnets on one custom ACL that has no entries (it denies everything)."""
    t = tiers()
    t.deny_acl = _open_acl(t.lab, t.vpc, t.public)
    t.lab.replace_network_acl_association(t.deny_acl, t.private)
    t.web3 = t.lab.run_instance(t.public, name="web3", security_groups=[t.peer_sg])
    return t


def hairpin_by_address():
    """``tiers`` where ``peer_sg`` also admits ``web``'s Elastic IP on 8443: hairpin traffic shows
    the public source address."""
    t = tiers()
    t.lab.authorize_security_group_ingress(t.peer_sg, "tcp", 8443, cidr=f"{t.web.public_ip}/32")
    return t


def two_vpcs():
    """Two VPCs without peering: ``a`` in 10.0.0.0/16 (public subnet), ``b`` in 10.1.0.0/16
    (public subnet, auto public IP), both groups open to everything from 0.0.0.0/0."""
    lab = vpclab.Lab()
    members = {}
    for label, cidr in (("a", "10.0.0.0/16"), ("b", "10.1.0.0/16")):
        vpc, igw = _vpc(lab, cidr, name=f"vpc-{label}")
        subnet, _ = _public_subnet(lab, vpc, igw, cidr=cidr.replace("0.0/16", "1.0/24"), name=f"{label}-public")
        group = lab.create_security_group(vpc, f"open-{label}", "everything")
        lab.authorize_security_group_ingress(group, "-1", None, cidr="0.0.0.0/0")
        members[label] = lab.run_instance(subnet, name=label, security_groups=[group], associate_public_ip=True)
        members[f"vpc_{label}"] = vpc
        members[f"igw_{label}"] = igw
    return SimpleNamespace(lab=lab, **members)


def shared_address_space_vpc():
    """A VPC in RFC 6598 space (100.64.0.0/16) next to ``public_web``'s."""
    t = public_web()
    lab = t.lab
    vpc = lab.create_vpc("100.64.0.0/16", name="cgnat")
    subnet = lab.create_subnet(vpc, "100.64.1.0/24")
    t.far = lab.run_instance(subnet, name="far")
    return t


def nat_route_loop():
    """The NAT gateway lives in the private subnet, whose table sends 0.0.0.0/0 to that same NAT
    gateway: it has no route to the internet gateway."""
    lab = vpclab.Lab()
    vpc, igw = _vpc(lab)
    _public_subnet(lab, vpc, igw)
    private = lab.create_subnet(vpc, "10.0.2.0/24", name="private")
    nat = lab.create_nat_gateway(private, lab.allocate_address(), name="nat")
    private_rt = lab.create_route_table(vpc, name="private-rt")
    lab.create_route(private_rt, "0.0.0.0/0", nat)
    lab.associate_route_table(private_rt, private)
    app = lab.run_instance(private, name="app")
    return SimpleNamespace(lab=lab, vpc=vpc, igw=igw, nat=nat, app=app, private_rt=private_rt)


def nat_behind_appliance():
    """``private_app_behind_nat`` where the NAT gateway's subnet sends 0.0.0.0/0 to an appliance."""
    t = private_app_behind_nat()
    t.appliance = t.lab.run_instance(t.public, name="appliance", security_groups=[t.web_sg])
    t.lab.replace_route(t.public_rt, "0.0.0.0/0", t.appliance)
    return t


def overlapping_vpcs():
    """Two VPCs with the same CIDR, 10.0.0.0/16, no peering. Each has a public subnet 10.0.1.0/24
    (main table 0.0.0.0/0 → its gateway) and two instances open to everything: ``a1``/``a2`` in
    the first, ``b1``/``b2`` in the second, with the same private addresses 10.0.1.4 and 10.0.1.5."""
    lab = vpclab.Lab()
    found = {}
    for label in ("a", "b"):
        vpc, igw = _vpc(lab, name=f"vpc-{label}")
        lab.create_route(lab.main_route_table(vpc), "0.0.0.0/0", igw)
        subnet = lab.create_subnet(vpc, "10.0.1.0/24", name=f"{label}-public")
        group = lab.default_security_group(vpc)
        lab.authorize_security_group_ingress(group, "-1", None, cidr="0.0.0.0/0")
        for n in (1, 2):
            found[f"{label}{n}"] = lab.run_instance(subnet, name=f"{label}{n}", associate_public_ip=True)
    return SimpleNamespace(lab=lab, **found)


def admin_ssh_partly_denied():
    """``admin_ssh`` with a custom ACL on the public subnet: rule 50 denies tcp 22 from the lower half
    of the admin network (203.0.113.0/25), rule 100 allows everything both ways."""
    t = admin_ssh()
    lab = t.lab
    t.public_acl = _open_acl(lab, t.vpc, t.public)
    lab.create_network_acl_entry(t.public_acl, 50, False, "tcp", 22, "203.0.113.0/25", "deny")
    for egress in (False, True):
        lab.create_network_acl_entry(t.public_acl, 100, egress, "-1", None, "0.0.0.0/0", "allow")
    return t


def narrow_gateway_route():
    """A subnet whose only route to the gateway is 198.51.100.0/24 (still a public subnet), and one
    whose table only has a blackhole to a deleted NAT gateway (not public)."""
    lab = vpclab.Lab()
    vpc, igw = _vpc(lab)
    narrow = lab.create_subnet(vpc, "10.0.1.0/24", name="narrow")
    narrow_rt = lab.create_route_table(vpc, name="narrow-rt")
    lab.create_route(narrow_rt, "198.51.100.0/24", igw)
    lab.associate_route_table(narrow_rt, narrow)
    holed = lab.create_subnet(vpc, "10.0.2.0/24", name="holed")
    nat = lab.create_nat_gateway(narrow, lab.allocate_address(), name="nat")
    holed_rt = lab.create_route_table(vpc, name="holed-rt")
    lab.create_route(holed_rt, "0.0.0.0/0", nat)
    lab.associate_route_table(holed_rt, holed)
    lab.delete_nat_gateway(nat)
    return SimpleNamespace(lab=lab, vpc=vpc, igw=igw, narrow=narrow, holed=holed)
