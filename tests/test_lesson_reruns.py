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


class _Shell:
    """Just enough of IPython's shell for the guard: a namespace and an event registry."""

    def __init__(self) -> None:
        self.user_ns: dict = {}
        self.hooks: dict = {}
        self.events = self

    def register(self, name, hook) -> None:
        self.hooks[name] = hook

    def run(self, cell_id: str, code: str) -> None:
        info = type("Info", (), {"cell_id": cell_id})()
        self.hooks["pre_run_cell"](info)
        exec(code, self.user_ns)
        self.hooks["post_run_cell"](type("Result", (), {"info": info})())


def test_running_a_cell_that_changed_a_lab_again_puts_the_lab_back_first_and_keeps_the_objects_live():
    from vpclab.widgets.rerun import install

    shell = _Shell()
    install(shell)
    shell.run("a", 'import vpclab\nlab = vpclab.Lab()\nvpc = lab.create_vpc("10.0.0.0/16")')
    shell.run("b", 'igw = lab.create_internet_gateway(name="lab-igw")\nlab.attach_internet_gateway(igw, vpc)')
    first = shell.user_ns["igw"]
    shell.run("b", 'igw = lab.create_internet_gateway(name="lab-igw")\nlab.attach_internet_gateway(igw, vpc)')
    lab, vpc, igw = shell.user_ns["lab"], shell.user_ns["vpc"], shell.user_ns["igw"]
    assert len(lab.internet_gateways) == 1 and igw.id == first.id
    assert igw.attachments == [{"VpcId": vpc.id, "State": "available"}]


def test_running_a_cell_that_only_looks_again_keeps_what_the_learner_did_in_between():
    from vpclab.widgets.rerun import install

    shell = _Shell()
    install(shell)
    shell.run("a", 'import vpclab\nlab = vpclab.Lab()\nvpc = lab.create_vpc("10.0.0.0/16")')
    shell.run("look", "found = len(lab.subnets)")
    shell.user_ns["lab"].create_subnet(shell.user_ns["vpc"], "10.0.1.0/24")  # as the console would, between cells
    shell.run("look", "found = len(lab.subnets)")
    assert shell.user_ns["found"] == 1
