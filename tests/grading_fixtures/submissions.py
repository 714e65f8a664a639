"""Submission notebooks for assignment a01_web_server: a solution master with nbgrader markers, the
student version generated from it, honest attempts, and hostile or broken ones.

The master follows the conventions of ``solutions/``: ``import vpclab`` / ``set_language("auto")``,
``lab = vpclab.grading.start(...)``, one solution cell (``### BEGIN SOLUTION`` / ``### END
SOLUTION``), then one locked nbgrader "autograder tests" cell per check, whose grade_id is the check
id and whose points are the check's points.

    write_all(folder, out_dir)   # every submission below as <folder>/<name>.ipynb; {name: expected}
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from vpclab.grading.checks import checks_of

ASSIGNMENT = "a01_web_server"
IMPORT = 'import vpclab\n\nvpclab.set_language("auto")'
START = f'lab = vpclab.grading.start("{ASSIGNMENT}")'

GATEWAY = """web, web_sg = vpclab.grading.named(lab, "web", "web-sg")
igw = lab.create_internet_gateway(name="shop-igw")
lab.attach_internet_gateway(igw, web.subnet.vpc)
public_rt = lab.create_route_table(web.subnet.vpc, name="public-rt")
lab.create_route(public_rt, "0.0.0.0/0", igw)
lab.associate_route_table(public_rt, web.subnet)
eip = lab.allocate_address(name="web-eip")
lab.associate_address(eip, web)"""
HTTP = 'lab.authorize_security_group_ingress(web_sg, "tcp", 80, cidr="0.0.0.0/0")'
HTTPS = 'lab.authorize_security_group_ingress(web_sg, "tcp", 443, cidr="0.0.0.0/0")'
SOLUTION = "\n".join([GATEWAY, HTTP, HTTPS])
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def _meta(**nbgrader) -> dict:
    return {"nbgrader": {"schema_version": 3, **nbgrader}}


def test_cells() -> list:
    cells = []
    for check_id, item in checks_of(ASSIGNMENT).items():
        source = f'vpclab.grading.assert_check("{ASSIGNMENT}", "{check_id}", lab)'
        cells.append(
            new_code_cell(
                source,
                metadata=_meta(
                    grade=True, grade_id=check_id, points=item.points, locked=True, solution=False, task=False
                ),
            )
        )
    return cells


def master(solution: str = SOLUTION) -> nbformat.NotebookNode:
    """The solution notebook (what ``solutions/en/a01_web_server.ipynb`` holds)."""
    cells = [
        new_markdown_cell(
            "# a01: the web server, on HTTP and HTTPS only",
            metadata=_meta(grade=False, grade_id="intro", locked=True, solution=False, task=False),
        ),
        new_code_cell(IMPORT, metadata=_meta(grade=False, grade_id="setup", locked=True, solution=False, task=False)),
        new_code_cell(START, metadata=_meta(grade=False, grade_id="start", locked=True, solution=False, task=False)),
        new_code_cell(
            f"### BEGIN SOLUTION\n{solution}\n### END SOLUTION",
            metadata=_meta(grade=False, grade_id="solution", locked=False, solution=True, task=False),
        ),
        *test_cells(),
    ]
    notebook = new_notebook(cells=cells)
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata.language_info = {"name": "python"}
    return notebook


def student_version(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """What nbgrader's generate_assignment makes of a master: solution regions become a stub."""
    copy = nbformat.reads(nbformat.writes(notebook), as_version=4)
    for cell in copy.cells:
        if "### BEGIN SOLUTION" in cell.source:
            before, _, rest = cell.source.partition("### BEGIN SOLUTION")
            _, _, after = rest.partition("### END SOLUTION")
            cell.source = (before + STUB + after).strip()
    return copy


def with_answer(answer: str) -> nbformat.NotebookNode:
    """The student version with ``answer`` in place of the stub."""
    notebook = student_version(master())
    for cell in notebook.cells:
        if cell.source == STUB:
            cell.source = answer
    return notebook


def untouched() -> nbformat.NotebookNode:
    return student_version(master())


def solved_lab_json(history: bool = True) -> str:
    """A solved lab's JSON, made in this process (what a student might paste into a notebook)."""
    import vpclab

    lab = vpclab.grading.start(ASSIGNMENT)
    exec(SOLUTION, {"vpclab": vpclab, "lab": lab})
    data = json.loads(lab.to_json())
    if not history:
        data["history"] = []
    return json.dumps(data)


def _after_start(code: str) -> nbformat.NotebookNode:
    """The untouched notebook with ``code`` as the student's answer."""
    return with_answer(code)


def copier(secrets: list[str]) -> str:
    """A student answer that solves the assignment only if it can read any of ``secrets`` (a master
    notebook, the fixtures' solution code, a classmate's submission, the output folder) or find any
    notebook on the file system other than its own copy."""
    return (
        "import os\n"
        f"found = [p for p in {secrets!r} if os.access(p, os.R_OK)]\n"
        "for top in ('/',):\n"
        "    for folder, dirs, files in os.walk(top):\n"
        "        skip = ('/proc', '/sys', '/dev', '/usr')\n"
        "        dirs[:] = [d for d in dirs if os.path.join(folder, d) not in skip and d != 'site-packages']\n"
        "        mine = 'submission.ipynb'\n"
        "        found += [os.path.join(folder, f) for f in files if f.endswith('.ipynb') and f != mine]\n"
        "if found:\n"
        f"    exec({SOLUTION!r})\n"
    )


def writer() -> str:
    """A student answer that solves the assignment only if it can write outside its private /tmp."""
    targets = ["/run/lock/covert", "/covert", "/usr/lib/covert", "/dev/shm/covert", "/var/tmp/covert", "/etc/covert"]
    return (
        "import os, vpclab\n"
        f"targets = {targets!r} + [os.path.join(os.path.dirname(vpclab.__file__), 'covert'), "
        "os.path.join(os.path.dirname(os.path.dirname(vpclab.__file__)), 'covert')]\n"
        # A checkout under the host's /tmp (a CI clone) shows inside the private /tmp, which is writable.
        "targets = [target for target in targets if not target.startswith('/tmp/')]\n"
        "wrote = []\n"
        "for target in targets:\n"
        "    try:\n"
        "        with open(target, 'w') as handle:\n"
        "            handle.write('x')\n"
        "        wrote.append(target)\n"
        "    except OSError:\n"
        "        pass\n"
        "if wrote:\n"
        f"    exec({SOLUTION!r})\n"
    )


def hostile(out_dir: Path, secrets: list[str] = ()) -> dict[str, nbformat.NotebookNode | str]:
    """Hostile and broken submissions: a notebook, or raw text for files that are not notebooks.
    ``secrets``: paths a copier tries to read (added as the ``copier`` submission when given)."""
    text = nbformat.writes(untouched())
    solved, solved_bare = solved_lab_json(), solved_lab_json(history=False)
    tail = json.dumps(json.loads(solved)["history"][4:])
    out = str(out_dir)
    only_import = untouched()
    only_import.cells = only_import.cells[:2]
    duplicated = untouched()
    duplicated.cells += [new_code_cell(c.source, metadata=c.metadata) for c in duplicated.cells[2:]]
    no_cells = untouched()
    no_cells.cells = []
    bad_source = json.loads(text)
    bad_source["cells"][1]["source"] = 42
    return {
        "truncated_json": text[: len(text) // 2],
        "not_json": "this is not a notebook\n",
        "empty_file": "",
        "bad_cell_source": json.dumps(bad_source),
        "no_cells": no_cells,
        "missing_cells": only_import,
        "duplicated_cells": duplicated,
        "infinite_loop": _after_start("while True:\n    pass"),
        "sigint_ignored_loop": _after_start(
            "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
        ),
        "sys_exit": _after_start("import sys\nsys.exit(0)"),
        "os_exit": _after_start("import os\nos._exit(1)"),
        "segfault": _after_start("import ctypes\nctypes.string_at(0)"),
        "huge_output": _after_start("import sys\nfor _ in range(100):\n    sys.stdout.write('x' * 1_000_000)"),
        "memory_bomb": _after_start("hoard = []\nwhile True:\n    hoard.append(bytearray(100_000_000))"),
        "patched_to_json": _after_start(
            f"SOLVED = {solved!r}\nvpclab.Lab.to_json = lambda self, indent=1: SOLVED\n"
            "import vpclab.model.serialization as s\ns.dump = lambda lab: __import__('json').loads(SOLVED)"
        ),
        "hand_made_lab": _after_start(f"lab = vpclab.Lab.from_json({solved_bare!r})"),
        "forged_history": _after_start(f"import json\nlab.history.extend(json.loads({tail!r}))"),
        "forged_state": _after_start(
            "web = vpclab.grading.named(lab, 'web')\n"
            "igw = vpclab.InternetGateway('igw-0123456789abcdef0', 'fake')\n"
            "lab.internet_gateways[igw.id] = igw"
        ),
        "patched_checks": _after_start(
            "import vpclab.grading.checks as c\n"
            "c.evaluate = lambda assignment, lab: {k: c.Verdict(True) for k in c.checks_of(assignment)}\n"
            "vpclab.grading.assert_check = lambda *args: None"
        ),
        "rewrites_later_cells": _after_start("get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])"),
        "fake_result_files": _after_start(
            "import json, os\n"
            "fake = {'score': 100, 'tests': []}\n"
            "for folder in ('.', " + repr(out) + ", " + repr(out + "/fake_result_files") + "):\n"
            "    for name, body in (('grades.csv', 'student,score\\nfake_result_files,100\\n'),\n"
            "                       ('results.json', json.dumps(fake))):\n"
            "        try:\n"
            "            os.makedirs(folder, exist_ok=True)\n"
            "            open(os.path.join(folder, name), 'w').write(body)\n"
            "        except OSError as error:\n"
            "            print(error)"
        ),
        "late_writer": _after_start(
            "import subprocess\n"
            f"subprocess.Popen(['sh', '-c', 'sleep 8; echo planted > {out}/planted.txt'], start_new_session=True)"
        ),
        "disk_filler": _after_start(  # 200 MB at most: the sandbox stops it at 64 MB
            "for number in range(4):\n    with open(f'junk{number}', 'wb') as handle:\n"
            "        handle.write(b'x' * 50_000_000)"
        ),
        "deleted_lab": _after_start("del lab"),
        "lab_is_42": _after_start("lab = 42"),
        "asks_for_input": _after_start("input('password? ')"),
        "writes_outside_tmp": _after_start(writer()),
        **({"copier": _after_start(copier(list(secrets)))} if secrets else {}),
    }


MIXED_WORKFLOW = """web, web_sg = vpclab.grading.named(lab, "web", "web-sg")
console = vpclab.Console(lab)
igw = console.act("create_internet_gateway", name="shop-igw")
lab.attach_internet_gateway(igw, web.subnet.vpc)
wrong = console.act("create_route_table", web.subnet.vpc, name="wrong-rt")
lab.create_route(wrong, "0.0.0.0/0", igw)
console.undo()  # back to before the console's last action: the typed create_route goes too
public_rt = console.act("create_route_table", web.subnet.vpc, name="public-rt")
lab.create_route(public_rt, "0.0.0.0/0", igw)
console.act("associate_route_table", public_rt, web.subnet)
eip = lab.allocate_address(name="web-eip")
console.act("associate_address", eip, web)
console.act("authorize_security_group_ingress", web_sg, "tcp", 22, cidr="0.0.0.0/0")
console.undo()
""" + "\n".join([HTTP, HTTPS])
RENAMED = SOLUTION + '\nigw.name = "main-igw"\npublic_rt.name = "edge-rt"'
ONE_HOST = GATEWAY + "".join(
    f'\nlab.authorize_security_group_ingress(web_sg, "tcp", {port}, cidr="198.51.100.7/32")' for port in (80, 443)
)
# Student-controlled text that must stay text in every report: a resource name and a cell's error.
HOSTILE_NAME = "<img src=x onerror=alert(1)>[click](http://evil.example)*"
MARKUP = "\n".join([GATEWAY, HTTP, f"web_sg.name = {HOSTILE_NAME!r}", "raise ValueError('<script>alert(2)</script>')"])


def honest() -> dict[str, tuple[nbformat.NotebookNode, float]]:
    """Honest submissions and the score each deserves."""
    rerun = with_answer(SOLUTION)
    at = next(n for n, c in enumerate(rerun.cells) if c.source == SOLUTION)
    rerun.cells[at + 1 : at + 1] = [new_code_cell(START), new_code_cell(SOLUTION)]  # re-ran from the start cell
    return {
        "mixed_workflow": (with_answer(MIXED_WORKFLOW), 8.0),  # console, typed calls, undo in both
        "renamed": (with_answer(RENAMED), 8.0),  # igw.name = ...: a Name tag set as an attribute
        "rerun_cells": (rerun, 8.0),
        "one_host_only": (with_answer(ONE_HOST), 2.0),  # open to a /32: not the internet; nothing else is open
        "markup_in_names": (with_answer(MARKUP), 5.0),  # http 3 + nothing else 2
        "correct": (with_answer(SOLUTION), 8.0),
        "untouched": (untouched(), 0.0),
        "untouched_too": (untouched(), 0.0),  # the same code: shares the first one's kernel run
        "partial": (with_answer("\n".join([GATEWAY, HTTP])), 5.0),  # http 3 + nothing else 2
        "too_open": (
            with_answer(SOLUTION + '\nlab.authorize_security_group_ingress(web_sg, "tcp", 22, cidr="0.0.0.0/0")'),
            6.0,
        ),
        "error_then_fix": (with_answer("lab.create_internet_gateway(name=None, oops=1)"), 0.0),
    }


def write(folder: Path, name: str, notebook) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    path.write_text(notebook if isinstance(notebook, str) else nbformat.writes(notebook), encoding="utf-8")
    return path


def strip_markers(source: str) -> str:
    """A solution cell's source as the solution itself: the marker lines dropped."""
    keep = [line for line in source.splitlines() if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
    return "\n".join(keep)


def filled_in(release: nbformat.NotebookNode, source: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A student version (``release``) with each solution cell answered as in the master (``source``),
    matched by grade_id: what a student who solved it hands in."""
    answers = {
        cell.metadata["nbgrader"]["grade_id"]: strip_markers(cell.source)
        for cell in source.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }
    copy = nbformat.reads(nbformat.writes(release), as_version=4)
    for cell in copy.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and grade_id in answers:
            cell.source = answers[grade_id]
    return copy
