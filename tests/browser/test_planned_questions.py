"""Questions planned in the lesson, in a real Chromium against the real server: the presenter plans two
computations, exports the plan and imports it again (a bad file is refused in words), presents in projector mode
to a room a phone follows, and walking onto the computation before a planned one asks the class about it, with
stepping held until Reveal; the room's results list the question with its symbol."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import settle
from tests.browser.test_lesson import (
    PHONE,
    PROJECTOR,
    READY,
    lesson,
    no_sideways_scroll,
    open_lesson,
    trace_of,
    wait_key,
)
from tests.chromium import PAGE_LOAD
from tests.support import eventually

pytestmark = pytest.mark.browser

FIRST, SECOND = "weight-gradient", "grad-a"


def position(page: Any) -> int:
    return int(lesson(page)["position"])


def plan_here(page: Any) -> None:
    box = page.locator("#lesson-plan-here")
    assert box.is_enabled()
    box.check()
    assert box.is_checked()


def test_a_planned_question_is_asked_when_the_lesson_reaches_it(
    browser: Any, base_url: str, shoot: Any, tmp_path: Path
) -> None:
    presenter_ctx = browser.new_context(base_url=base_url, accept_downloads=True, **PROJECTOR)
    phone_ctx = browser.new_context(base_url=base_url, **PHONE)
    try:
        desk = presenter_ctx.new_page()
        # before class: the second computation after the first stage's opening, and the first after the second's
        open_lesson(desk, f"/lesson?stage={FIRST}")
        opening = position(desk)
        first_step = int(lesson(desk)["lessonStep"])
        desk.keyboard.press("ArrowDown")
        desk.keyboard.press("ArrowDown")
        eventually(lambda: position(desk) == opening + 2, message="two steps into the stage")
        plan_here(desk)
        desk.goto(f"/lesson?stage={SECOND}")
        desk.wait_for_selector(READY, timeout=PAGE_LOAD)
        second_at = position(desk)
        desk.keyboard.press("ArrowDown")
        eventually(lambda: position(desk) == second_at + 1, message="one step into the second stage")
        plan_here(desk)
        assert desk.inner_text("#lesson-plan-status") == "2 planned"
        marked = desk.eval_on_selector_all("#lesson-dots .lesson-dot[data-plan]", "bs => bs.map(b => b.textContent)")
        assert marked == [str(first_step), lesson(desk)["lessonStep"]]
        no_sideways_scroll(desk)
        settle(desk)
        shoot(desk, "planned-question-plan-1280")

        with desk.expect_download() as got:
            desk.click("#lesson-plan-export")
        exported = got.value.path().read_text()
        assert json.loads(exported)["questions"] == [
            {"stage": FIRST, "computation": opening + 2},
            {"stage": SECOND, "computation": second_at + 1},
        ]

        # a fresh browser has no plan; a bad file is refused with what is wrong, the exported one is taken
        desk.evaluate("localStorage.clear()")
        desk.reload()
        desk.wait_for_selector(READY, timeout=PAGE_LOAD)
        assert desk.inner_text("#lesson-plan-status") == "No planned questions"
        bad = json.loads(exported)
        bad["questions"][1]["stage"] = "nowhere"
        desk.set_input_files(
            "#lesson-plan-file",
            files=[{"name": "plan.json", "mimeType": "application/json", "buffer": json.dumps(bad).encode()}],
        )
        desk.wait_for_selector("#messages .message-error")
        assert 'questions[1].stage "nowhere" is not a stage of this lesson' in desk.inner_text("#messages")
        assert desk.inner_text("#lesson-plan-status") == "No planned questions"
        saved = tmp_path / "plan.json"
        saved.write_text(exported)
        desk.set_input_files("#lesson-plan-file", str(saved))
        eventually(lambda: desk.inner_text("#lesson-plan-status") == "2 planned", message="the plan imported")

        # in class: projector mode, presenting from the stage before, one phone following
        desk.goto(f"/lesson?stage={first_step - 1}&projector=1")
        desk.wait_for_selector(READY, timeout=PAGE_LOAD)
        desk.click("#lesson-present")
        desk.wait_for_selector("body[data-room-code]")
        code = desk.get_attribute("body", "data-room-code")
        desk.keyboard.press("Escape")
        phone = phone_ctx.new_page()
        phone.goto(f"/lesson?room={code}&follow=1")
        phone.wait_for_selector(READY, timeout=PAGE_LOAD)
        assert phone.locator("#lesson-plan").is_hidden()
        assert phone.eval_on_selector_all(".lesson-dot[data-plan]", "bs => bs.length") == 0

        desk.click(f"#lesson-dots li:nth-child({first_step}) .lesson-dot")
        wait_key(desk, FIRST)
        assert position(desk) == opening
        assert desk.locator("#quiz-panel[data-state=open]").count() == 0  # the planned one is two steps ahead
        trace = trace_of(desk)
        asked = trace["events"][opening + 1]
        desk.keyboard.press("ArrowDown")
        # one before the planned computation: the class is asked about it, and the step onto it is held
        desk.wait_for_selector("#quiz-panel[data-state=open]", timeout=15_000)
        assert position(desk) == opening + 1
        desk.keyboard.press("ArrowDown")
        assert position(desk) == opening + 1
        phone.wait_for_selector("#quiz-card[data-state=open]", timeout=15_000)
        phone.locator("#quiz-answer").tap()
        phone.locator("#quiz-answer").fill(f"{asked['value']:.4f}")
        phone.locator("#quiz-send").tap()
        phone.wait_for_selector("#quiz-card[data-state=sent]", timeout=15_000)
        no_sideways_scroll(phone)
        settle(phone)
        shoot(phone, "planned-question-phone-390")
        assert desk.inner_text("#lesson-plan-status") == "2 planned · 0 asked"
        settle(desk)
        no_sideways_scroll(desk)
        shoot(desk, "planned-question-projector-1280")

        desk.click("#quiz-reveal")
        eventually(lambda: position(desk) == opening + 2, message="the reveal steps onto the planned computation")
        eventually(lambda: desk.inner_text("#lesson-plan-status") == "2 planned · 1 asked", message="one asked")
        assert desk.get_attribute(f"#lesson-dots li:nth-child({first_step}) .lesson-dot", "data-plan") == "done"
        desk.click("#quiz-close")
        desk.wait_for_selector("#quiz-panel", state="hidden")

        # on to the next stage: it opens on the computation before its planned one, so the class is asked at once
        desk.click(f"#lesson-dots li:nth-child({first_step + 1}) .lesson-dot")
        wait_key(desk, SECOND)
        desk.wait_for_selector("#quiz-panel[data-state=open]", timeout=15_000)
        assert position(desk) == second_at
        second = trace_of(desk)["events"][second_at]
        desk.click("#quiz-close")
        eventually(lambda: desk.inner_text("#lesson-plan-status") == "2 planned · 2 asked", message="both asked")
        desk.keyboard.press("ArrowDown")
        eventually(lambda: position(desk) == second_at + 1, message="stepping on after the questions")

        token = desk.evaluate("c => JSON.parse(localStorage.getItem('deltaflow-presenter:' + c))", code)
        r = httpx.get(f"{base_url}/api/rooms/{code}/results", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        questions = r.json()["questions"]
        assert [(q["symbol"], q["answers"]) for q in questions] == [(asked["symbol"], 1), (second["symbol"], 0)]
        assert questions[0]["value"] == pytest.approx(asked["value"])
    finally:
        presenter_ctx.close()
        phone_ctx.close()
