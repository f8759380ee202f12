"""The main page by keyboard alone, in real Chromium: load XOR, step forward and back, choose a weight in the figure
and edit it, open and close the sharing dialog (modal: focus moves in, stays in, and comes back), tick Predict with
Space (it must not start the player) and answer the question it asks."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_page import READY, get_trace, messages, query, wait_position
from tests.chromium import PAGE_LOAD
from tests.support import eventually

pytestmark = pytest.mark.browser

ACTIVE = "() => { const e = document.activeElement; return e ? (e.id || e.tagName.toLowerCase()) : null; }"


def focused(page: Any) -> str | None:
    return page.evaluate(ACTIVE)  # type: ignore[no-any-return]


def tab_to(page: Any, element_id: str, limit: int = 150) -> int:
    """Presses Tab until the element has focus; returns how many presses it took."""
    for n in range(1, limit + 1):
        page.keyboard.press("Tab")
        if focused(page) == element_id:
            return n
    raise AssertionError(f"#{element_id} never took focus in {limit} Tabs (last: {focused(page)})")


def test_keyboard_only_walk_through_the_main_page(page: Any, watch: Any, shoot: Any) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto("/")
    page.wait_for_selector(READY, timeout=PAGE_LOAD)
    first = eventually(lambda: query(page).get("net"), message="the address never named a network")

    # load XOR from the preset list
    tab_to(page, "preset-select")
    assert page.eval_on_selector("#preset-select", "e => e.value") == "xor"
    tab_to(page, "preset-load")
    page.keyboard.press("Enter")
    eventually(lambda: any("xor" in m for m in messages(page)), message="Load said nothing")

    # step forward and back; the live region says the step in words
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    wait_position(page, 3)
    # the address names the network on screen once the view moves
    net = eventually(lambda: (n := query(page).get("net")) != first and n, message="Load made no new network")
    page.keyboard.press("ArrowLeft")
    wait_position(page, 2)
    spoken = page.text_content("#formula-spoken") or ""
    assert spoken.startswith("Step 2 of ") and "forward" in spoken, spoken
    assert page.get_attribute("#formula", "aria-live") is None  # the panel itself is not read out on every step

    # choose w_11^2 in the figure with the arrows and edit it
    tab_to(page, "network-figure")
    for key in ("ArrowRight", "ArrowRight", "ArrowDown", "ArrowDown"):
        page.keyboard.press(key)
    assert page.get_attribute("#network-figure", "data-choice") == "weight:2:1:1"
    wait_position(page, 2)  # the arrows chose; they did not step
    said = page.text_content("#network-figure-choice") or ""
    assert said.startswith("weight w 1 1 of layer 2, from x 1 to a 1 of layer 2") and "Enter edits it" in said, said
    shoot(page, "keyboard-figure-choice")
    page.keyboard.press("Enter")
    page.wait_for_selector("#weight-editor:not([hidden])")
    assert focused(page) == "weight-input"
    assert page.get_attribute("#weight-editor", "aria-modal") == "true"
    page.keyboard.type("abc")
    page.keyboard.press("Enter")
    page.wait_for_selector("#weight-error:not([hidden])")
    assert "weight-error" in (page.get_attribute("#weight-input", "aria-describedby") or "")
    page.keyboard.press("Control+A")
    page.keyboard.type("0.75")
    page.keyboard.press("Enter")
    page.wait_for_selector("#weight-editor", state="hidden")
    weights = eventually(lambda: (w := page.request.get(f"/api/networks/{net}").json()["weights"])[0][0][0] == 0.75
                         and w, message="the weight was never set")
    assert weights[0][0][0] == 0.75
    assert focused(page) == "network-figure"  # back where the edit started

    # the sharing dialog: focus moves in, Tab stays inside, Escape closes it and gives focus back to Share
    tab_to(page, "btn-share")
    page.keyboard.press("Enter")
    page.wait_for_selector("#room-dialog:not([hidden]) #room-code:not(:empty)")
    assert page.get_attribute("#room-dialog", "aria-modal") == "true"
    # the × takes focus at once: no Tab needed to reach it
    eventually(lambda: focused(page) == "room-close", message=lambda: f"focus is on {focused(page)}, not the ×")
    inside = set()
    for _ in range(6):
        page.keyboard.press("Tab")
        inside.add(page.evaluate("() => document.getElementById('room-dialog').contains(document.activeElement)"))
    page.keyboard.press("Shift+Tab")
    inside.add(page.evaluate("() => document.getElementById('room-dialog').contains(document.activeElement)"))
    assert inside == {True}, "Tab left the sharing dialog"
    shoot(page, "keyboard-share-dialog")
    page.keyboard.press("Escape")
    page.wait_for_selector("#room-dialog", state="hidden")
    assert focused(page) == "btn-share"

    # Space ticks Predict and does not start the player
    tab_to(page, "predict-switch")
    page.keyboard.press("Space")
    assert page.is_checked("#predict-switch")
    assert page.get_attribute("#btn-play", "aria-pressed") == "false"
    wait_position(page, 2)
    # the next step asks first; the answer is typed and checked with Enter, then Enter goes on
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("#predict-card[data-state='open']")
    assert focused(page) == "predict-answer"
    value = get_trace(page, net)["events"][2]["value"]
    page.keyboard.type(repr(value))
    page.keyboard.press("Enter")
    page.wait_for_selector("#predict-card[data-state='checked']")
    wait_position(page, 3)
    assert focused(page) == "predict-continue"
    page.keyboard.press("Enter")
    page.wait_for_selector("#predict-card", state="hidden")
    # the one refusal is the server's 422 for "abc"
    assert watch.page_errors == [] and [e for e in watch.console_errors if "422" not in e] == []


def test_the_landscapes_two_edges_are_picked_by_keyboard(page: Any) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto("/")
    page.wait_for_selector(READY, timeout=PAGE_LOAD)
    page.wait_for_selector("#land-pick")
    tab_to(page, "land-pick")
    page.keyboard.press("Enter")
    assert page.get_attribute("#land-pick", "aria-pressed") == "true"
    # w_11^2 (layer 2, node 1: node, bias, then its weights), then w_12^3 (the output node's second weight)
    tab_to(page, "network-figure")
    for key in ("ArrowRight", "ArrowRight", "ArrowDown", "ArrowDown", "Enter"):
        page.keyboard.press(key)
    eventually(lambda: "second edge" in (page.text_content("#landscape-note") or ""), message="no first pick")
    for key in ("ArrowRight", "ArrowDown", "ArrowDown", "ArrowDown", "Enter"):
        page.keyboard.press(key)
    eventually(lambda: page.get_attribute("#land-pick", "aria-pressed") == "false", message="no second pick")
    assert page.is_hidden("#weight-editor")  # Enter picked the edges; it did not open the weight editor
    assert (page.input_value("#land-x"), page.input_value("#land-y")) == ("w:2:1:1", "w:3:1:2")
