"""What an assignment notebook calls: ``vpclab.grading.start`` and the graded cells' ``assert_check``.

    lab = vpclab.grading.start("a01_web_server")                   # the assignment's starting lab
    vpclab.grading.assert_check("a01_web_server", "http", lab)      # an nbgrader "autograder tests" cell

``assert_check`` raises ``AssertionError`` when the check fails, so nbgrader's autograde (and a
learner running the cell) sees a failed test; its message is the check's title and first hint, in
the notebook's language and then in the other one. ``vpclab grade`` does not rely on these cells:
it evaluates every check itself, in its own process, on the lab it replays.
"""

from __future__ import annotations

import importlib

from ..model.errors import InvalidParameterError
from ..model.i18n import LANGUAGES, get_language, placeholders, tr
from .checks import Check, Verdict, checks_of, run_one


def start(assignment: str):
    """A fresh starting lab for ``assignment`` (an id such as ``"a01_web_server"``).

    Raises:
        InvalidParameterError: ``InvalidParameterValue`` for an unknown assignment (the message
            lists the known ones).
    """
    return starter(assignment)()


def starter(assignment: str):
    """The ``start`` function of ``assignment``'s module (checked against the registry first)."""
    checks_of(assignment)  # an unknown id raises here, before any import by name
    module = importlib.import_module(f"{__package__}.assignments.{assignment}")
    return module.start


def run_check(item: Check, lab) -> Verdict:
    """One check on ``lab``; a check that raises counts as failed and says why (``checks.run_one``)."""
    return run_one(item, lab)


def nudge(item: Check, verdict: Verdict, lang: str) -> str:
    """The first hint of a failed check, every placeholder filled (``—`` where the check said nothing)."""
    text = tr(f"hint.{item.assignment}.{item.check_id}.nudge", lang)
    names = placeholders(text) if text else set()
    return item.hint(1, Verdict(False, {**dict.fromkeys(names, "—"), **verdict.values}), lang)


def assert_check(assignment: str, check_id: str, lab) -> None:
    """Fail (``AssertionError``) unless check ``check_id`` of ``assignment`` passes on ``lab``."""
    checks = checks_of(assignment)
    item = checks.get(check_id)
    if item is None:
        raise InvalidParameterError(
            "InvalidParameterValue", "InvalidParameterValue:check", value=check_id, checks=", ".join(checks)
        )
    verdict = run_check(item, lab)
    if verdict.passed:
        return
    first = get_language()
    lines = [
        tr("grade.assert_failed", lang, title=item.title(lang), hint=nudge(item, verdict, lang))
        for lang in (first, *(x for x in LANGUAGES if x != first))
    ]
    raise AssertionError("\n".join(lines))
