"""The zero-install site (``python3 scripts/dev.py site``), built from this checkout and served from
127.0.0.1 as static files, in a real Chromium: lesson 04 runs top to bottom in Korean and in English
in the browser's own Python (Pyodide), its console changes the diagram, an exercise passes its
``vpclab.check`` cells, survives a reload, and the downloaded notebook is graded by ``vpclab grade``.

Every request must stay on 127.0.0.1: the browser aborts any other (``blocked_requests``), and the
tests check that there were none, so a CDN or PyPI request anywhere in the site fails them.
"""

from __future__ import annotations

import csv
import functools
import json
import os
import re
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .conftest import HOST, free_port
from .console_page import ConsolePage, expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
LESSON = "04_build_step_by_step.ipynb"
EXERCISE = "a01_web_server"
SITE_BUILD_TIMEOUT = 600  # s: the first build on a fresh machine downloads Pyodide and the wheels
RUN_TIMEOUT = 240_000  # ms: Pyodide starts, then runs every cell of the lesson

# JupyterLab's own words in the site, per language (the Korean ones from its language pack).
UI = {
    "en": {"app": "lab", "run": "Run", "run_all": "Run All Cells", "idle": "Idle"},
    "ko": {"app": "lab-ko", "run": "실행", "run_all": "모든 셀 실행", "idle": "대기"},
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site, built by the same command a teacher runs, from the downloads ``scripts/dev.py test``
    fetched into the user's cache before the tests (offline: tests talk to loopback only)."""
    output = tmp_path_factory.mktemp("lite") / "site"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_site.py"), "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=SITE_BUILD_TIMEOUT,
        check=False,
        env={**os.environ, "VPCLAB_OFFLINE": "1"},
    )
    assert done.returncode == 0, (
        f"the site build failed (downloads: `scripts/build_site.py --fetch`):\n{done.stdout}\n{done.stderr}"
    )
    return output


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest's output for failures
        pass


@pytest.fixture(scope="module")
def site_url(site: Path):
    """The site on a free 127.0.0.1 port, served as plain static files."""
    server = ThreadingHTTPServer((HOST, free_port()), functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{HOST}:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def open_notebook(page, site_url: str, lang: str, path: str) -> None:
    page.goto(f"{site_url}/{UI[lang]['app']}/index.html?path={path}")
    # The status bar names the kernel and its state: "Python (Pyodide) | Idle" once started.
    expect(page.get_by_text(re.compile(rf"Pyodide\) \| {UI[lang]['idle']}$"))).to_be_visible(timeout=RUN_TIMEOUT)


def run_all_and_wait(page, lang: str) -> None:
    """Run > Run All Cells; back when every code cell has run, or as soon as one fails (Run All stops
    there), so a failing cell shows its traceback instead of a timeout."""
    page.get_by_role("menuitem", name=UI[lang]["run"], exact=True).click()
    page.get_by_role("menuitem", name=re.compile("^" + re.escape(UI[lang]["run_all"]))).click()
    done_or_failed = f"() => ({ALL_RAN}) || document.querySelector('{ERROR_OUTPUT}') !== null"
    page.wait_for_function(done_or_failed, timeout=RUN_TIMEOUT)


def all_ran(page) -> bool:
    return page.evaluate(f"() => {ALL_RAN}")


# Every code cell has an execution count: "[ ]" (not run) and "[*]" (running) do not.
ALL_RAN = """[...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].every(
    p => /^\\[\\d+\\]:$/.test(p.textContent.trim()))"""
ERROR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'


def error_outputs(page) -> list[str]:
    """Tracebacks and anything written to stderr, as the page shows them."""
    return page.locator(ERROR_OUTPUT).all_inner_texts()


def cell_count(page) -> int:
    return page.locator(".jp-CodeCell").count()


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_lesson_04_runs_in_the_browser_and_its_console_changes_the_diagram(lang, site_url, browser_tab):
    page = browser_tab.page
    if lang == "en":
        # The entry page opens the start-here lesson (in English for an English browser).
        page.goto(site_url + "/")
        expect(page.get_by_role("tab", name=re.compile("00_start_here"))).to_be_visible()
    open_notebook(page, site_url, lang, f"notebooks/{lang}/{LESSON}")
    expected_cells = sum(cell["cell_type"] == "code" for cell in lesson_cells(lang))
    assert cell_count(page) == expected_cells
    run_all_and_wait(page, lang)
    assert error_outputs(page) == []
    assert all_ran(page)

    # The lesson's console (the code cell that makes one): the Korean lesson's console speaks Korean,
    # so the library chose the notebook folder's language in the browser too.
    code = [cell for cell in lesson_cells(lang) if cell["cell_type"] == "code"]
    console_index = next(i for i, cell in enumerate(code) if "vpclab.Console(" in "".join(cell["source"]))
    console_cell = page.locator(".jp-CodeCell").nth(console_index)
    console_cell.scroll_into_view_if_needed()
    diagram = console_cell.locator(".vpclab-diagram svg")
    expect(diagram).to_have_count(1)
    expect(diagram.locator("text").first).to_be_visible()
    before = diagram.inner_html()
    # One click: "Add route" with the console's defaults (0.0.0.0/0 to the gateway, on the first
    # route table: the main one, which the private subnet uses) redraws the diagram.
    console = ConsolePage(page, lang)
    console.tab("routes_tab").click()
    console.button("add_route").click()
    # The front end may draw the new picture into a new <svg>: look it up again each time.
    page.wait_for_function(
        "([cell, before]) => { const svg = cell.querySelector('.vpclab-diagram svg'); "
        "return svg !== null && svg.innerHTML !== before; }",
        arg=[console_cell.element_handle(), before],
    )
    assert error_outputs(page) == []
    assert browser_tab.blocked_requests == []


def lesson_cells(lang: str) -> list[dict]:
    return json.loads((ROOT / "notebooks" / lang / LESSON).read_text())["cells"]


def solution_answers() -> dict[str, str]:
    """The master solution's answer cells, by nbgrader id, without the solution markers."""
    cells = json.loads((ROOT / "solutions" / "en" / f"{EXERCISE}.ipynb").read_text())["cells"]
    answers = {}
    for cell in cells:
        if "_answer_" in grade_id_of(cell):
            lines = "".join(cell["source"]).splitlines()
            answers[grade_id_of(cell)] = "\n".join(line for line in lines if "### " not in line)
    return answers


def grade_id_of(cell: dict) -> str:
    return cell["metadata"].get("nbgrader", {}).get("grade_id", "")


def type_into_cell(page, index: int, text: str) -> None:
    cell = page.locator(".jp-CodeCell").nth(index)
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def test_an_exercise_passes_its_checks_survives_a_reload_and_its_download_is_graded(site_url, browser_tab, tmp_path):
    page = browser_tab.page
    path = f"exercises/en/{EXERCISE}.ipynb"
    open_notebook(page, site_url, "en", path)
    cells = json.loads((ROOT / path).read_text())["cells"]
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    answers = solution_answers()
    for index, cell in enumerate(code):
        if grade_id_of(cell) in answers:
            type_into_cell(page, index, answers[grade_id_of(cell)])
    run_all_and_wait(page, "en")
    assert error_outputs(page) == []
    assert all_ran(page)
    checks = [i for i, cell in enumerate(code) if "assert_check(" in "".join(cell["source"])]
    assert checks, "the exercise has no check cells"

    # Saved in the browser's storage: a reload brings the answers back.
    page.keyboard.press("Control+s")
    expect(page.locator(".jp-mod-dirty")).to_have_count(0)
    page.reload()
    open_notebook(page, site_url, "en", path)
    first_answer = next(i for i, cell in enumerate(code) if grade_id_of(cell) in answers)
    expect(page.locator(".jp-CodeCell").nth(first_answer)).to_contain_text("create_internet_gateway")

    # File → Download gives the .ipynb a learner hands in; the grader scores it in full.
    page.get_by_role("menuitem", name="File", exact=True).click()
    with page.expect_download() as download:
        page.get_by_role("menuitem", name=re.compile("^Download")).click()
    submission = tmp_path / "submissions" / f"{EXERCISE}.ipynb"
    submission.parent.mkdir()
    download.value.save_as(submission)
    out = tmp_path / "grades"
    graded = subprocess.run(
        [sys.executable, "-m", "vpclab", "grade", str(submission), "--assignment", EXERCISE, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert graded.returncode == 0, graded.stderr
    (row,) = csv.DictReader((out / "grades.csv").open())
    assert float(row["max_score"]) > 0 and row["score"] == row["max_score"], row
    assert browser_tab.blocked_requests == []
