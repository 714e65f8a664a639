"""The message catalogs: complete in both languages, with the same placeholders, and every error the
library raises has its text.

The raises are found by reading ``vpclab/**/*.py`` with ``ast``: a call to a name ending in
``Error`` (not a builtin) whose first argument is a string constant. Its catalog key is the second
positional string if there is one, else the first; ``LabFileError(field, problem, ...)`` has the
key ``InvalidLabFile:<problem>`` and always fills ``field``. The few raises whose code is computed
are resolved from the calls of their function, or listed below by hand.
"""

from __future__ import annotations

import ast
import builtins
import os
import re
import shutil
import string
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

import vpclab
from vpclab.model.errors import NotFoundError, VpcLabError
from vpclab.model.i18n import LANGUAGES, parse_po
from vpclab.model.state import KINDS

PACKAGE = Path(vpclab.__file__).resolve().parent
LOCALES = PACKAGE / "locales"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def po_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / "vpclab.po"


CATALOGS = {lang: parse_po(po_path(lang).read_text(encoding="utf-8")) for lang in LANGUAGES}
EN, KO = CATALOGS["en"], CATALOGS["ko"]


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


# ---- the catalogs themselves ---------------------------------------------------------------------
def test_both_languages_are_english_and_korean():
    assert set(LANGUAGES) == {"en", "ko"}


def test_both_catalogs_have_exactly_the_same_message_ids():
    assert sorted(set(EN) - set(KO)) == [], "missing in Korean"
    assert sorted(set(KO) - set(EN)) == [], "missing in English"
    assert len(EN) > 100


def test_every_text_has_the_same_placeholders_in_both_languages():
    different = {key: (fields(EN[key]), fields(KO[key])) for key in EN if fields(EN[key]) != fields(KO[key])}
    assert different == {}


def test_no_text_is_empty():
    empty = [(lang, key) for lang, catalog in CATALOGS.items() for key, text in catalog.items() if not text.strip()]
    assert empty == []


def test_every_korean_text_contains_hangul():
    """Except language-neutral texts: an acronym ("VPC", "CIDR") or code shown as is in both."""
    untranslated = [
        key
        for key, text in KO.items()
        if not HANGUL.search(text) and text != EN[key] and not re.fullmatch(r"[A-Z0-9#]+", text)
    ]
    assert untranslated == []


def test_english_texts_are_not_korean():
    """Hangul in English text only as the name of the Korean language (the console's switch)."""
    assert [key for key, text in EN.items() if HANGUL.search(text.replace("한국어", ""))] == []


def test_placeholders_are_plain_names_that_format_cleanly():
    """``{value}``, never ``{value.__class__}`` or ``{0}``; braces balanced; every text formats."""
    for lang, catalog in CATALOGS.items():
        for key, text in catalog.items():
            names = fields(text)  # raises ValueError on an unbalanced brace
            assert all(name.isidentifier() for name in names), (lang, key, names)
            filled = text.format(**{name: "X" for name in names})
            assert "{" not in filled.replace("{{", "") or "{{" in text, (lang, key)


def test_message_ids_are_codes_not_sentences():
    assert [key for key in EN if not re.fullmatch(r"[A-Za-z0-9_.:\-]+", key)] == []


# ---- PO structure --------------------------------------------------------------------------------
PO_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


@pytest.mark.parametrize("lang", LANGUAGES)
def test_po_file_has_msgid_then_msgstr_for_every_entry(lang):
    """The gettext structure: (comments) msgid "..." (continuations) msgstr "..." (continuations)."""
    state = "between"  # between entries, after msgid, after msgstr
    ids = []
    for number, raw in enumerate(po_path(lang).read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        where = f"{lang} line {number}: {raw!r}"
        if not line:
            assert state in ("between", "msgstr"), where  # a blank line ends an entry
            state = "between"
        elif line.startswith("#"):
            assert state in ("between", "msgstr"), where  # comments come before an entry
            state = "between"
        elif line.startswith("msgid "):
            assert state in ("between", "msgstr"), where
            assert PO_STRING.fullmatch(line[6:].strip()), where
            ids.append(number)
            state = "msgid"
        elif line.startswith("msgstr "):
            assert state == "msgid", where  # msgstr directly after its msgid
            assert PO_STRING.fullmatch(line[7:].strip()), where
            state = "msgstr"
        else:
            assert state in ("msgid", "msgstr") and PO_STRING.fullmatch(line), where  # continuation
    assert state in ("between", "msgstr")
    assert len(ids) == len(CATALOGS[lang]) + 1  # + the header entry


@pytest.mark.parametrize("lang", LANGUAGES)
def test_po_file_has_a_utf8_header_naming_its_language(lang):
    text = po_path(lang).read_text(encoding="utf-8")
    assert 'msgid ""\nmsgstr ""' in text
    assert "charset=UTF-8" in text and f"Language: {lang}" in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_gnu_msgfmt_checks_and_compiles_the_catalog(lang, tmp_path):
    # The check translators' editors run on save (Poedit): format, header and structure.
    if shutil.which("msgfmt") is None:
        if os.environ.get("CI"):
            pytest.fail("GNU gettext's msgfmt is missing: scripts/dev.py installs it (apt package gettext)")
        pytest.skip("GNU gettext's msgfmt is not installed")
    done = subprocess.run(
        ["msgfmt", "-c", "-o", str(tmp_path / "vpclab.mo"), str(po_path(lang))], capture_output=True, text=True
    )
    assert done.returncode == 0 and "warning" not in done.stderr, done.stderr


def test_parse_po_rejects_broken_catalogs():
    with pytest.raises(ValueError):
        parse_po('msgid "a"\nmsgstr "x"\nmsgid "a"\nmsgstr "y"\n')  # duplicate id
    with pytest.raises(ValueError):
        parse_po('msgid "a"\nmsgstr not-a-string\n')
    assert parse_po('# c\nmsgid "a"\nmsgstr ""\n"two "\n"lines"\n') == {"a": "two lines"}


# ---- every raise in the library has its text -----------------------------------------------------
@dataclass(frozen=True)
class Raise:
    where: str  # path:line
    function: str
    key: str
    values: frozenset[str]  # the placeholders the raise fills


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _text(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _functions(tree: ast.AST) -> dict[int, ast.FunctionDef]:
    """The innermost function around each node (by id)."""
    owner: dict[int, ast.FunctionDef] = {}

    def visit(node: ast.AST, function) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            owner[id(child)] = function
            visit(child, inner)

    visit(tree, None)
    return owner


def _argument_values(tree: ast.AST, function: ast.FunctionDef, parameter: str) -> list[str] | None:
    """The string constants every call of ``function`` in the module passes as ``parameter``."""
    names = [a.arg for a in function.args.args]
    position = names.index(parameter) - (1 if names and names[0] == "self" else 0)
    values = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) == function.name:
            given = {k.arg: k.value for k in node.keywords}.get(parameter)
            if given is None and position < len(node.args):
                given = node.args[position]
            if _text(given) is None:
                return None
            values.append(_text(given))
    return values or None


def _resolve(tree, function, node: ast.AST) -> list[str] | None:
    """A key expression: a constant, or a parameter / f-string of one, resolved from the calls."""
    if _text(node) is not None:
        return [_text(node)]
    if function is None:
        return None
    parameters = {a.arg for a in function.args.args}
    if isinstance(node, ast.Name) and node.id in parameters:
        return _argument_values(tree, function, node.id)
    if isinstance(node, ast.JoinedStr):
        parts = node.values
        formatted = [p for p in parts if isinstance(p, ast.FormattedValue)]
        if len(formatted) == 1 and isinstance(formatted[0].value, ast.Name):
            values = _argument_values(tree, function, formatted[0].value.id)
            if values is None or formatted[0].value.id not in parameters:
                return None
            before = "".join(_text(p) or "" for p in parts[: parts.index(formatted[0])])
            after = "".join(_text(p) or "" for p in parts[parts.index(formatted[0]) + 1 :])
            return [before + v + after for v in values]
    return None


# Raises whose key is computed in a way the resolver above does not follow, checked by hand:
# (module, function) -> the keys that can come out, each filling the placeholders named.
NOT_FOUND_KEYS = sorted({code for _, code, _ in KINDS.values()})
COMPUTED = {
    ("vpclab/model/state.py", "_get"): [(code, {"id"}) for code in NOT_FOUND_KEYS],
    ("vpclab/model/verbs_compute.py", "_get_eip"): [
        ("InvalidAssociationID.NotFound", {"id"}),
        ("InvalidAddress.NotFound", {"id"}),
    ],
    ("vpclab/model/verbs_filtering.py", "_rule"): [
        ("MissingParameter:peer", set()),
        ("InvalidParameterCombination:peer", set()),
    ],
    ("vpclab/model/serialization.py", "_build"): [
        (f"InvalidLabFile:missing_{role}", {"field", "id"})
        for role in ("main_route_table", "default_network_acl", "default_security_group")
    ],
    # What the browser cannot do (the JupyterLite site): browser.<what>, one per feature refused.
    ("vpclab/model/runtime.py", "require_processes"): [("browser.grade", set())],
}


def library_raises() -> tuple[list[Raise], set[tuple[str, str]]]:
    """Every raise of a vpclab error in the package, and the computed ones met on the way."""
    found: list[Raise] = []
    computed: set[tuple[str, str]] = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE.parent).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        owner = _functions(tree)
        for node in ast.walk(tree):
            name = _name(node.func) if isinstance(node, ast.Call) else None
            if not name or not name.endswith("Error") or hasattr(builtins, name) or name == "VpcLabError":
                continue
            function = owner.get(id(node))
            where = f"{module}:{node.lineno}"
            values = {k.arg for k in node.keywords}
            assert None not in values, f"{where}: **values cannot be checked; name them"
            if name == "LabFileError":
                problems = _resolve(tree, function, node.args[1]) if len(node.args) > 1 else None
                keys = None if problems is None else [f"InvalidLabFile:{p}" for p in problems]
                values |= {"field"}
            elif node.args and _text(node.args[0]) is not None:
                keys = _resolve(tree, function, node.args[1]) if len(node.args) > 1 else [_text(node.args[0])]
            else:
                code = _resolve(tree, function, node.args[0]) if node.args else None
                keys = code if len(node.args) < 2 else None
            if keys is None:
                computed.add((module, function.name if function else "<module>"))
                for key, filled in COMPUTED.get((module, function.name if function else ""), []):
                    found.append(Raise(where, function.name, key, frozenset(filled)))
                continue
            found += [Raise(where, function.name if function else "<module>", k, frozenset(values)) for k in keys]
    return found, computed


RAISES, COMPUTED_SEEN = library_raises()


def test_the_scan_finds_the_library_raises():
    keys = {r.key for r in RAISES}
    assert len(RAISES) > 80
    assert {"Resource.AlreadyAssociated:igw", "InvalidLabFile:counter", "InvalidVpcID.NotFound"} <= keys
    assert "InvalidParameterValue:cost_hours" in keys  # resolved from the calls of its function


def test_every_computed_raise_is_listed_by_hand():
    assert sorted(COMPUTED_SEEN - set(COMPUTED)) == [], "add these raises to COMPUTED"
    assert sorted(set(COMPUTED) - COMPUTED_SEEN) == [], "these entries of COMPUTED are gone"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_raised_error_key_has_a_text(lang):
    missing = sorted({f"{r.key} ({r.where})" for r in RAISES if r.key not in CATALOGS[lang]})
    assert missing == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_raise_fills_every_placeholder_of_its_message(lang):
    unfilled = sorted(
        f"{r.where} {r.key}: {sorted(fields(CATALOGS[lang][r.key]) - r.values)}"
        for r in RAISES
        if r.key in CATALOGS[lang] and not fields(CATALOGS[lang][r.key]) <= r.values
    )
    assert unfilled == []


def test_every_literal_tr_key_has_a_text():
    """Labels asked for by a constant key (``tr("ui.subnet", lang)``) exist in both catalogs."""
    keys = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_tr = isinstance(node, ast.Call) and _name(node.func) == "tr" and node.args
            if is_tr and _text(node.args[0]) is not None:
                keys.add(_text(node.args[0]))
    assert len(keys) > 10
    assert sorted(keys - set(EN)) == [] and sorted(keys - set(KO)) == []


# ---- language choice and bilingual errors --------------------------------------------------------
@pytest.fixture
def restore_language():
    before = vpclab.get_language()
    yield
    vpclab.set_language(before)


@pytest.mark.parametrize("lang", ["fr", "EN", "Korean", "kr", "", " ko", 1, ["ko"]])
def test_set_language_rejects_unknown_languages(lang, restore_language):
    before = vpclab.get_language()
    with pytest.raises(ValueError):
        vpclab.set_language(lang)
    assert vpclab.get_language() == before


def test_set_language_switches_between_korean_and_english(restore_language):
    vpclab.set_language("ko")
    assert vpclab.get_language() == "ko"
    error = NotFoundError("InvalidVpcID.NotFound", id="vpc-0abc")
    assert HANGUL.search(error.message()) and "vpc-0abc" in error.message()
    assert str(error).startswith("InvalidVpcID.NotFound: ") and HANGUL.search(str(error).splitlines()[0])
    vpclab.set_language("en")
    assert vpclab.get_language() == "en"
    assert not HANGUL.search(error.message()) and "vpc-0abc" in error.message()
    assert "(ko)" in str(error)


def test_a_real_error_has_its_code_and_both_messages():
    lab = vpclab.Lab()
    vpc = lab.create_vpc("10.0.0.0/16")
    lab.attach_internet_gateway(lab.create_internet_gateway(), vpc)
    with pytest.raises(VpcLabError) as caught:
        lab.attach_internet_gateway(lab.create_internet_gateway(), vpc)
    error = caught.value
    assert error.code == "InvalidParameterValue"
    english, korean = error.message("en"), error.message("ko")
    assert vpc.id in english and vpc.id in korean
    assert HANGUL.search(korean) and not HANGUL.search(english)
    assert english == EN[error.key].format(**error.values)
    assert korean == KO[error.key].format(**error.values)
    with pytest.raises(ValueError):
        error.message("fr")


def test_a_lab_file_error_names_its_field_in_both_languages():
    with pytest.raises(vpclab.LabFileError) as caught:
        vpclab.Lab.from_json('{"format": "vpclab-lab", "version": 99}')
    error = caught.value
    assert error.code == "InvalidLabFile" and error.field == "version"
    assert "version" in error.message("en") and "version" in error.message("ko")
