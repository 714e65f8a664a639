"""How fast the zero-install site starts and runs lesson 04, against the same lesson in local JupyterLab.

In one run, both served from 127.0.0.1 and driven in the same headless Chromium (a fresh profile
for every measurement, so nothing is cached from the run before):

- **ready**: from opening lesson 04 to its kernel started and its first code cell
  (``import vpclab``) done; Run All is clicked as soon as the status bar says the kernel is idle;
- **run**: from that click to the last cell of the lesson done.

The site is ``build/site/`` (built first with ``scripts/build_site.py`` unless ``--no-build``); the
baseline is JupyterLab with the local ipykernel on a copy of ``notebooks/``. Also printed: the
site's size on disk, and compressed (tar + gzip, what a teacher would upload or copy).

Goals (issue "Zero install"): ready in under 20 s, run at most 3x the local kernel's, site under
60 MB uncompressed.

    .venv/bin/python benchmarks/lite_startup.py [--repeat N] [--no-build]
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.request
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "build" / "site"
OUT = ROOT / "benchmarks" / "out"
LESSON = "04_build_step_by_step.ipynb"
HOST = "127.0.0.1"
GOAL_READY_S, GOAL_RATIO, GOAL_SIZE_MB = 20.0, 3.0, 60.0
TIMEOUT_MS = 300_000
VIEWPORT = {"width": 1400, "height": 900}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ALL_RUN = """() => {
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
    return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p));
}"""
FIRST_RUN = """() => {
    const first = document.querySelector('.jp-CodeCell .jp-InputPrompt');
    return first !== null && /^\\[\\d+\\]:$/.test(first.textContent.trim());
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def compressed_size(folder: Path) -> int:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        archive.add(folder, arcname=folder.name)
    return buffer.tell()


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def serve_site(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer((HOST, free_port()), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{HOST}:{server.server_address[1]}"


def start_jupyterlab(workdir: Path) -> tuple[subprocess.Popen, str, str]:
    """Local JupyterLab on a copy of notebooks/, with a private Jupyter home."""
    token, port = secrets.token_hex(16), free_port()
    shutil.copytree(ROOT / "notebooks", workdir / "notebooks")
    home = workdir / "jupyter"
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "VPCLAB_LANG": "en",
    }
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--ServerApp.ip={HOST}"]
    cmd += [f"--ServerApp.port={port}", f"--ServerApp.token={token}", f"--ServerApp.root_dir={workdir / 'notebooks'}"]
    cmd += ["--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = (workdir / "jupyterlab.log").open("wb")
    process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(base + "/api/status", headers={"Authorization": f"token {token}"})
            with urllib.request.urlopen(request, timeout=5):
                return process, base, token
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"JupyterLab did not start; see {workdir / 'jupyterlab.log'}")


def measure(playwright, chromium: str, url: str, idle: re.Pattern, profile: Path) -> dict:
    """One fresh browser: open the lesson, Run All once the kernel is idle; the two times, in s."""
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=chromium,
        args=CHROMIUM_ARGS,
        headless=True,
        viewport={"width": 1400, "height": 900},
    )
    blocked: list[str] = []

    def only_local(route) -> None:
        if urlsplit(route.request.url).hostname in (HOST, None):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        started = time.perf_counter()
        page.goto(url)
        page.get_by_text(idle).wait_for()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        clicked = time.perf_counter()
        page.get_by_role("menuitem", name=re.compile("^Run All Cells")).click()
        page.wait_for_function(FIRST_RUN, timeout=TIMEOUT_MS)
        ready = time.perf_counter()
        page.wait_for_function(ALL_RUN, timeout=TIMEOUT_MS)
        done = time.perf_counter()
        errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').count()
    finally:
        context.close()
    return {"ready": ready - started, "run": done - clicked, "errors": errors, "blocked": blocked}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh-browser runs of each side (median reported)")
    parser.add_argument("--no-build", action="store_true", help="use build/site as it is")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("VPCLAB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not args.no_build:
        subprocess.run([sys.executable, str(ROOT / "scripts" / "build_site.py"), "--output", str(SITE)], check=True)
    size, packed = folder_size(SITE), compressed_size(SITE)
    results: dict[str, list[dict]] = {"lite": [], "local": []}
    with tempfile.TemporaryDirectory(prefix="vpclab-lite-bench-") as scratch:
        work = Path(scratch)
        server, site_url = serve_site(SITE)
        lab, lab_url, token = start_jupyterlab(work)
        try:
            with sync_playwright() as playwright:
                for number in range(args.repeat):
                    lite_url = f"{site_url}/lab/index.html?path=notebooks/en/{LESSON}"
                    idle = re.compile(r"Pyodide\) \| Idle$")
                    results["lite"].append(measure(playwright, chromium, lite_url, idle, work / f"lite-{number}"))
                    local_url = f"{lab_url}/lab/tree/en/{LESSON}?token={token}"
                    idle = re.compile(r"\(ipykernel\) \| Idle$")
                    results["local"].append(measure(playwright, chromium, local_url, idle, work / f"local-{number}"))
        finally:
            server.shutdown()
            os.killpg(lab.pid, signal.SIGTERM)
            lab.wait(30)
    median = {
        side: {key: statistics.median(r[key] for r in runs) for key in ("ready", "run")}
        for side, runs in results.items()
    }
    ratio = median["lite"]["run"] / median["local"]["run"]
    report = {"median_s": median, "run_ratio": ratio, "size_bytes": size, "compressed_bytes": packed, "runs": results}
    OUT.mkdir(exist_ok=True)
    (OUT / "lite_startup.json").write_text(json.dumps(report, indent=2) + "\n")
    lite, local = median["lite"], median["local"]
    print(f"lesson 04, median of {args.repeat} fresh-browser runs each, served from {HOST}:")
    print(
        f"  ready (kernel + import vpclab): JupyterLite {lite['ready']:.1f} s  local JupyterLab {local['ready']:.1f} s"
    )
    print(f"  goal < {GOAL_READY_S:.0f} s: {'met' if lite['ready'] < GOAL_READY_S else 'NOT met'}")
    print(
        f"  run to the end: JupyterLite {lite['run']:.1f} s  local JupyterLab {local['run']:.1f} s  ratio {ratio:.2f}x"
    )
    print(f"  goal <= {GOAL_RATIO:.0f}x: {'met' if ratio <= GOAL_RATIO else 'NOT met'}")
    print(f"  site size: {size / 1e6:.1f} MB uncompressed, {packed / 1e6:.1f} MB as .tar.gz")
    print(f"  goal < {GOAL_SIZE_MB:.0f} MB: {'met' if size / 1e6 < GOAL_SIZE_MB else 'NOT met'}")
    errors = {side: [r["errors"] for r in runs] for side, runs in results.items()}
    blocked = [url for runs in results.values() for r in runs for url in r["blocked"]]
    print(f"  cells with errors per run: {errors}; requests to other hosts: {len(blocked)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
