"""Real-browser tests: JupyterLab or Voilà serves ``console_demo.ipynb``; Chromium, driven by
Playwright for Python, clicks the console like a learner would.

Chromium is the system's (Debian's ``chromium`` package, or the program named by
``VPCLAB_CHROMIUM``), never a browser that Playwright downloads. Without Chromium or Playwright
these tests skip and say why; under CI (``CI=true``) they fail instead, so a CI run cannot pass
without them.

All traffic stays on 127.0.0.1: the servers listen there, Chromium starts with its background
networking off, and the browser aborts any request for another host (``blocked_requests`` lists
them; the tests check that there were none, apart from one known case in Voilà).

Each test starts its own server and browser profile, in the test's temporary folder; that folder
keeps the server's log, and on failure a screenshot, the page's HTML and its console errors.

The servers (and so their kernels) run with a PATH on which Graphviz's ``dot`` cannot be found: the
diagram is laid out in the browser, by Graphviz compiled to WebAssembly. The browser window is
1366 × 768, the size the readability rules are stated for.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "console_demo.ipynb"
HOST = "127.0.0.1"

CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
SERVER_START_TIMEOUT = 90  # s: a cold JupyterLab start on a slow CI machine
STOP_TIMEOUT = 15  # s: a server gets this long to shut its kernels down after SIGTERM
UI_TIMEOUT = 60_000  # ms: rendering waits for a kernel to start and run every cell
VIEWPORT = {"width": 1366, "height": 768}
GRAPHVIZ_PROGRAMS = ("dot", "neato", "twopi", "circo", "fdp", "sfdp", "osage", "patchwork")

# Chromium as root needs --no-sandbox; the rest keep it from calling home (sign-in, updates,
# field trials), which also keeps every connection on 127.0.0.1.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    # Keep each phase's report on the test, so `browser_tab` knows whether to save a screenshot.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def unavailable(reason: str):
    """Skip, saying why; but fail under CI, where a skipped browser test would hide a broken set-up."""
    if CI:
        pytest.fail(f"{reason} (CI=true: the browser tests must run there, not skip)", pytrace=False)
    pytest.skip(reason)


def find_chromium() -> str | None:
    """``VPCLAB_CHROMIUM`` if set, else ``chromium`` on PATH (Debian's package puts it in /usr/bin)."""
    chosen = os.environ.get("VPCLAB_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    return shutil.which("chromium") or (str(Path("/usr/bin/chromium")) if Path("/usr/bin/chromium").exists() else None)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        unavailable(
            "Chromium not found: install it (Debian/Ubuntu: apt-get install chromium; "
            "`python3 scripts/dev.py test` does this when run as root) or set VPCLAB_CHROMIUM"
        )
    return path


@pytest.fixture(scope="module")  # the driver (a Node process) lives no longer than the tests using it
def playwright(chromium_path):
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed: pip install -e '.[test]'")
    expect.set_options(timeout=UI_TIMEOUT)  # assertions wait as long as actions do
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def voila_available() -> None:
    try:
        import voila  # noqa: F401
    except ImportError:
        unavailable("Voila is not installed: pip install -e '.[lab]'")


# ---- servers ----------------------------------------------------------------------------------------


def path_without_graphviz(folder: Path) -> str:
    """PATH with every folder that holds Graphviz's programs replaced by a copy of it without them
    (symbolic links to everything else), so neither the server nor its kernels can find ``dot``."""
    entries = []
    for n, directory in enumerate(os.environ.get("PATH", "").split(os.pathsep)):
        source = Path(directory)
        if not any((source / program).exists() for program in GRAPHVIZ_PROGRAMS):
            entries.append(directory)
            continue
        shadow = folder / f"path-{n}"
        shadow.mkdir(parents=True)
        for item in source.iterdir():
            if item.name not in GRAPHVIZ_PROGRAMS:
                (shadow / item.name).symlink_to(item)
        entries.append(str(shadow))
    path = os.pathsep.join(entries)
    assert shutil.which("dot", path=path) is None
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A JupyterLab or Voilà process in its own process group, with its log in a file."""

    name: str
    process: subprocess.Popen
    port: int
    token: str
    log: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_until_ready(self, probe: str) -> None:
        """Poll ``probe`` (a path on the server) until it answers 200, or fail with the log."""
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        url = self.base + probe
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"{self.name} exited with code {self.process.returncode}:\n{self.log_tail()}")
            request = urllib.request.Request(url, headers={"Authorization": f"token {self.token}"})
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        pytest.fail(f"{self.name} did not answer {url} within {SERVER_START_TIMEOUT} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to the whole group (the server shuts its kernels down), SIGKILL if it lingers."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(STOP_TIMEOUT)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(STOP_TIMEOUT)


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start a server on a free 127.0.0.1 port, in a private Jupyter home; all stop after the test.

    Call it as ``start_server(name, command, probe, lang=..., token=...)``; ``command`` is a
    function of the host and the port that returns the command line. The kernel inherits the
    server's environment, ``VPCLAB_LANG`` included.
    """
    if os.name != "posix":
        pytest.skip("the browser tests manage server process groups, which needs a POSIX system")
    started: list[Server] = []
    home = tmp_path / "jupyter"
    env = {
        **os.environ,
        # A private Jupyter configuration and state, so neither the user's settings nor files
        # left by another run change what the page shows.
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "PYTHONUNBUFFERED": "1",
        "PATH": path_without_graphviz(tmp_path / "no-graphviz"),
    }
    # JupyterLab: never fetch news or look for updates, and so never ask about it in a toast.
    settings = home / "config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    # Every cell rendered, also those scrolled out of view, so the tests can measure all the outputs.
    notebook = home / "config" / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
    notebook.mkdir(parents=True)
    (notebook / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))

    def start(name: str, command: Callable[[str, int], list[str]], probe: str, lang: str, token: str) -> Server:
        port = free_port()
        log = tmp_path / f"{name.lower()}-{lang}.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                command(HOST, port),
                cwd=tmp_path,
                env={**env, "VPCLAB_LANG": lang},
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped as a whole
            )
        server = Server(name, process, port, token, log)
        started.append(server)
        server.wait_until_ready(probe)
        return server

    yield start
    for server in reversed(started):
        server.stop()


@pytest.fixture
def demo_notebook(tmp_path: Path) -> Path:
    """A copy of ``console_demo.ipynb`` alone in a fresh folder (the servers may write checkpoints)."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    return Path(shutil.copy(NOTEBOOK, folder / NOTEBOOK.name))


# ---- browser ----------------------------------------------------------------------------------------


@dataclass
class Tab:
    """A page with what it said on the way: console errors and requests blocked for leaving 127.0.0.1."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)


@pytest.fixture
def browser_tab(playwright, chromium_path: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Tab]:
    """A page in a fresh Chromium profile; on failure a screenshot and the page's HTML are kept."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"),  # a fresh --user-data-dir for every test
        executable_path=chromium_path,
        args=CHROMIUM_ARGS,
        headless=True,
        viewport=VIEWPORT,
        locale="en-US",
    )
    tab = Tab(context.pages[0] if context.pages else context.new_page())

    def only_local(route) -> None:
        if urlsplit(route.request.url).hostname in (HOST, None):
            route.continue_()
        else:
            tab.blocked_requests.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    tab.page.set_default_timeout(UI_TIMEOUT)
    tab.page.on("console", lambda message: message.type == "error" and tab.console_errors.append(message.text))
    tab.page.on("pageerror", lambda error: tab.console_errors.append(f"page error: {error}"))
    yield tab
    failed = any(getattr(getattr(request.node, f"report_{when}", None), "failed", False) for when in ("setup", "call"))
    if failed:
        artifacts = tmp_path / "artifacts"
        artifacts.mkdir(exist_ok=True)
        try:
            tab.page.screenshot(path=str(artifacts / "page.png"), full_page=True)
            (artifacts / "page.html").write_text(tab.page.content())
        except Exception as error:  # a broken page must not hide the test's own failure
            (artifacts / "screenshot-error.txt").write_text(repr(error))
        (artifacts / "console-errors.txt").write_text("\n".join(tab.console_errors))
        print(f"\nbrowser artifacts (screenshot, HTML, server logs) in {tmp_path}")
    context.close()
