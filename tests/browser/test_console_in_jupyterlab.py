"""The console in JupyterLab, in a real Chromium: a learner attaches the internet gateway with a click,
and the diagram, the exposure table and the connectivity tester all follow; in English and in Korean."""

from __future__ import annotations

import os
import re
import secrets
import sys

import pytest

from .console_page import VPC_ID, ConsolePage, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # deselect with -m "not browser"


def jupyterlab(root, token: str):
    def command(host: str, port: int) -> list[str]:
        cmd = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            f"--ServerApp.ip={host}",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.token={token}",
            f"--ServerApp.root_dir={root}",
            # Nothing fetched from outside: no news feed, no update check, no extension index.
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
        ]
        if os.geteuid() == 0:  # Jupyter refuses root (containers, CI) unless told it is fine
            cmd.append("--allow-root")
        return cmd

    return command


def run_all_cells(page) -> None:
    """Run > Run All Cells, once the notebook's kernel is up."""
    expect(page.get_by_text(re.compile(r"\| Idle$"))).to_be_visible()
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).click()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_attaching_the_gateway_in_jupyterlab_redraws_the_diagram_and_changes_the_verdict(
    lang, start_server, demo_notebook, browser_tab
):
    token = secrets.token_hex(16)
    server = start_server("JupyterLab", jupyterlab(demo_notebook.parent, token), "/api/status", lang=lang, token=token)
    page = browser_tab.page
    page.goto(f"{server.base}/lab/tree/{demo_notebook.name}?token={token}")
    run_all_cells(page)
    console = ConsolePage(page, lang)
    console.wait_until_rendered()

    # Before: the gateway exists but is detached, and the exposure table says why nothing gets in.
    before = console.svg()
    drawn = console.svg_text()
    assert console.labels["gateway_node"] in drawn
    assert console.says("diagram.detached") in drawn
    assert console.says("diagram.private") in drawn
    vpc_id = VPC_ID.search(drawn).group()
    assert console.says("diagram.attached", vpc_id=vpc_id) not in drawn
    expect(console.exposure).to_contain_text("BAD_STATE_ATTACHMENT")

    # One click: the diagram shows the attachment and the verdict moves on to the missing route.
    console.attach_gateway()
    expect(console.diagram).to_contain_text(console.says("diagram.attached", vpc_id=vpc_id))
    assert console.svg() != before
    assert console.says("diagram.detached") not in console.svg_text()
    expect(console.exposure).not_to_contain_text("BAD_STATE_ATTACHMENT")
    expect(console.exposure).to_contain_text("NO_ROUTE_TO_DESTINATION")

    # The route the explanation asks for: the subnet turns public and port 80 is reachable; the
    # tester says so and draws the request's path on the diagram.
    console.add_default_route("public-rt")
    expect(console.exposure).to_contain_text("tcp 80")
    expect(console.exposure).not_to_contain_text("NO_ROUTE_TO_DESTINATION")
    expect(console.diagram).to_contain_text(console.says("diagram.public"))
    console.run_tester()
    expect(console.verdict).to_contain_text("✔")
    expect(console.diagram).to_contain_text(console.says("diagram.forward"))

    assert browser_tab.blocked_requests == []
