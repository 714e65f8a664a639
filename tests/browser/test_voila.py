"""Voilà serves the demo notebook as a no-code page (for projecting in class): the console renders
in a real Chromium and answers a click."""

from __future__ import annotations

import secrets
import sys

import pytest

from .console_page import VPC_ID, ConsolePage, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # deselect with -m "not browser"

FONT_AWESOME_CDN = "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@"
# Served as soon as Voilà listens; it also shows that the widget manager's front end is installed.
WIDGETS_PROBE = "/voila/labextensions/@jupyter-widgets/jupyterlab-manager/package.json"


def voila(notebook, token: str):
    def command(host: str, port: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "voila",
            str(notebook),
            "--no-browser",
            f"--Voila.ip={host}",
            f"--port={port}",
            "--Voila.port_retries=0",
            f"--token={token}",
            "--show_tracebacks=True",  # a failing cell shows its traceback in the page (and the screenshot)
        ]

    return command


@pytest.mark.parametrize("lang", ["en"])
def test_voila_page_renders_the_console_and_a_click_attaches_the_gateway(
    lang, voila_available, start_server, demo_notebook, browser_tab
):
    token = secrets.token_hex(16)
    server = start_server("Voila", voila(demo_notebook, token), WIDGETS_PROBE, lang=lang, token=token)
    page = browser_tab.page
    page.goto(f"{server.base}/?token={token}")
    console = ConsolePage(page, lang)
    console.wait_until_rendered()

    before = console.svg()
    drawn = console.svg_text()
    assert console.says("diagram.detached") in drawn
    vpc_id = VPC_ID.search(drawn).group()

    console.attach_gateway()
    expect(console.diagram).to_contain_text(console.says("diagram.attached", vpc_id=vpc_id))
    assert console.svg() != before
    expect(console.exposure).to_contain_text("NO_ROUTE_TO_DESTINATION")

    # Voilà's lab template also links Font Awesome from a CDN (upstream voila-dashboards/voila#539).
    # The browser aborts those requests and the page needs none of them: the widgets' own bundle
    # brings the icons. Nothing else may leave 127.0.0.1.
    assert [url for url in browser_tab.blocked_requests if not url.startswith(FONT_AWESOME_CDN)] == []
