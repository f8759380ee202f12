"""The operation graph and the nudge on the main page in a real Chromium: the graph follows the walk-through with
the server's numbers, the nudge shows /nudge's answer and its curve, and both fit the five screens (no sideways
scroll, no text cut or covered, 24 px text in projector mode, no console error)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.browser.conftest import SCREENSHOTS, settle
from tests.browser.test_lesson import PANEL_FIT, next_part

# the screen tests' contexts (one per size) and XOR network are fixtures: imported, pytest uses them here too
from tests.browser.test_screens import SIZES, assert_clean, contexts, main_url, open_main, xor  # noqa: F401

pytestmark = pytest.mark.browser
STEP = 13  # XOR's trace: 8 forward events, the loss, then ∂L/∂a^3, δ^3, ∂L/∂w^3_11, ∂L/∂w^3_12 (the 13th)

PROJECTOR_FONTS = r"""
() => {
  const px = (el) => parseFloat(getComputedStyle(el).fontSize);
  const shown = (s) => [...document.querySelectorAll(s)].filter((e) => e.checkVisibility() && e.textContent.trim());
  const all = shown('#ops .btn, #ops .op-kind, #ops .katex, #ops .hint, #ops h3, #ops th, #ops td, #ops label');
  return all.length ? Math.min(...all.map(px)) : null;
}
"""


# The nudge plot's ℒ: each SVG text that writes it, and whether it reads upright (no rotation on screen).
UPRIGHT = """() => [...document.querySelectorAll('#nudge-chart svg text')].filter((t) => t.textContent.trim() === 'ℒ')
  .map((t) => { const m = t.getScreenCTM(); return Math.abs(m.b) < 1e-6 && m.a > 0; })"""


def loss_title_upright(page: Any, what: str) -> None:
    upright = page.evaluate(UPRIGHT)
    assert upright and all(upright), f"{what}: the nudge plot's ℒ is missing or turned on its side ({upright})"


def open_graph(page: Any) -> None:
    page.click("#btn-ops-graph")
    page.wait_for_selector("#op-graph-list .op-row.current .katex", timeout=30_000)
    settle(page)


def open_nudge(page: Any) -> None:
    page.click("#btn-ops-nudge")
    page.wait_for_selector("#nudge-chart[data-drawn] .main-svg", timeout=30_000)
    page.wait_for_selector("#nudge-table tr")
    settle(page)


def test_the_graph_follows_the_walk_through_with_the_servers_numbers(
    contexts: dict[str, Any], base_url: str  # noqa: F811
) -> None:
    net = httpx.post(f"{base_url}/api/networks", json={"preset": "xor"}).json()
    page = open_main(contexts["laptop"], main_url(net["id"], STEP, "laptop"))
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    open_graph(page)
    nodes = httpx.post(f"{base_url}/api/networks/{net['id']}/graph", json={"sample": 0}).json()["nodes"]
    current = page.eval_on_selector("#op-graph-list .op-row.current", "e => Number(e.dataset.opId)")
    node = nodes[current]
    # step 13 is ∂L/∂w_12^3: the weight's node, its gradient by the chain rule on screen
    assert (node["op"], node["l"], node["j"], node["i"]) == ("weight", 3, 1, 2)
    text = page.inner_text("#op-graph-list .op-row.current")
    assert f"{node['grad']:.3f}".replace("-", "−") in text.replace("-", "−"), text
    assert "local × upstream" in page.inner_text("#op-graph-rule")
    # ∂L/∂b^3 is the next step: not shown yet (Predict keeps it hidden); the next step shows it, highlighted
    assert "?" in page.inner_text("#op-graph-list .op-row.op-bias .op-grad")
    page.click("#btn-next")
    page.wait_for_function("() => document.querySelector('#op-graph-list .op-row.current.op-bias') !== null")
    assert "?" not in page.inner_text("#op-graph-list .op-row.op-bias .op-grad")
    # the whole layer, one layer at a time
    page.click("#op-scope-layer")
    page.wait_for_selector("#op-layer-nav:not([hidden])")
    assert page.inner_text("#op-layer-label") == "layer 3 of 3"
    page.click("#op-layer-prev")
    page.wait_for_function("() => document.getElementById('op-layer-label').textContent === 'layer 2 of 3'")
    assert page.eval_on_selector_all("#op-graph-list .op-node", "ns => ns.length") == 2
    assert console == []
    page.close()


def test_the_nudge_shows_the_servers_answer(contexts: dict[str, Any], base_url: str) -> None:  # noqa: F811
    net = httpx.post(f"{base_url}/api/networks", json={"preset": "xor"}).json()
    page = open_main(contexts["laptop"], main_url(net["id"], 0, "laptop"))
    open_nudge(page)
    page.select_option("#nudge-param", "w:2:1:2")
    page.locator("#nudge-eps").fill("0.5")
    page.wait_for_function("() => document.getElementById('nudge-card').dataset.epsilon === '0.5'")
    page.wait_for_function("() => document.getElementById('nudge-chart').dataset.drawn === 'w:2:1:2'")
    want = httpx.post(f"{base_url}/api/networks/{net['id']}/nudge",
                      json={"l": 2, "j": 1, "i": 2, "epsilon": 0.5, "sample": 0}).json()
    cells = page.eval_on_selector_all("#nudge-table td", "ts => ts.map(t => t.textContent)")
    assert cells[0] == f"{want['loss_before']:.6f}".replace("-", "−")
    assert cells[1] == f"{want['loss_after']:.6f}".replace("-", "−")
    assert cells[3] == f"{want['predicted']:.6f}".replace("-", "−")
    # the network is not changed by nudging
    assert httpx.get(f"{base_url}/api/networks/{net['id']}").json()["weights"] == net["weights"]
    page.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_graph_and_nudge_fit_every_screen(
    contexts: dict[str, Any], xor: dict[str, Any], size: str  # noqa: F811
) -> None:
    page = open_main(contexts[size], main_url(xor["id"], STEP, size))
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    open_graph(page)
    page.locator("#ops").scroll_into_view_if_needed()
    settle(page)
    page.screenshot(path=str(SCREENSHOTS / f"op-graph-{size}.png"))
    assert_clean(page, f"operation graph, {size}")
    if size == "projector":
        px = page.evaluate(PROJECTOR_FONTS)
        assert px is not None and px >= 24, f"operation graph text is {px} px in projector mode"
    open_nudge(page)
    page.locator("#nudge-card").scroll_into_view_if_needed()
    settle(page)
    page.screenshot(path=str(SCREENSHOTS / f"nudge-{size}.png"))
    loss_title_upright(page, f"nudge, {size}")
    assert_clean(page, f"nudge, {size}")
    if size == "projector":
        px = page.evaluate(PROJECTOR_FONTS)
        assert px is not None and px >= 24, f"nudge text is {px} px in projector mode"
    assert page.errors == [] and console == []
    page.close()


# ---- the lesson's two stages -----------------------------------------------------------------------------------

def open_stage(ctx: Any, key: str, size: str) -> Any:
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"/lesson?stage={key}" + ("&projector=1" if size == "projector" else ""))
    page.wait_for_selector("body[data-ready='true']", timeout=60_000)
    page.errors = errors
    return page


def turn_to(page: Any, selector: str) -> None:
    """In projector mode a long stage shows in parts: → turns to the part that holds `selector`."""
    for _ in range(6):
        if page.locator(selector).is_visible():
            return
        part = page.eval_on_selector(".lesson-panel", "e => e.dataset.part || ''")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("p => (document.querySelector('.lesson-panel').dataset.part || '') !== p", arg=part)
    assert page.locator(selector).is_visible(), f"{selector} is on no part of the stage"


def parts_fit(page: Any, what: str) -> None:
    """From the stage's first part to its last on a projector: neither the panel nor any box in it scrolls, and the
    graph's or the nudge's text on each part is 24 px or more."""
    settle(page)
    sizes = []
    while True:
        fit = page.evaluate(PANEL_FIT)
        where = f"{what}, part {fit['part']}"
        page.screenshot(path=str(SCREENSHOTS / f"{what.replace(' ', '-')}-part{fit['part'].replace('/', 'of')}.png"))
        assert fit["scroll"] <= fit["client"] and not fit["inner"], f"{where} scrolls inside: {fit}"
        assert fit["wide"] == 0 and fit["katexErrors"] == 0, f"{where}: {fit}"
        px = page.evaluate(PROJECTOR_FONTS)
        assert px is None or px >= 24, f"{where}: text of {px} px"
        sizes.append(px)
        here, parts = (int(x) for x in fit["part"].split("/"))
        if here == parts:
            assert any(sizes), f"{what}: no part shows the graph or the nudge"
            return
        next_part(page, here)
        settle(page)


def chart_fits(page: Any, what: str) -> None:
    """The nudge's plot as wide as its box (a plot drawn while hidden takes Plotly's default width)."""
    box, svg = page.eval_on_selector(
        "#nudge-chart", "e => [e.clientWidth, e.querySelector('.main-svg').getBoundingClientRect().width]")
    assert abs(svg - box) <= 2, f"{what}: the nudge's plot is {svg} px wide in a box of {box} px"


@pytest.mark.parametrize("size", list(SIZES))
def test_the_lessons_nudge_and_graph_stages(contexts: dict[str, Any], size: str) -> None:  # noqa: F811
    page = open_stage(contexts[size], "nudge", size)
    page.wait_for_selector("#nudge-card:not([hidden]) #nudge-chart[data-drawn] .main-svg", state="attached",
                           timeout=30_000)
    if size == "projector":
        parts_fit(page, "lesson nudge")
        page.goto("/lesson?stage=nudge&projector=1")
        page.wait_for_selector("#nudge-card:not([hidden]) #nudge-chart[data-drawn] .main-svg", state="attached",
                               timeout=30_000)
    turn_to(page, "#nudge-chart")
    page.wait_for_selector("#nudge-table tr", state="attached")  # on a projector the table may be a part before
    # first with the lesson's numbers: the output layer's first weight
    assert page.eval_on_selector("#nudge-chart", "e => e.dataset.drawn") == "w:3:1:1"
    assert page.locator("#lesson").get_attribute("data-stage-key") == "nudge"
    assert page.is_hidden("#op-graph-card") and page.is_hidden(".ops-tabs") is True
    page.locator("#nudge-card").scroll_into_view_if_needed()
    settle(page)
    page.screenshot(path=str(SCREENSHOTS / f"lesson-nudge-{size}.png"))
    chart_fits(page, f"lesson nudge, {size}")
    loss_title_upright(page, f"lesson nudge, {size}")
    assert_clean(page, f"lesson nudge, {size}")
    if size == "projector":  # the plot's part may hold no other text of the nudge: parts_fit measured every part
        px = page.evaluate(PROJECTOR_FONTS)
        assert px is None or px >= 24, f"lesson nudge text is {px} px in projector mode"
    # the graph stage: a hidden activation read by both outputs, its gradient a sum of two terms
    page.goto("/lesson?stage=graph" + ("&projector=1" if size == "projector" else ""))
    page.wait_for_selector("body[data-ready='true']", timeout=60_000)
    page.wait_for_selector("#op-graph-card:not([hidden]) .op-row.current .katex", state="attached", timeout=30_000)
    if size == "projector":
        parts_fit(page, "lesson graph")
        page.goto("/lesson?stage=graph&projector=1")
        page.wait_for_selector("#op-graph-card:not([hidden]) .op-row.current .katex", state="attached",
                               timeout=30_000)
    turn_to(page, "#op-graph-list")
    assert page.locator("#lesson").get_attribute("data-stage-key") == "graph"
    assert page.is_hidden("#nudge-card")
    assert "summed where branches meet" in page.inner_text("#op-graph-rule")
    before = page.eval_on_selector("#op-graph-list .op-row.current", "e => e.dataset.opId")
    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "b => { const e = document.querySelector('#op-graph-list .op-row.current');"
        " return e && e.dataset.opId !== b; }",
        arg=before,
    )
    page.locator("#op-graph-card").scroll_into_view_if_needed()
    settle(page)
    page.screenshot(path=str(SCREENSHOTS / f"lesson-graph-{size}.png"))
    assert_clean(page, f"lesson graph, {size}")
    if size == "projector":
        px = page.evaluate(PROJECTOR_FONTS)
        assert px is not None and px >= 24, f"lesson graph text is {px} px in projector mode"
    assert page.errors == []
    page.close()
