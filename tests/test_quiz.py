"""The lessons' quizzes: the right option gives itself away by nothing, and a quiz reads well without a kernel."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

import vpclab
from vpclab.model.i18n import tr
from vpclab.widgets.quiz import Quiz, definitions

LANGS = ("en", "ko")


def options(quiz_id: str, lang: str) -> list[str]:
    return [tr(f"quiz.{quiz_id}.{n}", lang) for n in range(1, definitions()[quiz_id]["options"] + 1)]


@pytest.mark.parametrize("lang", LANGS)
def test_the_right_option_is_the_longest_in_at_most_a_quarter_of_the_quizzes(lang):
    """Test-wise learners pick the longest option; it must not pay off."""
    longest = []
    for quiz_id, spec in definitions().items():
        lengths = [len(text) for text in options(quiz_id, lang)]
        if lengths[spec["answer"] - 1] == max(lengths):
            longest.append(quiz_id)
    assert len(longest) <= len(definitions()) // 4, longest


def test_the_right_answer_is_not_always_in_the_same_place():
    places = [spec["answer"] for spec in definitions().values()]
    assert max(places.count(k) for k in set(places)) <= len(places) // 2


@pytest.mark.parametrize("lang", LANGS)
def test_a_quiz_without_a_kernel_shows_its_question_and_options_but_not_the_answer(lang):
    quiz = Quiz("l01_route_needed", lang)
    bundle = quiz._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle  # the live widget, in a kernel
    for mime in ("text/html", "text/plain"):
        assert tr("quiz.l01_route_needed.q", lang) in bundle[mime] or tr("quiz.l01_route_needed.q", lang) in (
            bundle[mime].replace("&#x27;", "'")
        )
        assert "Quiz(" not in bundle[mime]
        assert tr("quiz.l01_route_needed.why", lang) not in bundle[mime]
    assert all(text in bundle["text/plain"] for text in options("l01_route_needed", lang))


@pytest.mark.slow
def test_nbconvert_to_html_renders_an_executed_quiz_as_readable_text(tmp_path):
    """What GitHub, nbviewer and ``jupyter nbconvert --to html`` show: the question and its options."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell('import vpclab\nvpclab.set_language("en")\nvpclab.quiz("l02_blackhole")')
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    notebook.metadata.pop("widgets", None)  # saved without widget state, as the kit's tools save notebooks
    path = tmp_path / "quiz.ipynb"
    nbformat.write(notebook, path)
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(path)], check=True, capture_output=True
    )
    html = (tmp_path / "quiz.html").read_text(encoding="utf-8")
    vpclab.set_language("en")
    assert "Quiz(children" not in html
    assert tr("quiz.l02_blackhole.q", "en").split(":")[0] in html.replace("&#x27;", "'")
    assert all(json.dumps(text)[1:12] in html for text in options("l02_blackhole", "en"))
