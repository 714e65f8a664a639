"""Keep the committed notebooks clean and their executed copies, which CI checks, up to date.

    python scripts/notebooks.py clean   [NOTEBOOK...]   # strip outputs, execution counts, widget state
    python scripts/notebooks.py check   [NOTEBOOK...]   # exit 1 if a notebook is not clean
    python scripts/notebooks.py refresh [LESSON...]     # run lessons, rewrite their executed copies

Notebooks are committed without outputs or execution counts, so a learner (or GitHub, nbviewer) never
sees an answer before running the cell that computes it. What nbval compares lives beside the tests:
``tests/notebooks/executed/<lang>/<lesson>.ipynb`` holds the lesson's code cells (same ids, tags and
source) with the plain-text outputs of the cells tagged ``nbval-check-output``, which must be
language-independent (codes, ids, addresses, True/False). ``refresh`` runs each lesson in its own folder
(as Jupyter and nbval do, so ``vpclab.set_language("auto")`` picks the folder's language) and writes
that copy. Without arguments the commands act on notebooks/, exercises/ and solutions/ (``refresh``:
the lessons in notebooks/).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXECUTED = ROOT / "tests" / "notebooks" / "executed"
CHECKED = "nbval-check-output"
TEXT_ONLY = ("text/plain",)


def _notebooks(args: list[str], trees=("notebooks", "exercises", "solutions")) -> list[Path]:
    if args:
        return [Path(a).resolve() for a in args]
    return sorted(p for d in trees for p in (ROOT / d).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def executed_path(lesson: Path) -> Path:
    """Where the executed copy of ``notebooks/<lang>/<name>.ipynb`` lives."""
    return EXECUTED / lesson.parent.name / lesson.name


def _text_outputs(outputs: list[dict]) -> list[dict]:
    kept = []
    for output in outputs:
        if output.get("output_type") == "stream":
            kept.append({"output_type": "stream", "name": output["name"], "text": output["text"]})
        elif output.get("output_type") in ("execute_result", "display_data"):
            data = {k: v for k, v in output.get("data", {}).items() if k in TEXT_ONLY}
            if data:
                kind = output["output_type"]
                extra = {"execution_count": None} if kind == "execute_result" else {}
                kept.append({"output_type": kind, "data": data, "metadata": {}, **extra})
    return kept


def _tidy_metadata(cell: dict) -> None:
    cell.get("metadata", {}).pop("execution", None)
    cell.get("metadata", {}).pop("collapsed", None)


def cleaned(notebook: dict) -> dict:
    """The notebook as committed: no outputs, no execution counts, no widget state."""
    notebook.setdefault("metadata", {}).pop("widgets", None)
    for cell in notebook.get("cells", []):
        _tidy_metadata(cell)
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return notebook


def executed_copy(notebook: dict) -> dict:
    """An executed lesson reduced to what nbval compares: its code cells, with the text outputs of
    the checked ones. nbval refuses a stored output without an execution count ("Unrun reference cell
    has outputs"), so a checked cell keeps one: its place among the code cells, the same on every run."""
    notebook.setdefault("metadata", {}).pop("widgets", None)
    notebook["cells"] = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
    for count, cell in enumerate(notebook["cells"], start=1):
        _tidy_metadata(cell)
        checked = CHECKED in cell.get("metadata", {}).get("tags", [])
        cell["outputs"] = _text_outputs(cell.get("outputs", [])) if checked else []
        cell["execution_count"] = count if cell["outputs"] else None
        for output in cell["outputs"]:
            if output["output_type"] == "execute_result":
                output["execution_count"] = cell["execution_count"]
    return notebook


def dump(notebook: dict) -> str:
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def run(path: Path) -> dict:
    """``path`` executed top to bottom in a fresh kernel started in its own folder."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return json.loads(nbformat.writes(notebook))


def refresh(lesson: Path) -> Path:
    """Run ``lesson`` and write its executed copy; the lesson itself is left clean."""
    target = executed_path(lesson)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump(executed_copy(run(lesson))), encoding="utf-8")
    lesson.write_text(dump(cleaned(json.loads(lesson.read_text(encoding="utf-8")))), encoding="utf-8")
    return target


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("clean", "refresh", "check"):
        print(__doc__)
        return 2
    command = argv[0]
    if command == "refresh":
        for lesson in _notebooks(argv[1:], trees=("notebooks",)):
            print(f"refreshed {refresh(lesson).relative_to(ROOT)}")
        return 0
    dirty = []
    for path in _notebooks(argv[1:]):
        text = path.read_text(encoding="utf-8")
        result = dump(cleaned(json.loads(text)))
        if command == "check" and result != text:
            dirty.append(path)
        elif command == "clean":
            path.write_text(result, encoding="utf-8")
    for path in dirty:
        print(f"not clean: {path.relative_to(ROOT)} (run: python scripts/notebooks.py clean)")
    return 1 if dirty else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
