"""Add messages to both catalogs at once: ``python scripts/catalog_add.py entries.json``.

``entries.json`` holds a list of ``[msgid, english, korean]``. Existing ids are left alone (edit those
in the .po files directly). The files are locked while they are written, so several people (or
scripts) can add messages at the same time. Placeholders must match between the two texts.
"""

from __future__ import annotations

import fcntl
import json
import string
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = {lang: ROOT / "vpclab" / "locales" / lang / "LC_MESSAGES" / "vpclab.po" for lang in ("en", "ko")}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def add(entries: list[list[str]]) -> list[str]:
    for msgid, english, korean in entries:
        if _fields(english) != _fields(korean):
            raise SystemExit(f"{msgid}: placeholders differ between the English and Korean texts")
    added = []
    with open(ROOT / "vpclab" / "locales" / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for index, (lang, path) in enumerate(CATALOGS.items()):
            text = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
            for entry in entries:
                msgid = json.dumps(entry[0], ensure_ascii=False)
                if f"\nmsgid {msgid}\n" in text:
                    continue
                msgstr = json.dumps(entry[1 + index], ensure_ascii=False)
                text += f"\nmsgid {msgid}\nmsgstr {msgstr}\n"
                if lang == "en":
                    added.append(entry[0])
            path.write_text(text, encoding="utf-8")
    return added


if __name__ == "__main__":
    print("added:", ", ".join(add(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))) or "nothing")
