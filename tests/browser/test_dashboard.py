"""The presenter's class dashboard in real Chromium: the presenter at 1366 x 768, the projector's copy at
1280 x 720 with names hidden, and three phones at 390 x 844 (touch). Names from the join form, a fork counted as
an own copy, pacing (lock, pause with a message) reaching every phone, a rename, the results and their CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.conftest import SCREENSHOTS, settle
from tests.browser.test_quiz import PHONE
from tests.browser.test_screens import assert_clean

pytestmark = pytest.mark.browser

NAMES = ("Ada", "Grace", "Alan")
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
PROJECTOR = {"viewport": {"width": 1280, "height": 720}}


@pytest.fixture
def contexts(browser: Any, base_url: str) -> Iterator[list[Any]]:
    made: list[Any] = []
    yield made
    for ctx in made:
        ctx.close()


def _context(browser: Any, base_url: str, made: list[Any], size: dict[str, Any]) -> Any:
    ctx = browser.new_context(base_url=base_url, accept_downloads=True, **size)
    made.append(ctx)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.errors = errors
    return page


def _room(base_url: str) -> tuple[str, str]:
    net = httpx.post(f"{base_url}/api/networks", json={"preset": "xor", "protected": True}).json()
    r = httpx.post(f"{base_url}/api/rooms", json={"network_id": net["id"]},
                   headers={"Authorization": f"Bearer {net['token']}"})
    assert r.status_code == 201, r.text
    return r.json()["code"], r.json()["presenter_token"]


def _shot(page: Any, name: str) -> None:
    settle(page)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_a_class_run_from_the_dashboard(browser: Any, base_url: str, contexts: list[Any]) -> None:
    code, token = _room(base_url)
    auth = {"Authorization": f"Bearer {token}"}
    phones = []
    for name in NAMES:
        phone = _context(browser, base_url, contexts, PHONE)
        phone.goto("/join")
        assert "presenter sees your name and your answers" in phone.inner_text("form.join-form")
        phone.fill("#join-code", code.lower())
        phone.fill("#join-name", name)
        phone.click("button[type=submit]")
        phone.wait_for_selector("body[data-ready='true'][data-seq]", timeout=30_000)
        phone.wait_for_selector("#name-card:not([hidden])")
        assert phone.inner_text("#my-name") == name
        assert "The presenter sees your name and your answers" in phone.inner_text("#name-card")
        phones.append(phone)
    _shot(phones[0], "dashboard-phone-name-card")
    phones[0].click("#name-ok")
    assert phones[0].is_hidden("#name-card")

    desk = _context(browser, base_url, contexts, LAPTOP)
    desk.goto(f"/dashboard/{code}#token={token}")
    desk.wait_for_selector("body[data-ready='true'][data-students='3']", timeout=30_000)
    assert sorted(desk.locator("#class-rows td.name").all_inner_texts()) == sorted(NAMES)

    # a student tries it themself: the dashboard counts an own copy
    phones[1].locator("#btn-fork").tap()
    phones[1].wait_for_selector("body.own", timeout=30_000)
    desk.wait_for_selector("#class-rows tr:has(td.name:text-is('Grace')) td.mode-own", timeout=30_000)
    assert "2 following · 1 on their own copy" in desk.inner_text("#dash-totals")

    # a question, answered by two phones, shows in the results and the CSV
    r = httpx.post(f"{base_url}/api/rooms/{code}/questions", headers=auth, json={"sample": 0, "event": 2})
    assert r.status_code == 201, r.text
    for phone, value in ((phones[0], "0.5"), (phones[2], "-1")):
        phone.wait_for_selector("#quiz-card:not([hidden])", timeout=30_000)
        phone.locator("#quiz-answer").tap()
        phone.locator("#quiz-answer").fill(value)
        phone.locator("#quiz-send").tap()
        phone.wait_for_selector("#quiz-card[data-state='sent']", timeout=30_000)
    desk.wait_for_selector("#result-rows tr", timeout=30_000)
    with desk.expect_download() as got:
        desk.click("#btn-csv")
    rows = list(csv.DictReader(io.StringIO(got.value.path().read_text())))
    assert len(rows) == 3
    assert {row["name"]: row["answer"] for row in rows} == {"Ada": "0.5", "Grace": "", "Alan": "-1.0"}

    # lock: "Try it myself" closes on every phone, and the phone on its own copy follows again
    desk.locator("#lock-choice input[value='presenter']").check()
    for phone in phones:
        phone.wait_for_selector("body[data-lock='presenter'] #btn-fork:disabled", state="attached", timeout=30_000)
    phones[1].wait_for_selector("body:not(.own)", timeout=30_000)
    assert phones[0].inner_text("#btn-fork") == "Locked by the presenter"

    # pause with a message: every phone is covered by it
    desk.fill("#pause-message", "Eyes up here: look at δ")
    desk.click("#btn-pause")
    for phone in phones:
        phone.wait_for_selector("#pause-screen:not([hidden])", timeout=30_000)
        assert "Eyes up here: look at δ" in phone.inner_text("#pause-screen")
    _shot(phones[2], "dashboard-phone-paused")
    _shot(desk, "dashboard-laptop-1366")
    assert_clean(desk, "dashboard, 1366 x 768")

    # the projector's copy with names hidden: no name anywhere on it
    projector = _context(browser, base_url, contexts, PROJECTOR)
    projector.goto(f"/dashboard/{code}#token={token}")
    projector.wait_for_selector("body[data-ready='true'][data-students='3']", timeout=30_000)
    projector.click("#btn-names")
    projector.wait_for_selector("body.anonymous")
    text = projector.inner_text("body")
    assert "Student 1" in text and not any(name in text for name in NAMES)
    _shot(projector, "dashboard-projector-1280-anonymous")
    assert_clean(projector, "dashboard, 1280 x 720, names hidden")

    # resume: the phones uncover; a rename shows on the dashboard
    desk.click("#btn-pause")
    for phone in phones:
        phone.wait_for_selector("#pause-screen", state="hidden", timeout=30_000)
    desk.once("dialog", lambda dialog: dialog.accept("Alan T."))
    desk.click("#class-rows tr:has(td.name:text-is('Alan')) button:text('Rename')")
    desk.wait_for_selector("#class-rows td.name:text-is('Alan T.')", timeout=30_000)
    for page in (*phones, desk, projector):
        assert not page.errors, page.errors


def test_a_student_following_the_lesson_is_told_and_paused(browser: Any, base_url: str,
                                                           contexts: list[Any]) -> None:
    code, token = _room(base_url)
    auth = {"Authorization": f"Bearer {token}"}
    r = httpx.post(f"{base_url}/api/rooms/{code}/state", headers=auth, json={"view": "lesson", "stage": 2})
    assert r.status_code == 200, r.text
    phone = _context(browser, base_url, contexts, PHONE)
    phone.goto(f"/join/{code}")
    phone.wait_for_url("**/lesson?**", timeout=30_000)
    phone.wait_for_selector("body[data-ready='true'][data-my-name]", timeout=30_000)
    name = phone.get_attribute("body", "data-my-name")
    assert f"You are “{name}” in this class: the presenter sees your name and your answers" in phone.inner_text(
        "#messages")
    pause = {"lock": "presenter", "paused": True, "message": "Pens down"}
    assert httpx.put(f"{base_url}/api/rooms/{code}/pacing", json=pause, headers=auth).status_code == 200
    phone.wait_for_selector("#pause-screen:not([hidden])", timeout=30_000)
    assert "Pens down" in phone.inner_text("#pause-screen")
    _shot(phone, "dashboard-lesson-phone-paused")
    r = httpx.put(f"{base_url}/api/rooms/{code}/pacing", json={**pause, "paused": False}, headers=auth)
    assert r.status_code == 200
    phone.wait_for_selector("#pause-screen", state="hidden", timeout=30_000)
    assert not phone.errors, phone.errors
