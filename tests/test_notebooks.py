"""The committed notebooks: the same lesson in both languages, clean, small and accessible.

Lessons live in ``notebooks/en`` and ``notebooks/ko``; exercises and their masters, when they are
notebooks, in ``exercises/<lang>`` and ``solutions/<lang>``. Each ``en`` folder and its ``ko`` sibling
hold the same files with the same cells: identical code, the same cell ids, types and tags; only the
Markdown differs. These tests read the files only; CI runs every notebook with nbval
(``python3 scripts/dev.py test``, its last step).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

from vpclab.model.i18n import catalog
from vpclab.widgets.panels import TOOLS
from vpclab.widgets.quiz import QUIZZES, definitions

ROOT = Path(__file__).resolve().parent.parent
TREES = ("notebooks", "exercises", "solutions")
LANGS = ("en", "ko")
SIZE_BUDGET = 200_000  # bytes per committed notebook, outputs included
CHECKED = "nbval-check-output"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _load_script(name: str):
    """A script of ``scripts/`` as a module (registered first: its dataclasses look their module up)."""
    spec = importlib.util.spec_from_file_location(f"_vpclab_script_{name}", ROOT / "scripts" / f"{name}.py")
    module = sys.modules.setdefault(spec.name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)
    return module


NOTEBOOK_TOOL = _load_script("notebooks")  # scripts/notebooks.py: clean / refresh / check


def _notebooks_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


ALL = [p for tree in TREES for p in _notebooks_in(ROOT / tree)]
# Every folder that holds notebooks for one language, and its sibling for the other.
LANGUAGE_FOLDERS = sorted({p.parent for p in ALL if p.parent.name in LANGS})
PAIRS = sorted({folder.parent for folder in LANGUAGE_FOLDERS})  # e.g. notebooks/, exercises/
BILINGUAL = [p for p in ALL if p.parent.name in LANGS]
LESSONS = {lang: _notebooks_in(ROOT / "notebooks" / lang) for lang in LANGS}


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def cells(path: Path, kind: str | None = None) -> list[dict]:
    return [c for c in read(path)["cells"] if kind is None or c["cell_type"] == kind]


def markdown(path: Path) -> str:
    return "\n\n".join(source(c) for c in cells(path, "markdown"))


def code_tree(cell: dict) -> ast.Module:
    """A code cell as Python; IPython magics and shell lines (``%``, ``!``) are left out."""
    lines = [line for line in source(cell).splitlines() if not line.lstrip().startswith(("%", "!"))]
    return ast.parse("\n".join(lines))


def calls(path: Path, name: str) -> list[ast.Call]:
    """Every call of ``vpclab.<name>(...)`` (or a bare ``<name>(...)``) in the notebook's code cells."""
    found = []
    for cell in cells(path, "code"):
        for node in ast.walk(code_tree(cell)):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                if called == name:
                    found.append(node)
    return found


def test_there_are_lessons_in_both_languages():
    assert len(LESSONS["en"]) >= 8 and len(LESSONS["ko"]) >= 8
    assert ROOT / "notebooks" in PAIRS


# ---- en/ko parity ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("folder", LANGUAGE_FOLDERS, ids=rel)
def test_every_language_folder_has_its_sibling_with_the_same_notebooks(folder):
    other = folder.parent / ({"en": "ko", "ko": "en"}[folder.name])
    mine = [p.relative_to(folder).as_posix() for p in _notebooks_in(folder)]
    theirs = [p.relative_to(other).as_posix() for p in _notebooks_in(other)] if other.is_dir() else []
    assert mine == theirs, f"{rel(folder)} and {rel(other)} must hold the same notebooks"


def _pairs() -> list[tuple[Path, Path]]:
    return [(en, en.parent.parent / "ko" / en.name) for en in BILINGUAL if en.parent.name == "en"]


PAIRED = [pair for pair in _pairs() if pair[1].exists()]


def _pair_id(pair) -> str:
    return rel(pair[0]).replace("/en/", "/{en,ko}/")


@pytest.mark.parametrize("pair", PAIRED, ids=_pair_id)
def test_both_languages_have_the_same_cells_with_the_same_ids_types_and_tags(pair):
    en, ko = (cells(p) for p in pair)
    assert len(en) == len(ko), "same cell count"
    assert [c["cell_type"] for c in en] == [c["cell_type"] for c in ko]
    assert [c.get("id") for c in en] == [c.get("id") for c in ko], "corresponding cells share their id"
    tags = lambda cs: [sorted(c.get("metadata", {}).get("tags", [])) for c in cs]  # noqa: E731
    assert tags(en) == tags(ko)


@pytest.mark.parametrize("pair", PAIRED, ids=_pair_id)
def test_both_languages_have_byte_identical_code_cells(pair):
    en, ko = (cells(p, "code") for p in pair)
    different = [c.get("id") for c, d in zip(en, ko, strict=True) if source(c) != source(d)]
    assert different == [], "only the Markdown may differ between the languages"


def test_checked_outputs_are_the_same_in_both_languages():
    """What nbval compares must not depend on the language: codes, ids, addresses, True/False."""
    for en_lesson in LESSONS["en"]:
        en, ko = (cells(executed(p)) for p in (en_lesson, en_lesson.parent.parent / "ko" / en_lesson.name))
        for c, d in zip(en, ko, strict=True):
            if CHECKED in c.get("metadata", {}).get("tags", []):
                assert c["outputs"] == d["outputs"], (en_lesson.name, c.get("id"))
                assert not HANGUL.search(json.dumps(c["outputs"], ensure_ascii=False)), c.get("id")


# ---- files: format, clean, small --------------------------------------------------------------------------
@pytest.mark.parametrize("path", ALL, ids=rel)
def test_notebook_is_valid_nbformat_4_5_with_cell_ids_and_the_python3_kernel(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert (notebook.nbformat, notebook.nbformat_minor) >= (4, 5)
    assert all(cell.get("id") for cell in notebook.cells)
    assert len({cell.id for cell in notebook.cells}) == len(notebook.cells), "cell ids are unique"
    assert notebook.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", ALL, ids=rel)
def test_notebook_is_committed_clean_without_outputs_or_execution_counts(path):
    """``scripts/notebooks.py check`` passes: a learner opening a lesson (or GitHub, nbviewer) sees no stored
    answer under a question before running the cell; nor any widget state."""
    text = path.read_text(encoding="utf-8")
    assert NOTEBOOK_TOOL.dump(NOTEBOOK_TOOL.cleaned(json.loads(text))) == text, (
        f"run: python scripts/notebooks.py clean {rel(path)}"
    )
    notebook = json.loads(text)
    assert "widgets" not in notebook.get("metadata", {})
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell.get("id")
        assert "attachments" not in cell or not cell["attachments"], "no pasted images: they bloat the file"


# ---- the executed copies that nbval checks -------------------------------------------------------------
def executed(lesson: Path) -> Path:
    return NOTEBOOK_TOOL.executed_path(lesson)


ALL_LESSONS = [p for lang in LANGS for p in LESSONS[lang]]


@pytest.mark.parametrize("lesson", ALL_LESSONS, ids=rel)
def test_executed_copy_holds_exactly_the_lessons_code_cells(lesson):
    """nbval checks ``tests/notebooks/executed/<lang>/<lesson>``: it must be the lesson's code, cell for cell
    (after editing a lesson: ``python scripts/notebooks.py refresh notebooks/<lang>/<lesson>``)."""
    copy = executed(lesson)
    assert copy.exists(), f"run: python scripts/notebooks.py refresh {rel(lesson)}"
    shape = lambda c: (c.get("id"), source(c), sorted(c.get("metadata", {}).get("tags", [])))  # noqa: E731
    assert [shape(c) for c in cells(copy)] == [shape(c) for c in cells(lesson, "code")]
    assert NOTEBOOK_TOOL.dump(NOTEBOOK_TOOL.executed_copy(read(copy))) == copy.read_text(encoding="utf-8")


def test_every_executed_copy_belongs_to_a_lesson():
    copies = sorted(NOTEBOOK_TOOL.EXECUTED.rglob("*.ipynb"))
    assert copies and sorted(copies) == sorted(executed(p) for p in ALL_LESSONS)


@pytest.mark.parametrize("lesson", ALL_LESSONS, ids=rel)
def test_every_checked_cell_of_an_executed_copy_stores_the_output_nbval_compares(lesson):
    """A tagged cell without a stored output would pass nbval without checking anything."""
    checked = [c for c in cells(executed(lesson)) if CHECKED in c.get("metadata", {}).get("tags", [])]
    assert checked, "every lesson has checked cells"
    assert [c.get("id") for c in checked if not c["outputs"]] == []
    untagged = [c.get("id") for c in cells(executed(lesson)) if c["outputs"] and c not in checked]
    assert untagged == []


@pytest.mark.parametrize("path", ALL, ids=rel)
def test_notebook_stays_under_the_size_budget(path):
    assert path.stat().st_size <= SIZE_BUDGET, f"{rel(path)}: {path.stat().st_size} bytes"


# ---- accessibility: every image has alt text ----------------------------------------------------------------
MD_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<src>[^)]*)\)")
HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
HTML_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def images_without_alt(text: str) -> list[str]:
    missing = [m.group(0) for m in MD_IMAGE.finditer(text) if not m.group("alt").strip()]
    for tag in HTML_IMAGE.findall(text):
        alt = HTML_ALT.search(tag)
        if alt is None or not "".join(g or "" for g in alt.groups()).strip():
            missing.append(tag)
    return missing


def test_the_alt_text_check_finds_images_without_alt():
    assert images_without_alt('![](a.png) ![ ](b.png) <img src="c.png"> <IMG alt="" src=d>') == [
        "![](a.png)",
        "![ ](b.png)",
        '<img src="c.png">',
        '<IMG alt="" src=d>',
    ]
    assert images_without_alt('![A VPC](a.png) <img src="b.png" alt="The route table"> <img alt=x>') == []


@pytest.mark.parametrize("path", ALL, ids=rel)
def test_every_image_in_a_notebook_has_alt_text(path):
    assert images_without_alt(markdown(path)) == []


DOCS = sorted([*ROOT.glob("*.md"), *(ROOT / "docs").glob("*.md"), *(ROOT / tree / "README.md" for tree in TREES)])


@pytest.mark.parametrize("path", [p for p in DOCS if p.exists()], ids=rel)
def test_every_image_in_the_documentation_has_alt_text(path):
    assert images_without_alt(path.read_text(encoding="utf-8")) == []


# ---- the first code cell --------------------------------------------------------------------------------
@pytest.mark.parametrize("path", BILINGUAL, ids=rel)
def test_first_code_cell_imports_vpclab_and_lets_the_folder_choose_the_language(path):
    """``set_language("auto")`` keeps the code identical in both languages: notebooks/ko runs in Korean."""
    first = source(cells(path, "code")[0])
    lines = [line.strip() for line in first.splitlines()]
    assert "import vpclab" in lines and 'vpclab.set_language("auto")' in lines
    assert lines.index("import vpclab") < lines.index('vpclab.set_language("auto")')


# ---- the Korean prose ---------------------------------------------------------------------------------------
# Spellings the AWS Korean console does not use, and the ones it does.
NOT_CONSOLE_TERMS = {
    "보안그룹": "보안 그룹",
    "가용영역": "가용 영역",
    "인터넷게이트웨이": "인터넷 게이트웨이",
    "NAT게이트웨이": "NAT 게이트웨이",
    "라우트 테이블": "라우팅 테이블",
    "엘라스틱 IP": "탄력적 IP",
    "탄력 IP": "탄력적 IP",
    "타겟": "대상",  # a route's Target (fact sheet §17(a)), as in the catalogs
    "타깃": "대상",
    "랩": "실습 환경",  # the lessons' and the grader's word for a lab
    "서브 넷": "서브넷",
    "에피메랄": "임시 포트",
    "에페메랄": "임시 포트",
}
KO_LESSONS = LESSONS["ko"]


@pytest.mark.parametrize("path", [p for p in BILINGUAL if p.parent.name == "ko"], ids=rel)
def test_korean_notebook_prose_is_korean_and_uses_the_console_terms(path):
    text = markdown(path)
    assert len(HANGUL.findall(text)) > 200, "the Markdown of a Korean notebook is written in Korean"
    wrong = {term: right for term, right in NOT_CONSOLE_TERMS.items() if term in text}
    assert wrong == {}, "use the AWS Korean console's spelling"


@pytest.mark.parametrize("path", KO_LESSONS, ids=rel)
def test_korean_lesson_names_the_gateway_or_the_route_table_in_console_korean(path):
    text = markdown(path)
    assert "인터넷 게이트웨이" in text or "라우팅 테이블" in text


@pytest.mark.parametrize("path", [p for p in BILINGUAL if p.parent.name == "en"], ids=rel)
def test_english_notebook_prose_has_no_korean_but_the_language_switch_label(path):
    assert not HANGUL.search(markdown(path).replace("한국어", ""))


# ---- what the code cells call ------------------------------------------------------------------------------
def _string_args(call: ast.Call) -> list[str]:
    return [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]


@pytest.mark.parametrize("path", ALL, ids=rel)
def test_every_quiz_a_notebook_asks_exists_with_all_its_texts_in_both_languages(path):
    for call in calls(path, "quiz"):
        assert len(_string_args(call)) == 1, f"{rel(path)}: vpclab.quiz takes one literal id: {ast.unparse(call)}"
        quiz_id = _string_args(call)[0]
        assert quiz_id in definitions(), f"{rel(path)}: no quiz {quiz_id!r} in {rel(QUIZZES)}"
        keys = ["q", "hint", "why", *map(str, range(1, definitions()[quiz_id]["options"] + 1))]
        for lang in LANGS:
            missing = [f"quiz.{quiz_id}.{k}" for k in keys if not catalog(lang).get(f"quiz.{quiz_id}.{k}", "").strip()]
            assert missing == [], f"{lang} catalog"


def test_every_quiz_file_belongs_to_a_lesson_that_asks_all_its_questions():
    """``vpclab/data/quizzes/lNN_topic.json`` holds the questions of ``notebooks/*/NN_topic.ipynb``."""
    lessons = {p.stem: p for p in LESSONS["en"]}
    for path in sorted(QUIZZES.glob("*.json")):
        lesson = lessons.get(path.stem[1:])
        assert path.stem.startswith("l") and lesson is not None, f"{path.name}: no lesson {path.stem[1:]}.ipynb"
        asked = {_string_args(c)[0] for c in calls(lesson, "quiz") if _string_args(c)}
        assert sorted(set(json.loads(path.read_text(encoding="utf-8"))) - asked) == [], f"unused in {lesson.name}"


def test_quiz_definitions_have_an_answer_among_their_options():
    for quiz_id, spec in definitions().items():
        assert spec["options"] >= 2 and 1 <= spec["answer"] <= spec["options"], quiz_id


@pytest.mark.parametrize("path", ALL, ids=rel)
def test_every_console_names_valid_tools(path):
    for call in calls(path, "Console"):
        tools = {k.arg: k.value for k in call.keywords}.get("tools")
        if tools is None:
            continue
        assert isinstance(tools, ast.List | ast.Tuple), f"{rel(path)}: tools= is a literal list"
        names = [t.value for t in tools.elts]
        assert [n for n in names if n not in TOOLS] == [], f"{rel(path)}: tools are {TOOLS}"
        assert len(set(names)) == len(names), f"{rel(path)}: a tool named twice"


@pytest.mark.parametrize("path", LESSONS["en"], ids=rel)
def test_every_lesson_has_a_title_a_restricted_console_a_question_and_a_checked_answer(path):
    first = source(cells(path)[0])
    assert first.startswith("# "), "the first cell is the lesson's title"
    consoles = calls(path, "Console")
    assert consoles and all("tools" in {k.arg for k in c.keywords} for c in consoles), (
        "a Console restricted to what the lesson needs: tools=[...]"
    )
    assert calls(path, "quiz"), "a predict-then-check question"
    assert any(CHECKED in c.get("metadata", {}).get("tags", []) for c in cells(path, "code")), (
        "at least one cell whose output CI checks"
    )


# ---- the notebook run in CI ---------------------------------------------------------------------------------
def test_the_nbval_sanitize_file_parses_and_its_patterns_compile():
    from nbval.plugin import get_sanitize_patterns

    patterns = get_sanitize_patterns((ROOT / "tests" / "notebooks" / "nbval_sanitize.cfg").read_text(encoding="utf-8"))
    assert patterns
    for regex, replacement in patterns:
        assert re.sub(regex, replacement, "x") == "x" or regex == "", regex  # compiles, leaves plain text alone


def test_the_test_command_runs_every_notebook_with_nbval_in_lax_mode_with_the_sanitize_file():
    dev = _load_script("dev")
    run = dev.NOTEBOOK_RUN
    assert "--nbval-lax" in run and "--nbval-current-env" in run
    assert run[run.index("--nbval-sanitize-with") + 1] == "tests/notebooks/nbval_sanitize.cfg"
    assert float(run[run.index("--nbval-cell-timeout") + 1]) > 0
    assert (ROOT / dev.NOTEBOOK_DIR) == NOTEBOOK_TOOL.EXECUTED


# ---- the learner's loop: hands-on tasks, a goal in the console, the graded exercise -------------------------------
@pytest.mark.parametrize("path", LESSONS["en"], ids=rel)
def test_every_lesson_has_two_hands_on_tasks_each_followed_by_its_check_and_a_console_with_a_goal(path):
    from vpclab.grading.tasks import TASKS

    practices = calls(path, "practice")
    ids = [_string_args(c)[0] for c in practices]
    assert len(ids) >= 2 and all(i in TASKS for i in ids), ids
    code = [source(c) for c in cells(path, "code")]
    for task_id in ids:
        line = next(i for i, text in enumerate(code) if f'practice("{task_id}")' in text)
        name = code[line].split("=")[0].strip()
        assert any(text.strip() == f"{name}.check()" for text in code[line + 1 : line + 4]), name
    assert any("goal" in {k.arg for k in c.keywords} for c in calls(path, "Console")), "a console showing a goal"


EXERCISE = re.compile(r"exercises/(en|ko)/(a\d\d_\w+)\.ipynb")


@pytest.mark.parametrize("path", [p for lang in LANGS for p in LESSONS[lang]], ids=rel)
def test_every_lesson_ends_with_a_pointer_to_a_graded_exercise_in_its_language(path):
    last = source(cells(path, "markdown")[-1])
    found = EXERCISE.findall(last)
    assert found and all(
        lang == path.parent.name and (ROOT / "exercises" / lang / f"{n}.ipynb").exists() for lang, n in found
    )


def test_lesson_07_case_7_text_and_lab_agree_the_web_server_reaches_the_private_app_server():
    """The text says the web server reaches the app server over private addresses (on TCP 8080) after the repair."""
    lesson = {lang: ROOT / "notebooks" / lang / "07_troubleshooting.ipynb" for lang in LANGS}
    by_id = {c["id"]: source(c) for c in cells(lesson["en"])}
    namespace: dict = {}
    exec("import vpclab", namespace)  # the lesson's own cells, run as the learner runs them
    for cell_id in ("l07-private-situation", "l07-private-repair"):
        exec(by_id[cell_id], namespace)
    s = namespace["s"]
    assert s.lab.analyze(s.web, s.app, port=8080).reachable
    assert not s.lab.exposure()[s.app].exposed
    assert s.lab.analyze(s.app, "internet", port=443).reachable
    for lang in LANGS:
        text = {c["id"]: source(c) for c in cells(lesson[lang])}
        assert "8080" in text["l07-md-private-why"] and "8080" in text["l07-md-private-after"], lang


CODE_WORD = re.compile(r"\b(?:[A-Z][a-z]+[A-Z]\w*(?:\.\w+)*|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|\w+\.\w+Error)\b")


@pytest.mark.parametrize("path", [p for lang in LANGS for p in LESSONS[lang]], ids=rel)
def test_no_quiz_is_answered_by_the_prose_right_before_it(path):
    """Ask, check, then explain: the Markdown between the previous code cell and a quiz names no code (AWS error
    code or explanation code) that its right answer names."""
    leading: list[str] = []
    for cell in cells(path):
        if cell["cell_type"] == "markdown":
            leading.append(source(cell))
            continue
        found = calls_in(cell, "quiz")
        for quiz_id in found:
            answer = catalog(path.parent.name).get(f"quiz.{quiz_id}.{definitions()[quiz_id]['answer']}", "")
            given = [w for w in CODE_WORD.findall(answer) if any(w in text for text in leading)]
            assert given == [], f"{quiz_id}: the prose before it already says {given}"
        leading = []


def calls_in(cell: dict, name: str) -> list[str]:
    found = []
    for node in ast.walk(code_tree(cell)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == name:
            found += _string_args(node)
    return found
