"""Korean words stay whole in every table cell a learner or a teacher reads: the hop tables of an analysis,
the exposure table and the HTML page of ``vpclab exposure``. Without ``word-break: keep-all`` a browser
breaks Hangul between any two syllables, and narrow columns showed 통/과 and 인/터/넷/에/서."""

from __future__ import annotations

import re

import vpclab
from vpclab.cli_report import page_body
from vpclab.render.analysis import analysis_html
from vpclab.render.exposure import exposure_html

CELL = re.compile(r"<t[dh] style=\"([^\"]*)\"")


def lab_with_an_nat64_path():
    s = vpclab.scenarios.classroom(nat=False)
    lab, vpc = s.lab, s.vpc
    lab.associate_vpc_cidr_block(vpc, amazon_provided_ipv6=True)
    only6 = list(vpc.ipv6_cidr_blocks[0].subnets(new_prefix=64))[2]
    v6only = lab.create_subnet(vpc, ipv6_cidr=str(only6), ipv6_native=True, name="v6only-a")
    updater = lab.run_instance(v6only, name="updater", security_groups=[lab.create_security_group(vpc, "u", "u")])
    nat = lab.create_nat_gateway(s.public, lab.allocate_address())
    table = lab.create_route_table(vpc)
    lab.create_route(table, "64:ff9b::/96", nat)
    lab.associate_route_table(table, v6only)
    lab.modify_subnet_attribute(v6only, enable_dns64=True)
    return lab, updater


def cell_styles(html: str) -> list[str]:
    styles = CELL.findall(html)
    assert styles, "the HTML has table cells"
    return styles


def test_hop_table_exposure_table_and_the_exposure_page_keep_korean_words_whole():
    lab, updater = lab_with_an_nat64_path()
    analysis = lab.analyze(updater, "203.0.113.10", port=443)
    assert analysis.reachable
    report = lab.exposure()
    for html in (analysis_html(analysis, "ko"), exposure_html(report, "ko"), page_body(lab, report, "ko")):
        broken = [style for style in cell_styles(html) if "word-break:keep-all" not in style.replace(" ", "")]
        assert broken == []
