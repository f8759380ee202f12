"""The guided lesson (/lesson) in a real Chromium against the real server: every stage forward and back with the
keyboard, the formulas against the API's trace, the stage link, projector type sizes, a room followed live, the
XOR table against the lecture's, and screenshots at the sizes a class uses."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import UNCOVERED, PageWatch, settle
from tests.chromium import PAGE_LOAD
from tests.support import eventually

pytestmark = pytest.mark.browser

READY = "body[data-ready=true]"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
TABLET = {"viewport": {"width": 768, "height": 1024}, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
PROJECTOR = {"viewport": {"width": 1280, "height": 720}}
WIDE = {"viewport": {"width": 1920, "height": 1080}}


def lesson(page: Any) -> dict[str, str]:
    return page.eval_on_selector("#lesson", "e => ({...e.dataset})")


def open_lesson(page: Any, path: str = "/lesson") -> dict[str, str]:
    page.goto(path)
    page.wait_for_selector(READY, timeout=PAGE_LOAD)
    return lesson(page)


def wait_key(page: Any, key: str) -> None:
    page.wait_for_function("k => document.getElementById('lesson').dataset.stageKey === k", arg=key, timeout=PAGE_LOAD)


def next_part(page: Any, here: int) -> None:
    """In projector mode a long stage shows in parts: → turns from part `here` to the next."""
    page.keyboard.press("ArrowRight")
    page.wait_for_function("p => document.querySelector('.lesson-panel').dataset.part.startsWith(p)",
                           arg=f"{here + 1}/", timeout=10_000)


def wait_step(page: Any, n: int) -> None:
    page.wait_for_function("n => document.getElementById('lesson').dataset.lessonStep === String(n)", arg=n,
                           timeout=10_000)


def event_tex(page: Any) -> str:
    """The TeX source KaTeX keeps in the MathML annotation of the computation box."""
    return (page.text_content("#lesson-event-math annotation[encoding='application/x-tex']") or "").strip()


def trace_of(page: Any) -> dict[str, Any]:
    d = lesson(page)
    res = page.request.post(f"/api/networks/{d['networkId']}/trace", data={"sample": int(d["sample"])})
    assert res.status == 200, res.text()
    return res.json()


def shown_event(page: Any, trace: dict[str, Any]) -> dict[str, Any]:
    """The trace event at the lesson's position, once the computation box shows its id and formula."""
    shown: list[tuple[str | None, str]] = []

    def showing() -> dict[str, Any] | None:
        ev: dict[str, Any] = trace["events"][int(lesson(page)["position"]) - 1]
        shown[:] = [(page.get_attribute("#lesson-event", "data-event-id"), event_tex(page))]
        return ev if shown[0] == (str(ev["id"]), f"\\displaystyle {ev['latex']}") else None

    return eventually(showing, message=lambda: f"the box shows {shown} instead of the position's event")


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"


def test_lesson_page_answers_with_the_security_headers(page: Any) -> None:
    res = page.request.get("/lesson")
    assert res.status == 200
    headers = res.headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert "/js/lesson/lesson.js\"" in res.text()  # under the static tree's content hash


def test_every_stage_forward_and_back_with_the_keyboard(page: Any, watch: Any) -> None:
    d = open_lesson(page)
    total = int(d["lessonTotal"])
    assert total >= 14
    assert d["lessonStep"] == "1"
    keys_seen = []
    networks = {d["stageKey"]: (d["lessonNetwork"], d["networkId"])}
    for n in range(2, total + 1):
        page.keyboard.press("ArrowRight")
        wait_step(page, n)
        d = lesson(page)
        keys_seen.append(d["stageKey"])
        networks[d["stageKey"]] = (d["lessonNetwork"], d["networkId"])
    page.keyboard.press("ArrowRight")  # past the end: stays
    assert lesson(page)["lessonStep"] == str(total)
    assert "?stage=" + str(total) in page.url
    for n in range(total - 1, 0, -1):
        page.keyboard.press("ArrowLeft")
        wait_step(page, n)
    page.keyboard.press("End")
    wait_step(page, total)
    page.keyboard.press("Home")
    wait_step(page, 1)
    assert keys_seen[:3] == ["notation", "matrix", "loss"]
    assert keys_seen[-1] == "table"
    # Each stage walks on its network: XOR, the half adder where a sum over the nodes above needs two terms, the
    # deep half adder for the deep layers; a network is created once and kept for the session.
    shapes = {key: shape for key, (shape, _) in networks.items()}
    assert {shapes["grad-a"], shapes["reuse"]} == {"2-3-2"} and shapes["deep"] == "2-3-3-2"
    assert {shapes[k] for k in ("overview", "case-one", "case-two", "update", "table")} == {"2-2-1"}
    ids = {shape: {i for s, i in networks.values() if s == shape} for shape in shapes.values()}
    assert all(len(v) == 1 for v in ids.values()), ids
    assert lesson(page)["lessonNetwork"] == "2-2-1" and lesson(page)["networkId"] in ids["2-2-1"]
    assert watch.page_errors == [] and watch.console_errors == []
    assert page.evaluate("window.__csp") == []
    assert watch.foreign_requests == []


def test_the_stages_show_the_traces_own_formulas_and_the_steps_inside_a_stage(page: Any) -> None:
    open_lesson(page, "/lesson?stage=7")
    d = lesson(page)
    assert d["stageKey"] == "output-delta"
    trace = trace_of(page)
    # The lesson starts on the sample with the largest loss, x = (1, 1): every gradient is non-zero.
    assert trace["input"] == [1.0, 1.0]
    assert "largest loss" in page.text_content("#lesson-sample")
    ev = shown_event(page, trace)
    assert (ev["quantity"], ev["l"]) == ("delta", 3)
    assert "(o_{1} - t_{1}) \\cdot a_{1}^{3} \\cdot (1 - a_{1}^{3})" in ev["latex"]
    # Case 1, then the weight gradients: ↓ walks ∂L/∂w_11^3, ∂L/∂w_12^3, ∂L/∂b_1^3; ↑ comes back; ↓ stops at the end.
    page.keyboard.press("ArrowRight")
    wait_key(page, "case-one")
    maths = " ".join(page.eval_on_selector_all("#lesson-formulas annotation", "els => els.map(e => e.textContent)"))
    assert "-(t_{1} - o_{1}) = o_{1} - t_{1}" in maths and "\\Delta w_{11}" in maths
    assert "b_{1}^{3}" in maths and "The lesson's order" in (page.text_content("#lesson-notes") or "")
    page.keyboard.press("ArrowRight")
    wait_key(page, "weight-gradient")
    seen = [shown_event(page, trace)]
    for _ in range(3):
        page.keyboard.press("ArrowDown")
        seen.append(shown_event(page, trace))
    assert [(e["quantity"], e["l"], e["j"], e["i"]) for e in seen] == [
        ("grad_w", 3, 1, 1), ("grad_w", 3, 1, 2), ("grad_b", 3, 1, None), ("grad_b", 3, 1, None)]
    page.keyboard.press("ArrowUp")  # from one past the stage's end, ↑ would show grad_b again
    assert shown_event(page, trace)["quantity"] == "grad_w"
    notes = page.text_content("#lesson-notes") or ""
    assert "On the slide" in notes
    # Case 2, back on XOR: the chain written out equals the reuse form, and the counts are shown.
    open_lesson(page, "/lesson?stage=case-two")
    ev = shown_event(page, trace)
    assert (ev["quantity"], ev["l"], ev["j"], ev["i"]) == ("grad_w", 2, 1, 1)
    maths = page.eval_on_selector_all("#lesson-formulas annotation", "els => els.map(e => e.textContent)")
    value = f"{ev['value']:.6g}"
    assert sum(value in m for m in maths) == 2, (value, maths)
    page.keyboard.press("ArrowRight")
    wait_key(page, "counting")
    rows = page.eval_on_selector_all(".lesson-counts tr[data-net]", "els => els.map(e => e.innerText)")
    assert [r.split()[-2:] for r in rows] == [["30", "14"], ["177,048", "482"]]
    # Under the counts: what they count, and fields where layer sizes give both counts.
    assert "30 against 14 is the XOR network, 2-2-1" in (page.text_content("#lesson-formulas") or "")
    out = "#lesson-counter-out"
    assert page.get_attribute(out, "data-written") == "30" and page.get_attribute(out, "data-reuse") == "14"
    page.fill("#lesson-counter-layers", "2-3-2")
    # 2-3-2: 6 output weights x 1 path x 3 + 6 hidden weights x 2 paths x 6 = 90; 2·2 + 3·(2 + 2) + 12 = 28
    eventually(lambda: page.get_attribute(out, "data-written") == "90", message="the counts of 2-3-2")
    assert page.get_attribute(out, "data-reuse") == "28"
    page.fill("#lesson-counter-layers", "7")
    eventually(lambda: "2 to 12 layer sizes" in (page.text_content(out) or ""), message="a refusal naming the rule")


def test_a_stage_link_opens_that_stage(page: Any) -> None:
    d = open_lesson(page, "/lesson?stage=15")
    assert d["lessonStep"] == "15" and d["stageKey"] == "update"
    assert open_lesson(page, "/lesson?stage=update")["lessonStep"] == "15"
    trace = trace_of(page)
    assert shown_event(page, trace)["phase"] == "update"
    assert open_lesson(page, "/lesson?stage=999")["lessonStep"] == d["lessonTotal"]


def test_projector_mode_makes_the_lesson_text_at_least_24px(browser: Any, base_url: str, shoot: Any) -> None:
    ctx = browser.new_context(base_url=base_url, **PROJECTOR)
    page = ctx.new_page()
    try:
        open_lesson(page, "/lesson?stage=6")
        size = lambda sel: page.eval_on_selector(sel, "e => parseFloat(getComputedStyle(e).fontSize)")  # noqa: E731
        assert size(".lesson-text") < 24
        page.keyboard.press("p")
        page.wait_for_selector("body.projector")
        for sel in (".lesson-text", ".lesson-title", ".lesson-event-head", ".lesson-formula figcaption"):
            assert size(sel) >= 24, sel
        assert "projector=1" in page.url
        settle(page)
        no_sideways_scroll(page)
        shoot(page, "lesson-projector-stage6")
        for n in ("matrix", "weight-gradient", "reuse", "deep", "table"):
            open_lesson(page, f"/lesson?stage={n}&projector=1")
            assert size(".lesson-text") >= 24
            if n == "table":
                page.wait_for_selector("#lesson-worst:not([hidden])", state="attached", timeout=30_000)
            settle(page)
            no_sideways_scroll(page)
            shoot(page, f"lesson-projector-stage{n}")
    finally:
        ctx.close()


PANEL_FIT = """() => {
  const p = document.querySelector('.lesson-panel');
  const shown = (s) => [...document.querySelectorAll(s)].filter((e) => e.checkVisibility());
  const text = shown('.lesson-panel *').filter((e) => !e.childElementCount && e.textContent.trim()
    && !e.closest('.katex'));
  const labels = shown('#network-figure-plot .annotation-text');
  // a box in the panel that scrolls inside itself hides part of the stage as surely as the panel scrolling would
  const inner = shown('.lesson-panel *').filter((e) => ['auto', 'scroll'].includes(getComputedStyle(e).overflowY)
    && e.scrollHeight > e.clientHeight + 1).map((e) => e.id || e.className);
  return {
    scroll: p.scrollHeight, client: p.clientHeight, part: p.dataset.part, inner,
    wide: shown('.lesson-math').filter((e) => e.scrollWidth > e.clientWidth + 1).length,
    katexErrors: document.querySelectorAll('.katex-error').length,
    smallest: Math.min(...text.map((e) => parseFloat(getComputedStyle(e).fontSize))),
    label: Math.min(...labels.map((e) => parseFloat(getComputedStyle(e).fontSize))),
  };
}"""


def test_every_stage_fits_the_projector_in_parts_without_scrolling(browser: Any, base_url: str, shoot: Any) -> None:
    ctx = browser.new_context(base_url=base_url, **PROJECTOR)
    page = ctx.new_page()
    watch = PageWatch(page, base_url)
    try:
        open_lesson(page, "/lesson?projector=1")
        page.wait_for_selector("body.projector")
        total = int(lesson(page)["lessonTotal"])
        seen = 0
        for n in range(1, total + 1):
            wait_step(page, n)
            if lesson(page)["stageKey"] == "table":
                page.wait_for_selector("#lesson-worst:not([hidden])", state="attached", timeout=60_000)
            while True:
                got = page.evaluate(PANEL_FIT)
                what = f"stage {n}, part {got['part']}"
                shoot(page, f"lesson-fit-stage{n}-part{got['part'].replace('/', 'of')}")
                assert got["scroll"] <= got["client"] and not got["inner"], f"{what}: the panel scrolls {got}"
                assert got["wide"] == 0, f"{what}: a formula scrolls sideways inside its box {got}"
                assert got["katexErrors"] == 0, f"{what}: a formula KaTeX could not read"
                assert got["smallest"] >= 18, f"{what}: text of {got['smallest']} px"
                assert got["label"] >= 16, f"{what}: figure labels of {got['label']} px"
                seen += 1
                here, parts = (int(x) for x in got["part"].split("/"))
                if here == parts:
                    break
                next_part(page, here)
            if n < total:
                page.keyboard.press("ArrowRight")
        assert seen > total  # at least one stage needed more than one part
        assert watch.console_errors == [] and watch.page_errors == []
    finally:
        ctx.close()


def test_the_xor_table_is_within_a_tenth_of_the_lectures(page: Any) -> None:
    open_lesson(page, "/lesson?stage=table")
    page.wait_for_selector("#lesson-worst:not([hidden])", timeout=30_000)
    iterations = page.eval_on_selector_all(".lesson-xor tr[data-iteration]", "els => els.map(e => e.dataset.iteration)")
    assert iterations == ["0", "1000", "2000", "3000", "5000", "10000"]
    worst = float(re.search(r"([0-9.]+) over all 24 entries", page.text_content("#lesson-worst") or "").group(1))
    assert worst <= 0.1
    diffs = page.eval_on_selector_all(".xor-diff", "els => els.map(e => e.textContent)")
    assert len(diffs) == 24
    assert max(abs(float(d.replace("−", "-"))) for d in diffs) <= 0.1
    # The lesson's own network is untouched by the table's training.
    net = page.request.get(f"/api/networks/{lesson(page)['networkId']}").json()
    assert net["iteration"] == 0


def test_a_room_follows_the_presenters_stage_live(browser: Any, base_url: str, shoot: Any) -> None:
    presenter_ctx = browser.new_context(base_url=base_url, **LAPTOP)
    student_ctx = browser.new_context(base_url=base_url, **PHONE)
    try:
        presenter = presenter_ctx.new_page()
        open_lesson(presenter, "/lesson?stage=2")
        # The room opens on the main view; its link is shown only once the room holds the lesson, or a student who
        # joins at once would be sent to the main page. The first publish is held to see the link wait for it.
        held: list[Any] = []
        presenter.route("**/api/rooms/*/state", lambda route: held.append(route))
        presenter.click("#lesson-present")

        def published() -> bool:
            presenter.evaluate("0")  # a round trip: the sync API runs route handlers only inside its own calls
            return bool(held)

        eventually(published, message="presenting published no state")
        assert presenter.get_attribute("body", "data-room-code") is None
        held[0].continue_()
        presenter.unroute("**/api/rooms/*/state")
        presenter.wait_for_selector("body[data-room-code]")
        code = presenter.get_attribute("body", "data-room-code")
        # the short join link, the code in large type, and a word that this computer's address reaches no phone
        link = presenter.text_content("#lesson-share-link") or ""
        assert link.endswith(f"/join/{code}")
        assert presenter.text_content("#lesson-share-code") == code
        assert presenter.eval_on_selector("#lesson-share-code", "e => parseFloat(getComputedStyle(e).fontSize)") >= 30
        assert presenter.is_visible("#lesson-share-warning")
        assert "Students cannot reach 127.0.0.1" in (presenter.text_content("#lesson-share-warning") or "")
        opened = presenter.request.get(f"/api/rooms/{code}").json()
        assert (opened["view"], opened["stage"]) == ("lesson", 2)
        presenter.keyboard.press("Escape")
        student = student_ctx.new_page()
        student.goto(link)
        student.wait_for_url(f"**/lesson?room={code}&follow=1", timeout=PAGE_LOAD)
        student.wait_for_selector(READY, timeout=PAGE_LOAD)
        wait_step(student, 2)
        for n in (3, 4, 5):
            presenter.keyboard.press("ArrowRight")
            wait_step(presenter, n)
        wait_step(student, 5)
        for _ in range(4):
            presenter.keyboard.press("ArrowRight")
        wait_step(presenter, 9)
        presenter.keyboard.press("ArrowDown")
        want = lesson(presenter)["position"]
        student.wait_for_function("p => document.getElementById('lesson').dataset.position === p", arg=want,
                                  timeout=10_000)
        assert lesson(student)["lessonStep"] == "9"
        assert lesson(student)["networkId"] == lesson(presenter)["networkId"]
        assert event_tex(student) == event_tex(presenter)
        # The student's keys do not move a followed lesson.
        student.keyboard.press("ArrowRight")  # its keydown handler has run when press() returns
        assert lesson(student)["lessonStep"] == "9"
        # The presenter's next stage walks on the half adder: the student's page switches network with it.
        presenter.keyboard.press("ArrowRight")
        wait_step(student, 10)
        assert lesson(student)["lessonNetwork"] == "2-3-2"
        assert lesson(student)["networkId"] == lesson(presenter)["networkId"]
        presenter.keyboard.press("Home")
        wait_step(student, 1)
        shoot(student, "lesson-follower-phone")
    finally:
        presenter_ctx.close()
        student_ctx.close()


def test_a_student_on_the_join_form_is_taken_to_the_presenters_lesson_under_their_name(
        browser: Any, base_url: str) -> None:
    presenter_ctx = browser.new_context(base_url=base_url, **LAPTOP)
    student_ctx = browser.new_context(base_url=base_url, **PHONE)
    try:
        presenter = presenter_ctx.new_page()
        open_lesson(presenter, "/lesson?stage=3")
        presenter.click("#lesson-present")
        presenter.wait_for_selector("body[data-room-code]")
        code = presenter.get_attribute("body", "data-room-code")
        presenter.keyboard.press("Escape")
        presenter.keyboard.press("ArrowRight")
        wait_step(presenter, 4)
        # The join form, with a name: the server sends the phone to the lesson's follower page in one hop.
        student = student_ctx.new_page()
        student.goto("/join")
        joins: list[tuple[str, int]] = []
        student.on("response", lambda r: f"/join/{code}" in r.url and joins.append((r.url, r.status)))
        student.fill("#join-code", code.lower())
        student.fill("#join-name", "Ada")
        student.click("button[type=submit]")
        student.wait_for_selector("body[data-my-name='Ada']", timeout=PAGE_LOAD)
        student.wait_for_url(f"**/lesson?room={code}&follow=1", timeout=10_000)  # the name is used, then dropped
        student.wait_for_selector(READY, timeout=PAGE_LOAD)
        wait_step(student, 4)
        assert joins == [(f"{base_url}/join/{code}?name=Ada", 303)]  # never the main follower page
    finally:
        presenter_ctx.close()
        student_ctx.close()


@pytest.mark.parametrize(("name", "size"), [("phone", PHONE), ("tablet", TABLET), ("laptop", LAPTOP), ("wide", WIDE)])
def test_the_lesson_reads_well_at_the_classs_sizes(browser: Any, base_url: str, shoot: Any, name: str,
                                                   size: dict[str, Any]) -> None:
    ctx = browser.new_context(base_url=base_url, **size)
    page = ctx.new_page()
    try:
        for n in ("notation", "closed-form", "grad-a", "reuse", "deep", "table"):
            open_lesson(page, f"/lesson?stage={n}")
            if n == "table":
                page.wait_for_selector("#lesson-worst:not([hidden])", timeout=30_000)
            settle(page)
            no_sideways_scroll(page)
            for sel in ("#lesson-prev", "#lesson-next"):
                box = page.locator(sel).bounding_box()
                assert box and box["height"] >= 44, (sel, box)
            covered = page.evaluate(UNCOVERED, ["#lesson-prev", "#lesson-next", ".lesson-dot"])
            assert not covered, f"{name}, stage {n}: {covered}"  # 19 stage dots fit between Back and Next
            # The callouts stay inside the figure.
            fig = page.locator("#network-figure").bounding_box()
            for c in page.locator(".callout").all():
                b = c.bounding_box()
                assert b and b["x"] >= fig["x"] - 1 and b["x"] + b["width"] <= fig["x"] + fig["width"] + 1
            shoot(page, f"lesson-{name}-stage{n}")
        if name == "phone":
            assert page.is_disabled("#lesson-next")  # the last stage
            total = int(lesson(page)["lessonTotal"])
            page.tap("#lesson-prev")
            wait_step(page, total - 1)
            page.tap("#lesson-next")
            wait_step(page, total)
    finally:
        ctx.close()


def test_the_main_page_opens_on_a_sample_whose_gradients_are_not_all_zero(page: Any) -> None:
    page.goto("/")
    page.wait_for_selector(READY, timeout=PAGE_LOAD)
    page.wait_for_function("() => new URLSearchParams(location.search).get('sample') !== null")
    query = dict(p.split("=", 1) for p in page.url.split("?", 1)[1].split("&"))
    assert query["sample"] == "3"  # x = (1, 1): no input is 0, so no weight's gradient is 0 for lack of input
    assert "x = (1, 1)" in (page.text_content("#messages") or "")
    trace = page.request.post(f"/api/networks/{query['net']}/trace", data={"sample": 3}).json()
    grads = [e["value"] for e in trace["events"] if e["quantity"] in ("grad_w", "grad_b")]
    assert len(grads) == 9 and all(g != 0 for g in grads)
