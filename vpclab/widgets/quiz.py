"""``vpclab.quiz(id)``: a "predict, then check" question with instant feedback in the chosen language.

Questions live in the catalogs (``quiz.<id>.q``, ``quiz.<id>.1`` …, ``quiz.<id>.hint``,
``quiz.<id>.why``) and their answers in ``vpclab/data/quizzes/<lesson>.json``, so a lesson's code cell is the
same in Korean and English: ``vpclab.quiz("igw_one_per_vpc")``. A wrong answer gets a hint; the
explanation comes with the right answer, or after a second miss.

Without a kernel (GitHub, nbviewer, ``jupyter nbconvert --to html``, PDF) the widget cannot be drawn, so
its display also carries the question and its options as HTML and as plain text, never the answer.
"""

from __future__ import annotations

import json
from functools import cache
from html import escape
from pathlib import Path

import ipywidgets as widgets

from ..model.errors import InvalidParameterError
from ..model.i18n import check_language, tr

QUIZZES = Path(__file__).resolve().parent.parent / "data" / "quizzes"


@cache
def definitions() -> dict[str, dict]:
    """Quiz id → ``{"options": N, "answer": k}`` (k counts from 1), from one file per lesson."""
    found: dict[str, dict] = {}
    for path in sorted(QUIZZES.glob("*.json")):
        found.update(json.loads(path.read_text(encoding="utf-8")))
    return found


class Quiz(widgets.VBox):
    def __init__(self, quiz_id: str, lang: str | None = None) -> None:
        if quiz_id not in definitions():
            raise InvalidParameterError(
                "InvalidParameterValue", "InvalidParameterValue:quiz", value=quiz_id, quizzes=", ".join(definitions())
            )
        self.quiz_id, self.lang = quiz_id, check_language(lang)
        spec = definitions()[quiz_id]
        self.answer_index, self.misses = spec["answer"], 0
        key = f"quiz.{quiz_id}"
        self.question = widgets.HTML(f"<b>{escape(tr(key + '.q', self.lang))}</b>")
        self.options = widgets.RadioButtons(
            options=[(tr(f"{key}.{n}", self.lang), n) for n in range(1, spec["options"] + 1)],
            value=None,
            layout=widgets.Layout(width="auto"),
        )
        self.check_button = widgets.Button(description=tr("quiz.check", self.lang), button_style="primary")
        self.feedback = widgets.HTML(layout=widgets.Layout(min_height="1.5em"))
        self.check_button.on_click(lambda _button: self.check())
        super().__init__([self.question, self.options, self.check_button, self.feedback])

    def _repr_mimebundle_(self, **kwargs):
        """The widget view for a live kernel, and the question with its options, readable anywhere else."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        return {**bundle, "text/html": self.to_html(), "text/plain": self.to_text()}

    def _texts(self) -> tuple[str, list[str]]:
        key = f"quiz.{self.quiz_id}"
        count = definitions()[self.quiz_id]["options"]
        return tr(key + ".q", self.lang), [tr(f"{key}.{n}", self.lang) for n in range(1, count + 1)]

    def to_text(self) -> str:
        question, options = self._texts()
        return "\n".join([question, *(f"  {n}. {text}" for n, text in enumerate(options, start=1))])

    def to_html(self) -> str:
        question, options = self._texts()
        items = "".join(f"<li>{escape(text)}</li>" for text in options)
        note = escape(tr("quiz.static", self.lang))
        return (
            f'<div class="vpclab-quiz"><p><b>{escape(question)}</b></p><ol>{items}</ol>'
            f"<p><small>{note}</small></p></div>"
        )

    def answer(self, choice: int) -> bool:
        """Choose an option (counting from 1) and check it, as a click would."""
        self.options.value = choice
        return self.check()

    def check(self) -> bool:
        key = f"quiz.{self.quiz_id}"
        if self.options.value is None:
            self.feedback.value = f"<span>{escape(tr('quiz.choose', self.lang))}</span>"
            return False
        right = self.options.value == self.answer_index
        if right:
            text = f"✔ {tr('quiz.right', self.lang)} {tr(key + '.why', self.lang)}"
            colour = "#2e9d4f"
        else:
            self.misses += 1
            more = tr(key + ".why", self.lang) if self.misses >= 2 else tr(key + ".hint", self.lang)
            text, colour = f"✘ {tr('quiz.wrong', self.lang)} {more}", "#e0403a"
        self.feedback.value = f'<div role="status" style="color:{colour}">{escape(text)}</div>'
        return right
