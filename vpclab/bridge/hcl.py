"""A small HCL writer for the Terraform exporter: attributes aligned as ``terraform fmt`` does, strings escaped."""

from __future__ import annotations


class Expr(str):
    """A raw HCL expression (a reference), written without quotes."""


class Block(list):
    """A nested block (``ingress { ... }``): a list of (key, value) pairs."""


def string(text: str) -> str:
    """An HCL string literal."""
    escaped = []
    for ch in str(text):
        if ch in '"\\':
            escaped.append("\\" + ch)
        elif ch == "\n":
            escaped.append("\\n")
        elif ord(ch) < 32:
            escaped.append(f"\\u{ord(ch):04x}")
        else:
            escaped.append(ch)
    # "${" and "%{" start interpolation and directives in HCL strings.
    return '"' + "".join(escaped).replace("${", "$${").replace("%{", "%%{") + '"'


def _value(value, indent: str) -> str:
    if isinstance(value, Expr):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v, indent) for v in value) + "]"
    if isinstance(value, dict):
        inner = indent + "  "
        width = max(len(k) for k in value)
        lines = [f"{inner}{k.ljust(width)} = {_value(v, inner)}" for k, v in value.items()]
        return "{\n" + "\n".join(lines) + f"\n{indent}}}"
    return string(value)


def _body(items: list[tuple[str, object]], indent: str) -> list[str]:
    lines: list[str] = []
    run: list[tuple[str, object]] = []

    def flush() -> None:
        width = max((len(k) for k, _ in run), default=0)
        lines.extend(f"{indent}{k.ljust(width)} = {_value(v, indent)}" for k, v in run)
        run.clear()

    for key, value in items:
        if value is None:
            continue
        if isinstance(value, Block | dict):
            flush()
            if isinstance(value, Block):
                lines += [f"{indent}{key} {{", *_body(list(value), indent + "  "), f"{indent}}}"]
            else:
                lines.append(f"{indent}{key} = {_value(value, indent)}")
        else:
            run.append((key, value))
    flush()
    return lines


def resource(kind: str, name: str, items: list[tuple[str, object]], comment: str | None = None) -> str:
    head = [f"# {line}" for line in comment.splitlines()] if comment else []
    return "\n".join([*head, f'resource "{kind}" "{name}" {{', *_body(items, "  "), "}"])
