"""Lesson tasks: a goal the learner reaches by changing the network, checked with tiered hints.

A task's goal is a few expectations about behaviour, each a ``Check`` (the same machinery as the
assignments' ``vpclab.check``), so any way of getting there passes — code, or the console:

- ``Reach(source, destination, port)``: the packet gets through (``reachable=False``: it must not);
- ``OnlyOpen(instance, ports)``: the internet reaches exactly these ports on the instance, nothing else;
- ``NoIdleAddress()``: no Elastic IP is allocated without being associated.

Hints come from the engine: for a packet that should get through, the first tier names where it stops
(the explanation code, as Reachability Analyzer shows it), the second explains that code, the third is
the engine's fix. Resources are named as the lesson names them (Name tag), found with ``lookup``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from ..model.i18n import check_language, tr
from .checks import Check, Verdict
from .feedback import CheckRow, Progress
from .lookup import exposed_ports, instance

INTERNET = "internet"


def _endpoint(lab, name: str):
    """``"internet"`` and addresses stay as they are; any other name is an instance's Name tag."""
    if name == INTERNET or name[:1].isdigit():
        return name
    found = instance(lab, name)
    if found is None:
        raise LookupError(name)
    return found


@dataclass(frozen=True)
class Reach:
    source: str
    destination: str
    port: int
    protocol: str = "tcp"
    reachable: bool = True

    def title(self, lang: str) -> str:
        key = "task.reach" if self.reachable else "task.no_reach"
        return tr(key, lang, source=_shown(self.source, lang), destination=_shown(self.destination, lang),
                  protocol=self.protocol.upper(), port=self.port)  # fmt: skip

    def run(self, lab) -> Verdict:
        result = lab.analyze(_endpoint(lab, self.source), _endpoint(lab, self.destination), self.protocol, self.port)
        if bool(result.reachable) == self.reachable:
            return Verdict.ok()
        return Verdict.fail(
            code=result.code or "", fix=result.fix or "", analysis=dict(result.values), **self._values()
        )

    def _values(self) -> dict:
        return {"source": self.source, "destination": self.destination, "protocol": self.protocol.upper(),
                "port": self.port}  # fmt: skip

    def hint(self, tier: int, verdict: Verdict, lang: str) -> str:
        values = {**verdict.values, "source": _shown(self.source, lang), "destination": _shown(self.destination, lang)}
        if not self.reachable:  # it gets through but must not: the rules let too much in
            return tr(f"task.hint.open.{_TIER[tier]}", lang, **values)
        code, fix, found = values.get("code"), values.get("fix"), values.get("analysis", {})
        if tier == 1 or not code:
            return tr("task.hint.stops", lang, **values)
        if tier == 3 and fix:
            return tr(f"fix.{fix}", lang, **found)
        return tr(f"explain.{code}", lang, **found)


@dataclass(frozen=True)
class OnlyOpen:
    instance: str
    ports: tuple[tuple[str, int], ...] = ()

    def title(self, lang: str) -> str:
        if not self.ports:
            return tr("task.closed", lang, instance=self.instance)
        return tr("task.only_open", lang, instance=self.instance, ports=_ports(self.ports))

    def run(self, lab) -> Verdict:
        target = instance(lab, self.instance)
        if target is None:
            return Verdict.fail(instance=self.instance, extra="—", missing="—")
        open_ = exposed_ports(lab, target)
        wanted = {(p, n, n) for p, n in self.ports}
        extra = sorted(open_ - wanted)
        missing = sorted(wanted - open_)
        if not extra and not missing:
            return Verdict.ok()
        return Verdict.fail(instance=self.instance, extra=_ranges(extra) or "—", missing=_ranges(missing) or "—")

    def hint(self, tier: int, verdict: Verdict, lang: str) -> str:
        return tr(f"task.hint.exposure.{_TIER[tier]}", lang, **verdict.values)


@dataclass(frozen=True)
class NoIdleAddress:
    def title(self, lang: str) -> str:
        return tr("task.no_idle", lang)

    def run(self, lab) -> Verdict:
        idle = sorted(a.public_ip.exploded for a in lab.elastic_ips.values() if not a.associated)
        return Verdict.ok() if not idle else Verdict.fail(addresses=", ".join(idle))

    def hint(self, tier: int, verdict: Verdict, lang: str) -> str:
        return tr(f"task.hint.idle.{_TIER[tier]}", lang, **verdict.values)


_TIER = {1: "nudge", 2: "concept", 3: "fix"}


def _shown(name: str, lang: str) -> str:
    return tr("task.internet", lang) if name == INTERNET else name


def _ports(ports) -> str:
    return ", ".join(f"{p.upper()} {n}" for p, n in ports)


def _ranges(ranges) -> str:
    return ", ".join(f"{p.upper()} {a}" if a == b else f"{p.upper()} {a}-{b}" for p, a, b in ranges)


@dataclass(frozen=True)
class GoalCheck(Check):
    """One expectation of a task, as a ``Check``: its title and hints come from the expectation."""

    goal: object = None

    def title(self, lang: str | None = None) -> str:
        return self.goal.title(check_language(lang))

    def hint(self, tier: int, verdict: Verdict, lang: str | None = None) -> str:
        return self.goal.hint(max(1, min(tier, 3)), verdict, check_language(lang))


@dataclass(frozen=True)
class Task:
    task_id: str
    goals: tuple = field(default_factory=tuple)

    def checks(self) -> dict[str, GoalCheck]:
        return {
            str(n): GoalCheck(self.task_id, str(n), 1.0, _safe(goal.run), goal) for n, goal in enumerate(self.goals, 1)
        }

    def title(self, lang: str | None = None) -> str:
        return tr(f"task.{self.task_id}", lang)

    def met(self, lab) -> bool:
        return all(item.run(lab).passed for item in self.checks().values())


def _safe(run):
    def checked(lab) -> Verdict:
        try:
            verdict = run(lab)
        except LookupError:  # a resource the goal names is gone: not met, never an error
            return Verdict(False, {})
        return verdict if isinstance(verdict, Verdict) else Verdict(False, {})

    return checked


class TaskRow(CheckRow):
    def text(self, lang: str) -> str:
        line = f"{'✔' if self.verdict.passed else '✘'} {self.check.title(lang)}"
        if not self.verdict.passed:
            hint = self.check.hint(self.tier, self.verdict, lang)
            line += f"\n   {tr('check.hint_label', lang, tier=self.tier)}: {hint}"
        return line


class TaskProgress(Progress):
    """The answer of a lesson's check cell: the goal met or not yet, each expectation with its hint."""

    def __init__(self, task: Task, rows: list[TaskRow]) -> None:
        super().__init__(task.task_id, rows)
        self.task = task

    def to_text(self, lang: str | None = None) -> str:
        lang = check_language(lang)
        head = tr("task.done" if self.passed else "task.not_yet", lang, goal=self.task.title(lang))
        return "\n".join([head, *(r.text(lang) for r in self.rows)])

    def __repr__(self) -> str:
        return f"TaskProgress({self.task.task_id!r}, passed={self.passed})"

    def _repr_html_(self) -> str:
        lines = self.to_text(check_language(None)).split("\n")
        colour = "#2e9d4f" if self.passed else "#b3261e"
        items = "".join(f"<div>{escape(line)}</div>" for line in lines[1:])
        return f'<div class="vpclab-task" role="status"><b style="color:{colour}">{escape(lines[0])}</b>{items}</div>'


_attempts: dict[tuple[str, str], int] = {}


def progress(task: Task, lab, attempts: dict | None = None) -> TaskProgress:
    """Check every expectation of ``task`` on ``lab``; each call while one still fails shows its next hint
    (counted in ``attempts``: a practice's own, so a fresh start begins with the first hint again)."""
    counts = _attempts if attempts is None else attempts
    rows = []
    for check_id, item in task.checks().items():
        verdict = item.run(lab)
        if verdict.passed:
            rows.append(TaskRow(item, verdict, 0))
            continue
        key = (task.task_id, check_id)
        counts[key] = min(counts.get(key, 0) + 1, 3)
        rows.append(TaskRow(item, verdict, counts[key]))
    return TaskProgress(task, rows)


TASKS: dict[str, Task] = {}


def task(task_id: str, *goals) -> Task:
    TASKS[task_id] = Task(task_id, tuple(goals))
    return TASKS[task_id]


WEB_HTTP = Reach(INTERNET, "web", 80)
# fmt: off
task("l00_https", WEB_HTTP, Reach(INTERNET, "web", 443), Reach(INTERNET, "web", 22, reachable=False))
task("l00_only_http", OnlyOpen("web", (("tcp", 80),)))
task("l01_route", WEB_HTTP)
task("l01_attach", Reach("web", INTERNET, 443), WEB_HTTP)
task("l02_partner", Reach("web", "198.51.100.7", 443))
task("l02_address", Reach(INTERNET, "web", 443))
task("l03_public_b", Reach(INTERNET, "web-b", 80))
task("l03_private_again", OnlyOpen("app"), WEB_HTTP)
task("l04_acl", WEB_HTTP, Reach("web", INTERNET, 443))
task("l04_address", WEB_HTTP, Reach("web", INTERNET, 443))
task("l05_updates", Reach("app", INTERNET, 443), OnlyOpen("app"))
task("l05_partner_api", Reach("198.51.100.7", "api", 8443), Reach("203.0.113.25", "api", 8443, reachable=False))
task("l06_ssh_admin", Reach("203.0.113.7", "web", 22), Reach("198.51.100.99", "web", 22, reachable=False), WEB_HTTP)
task("l06_idle", NoIdleAddress(), Reach(INTERNET, "web", 443))
task("l07_several", WEB_HTTP, Reach(INTERNET, "web", 8080, reachable=False))
task("l07_acl", WEB_HTTP, Reach(INTERNET, "web", 443))
# fmt: on
