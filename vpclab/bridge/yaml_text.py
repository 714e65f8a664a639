"""A small YAML writer for CloudFormation templates: block style, ``!Ref`` / ``!GetAtt`` / ``!Sub`` tags and
``# comments``. vpclab needs no YAML library at run time; the tests read the output back with PyYAML."""

from __future__ import annotations

import json
import re


class Ref(str):
    """``!Ref LogicalId``"""


class GetAtt(str):
    """``!GetAtt LogicalId.Attribute``"""


class Sub(str):
    """``!Sub "text with ${AWS::Region}"``"""


class Comment:
    """A ``# comment`` line in a mapping, written where it stands (use it as a key, with the value None)."""

    def __init__(self, text: str) -> None:
        self.text = text


_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9:._/-]*$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _scalar(value) -> str:
    if isinstance(value, Ref):
        return f"!Ref {value}"
    if isinstance(value, GetAtt):
        return f"!GetAtt {value}"
    if isinstance(value, Sub):
        return f"!Sub {json.dumps(str(value))}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def _emit(value, indent: str, lines: list[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, Comment):
                lines.extend(f"{indent}# {line}" for line in key.text.splitlines())
            elif isinstance(item, dict | list) and item:
                lines.append(f"{indent}{key}:")
                _emit(item, indent + "  ", lines)
            elif isinstance(item, dict | list):
                lines.append(f"{indent}{key}: {'{}' if isinstance(item, dict) else '[]'}")
            else:
                lines.append(f"{indent}{key}: {_scalar(item)}")
    else:
        for item in value:
            if isinstance(item, dict | list):
                inner: list[str] = []
                _emit(item, indent + "  ", inner)
                inner[0] = f"{indent}- {inner[0][len(indent) + 2 :]}"
                lines.extend(inner)
            else:
                lines.append(f"{indent}- {_scalar(item)}")


def to_yaml(document: dict) -> str:
    lines: list[str] = []
    _emit(document, "", lines)
    return "\n".join(lines) + "\n"
