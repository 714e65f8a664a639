"""What ``vpclab grade`` writes for the teacher and the students: hint tiers, escaping, the class
report, and safe reruns into an existing output folder."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from grading_fixtures import submissions as S

from vpclab.grading.batch import GradingRefused, earlier_outcomes, merged
from vpclab.grading.checks import checks_of
from vpclab.grading.classreport import class_report_html, class_report_markdown, summary
from vpclab.grading.grader import CheckResult, Outcome
from vpclab.grading.isolation import probe_sandbox
from vpclab.grading.reports import feedback_markdown, md_escape
from vpclab.model.i18n import tr

ASSIGNMENT = S.ASSIGNMENT
CHECKS = checks_of(ASSIGNMENT)
NO_SANDBOX = probe_sandbox()
needs_sandbox = pytest.mark.skipif(
    NO_SANDBOX is not None and not os.environ.get("CI"), reason=f"no sandbox here: {NO_SANDBOX}"
)


def outcome(student: str, passed: dict[str, bool], status: str = "graded", **values) -> Outcome:
    checks = [
        CheckResult(i, passed.get(i, False), c.points if passed.get(i) else 0.0, c.points, dict(values))
        for i, c in CHECKS.items()
    ]
    return Outcome(student, f"{student}.ipynb", ASSIGNMENT, status, "grade.reason.ok", checks=checks)


def test_hints_go_from_a_nudge_to_the_fix_as_the_teacher_chooses():
    failing = outcome("ana", {"http": True}, code="ENI_SG_RULES_MISMATCH", blocked_at="web-sg", port=443)
    tiers = {n: feedback_markdown(failing, "en", n) for n in (1, 2, 3)}
    labels = [tr(f"grade.feedback.tier{n}", "en") for n in (1, 2, 3)]
    assert labels[0] in tiers[1] and labels[1] not in tiers[1]
    assert labels[1] in tiers[2] and labels[2] not in tiers[2]
    assert labels[2] in tiers[3] and "authorize\\_security\\_group\\_ingress" in tiers[3]
    assert "web-sg" in tiers[1] and "{" not in tiers[3]


def test_markdown_escaping_keeps_links_images_html_and_emphasis_as_text():
    text = md_escape("![x](http://e) [a](b) <b>x</b> *y* `z` a|b")
    assert re.search(r"(?<!\\)[\[\]*`!|<]", text) is None  # every markup character escaped
    assert text.replace("\\", "").replace("&lt;", "<") == "![x](http://e) [a](b) <b>x</b> *y* `z` a|b"


def test_a05_says_the_subnet_uses_the_default_acl_only_when_it_does():
    from vpclab.grading.checks import Verdict

    item = checks_of("a05_acl_ephemeral")["http_linux"]
    custom = item.hint(1, Verdict.fail(code="SUBNET_ACL_RESTRICTION", blocked_at="web-acl", client_port=32768), "en")
    default = item.hint(1, Verdict.fail(code="DEFAULT_NETWORK_ACL", blocked_at="acl-0abc", client_port=32768), "en")
    assert "default" not in custom.lower() and "default" in default.lower()
    for lang in ("en", "ko"):
        assert item.hint(1, Verdict.fail(code="SUBNET_ACL_RESTRICTION", blocked_at="web-acl"), lang) != item.hint(
            1, Verdict.fail(code="DEFAULT_NETWORK_ACL", blocked_at="web-acl"), lang
        )


def test_the_class_report_shows_pass_rates_misconceptions_who_needs_help_and_a_chart():
    outcomes = [
        outcome("ana", {"http": True, "https": True, "nothing_else": True}),
        outcome("bo", {"http": True}, code="ENI_SG_RULES_MISMATCH", blocked_at="web-sg"),
        outcome("cy", {}, code="IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS", blocked_at="web"),
        Outcome("dee", "dee.ipynb", ASSIGNMENT, "crashed", "grade.reason.crashed", checks=outcome("d", {}).checks),
    ]
    data = summary(outcomes, ASSIGNMENT)
    assert data["rates"][0] == ("http", 2, 3)  # the crashed one's checks did not run
    assert data["blockers"][0] == ("web-sg", 2) or ("web", 3) in data["blockers"]
    assert [o.student for o in data["help"]] == ["dee", "cy", "bo"]
    assert sum(data["histogram"]) == 4 and data["histogram"][-1] == 1
    html = class_report_html(outcomes, ASSIGNMENT, "ko")
    assert html.count("<rect") == 10  # the chart, inline; no script, stylesheet or image to fetch
    assert not re.search(r"<script|<link|<img|src=|href=", html)
    assert tr("report.help_first", "ko") in html and CHECKS["http"].title("ko") in html
    markdown = class_report_markdown(outcomes, ASSIGNMENT, "en")
    assert tr("report.pass_rates", "en") in markdown and "IGW\\_PRIVATE\\_IP\\_ASSOCIATION\\_FOR\\_INGRESS" in markdown


def test_a_rerun_keeps_earlier_students_and_replaces_a_regraded_one(tmp_path):
    first = [outcome("ana", {}), outcome("bo", {})]
    (tmp_path / "outcomes.json").write_text(
        json.dumps({"assignment": ASSIGNMENT, "outcomes": [o.to_dict() for o in first]}), encoding="utf-8"
    )
    (tmp_path / "grades.csv").write_text("student\n", encoding="utf-8")
    earlier = earlier_outcomes(tmp_path, ASSIGNMENT, force=False)
    again = merged(earlier, [outcome("bo", {"http": True}), outcome("cy", {})])
    assert [(o.student, o.score) for o in again] == [("ana", 0), ("bo", 3), ("cy", 0)]
    with pytest.raises(GradingRefused) as refused:
        earlier_outcomes(tmp_path, "a02_ssh_admin_only", force=False)
    assert refused.value.key == "grade.cli.refuse_other_assignment"
    assert earlier_outcomes(tmp_path, "a02_ssh_admin_only", force=True) == []
    (tmp_path / "outcomes.json").unlink()  # grades that cannot be read back: refused, never overwritten
    with pytest.raises(GradingRefused):
        earlier_outcomes(tmp_path, ASSIGNMENT, force=False)


def _grade(subs: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vpclab", "grade", str(subs), "--assignment", ASSIGNMENT, "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _rows(out: Path) -> dict[str, str]:
    with open(out / "grades.csv", encoding="utf-8", newline="") as handle:
        return {row["student"]: row["score"] for row in csv.DictReader(handle)}


@pytest.mark.slow
@needs_sandbox
def test_rerunning_some_students_into_the_same_folder_updates_only_their_rows(tmp_path):
    S.write(tmp_path / "one", "ana", S.with_answer(S.SOLUTION))
    S.write(tmp_path / "one", "bo", S.untouched())
    assert _grade(tmp_path / "one", tmp_path / "out").returncode == 0
    assert _rows(tmp_path / "out") == {"ana": "8", "bo": "0"}
    S.write(tmp_path / "two", "bo", S.with_answer(S.SOLUTION))  # bo hands in again
    assert _grade(tmp_path / "two", tmp_path / "out").returncode == 0
    assert _rows(tmp_path / "out") == {"ana": "8", "bo": "8"}
    assert (tmp_path / "out" / "class-report.html").exists() and (tmp_path / "out" / "class-report.md").exists()
    other = _grade(tmp_path / "two", tmp_path / "out", "--assignment", "a02_ssh_admin_only")
    assert other.returncode == 2 and "--force" in other.stderr
    assert _rows(tmp_path / "out") == {"ana": "8", "bo": "8"}
