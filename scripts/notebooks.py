"""Keep the committed notebooks small and deterministic.

    python scripts/notebooks.py clean   [NOTEBOOK...]   # strip outputs and widget state
    python scripts/notebooks.py refresh [NOTEBOOK...]   # run, keep only the checked text outputs
    python scripts/notebooks.py check   [NOTEBOOK...]   # exit 1 if a notebook is not clean

Notebooks are committed without outputs, except the plain-text outputs of cells tagged
``nbval-check-output``: those are what CI's nbval run compares, so they must be language-independent
(codes, ids, addresses, True/False). ``refresh`` runs each notebook in its own folder (as Jupyter
and nbval do, so ``vpclab.set_language("auto")`` picks the folder's language) and stores them.
Without arguments the commands act on notebooks/, exercises/ and solutions/.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKED = "nbval-check-output"
TEXT_ONLY = ("text/plain",)


def _notebooks(args: list[str]) -> list[Path]:
    if args:
        return [Path(a).resolve() for a in args]
    return sorted(
        p
        for d in ("notebooks", "exercises", "solutions")
        for p in (ROOT / d).rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    )


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


def cleaned(notebook: dict) -> dict:
    notebook.setdefault("metadata", {}).pop("widgets", None)
    code_cells = 0
    for cell in notebook.get("cells", []):
        cell.get("metadata", {}).pop("execution", None)
        cell.get("metadata", {}).pop("collapsed", None)
        if cell.get("cell_type") != "code":
            continue
        code_cells += 1
        checked = CHECKED in cell.get("metadata", {}).get("tags", [])
        cell["outputs"] = _text_outputs(cell.get("outputs", [])) if checked else []
        # nbval refuses a stored output without an execution count ("Unrun reference cell has
        # outputs"), so a checked cell keeps one: its place among the code cells, the same on every run.
        count = code_cells if cell["outputs"] else None
        cell["execution_count"] = count
        for output in cell["outputs"]:
            if output["output_type"] == "execute_result":
                output["execution_count"] = count
    return notebook


def _dump(notebook: dict) -> str:
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def refresh(path: Path) -> dict:
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return cleaned(json.loads(nbformat.writes(notebook)))


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("clean", "refresh", "check"):
        print(__doc__)
        return 2
    command, paths = argv[0], _notebooks(argv[1:])
    dirty = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        result = refresh(path) if command == "refresh" else cleaned(json.loads(text))
        if command == "check":
            if _dump(result) != text:
                dirty.append(path)
        else:
            path.write_text(_dump(result), encoding="utf-8")
    for path in dirty:
        print(f"not clean: {path.relative_to(ROOT)} (run: python scripts/notebooks.py clean)")
    return 1 if dirty else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
