"""Presenting in real Chromium: an open question holds every change of the network with one notice, a reloaded
presenter page presents the same room again, the lesson's followers join with an identity, and a link to someone
else's network opens the visitor's own copy."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_page import READY, open_app, press, query, share_room, wait_position
from tests.browser.test_quiz import PHONE
from tests.chromium import PAGE_LOAD
from tests.support import eventually

pytestmark = pytest.mark.browser

HELD = "Reveal or close the question first."


def _notes(page: Any) -> list[str]:
    return page.eval_on_selector_all("#messages .message span", "els => els.map(e => e.textContent)")


def test_an_open_question_holds_steps_training_and_the_update_rule_with_one_notice(page: Any, shoot: Any) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    net = open_app(page)
    share_room(page)
    press(page, "ArrowRight", 2)
    wait_position(page, 2)
    page.click("#btn-ask-class")
    page.wait_for_selector("#quiz-panel[data-state='open']")

    press(page, "ArrowRight")
    page.wait_for_selector(f"#messages .message:has-text('{HELD}')")
    page.eval_on_selector("#messages .message", "m => { m.dataset.first = 'yes'; }")
    press(page, "ArrowRight", 4)
    press(page, "End")
    wait_position(page, 2)
    assert _notes(page) == [HELD]  # one notice, refreshed: the same element, never a stack
    assert page.locator("#messages .message[data-first='yes']").count() == 1

    before = page.request.get(f"/api/networks/{net}").json()
    page.click("#train-start")
    assert not page.evaluate("() => document.body.classList.contains('is-training')")
    page.select_option("#opt-select", "adam")
    eventually(lambda: page.input_value("#opt-select") == "sgd", message="the picker kept a refused update rule")
    assert _notes(page) == [HELD]
    after = page.request.get(f"/api/networks/{net}").json()
    assert after["iteration"] == before["iteration"] and after["optimizer"]["name"] == "sgd"
    assert after["weights"] == before["weights"]
    wait_position(page, 2)
    shoot(page, "presenting-held")

    page.click("#quiz-close")
    page.wait_for_selector("#quiz-panel", state="hidden")
    page.click("#train-start")  # after the close, training runs again
    eventually(lambda: page.request.get(f"/api/networks/{net}").json()["iteration"] > before["iteration"],
               message="training never ran after the question closed")


def _streams(tab: Any) -> list[str]:
    """The event-stream URLs a tab opens, recorded as it opens them."""
    seen: list[str] = []
    tab.on("request", lambda req: "/events" in req.url and seen.append(req.url))
    return seen


def test_the_lessons_follower_joins_with_an_identity_that_survives_a_reload(
        browser: Any, base_url: str, page: Any) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto("/lesson?stage=2")
    page.wait_for_selector(READY, timeout=PAGE_LOAD)
    page.click("#lesson-present")
    page.wait_for_selector("body[data-room-code]")
    code = page.get_attribute("body", "data-room-code")
    page.keyboard.press("Escape")
    phone = browser.new_context(base_url=base_url, **PHONE)
    try:
        student = phone.new_page()
        streams = _streams(student)
        joins: list[str] = []
        student.on("request", lambda r: r.method == "POST" and r.url.endswith("/followers") and joins.append(r.url))
        for _ in range(2):  # a reload (a phone waking from sleep) is the same student
            student.goto(f"/lesson?room={code}&follow=1")
            student.wait_for_selector(READY, timeout=PAGE_LOAD)
        kept = student.evaluate(f"() => JSON.parse(localStorage.getItem('deltaflow-follower:{code}'))")
        assert kept and kept["token"] and len(joins) == 1
        assert len(streams) == 2 and all(f"token={kept['token']}" in url for url in streams), streams
        page.wait_for_selector("#lesson-room:has-text('1 following')", timeout=10_000)
    finally:
        phone.close()


def test_a_reloaded_presenter_presents_the_same_room_again(browser: Any, base_url: str, page: Any) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    net = open_app(page)
    code = share_room(page)
    press(page, "ArrowRight", 2)
    wait_position(page, 2)
    phone = browser.new_context(base_url=base_url, **PHONE)
    try:
        student = phone.new_page()
        student.goto(f"/join/{code}")
        student.wait_for_selector("body[data-ready='true'][data-position='2']", timeout=PAGE_LOAD)
        seq = int(student.get_attribute("body", "data-seq") or "0")
        eventually(lambda: query(page).get("room") == code, message="the address never named the room")
        page.reload()
        page.wait_for_selector(READY, timeout=PAGE_LOAD)
        wait_position(page, 2)
        page.wait_for_selector(f"#room-badge:has-text('{code}')", timeout=10_000)  # presenting, no dialog, same room
        assert page.locator("#room-dialog").is_hidden() and page.locator("#btn-ask-class").is_visible()
        assert query(page)["net"] == net
        press(page, "ArrowRight")
        wait_position(page, 3)
        # the student, never rejoined, follows the reloaded presenter
        student.wait_for_selector("body[data-position='3']", timeout=10_000)
        assert int(student.get_attribute("body", "data-seq") or "0") > seq
        page.wait_for_selector("#room-badge:has-text('1 following')", timeout=10_000)
        # a question open when the page reloads comes back open, and still holds the step
        page.click("#btn-ask-class")
        page.wait_for_selector("#quiz-panel[data-state='open']")
        page.reload()
        page.wait_for_selector(READY, timeout=PAGE_LOAD)
        page.wait_for_selector("#quiz-panel[data-state='open']", timeout=10_000)
        press(page, "ArrowRight")
        page.wait_for_selector(f"#messages .message:has-text('{HELD}')")
        wait_position(page, 3)
        page.click("#quiz-close")
        page.wait_for_selector("#quiz-panel", state="hidden")

        # the lesson too: reloaded, it presents its room again at the same stage
        page.goto("/lesson?stage=3")
        page.wait_for_selector(READY, timeout=PAGE_LOAD)
        page.click("#lesson-present")
        page.wait_for_selector("body[data-room-code]")
        lesson_code = page.get_attribute("body", "data-room-code")
        page.keyboard.press("Escape")
        page.keyboard.press("ArrowRight")
        page.wait_for_selector("#lesson[data-lesson-step='4']")
        network = page.get_attribute("#lesson", "data-network-id")
        student.goto(f"/join/{lesson_code}")
        student.wait_for_selector("#lesson[data-lesson-step='4']", timeout=PAGE_LOAD)
        page.reload()
        page.wait_for_selector(READY, timeout=PAGE_LOAD)
        page.wait_for_selector(f"body[data-room-code='{lesson_code}']", timeout=10_000)
        assert page.get_attribute("#lesson", "data-network-id") == network
        assert page.get_attribute("#lesson", "data-lesson-step") == "4"
        assert page.locator("#lesson-share").is_hidden()
        page.keyboard.press("ArrowRight")
        student.wait_for_selector("#lesson[data-lesson-step='5']", timeout=10_000)
    finally:
        phone.close()


def test_a_link_to_someone_elses_network_opens_the_visitors_own_copy(browser: Any, base_url: str, page: Any) -> None:
    net = open_app(page)
    press(page, "ArrowRight", 3)
    wait_position(page, 3)
    original = page.request.get(f"/api/networks/{net}").json()
    assert original["protected"]
    visitor = browser.new_context(base_url=base_url, viewport={"width": 1366, "height": 768})
    try:
        tab = visitor.new_page()
        tab.goto(f"/?net={net}&sample=1&step=5")
        tab.wait_for_selector(READY, timeout=PAGE_LOAD)
        tab.wait_for_selector("#messages .message:has-text('your own copy')")
        wait_position(tab, 5)
        eventually(lambda: query(tab).get("net") not in (None, net), message="the address never named the copy")
        copy_id = query(tab)["net"]
        assert query(tab)["sample"] == "1"
        copy = tab.request.get(f"/api/networks/{copy_id}").json()
        assert copy["protected"] and copy["weights"] == original["weights"] and copy["biases"] == original["biases"]
        tab.click("#train-start")
        eventually(lambda: tab.request.get(f"/api/networks/{copy_id}").json()["iteration"] > 0,
                   message="the copy never trained")
        tab.wait_for_selector("#train-start:not([disabled])", timeout=30_000)
        assert not [m for m in _notes(tab) if "403" in m or "failed" in m.lower()], _notes(tab)
    finally:
        visitor.close()
    after = page.request.get(f"/api/networks/{net}").json()
    assert (after["iteration"], after["weights"], after["biases"]) == (0, original["weights"], original["biases"])
