"""A real Chromium on the follower page: it follows the presenter live, forks, and follows again."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.chromium import PAGE_LOAD
from tests.rooms.conftest import SSEReader, bearer, new_room, owner
from tests.support import ROOT, eventually

SHOTS = ROOT / "test-artifacts" / "screenshots"

pytestmark = pytest.mark.browser


def _watch(page: Any, base: str) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {"errors": [], "foreign": []}
    page.on("console", lambda m: m.type == "error" and seen["errors"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("request", lambda r: r.url.startswith((base, "data:", "blob:")) or seen["foreign"].append(r.url))
    page.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation',"
                         " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
    return seen


def test_follower_page_on_B_follows_the_presenter_publishing_on_A(page: Any, redis_apps: tuple[str, str]) -> None:
    a, b = redis_apps
    net, room = new_room(a)
    code = room["code"]
    seen = _watch(page, b)
    page.goto(f"{b}/join/{code}")
    page.wait_for_selector("body[data-ready='true'][data-seq]")
    page.wait_for_selector("#network-figure .main-svg")
    assert page.locator("#live").get_attribute("data-state") == "live"
    assert page.locator("#followers").inner_text() == "1 following"
    assert page.locator("#room-code").inner_text() == code

    def publish(**fields: Any) -> None:
        r = httpx.post(f"{a}/api/rooms/{code}/state", headers=bearer(room), json=fields)
        assert r.status_code == 200, r.text

    publish(position=5, phase="forward")
    page.wait_for_selector("body[data-position='5']", timeout=3000)
    total = page.locator("#step-label").inner_text().split(" / ")[1]
    assert page.locator("#step-label").inner_text() == f"5 / {total}"
    assert page.locator(".phase-btn.active").get_attribute("data-phase") == "forward"
    assert page.locator("#formula-math .katex").count() == 1

    publish(position=int(total) - 1)
    page.wait_for_selector(f"body[data-position='{int(total) - 1}']", timeout=3000)
    assert page.locator(".phase-btn.active").get_attribute("data-phase") == "update"

    # the presenter steps the network: followers load the new weights
    assert httpx.post(f"{a}/api/networks/{net['id']}/step", json={"sample": 0}, headers=owner(net)).status_code == 200
    publish(position=0, sample=1)
    page.wait_for_selector("body[data-position='0']", timeout=3000)
    assert "iteration 1" in page.locator("#net-info").inner_text()
    assert page.locator("#sample-label").inner_text() == "sample 2"

    # training progress shows as a bar
    publish(training={"done": 250, "total": 1000, "running": True, "loss": 0.2})
    page.wait_for_selector("#training-box:not([hidden])", timeout=3000)
    assert "250 / 1,000" in page.locator("#train-text").inner_text()
    # the published losses become a small curve, and the formula panel says what is going on
    publish(training={"done": 500, "total": 1000, "running": True, "loss": 0.1})
    page.wait_for_selector("#follow-loss:not([hidden]) .main-svg", timeout=3000)
    publish(training={"done": 750, "total": 1000, "running": True, "loss": 0.05})
    # polled from here: wait_for_function would need eval, which the page's CSP forbids
    eventually(lambda: page.evaluate("(document.getElementById('follow-loss').data || [{x: []}])[0].x.length") == 3,
               message="the loss curve never had 3 points")
    assert page.evaluate("document.getElementById('follow-loss').data[0].y") == [0.2, 0.1, 0.05]
    assert "training the network" in page.locator("#formula-words").inner_text()
    page.screenshot(path=str(SHOTS / "follower-training.png"))
    publish(training=None, position=3)
    page.wait_for_selector("body[data-position='3']", timeout=3000)

    assert seen["errors"] == [] and seen["foreign"] == []
    assert page.evaluate("window.__csp") == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "follower-live.png"))


def test_try_it_myself_then_follow_again(page: Any, redis_apps: tuple[str, str]) -> None:
    a, b = redis_apps
    net, room = new_room(a)
    code = room["code"]
    seen = _watch(page, a)
    page.goto(f"{a}/join/{code}")
    page.wait_for_selector("body[data-ready='true'][data-seq]")
    httpx.post(f"{a}/api/rooms/{code}/state", headers=bearer(room), json={"position": 4})
    page.wait_for_selector("body[data-position='4']")

    assert page.locator("#live").inner_text() == "live"
    page.click("#btn-fork")
    page.wait_for_selector("body.own[data-own-network-id]")
    # the header tells the student's own copy from the live view
    assert page.locator("#live").inner_text() == "your copy"
    assert page.locator("#live").get_attribute("data-state") == "own"
    own_id = page.locator("body").get_attribute("data-own-network-id")
    assert own_id and own_id != net["id"]
    assert httpx.get(f"{a}/api/networks/{own_id}").status_code == 200
    assert page.locator("#step-label").inner_text().startswith("4 / ")
    page.click("#own-next")
    expect(page.locator("#step-label")).to_have_text(re.compile(r"^5 / "))
    assert page.locator("#own-open").get_attribute("href").startswith(f"/?net={own_id}&")

    # while on the copy, the presenter moves on; following again jumps to where the presenter is
    httpx.post(f"{a}/api/rooms/{code}/state", headers=bearer(room), json={"position": 9})
    # a stream sends states before tallies: once the page shows a newcomer's count, it has had position 9
    followers = int(page.locator("#followers").inner_text().split()[0])
    newcomer = SSEReader(a, f"/api/rooms/{code}/events")
    try:
        expect(page.locator("#followers")).to_have_text(f"{followers + 1} following")
    finally:
        newcomer.stop()
    assert page.locator("#step-label").inner_text().startswith("5 / ")
    page.click("#btn-follow")
    page.wait_for_selector("body:not(.own)[data-position='9']")
    assert page.locator("#live").inner_text() == "live"
    assert page.locator("#step-label").inner_text().startswith("9 / ")
    page.click("#btn-fork")
    page.wait_for_selector("body.own")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "follower-own-copy.png"))
    assert seen["errors"] == [] and seen["foreign"] == []
    assert page.evaluate("window.__csp") == []


def test_join_form_takes_a_typed_code(page: Any, redis_apps: tuple[str, str]) -> None:
    a, _ = redis_apps
    _, room = new_room(a)
    page.goto(f"{a}/join")
    page.fill("#join-code", room["code"].lower())
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-ready='true'][data-seq]")
    assert page.url == f"{a}/join/{room['code']}"


def test_a_presenting_page_moves_a_follower_page_through_room_js(page: Any, redis_apps: tuple[str, str]) -> None:
    a, b = redis_apps
    net, _ = new_room(a)
    presenter = page
    presenter.goto(f"{a}/join")  # any page of the app: room.js is an ES module of the same origin
    presenter.evaluate("""async ([networkId, token]) => {
        const room = await import('/static/js/room.js');
        (await import('/static/js/api.js')).rememberToken(networkId, token);  // as if this page had made it
        window.__followers = [];
        window.__room = await room.startPresenting(networkId, {onFollowers: (n) => {
            window.__followers.push(n);
            document.body.dataset.followers = String(n);
        }});
        return window.__room.code;
    }""", [net["id"], net["token"]])
    code = presenter.evaluate("window.__room.code")
    assert presenter.evaluate("window.__room.joinUrl") == f"{a}/join/{code}"
    assert presenter.evaluate("window.__room.qrUrl") == f"{a}/api/rooms/{code}/qr.svg"

    follower = page.context.new_page()
    follower.goto(f"{b}/join/{code}")
    follower.wait_for_selector("body[data-ready='true'][data-seq]")
    presenter.wait_for_selector("body[data-followers='1']", state="attached")
    # a burst of publishes, as when the presenter holds the arrow key: the follower ends on the last one
    presenter.evaluate("""() => {
        for (let p = 1; p <= 12; p += 1) window.__room.publish({position: p, phase: 'forward'});
        return window.__room.flush(); }""")
    follower.wait_for_selector("body[data-position='12']", timeout=3000)
    assert httpx.get(f"{a}/api/rooms/{code}").json()["position"] == 12
    follower.close()
    presenter.wait_for_selector("body[data-followers='0']", state="attached", timeout=5000)
    assert presenter.evaluate("window.__followers") == [0, 1, 0]


def test_the_main_page_presenting_on_A_moves_a_follower_page_on_B(page: Any, redis_apps: tuple[str, str]) -> None:
    """The classroom end to end: the teacher's page shares and steps; a student's page follows, live."""
    a, b = redis_apps
    presenter = page
    seen = _watch(presenter, a)
    presenter.goto(f"{a}/")
    presenter.wait_for_selector("body[data-ready='true']", timeout=PAGE_LOAD)
    presenter.click("#btn-share")
    presenter.wait_for_selector("#room-dialog:not([hidden])")
    code = presenter.inner_text("#room-code").strip()
    presenter.wait_for_selector("#room-qr[src$='/qr.svg']", state="attached")
    presenter.click("#room-close")

    student = presenter.context.new_page()
    student_seen = _watch(student, b)
    student.goto(f"{b}/join/{code}")
    student.wait_for_selector("body[data-ready='true'][data-seq]")
    expect(presenter.locator("#room-badge")).to_contain_text("1 following")

    for expected in range(1, 5):
        presenter.keyboard.press("ArrowRight")
        student.wait_for_selector(f"body[data-position='{expected}']", timeout=3000)
    presenter_label = presenter.inner_text("#step-label")
    expect(student.locator("#step-label")).to_have_text(presenter_label)
    room = httpx.get(f"{a}/api/rooms/{code}").json()
    assert student.get_attribute("body", "data-network-id") == room["network_id"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    student.screenshot(path=str(SHOTS / "follower-following-main-page.png"))
    assert seen["errors"] == [] and student_seen["errors"] == []
    assert student_seen["foreign"] == [] and student.evaluate("window.__csp") == []
