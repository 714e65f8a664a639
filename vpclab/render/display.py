"""How a lab shows itself in Jupyter: the live diagram as inline SVG, then the tables.

Where Graphviz's ``dot`` is missing the learner sees a clear bilingual message and a text reading of
the diagram instead of a traceback.
"""

from __future__ import annotations

from html import escape

import graphviz

from ..model.i18n import LANGUAGES, check_language, tr
from ..model.runtime import in_browser
from .diagram import diagram
from .exposure import exposure_html
from .reading import diagram_text
from .tables import lab_html, unsupported_html


def svg(lab, highlight=None, lang: str | None = None, report=None) -> str | None:
    """The diagram as SVG text, or None when Graphviz's ``dot`` is not installed (or cannot be
    started at all: in the browser, starting a process raises OSError)."""
    try:
        return diagram(lab, highlight, lang, report).pipe(format="svg", encoding="utf-8")
    except (graphviz.ExecutableNotFound, OSError):
        return None


def no_dot_html(lab, lang: str, report=None) -> str:
    other = next(x for x in LANGUAGES if x != lang)
    key = "diagram.no_dot_browser" if in_browser() else "diagram.no_dot"
    return (
        f'<div class="vpclab-no-dot" role="alert"><p><b>{escape(tr(key, lang))}</b><br>'
        f"<small>{escape(tr(key, other))}</small></p>"
        f"<pre>{escape(diagram_text(lab, lang, report))}</pre></div>"
    )


# Graphviz sizes the SVG in points; in a narrow notebook column it should shrink, not overflow.
DIAGRAM_STYLE = "<style>.vpclab-diagram svg{max-width:100%;height:auto}</style>"


def lab_tables_html(lab, lang: str, report) -> str:
    """What a displayed lab shows under its diagram: the exposure table and the resource tables."""
    return (
        f"{exposure_html(report, lang)}{unsupported_html(lab, lang)}"
        f"<details><summary>{escape(tr('diagram.details', lang))}</summary>{lab_html(lab, lang)}</details>"
    )


def lab_display_html(lab, lang: str | None = None) -> str:
    """The static display (no kernel: nbconvert, GitHub): SVG from a system ``dot``, else the text."""
    lang = check_language(lang)
    report = lab.exposure()
    picture = svg(lab, lang=lang, report=report)
    head = f'<div class="vpclab-diagram">{picture}</div>' if picture is not None else no_dot_html(lab, lang, report)
    return f'<div class="vpclab">{DIAGRAM_STYLE}{head}{lab_tables_html(lab, lang, report)}</div>'
