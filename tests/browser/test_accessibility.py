"""axe-core over every page a class uses, in real Chromium: the main page (first step, mid-way, projector), the
lesson (first, middle and last stage), the join form, the follower page (live and paused), the presenter's
dashboard and a phone's quiz sheet, each with no critical and no serious violation; and what a screen reader is
told: quiz questions, form errors, the gradient check in words."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.axe import violations
from tests.browser.conftest import settle

pytestmark = pytest.mark.browser

READY = "body[data-ready='true']"
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
PROJECTOR = {"viewport": {"width": 1280, "height": 720}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture(scope="module")
def contexts(browser: Any, base_url: str) -> Iterator[dict[str, Any]]:
    made = {name: browser.new_context(base_url=base_url, **size)
            for name, size in (("laptop", LAPTOP), ("projector", PROJECTOR), ("phone", PHONE))}
    yield made
    for ctx in made.values():
        ctx.close()


@pytest.fixture(scope="module")
def room(base_url: str) -> dict[str, Any]:
    return presented(base_url)


def presented(base_url: str) -> dict[str, Any]:
    """A protected XOR network presented in a fresh room, at step 11."""
    net = httpx.post(f"{base_url}/api/networks", json={"preset": "xor", "protected": True}).json()
    r = httpx.post(f"{base_url}/api/rooms", json={"network_id": net["id"]},
                   headers={"Authorization": f"Bearer {net['token']}"})
    assert r.status_code == 201, r.text
    made = r.json()
    auth = {"Authorization": f"Bearer {made['presenter_token']}"}
    r = httpx.post(f"{base_url}/api/rooms/{made['code']}/state", headers=auth,
                   json={"position": 11, "phase": "forward"})
    assert r.status_code == 200, r.text
    return {"net": net, "code": made["code"], "auth": auth, "token": made["presenter_token"]}


def paused_follower(ctx: Any, base_url: str) -> Any:
    r = presented(base_url)
    page = open_page(ctx, f"/join/{r['code']}", f"{READY}[data-position='11']")
    got = httpx.put(f"{base_url}/api/rooms/{r['code']}/pacing", headers=r["auth"],
                    json={"lock": "presenter", "paused": True, "message": "Eyes on the projector, please"})
    assert got.status_code == 200, got.text
    page.wait_for_selector("#pause-screen:not([hidden])", timeout=15_000)
    settle(page)
    return page


def open_page(ctx: Any, url: str, ready: str = READY) -> Any:
    page = ctx.new_page()
    page.goto(url)
    page.wait_for_selector(ready, timeout=60_000)
    settle(page)
    return page


def main_page(ctx: Any, base_url: str, query: str) -> Any:
    net = httpx.post(f"{base_url}/api/networks", json={"preset": "xor"}).json()
    return open_page(ctx, f"/?net={net['id']}&sample=0&{query}", f"{READY} #network-figure .main-svg")


def main_opened(ctx: Any, base_url: str, button: str, shown: str) -> Any:
    """The main page mid-way through the backward pass with one of the panels under the formula opened."""
    page = main_page(ctx, base_url, "step=20")
    page.wait_for_selector(f"#{button}")
    page.click(f"#{button}")
    page.wait_for_selector(shown, timeout=30_000)
    settle(page)
    return page


PAGES = {
    "main-step0": lambda c, b, r: main_page(c["laptop"], b, "step=0"),
    "main-midway": lambda c, b, r: main_page(c["laptop"], b, "step=11"),
    "main-projector": lambda c, b, r: main_page(c["projector"], b, "step=11&projector=1"),
    "main-op-graph": lambda c, b, r: main_opened(c["laptop"], b, "btn-ops-graph", "#op-graph-card[data-ops]"),
    "main-nudge": lambda c, b, r: main_opened(c["laptop"], b, "btn-ops-nudge", "#nudge-chart[data-drawn]"),
    "lesson-first": lambda c, b, r: open_page(c["laptop"], "/lesson?stage=1"),
    "lesson-middle": lambda c, b, r: open_page(c["laptop"], "/lesson?stage=7"),
    "lesson-last": lambda c, b, r: open_page(c["laptop"], "/lesson?stage=table"),
    "join": lambda c, b, r: open_page(c["laptop"], "/join", "form"),
    "follower": lambda c, b, r: open_page(c["laptop"], f"/join/{r['code']}", f"{READY}[data-position='11']"),
    "follower-paused": lambda c, b, r: paused_follower(c["phone"], b),
    "dashboard": lambda c, b, r: open_page(c["laptop"], f"/dashboard/{r['code']}#token={r['token']}"),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_axe_violation(contexts: dict[str, Any], base_url: str, room: dict[str, Any], name: str,
                                  shoot: Any) -> None:
    page = PAGES[name](contexts, base_url, room)
    try:
        found = violations(page)
        shoot(page, f"a11y-{name}")
        assert found == [], f"{name}: {len(found)} serious or critical:\n" + "\n".join(found)
        # one top heading names the page for a screen reader's heading list, shown or not
        headings = page.eval_on_selector_all("h1", "els => els.map((e) => e.textContent.trim())")
        assert len(headings) == 1 and headings[0], f"{name}: h1 {headings}"
    finally:
        page.close()


def test_a_phones_quiz_sheet_has_no_serious_axe_violation(contexts: dict[str, Any], base_url: str,
                                                          room: dict[str, Any], shoot: Any) -> None:
    phone = open_page(contexts["phone"], f"/join/{room['code']}", f"{READY}[data-position='11']")
    try:
        r = httpx.post(f"{base_url}/api/rooms/{room['code']}/questions", headers=room["auth"],
                       json={"sample": 0, "event": 11})
        assert r.status_code == 201, r.text
        phone.wait_for_selector("#quiz-card[data-state='open']", timeout=15_000)
        # the question is announced (the card's own text is not read when it appears) and the field says how to answer
        assert phone.get_attribute("#quiz-announce", "role") == "alert"
        said = phone.text_content("#quiz-announce") or ""
        assert said.startswith("A question from the presenter: predict ") and "layer" in said, said
        assert phone.get_attribute("#quiz-answer", "aria-describedby") == "quiz-card-status"
        settle(phone)
        found = violations(phone)
        shoot(phone, "a11y-quiz-sheet")
        assert found == [], f"quiz sheet: {len(found)} serious or critical:\n" + "\n".join(found)
    finally:
        phone.close()
        qid = r.json()["id"]
        httpx.post(f"{base_url}/api/rooms/{room['code']}/questions/{qid}/close", headers=room["auth"])


def test_form_errors_are_announced_and_tied_to_their_fields(contexts: dict[str, Any], base_url: str) -> None:
    page = open_page(contexts["laptop"], "/join?code=NOPE00", "form")
    try:
        assert page.get_attribute("#join-code", "aria-invalid") == "true"
        error = page.get_attribute("#join-code", "aria-describedby")
        assert error and page.get_attribute(f"#{error}", "role") == "alert"
        assert (page.text_content(f"#{error}") or "").strip()
    finally:
        page.close()
    # the page's own network (one from a link is copied for the visitor, and the editor refilled when it arrives)
    page = open_page(contexts["laptop"], "/", f"{READY} #network-figure .main-svg")
    try:
        page.fill("#lr-input", "fast")
        page.click("#editor-apply")
        page.wait_for_selector("#learning_rate-error:not([hidden])")
        assert "learning_rate-error" in (page.get_attribute("#lr-input", "aria-describedby") or "").split()
        assert page.get_attribute("#lr-input", "aria-invalid") == "true"
        assert page.get_attribute("#learning_rate-error", "role") == "alert"
        # the data set's box keeps its hint and gains its error slot
        described = (page.get_attribute("#dataset-input", "aria-describedby") or "").split()
        assert described == ["csv-hint", "dataset-error"], described
    finally:
        page.close()


def test_the_gradient_check_says_pass_or_warn_in_words_with_a_legend(contexts: dict[str, Any], base_url: str,
                                                                    shoot: Any) -> None:
    page = main_page(contexts["laptop"], base_url, "step=0")
    try:
        page.click("#gradcheck-run")
        page.wait_for_selector("#gradcheck-table[data-rows='9']", timeout=30_000)
        words = page.eval_on_selector_all("#gradcheck-table tbody td.status", "cs => cs.map((c) => c.textContent)")
        assert len(words) == 9 and set(words) <= {"pass", "warn"}, words
        legend = page.text_content("#gradcheck-map .gc-legend") or ""
        assert "pass" in legend and "warn" in legend and "fail" in legend, legend
        assert (page.text_content("#gradcheck-note") or "").startswith(("Pass:", "Warn:"))
        page.locator("#gradcheck-card").scroll_into_view_if_needed()
        settle(page)
        shoot(page, "a11y-gradcheck")
        assert violations(page) == []
    finally:
        page.close()


def test_the_api_reference_has_no_serious_axe_violation(contexts: dict[str, Any], shoot: Any) -> None:
    page = contexts["laptop"].new_page()
    try:
        page.goto("/docs")
        page.wait_for_selector(".opblock", timeout=30_000)
        assert violations(page) == []
        # one operation opened, tried out and sent: its form, its example and the server's answer
        page.click('#swagger-ui .opblock-post:has(.opblock-summary-path[data-path="/api/networks"]) '
                   '.opblock-summary-control')
        page.click("#swagger-ui .opblock.is-open .try-out__btn")
        page.click("#swagger-ui .opblock.is-open .execute")
        page.wait_for_selector("#swagger-ui .opblock.is-open .live-responses-table .response-col_status",
                               timeout=30_000)
        found = violations(page)
        shoot(page, "a11y-api-docs")
        assert found == [], f"/docs: {len(found)} serious or critical:\n" + "\n".join(found)
    finally:
        page.close()


def test_the_lesson_tells_a_screen_reader_one_short_line_per_step(contexts: dict[str, Any]) -> None:
    page = open_page(contexts["laptop"], "/lesson?stage=matrix")
    try:
        # the panel holds the whole stage: were it live, every ↓ would read all of it again
        assert page.get_attribute(".lesson-panel", "aria-live") is None
        assert page.get_attribute("#lesson-status", "role") == "status"
        first = page.text_content("#lesson-status") or ""
        assert first.startswith("Stage 3 of ") and "A layer is one matrix product" in first, first
        page.click("#lesson-step-next")
        page.wait_for_function("s => document.getElementById('lesson-status').textContent !== s", arg=first)
        said = page.text_content("#lesson-status") or ""
        assert "Computation " in said and len(said) < 200, said
    finally:
        page.close()
