"""Every word of the diagram stays inside the box it belongs to, in Korean as in English, at 1366 × 768:
the boxes Graphviz draws are as wide as the browser's font makes their lines.

A dual-stack lab with long Korean names (subnets, route tables, gateways, instances, an egress-only
gateway) is drawn both ways a learner sees it: in JupyterLab by Graphviz compiled to WebAssembly (no
``dot`` on the server's PATH), and as the static SVG of a system ``dot`` that viewers without a kernel
show. Each line is measured at its natural width: the front end's last-resort squeeze (``textLength``)
is taken off before measuring, so a box that is too narrow shows even where the squeeze would hide it.
"""

from __future__ import annotations

import secrets
import shutil
import textwrap
from pathlib import Path

import pytest

from vpclab.render.diagram import diagram
from vpclab.render.live import static_html

from .conftest import unavailable
from .console_page import settled
from .test_console_in_jupyterlab import jupyterlab, run_all_cells

pytestmark = [pytest.mark.browser, pytest.mark.slow]

try:
    from playwright.sync_api import expect
except ImportError:  # the `playwright` fixture skips (or, under CI, fails) and says why
    expect = None

TOLERANCE = 1.0  # Graphviz points: anti-aliasing and rounding, not a glyph's worth

LONG_NAMES_LAB = textwrap.dedent(
    """\
    import os

    import vpclab

    vpclab.set_language(os.environ.get("VPCLAB_LANG", "en"))
    lab = vpclab.Lab()
    vpc = lab.create_vpc("10.0.0.0/16", name="서울-교육용-운영-네트워크")
    lab.associate_vpc_cidr_block(vpc, amazon_provided_ipv6=True)
    blocks = list(vpc.ipv6_cidr_blocks[0].subnets(new_prefix=64))
    igw = lab.create_internet_gateway(name="인터넷-게이트웨이-본관-일번")
    lab.attach_internet_gateway(igw, vpc)
    eigw = lab.create_egress_only_internet_gateway(vpc, name="송신전용-게이트웨이-본관")
    public = lab.create_subnet(vpc, "10.0.1.0/24", name="퍼블릭-웹-서브넷-가용영역A")
    lab.associate_subnet_cidr_block(public, str(blocks[1]))
    private = lab.create_subnet(vpc, "10.0.2.0/24", name="프라이빗-애플리케이션-서브넷")
    lab.associate_subnet_cidr_block(private, str(blocks[2]))
    public_rt = lab.create_route_table(vpc, name="퍼블릭-라우팅-테이블-웹계층")
    lab.create_route(public_rt, "0.0.0.0/0", igw)
    lab.create_route(public_rt, "::/0", igw)
    lab.associate_route_table(public_rt, public)
    private_rt = lab.create_route_table(vpc, name="프라이빗-라우팅-테이블-앱계층")
    lab.create_route(private_rt, "::/0", eigw)
    lab.associate_route_table(private_rt, private)
    web_sg = lab.create_security_group(vpc, "web", "web tier")
    lab.authorize_security_group_ingress(web_sg, "tcp", 80, cidr="0.0.0.0/0")
    lab.authorize_security_group_ingress(web_sg, "tcp", 443, cidr="::/0")
    web = lab.run_instance(public, name="웹서버-프런트엔드-일번", security_groups=[web_sg], ipv6_address_count=1)
    lab.associate_address(lab.allocate_address(name="웹서버-탄력적-주소"), web)
    lab.run_instance(private, name="애플리케이션-서버-백엔드", security_groups=[web_sg], ipv6_address_count=1)
    """
)

# For every node and cluster: its outline (the first filled shape Graphviz drew for it) and each of
# its lines measured without the front end's squeeze, in the graph's own units (points).
MEASURE = """svg => {
  const outside = [];
  let lines = 0;
  for (const group of svg.querySelectorAll('g.node, g.cluster')) {
    const shape = group.querySelector('polygon, path, ellipse');
    if (!shape) continue;
    const box = shape.getBBox();
    for (const text of group.querySelectorAll('text')) {
      if (!text.textContent.trim()) continue;
      lines += 1;
      const natural = text.cloneNode(true);
      natural.removeAttribute('textLength');
      natural.removeAttribute('lengthAdjust');
      text.parentNode.appendChild(natural);
      const t = natural.getBBox();
      natural.remove();
      const over = Math.max(box.x - t.x, t.x + t.width - (box.x + box.width),
                            box.y - t.y, t.y + t.height - (box.y + box.height));
      if (over > TOLERANCE) outside.push({box: group.id, text: text.textContent, by: Math.round(over * 10) / 10});
    }
  }
  return {lines, outside};
}""".replace("TOLERANCE", str(TOLERANCE))


def check_every_line_inside_its_box(svg) -> None:
    seen = svg.evaluate(MEASURE)
    assert seen["lines"] > 20, "the boxes' words are drawn"
    report = "\n".join(f"{o['box']}: {o['text']!r} sticks out by {o['by']} pt" for o in seen["outside"])
    assert seen["outside"] == [], f"lines outside their boxes:\n{report}"


@pytest.fixture
def long_names_notebook(tmp_path: Path) -> Path:
    import nbformat

    folder = tmp_path / "notebooks"
    folder.mkdir()
    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(LONG_NAMES_LAB + "lab")],
        metadata={"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}},
    )
    path = folder / "long_names.ipynb"
    nbformat.write(notebook, path)
    return path


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_line_of_the_browser_drawn_diagram_stays_inside_its_box(
    lang, start_server, long_names_notebook, browser_tab, tmp_path
):
    token = secrets.token_hex(16)
    root = long_names_notebook.parent
    server = start_server("JupyterLab", jupyterlab(root, token), "/api/status", lang=lang, token=token)
    page = browser_tab.page
    page.goto(f"{server.base}/lab/tree/{long_names_notebook.name}?token={token}")
    run_all_cells(page)
    svg = page.locator(".vpclab-diagram svg")
    expect(svg).to_have_count(1)
    settled(page)
    page.evaluate("() => document.fonts.ready")
    page.locator(".vpclab-stage").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / f"labels-jupyterlab-{lang}.png"))
    check_every_line_inside_its_box(svg)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_line_of_the_static_diagram_stays_inside_its_box(lang, browser_tab, tmp_path):
    if shutil.which("dot") is None:
        unavailable("Graphviz's dot is not installed (Debian/Ubuntu: apt-get install graphviz)")
    namespace: dict = {}
    exec(LONG_NAMES_LAB, namespace)  # the same lab as the notebook's, built here
    html = static_html(diagram(namespace["lab"], lang=lang), "")
    page = browser_tab.page
    page.set_content(f"<!doctype html><meta charset='utf-8'><body style='margin:8px'>{html}</body>")
    page.evaluate("() => document.fonts.ready")
    page.screenshot(path=str(tmp_path / f"labels-static-{lang}.png"), full_page=True)
    check_every_line_inside_its_box(page.locator(".vpclab-diagram svg"))
