"""Every lesson cell is safe to run again: run each code cell twice, in order, and the lesson still passes.

The kernel gets each cell's id, as JupyterLab sends it (``metadata.cellId`` of the execute request), so
vpclab's re-run guard can put the labs back before the second run. "Still passes" is nbval's test: no cell
raises, and every checked cell shows the output stored in the lesson's executed copy (after the same
sanitizing nbval does).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("*/*.ipynb"))
CHECKED = "nbval-check-output"


def _sanitize(text: str) -> str:
    from nbval.plugin import get_sanitize_patterns

    cfg = (ROOT / "tests" / "notebooks" / "nbval_sanitize.cfg").read_text(encoding="utf-8")
    for regex, replacement in get_sanitize_patterns(cfg):
        text = re.sub(regex, replacement, text)
    return text


def _plain(cell) -> list[str]:
    texts = []
    for output in cell.get("outputs", []):
        text = output.get("text") if output.get("output_type") == "stream" else output.get("data", {}).get("text/plain")
        if text is not None:
            texts.append(_sanitize("".join(text) if isinstance(text, list) else text))
    return texts


def run_every_cell_twice(path: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    with client.setup_kernel():
        send = client.kc.execute
        current = {}

        def execute_with_cell_id(code, **kwargs):  # what JupyterLab sends: the cell id in the metadata
            content = {"code": code, "silent": False, "user_expressions": {}, "allow_stdin": False,
                       "store_history": kwargs.get("store_history", True),
                       "stop_on_error": kwargs.get("stop_on_error", True)}  # fmt: skip
            msg = client.kc.session.msg("execute_request", content, metadata={"cellId": current["id"]})
            client.kc.shell_channel.send(msg)
            return msg["header"]["msg_id"]

        client.kc.execute = execute_with_cell_id
        try:
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type != "code":
                    continue
                current["id"] = cell.id
                for _ in range(2):
                    client.execute_cell(cell, index)
        finally:
            client.kc.execute = send
    return notebook


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_running_every_cell_twice_leaves_the_lesson_passing(lesson):
    executed = json.loads((ROOT / "tests" / "notebooks" / "executed" / lesson.parent.name / lesson.name).read_text())
    expected = {c["id"]: _plain(c) for c in executed["cells"] if CHECKED in c.get("metadata", {}).get("tags", [])}
    ran = run_every_cell_twice(lesson)
    got = {c.id: _plain(c) for c in ran.cells if c.id in expected}
    assert got == expected
