"""Every text the library can show, in both languages: message keys, widget labels, terminology.

``tests/test_catalogs.py`` checks the catalogs themselves (the same ids and placeholders in both, no
empty text, Korean in Korean) and every error the library raises. This file covers the rest:

1. every key that ``tr(...)`` can be asked for. The keys are read from the source with ``ast``:
   constants, conditional expressions, f-strings and concatenations, whose names are resolved to the
   strings they can hold (local assignments, loops over literal tuples and dicts, and the arguments
   that every caller passes). Keys made of run-time values are listed in ``RUNTIME_KEYS`` with the
   library's own list of those values: instance states, explanation codes, fix keys, hop steps,
   cost lines, tools, scenarios, quizzes and checks.
2. at run time, nothing asks a catalog for a missing key or leaves a placeholder unfilled: the
   classroom and every broken VPC, their analyses, displays, costs, consoles, quizzes and checks, in
   both languages.
3. a Console built in each language has no empty or raw-key description, tooltip, option or tab title.
4. terminology: the Korean catalog uses the AWS Korean console's terms, and ``docs/glossary.md`` lists
   every explanation code and the terms the console shows.
"""

from __future__ import annotations

import ast
import importlib
import itertools
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import ipywidgets as widgets
import pytest

import vpclab
from vpclab import scenarios
from vpclab.engine import fixes
from vpclab.engine.vocabulary import Code, HopKind, Step
from vpclab.grading.batch import REFUSALS
from vpclab.grading.checks import CASES, TIERS, Verdict, assignments
from vpclab.grading.grader import REASONS, STATUSES
from vpclab.grading.replay import NOTES
from vpclab.grading.reports import TIER_LABELS
from vpclab.grading.tasks import TASKS
from vpclab.model import i18n
from vpclab.model.i18n import LANGUAGES, catalog
from vpclab.model.resources import Action, InstanceState, NatGatewayState
from vpclab.widgets.panels import TOOLS
from vpclab.widgets.quiz import Quiz, definitions

PACKAGE = Path(vpclab.__file__).resolve().parent
ROOT = PACKAGE.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
RAW_KEY = re.compile(r"^(?:ui|console|quiz|explain|fix|hop|cost|diagram|scenario|check|hint|analysis)\.[\w.]+$")


# ---- 1. the keys in the source ----------------------------------------------------------------------------
class Unresolved(Exception):
    """An expression whose possible strings cannot be read from the source."""


@dataclass
class Module:
    name: str  # vpclab/engine/paths.py
    tree: ast.Module
    parent: dict[int, ast.AST] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parent[id(child)] = node

    def ancestors(self, node: ast.AST):
        while id(node) in self.parent:
            node = self.parent[id(node)]
            yield node


MODULES = [
    Module(p.relative_to(ROOT).as_posix(), ast.parse(p.read_text(encoding="utf-8")))
    for p in sorted(PACKAGE.rglob("*.py"))
]
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Module)
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _scope_name(scope: ast.AST, module: Module) -> str | None:
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        return scope.name
    assign = module.parent.get(id(scope))  # ``h = lambda *keys: ...``
    if isinstance(assign, ast.Assign) and len(assign.targets) == 1 and isinstance(assign.targets[0], ast.Name):
        return assign.targets[0].id
    return None


def _index() -> tuple[dict[str, list[tuple[Module, ast.Call]]], dict[str, set[str]]]:
    """Every call by the name it calls, and every local name bound to another function's name."""
    calls: dict[str, list[tuple[Module, ast.Call]]] = {}
    aliases: dict[str, set[str]] = {}
    for module in MODULES:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and _called_name(node):
                calls.setdefault(_called_name(node), []).append((module, node))
            if not isinstance(node, ast.Assign):
                continue
            for target in node.targets:  # ``act, b = self.console.act, self.console.button``
                pairs = (
                    zip(target.elts, node.value.elts, strict=False)
                    if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                    else [(target, node.value)]
                )
                for left, right in pairs:
                    right_name = getattr(right, "attr", None) or getattr(right, "id", None)
                    if isinstance(left, ast.Name) and isinstance(right, ast.Name | ast.Attribute):
                        aliases.setdefault(right_name, set()).add(left.id)
    return calls, aliases


_CALLS, _ALIASES = _index()
_ACTIVE: set[tuple[str, int, str]] = set()  # the parameters being resolved: a cycle adds no new strings


def _calls_of(name: str) -> list[tuple[Module, ast.Call]]:
    return [call for alias in {name, *_ALIASES.get(name, ())} for call in _CALLS.get(alias, [])]


def argument_values(callee: str, position: int, keyword: str, default: ast.AST | None = None) -> set[str]:
    """Every string the package's calls of ``callee`` (or an alias of it) pass for one parameter."""
    calls = _calls_of(callee)
    if not calls:
        raise Unresolved(f"nothing in the package calls {callee}()")
    if (callee, position, keyword) in _ACTIVE:
        return set()
    _ACTIVE.add((callee, position, keyword))
    try:
        found = set()
        for module, node in calls:
            given = {k.arg: k.value for k in node.keywords}.get(keyword)
            if given is None and position < len(node.args):
                given = node.args[position]
                if any(isinstance(a, ast.Starred) for a in node.args[: position + 1]):
                    raise Unresolved(f"{module.name}:{node.lineno} {callee}(*...)")
            if given is None:
                if default is None:
                    raise Unresolved(f"{module.name}:{node.lineno} {callee}() without {keyword}")
                given = default
            found |= values(given, module)
        return found
    finally:
        _ACTIVE.discard((callee, position, keyword))


def _parameter_values(scope: ast.AST, name: str, module: Module) -> set[str]:
    args = scope.args
    positional = [*args.posonlyargs, *args.args]
    callee = _scope_name(scope, module)
    if callee is None:
        raise Unresolved(f"{module.name}: a parameter of an unnamed function")
    if args.vararg is not None and args.vararg.arg == name:  # ``lambda *keys``: every positional argument
        found = set()
        for other, node in _calls_of(callee):
            for arg in node.args[len(positional) :]:
                if isinstance(arg, ast.Starred):  # ``h(*_INSTANCE_HEADERS)``
                    where = next(a for a in other.ancestors(node) if isinstance(a, SCOPES))
                    found |= set().union(*(values(e, other) for e in _elements(arg.value, other, where)))
                else:
                    found |= values(arg, other)
        return found
    names = [a.arg for a in positional]
    if name not in names:
        raise Unresolved(f"{module.name}: keyword-only parameter {name}")
    index = names.index(name)
    defaults = dict(zip(names[len(names) - len(args.defaults) :], args.defaults, strict=True))
    method = bool(names) and names[0] in ("self", "cls")
    return argument_values(callee, index - method, name, defaults.get(name))


def _elements(iterable: ast.AST, module: Module, scope: ast.AST) -> list[ast.AST]:
    """The element nodes a ``for`` goes through: a literal tuple, list or set, a dict's keys or items."""
    if isinstance(iterable, ast.Tuple | ast.List | ast.Set):
        return list(iterable.elts)
    if isinstance(iterable, ast.Dict):
        return list(iterable.keys)
    if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Attribute) and not iterable.args:
        owner = _literal(iterable.func.value, module, scope)
        if isinstance(owner, ast.Dict) and iterable.func.attr == "items":
            return [ast.Tuple(elts=[k, v]) for k, v in zip(owner.keys, owner.values, strict=True)]
        if isinstance(owner, ast.Dict) and iterable.func.attr == "keys":
            return list(owner.keys)
    literal = _literal(iterable, module, scope)
    if literal is not None and literal is not iterable:
        return _elements(literal, module, scope)
    raise Unresolved(f"{module.name}: for over {ast.unparse(iterable)}")


def _literal(node: ast.AST, module: Module, scope: ast.AST) -> ast.AST | None:
    """A name bound once, in its scope or the module, to a literal collection: that literal."""
    if not isinstance(node, ast.Name):
        return node
    for where in (scope, module.tree):
        bound = [
            n.value
            for n in _own_nodes(where)
            if isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets)
        ]
        if len(bound) == 1 and isinstance(bound[0], ast.Tuple | ast.List | ast.Set | ast.Dict):
            return bound[0]
    return None


def _own_nodes(scope: ast.AST):
    """The nodes of a scope, without descending into the functions defined inside it."""
    todo = list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, SCOPES):
            todo.extend(ast.iter_child_nodes(node))


def _binds(target: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target))


def _bound_values(target: ast.AST, value: ast.AST, name: str, module: Module) -> set[str]:
    """What ``name`` holds after ``target = value`` (tuple unpacking of literal tuples included)."""
    if isinstance(target, ast.Name):
        return values(value, module) if target.id == name else set()
    if isinstance(target, ast.Tuple | ast.List):
        if not (isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts)):
            raise Unresolved(f"{module.name}: unpacking {ast.unparse(value)}")
        return set().union(*(_bound_values(t, v, name, module) for t, v in zip(target.elts, value.elts, strict=True)))
    raise Unresolved(f"{module.name}: assignment to {ast.unparse(target)}")


def _name_values(node: ast.Name, module: Module) -> set[str]:
    name = node.id
    for ancestor in module.ancestors(node):
        if isinstance(ancestor, COMPREHENSIONS):
            for generator in ancestor.generators:
                if _binds(generator.target, name):
                    scope = next(a for a in module.ancestors(ancestor) if isinstance(a, SCOPES))
                    star = getattr(getattr(scope, "args", None), "vararg", None)
                    if isinstance(generator.iter, ast.Name) and star is not None and generator.iter.id == star.arg:
                        return _parameter_values(scope, star.arg, module)  # ``for k in keys`` of ``*keys``
                    elements = _elements(generator.iter, module, scope)
                    return set().union(*(_bound_values(generator.target, e, name, module) for e in elements))
        if isinstance(ancestor, SCOPES):
            scope = ancestor
            break
    if not isinstance(scope, ast.Module):
        parameters = scope.args
        if name in {a.arg for a in [*parameters.posonlyargs, *parameters.args, *parameters.kwonlyargs]} or (
            parameters.vararg is not None and parameters.vararg.arg == name
        ):
            return _parameter_values(scope, name, module)
    for where in (scope, module.tree):
        found, bindings = set(), 0
        for n in _own_nodes(where):
            if isinstance(n, ast.Assign) and any(_binds(t, name) for t in n.targets):
                bindings += 1
                for target in n.targets:
                    found |= _bound_values(target, n.value, name, module)
            elif isinstance(n, ast.AnnAssign) and n.value is not None and _binds(n.target, name):
                bindings += 1
                found |= _bound_values(n.target, n.value, name, module)
            elif isinstance(n, ast.For) and _binds(n.target, name):
                bindings += 1
                for element in _elements(n.iter, module, where):
                    found |= _bound_values(n.target, element, name, module)
            elif isinstance(n, ast.AugAssign | ast.NamedExpr | ast.With) and _binds(getattr(n, "target", n), name):
                raise Unresolved(f"{module.name}: {name} is rebound in a way this reader does not follow")
        if bindings:
            return found
    raise Unresolved(f"{module.name}: where {name} comes from")


ENGINE_ENUMS = {"Code": Code, "HopKind": HopKind, "Step": Step}


def values(node: ast.AST, module: Module) -> set[str]:
    """Every string an expression can evaluate to, or ``Unresolved``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return values(node.body, module) | values(node.orelse, module)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return {a + b for a in values(node.left, module) for b in values(node.right, module)}
    if isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                if part.conversion != -1 or part.format_spec is not None:
                    raise Unresolved(f"{module.name}: {ast.unparse(node)}")
                parts.append(values(part.value, module))
            else:
                parts.append(values(part, module))
        return {"".join(p) for p in itertools.product(*parts)}
    if isinstance(node, ast.Name):
        return _name_values(node, module)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ENGINE_ENUMS:
        return {ENGINE_ENUMS[node.value.id][node.attr].value}  # the engine's vocabulary: Code.X, Step.X ...
    raise Unresolved(f"{module.name}:{getattr(node, 'lineno', '?')} {ast.unparse(node)}")


@dataclass(frozen=True)
class Site:
    where: str  # path:line
    expression: str  # the key argument, as source text


def tr_sites() -> list[tuple[Site, Module, ast.AST]]:
    found = []
    for module in MODULES:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Call) and _called_name(node) == "tr" and node.args:
                found.append((Site(f"{module.name}:{node.lineno}", ast.unparse(node.args[0])), module, node.args[0]))
    return found


def _block(parameter: str, position: int) -> set[str]:
    """What the engine's tracer passes to ``block(code, component, kind, step, packet, fix, ...)``."""
    return argument_values("block", position, parameter)


def _console_keys() -> set[str]:
    """Labels: every "console.*" string of the widgets, and "<key>.help" (the tooltip) of every button."""
    keys = set()
    for module in MODULES:
        if module.name.startswith("vpclab/widgets/"):
            for node in ast.walk(module.tree):
                whole = not isinstance(module.parent.get(id(node)), ast.JoinedStr)  # not a piece of an f-string
                if isinstance(node, ast.Constant) and whole and re.fullmatch(r"console\.[\w.]+", str(node.value)):
                    keys.add(node.value)
    return keys | {f"{key}.help" for key in argument_values("button", 0, "key")}


def _quiz_keys(*parts: str) -> set[str]:
    """``quiz.<id>.<part>`` for every quiz; the part "N" stands for every option number."""
    keys = set()
    for quiz_id, spec in definitions().items():
        options = [str(n) for n in range(1, spec["options"] + 1)]
        names = [name for part in parts for name in (options if part == "N" else [part])]
        keys |= {f"quiz.{quiz_id}.{name}" for name in names}
    return keys


def _checks(*tiers: str) -> set[str]:
    keys = set()
    for assignment, checks in assignments().items():
        for check_id in checks:
            keys |= (
                {f"check.{assignment}.{check_id}"}
                if not tiers
                else {f"hint.{assignment}.{check_id}.{tier}" for tier in tiers}
            )
    return keys


STATES = {f"ui.state_{s.value}" for s in InstanceState}
# Keys made of run-time values: (module, key expression) -> the keys it can produce. ``None``: checked
# by tests/test_catalogs.py (every raise of the library has its text, with its placeholders filled).
RUNTIME_KEYS = {
    ("vpclab/model/errors.py", "self.key"): lambda: None,
    ("vpclab/engine/analysis.py", "f'explain.{self.code}'"): lambda: {f"explain.{c}" for c in _block("code", 0)},
    ("vpclab/model/i18n.py", "self.key"): lambda: argument_values("Localized", 0, "key"),
    ("vpclab/model/i18n.py", "f'phrase.{code}'"): lambda: {f"phrase.{c}" for c in _block("code", 0)},
    ("vpclab/engine/analysis.py", "f'fix.{self.fix}'"): lambda: {
        f"fix.{f}" for f in _block("fix", 5) | set(fixes.KEYS)
    },
    ("vpclab/render/analysis.py", "f'explain.{analysis.code}'"): lambda: {f"explain.{c}" for c in _block("code", 0)},
    ("vpclab/render/analysis.py", "f'hop.{hop.step}'"): lambda: {
        f"hop.{s}" for s in _block("step", 3) | argument_values("hop", 2, "step")
    },
    ("vpclab/render/diagram.py", "f'ui.state_{instance.state.value}'"): lambda: STATES,
    ("vpclab/render/tables.py", "f'ui.state_{i.state.value}'"): lambda: STATES,
    ("vpclab/render/tables.py", "f'ui.nat_state_{nat.state.value}'"): lambda: {
        f"ui.nat_state_{s.value}" for s in NatGatewayState
    },
    ("vpclab/render/tables.py", "f'ui.{entry.action.value}'"): lambda: {f"ui.{a.value}" for a in Action},
    ("vpclab/bridge/cost.py", "f'cost.kind.{line.kind}'"): lambda: {
        f"cost.kind.{k}" for k in argument_values("CostLine", 0, "kind")
    },
    # An empty unit is not looked up (``if line.unit``): the free lines count resources, not hours.
    ("vpclab/bridge/cost.py", "f'cost.unit.{line.unit}'"): lambda: {
        f"cost.unit.{u}" for u in argument_values("CostLine", 5, "unit") if u
    },
    ("vpclab/scenarios.py", "f'scenario.{self.name}'"): lambda: {
        f"scenario.{n}" for n in ("classroom", *scenarios.BROKEN)
    },
    ("vpclab/grading/checks.py", "f'check.{self.assignment}.{self.check_id}'"): lambda: _checks(),
    ("vpclab/grading/student.py", "f'hint.{item.assignment}.{item.check_id}.nudge'"): lambda: _checks("nudge"),
    ("vpclab/grading/batch.py", "'grade.status.' + k"): lambda: {f"grade.status.{s}" for s in STATUSES},
    ("vpclab/grading/reports.py", "f'grade.status.{outcome.status}'"): lambda: {f"grade.status.{s}" for s in STATUSES},
    ("vpclab/grading/reports.py", "outcome.reason"): lambda: set(REASONS),
    ("vpclab/grading/checks.py", "key"): lambda: _checks(*TIERS) | {f"hint.{c}.{t}" for c in CASES for t in TIERS},
    ("vpclab/grading/batch.py", "self.key"): lambda: set(REFUSALS),
    ("vpclab/grading/classreport.py", "f'grade.status.{outcome.status}'"): lambda: {
        f"grade.status.{s}" for s in STATUSES
    },
    ("vpclab/grading/reports.py", "TIER_LABELS[tier - 1]"): lambda: set(TIER_LABELS),
    ("vpclab/grading/reports.py", "key"): lambda: {*NOTES, "grade.note.check_error"},
    ("vpclab/grading/reports.py", "f'hint.{item.assignment}.{item.check_id}.{name}'"): lambda: _checks(*TIERS[1:]),
    ("vpclab/model/imported.py", "f'unsupported.{self.why}'"): lambda: {
        f"unsupported.{why}" for why in importlib.import_module("vpclab.model.imported").REASONS
    },
    # vpclab exposure's report: verdicts, column headers, reasons an answer is unknown.
    ("vpclab/cli_report.py", "f'audit.verdict.{e.verdict}'"): lambda: {
        f"audit.verdict.{v}" for v in importlib.import_module("vpclab.cli_report").VERDICTS
    },
    ("vpclab/cli_report.py", "f'audit.unknown.{why}'"): lambda: {
        f"audit.unknown.{w}" for w in importlib.import_module("vpclab.engine.verdicts").UNKNOWN_WHYS
    },
    ("vpclab/widgets/console.py", "key"): _console_keys,
    ("vpclab/widgets/console.py", "k"): _console_keys,
    ("vpclab/widgets/console.py", "f'console.tool.{name}'"): lambda: {f"console.tool.{t}" for t in TOOLS},
    ("vpclab/widgets/quiz.py", "key + '.q'"): lambda: _quiz_keys("q"),
    ("vpclab/widgets/quiz.py", "f'{key}.{n}'"): lambda: _quiz_keys("N"),
    ("vpclab/widgets/quiz.py", "key + '.why'"): lambda: _quiz_keys("why"),
    ("vpclab/widgets/quiz.py", "key + '.hint'"): lambda: _quiz_keys("hint"),
    # Lesson tasks: the engine's explanation and fix for what stops a packet, and the tiers of the task hints.
    ("vpclab/grading/tasks.py", "f'explain.{code}'"): lambda: {f"explain.{c}" for c in _block("code", 0)},
    ("vpclab/grading/tasks.py", "f'fix.{fix}'"): lambda: {f"fix.{f}" for f in _block("fix", 5)},
    **{
        ("vpclab/grading/tasks.py", f"f'task.hint.{kind}.{{_TIER[tier]}}'"): (
            lambda kind=kind: {f"task.hint.{kind}.{t}" for t in TIERS}
        )
        for kind in ("open", "exposure", "idle")
    },
    ("vpclab/grading/tasks.py", "f'task.{self.task_id}'"): lambda: {f"task.{t}" for t in TASKS},
    ("vpclab/widgets/goal.py", "key"): lambda: {"goal.done", "goal.not_yet"},
}


def resolved_keys() -> tuple[dict[Site, set[str]], set[tuple[str, str]]]:
    """The keys of every ``tr`` call site, and the (module, expression) pairs listed by hand."""
    keys, by_hand = {}, set()
    for site, module, node in tr_sites():
        try:
            keys[site] = values(node, module)
        except Unresolved:
            hand = (module.name, site.expression)
            if hand not in RUNTIME_KEYS:
                keys[site] = None
                continue
            by_hand.add(hand)
            try:
                produced = RUNTIME_KEYS[hand]()
            except Unresolved:  # the list behind the entry changed shape: fail the coverage test, not collection
                keys[site] = None
                continue
            if produced is not None:
                keys[site] = produced
    return keys, by_hand


KEYS, BY_HAND = resolved_keys()


def test_the_reader_resolves_names_loops_callers_and_aliases(monkeypatch):
    module = Module(
        "example.py",
        ast.parse(
            "def f(x='a'):\n    return tr(f'p.{x}')\n"
            "def g():\n    b = f\n    f('b')\n    b('c')\n    f()\n"
            "H = ('h1', 'h2')\n"
            "def h():\n    return [tr(f'ui.{k}') for k in H] + [tr(t) for t, _ in (('t1', 1), ('t2', 2))]\n"
        ),
    )
    monkeypatch.setattr(sys.modules[__name__], "MODULES", [module])
    monkeypatch.setattr(sys.modules[__name__], "_CALLS", _index()[0])
    monkeypatch.setattr(sys.modules[__name__], "_ALIASES", _index()[1])
    sites = [n.args[0] for n in ast.walk(module.tree) if isinstance(n, ast.Call) and _called_name(n) == "tr"]
    assert values(sites[0], module) == {"p.a", "p.b", "p.c"}
    assert values(sites[1], module) == {"ui.h1", "ui.h2"}
    assert values(sites[2], module) == {"t1", "t2"}
    with pytest.raises(Unresolved):
        values(ast.parse("tr(x.y)").body[0].value.args[0], module)


def test_every_tr_call_site_is_read_from_the_source_or_listed_by_hand():
    unresolved = sorted(f"{site.where}: tr({site.expression})" for site, found in KEYS.items() if found is None)
    assert unresolved == [], (
        "keys made of run-time values: add each call to RUNTIME_KEYS in tests/test_i18n_coverage.py, "
        "with the keys it can ask for computed from the library's own list of those values"
    )
    assert sorted(set(RUNTIME_KEYS) - BY_HAND) == [], "these RUNTIME_KEYS entries no longer match a tr() call"
    assert len(KEYS) > 60


def test_the_keys_found_cover_the_library_lists():
    everything = set().union(*(k for k in KEYS.values() if k))
    assert {"explain.NO_ROUTE_TO_DESTINATION", "explain.ASYMMETRIC_RETURN_PATH", "fix.acl_egress_reply"} <= everything
    assert {"hop.igw_in", "hop.sg_stateful", "cost.kind.eip_idle", "cost.kind.network_acl"} <= everything
    assert {"ui.forward_path", "ui.state_stopped", "diagram.return"} <= everything
    assert {"console.create_gateway.help", "console.test.help", "console.tool.tester"} <= everything


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_the_library_can_ask_for_has_a_text(lang):
    missing = sorted(
        f"{key}  ({site.where})" for site, keys in KEYS.items() for key in keys or () if not catalog(lang).get(key)
    )
    assert missing == []


def test_every_explanation_code_has_its_text_and_every_text_its_code():
    """No ``explain.*`` text is dead: the engine emits each code that the catalogs explain."""
    emitted = _block("code", 0)
    assert sorted(c for c in catalog("en") if c.startswith("explain.") and c[8:] not in emitted) == []
    assert len(emitted) >= 15


def test_both_catalogs_list_their_messages_in_the_same_order():
    """So the two files compare line by line (scripts/catalog_add.py appends to both)."""
    assert list(catalog("en")) == list(catalog("ko"))


# ---- 2. at run time, nothing is missing ----------------------------------------------------------------------
@dataclass
class Lookups:
    missing: set[tuple[str, str]] = field(default_factory=set)  # (lang, key)
    unfilled: set[tuple[str, str]] = field(default_factory=set)  # (key, placeholder)
    last: str = ""


@pytest.fixture
def lookups(monkeypatch):
    """Record every key asked of a catalog that it does not hold, and every placeholder left unfilled."""
    seen = Lookups()
    real = {lang: catalog(lang) for lang in LANGUAGES}

    class Recording(dict):
        def __init__(self, lang):
            super().__init__(real[lang])
            self.lang = lang

        def get(self, key, default=None):
            seen.last = key
            if key not in self:
                seen.missing.add((self.lang, key))
            return super().get(key, default)

    recording = {lang: Recording(lang) for lang in LANGUAGES}
    monkeypatch.setattr(i18n, "catalog", lambda lang: recording[lang])

    def missing_placeholder(_self, name):
        seen.unfilled.add((seen.last, name))
        return "{" + name + "}"

    monkeypatch.setattr(i18n._Lenient, "__missing__", missing_placeholder)
    yield seen
    vpclab.set_language("en")


def _labs():
    yield scenarios.classroom()
    yield scenarios.classroom(nat=False)
    for name in scenarios.BROKEN:
        yield scenarios.broken(name)


def _odd_cases():
    """Analyses that reach the rarer codes: a NAT gateway's or an idle Elastic IP's address, private and
    shared peers, an address nobody has, an appliance route, a group without rules, a stopped
    instance, no gateway at all."""
    s = scenarios.classroom()
    lab = s.lab
    yield lab.analyze("internet", str(s.nat.public_ip), port=443)
    yield lab.analyze("internet", str(lab.allocate_address().public_ip), port=80)
    yield lab.analyze("192.168.1.10", s.web, port=80)
    yield lab.analyze("100.64.1.10", s.web, port=80)
    yield lab.analyze(s.web, "10.99.0.5", port=443)
    yield lab.analyze(s.web, "100.64.1.10", port=443)
    yield lab.analyze(s.web, "10.0.1.99", port=80)
    lab.create_route(s.public_rt, "203.0.113.0/24", s.app)
    yield lab.analyze(s.web, "203.0.113.5", port=80)
    empty = lab.create_security_group(s.vpc, "empty", "no rules")
    lab.revoke_security_group_egress(empty, "-1", None, cidr="0.0.0.0/0")
    lab.modify_instance_security_groups(s.app, [empty])
    yield lab.analyze(s.app, "internet", port=443)
    lab.stop_instance(s.web)
    yield lab.analyze("internet", s.web, port=80)
    bare = vpclab.Lab()
    vpc = bare.create_vpc("10.0.0.0/16")
    web = bare.run_instance(bare.create_subnet(vpc, "10.0.1.0/24"), name="web")
    yield bare.analyze(web, "internet", port=443)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_labs_analyses_displays_and_costs_ask_for_no_missing_text(lang, lookups):
    vpclab.set_language(lang)
    codes = set()
    for s in _labs():
        lab = s.lab
        shown = [s._repr_html_(), s.describe(lang), lab._repr_html_(), lab.exposure().to_text(lang)]
        resources = [
            *lab.vpcs.values(),
            *lab.subnets.values(),
            *lab.internet_gateways.values(),
            *lab.route_tables.values(),
            *lab.security_groups.values(),
            *lab.network_acls.values(),
            *lab.elastic_ips.values(),
            *lab.instances.values(),
            *lab.nat_gateways.values(),
        ]
        shown += [r._repr_html_() for r in resources]
        for instance in list(lab.instances.values()):
            for analysis in (lab.analyze("internet", instance, port=80), lab.analyze(instance, "internet", port=443)):
                codes.add(analysis.code)
                shown += [analysis.explain(lang), analysis._repr_html_(), vpclab.diagram(lab, analysis, lang).source]
        for cost in (lab.cost(), lab.cost(hours=1, currency="KRW", nat_data_gb=10), lab.cost(krw_per_usd=1400)):
            shown += [cost.to_text(lang), cost._repr_html_(lang)]
    for analysis in _odd_cases():
        codes.add(analysis.code)
        shown += [analysis.explain(lang), analysis._repr_html_()]
    assert lookups.missing == set() and lookups.unfilled == set()
    assert codes - {None} <= _block("code", 0), "codes the static reading did not find"
    assert all(text for text in shown)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_quiz_shows_its_question_options_and_feedback_without_missing_text(lang, lookups):
    for quiz_id, spec in definitions().items():
        quiz = Quiz(quiz_id, lang)
        labels = [label for label, _ in quiz.options.options]
        assert len(labels) == spec["options"] and all(label.strip() for label in labels)
        assert not any(RAW_KEY.match(text) for text in [*labels, quiz.question.value, quiz.check_button.description])
        wrong = next(n for n in range(1, spec["options"] + 1) if n != spec["answer"])
        assert not quiz.answer(wrong) and not quiz.answer(wrong) and quiz.answer(spec["answer"])
    assert lookups.missing == set() and lookups.unfilled == set()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_check_title_and_hint_tier_has_its_text(lang, lookups):
    for assignment, checks in assignments().items():
        report = vpclab.check(assignment, _start(assignment))
        assert report.to_text(lang)
        for check in checks.values():
            assert check.title(lang) and not RAW_KEY.match(check.title(lang))
            for tier in range(1, len(TIERS) + 1):
                check.hint(tier, Verdict.fail(), lang)
    missing_values = {(key, name) for key, name in lookups.unfilled if key.startswith("hint.")}
    lookups.unfilled -= missing_values  # a hint's values come from its failed check, not from this test
    assert lookups.missing == set() and lookups.unfilled == set()


def _start(assignment: str):
    return importlib.import_module(f"vpclab.grading.assignments.{assignment}").start()


# ---- 3. the console's labels --------------------------------------------------------------------------------
def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def _bad(text) -> bool:
    return not isinstance(text, str) or not text.strip() or bool(RAW_KEY.match(text.strip()))


CONTROLS = (widgets.Dropdown, widgets.ToggleButtons, widgets.Text, widgets.Checkbox, widgets.BoundedIntText)


def label_problems(console) -> list[str]:
    problems = []
    for widget in _walk(console):
        kind = type(widget).__name__
        if isinstance(widget, widgets.Button):
            if _bad(widget.description) and not widget.icon:
                problems.append(f"{kind} without a label")
            if _bad(widget.tooltip):
                problems.append(f"{kind} {widget.description!r}: tooltip {widget.tooltip!r}")
        elif isinstance(widget, CONTROLS) and widget is not console.language and _bad(widget.description):
            problems.append(f"{kind}: description {widget.description!r}")
        if isinstance(widget, widgets.Dropdown | widgets.ToggleButtons):
            options = [label for label, _ in widget.options]
            problems += [f"{kind} {widget.description!r}: option {label!r}" for label in options if _bad(label)]
    problems += [f"tab {title!r}" for title in console.tabs.titles if _bad(title)]
    return problems


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_console_in_each_language_has_every_label_tooltip_option_and_tab_title(lang, lookups):
    vpclab.set_language(lang)
    console = vpclab.Console(scenarios.classroom().lab)
    assert label_problems(console) == []
    if lang == "ko":
        assert all(HANGUL.search(title) or (title.isascii() and title.isupper()) for title in console.tabs.titles)
    console.language.value = next(other for other in LANGUAGES if other != lang)  # and after the switch
    assert label_problems(console) == []
    assert lookups.missing == set() and lookups.unfilled == set()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_console_messages_after_actions_ask_for_no_missing_text(lang, lookups):
    vpclab.set_language(lang)
    s = scenarios.classroom()
    console = vpclab.Console(s.lab)
    console.undo_button.click()  # nothing to undo
    for widget in _walk(console.panels["internet_gateway"].box):
        if isinstance(widget, widgets.Button) and widget.icon in ("plus", "link", "trash"):
            widget.click()  # create, attach (refused: the VPC has one), delete (refused)
    console.panels["tester"].port.value = "22"
    next(w for w in _walk(console.panels["tester"].box) if isinstance(w, widgets.Button)).click()
    console.panels["security_group"].port.value = "not a port"
    next(w for w in _walk(console.panels["security_group"].box) if isinstance(w, widgets.Button)).click()
    console.undo_button.click()
    console.language.value = next(other for other in LANGUAGES if other != lang)
    assert "{" not in console.message.value.replace("{{", "")
    assert lookups.missing == set() and lookups.unfilled == set()


# ---- 4. terminology ------------------------------------------------------------------------------------------
# Spellings the AWS Korean console does not use (the right one after the arrow).
NOT_CONSOLE_TERMS = {
    "보안그룹": "보안 그룹",
    "가용영역": "가용 영역",
    "인터넷게이트웨이": "인터넷 게이트웨이",
    "NAT게이트웨이": "NAT 게이트웨이",
    "라우트 테이블": "라우팅 테이블",
    "엘라스틱": "탄력적 IP",
    "탄력 IP": "탄력적 IP",
    "타겟": "대상",  # a route's Target (fact sheet §17(a))
    "타깃": "대상",
    "랩": "실습 환경",  # the lessons' and the grader's word for a lab
    "에피메랄": "임시 포트",
    "에페메랄": "임시 포트",
    "상태 유지": "상태 저장",
}


def test_korean_texts_use_the_console_spelling_of_every_term():
    wrong = sorted(
        f"{key}: {term} → {right}"
        for key, text in catalog("ko").items()
        for term, right in NOT_CONSOLE_TERMS.items()
        if term in text
    )
    assert wrong == []


def test_route_table_columns_are_the_korean_guide_labels_destination_address_and_target():
    """The Korean VPC guide's route tables: 대상 주소 (Destination) | 대상 (Target) (fact sheet §17(a))."""
    en, ko = catalog("en"), catalog("ko")
    assert (ko["ui.destination"], ko["ui.target"]) == ("대상 주소", "대상")
    assert (ko["console.destination"], ko["console.target"]) == ("대상 주소", "대상")
    about_targets = [key for key, text in en.items() if re.search(r"\btargets?\b", text, re.IGNORECASE)]
    assert len(about_targets) >= 5
    assert sorted(key for key in about_targets if "대상" not in ko[key]) == []
    # a route's destination is 대상 주소 wherever a message names it beside the word
    assert sorted(k for k, t in ko.items() if re.search(r"대상 \{(destination|value)\}", t)) == []


def _glossary() -> str:
    return GLOSSARY.read_text(encoding="utf-8")


def test_every_explanation_code_the_engine_can_emit_has_a_short_phrase_in_both_languages():
    codes = _block("code", 0)
    assert len(codes) >= 15
    missing = sorted((lang, code) for code in codes for lang in LANGUAGES if f"phrase.{code}" not in catalog(lang))
    assert missing == []
    for code in codes:  # a phrase, not the code again, and Korean in Korean
        assert i18n.code_phrase(code, "en") != code and HANGUL.search(i18n.code_phrase(code, "ko"))


def test_the_glossary_explains_every_explanation_code():
    text = _glossary()
    assert sorted(code for code in _block("code", 0) if f"`{code}`" not in text) == []


@pytest.mark.parametrize(
    "key",
    [
        "ui.internet_gateway",
        "ui.route_table",
        "ui.subnet",
        "ui.security_group",
        "ui.network_acl",
        "ui.elastic_ip",
        "ui.nat_gateway",
        "ui.availability_zone",
        "ui.destination",
        "ui.target",
        "ui.inbound",
        "ui.outbound",
        "ui.main",
        "ui.private_ip",
        "ui.public_ip",
        "ui.map_public_ip",
        "diagram.blackhole",
        "diagram.public",
        "diagram.private",
        "ui.exposure",
        "console.tool.tester",
    ],
)
def test_the_glossary_uses_the_words_the_library_shows(key):
    """Each term as the console and tables show it, in Korean and in English, so the two never drift."""
    text = _glossary().lower()
    assert catalog("ko")[key].lower() in text and catalog("en")[key].lower() in text, key


def test_the_glossary_terms_table_is_sorted_by_the_korean_term_and_every_row_has_both_languages():
    text = _glossary()
    table = text[text.index("## 용어 · Terms") : text.index("## 설명 코드")]
    rows = [line for line in table.splitlines() if line.startswith("| **")]
    terms = [re.match(r"\| \*\*([^*]+)\*\*", row).group(1) for row in rows]
    assert len(terms) >= 40 and terms == sorted(terms)
    assert all(len(row.split(" | ")) == 2 and HANGUL.search(row.split(" | ")[0]) for row in rows)
    assert not any(HANGUL.search(row.split(" | ")[1]) for row in rows)


# ---- 5. JupyterLab's own interface in Korean -------------------------------------------------------------------
def _load_script(name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"_vpclab_script_{name}", ROOT / "scripts" / f"{name}.py")
    module = sys.modules.setdefault(spec.name, importlib.util.module_from_spec(spec))
    spec.loader.exec_module(module)
    return module


def test_the_korean_language_pack_is_in_the_lab_extra_and_the_conda_environment():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # tomllib is Python 3.11+; vpclab runs on 3.10
    lab_extra = re.search(r"^lab = \[(.*?)^\]", pyproject, re.MULTILINE | re.DOTALL).group(1)
    assert '"jupyterlab-language-pack-ko-KR"' in lab_extra
    assert re.search(r"^\s*- jupyterlab-language-pack-ko-KR\s*$", (ROOT / "environment.yml").read_text(), re.MULTILINE)


def test_the_korean_default_script_sets_the_translation_locale_and_keeps_other_overrides(tmp_path, monkeypatch):
    script = _load_script("lab_korean_default")
    monkeypatch.delenv("JUPYTERLAB_DIR", raising=False)
    path = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text('{"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}', encoding="utf-8")
    assert script.main(["--prefix", str(tmp_path)]) == 0
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
        "@jupyterlab/translation-extension:plugin": {"locale": "ko_KR"},
    }
    assert script.main(["--prefix", str(tmp_path), "--remove"]) == 0
    assert list(json.loads(path.read_text(encoding="utf-8"))) == ["@jupyterlab/apputils-extension:themes"]
    monkeypatch.setenv("JUPYTERLAB_DIR", str(tmp_path / "app"))
    assert script.overrides_path() == tmp_path / "app" / "settings" / "overrides.json"


def test_the_locale_and_the_setting_the_script_writes_exist_in_the_installed_jupyterlab():
    """The plugin id and its ``locale`` property come from JupyterLab 4's own schema; ``ko_KR`` from the pack."""
    pytest.importorskip("jupyterlab")
    translation_utils = pytest.importorskip("jupyterlab_server.translation_utils")
    schema = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas" / "@jupyterlab" / "translation-extension"
    plugin, key = _load_script("lab_korean_default").PLUGIN.split(":")
    assert plugin == "@jupyterlab/translation-extension"
    assert "locale" in json.loads((schema / f"{key}.json").read_text(encoding="utf-8"))["properties"]
    packs, _ = translation_utils.get_language_packs("ko_KR")
    assert "ko_KR" in packs, "pip install jupyterlab-language-pack-ko-KR"
