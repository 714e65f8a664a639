"""The diagram in Jupyter: a lab and ``vpclab.diagram(...)`` display as the live widget (drawn in the
browser) with a static fallback beside it; the console marks what the last action changed."""

from __future__ import annotations

from pathlib import Path

import graphviz
import pytest

import vpclab
from vpclab import scenarios
from vpclab.render.changes import changed
from vpclab.render.live import BUNDLE, DiagramWidget

WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def classroom():
    return scenarios.classroom()


def test_a_displayed_lab_is_the_live_widget_with_the_static_page_as_fallback(classroom):
    bundle = classroom.lab._repr_mimebundle_()
    assert WIDGET in bundle
    assert "<svg" in bundle["text/html"] and classroom.web.id in bundle["text/html"]


def test_a_diagram_displays_as_the_widget_drawing_its_own_dot(classroom):
    graph = vpclab.diagram(classroom.lab, lang="ko")
    assert isinstance(graph, graphviz.Digraph)
    bundle = graph._repr_mimebundle_()
    assert WIDGET in bundle and "<svg" in bundle["text/html"]


def test_without_dot_the_fallback_is_text_and_the_widget_still_gets_the_dot(classroom, monkeypatch):
    def missing(*args, **kwargs):
        raise graphviz.ExecutableNotFound(["dot"])

    monkeypatch.setattr(graphviz.Digraph, "pipe", missing)
    bundle = classroom.lab._repr_mimebundle_()
    assert WIDGET in bundle and "<svg" not in bundle["text/html"] and classroom.web.id in bundle["text/html"]


def test_the_widget_front_end_is_the_bundle_inside_the_package():
    assert BUNDLE.is_file() and BUNDLE.parent.parent == Path(vpclab.__file__).parent
    assert DiagramWidget().dot == ""


def test_a_default_route_marks_the_route_table_the_subnet_and_the_instance_it_opens_up():
    lab = vpclab.Lab()
    vpc = lab.create_vpc("10.0.0.0/16")
    subnet = lab.create_subnet(vpc, "10.0.1.0/24")
    igw = lab.create_internet_gateway()
    lab.attach_internet_gateway(igw, vpc)
    table = lab.create_route_table(vpc)
    lab.associate_route_table(table, subnet)
    group = lab.create_security_group(vpc, "web")
    lab.authorize_security_group_ingress(group, "tcp", 80, cidr="0.0.0.0/0")
    web = lab.run_instance(subnet, associate_public_ip=True, security_groups=[group])
    before = vpclab.diagram(lab).drawn
    lab.create_route(table, "0.0.0.0/0", igw)
    marked = changed(lab, before, vpclab.diagram(lab).drawn)
    assert f"{subnet.id}/{table.id}" in marked, "named by the action"
    assert web.id in marked and f"cluster_{subnet.id}" in marked, "a badge turned green, the subnet public"
    assert "internet" not in marked and f"cluster_{vpc.id}" not in marked


def test_an_unchanged_drawing_or_a_first_one_marks_nothing_new(classroom):
    drawn = vpclab.diagram(classroom.lab).drawn
    assert changed(classroom.lab, None, drawn) == []
    classroom.lab.history.append({"action": "undo", "args": [], "kwargs": {}, "result": None})
    assert changed(classroom.lab, drawn, drawn) == []


def test_a_security_group_rule_marks_the_instances_in_that_group(classroom):
    console = vpclab.Console(classroom.lab)
    panel = console.panels["security_group"]
    panel.group.value = classroom.web_sg.id
    panel.port.value = "8080"
    panel.box.children[-1].children[0].click()
    assert console.diagram.marked == [f"vpclab-{classroom.web.id}"]
    console.language.value = "ko" if console.lang == "en" else "en"
    assert console.diagram.marked == [], "a language switch changes every word but marks nothing"
