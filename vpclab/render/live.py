"""The diagram drawn in the browser: an anywidget whose front end lays the DOT source out with Graphviz
compiled to WebAssembly and animates from one layout to the next (d3-graphviz).

The front end is ``vpclab/static/diagram.js``, built from the pinned npm packages in ``js/`` by
``npm ci && npm run build`` (a test rebuilds it and compares). It needs no server extension, no CDN
and no system Graphviz, so the lab works the same in JupyterLab, Notebook 7, Voilà, VS Code and
JupyterLite. Viewers without a kernel (nbconvert, GitHub) get the static fallback of the same
mime bundle: the SVG from a system ``dot`` when there is one, else the text reading.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import anywidget
import traitlets

from ..model.i18n import check_language, tr
from .diagram import diagram, dom_id
from .reading import diagram_text

BUNDLE = Path(__file__).resolve().parent.parent / "static" / "diagram.js"
_TOOLBAR = ("fit", "expand", "collapse", "fullscreen", "hint")


def toolbar_labels(lang: str) -> dict[str, str]:
    return {key: tr(f"diagram.tool.{key}", lang) for key in _TOOLBAR}


class DiagramWidget(anywidget.AnyWidget):
    """The live diagram. ``dot`` is what it draws; ``marked`` the ids of the drawn elements to mark
    for a moment (what the last action changed); ``caption`` says in words what was marked;
    ``reading`` is the text alternative a screen reader gets."""

    _esm = BUNDLE
    dot = traitlets.Unicode("").tag(sync=True)
    marked = traitlets.List(traitlets.Unicode()).tag(sync=True)
    caption = traitlets.Unicode("").tag(sync=True)
    reading = traitlets.Unicode("").tag(sync=True)
    labels = traitlets.Dict().tag(sync=True)

    def show(self, graph, lang: str, reading: str | None = None, marked=(), caption: str = "") -> None:
        """Draw ``graph`` (a DOT source or a ``graphviz.Digraph``); one message to the browser.

        ``reading`` None leaves the text alternative as it is (the console sends it just after, so
        the browser can start the layout sooner)."""
        source = graph if isinstance(graph, str) else graph.source
        with self.hold_sync():
            # ``marked`` goes before ``dot``: the front end reads it once the new layout is drawn.
            self.marked = [dom_id(name) for name in marked]
            self.caption = caption
            if reading is not None:
                self.reading = reading
            self.labels = toolbar_labels(lang)
            self.dot = source


def static_html(graph, fallback_text: str) -> str:
    """What a viewer without a kernel shows: the SVG when a system ``dot`` exists, else the text."""
    import graphviz

    try:
        picture = graph.pipe(format="svg", encoding="utf-8")
    except (graphviz.ExecutableNotFound, OSError):  # OSError: no process at all (the browser's Pyodide)
        return f'<div class="vpclab-diagram"><pre>{escape(fallback_text)}</pre></div>'
    return (
        "<style>.vpclab-diagram svg{max-width:100%;height:auto}</style>"
        f'<div class="vpclab-diagram" role="img" aria-label="{escape(fallback_text)}">{picture}</div>'
    )


def graph_bundle(graph, lang: str | None = None, reading: str = "") -> dict:
    """The mime bundle of a diagram: the live widget, with the static picture beside it."""
    lang = check_language(lang)
    widget = DiagramWidget()
    widget.show(graph, lang, reading=reading)
    bundle = widget._repr_mimebundle_() or {}
    if isinstance(bundle, tuple):  # (data, metadata)
        bundle = bundle[0]
    return {**bundle, "text/html": static_html(graph, reading or graph.source)}


def lab_bundle(lab, lang: str | None = None) -> dict:
    """A displayed lab: the live diagram above the exposure table and the resource tables."""
    import ipywidgets

    from .display import lab_display_html, lab_tables_html

    lang = check_language(lang)
    report = lab.exposure()
    graph = diagram(lab, lang=lang, report=report)
    widget = DiagramWidget()
    widget.show(graph, lang, reading=diagram_text(lab, lang, report))
    box = ipywidgets.VBox([widget, ipywidgets.HTML(lab_tables_html(lab, lang, report))])
    bundle = box._repr_mimebundle_() or {}
    if isinstance(bundle, tuple):
        bundle = bundle[0]
    return {**bundle, "text/html": lab_display_html(lab, lang)}
