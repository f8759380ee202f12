"""Predict, then reveal, in real Chromium tabs: a presenter asks the class and reveals while a follower on a phone
(390 x 844, touch) answers by tapping; alone, the predict switch hides the next value until a guess is checked."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_page import READY, get_trace, open_app, press, share_room, wait_position

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def _no_sideways_scroll(page: Any) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"sideways scrolling: {widths}"


def _inside_viewport(page: Any, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, selector
    assert box["x"] + box["width"] <= size["width"] + 1 and box["y"] + box["height"] <= size["height"] + 1, selector


def test_presenter_asks_a_phone_answers_by_tapping_and_the_reveal_reaches_both(
        page: Any, browser: Any, base_url: str, watch: Any, shoot: Any) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    net = open_app(page)
    assert page.locator("#btn-ask-class").is_hidden()  # only while presenting a room
    code = share_room(page)
    press(page, "ArrowRight", 2)
    wait_position(page, 2)

    phone_ctx = browser.new_context(base_url=base_url, **PHONE)
    phone = phone_ctx.new_page()
    try:
        phone.goto(f"/join/{code}")
        phone.wait_for_selector("body[data-ready='true'][data-position='2']", timeout=15_000)

        page.click("#btn-ask-class")
        page.wait_for_selector("#quiz-panel[data-state='open']")
        room = page.request.get(f"/api/rooms/{code}").json()
        question = room["question"]
        assert question["event"] == 2 and "value" not in {k for k, v in question.items() if v is not None}
        trace = page.request.post(f"/api/networks/{net}/trace", data={"sample": question["sample"]}).json()
        value = trace["events"][2]["value"]

        phone.wait_for_selector("#quiz-card[data-state='open']", timeout=5_000)
        tex = phone.text_content("#quiz-card-prompt annotation") or ""
        assert tex.strip().endswith("= ?")
        field = phone.locator("#quiz-answer")
        assert field.get_attribute("inputmode") == "decimal"
        field.tap()
        phone.keyboard.type("0.5")
        phone.locator("#quiz-sign").tap()  # ± makes it negative: phones' decimal keypads often lack a minus
        assert field.input_value() == "-0.5"
        phone.locator("#quiz-sign").tap()
        guess = round(value * 1.04, 3)
        field.fill(str(guess))  # a changed mind: the later answer replaces the earlier one
        phone.locator("#quiz-send").tap()
        phone.wait_for_selector("#quiz-card[data-state='sent']")
        _no_sideways_scroll(phone)
        _inside_viewport(phone, "#quiz-send")
        assert phone.locator("#quiz-send").bounding_box()["height"] >= 44
        shoot(phone, "quiz-phone-answer")

        # the rest of the class answers through the API
        for n, factor in enumerate([1.0, 0.97, 1.08, 1.3, 0.6, -1.0, 1.02, 0.92, 1.15, 2.5, 0.99]):
            classmate = page.request.post(f"/api/rooms/{code}/followers", data={"name": f"Classmate {n}"}).json()
            r = page.request.post(f"/api/rooms/{code}/questions/{question['id']}/answers",
                                  data={"value": value * factor},
                                  headers={"Authorization": f"Bearer {classmate['token']}"})
            assert r.status == 204
        page.wait_for_selector("#quiz-panel[data-answers='12']", timeout=5_000)
        assert page.inner_text("#quiz-count") == "12 answered"  # more answers (API) than followers (1)
        assert page.locator("#quiz-histogram .quiz-bar.within").count() == 0  # the truth is marked at the reveal
        _inside_viewport(page, "#quiz-panel")
        shoot(page, "quiz-presenter-live")
        page.click("#quiz-toggle-histogram")  # hidden from the projector before the reveal
        assert page.locator("#quiz-histogram.concealed").count() == 1
        assert page.locator("#quiz-histogram .quiz-bar").first.is_hidden()

        page.set_viewport_size({"width": 1280, "height": 720})
        press(page, "p")
        page.wait_for_selector("body.projector")
        page.click("#quiz-reveal")
        page.wait_for_selector("#quiz-panel[data-state='revealed']")
        wait_position(page, 3)  # the step continues: the asked value is now shown
        result = page.inner_text("#quiz-result")
        assert "of 12 within 10%" in result
        assert page.locator("#quiz-histogram .quiz-bar.within").count() == 1
        assert page.locator("#quiz-histogram.concealed").count() == 0
        _inside_viewport(page, "#quiz-panel")
        _no_sideways_scroll(page)
        shoot(page, "quiz-projector-reveal")

        phone.wait_for_selector("#quiz-card[data-state='revealed']", timeout=5_000)
        mine = phone.inner_text("#quiz-mine-answer")
        assert mine.startswith("You:") and phone.locator("#quiz-mine-answer.good").count() == 1
        assert phone.inner_text("#quiz-mine-true").startswith("True:")
        assert phone.locator("#quiz-card-histogram .quiz-bar.within").count() == 1
        _no_sideways_scroll(phone)
        shoot(phone, "quiz-phone-reveal")
        late = page.request.post(f"/api/rooms/{code}/followers", data={"name": None}).json()
        r = page.request.post(f"/api/rooms/{code}/questions/{question['id']}/answers", data={"value": value},
                              headers={"Authorization": f"Bearer {late['token']}"})
        assert r.status == 409
        phone.locator("#quiz-dismiss").tap()
        phone.wait_for_selector("#quiz-card", state="hidden")
    finally:
        phone_ctx.close()
    press(page, "p")
    assert watch.console_errors == [] and watch.page_errors == []


def test_predict_switch_hides_the_next_value_until_a_guess_and_keeps_score(page: Any, shoot: Any) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    net = open_app(page)
    page.check("#predict-switch")
    press(page, "ArrowRight")
    page.wait_for_selector("#predict-card[data-state='open']")
    wait_position(page, 0)  # the value stays hidden
    press(page, "ArrowRight")  # pressing again does not give it away
    wait_position(page, 0)
    trace = get_trace(page, net)
    assert (page.text_content("#predict-prompt annotation") or "").strip().endswith("= ?")
    page.fill("#predict-answer", "abc")
    page.click("#predict-check")
    assert "Type a number" in page.inner_text("#predict-status")
    page.fill("#predict-answer", repr(trace["events"][0]["value"]))
    page.keyboard.press("Enter")
    page.wait_for_selector("#predict-card[data-state='checked']")
    wait_position(page, 1)
    assert page.inner_text("#predict-score").startswith("1 of 1 within 10%")
    shoot(page, "quiz-solo-predict")
    page.click("#predict-continue")
    page.wait_for_selector("#predict-card", state="hidden")
    page.uncheck("#predict-switch")
    press(page, "ArrowRight")
    wait_position(page, 2)
    assert page.locator(READY).count() == 1
