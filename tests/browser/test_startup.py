"""What the pages load before their first drawing, and what they load after it: KaTeX, the insights and the quiz
come once the network is on screen, and the math shown before KaTeX arrived is typeset when it does."""

from __future__ import annotations

from typing import Any

import pytest

from bench.page import DRAWN_PROBE  # when the figure first carries Plotly's output, as the bench sees it
from tests.chromium import PAGE_LOAD

pytestmark = pytest.mark.browser

# every script the page fetched, with whether it had arrived before the figure was drawn
SCRIPTS_JS = """() => performance.getEntriesByType('resource')
  .filter(e => /\\.js$/.test(e.name.split('?')[0]))
  .map(e => [new URL(e.name).pathname, e.responseEnd <= window.__drawnAt])"""
# the modules fetched before the drawing because a module imported them, not a <link rel=modulepreload> ("other")
UNPRELOADED_JS = """() => performance.getEntriesByType('resource')
  .filter(e => /\\/js\\/.*\\.js$/.test(e.name) && e.responseEnd <= window.__drawnAt && e.initiatorType === 'script')
  .map(e => new URL(e.name).pathname)"""
LATER = ("katex.min.js", "/js/main-later.js", "/js/controllers/insights.js", "/js/controllers/quiz.js",
         "/js/views/landscape.js", "/js/views/gradcheck.js")


def scripts(page: Any) -> dict[str, bool]:
    return {path: before for path, before in page.evaluate(SCRIPTS_JS)}


def loaded_before_draw(got: dict[str, bool], name: str) -> bool:
    return any(path.endswith(name) and before for path, before in got.items())


def loaded(got: dict[str, bool], name: str) -> bool:
    return any(path.endswith(name) for path in got)


def test_the_main_page_draws_before_it_loads_katex_the_insights_and_the_quiz(page: Any, watch: Any) -> None:
    page.add_init_script(DRAWN_PROBE)
    page.goto("/")
    page.wait_for_selector("body[data-ready=true]", timeout=PAGE_LOAD)
    # the formula panel was written before KaTeX came: it is typeset now, not left as LaTeX source
    page.wait_for_selector("#formula-math .katex", timeout=10_000)
    assert "\\text" not in page.inner_text("#formula-math")
    # the insights were built from their late module: the optimizer picker lists the server's rules
    page.wait_for_function("() => document.querySelectorAll('#opt-select option').length >= 3", timeout=10_000)
    got = scripts(page)
    assert page.evaluate("window.__drawnAt") is not None
    assert loaded_before_draw(got, "plotly.min.js") and loaded_before_draw(got, "/js/main.js")
    for name in LATER:
        assert loaded(got, name), f"{name} was never loaded: {sorted(got)}"
        assert not loaded_before_draw(got, name), f"{name} was loaded before the first drawing"
    # the preloads are main.js's whole static import graph: no module waits for its importer to be parsed
    assert page.evaluate(UNPRELOADED_JS) == []
    assert watch.console_errors == [] and watch.page_errors == []


def test_stepping_before_and_after_katex_arrives_shows_typeset_math(page: Any) -> None:
    page.goto("/")
    page.wait_for_selector("body[data-ready=true]", timeout=PAGE_LOAD)
    for _ in range(3):  # to z_1^2, which reads the inputs
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.getElementById('network-figure').dataset.position === '3'")
    page.wait_for_selector("#formula-math .katex")
    page.wait_for_selector("#formula-history .katex")
    assert page.evaluate("document.querySelectorAll('#formula-deps .dep-chip .katex').length") >= 1


def test_the_follower_page_draws_before_it_loads_katex(page: Any, watch: Any, base_url: str) -> None:
    net = page.request.post(f"{base_url}/api/networks", data={"preset": "xor", "protected": True}).json()
    room = page.request.post(f"{base_url}/api/rooms", data={"network_id": net["id"]},
                             headers={"Authorization": f"Bearer {net['token']}"}).json()
    page.add_init_script(DRAWN_PROBE)
    page.goto(f"/join/{room['code']}")
    page.wait_for_function("() => window.__drawnAt !== null", timeout=PAGE_LOAD)
    page.wait_for_function("() => !!window.katex", timeout=10_000)
    got = scripts(page)
    assert loaded(got, "katex.min.js") and not loaded_before_draw(got, "katex.min.js")
    assert watch.console_errors == [] and watch.page_errors == []
