"""The replay (``vpclab/grading/replay.py``): the grader grades the lab that a submission's recorded
actions produce, in bounded time and memory, and every honest way of working replays exactly.

No kernel here: the labs are built in this process, as a notebook would build them.
"""

from __future__ import annotations

import json

import pytest
from grading_fixtures import submissions as S
from hypothesis import HealthCheck, settings
from hypothesis.stateful import invariant
from test_properties import LabMachine

import vpclab
from vpclab.grading import grader
from vpclab.grading.checks import REGISTRY, Check
from vpclab.grading.grader import judge, judge_limited
from vpclab.grading.replay import MAX_HISTORY, effective, rebuild, replay, state
from vpclab.grading.reports import notes_text
from vpclab.grading.student import starter

ASSIGNMENT = S.ASSIGNMENT


def solved_lab():
    lab = vpclab.grading.start(ASSIGNMENT)
    exec(S.SOLUTION, {"vpclab": vpclab, "lab": lab})
    return lab


def run_answer(answer: str):
    """The lab a notebook with ``answer`` as its solution cell ends with (run here)."""
    lab = vpclab.grading.start(ASSIGNMENT)
    exec(answer, {"vpclab": vpclab, "lab": lab})
    return lab


def scores(text: str) -> dict[str, bool]:
    return {c["check_id"]: c["passed"] for c in judge(ASSIGNMENT, text)["checks"]}


def test_a_solved_lab_rebuilds_to_the_same_state_with_no_note():
    lab = solved_lab()
    rebuilt = rebuild(starter(ASSIGNMENT), lab.to_json())
    assert rebuilt.status == "graded" and state(rebuilt.lab) == state(lab) and rebuilt.notes == []


def test_console_actions_typed_calls_and_undo_in_either_replay_exactly_and_earn_full_marks():
    lab = run_answer(S.MIXED_WORKFLOW)
    assert [e["action"] for e in lab.history].count("undo") == 2
    rebuilt = rebuild(starter(ASSIGNMENT), lab.to_json())
    assert rebuilt.notes == [] and state(rebuilt.lab) == state(lab)
    assert all(scores(lab.to_json()).values())


def test_an_undo_takes_back_the_typed_calls_made_since_the_consoles_last_action():
    lab = vpclab.grading.start(ASSIGNMENT)
    console = vpclab.Console(lab)
    console.act("create_internet_gateway", name="first")
    lab.create_internet_gateway(name="typed")
    console.undo()
    assert [g.name for g in lab.internet_gateways.values()] == []
    assert state(rebuild(starter(ASSIGNMENT), lab.to_json()).lab) == state(lab)


def test_a_resource_renamed_by_attribute_is_seen_by_the_replay_and_noted():
    lab = run_answer(S.RENAMED)
    rebuilt = rebuild(starter(ASSIGNMENT), lab.to_json())
    assert state(rebuilt.lab) == state(lab)
    assert [key for key, _ in rebuilt.notes] == ["grade.note.renamed"]
    assert "main-igw" in rebuilt.notes[0][1]["names"]
    assert all(scores(lab.to_json()).values())


def test_rerunning_the_start_cell_and_the_answer_replays_to_the_second_run():
    lab = run_answer(S.SOLUTION)
    lab = vpclab.grading.start(ASSIGNMENT)  # the start cell again: a fresh lab
    exec(S.SOLUTION, {"vpclab": vpclab, "lab": lab})
    assert rebuild(starter(ASSIGNMENT), lab.to_json()).notes == []


def test_a_lab_without_its_history_is_the_wrong_lab():
    data = json.loads(solved_lab().to_json())
    data["history"] = []
    assert rebuild(starter(ASSIGNMENT), json.dumps(data)).status == "wrong_lab"


def test_a_history_that_claims_more_than_the_state_shows_is_graded_on_what_it_replays_to_with_a_note():
    data = json.loads(vpclab.grading.start(ASSIGNMENT).to_json())
    data["history"] = json.loads(solved_lab().to_json())["history"]
    rebuilt = rebuild(starter(ASSIGNMENT), json.dumps(data))
    assert rebuilt.status == "graded" and [k for k, _ in rebuilt.notes] == ["grade.note.state_differs"]
    assert state(rebuilt.lab) == state(solved_lab())


def test_a_forged_entry_that_does_not_replay_is_skipped_and_named_in_a_note():
    data = json.loads(solved_lab().to_json())
    data["history"].append(
        {"action": "attach_internet_gateway", "args": ["igw-0nope", "vpc-0nope"], "kwargs": {}, "result": None}
    )
    rebuilt = rebuild(starter(ASSIGNMENT), json.dumps(data))
    (key, values), *_ = rebuilt.notes
    assert (rebuilt.status, key) == ("graded", "grade.note.replay_skipped")
    assert "InvalidInternetGatewayID.NotFound" in values["actions"] and values["count"] == 1


def test_a_broken_lab_file_is_tampered():
    text = solved_lab().to_json()
    assert rebuild(starter(ASSIGNMENT), text[: len(text) // 2]).reason == "grade.reason.invalid_lab"


def test_a_consistent_lab_built_from_scratch_is_the_wrong_lab():
    lab = vpclab.Lab()
    vpc = lab.create_vpc("10.0.0.0/16")
    lab.run_instance(lab.create_subnet(vpc, "10.0.1.0/24"), name="web")
    assert rebuild(starter(ASSIGNMENT), lab.to_json()).status == "wrong_lab"


def bomb(pairs: int) -> str:
    """A lab whose history is ``pairs`` console actions each undone: what made the old replay copy
    the whole lab before every action."""
    lab = vpclab.grading.start(ASSIGNMENT)
    undo = {"action": "undo", "args": [], "kwargs": {}, "result": None}
    data = json.loads(lab.to_json())
    entry = {"action": "create_internet_gateway", "args": [], "kwargs": {"name": "x"}, "result": "igw-0"}
    data["history"] += [entry, undo] * pairs
    return json.dumps(data)


def test_the_replay_bomb_replays_without_a_copy_of_the_lab_per_action(monkeypatch):
    def no_copies(*_args, **_kwargs):
        raise AssertionError("the replay copied or restored the lab")

    text = bomb(MAX_HISTORY // 2 - 2)
    lab_class = type(vpclab.grading.start(ASSIGNMENT))
    monkeypatch.setattr(lab_class, "to_json", no_copies)
    monkeypatch.setattr(lab_class, "restore", no_copies)
    rebuilt = rebuild(starter(ASSIGNMENT), text)
    assert rebuilt.status == "graded" and rebuilt.lab.internet_gateways == {}


def test_only_the_actions_that_make_the_final_state_are_replayed():
    undo = {"action": "undo", "args": [], "kwargs": {}, "result": None}
    a, b, c = ({"action": n, "args": [], "kwargs": {}, "result": None} for n in ("a", "b", "c"))
    assert [e["action"] for _, e in effective([a, b, undo, c])[0]] == ["a", "c"]
    to_start = {**undo, "kwargs": {"to": 10}}  # back to the state after 10 entries: the start
    assert effective([a, b, to_start, c], first_index=10)[0] == [(13, c)]
    assert effective([undo], first_index=4)[1][0]["code"] == "NothingToUndo"


def test_a_history_over_the_limit_is_a_clear_per_student_status():
    answer = judge_limited(ASSIGNMENT, bomb(MAX_HISTORY))
    assert (answer["status"], answer["reason"]) == ("too_long", "grade.reason.history_too_long")


def test_a_replay_past_its_memory_limit_costs_the_student_not_the_grader(monkeypatch):
    def hungry(assignment, text):
        hoard = []
        while True:
            hoard.append(bytearray(50_000_000))

    monkeypatch.setattr(grader, "judge", hungry)
    answer = judge_limited(ASSIGNMENT, solved_lab().to_json())
    assert (answer["status"], answer["reason"]) == ("too_long", "grade.reason.replay_limit")


def test_a_check_that_raises_is_reported_to_the_teacher_with_its_reason(monkeypatch):
    def broken(lab):
        raise KeyError("web")

    item = REGISTRY[ASSIGNMENT]["http"]
    monkeypatch.setitem(REGISTRY[ASSIGNMENT], "http", Check(item.assignment, item.check_id, item.points, broken))
    answer = judge(ASSIGNMENT, solved_lab().to_json())
    http = next(c for c in answer["checks"] if c["check_id"] == "http")
    assert (http["passed"], http["error"]) == (False, "KeyError: 'web'")
    outcome = grader.Outcome("s", "s.ipynb", ASSIGNMENT, "graded", "grade.reason.ok")
    outcome.checks = [grader.CheckResult(**c) for c in answer["checks"]]
    assert any("KeyError: 'web'" in line and "http" in line for line in notes_text(outcome, "ko"))


def test_hint_values_name_resources_by_the_learners_names():
    lab = run_answer("\n".join([S.GATEWAY, S.HTTP]))
    https = next(c for c in judge(ASSIGNMENT, lab.to_json())["checks"] if c["check_id"] == "https")
    assert https["values"]["blocked_at"] == "web-sg"


class ReplayMachine(LabMachine):
    """Any sequence of calls, refused ones and stale objects included, replays to the same lab."""

    @invariant()
    def history_replays_to_the_same_state(self):
        lab = vpclab.Lab()
        assert replay(lab, self.lab.history) == [] and state(lab) == state(self.lab)


ReplayMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=30, deadline=None, suppress_health_check=list(HealthCheck)
)
test_any_history_replays_to_the_lab_it_came_from = ReplayMachine.TestCase


@pytest.mark.parametrize("name", ["mixed_workflow", "renamed", "rerun_cells"])
def test_the_honest_fixtures_are_full_marks_here_too(name):
    assert S.honest()[name][1] == 8.0
