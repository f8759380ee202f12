"""Predicting inside the lesson, in a real Chromium against the real server: alone, Predict holds the next
computation until the student has typed a value, then shows it; presenting, Ask the class holds the presenter's
stepping (and stage changes) until Reveal, and a following student's lesson shows no formula with the asked value
before Reveal."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_lesson import (
    LAPTOP,
    PHONE,
    READY,
    event_tex,
    lesson,
    open_lesson,
    trace_of,
    wait_key,
    wait_step,
)
from tests.chromium import PAGE_LOAD
from tests.support import eventually

pytestmark = pytest.mark.browser


def position(page: Any) -> int:
    return int(lesson(page)["position"])


def test_predict_holds_the_next_value_until_the_student_has_typed_one(page: Any, shoot: Any) -> None:
    open_lesson(page, "/lesson?stage=weight-gradient")
    trace = trace_of(page)
    at = position(page)
    shown = event_tex(page)
    page.check("#lesson-predict")
    page.keyboard.press("ArrowDown")
    page.wait_for_selector("#predict-card[data-state=open]")
    # held: the lesson has not moved, and the box still shows the computation before
    assert position(page) == at and event_tex(page) == shown
    nxt = trace["events"][at]
    assert f"{nxt['value']:.4f}" not in (page.inner_text("#lesson-event") or "")
    shoot(page, "lesson-predict-open")
    page.fill("#predict-answer", f"{nxt['value']:.4f}")
    page.keyboard.press("Enter")
    page.wait_for_selector("#predict-card[data-state=checked]")
    eventually(lambda: position(page) == at + 1, message="the checked value is shown")
    assert page.get_attribute("#lesson-event", "data-event-id") == str(nxt["id"])
    page.click("#predict-continue")
    # Predict off: ↓ steps at once
    page.uncheck("#lesson-predict")
    page.keyboard.press("ArrowDown")
    eventually(lambda: position(page) == at + 2, message="a plain step")


def test_ask_the_class_holds_stepping_until_reveal_and_hides_the_value_from_followers(
        browser: Any, base_url: str, shoot: Any) -> None:
    presenter_ctx = browser.new_context(base_url=base_url, **LAPTOP)
    student_ctx = browser.new_context(base_url=base_url, **PHONE)
    try:
        presenter = presenter_ctx.new_page()
        # ∂L/∂a on the half adder: the stage's (W³)ᵀδ³ shows every ∂L/∂a² the player has not reached yet
        open_lesson(presenter, "/lesson?stage=grad-a")
        presenter.click("#lesson-present")
        presenter.wait_for_selector("body[data-room-code]")
        code = presenter.get_attribute("body", "data-room-code")
        presenter.keyboard.press("Escape")
        student = student_ctx.new_page()
        student.goto(f"/lesson?room={code}&follow=1")
        student.wait_for_selector(READY, timeout=PAGE_LOAD)
        step = lesson(presenter)["lessonStep"]
        wait_step(student, int(step))
        trace = trace_of(presenter)
        at = position(presenter)
        asked = trace["events"][at]
        assert (asked["quantity"], asked["l"], asked["j"]) == ("grad_a", 2, 2)
        presenter.click("#lesson-ask")
        presenter.wait_for_selector("#quiz-panel[data-state=open]")
        # the presenter's ↓ and → are held: no screen shows the asked value before Reveal
        presenter.keyboard.press("ArrowDown")
        presenter.keyboard.press("ArrowRight")
        assert position(presenter) == at and lesson(presenter)["lessonStep"] == step
        student.wait_for_selector("#quiz-card[data-state=open]", timeout=10_000)
        student.wait_for_selector("body.question-open")
        value = f"{abs(asked['value']):.4f}"  # KaTeX writes a minus as −
        visible = student.evaluate("""() => [...document.querySelectorAll('#lesson *')]
          .filter((e) => e.checkVisibility({visibilityProperty: true}) && !e.childElementCount)
          .map((e) => e.textContent).join(' ')""")
        assert value not in visible, "a follower sees the asked value before Reveal"
        shoot(student, "lesson-follower-question-open")
        student.fill("#quiz-answer", f"{asked['value']:.4f}")
        student.click("#quiz-send")
        student.wait_for_selector("#quiz-card[data-state=sent]")
        presenter.click("#quiz-reveal")
        eventually(lambda: position(presenter) == at + 1, message="the reveal steps onto the asked value")
        student.wait_for_function("p => document.getElementById('lesson').dataset.position === p",
                                  arg=str(at + 1), timeout=10_000)
        student.wait_for_selector("body:not(.question-open)")
        student.wait_for_selector("#quiz-card[data-state=revealed]")
        presenter.click("#quiz-close")
        presenter.keyboard.press("ArrowDown")
        eventually(lambda: position(presenter) == at + 2, message="stepping again after the question")
    finally:
        presenter_ctx.close()
        student_ctx.close()


def test_ask_the_class_right_after_a_stage_change_asks_about_the_new_stage(
        browser: Any, base_url: str) -> None:
    presenter_ctx = browser.new_context(base_url=base_url, **LAPTOP)
    try:
        presenter = presenter_ctx.new_page()
        open_lesson(presenter, "/lesson?stage=weight-gradient")  # the XOR network
        presenter.click("#lesson-present")
        presenter.wait_for_selector("body[data-room-code]")
        presenter.keyboard.press("Escape")
        # hold the room's state updates: the next stage's network reaches the server only when released
        held: list[Any] = []
        presenter.route("**/api/rooms/*/state", lambda route: held.append(route))
        presenter.keyboard.press("ArrowRight")
        wait_key(presenter, "grad-a")
        presenter.wait_for_selector("#lesson[data-lesson-network='2-3-2']")
        eventually(lambda: presenter.evaluate("0") == 0 and bool(held), message="the stage change is sent")
        at = position(presenter)
        asked = trace_of(presenter)["events"][at]
        with presenter.expect_response(lambda r: r.url.endswith("/questions") and r.request.method == "POST") as got:
            presenter.click("#lesson-ask")
            for route in held:
                route.continue_()
            presenter.unroute("**/api/rooms/*/state")
        question = got.value.json()
        assert (question["quantity"], question["event"]) == (asked["quantity"], at), question
    finally:
        presenter_ctx.close()
