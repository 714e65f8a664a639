"""Bilingual text: gettext catalogs (``vpclab/locales/<lang>/LC_MESSAGES/vpclab.po``).

The catalogs are keyed by message id (an AWS error code, an explanation code or a ``ui.*`` label),
and every id has a text in each language with the same ``{placeholders}``. They are plain PO files
so that translators can open them in Poedit or any PO editor; vpclab reads them with the small
parser below instead of compiling ``.mo`` files, so the repository holds only the source text.
"""

from __future__ import annotations

import ast
import os
import string
from functools import cache
from pathlib import Path

from .particles import attach_particles

LANGUAGES = ("en", "ko")
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"

_current = {"lang": os.environ.get("VPCLAB_LANG", "en") if os.environ.get("VPCLAB_LANG") in LANGUAGES else "en"}


def set_language(lang: str) -> None:
    """Choose the language of every message, table and label: ``"ko"``, ``"en"`` or ``"auto"``.

    ``"auto"`` lets a notebook's code stay the same in both languages: it takes ``VPCLAB_LANG`` if
    set, else ``"ko"`` when the notebook runs from a folder named ``ko`` (``notebooks/ko/``, where
    Jupyter starts its kernel), else ``"en"``.
    """
    if lang == "auto":
        from pathlib import Path

        lang = os.environ.get("VPCLAB_LANG") or ("ko" if "ko" in Path.cwd().parts[-1:] else "en")
    _current["lang"] = check_language(lang)


def get_language() -> str:
    return _current["lang"]


def check_language(lang: str | None) -> str:
    if lang is None:
        return _current["lang"]
    if lang not in LANGUAGES:
        raise ValueError(
            f"Unknown language {lang!r}: use 'ko' or 'en'. / 알 수 없는 언어 {lang!r}: 'ko' 또는 'en'을 쓰세요."
        )
    return lang


def parse_po(text: str) -> dict[str, str]:
    """Parse the subset of the PO format the catalogs use: msgid/msgstr pairs, comments, continuations."""
    entries: dict[str, str] = {}
    field = None
    parts: dict[str, list[str]] = {"msgid": [], "msgstr": []}

    def flush() -> None:
        if parts["msgid"]:
            key = "".join(parts["msgid"])
            if key in entries:
                raise ValueError(f"duplicate msgid {key!r} in catalog")
            entries[key] = "".join(parts["msgstr"])
        parts["msgid"], parts["msgstr"] = [], []

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if keyword in ("msgid", "msgstr"):
            if keyword == "msgid":
                flush()
            field = keyword
            line = rest.strip()
        if field is None or not (line.startswith('"') and line.endswith('"')):
            raise ValueError(f"line {number}: not a PO string: {raw!r}")
        # PO strings use C escapes; a Python string literal reads the same subset safely.
        parts[field].append(ast.literal_eval(line))
    flush()
    entries.pop("", None)  # the header entry
    return entries


@cache
def catalog(lang: str) -> dict[str, str]:
    path = LOCALES_DIR / lang / "LC_MESSAGES" / "vpclab.po"
    return parse_po(path.read_text(encoding="utf-8"))


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class _Lenient(dict):
    """Leaves an unknown placeholder visible instead of failing while an error is being reported."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Localized:
    """A value whose words depend on the language (a rule, a state): filled in the message's language.

    The engine hands such values to the messages it builds (``rule=Localized("rule.acl_in", ...)``),
    so one analysis reads in Korean and in English without Python reprs or English words inside.
    """

    __slots__ = ("key", "values")

    def __init__(self, key: str, **values: object) -> None:
        self.key, self.values = key, values

    def text(self, lang: str | None = None) -> str:
        return tr(self.key, lang, **self.values)

    def __str__(self) -> str:
        return self.text("en")

    def __repr__(self) -> str:
        return f"Localized({self.key!r}, {self.values!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Localized) and (self.key, self.values) == (other.key, other.values)

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted(map(str, self.values.items())))))


def tr(key: str, lang: str | None = None, **values: object) -> str:
    """The text of ``key`` in ``lang`` (default: the chosen language), placeholders filled.

    Korean particles written undecided after a placeholder (``{id}이(가)``, ``{cidr}(으)로``) are
    chosen once the value is in, for the way a Korean reader says it (see ``particles``).
    """
    lang = check_language(lang)
    text = catalog(lang).get(key) or catalog("en").get(key) or key
    shown = {name: value.text(lang) if isinstance(value, Localized) else value for name, value in values.items()}
    filled = string.Formatter().vformat(text, (), _Lenient(shown))
    return attach_particles(filled) if lang == "ko" else filled


def code_phrase(code: str, lang: str | None = None) -> str:
    """A few words for an explanation code (``NO_ROUTE_TO_DESTINATION`` → "no route to the destination").

    Shown beside the code itself, which is what AWS Reachability Analyzer prints; a code without a
    phrase (one this vpclab does not know) is shown as is.
    """
    return tr(f"phrase.{code}", lang) if f"phrase.{code}" in catalog("en") else code
