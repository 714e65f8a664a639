"""The diagram tells Graphviz how wide each label is in the browser's font (render/text_width.py), since
Graphviz in WebAssembly underestimates Hangul (three bytes, each counted as a space) and sans-serif Latin.
The browser tests (tests/browser/test_diagram_labels_fit.py) check the result on screen."""

from __future__ import annotations

import re
from html import unescape

import pytest

import vpclab
from vpclab.render.diagram import SMALL, TEXT, diagram
from vpclab.render.text_width import text_width

WIDTH = re.compile(r'<TD WIDTH="(\d+)" ALIGN="LEFT" BALIGN="LEFT">(.*?)</TD>')


def test_a_hangul_syllable_is_as_wide_as_the_font_draws_it_not_as_three_spaces():
    assert text_width("가나다라", 10) == pytest.approx(4 * 9.2)
    assert text_width("가나다라", 10, bold=True) == pytest.approx(4 * 9.2)
    # Graphviz's own estimate is three Times spaces (0.25 em) a syllable: 7.5 pt here, where the font draws 9.2.
    assert text_width("가", 10) > 3 * 0.25 * 10


def test_latin_is_measured_per_character_and_bold_runs_wider():
    assert text_width("10.0.0.0/16", 10) == pytest.approx(text_width("10.0.0.0/16", 20) / 2)
    assert text_width("ii", 10) < text_width("mm", 10)
    assert text_width("Internet gateway", 11, bold=True) > text_width("Internet gateway", 11)


def test_symbols_without_a_measured_width_count_as_a_full_em_and_invisible_marks_as_nothing():
    assert text_width("✔ ⊘", 10) == pytest.approx(10 + text_width(" ", 10) + 10)
    assert text_width("a\u200bb", 10) == pytest.approx(text_width("ab", 10))


def long_korean_lab():
    lab = vpclab.Lab()
    vpc = lab.create_vpc("10.0.0.0/16", name="서울-교육용-운영-네트워크")
    lab.associate_vpc_cidr_block(vpc, amazon_provided_ipv6=True)
    igw = lab.create_internet_gateway(name="인터넷-게이트웨이-본관-일번")
    lab.attach_internet_gateway(igw, vpc)
    eigw = lab.create_egress_only_internet_gateway(vpc, name="송신전용-게이트웨이-본관")
    subnet = lab.create_subnet(vpc, "10.0.1.0/24", name="퍼블릭-웹-서브넷-가용영역A")
    table = lab.create_route_table(vpc, name="퍼블릭-라우팅-테이블-웹계층")
    lab.create_route(table, "0.0.0.0/0", igw)
    lab.create_route(table, "::/0", eigw)
    lab.associate_route_table(table, subnet)
    lab.run_instance(subnet, name="웹서버-프런트엔드-일번", associate_public_ip=True)
    return lab


def lines_of(cell: str) -> list[tuple[str, float, bool]]:
    """(text, points, bold) of each line of a label's cell."""
    found = []
    for line in cell.split("<BR/>"):
        small = 'POINT-SIZE="' in line
        text = unescape(re.sub(r"<[^>]+>", "", line))
        found.append((text, float(SMALL) if small else None, "<B>" in line))
    return found


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_label_of_boxes_and_lines_carries_a_width_no_narrower_than_its_widest_line(lang):
    source = diagram(long_korean_lab(), lang=lang).source
    labels = [line for line in source.splitlines() if "label=" in line and "graph [" not in line]
    assert len(labels) >= 10  # every node, cluster and labelled edge
    for line in labels:
        assert "label=<<TABLE" in line, f"a label left to Graphviz's estimate: {line.strip()[:80]}"
        ((width, cell),) = WIDTH.findall(line)
        size = float(SMALL) if ("fontsize=10" in line or "->" in line) else float(TEXT)
        widest = max(text_width(text, points or size, bold) for text, points, bold in lines_of(cell))
        assert int(width) >= widest
        assert int(width) < widest + 1, "the width is the widest line's, not a guess"
