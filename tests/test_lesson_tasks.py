"""Lesson tasks: each starts unmet, a learner's solution meets it, the check cell says so with tiered hints,
and the console's goal indicator follows the lab after every action."""

from __future__ import annotations

import pytest

import vpclab
from vpclab.grading.tasks import TASKS
from vpclab.practice_labs import STARTS


def _route(t, table_name="public-rt"):
    lab = t.lab
    rt = lab.create_route_table(t.vpc, name=table_name)
    lab.create_route(rt, "0.0.0.0/0", t.igw if not hasattr(t, "new_igw") else t.new_igw)
    return rt


def _l01_attach(t):
    t.lab.attach_internet_gateway(t.igw, t.vpc)
    rt = _route(t)
    t.lab.associate_route_table(rt, t.subnet)
    t.lab.associate_address(t.lab.allocate_address(), t.web)


def _l05_updates(t):
    lab = t.lab
    nat = lab.create_nat_gateway(t.public, lab.allocate_address())
    rt = lab.create_route_table(t.vpc, name="private-rt")
    lab.create_route(rt, "0.0.0.0/0", nat)
    lab.associate_route_table(rt, t.private)


def _l04_acl(t):
    lab = t.lab
    lab.create_network_acl_entry(t.web_acl, 100, True, "tcp", (1024, 65535), "0.0.0.0/0", "allow")
    lab.create_network_acl_entry(t.web_acl, 110, True, "tcp", 443, "0.0.0.0/0", "allow")
    lab.create_network_acl_entry(t.web_acl, 120, False, "tcp", (1024, 65535), "0.0.0.0/0", "allow")


def _l07_several(t):
    lab = t.lab
    lab.create_route(t.public_rt, "0.0.0.0/0", t.igw)
    lab.revoke_security_group_ingress(t.web_sg, "tcp", 8080, cidr="0.0.0.0/0")
    lab.authorize_security_group_ingress(t.web_sg, "tcp", 80, cidr="0.0.0.0/0")
    lab.create_network_acl_entry(t.web_acl, 120, True, "tcp", (1024, 65535), "0.0.0.0/0", "allow")


SOLUTIONS = {
    "l00_https": lambda t: t.lab.authorize_security_group_ingress(t.web_sg, "tcp", 443, cidr="0.0.0.0/0"),
    "l00_only_http": lambda t: [
        t.lab.revoke_security_group_ingress(t.web_sg, "tcp", p, cidr="0.0.0.0/0") for p in (22, 8080)
    ],
    "l01_route": lambda t: t.lab.associate_route_table(_route(t), t.subnet),
    "l01_attach": _l01_attach,
    "l02_partner": lambda t: t.lab.delete_route(t.public_rt, "198.51.100.0/24"),
    "l02_address": lambda t: t.lab.associate_address(t.web_eip, t.web),
    "l03_public_b": lambda t: t.lab.associate_route_table(t.public_rt, t.public_b),
    "l03_private_again": lambda t: t.lab.disassociate_route_table(
        next(a for a in t.public_rt.associations if a.subnet is t.private)
    ),
    "l04_acl": _l04_acl,
    "l04_address": lambda t: t.lab.associate_address(t.lab.allocate_address(), t.web),
    "l05_updates": _l05_updates,
    "l05_partner_api": lambda t: (
        t.lab.revoke_security_group_ingress(t.api_sg, "tcp", 8443, cidr="0.0.0.0/0"),
        t.lab.authorize_security_group_ingress(t.api_sg, "tcp", 8443, cidr="198.51.100.0/24"),
    ),
    "l06_ssh_admin": lambda t: (
        t.lab.revoke_security_group_ingress(t.web_sg, "tcp", 22, cidr="0.0.0.0/0"),
        t.lab.authorize_security_group_ingress(t.web_sg, "tcp", 22, cidr="203.0.113.7/32"),
    ),
    "l06_idle": lambda t: t.lab.release_address(t.spare_eip),
    "l07_several": _l07_several,
    "l07_acl": lambda t: t.lab.create_network_acl_entry(t.web_acl, 110, False, "tcp", 80, "0.0.0.0/0", "allow"),
}


def test_every_task_has_a_starting_lab_and_a_solution_here():
    assert sorted(TASKS) == sorted(STARTS) == sorted(SOLUTIONS)
    assert {t[:3] for t in TASKS} == {f"l0{n}" for n in range(8)}
    assert all(sum(t.startswith(f"l0{n}") for t in TASKS) >= 2 for n in range(8)), "two tasks per lesson"


@pytest.mark.parametrize("task_id", sorted(TASKS))
def test_a_task_is_not_met_at_the_start_and_is_met_after_a_solution(task_id):
    task = vpclab.practice(task_id)
    assert not task.met() and not task.check().passed
    SOLUTIONS[task_id](task)
    assert task.met() and task.check().passed


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("task_id", sorted(TASKS))
def test_the_check_says_not_yet_with_hints_that_grow_in_the_notebooks_language(task_id, lang):
    task = vpclab.practice(task_id)
    texts = [task.check().to_text(lang) for _ in range(3)]
    for text in texts:
        assert "task." not in text and "explain." not in text and "fix." not in text and "{" not in text
    assert len({t.split("\n", 1)[1] for t in texts}) >= 2, "the hint changes from one try to the next"
    assert texts[0].startswith(vpclab.model.i18n.tr("task.not_yet", lang, goal="").split(":")[0])


def test_a_failing_reach_hint_names_the_engines_code_then_its_explanation_then_its_fix():
    task = vpclab.practice("l01_route")
    hints = [task.check().rows[0].check.hint(tier, task.check().rows[0].verdict, "en") for tier in (1, 2, 3)]
    analysis = task.lab.analyze("internet", task.web, port=80)
    assert analysis.code in hints[0]
    assert hints[1] == analysis.explain("en").split(" ", 0)[0] or hints[1] in analysis.explain("en")
    assert hints[2] in analysis.explain("en")


def test_the_console_shows_the_goal_and_marks_it_done_after_the_action_that_meets_it():
    task = vpclab.practice("l02_address")
    console = vpclab.Console(task.lab, tools=["elastic_ip", "tester"], goal=task)
    assert console.goal is not None and not console.goal.done
    assert task.goal_text("en") in console.goal.value or task.goal_text(console.lang) in console.goal.value
    panel = console.panels["elastic_ip"]
    panel.address.value = task.web_eip.id
    panel.instance.value = task.web.id
    associate = next(
        b for b in panel.box.children[-1].children if "ssociate" in b.description and "isa" not in b.description
    )
    associate.click()
    assert console.goal.done and task.met()
    console.undo_button.click()
    assert not console.goal.done


def test_vpclab_check_takes_a_lesson_task_id_too_and_reads_whatever_lab_it_is_given():
    task = vpclab.practice("l06_idle")
    assert not vpclab.check("l06_idle", task.lab).passed
    task.lab.release_address(task.spare_eip)
    assert vpclab.check("l06_idle", task.lab).passed


def test_an_unknown_task_is_refused_with_invalid_parameter_value_naming_the_tasks():
    with pytest.raises(vpclab.InvalidParameterError) as caught:
        vpclab.practice("l99_nothing")
    assert caught.value.code == "InvalidParameterValue" and "l01_route" in caught.value.message("en")


def test_a_console_task_done_with_the_security_group_panel_meets_its_goal_and_the_check_agrees():
    task = vpclab.practice("l05_partner_api")
    console = vpclab.Console(task.lab, tools=["security_group", "tester"], goal=task)
    panel = console.panels["security_group"]
    panel.group.value = task.api_sg.id
    panel.port.value = "8443"
    buttons = [b for row in panel.box.children if hasattr(row, "children") for b in row.children]
    add, remove = (next(b for b in buttons if b.description == console_text) for console_text in _labels())
    remove.click()  # 8443 from 0.0.0.0/0 goes
    assert not console.goal.done
    panel.cidr.value = "198.51.100.0/24"
    add.click()
    assert console.goal.done and task.check().passed


def _labels():
    from vpclab.model.i18n import get_language, tr

    return tr("console.add_rule", get_language()), tr("console.remove_rule", get_language())
