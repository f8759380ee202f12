"""The guided lesson's deeper stages in a real Chromium against the real server: a hidden δ on the half adder and on
the deep half adder written with every term and its numbers, the δ it reads ringed on the figure; the live table's
slider moving the figure's weights and the table together, batch against online; and every stage at 390 × 844
without sideways scrolling or unreadable formulas."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PageWatch, settle
from tests.browser.test_lesson import PHONE, lesson, no_sideways_scroll, open_lesson, shown_event, trace_of, wait_step
from tests.support import eventually

pytestmark = pytest.mark.browser


def tex_num(v: float) -> str:
    """A number as the lesson writes a factor: four decimals, a negative one in parentheses with a minus."""
    text = f"{v:.4f}"
    return f"({text})" if v < 0 else text


def formulas_tex(page: Any) -> str:
    return " ".join(page.eval_on_selector_all("#lesson-formulas annotation", "els => els.map(e => e.textContent)"))


def test_a_hidden_delta_shows_every_term_it_sums_with_its_numbers(page: Any) -> None:
    d = open_lesson(page, "/lesson?stage=reuse")
    assert d["lessonNetwork"] == "2-3-2"
    net = page.request.get(f"/api/networks/{d['networkId']}").json()
    trace = trace_of(page)
    deltas = {(e["l"], e["j"]): e["value"] for e in trace["events"] if e["quantity"] == "delta"}
    for j in (1, 2):
        ev = shown_event(page, trace)
        assert (ev["quantity"], ev["l"], ev["j"]) == ("delta", 2, j)
        maths = formulas_tex(page)
        assert f"w_{{1{j}}}^{{3}}\\,\\delta_{{1}}^{{3}} + w_{{2{j}}}^{{3}}\\,\\delta_{{2}}^{{3}}" in maths, maths
        for k in (1, 2):  # both terms, each weight times its δ with the numbers
            term = f"{tex_num(net['weights'][1][k - 1][j - 1])} \\cdot {tex_num(deltas[(3, k)])}"
            assert term in maths, (term, maths)
        assert f"= {deltas[(2, j)]:.4f}" in maths
        # the figure rings both output δ the hidden δ reads, with their numbers
        assert page.locator(".callout-ring").count() == 2
        labels = " ".join(page.eval_on_selector_all(".callout-reused annotation", "els => els.map(e => e.textContent)"))
        assert all(f"{deltas[(3, k)]:.4f}" in labels for k in (1, 2)), labels
        page.keyboard.press("ArrowDown")
    # The deep layers: a δ of the first hidden layer reads all three δ of the layer above it.
    d = open_lesson(page, "/lesson?stage=deep")
    assert d["lessonNetwork"] == "2-3-3-2"
    trace = trace_of(page)
    assert shown_event(page, trace)["l"] == 3 and page.locator(".callout-ring").count() == 2
    while not (shown_event(page, trace)["quantity"] == "delta" and shown_event(page, trace)["l"] == 2):
        page.keyboard.press("ArrowDown")
    eventually(lambda: page.locator(".callout-ring").count() == 3, message="three δ of layer 3 ringed")
    assert "w_{31}^{3}\\,\\delta_{3}^{3}" in formulas_tex(page)
    notes = page.eval_on_selector_all("#lesson-notes annotation", "els => els.map(e => e.textContent)")
    assert any("net_{nj}" in n for n in notes), notes


def test_every_stage_reads_on_a_phone_without_sideways_scrolling(browser: Any, base_url: str, shoot: Any) -> None:
    ctx = browser.new_context(base_url=base_url, **PHONE)
    page = ctx.new_page()
    watch = PageWatch(page, base_url)
    try:
        open_lesson(page)
        total = int(lesson(page)["lessonTotal"])
        for n in range(1, total + 1):
            wait_step(page, n)
            settle(page)
            no_sideways_scroll(page)
            assert page.locator(".katex-error").count() == 0, lesson(page)["stageKey"]
            wide = page.evaluate("""() => [...document.querySelectorAll('.lesson-math')]
              .filter((e) => e.checkVisibility() && e.scrollWidth > e.clientWidth + 1)
              .map((e) => e.querySelector('annotation')?.textContent.slice(0, 80))""")
            assert wide == [], f"stage {n}: formulas scroll sideways inside their box: {wide}"
            shoot(page, f"lesson-phone-all-stage{n}")
            if n < total:
                page.tap("#lesson-next")
        assert watch.console_errors == [] and watch.page_errors == []
    finally:
        ctx.close()


def edges_drawn(page: Any) -> list[str]:
    """The figure's edges as drawn: each one's colour and width, which follow its weight."""
    return page.eval_on_selector_all(
        "#network-figure-edges path, #network-figure-edges line",
        "els => els.map(e => `${e.style.cssText}|${e.getAttribute('d')}`)")


def test_the_live_tables_slider_moves_the_figures_weights_and_the_table_together(page: Any) -> None:
    d = open_lesson(page, "/lesson?stage=table")
    assert d["lessonNetwork"] == "2-2-1"
    page.wait_for_selector("#lesson-live-slider:not([disabled])", timeout=60_000)
    page.wait_for_selector("#lesson-worst:not([hidden])", state="attached")
    start_edges = edges_drawn(page)
    start = page.eval_on_selector_all(".live-o", "els => els.map(e => Number(e.dataset.value))")
    page.fill("#lesson-live-slider", "50")  # iteration 5,000
    eventually(lambda: page.get_attribute("#lesson-table", "data-iteration") == "5000", message="slider at 5,000")
    later = page.eval_on_selector_all(".live-o", "els => els.map(e => Number(e.dataset.value))")
    # The run the page shows is the server's: the same request is answered from its cache, once per class.
    body = {"iterations": 10000, "mode": "batch", "record_every": 100, "store": False, "record_weights": True}
    res = page.request.post(f"/api/networks/{d['networkId']}/train", data=body)
    assert res.status == 200 and res.headers["x-cache"] == "hit"
    snap = next(s for s in res.json()["snapshots"] if s["iteration"] == 5000)
    assert later == [o[0] for o in snap["outputs"]] and later != start
    assert [float(v) for v in page.eval_on_selector_all(".live-ref", "els => els.map(e => e.textContent)")] == \
        [0.05, 0.96, 0.96, 0.03]  # the lecture's row at 5,000
    eventually(lambda: edges_drawn(page) != start_edges, message="the figure's edges follow the slider's weights")
    # Online from the same start: another run, another curve, other outputs at the same iteration.
    page.click(".live-mode[data-mode=online]")
    eventually(lambda: page.get_attribute("#lesson-table", "data-mode") == "online", message="online mode")
    page.wait_for_selector("#lesson-live-slider:not([disabled])", timeout=60_000)
    eventually(lambda: page.get_attribute("#lesson-table", "data-iteration") == "5000", message="online at 5,000")
    online = page.eval_on_selector_all(".live-o", "els => els.map(e => Number(e.dataset.value))")
    assert online != later
    assert page.locator(".live-online").count() == 1 and page.locator(".live-batch").count() == 1
    net = page.request.get(f"/api/networks/{d['networkId']}").json()
    assert net["iteration"] == 0  # the lesson's own network is never trained
