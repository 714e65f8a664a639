"""``GoalIndicator``: the console's goal and a live done / not-yet mark, redrawn after every action.

A goal is any object with ``goal_text(lang)`` and ``met(lab)`` (``vpclab.practice(...)`` is one), so the
widgets layer needs nothing from grading: the console passes its lab, whatever way the learner changed it.
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from ..model.i18n import tr


class GoalIndicator(widgets.HTML):
    def __init__(self, goal, lab, lang: str) -> None:
        super().__init__(layout=widgets.Layout(min_height="2em"))
        self.goal, self.lab, self.lang = goal, lab, lang
        self.done = False
        self.refresh()

    def refresh(self, lang: str | None = None) -> None:
        self.lang = lang or self.lang
        try:
            self.done = bool(self.goal.met(self.lab))
        except Exception:  # a goal that cannot be judged is not met; the console shows the lab's own errors
            self.done = False
        mark, colour, key = ("✔", "#2e9d4f", "goal.done") if self.done else ("…", "#8a5a00", "goal.not_yet")
        self.value = (
            f'<div class="vpclab-goal" role="status" aria-live="polite" style="border-left:4px solid {colour};'
            f'padding:2px 8px"><b>{escape(tr("goal.label", self.lang))}</b> {escape(self.goal.goal_text(self.lang))}'
            f'<br><span style="color:{colour}">{mark} {escape(tr(key, self.lang))}</span></div>'
        )
