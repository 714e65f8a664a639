"""Where vpclab runs: a local Python, or Pyodide in a web browser (the JupyterLite site).

A browser's Python starts no process and sees none of the computer's files, so the few features that
need one (Graphviz's ``dot``, the grader's sandboxed kernels) say so in both languages instead of
failing with a traceback.
"""

from __future__ import annotations

import sys

from .errors import VpcLabError


def in_browser() -> bool:
    """True in Pyodide (JupyterLite), where Python runs in WebAssembly inside the page."""
    return sys.platform == "emscripten"


class BrowserUnsupportedError(VpcLabError, RuntimeError):
    """A feature that needs a process or the computer's files, asked for in the browser.

    Not an AWS refusal, so its code is vpclab's own: ``BrowserUnsupported``; ``what`` picks the
    message (``browser.<what>`` in the catalogs), which says where to do it instead.
    """

    def __init__(self, what: str) -> None:
        super().__init__("BrowserUnsupported", f"browser.{what}")


def require_processes(what: str) -> None:
    """Refuse ``what`` (a catalog suffix) in the browser, before anything half-starts."""
    if in_browser():
        raise BrowserUnsupportedError(what)
