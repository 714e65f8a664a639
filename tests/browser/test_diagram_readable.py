"""The diagram as a learner reads it at 1366 × 768, in JupyterLab (file browser open) and in Voilà, in
English and in Korean: drawn in the browser with no Graphviz on the server's PATH, every word at least
10 CSS px tall, no output area wider than its column, and a console click that animates to a new
picture with what it changed marked."""

from __future__ import annotations

import re
import secrets
import shutil
from pathlib import Path

import pytest

from vpclab.model.i18n import tr

from .conftest import HERE
from .console_page import readability, settled
from .test_console_in_jupyterlab import jupyterlab, run_all_cells
from .test_voila import FONT_AWESOME_CDN, WIDGETS_PROBE, voila

pytestmark = [pytest.mark.browser, pytest.mark.slow]

try:
    from playwright.sync_api import expect
except ImportError:  # the `playwright` fixture skips (or, under CI, fails) and says why
    expect = None

DIAGRAMS = 3  # classroom.lab, the lab with several faults, the console's


@pytest.fixture
def classroom_notebook(tmp_path: Path) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    return Path(shutil.copy(HERE / "classroom_demo.ipynb", folder / "classroom_demo.ipynb"))


def check_readable(page, screenshot: Path) -> None:
    settled(page)
    page.screenshot(path=str(screenshot), full_page=True)
    seen = readability(page)
    assert seen["texts"] > 50, "the diagrams' words are drawn"
    assert seen["small"] == [], f"words under 10 CSS px tall: {seen['small'][:5]}"
    assert seen["sticking"] == [], f"wider than the output area: {seen['sticking'][:5]}"
    assert seen["fitting"] == [True] * DIAGRAMS, "each diagram fits its width without panning"


def add_http_alt_rule(page, lang: str) -> None:
    """On the security-group tab: tcp 8080 from anywhere, on the group ``web``."""
    page.get_by_role("tab", name=tr("console.tool.security_group", lang), exact=True).click()
    group = page.get_by_label(tr("console.security_group", lang), exact=True).filter(visible=True)
    group.select_option(group.locator("option", has_text="web (").get_attribute("value"))
    port = page.get_by_label(tr("console.port", lang), exact=True).filter(visible=True)
    port.fill("8080")
    port.press("Enter")
    page.get_by_role("button", name=re.compile(re.escape(tr("console.add_rule", lang)) + "$")).click()


def check_click_marks_the_change(page, lang: str, motion: bool = True) -> None:
    console = page.locator(".vpclab-diagram").nth(DIAGRAMS - 1)
    svg = console.locator("svg")
    before = svg.evaluate("svg => svg.outerHTML")
    add_http_alt_rule(page, lang)
    expect(svg).to_contain_text("8080")
    assert svg.evaluate("svg => svg.outerHTML") != before
    # the boxes glide from the old layout to the new one, unless the reader asked for less motion
    animated = svg.locator("g[style*='transition']")
    if motion:
        expect(animated.first).to_be_attached()
    else:
        expect(animated).to_have_count(0)
    # the instances of the changed group (web) are outlined for a moment, and the caption says why
    web = console.locator("g.node", has_text="web (")
    expect(web).to_have_class(re.compile(r"\bvpclab-changed\b"))
    expect(console.locator(".vpclab-caption")).to_contain_text("authorize_security_group_ingress")
    expect(console.locator(".vpclab-changed")).to_have_count(0)  # ... and only for a moment


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_jupyterlab_draws_readable_diagrams_without_dot_and_marks_what_a_click_changed(
    lang, start_server, classroom_notebook, browser_tab, tmp_path
):
    token = secrets.token_hex(16)
    root = classroom_notebook.parent
    server = start_server("JupyterLab", jupyterlab(root, token), "/api/status", lang=lang, token=token)
    page = browser_tab.page
    page.goto(f"{server.base}/lab/tree/{classroom_notebook.name}?token={token}")
    expect(page.locator("#filebrowser")).to_be_visible()  # the file browser stays open beside the notebook
    run_all_cells(page)
    expect(page.locator(".vpclab-diagram svg")).to_have_count(DIAGRAMS)
    check_readable(page, tmp_path / f"jupyterlab-{lang}.png")
    check_click_marks_the_change(page, lang)
    check_readable(page, tmp_path / f"jupyterlab-{lang}-after.png")
    assert browser_tab.blocked_requests == []


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_voila_draws_readable_diagrams_without_dot_and_marks_what_a_click_changed(
    lang, voila_available, start_server, classroom_notebook, browser_tab, tmp_path
):
    token = secrets.token_hex(16)
    server = start_server("Voila", voila(classroom_notebook, token), WIDGETS_PROBE, lang=lang, token=token)
    page = browser_tab.page
    reduced = lang == "ko"  # one run with prefers-reduced-motion: reduce
    page.emulate_media(reduced_motion="reduce" if reduced else "no-preference")
    page.goto(f"{server.base}/?token={token}")
    expect(page.locator(".vpclab-diagram svg")).to_have_count(DIAGRAMS)
    check_readable(page, tmp_path / f"voila-{lang}.png")
    check_click_marks_the_change(page, lang, motion=not reduced)
    # Voilà's template links Font Awesome from a CDN (see test_voila.py); nothing else leaves 127.0.0.1.
    assert [url for url in browser_tab.blocked_requests if not url.startswith(FONT_AWESOME_CDN)] == []
