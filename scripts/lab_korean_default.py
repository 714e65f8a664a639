#!/usr/bin/env python3
"""Make Korean the default language of JupyterLab's own interface in this Python environment.

    python scripts/lab_korean_default.py            # Korean by default (needs jupyterlab-language-pack-ko-KR)
    python scripts/lab_korean_default.py --remove   # back to JupyterLab's default (English)
    python scripts/lab_korean_default.py --show     # print the file it would write, change nothing

It sets ``{"@jupyterlab/translation-extension:plugin": {"locale": "ko_KR"}}`` in JupyterLab's
``overrides.json``, in the application settings directory of the environment that runs it:
``$JUPYTERLAB_DIR/settings`` if that is set, else ``{sys.prefix}/share/jupyter/lab/settings``.
Other settings in the file are kept. Overrides are defaults: a learner who picks a language in
Settings → Language keeps that choice. Run it in the environment that runs JupyterLab (a user
image for JupyterHub, ``postBuild`` on Binder). Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

PLUGIN = "@jupyterlab/translation-extension:plugin"
LOCALE = "ko_KR"


def overrides_path(prefix: str | None = None) -> Path:
    app_dir = os.environ.get("JUPYTERLAB_DIR") if prefix is None else None
    base = Path(app_dir) if app_dir else Path(prefix or sys.prefix) / "share" / "jupyter" / "lab"
    return base / "settings" / "overrides.json"


def updated(current: dict, locale: str | None) -> dict:
    """``current`` overrides with the interface language set (``locale``) or left to JupyterLab (None)."""
    result = {key: dict(value) if isinstance(value, dict) else value for key, value in current.items()}
    plugin = result.setdefault(PLUGIN, {})
    if locale is None:
        plugin.pop("locale", None)
        if not plugin:
            del result[PLUGIN]
    else:
        plugin["locale"] = locale
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--remove", action="store_true", help="remove the Korean default")
    parser.add_argument("--show", action="store_true", help="print the result and change nothing")
    parser.add_argument("--prefix", help="the environment to change (default: this Python's sys.prefix)")
    args = parser.parse_args(argv)
    path = overrides_path(args.prefix)
    try:
        current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except json.JSONDecodeError as error:
        print(f"{path} is not valid JSON ({error}); fix or remove it first", file=sys.stderr)
        return 1
    text = json.dumps(updated(current, None if args.remove else LOCALE), indent=2, ensure_ascii=False) + "\n"
    if args.show:
        print(f"# {path}\n{text}", end="")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"{'removed the Korean default from' if args.remove else 'JupyterLab will start in Korean:'} {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
