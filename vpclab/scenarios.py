"""Ready-made labs for the lessons and exercises: a working classroom VPC, and broken ones to repair.

    s = vpclab.scenarios.broken("no_route")
    s.lab.analyze("internet", s.web, port=80)      # what blocks it?
    s.describe()                                   # the situation, in the chosen language

Every scenario is built with the public verbs only, so its ids and addresses are the same on every run.
Used by lesson 07 (troubleshooting) and by the exercises.
"""

from __future__ import annotations

from .lab import Lab
from .model.errors import InvalidParameterError
from .model.i18n import tr

BROKEN = (
    "no_route",
    "detached_gateway",
    "no_public_ip",
    "security_group",
    "network_acl",
    "no_ephemeral_ports",
    "private_with_eip",
    "several",
)


class Scenario:
    """A lab and the resources a learner works with, as attributes (``s.lab``, ``s.web``, ``s.public_rt`` …)."""

    def __init__(self, name: str, lab: Lab, **resources) -> None:
        self.name, self.lab = name, lab
        self.__dict__.update(resources)

    def describe(self, lang: str | None = None) -> str:
        return tr(f"scenario.{self.name}", lang)

    def __repr__(self) -> str:
        return f"Scenario({self.name!r})"

    def _repr_html_(self) -> str:
        from html import escape

        return f"<p>{escape(self.describe())}</p>" + self.lab._repr_html_()


def classroom(nat: bool = True) -> Scenario:
    """The working classroom VPC: a web server in a public subnet, an app server behind a NAT gateway."""
    lab = Lab()
    vpc = lab.create_vpc("10.0.0.0/16", name="lab-vpc")
    public = lab.create_subnet(vpc, "10.0.1.0/24", name="public-a")
    private = lab.create_subnet(vpc, "10.0.2.0/24", name="private-a")
    igw = lab.create_internet_gateway(name="lab-igw")
    lab.attach_internet_gateway(igw, vpc)
    public_rt = lab.create_route_table(vpc, name="public-rt")
    lab.create_route(public_rt, "0.0.0.0/0", igw)
    lab.associate_route_table(public_rt, public)
    web_sg = lab.create_security_group(vpc, "web", "HTTP and HTTPS from anywhere")
    lab.authorize_security_group_ingress(web_sg, "tcp", 80, cidr="0.0.0.0/0")
    lab.authorize_security_group_ingress(web_sg, "tcp", 443, cidr="0.0.0.0/0")
    web = lab.run_instance(public, name="web", security_groups=[web_sg])
    web_eip = lab.allocate_address(name="web-eip")
    lab.associate_address(web_eip, web)
    app = lab.run_instance(private, name="app")
    resources = dict(
        vpc=vpc,
        public=public,
        private=private,
        igw=igw,
        public_rt=public_rt,
        web_sg=web_sg,
        web=web,
        web_eip=web_eip,
        app=app,
        acl=vpc.default_network_acl,
    )
    if nat:
        nat_eip = lab.allocate_address(name="nat-eip")
        nat_gateway = lab.create_nat_gateway(public, nat_eip, name="nat-a")
        private_rt = lab.create_route_table(vpc, name="private-rt")
        lab.create_route(private_rt, "0.0.0.0/0", nat_gateway)
        lab.associate_route_table(private_rt, private)
        resources.update(nat_eip=nat_eip, nat=nat_gateway, private_rt=private_rt)
    return Scenario("classroom", lab, **resources)


def broken(name: str) -> Scenario:
    """A classroom VPC with a fault to find with ``analyze`` and repair (see ``BROKEN``)."""
    if name not in BROKEN:
        raise InvalidParameterError(
            "InvalidParameterValue", "InvalidParameterValue:scenario", value=name, scenarios=", ".join(BROKEN)
        )
    s = classroom(nat=name == "private_with_eip")
    s.name = name  # describe() tells this scenario's story, not the classroom's
    lab = s.lab
    if name in ("no_route", "several"):
        lab.delete_route(s.public_rt, "0.0.0.0/0")
    if name == "detached_gateway":
        lab.disassociate_address(s.web_eip)
        lab.release_address(s.web_eip)
        lab.detach_internet_gateway(s.igw, s.vpc)  # allowed now: no public address is mapped
    if name == "no_public_ip":
        lab.disassociate_address(s.web_eip)
        lab.release_address(s.web_eip)
    if name in ("security_group", "several"):
        lab.revoke_security_group_ingress(s.web_sg, "tcp", 80, cidr="0.0.0.0/0")
        lab.authorize_security_group_ingress(s.web_sg, "tcp", 8080, cidr="0.0.0.0/0")
    if name in ("network_acl", "no_ephemeral_ports", "several"):
        acl = lab.create_network_acl(s.vpc, name="web-acl")
        if name == "network_acl":  # HTTPS only: port 80 meets the "*" deny on the way in
            lab.create_network_acl_entry(acl, 100, False, "tcp", 443, "0.0.0.0/0", "allow")
            lab.create_network_acl_entry(acl, 100, True, "tcp", (1024, 65535), "0.0.0.0/0", "allow")
        else:  # the classic mistake: replies allowed only to the web ports, not to the clients' ephemeral ports
            for number, port in ((100, 80), (110, 443)):
                lab.create_network_acl_entry(acl, number, False, "tcp", port, "0.0.0.0/0", "allow")
                lab.create_network_acl_entry(acl, number, True, "tcp", port, "0.0.0.0/0", "allow")
        lab.replace_network_acl_association(acl, s.public)
        s.web_acl = acl
    if name == "private_with_eip":
        lab.modify_instance_security_groups(s.app, [s.web_sg])
        eip = lab.allocate_address(name="app-eip")
        lab.associate_address(eip, s.app)
        s.app_eip = eip
    return s
