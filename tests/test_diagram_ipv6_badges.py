"""An instance with IPv6 addresses carries its IPv6 answers in its box too: a private server behind an
egress-only gateway reaches the internet over IPv6 while its IPv4 lines say it cannot, and the box must
not tell the learner only half of that (fact sheet §12-§13)."""

from __future__ import annotations

from html import unescape

import vpclab
from vpclab.model.i18n import code_phrase


def node_label(lab, node: str, lang: str = "en") -> str:
    for line in vpclab.diagram(lab, lang=lang).source.splitlines():
        if line.strip().startswith((f'"{node}" [label=', f"{node} [label=")):
            return unescape(line)
    raise AssertionError(f"no node {node} in the diagram")


def lines(label: str, arrow: str) -> list[str]:
    return [part for part in label.split("<BR/>") if arrow in part]


def dual_stack():
    """Lesson 08's classroom: web6 public over both families, worker private behind the egress-only gateway."""
    s = vpclab.scenarios.classroom(nat=False)
    lab, vpc = s.lab, s.vpc
    lab.associate_vpc_cidr_block(vpc, amazon_provided_ipv6=True)
    public6, private6 = list(vpc.ipv6_cidr_blocks[0].subnets(new_prefix=64))[:2]
    lab.associate_subnet_cidr_block(s.public, str(public6))
    lab.associate_subnet_cidr_block(s.private, str(private6))
    lab.create_route(s.public_rt, "::/0", s.igw)
    lab.authorize_security_group_ingress(s.web_sg, "tcp", 443, cidr="::/0")
    eigw = lab.create_egress_only_internet_gateway(vpc)
    private_rt = lab.create_route_table(vpc)
    lab.create_route(private_rt, "::/0", eigw)
    lab.associate_route_table(private_rt, s.private)
    worker = lab.run_instance(s.private, name="worker", security_groups=[s.web_sg], ipv6_address_count=1)
    web6 = lab.run_instance(
        s.public, name="web6", security_groups=[s.web_sg], ipv6_address_count=1, associate_public_ip=True
    )
    return s, eigw, worker, web6


def test_a_server_behind_the_egress_only_gateway_shows_it_gets_out_over_ipv6_and_nothing_gets_in():
    s, eigw, worker, _ = dual_stack()
    entry = s.lab.exposure()[worker]
    assert entry.outbound_v6 and entry.outbound is False  # the engine's answer the box must show
    label = node_label(s.lab, worker.id)
    (out4, out6) = lines(label, "⬆")
    (in4, in6) = lines(label, "⬇")
    assert "(IPv6)" not in in4 and "(IPv6)" not in out4 and "✘" in out4
    assert "(IPv6)" in out6 and f"✔ via {eigw.id}" in out6
    assert "(IPv6)" in in6 and f"✘ {code_phrase(entry.inbound_v6_code, 'en')} @ {eigw.id}" in in6
    assert entry.inbound_v6_code in label.split("tooltip=")[1]


def test_a_dual_stack_web_server_shows_the_ports_open_over_each_family():
    s, _, _, web6 = dual_stack()
    label = node_label(s.lab, web6.id, lang="ko")
    (in4, in6) = lines(label, "⬇")
    assert "✔ tcp 80" in in4 and "(IPv6)" not in in4
    assert "(IPv6)" in in6 and "✔ tcp 443" in in6 and "tcp 80" not in in6  # port 80 is open to 0.0.0.0/0 only


def test_an_instance_without_ipv6_keeps_one_line_each_way():
    s, *_ = dual_stack()
    label = node_label(s.lab, s.app.id)
    assert len(lines(label, "⬇")) == 1 and len(lines(label, "⬆")) == 1 and "(IPv6)" not in label
