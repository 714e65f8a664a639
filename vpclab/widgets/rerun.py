"""Running a notebook cell again is safe: each lab first goes back to where it was before the cell ran.

A lesson cell such as ``igw = lab.create_internet_gateway(...); lab.attach_internet_gateway(igw, vpc)``
changes the lab. Run twice, it would make a second gateway and fail to attach it, leaving ``igw`` on a
detached gateway the next cells do not expect. In a Jupyter kernel, ``import vpclab`` registers a
``pre_run_cell`` hook: before a cell runs, every lab the notebook holds (a variable, or a ``.lab``
attribute such as a scenario's) is saved, and kept for the labs the cell changed; when the same cell (by
its cell id) runs again, each of those labs that still exists is put back to that saved state first, in
place, so the objects the learner holds stay live and the ids come out the same. Running an earlier cell
that changed a lab again therefore also undoes what came after it, as if the notebook were run again from
that cell down. A cell that only looks (``task.check()``, ``lab.exposure()``) changes nothing, so running
it again never undoes what the learner did in the console meanwhile.

A lab created by the cell itself is simply created again. Outside a kernel (scripts, tests) nothing is
registered; a front end that sends no cell id gets no rewinding.
"""

from __future__ import annotations

import sys
import weakref

from ..model.core import LabCore


class RerunGuard:
    """The ``pre_run_cell`` hook of one shell: cell id → the labs and their states before its last run."""

    def __init__(self, namespace: dict) -> None:
        self.namespace = namespace
        self.saved: dict[str, list[tuple[weakref.ref, str]]] = {}

    def labs(self) -> list[LabCore]:
        found: dict[int, LabCore] = {}
        for value in list(self.namespace.values()):
            for candidate in (value, getattr(value, "lab", None) if not isinstance(value, type) else None):
                if isinstance(candidate, LabCore):
                    found[id(candidate)] = candidate
        return list(found.values())

    def before(self, cell_id: str | None) -> None:
        if not cell_id:
            return
        for ref, state in self.saved.get(cell_id, []):
            lab = ref()
            if lab is not None:
                lab.restore(state)
        self.saved[cell_id] = [(weakref.ref(lab), lab.to_json()) for lab in self.labs()]

    def after(self, cell_id: str | None) -> None:
        """Forget the labs the cell left unchanged: running it again must not rewind them."""
        if not cell_id or cell_id not in self.saved:
            return
        kept = []
        for ref, state in self.saved[cell_id]:
            lab = ref()
            if lab is not None and lab.to_json() != state:
                kept.append((ref, state))
        self.saved[cell_id] = kept

    def __call__(self, info) -> None:
        self.before(getattr(info, "cell_id", None))

    def finished(self, result) -> None:
        self.after(getattr(getattr(result, "info", None), "cell_id", None))


def install(shell=None) -> RerunGuard | None:
    """Register the guard with the running IPython shell (once); without one, do nothing."""
    if shell is None:
        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "events") or getattr(shell, "_vpclab_rerun_guard", None) is not None:
        return None
    guard = RerunGuard(shell.user_ns)
    shell.events.register("pre_run_cell", guard)
    shell.events.register("post_run_cell", guard.finished)
    shell._vpclab_rerun_guard = guard  # once per shell, however often vpclab is imported
    return guard
