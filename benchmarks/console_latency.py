"""How long a console click takes to put the new diagram on screen, in the browser, against the
same page drawing the same DOT with the same WebAssembly Graphviz alone.

Voilà serves a page with two consoles — the classroom topology (``vpclab.scenarios.classroom``) and
the same grown to 50 instances — and Chromium (Debian's, through Playwright) clicks each console's
"Add rule" and "Remove rule" in turn (tcp 8443 on the web group, so every click changes the
diagram and the lab returns to where it started). A click is timed in the page from the click to
the second animation frame after the new diagram's transition starts: the kernel's side (the
action, the exposure analysis, the DOT source, the tables), the message to the browser, the layout
by WebAssembly Graphviz, and the transition's first frame painted. The floor, measured in the same
page right after each click, lays the same DOT out with the same WebAssembly Graphviz, puts the
SVG into the page and waits for the same second frame.

Goals (issue "See it change"): a click costs at most 1.3x the floor, and under 100 ms on the
classroom topology; the 50-instance lab is reported.

    .venv/bin/python benchmarks/console_latency.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

GOAL_RATIO, GOAL_CLASSROOM_MS = 1.3, 100.0
HOST = "127.0.0.1"

NOTEBOOK_CELLS = [
    "import vpclab\nfrom vpclab import scenarios\nvpclab.set_language('en')",
    # The 50-instance lab: the classroom grown with web servers (public IPs) and app servers.
    """def console_for(lab):
    console = vpclab.Console(lab)
    panel = console.panels["security_group"]
    panel.group.value = next(g.id for g in lab.security_groups.values() if g.group_name == "web")
    panel.port.value, panel.cidr.value = "8443", "0.0.0.0/0"
    return console

classroom = scenarios.classroom()
fifty = scenarios.classroom()
for n in range(50 - len(fifty.lab.instances)):
    if n % 3 == 0:
        fifty.lab.run_instance(fifty.public, name=f"web-{n}", associate_public_ip=True, security_groups=[fifty.web_sg])
    else:
        fifty.lab.run_instance(fifty.private, name=f"app-{n}")
assert len(fifty.lab.instances) == 50""",
    "console_for(classroom.lab)",
    "console_for(fifty.lab)",
]

# In the page: click, wait for the painted event of a transition, then time the floor on its DOT.
CLICK = """async ([button, diagram]) => {
  const painted = new Promise(done => diagram.addEventListener('vpclab-diagram-painted', e => {
    if (e.detail.kind === 'transition') done({t: performance.now(), ...e.detail});
  }, {once: false}));
  const start = performance.now();
  button.click();
  const seen = await painted;
  const click = seen.t - start;
  await new Promise(done => setTimeout(done, 900));  // let the transition finish
  const box = document.createElement('div');
  box.style.cssText = 'position:absolute;left:0;top:0;width:1000px;visibility:hidden';
  document.body.appendChild(box);
  const floor = await globalThis.vpclabDiagram.renderAlone(seen.dot, box);
  box.remove();
  await new Promise(done => setTimeout(done, 200));
  return {click, floor, kernel: seen.received - start, layout: seen.laidOut - seen.received};
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def write_notebook(folder: Path) -> Path:
    cells = [
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": source, "id": f"c{n}"}
        for n, source in enumerate(NOTEBOOK_CELLS)
    ]
    notebook = {
        "cells": cells,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = folder / "latency.ipynb"
    path.write_text(json.dumps(notebook))
    return path


def start_voila(notebook: Path, token: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "voila",
            str(notebook),
            "--no-browser",
            f"--Voila.ip={HOST}",
            f"--port={port}",
            f"--token={token}",
        ],
        cwd=notebook.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/voila/static/", timeout=3):
                break
        except OSError as error:
            if getattr(error, "code", None):  # an HTTP answer: the server is up
                break
            time.sleep(0.3)
    return process, port


def measure(page, index: int, repeat: int) -> tuple[list[float], list[float]]:
    console = page.locator(".vpclab-console").nth(index)
    panel_tab = console.get_by_role("tab", name="Security groups", exact=True)
    panel_tab.click()
    add = console.get_by_role("button", name="Add rule").element_handle()
    remove = console.get_by_role("button", name="Remove rule").element_handle()
    diagram = console.locator(".vpclab-diagram").element_handle()
    clicks, floors = [], []
    for n in range(repeat * 2 + 2):  # two warm-up clicks
        result = page.evaluate(CLICK, [add if n % 2 == 0 else remove, diagram])
        if os.environ.get("VPCLAB_BENCH_DEBUG"):
            print(result)
        if n >= 2:
            clicks.append(result["click"])
            floors.append(result["floor"])
    return clicks, floors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="clicks per lab (median reported)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("VPCLAB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    token = secrets.token_hex(16)
    with tempfile.TemporaryDirectory() as folder:
        process, port = start_voila(write_notebook(Path(folder)), token)
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=chromium, args=["--no-sandbox"], headless=True)
                page = browser.new_page(viewport={"width": 1366, "height": 768})
                page.route("**/*", lambda r: r.continue_() if HOST in r.request.url.split("/")[2] else r.abort())
                page.goto(f"http://{HOST}:{port}/?token={token}", timeout=120_000)
                page.locator(".vpclab-console .vpclab-diagram svg").nth(1).wait_for(timeout=120_000)
                ok = True
                print(f"{'lab':<16}{'click (ms)':>12}{'floor (ms)':>12}{'click/floor':>13}   goals")
                for index, name in enumerate(("classroom", "50 instances")):
                    clicks, floors = measure(page, index, args.repeat)
                    click, floor = statistics.median(clicks), statistics.median(floors)
                    ratio = click / floor
                    goals = [f"ratio {'ok' if ratio <= GOAL_RATIO else 'MISSED'} (<= {GOAL_RATIO})"]
                    if name == "classroom":
                        goals.append(
                            f"{'ok' if click < GOAL_CLASSROOM_MS else 'MISSED'} (< {GOAL_CLASSROOM_MS:.0f} ms)"
                        )
                        ok &= click < GOAL_CLASSROOM_MS
                    ok &= ratio <= GOAL_RATIO
                    print(f"{name:<16}{click:>12.1f}{floor:>12.1f}{ratio:>13.2f}   {', '.join(goals)}")
                browser.close()
        finally:
            os.killpg(process.pid, 15)
            process.wait(15)
    print(f"median of {args.repeat} clicks each (add / remove a security-group rule, alternately)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
