"""In the browser (Pyodide, sys.platform "emscripten") vpclab says what it cannot do, in both
languages, instead of failing with a traceback: no ``dot`` process to draw a static picture, no
grader (it starts a Python process per submission)."""

from __future__ import annotations

import sys

import pytest

import vpclab
from vpclab.model.i18n import tr
from vpclab.model.runtime import BrowserUnsupportedError, in_browser, require_processes


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setattr(sys, "platform", "emscripten")


def test_a_local_python_is_not_the_browser():
    assert not in_browser()
    require_processes("grade")  # nothing to refuse


def test_grading_in_the_browser_is_refused_in_both_languages_before_anything_starts(browser, tmp_path):
    from vpclab.grading.batch import grade

    with pytest.raises(BrowserUnsupportedError) as refused:
        grade([str(tmp_path / "missing.ipynb")], "a01_web_server", tmp_path / "out")
    assert refused.value.code == "BrowserUnsupported"
    message = str(refused.value)
    assert tr("browser.grade", "en") in message and tr("browser.grade", "ko") in message
    assert not (tmp_path / "out").exists()


def test_without_a_dot_process_the_display_says_why_in_both_languages_and_reads_the_diagram_out(browser, monkeypatch):
    from vpclab.render import display

    def no_process(*args, **kwargs):
        raise OSError(38, "Function not implemented")  # what subprocess does in Pyodide

    monkeypatch.setattr("subprocess.run", no_process)
    monkeypatch.setattr("subprocess.Popen", no_process)
    lab = vpclab.Lab()
    lab.create_vpc("10.0.0.0/16", name="lab-vpc")
    html = display.lab_display_html(lab, "ko")
    assert "vpclab-no-dot" in html
    assert tr("diagram.no_dot_browser", "ko") in html and tr("diagram.no_dot_browser", "en") in html
    assert "lab-vpc" in html
