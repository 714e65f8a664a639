"""The console of ``console_demo.ipynb`` as a learner sees it in a browser, the same in JupyterLab
and in Voilà: what it says, what it draws, and the clicks that change it.

Locators go by role and visible text. The exceptions are the diagram and the tester's answer,
found by the classes the library gives them (``vpclab-diagram``, ``vpclab-analysis``): their
stable names in the page.
"""

from __future__ import annotations

import re

from vpclab.model.i18n import tr

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the `playwright` fixture skips (or, under CI, fails) and says why
    Page = expect = None

# What the learner reads on the controls, per language: written out, so a catalog change that
# renames a control shows up here.
LABELS = {
    "en": {
        "gateway_tab": "Internet gateway",
        "attach": "Attach to VPC",
        "routes_tab": "Route tables",
        "route_table": "Route table",
        "add_route": "Add route",
        "tester_tab": "Connectivity test",
        "test": "Test connectivity",
        "gateway_node": "Internet gateway",
        "exposure": "Internet exposure",
    },
    "ko": {
        "gateway_tab": "인터넷 게이트웨이",
        "attach": "VPC에 연결",
        "routes_tab": "라우팅 테이블",
        "route_table": "라우팅 테이블",
        "add_route": "라우팅 추가",
        "tester_tab": "연결 테스트",
        "test": "연결 테스트",
        "gateway_node": "인터넷 게이트웨이",
        "exposure": "인터넷 노출 현황",
    },
}

VPC_ID = re.compile(r"\bvpc-[0-9a-f]{8,17}\b")


class ConsolePage:
    def __init__(self, page: Page, lang: str) -> None:
        self.page, self.lang, self.labels = page, lang, LABELS[lang]

    # ---- what the page shows -------------------------------------------------------------------
    @property
    def diagram(self):
        return self.page.locator(".vpclab-diagram svg")

    @property
    def exposure(self):
        return self.page.get_by_role("table", name=self.labels["exposure"])

    @property
    def verdict(self):
        """The connectivity tester's answer."""
        return self.page.locator(".vpclab-analysis")

    def button(self, label: str):
        # The name ends with the label: an icon font's glyph may come first.
        return self.page.get_by_role("button", name=re.compile(re.escape(self.labels[label]) + "$"))

    def tab(self, label: str):
        return self.page.get_by_role("tab", name=self.labels[label], exact=True)

    def wait_until_rendered(self) -> None:
        expect(self.button("attach")).to_be_visible()
        expect(self.diagram).to_have_count(1)
        expect(self.exposure).to_be_visible()

    def svg(self) -> str:
        return self.diagram.evaluate("svg => svg.outerHTML")

    def svg_text(self) -> str:
        """The words drawn in the diagram, one ``<text>`` element a line."""
        return "\n".join(self.diagram.locator("text").all_text_contents())

    def says(self, key: str, **values) -> str:
        """The library's own text for ``key`` in this page's language (the diagram's wording)."""
        return tr(key, self.lang, **values)

    # ---- what a learner does -------------------------------------------------------------------
    def attach_gateway(self) -> None:
        self.tab("gateway_tab").click()
        self.button("attach").click()

    def add_default_route(self, table_name: str) -> None:
        """On the route-table tab pick ``table_name``; the destination (0.0.0.0/0) and the target
        (the only gateway) keep their defaults."""
        self.tab("routes_tab").click()
        select = self.page.get_by_label(self.labels["route_table"], exact=True)
        option = select.locator("option", has_text=f"{table_name} (")
        select.select_option(option.get_attribute("value"))
        self.button("add_route").click()

    def run_tester(self) -> None:
        """Internet → the first instance, tcp 80: the tester's defaults."""
        self.tab("tester_tab").click()
        self.button("test").click()


# ---- what a learner can read ---------------------------------------------------------------------
# Measured in the page with getBoundingClientRect: every word drawn in a diagram, and every element
# of an output area that sticks out on the right (which would need horizontal scrolling). Inside a
# diagram's stage the picture may pan, so only the stage itself must fit.
MEASURE = """() => {
  const texts = [...document.querySelectorAll('.vpclab-diagram svg text')].filter(t => t.textContent.trim());
  const small = texts.map(t => ({text: t.textContent, height: t.getBoundingClientRect().height}))
                     .filter(t => t.height < 10);
  const sticking = [];
  for (const area of document.querySelectorAll('.jp-OutputArea-output')) {
    const right = area.getBoundingClientRect().right;
    if (area.scrollWidth > area.clientWidth + 1) sticking.push(`${area.className}: scrolls`);
    for (const child of area.querySelectorAll('*')) {
      if (child.closest('.vpclab-stage') && !child.classList.contains('vpclab-stage')) continue;
      const box = child.getBoundingClientRect();
      if (box.width > 0 && box.right > right + 1)
        sticking.push(`${child.tagName}.${child.className}: ${box.right} > ${right}`);
    }
  }
  const page = document.scrollingElement;
  if (page.scrollWidth > page.clientWidth + 1) sticking.push('the page scrolls sideways');
  const fitting = [...document.querySelectorAll('.vpclab-stage')].map(stage => {
    const svg = stage.querySelector('svg');
    return svg ? svg.getBoundingClientRect().width <= stage.getBoundingClientRect().width + 1 : false;
  });
  return {texts: texts.length, small, sticking, fitting};
}"""


def readability(page) -> dict:
    """``texts`` drawn, the ``small`` ones (under 10 CSS px), the elements ``sticking`` out of an
    output area, and for each diagram whether it ``fitting``s its width without panning."""
    return page.evaluate(MEASURE)


def settled(page) -> None:
    """Wait until every diagram has drawn and no transition runs (d3 leaves no tween in flight)."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('.vpclab-stage')].every(s => s.querySelector('svg g'))"
        " && !document.querySelector('.vpclab-stage svg [style*=\"opacity: 0.\"]')"
    )
    page.evaluate("() => new Promise(done => setTimeout(done, 800))")  # one transition's length
