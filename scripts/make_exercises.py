"""Generate the student notebooks ``exercises/{en,ko}/<id>.ipynb`` from the masters in ``solutions/``.

    python scripts/make_exercises.py            # write exercises/ from solutions/
    python scripts/make_exercises.py --check    # exit 1 if the committed exercises are not what it would write

What changes, cell by cell, as nbgrader's ``generate_assignment`` does (``ClearSolutions``, ``ClearOutput``,
``LockCells``), so that a course can use either tool:

- a region from a line containing ``BEGIN SOLUTION`` to a line containing ``END SOLUTION`` becomes the stub,
  indented like the ``BEGIN`` line: ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` in a code cell,
  ``YOUR ANSWER HERE`` in a Markdown cell; the lines around the region stay;
- a solution cell (``nbgrader.solution``) without such a region becomes the stub as a whole;
- a region in a cell that is not a solution cell is an error (the grader could not find the answer's cell);
- outputs and execution counts are removed;
- locked, read-only and graded cells get ``editable: false`` and ``deletable: false``, solution cells
  ``deletable: false``; every other piece of metadata (grade ids, points, tags) stays as it is.

The output depends on the masters only (sorted keys, one-space indent, UTF-8, a final newline), so running it
twice gives the same bytes. Standard library only.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS, EXERCISES = ROOT / "solutions", ROOT / "exercises"
LANGUAGES = ("en", "ko")
BEGIN, END = "BEGIN SOLUTION", "END SOLUTION"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
TEXT_STUB = ("YOUR ANSWER HERE",)


class SolutionRegionError(ValueError):
    """A solution region that cannot be replaced: nested, unterminated, or outside a solution cell."""


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _as_lines(text: str) -> list[str]:
    """nbformat's on-disk form: a list of lines, each but the last ending in a newline."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def replace_regions(text: str, stub: tuple[str, ...]) -> tuple[str, bool]:
    """``text`` with every solution region replaced by ``stub``; and whether there was one."""
    out: list[str] = []
    inside = found = False
    for line in text.split("\n"):
        if BEGIN in line:
            if inside:
                raise SolutionRegionError("nested BEGIN SOLUTION")
            inside = found = True
            indent = re.match(r"\s*", line).group(0)
            out.extend(indent + stub_line for stub_line in stub)
        elif END in line:
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise SolutionRegionError("BEGIN SOLUTION without END SOLUTION")
    return "\n".join(out), found


def exercise_cell(cell: dict, where: str) -> dict:
    cell = json.loads(json.dumps(cell))  # a deep copy: the master stays as it is
    nbgrader = cell.get("metadata", {}).get("nbgrader", {})
    stub = CODE_STUB if cell["cell_type"] == "code" else TEXT_STUB
    text, found = replace_regions(_source(cell), stub)
    if found and not nbgrader.get("solution"):
        raise SolutionRegionError(f"{where}: a solution region in a cell that is not a solution cell")
    if nbgrader.get("solution") and not found:
        text = "\n".join(stub)
    cell["source"] = _as_lines(text)
    if cell["cell_type"] == "code":
        cell["outputs"], cell["execution_count"] = [], None
    metadata = cell.setdefault("metadata", {})
    if nbgrader.get("solution"):  # the learner writes here, and must not delete the cell the grader looks for
        metadata["deletable"] = False
    elif nbgrader.get("grade") or nbgrader.get("locked"):
        metadata["editable"], metadata["deletable"] = False, False
    return cell


def exercise(master: dict, where: str = "notebook") -> dict:
    """The student version of a master notebook (a new dict)."""
    notebook = {key: value for key, value in master.items() if key != "cells"}
    notebook["metadata"] = {k: v for k, v in master.get("metadata", {}).items() if k not in ("widgets", "celltoolbar")}
    notebook["cells"] = [
        exercise_cell(cell, f"{where}, cell {cell.get('id', i)}") for i, cell in enumerate(master.get("cells", []))
    ]
    return notebook


def dump(notebook: dict) -> str:
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def planned() -> dict[Path, str]:
    """Every exercise file and the text it should have."""
    files = {}
    for lang in LANGUAGES:
        for master in sorted((SOLUTIONS / lang).glob("*.ipynb")):
            where = str(master.relative_to(ROOT))
            text = dump(exercise(json.loads(master.read_text(encoding="utf-8")), where))
            files[EXERCISES / lang / master.name] = text
    return files


def main(argv: list[str]) -> int:
    check = argv == ["--check"]
    if argv and not check:
        print(__doc__)
        return 2
    files = planned()
    existing = {p for lang in LANGUAGES for p in (EXERCISES / lang).glob("*.ipynb")}
    stale = sorted(p for p, text in files.items() if not p.is_file() or p.read_text(encoding="utf-8") != text)
    extra = sorted(existing - set(files))
    if check:
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)} (run: python scripts/make_exercises.py)")
        for path in extra:
            print(f"no master in solutions/: {path.relative_to(ROOT)}")
        return 1 if stale or extra else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    for path in extra:
        path.unlink()
        print(f"removed {path.relative_to(ROOT)} (no master)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
