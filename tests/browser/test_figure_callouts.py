"""The lesson's callouts on the figure in real Chromium, on a phone (390 x 844, touch) and a 1280 x 720 projector:
in every stage with callouts (the notation's names, the backward stages' δ) each callout sits over no label of the
figure (a node's value, a weight's or a bias's gradient) and no other callout, at every computation of the stage."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import SCREENSHOTS, settle
from tests.browser.figure_check import label_problems, read_figure
from tests.browser.test_lesson import lesson
from tests.browser.test_screens import SIZES

pytestmark = pytest.mark.browser

STAGES = ("notation", "grad-a", "reuse", "deep")  # every stage that pins callouts to the figure
STEPS = 6  # computations walked with ↓ in each stage
STEPS_ON = """() => { const b = document.getElementById('lesson-step-next');
  return !b.disabled && !b.closest('[hidden]'); }"""


@pytest.mark.parametrize("size", ["phone", "projector"])
def test_callouts_sit_over_no_label_of_the_figure(browser: Any, base_url: str, size: str) -> None:
    ctx = browser.new_context(base_url=base_url, **SIZES[size])
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        for stage in STAGES:
            page.goto(f"/lesson?stage={stage}" + ("&projector=1" if size == "projector" else ""))
            page.wait_for_selector("body[data-ready='true'] #network-figure .lesson-callouts .callout .katex",
                                   timeout=30_000)
            layers = page.request.get(f"/api/networks/{lesson(page)['networkId']}").json()["layers"]
            for n in range(STEPS):
                settle(page)
                figure = read_figure(page, layers)
                assert any(lb["kind"] == "callout" for lb in figure["labels"]), f"{stage}: no callout read"
                problems = [p for p in label_problems(figure, set(), set()) if "callout" in p]
                if problems or n == 0:
                    page.locator("#network-figure").screenshot(
                        path=str(SCREENSHOTS / f"callouts-{size}-{stage}-{n}.png"))
                assert not problems, f"{size}, {stage}, computation {n + 1}: {problems}"
                # ↓ steps on while the stage has a computation after this one (its ↓ button, maybe on another part)
                if not page.evaluate(STEPS_ON):
                    break
                position = lesson(page)["position"]
                page.keyboard.press("ArrowDown")
                page.wait_for_function("p => document.getElementById('lesson').dataset.position !== p",
                                       arg=position, timeout=10_000)
        assert errors == []
    finally:
        ctx.close()
