"""What the console shows a learner after a click reads as words and values, never as Python's repr, and
every control's label is shown whole (the IPv6 and Block Public Access tools' longer labels included)."""

from __future__ import annotations

from html import unescape

import ipywidgets as widgets
import pytest
from ipywidgets.widgets.widget_description import DescriptionWidget

import vpclab
from vpclab.model.i18n import tr
from vpclab.widgets.console import TOOLS


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def click(console, tool: str, key: str) -> None:
    text = tr(key, console.lang)
    (found,) = [w for w in walk(console.panels[tool].box) if isinstance(w, widgets.Button) and w.description == text]
    found.click()


@pytest.fixture
def classroom():
    return vpclab.scenarios.classroom(nat=False)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_labelled_control_of_every_tool_shows_its_whole_label(lang, classroom):
    console = vpclab.Console(classroom.lab)
    console.language.value = lang
    widths = {
        (tool, w.description): w.style.description_width
        for tool in TOOLS
        for w in walk(console.panels[tool].box)
        if isinstance(w, DescriptionWidget) and not isinstance(w, widgets.Button) and w.description
    }
    assert len(widths) > 20, "the tools' controls carry labels"
    cut = {control: width for control, width in widths.items() if width != "initial"}
    assert cut == {}, f"labels squeezed to the default width (cut with an ellipsis): {cut}"


def test_an_assigned_ipv6_address_is_reported_as_the_address_itself(classroom):
    s = classroom
    console = vpclab.Console(s.lab, tools=["ipv6"])
    panel = console.panels["ipv6"]
    click(console, "ipv6", "console.add_ipv6_block")
    panel.subnet.value = s.public.id
    click(console, "ipv6", "console.associate_ipv6")
    panel.instance.value = s.web.id
    click(console, "ipv6", "console.assign_ipv6")
    said = unescape(console.message.value)
    (address,) = s.web.ipv6_addresses
    assert f"→ {address}<" in said and "IPv6Address(" not in said


def test_a_new_block_public_access_mode_is_reported_as_the_mode_not_the_options_object(classroom):
    console = vpclab.Console(classroom.lab, tools=["block_public_access"])
    console.panels["block_public_access"].mode.value = "block-bidirectional"
    click(console, "block_public_access", "console.set_bpa_mode")
    said = unescape(console.message.value)
    assert classroom.lab.block_public_access.internet_gateway_block_mode.value == "block-bidirectional"
    assert "→ block-bidirectional<" in said and "Options(" not in said
    assert tr("console.done", "en", action="modify_vpc_block_public_access_options") in said
