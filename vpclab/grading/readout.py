"""The read-out: the grader's own last cell, which gets a submission's ``lab`` out of its kernel.

After the student's cells, the grader runs a cell of its own, the *read-out*: it loads a fresh copy of vpclab's
serialization module and of ``json`` straight from their files (under names of its own, never from
``sys.modules``, where the student may have put anything), saves the ``lab`` variable with it, and
returns the text through the ``user_expressions`` of its execute reply (on the shell channel, so
neither ``print``, ``sys.stdout`` nor a flood of output can touch it), tagged with a random nonce.
None of this is *trusted*: the kernel is the student's, and a determined one can rewrite the
read-out cell before it runs. ``replay.py`` decides what the text is worth.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the vpclab package (its serialization module)
READOUT_LIMIT = 32_000_000  # characters of read-out text accepted (the lab format allows 20 M)

READOUT = r"""
def _vpclab_readout___NONCE__():
    import base64, importlib, importlib.util, sys, types
    prefix = "_vpclab_readout___NONCE__"
    try:
        for name, path in ((prefix, __PACKAGE__), (prefix + ".model", __PACKAGE__ + "/model")):
            module = types.ModuleType(name)
            module.__path__ = [path]
            sys.modules[name] = module
        dump = importlib.import_module(prefix + ".model.serialization").dump
        spec = importlib.util.spec_from_file_location(prefix + "_json", __JSON__ + "/__init__.py",
                                                      submodule_search_locations=[__JSON__])
        fresh_json = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = fresh_json
        spec.loader.exec_module(fresh_json)
        space = globals()
        if "lab" not in space:
            result = {"nonce": "__NONCE__", "ok": False, "why": "missing"}
        else:
            try:
                result = {"nonce": "__NONCE__", "ok": True, "lab": dump(space["lab"])}
            except Exception as error:
                result = {"nonce": "__NONCE__", "ok": False, "why": "not_a_lab",
                          "type": type(space["lab"]).__name__[:80], "detail": type(error).__name__[:80]}
        try:
            text = fresh_json.dumps(result, ensure_ascii=True)
        except Exception as error:
            text = fresh_json.dumps({"nonce": "__NONCE__", "ok": False, "why": "unreadable",
                                     "detail": type(error).__name__[:80]})
        return base64.b64encode(text.encode("ascii")).decode("ascii")
    finally:
        for name in [n for n in sys.modules if n.startswith(prefix)]:
            del sys.modules[name]
_vpclab_readout___NONCE__ = _vpclab_readout___NONCE__()
"""


def readout_cell(nonce: str) -> str:
    json_dir = os.path.dirname(json.__file__)
    return (
        READOUT.replace("__NONCE__", nonce)
        .replace("__PACKAGE__", repr(str(PACKAGE_DIR)))
        .replace("__JSON__", repr(json_dir))
    )


def decode_readout(reply: dict | None, nonce: str) -> str | None:
    """The JSON text of a read-out reply, or None if the reply is not one (wrong shape, nonce, size)."""
    try:
        value = reply["user_expressions"]["readout"]
        if value.get("status") != "ok":
            return None
        text = value["data"]["text/plain"]
        if not isinstance(text, str) or len(text) > READOUT_LIMIT or len(text) < 2 or text[0] != text[-1]:
            return None
        decoded = base64.b64decode(text[1:-1], validate=True).decode("ascii")
        data = json.loads(decoded)
        if not isinstance(data, dict) or data.get("nonce") != nonce:
            return None
        return decoded
    except (KeyError, TypeError, AttributeError, ValueError, RecursionError):
        return None
