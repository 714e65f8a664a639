"""``Console``: the interactive lab — the live diagram across the whole width, the controls and what
they did below it, then the exposure table.

No logic of its own: every button calls a Lab verb, the engine or the renderer. After each action
the diagram animates to the new picture (drawn in the browser, ``render.live``) with what the action
changed marked for a moment, and the exposure table is redrawn; a refused action shows its AWS error code
and both languages' messages and changes nothing; beside each action the console shows the vpclab
call and the AWS CLI command. Errors inside callbacks are always shown, never lost.
"""

from __future__ import annotations

import traceback
from html import escape

import ipywidgets as widgets

from ..model.errors import InvalidParameterError, VpcLabError
from ..model.history import MARKERS
from ..model.i18n import LANGUAGES, get_language, set_language, tr
from ..render.analysis import analysis_html
from ..render.changes import changed
from ..render.commands import aws_cli, python_call
from ..render.diagram import diagram
from ..render.exposure import exposure_html
from ..render.live import DiagramWidget
from ..render.reading import diagram_text
from .goal import GoalIndicator
from .panels import TOOLS, build_panel

__all__ = ["TOOLS", "Console"]

# The tool tabs wrap onto a second row instead of shrinking their titles to a few letters.
CONSOLE_STYLE = """<style>
.vpclab-console .widget-tab > .lm-TabBar .lm-TabBar-content{flex-wrap:wrap}
.vpclab-console .widget-tab > .lm-TabBar .lm-TabBar-tab{flex:0 0 auto;max-width:none}
.vpclab-console .widget-tab > .lm-TabBar{height:auto;min-height:var(--jp-widgets-horizontal-tab-height)}
</style>"""


class Console(widgets.VBox):
    """The lab console. ``tools`` restricts it to some of ``TOOLS`` (default: all).

    Attributes a test (or a curious learner) can drive: ``panels`` (tool name → panel with its
    controls), ``message``, ``code``, ``diagram`` (the ``DiagramWidget``: its ``dot``, ``marked``
    and ``caption``), ``exposure_table``, ``history``, ``undo_button``, ``language``; with ``goal=``
    (see ``goal.py``), ``goal`` shows it met or not yet after every action, beside the language switch.
    """

    def __init__(self, lab, tools=None, goal=None) -> None:
        chosen = list(TOOLS) if tools is None else list(tools)
        unknown = [t for t in chosen if t not in TOOLS]
        if unknown:
            raise InvalidParameterError(
                "InvalidParameterValue", "InvalidParameterValue:tool", value=", ".join(unknown), tools=", ".join(TOOLS)
            )
        self.lab, self.tools = lab, chosen
        self.lang = get_language()
        self._snapshots: list[str] = []
        self._highlight = None
        self._drawn: dict[str, str] | None = None  # what the diagram showed last, to mark what changed
        self._message = self._code = None
        self._labels: list[tuple[object, str, str]] = []  # (widget, attribute, catalog key)
        self.message = widgets.HTML(layout=widgets.Layout(min_height="2.5em"))
        self.code = widgets.HTML()
        self.diagram = DiagramWidget(layout=widgets.Layout(width="100%"))
        self.exposure_table = widgets.HTML()
        self.cost_table = widgets.HTML()
        self.text_alternative = widgets.HTML()
        self.history = widgets.HTML()
        self.language = widgets.ToggleButtons(options=[("한국어", "ko"), ("English", "en")], value=self.lang)
        self.language.observe(self._guarded(self._switch_language), names="value")
        self.undo_button = self.button("console.undo", self.undo, icon="undo")
        self.panels = {name: build_panel(name, self) for name in chosen}
        self.goal = GoalIndicator(goal, lab, self.lang) if goal is not None else None
        self.tabs = widgets.Tab(children=[p.box for p in self.panels.values()], layout=widgets.Layout(width="100%"))
        self.goal_slot = widgets.Box([self.goal] if self.goal else [], layout=widgets.Layout(flex="1 1 auto"))
        # The diagram takes the whole width (readable at 1366×768 with JupyterLab's file browser
        # open); the controls and what they did sit side by side below it when there is room,
        # stacked when there is not; nothing is wider than the output area.
        controls = widgets.VBox(
            [self.tabs, self.undo_button], layout=widgets.Layout(flex="1 1 420px", min_width="0", max_width="100%")
        )
        feedback = widgets.VBox(
            [self.message, self.code, self.history],
            layout=widgets.Layout(flex="1 1 320px", min_width="0", max_width="100%", overflow="hidden"),
        )
        super().__init__(
            [
                widgets.HTML(CONSOLE_STYLE, layout=widgets.Layout(display="none")),
                widgets.HBox([self.language, self.goal_slot], layout=widgets.Layout(flex_flow="row wrap")),
                self.diagram,
                widgets.HBox([controls, feedback], layout=widgets.Layout(flex_flow="row wrap", width="100%")),
                self.exposure_table,
                self.cost_table,
                self.text_alternative,
            ],
            layout=widgets.Layout(width="100%", max_width="100%", overflow="hidden"),
        )
        self.add_class("vpclab-console")
        self._apply_labels()
        self.refresh()

    # ---- building blocks used by the panels --------------------------------------------------------
    def label(self, widget, key: str, attribute: str = "description"):
        """Register a widget attribute that shows catalog text, so the ko/en switch can change it."""
        self._labels.append((widget, attribute, key))
        return widget

    def button(self, key: str, handler, icon: str = "", style: str = ""):
        button = widgets.Button(icon=icon, button_style=style, layout=widgets.Layout(width="auto"))
        self.label(button, key)
        self.label(button, key + ".help", "tooltip")
        button.on_click(self._guarded(lambda _button: handler()))
        return button

    def choices(self, widget, pairs: list[tuple[str, object]]):
        """Give a selection widget options whose labels follow the language (keys into the catalogs)."""
        self._labels.append((widget, "options", pairs))
        return widget

    def _apply_labels(self) -> None:
        for widget, attribute, key in self._labels:
            if attribute == "options":
                value = widget.value
                widget.options = [(tr(k, self.lang) if k.startswith("console.") else k, v) for k, v in key]
                widget.value = value
                continue
            text = tr(key, self.lang)
            setattr(widget, attribute, "" if text == key else text)
        self.tabs.titles = tuple(tr(f"console.tool.{name}", self.lang) for name in self.panels)

    def _guarded(self, handler):
        """A callback whose failures reach the learner: the AWS code, or the Python error itself."""

        def run(*args):
            try:
                return handler(*args)
            except VpcLabError as error:
                self.show_error(error)
            except Exception as error:  # shown, never swallowed
                # Python unbinds ``error`` after the except block; the message is kept for the ko/en switch.
                text = (
                    f'<div role="alert" style="color:#e0403a"><b>{escape(type(error).__name__)}</b>: '
                    f"{escape(str(error))}<pre>{escape(traceback.format_exc(limit=3))}</pre></div>"
                )
                self.say(lambda lang: text)

        return run

    # ---- actions -----------------------------------------------------------------------------------
    def act(self, action: str, *args, **kwargs):
        """Run one lab verb; show its outcome and its code; keep a snapshot for undo."""
        before = self.lab.to_json()
        try:
            result = getattr(self.lab, action)(*args, **kwargs)
        except VpcLabError as error:
            self.show_error(error)
            self.show_code(action, args, kwargs)
            return None
        self._snapshots.append(before)
        self._highlight = None
        outcome = f" → {_result_text(result)}" if result is not None else ""
        self.say(
            lambda lang: (
                f'<div role="status" style="color:#2e9d4f">✔ '
                f"{escape(tr('console.done', lang, action=action) + outcome)}</div>"
            )
        )
        self.show_code(action, args, kwargs)
        self.refresh()
        return result

    def undo(self) -> None:
        if not self._snapshots:
            self.say(lambda lang: f'<div role="status">{escape(tr("console.nothing_to_undo", lang))}</div>')
            return
        history = self.lab.history  # the snapshot's history ends before the undone action: keep the full story
        self.lab.restore(self._snapshots.pop())
        # ``to``: how much of the history the restored state had, so a replay (the grader's) also
        # undoes the typed calls made since the console's last action, as this restore did.
        undo = {"action": "undo", "args": [], "kwargs": {"to": len(self.lab.history)}, "result": None}
        self.lab.history = [*history, undo]
        self._highlight = None
        self.say(lambda lang: f'<div role="status">↶ {escape(tr("console.undone", lang))}</div>')
        self.refresh()

    def say(self, render) -> None:
        """Show a message; ``render(lang)`` is kept so the ko/en switch can show it again, translated."""
        self._message = render
        self.message.value = render(self.lang)

    def show_error(self, error: VpcLabError) -> None:
        def render(lang: str) -> str:
            other = next(x for x in LANGUAGES if x != lang)
            return (
                f'<div role="alert" style="color:#e0403a">✘ <b>{escape(error.code)}</b>: {escape(error.message(lang))}'
                f"<br><small>{escape(error.message(other))}</small></div>"
            )

        self.say(render)

    def show_code(self, action: str, args, kwargs) -> None:
        self._code = (action, args, kwargs)
        try:
            cli = aws_cli(action, *args, **kwargs)
        except VpcLabError:  # arguments the lab refused: the vpclab call alone, the error stays shown
            cli = None
        call = python_call(action, *args, **kwargs)
        rows = [f"<div>{escape(tr('console.python', self.lang))}</div><pre>{escape(call)}</pre>"]
        if cli:
            rows.append(f"<div>{escape(tr('console.cli', self.lang))}</div><pre>{escape(cli)}</pre>")
        self.code.value = "".join(rows)

    def test(self, source, destination, protocol, port, ip_version=None) -> None:
        analysis = self.lab.analyze(source, destination, protocol, port, ip_version=ip_version)
        self._highlight = analysis
        self.refresh()

    # ---- view --------------------------------------------------------------------------------------
    def _switch_language(self, change) -> None:
        self.lang = change["new"]
        self._drawn = None  # every label changes with the language: nothing to mark
        set_language(self.lang)
        self._apply_labels()
        if self._message is not None:
            self.message.value = self._message(self.lang)
        if self._code is not None:
            self.show_code(*self._code)
        self.refresh()

    def refresh(self) -> None:
        """Redraw the diagram, the exposure table, the text reading and the choices of every control."""
        report = self.lab.exposure()
        graph = diagram(self.lab, self._highlight, self.lang, report)
        marked = changed(self.lab, self._drawn, graph.drawn)
        self._drawn = graph.drawn
        # The picture goes to the browser first: it lays it out while the kernel builds the rest.
        self.diagram.show(graph, self.lang, marked=marked, caption=self._caption(marked))
        reading = diagram_text(self.lab, self.lang, report)
        self.diagram.reading = reading
        self.exposure_table.value = exposure_html(report, self.lang)
        self.cost_table.value = self._cost_html()
        self.text_alternative.value = (
            f"<details><summary>{escape(tr('console.text_alternative', self.lang))}</summary>"
            f"<pre>{escape(reading)}</pre></details>"
        )
        self.history.value = self._history_html()
        if "tester" in self.panels:
            tested = self._highlight
            self.panels["tester"].result.value = analysis_html(tested, self.lang) if tested is not None else ""
        for panel in self.panels.values():
            panel.refresh()
        if self.goal is not None:
            self.goal.refresh(self.lang)

    def _caption(self, marked) -> str:
        if not marked or not self.lab.history:
            return ""
        action = self.lab.history[-1]["action"]
        if action in MARKERS:
            return tr("diagram.changed_undo", self.lang)
        return tr("diagram.changed", self.lang, action=action)

    def _cost_html(self) -> str:
        """What the network would cost for a month in a real account (public IPv4, NAT gateways)."""
        monthly = self.lab.cost(hours=730, currency="USD")
        won = self.lab.cost(hours=730, currency="KRW")
        summary = tr("console.cost", self.lang, usd=monthly.money(monthly.total), krw=won.money(won.total))
        return f"<details><summary>{escape(summary)}</summary>{monthly._repr_html_(self.lang)}</details>"

    def _history_html(self) -> str:
        recent = self.lab.history[-8:]
        if not recent:
            return ""
        calls = [e["action"] if e["action"] in MARKERS else python_call(e["action"], *e["args"], **e["kwargs"])
                 for e in recent]  # fmt: skip
        items = "".join(f"<li>{escape(call)}</li>" for call in calls)
        title = tr("console.history", self.lang, count=len(self.lab.history))
        return f"<details><summary>{escape(title)}</summary><ol>{items}</ol></details>"


def _result_text(result) -> str:
    """What a verb returned, as a learner reads it: an id, the addresses (not Python's repr of a list of
    ``IPv6Address``), the Region's Block Public Access mode (not the options object)."""
    if isinstance(result, list | tuple):
        return ", ".join(_result_text(item) for item in result)
    mode = getattr(result, "internet_gateway_block_mode", None)
    if mode is not None:
        return str(getattr(mode, "value", mode))
    return getattr(result, "id", None) or str(result)
