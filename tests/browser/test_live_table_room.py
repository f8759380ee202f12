"""The live table in a presented lesson: the projector (1280 x 720) moves the slider and switches batch/online, and
every phone (390 x 844, touch) shows the same run at the same iteration with the same outputs, a phone that joins
late included; a reloaded projector comes back to the same place. Off the stage, the room forgets the place."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import settle
from tests.browser.test_class import Phone, _lesson_at, _place, phones  # noqa: F401
from tests.browser.test_lesson import lesson, wait_key
from tests.browser.test_op_graph import turn_to
from tests.chromium import PAGE_LOAD
from tests.support import eventually

pytestmark = pytest.mark.browser

OUTPUTS = "e => [...e.querySelectorAll('.live-o')].map((td) => td.dataset.value)"


def _place_of(page: Any) -> dict[str, Any]:
    """What a page's live table shows: its run, iteration, slider and the outputs o in the truth table."""
    box = page.locator("#lesson-table")
    return {"mode": box.get_attribute("data-mode"), "iteration": box.get_attribute("data-iteration"),
            "slider": page.eval_on_selector("#lesson-live-slider", "e => e.value"),
            "outputs": page.eval_on_selector("#lesson-live-truth", OUTPUTS)}


def _phones_show(presenter: Any, followers: list[Phone], mode: str, iteration: int) -> None:
    """Every phone's table at the projector's place, with the projector's outputs (numbers, not '…')."""
    eventually(lambda: _place_of(presenter)["outputs"][0] not in ("", None), message="the projector's run landed")
    want = _place_of(presenter)
    assert (want["mode"], want["iteration"]) == (mode, str(iteration)), want
    for n, phone in enumerate(followers):
        eventually(lambda p=phone: _place_of(p.page) == want,
                   message=f"phone {n} shows {_place_of(phone.page)}, the projector {want}")


def _turn(page: Any, key: str, until: Any) -> None:
    """→ or ← (a long stage turns its parts first) until `until()` holds."""
    for _ in range(12):
        if until():
            return
        before = _place(page)
        page.keyboard.press(key)
        eventually(lambda was=before: _place(page) != was, message=f"{key} did not move on from {before}")
    assert until(), f"{key} never got there"


def test_phones_follow_the_projectors_live_table_slider_and_mode(
        page: Any, browser: Any, base_url: str, watch: Any, shoot: Any,
        phones: list[Phone]) -> None:  # noqa: F811
    # The presenter presents the lesson one stage before the live table; a phone follows.
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto("/lesson?stage=batch&projector=1")
    page.wait_for_selector("body[data-ready='true'].projector", timeout=PAGE_LOAD)
    page.click("#lesson-present")
    page.wait_for_selector("body[data-room-code]")
    code = str(page.get_attribute("body", "data-room-code"))
    page.keyboard.press("Escape")
    phones.append(Phone(browser, base_url, code, ready="body[data-ready='true'] #lesson"))
    _lesson_at(phones, int(lesson(page)["lessonStep"]))
    assert page.request.get(f"/api/rooms/{code}").json()["live_table"] is None

    # On to the live table: the room carries its place from the first move onto the stage.
    _turn(page, "ArrowRight", lambda: lesson(page)["stageKey"] == "table")
    page.wait_for_selector("#lesson-live-slider:not([disabled])", state="attached", timeout=60_000)
    _lesson_at(phones, int(lesson(page)["lessonStep"]))
    _phones_show(page, phones, "batch", 0)
    # the words say who moves the slider: the presenter's page invites it, a phone's says the presenter does
    assert "Move the slider" in page.inner_text("#lesson")
    assert "As the presenter moves the slider" in phones[0].page.inner_text("#lesson")
    assert "Move the slider" not in phones[0].page.inner_text("#lesson")

    # The slider to 4,000: the phone's slider, iteration and outputs follow.
    turn_to(page, "#lesson-live-slider")
    page.fill("#lesson-live-slider", "40")
    _phones_show(page, phones, "batch", 4000)
    assert page.request.get(f"/api/rooms/{code}").json()["live_table"] == {"mode": "batch", "iteration": 4000}

    # Online (the iteration is kept), then the slider to 2,500.
    page.click("#lesson-table .live-mode[data-mode='online']")
    page.wait_for_selector("#lesson-table[data-mode='online']")
    _phones_show(page, phones, "online", 4000)
    page.fill("#lesson-live-slider", "25")
    _phones_show(page, phones, "online", 2500)
    assert page.request.get(f"/api/rooms/{code}").json()["live_table"] == {"mode": "online", "iteration": 2500}

    # A phone that joins now starts at the same place; on phones the switch and slider show it and take no moves.
    phones.append(Phone(browser, base_url, code, ready="body[data-ready='true'] #lesson"))
    _phones_show(page, phones, "online", 2500)
    for phone in phones:
        assert phone.page.locator("#lesson-live-slider").is_disabled()
        assert phone.page.locator("#lesson-table .live-mode[data-mode='online']").get_attribute(
            "aria-pressed") == "true"
        assert phone.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        assert phone.errors == []
    settle(phones[0].page)
    phones[0].page.locator("#lesson-table .live-controls").evaluate("e => e.scrollIntoView({block: 'center'})")
    settle(phones[0].page)
    shoot(phones[0].page, "live-table-room-phone")
    shoot(page, "live-table-room-projector")

    # The projector's page reloaded presents the same room again, at the room's place.
    page.reload()
    page.wait_for_selector("body[data-ready='true'].projector", timeout=PAGE_LOAD)
    assert lesson(page)["stageKey"] == "table"
    _phones_show(page, phones, "online", 2500)

    # Back a stage (the keys leave the slider first, which would take them): the room forgets the place.
    page.evaluate("() => document.activeElement.blur()")
    _turn(page, "ArrowLeft", lambda: lesson(page)["stageKey"] != "table")
    wait_key(page, "batch")
    eventually(lambda: page.request.get(f"/api/rooms/{code}").json()["live_table"] is None,
               message="the room still holds the live table's place off its stage")
    assert watch.console_errors == [] and watch.page_errors == []
