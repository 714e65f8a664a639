"""Shared scenarios for the model tests, each fixture named after the network it builds.

Every fixture returns a ``SimpleNamespace`` holding the lab and the resources a test may need, so a
test reads like the lesson it checks: ``public_web_vpc.web.public_ip``.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

import vpclab
from vpclab.model.invariants import problems


def assert_unchanged(lab, fn, code):
    """Call ``fn``; it must raise ``VpcLabError`` with AWS ``code`` and leave the lab as it was.

    "As it was" means ``lab.to_json()`` byte-identical before and after the failed call, and the
    lab's invariants still holding (they also cover links that the saved form does not show).

    Returns:
        The error, for further checks.
    """
    before = lab.to_json()
    with pytest.raises(vpclab.VpcLabError) as caught:
        fn()
    assert caught.value.code == code
    assert lab.to_json() == before
    assert problems(lab) == []
    return caught.value


@pytest.fixture(autouse=True)
def english_after_each_test():
    """A test may switch to Korean; the next one starts in English again."""
    yield
    vpclab.set_language("en")


@pytest.fixture
def lab():
    """An empty lab in the default Region."""
    return vpclab.Lab()


@pytest.fixture
def vpc_lab(lab):
    """A lab with one VPC, 10.0.0.0/16, and nothing in it."""
    vpc = lab.create_vpc("10.0.0.0/16", name="lab-vpc")
    return SimpleNamespace(lab=lab, vpc=vpc)


@pytest.fixture
def public_web_vpc(vpc_lab):
    """The classic public web server.

    VPC 10.0.0.0/16 with an attached gateway; public subnet 10.0.1.0/24 with its own route table
    (0.0.0.0/0 -> gateway); private subnet 10.0.2.0/24 on the main table; a ``web`` instance in the
    public subnet with an Elastic IP and a ``web`` security group allowing tcp 80 and 443 from
    anywhere.
    """
    lab, vpc = vpc_lab.lab, vpc_lab.vpc
    igw = lab.create_internet_gateway(name="igw")
    lab.attach_internet_gateway(igw, vpc)
    public = lab.create_subnet(vpc, "10.0.1.0/24", name="public")
    private = lab.create_subnet(vpc, "10.0.2.0/24", name="private")
    public_rt = lab.create_route_table(vpc, name="public-rt")
    lab.create_route(public_rt, "0.0.0.0/0", igw)
    public_association = lab.associate_route_table(public_rt, public)
    web_sg = lab.create_security_group(vpc, "web", "HTTP and HTTPS from anywhere")
    lab.authorize_security_group_ingress(web_sg, "tcp", 80, cidr="0.0.0.0/0")
    lab.authorize_security_group_ingress(web_sg, "tcp", 443, cidr="0.0.0.0/0")
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
        public_association=public_association,
        web_sg=web_sg,
        web=web,
        eip=eip,
    )


@pytest.fixture
def private_app_behind_nat(public_web_vpc):
    """``public_web_vpc`` plus a NAT gateway in the public subnet, a private route table
    (0.0.0.0/0 -> NAT gateway) for the private subnet, and an ``app`` instance there."""
    s = public_web_vpc
    lab = s.lab
    nat_eip = lab.allocate_address(name="nat-eip")
    nat = lab.create_nat_gateway(s.public, nat_eip, name="nat")
    private_rt = lab.create_route_table(s.vpc, name="private-rt")
    lab.create_route(private_rt, "0.0.0.0/0", nat)
    private_association = lab.associate_route_table(private_rt, s.private)
    app = lab.run_instance(s.private, name="app")
    return SimpleNamespace(
        **vars(s),
        nat_eip=nat_eip,
        nat=nat,
        private_rt=private_rt,
        private_association=private_association,
        app=app,
    )


def network_state(lab) -> dict:
    """The saved lab without its action history: what a no-op call must leave unchanged."""
    data = json.loads(lab.to_json())
    data.pop("history")
    return data
