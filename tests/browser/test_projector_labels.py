"""The figure on a 1280 x 720 projector while sharing, in real Chromium: at every step of the XOR walk-through the
top bar stays one row, and every weight and bias label that has a value to show is there, over no other label and
no edge it does not belong to (a bias on an edge, or a weight on another layer's edge, would read as that weight)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import settle
from tests.browser.figure_check import label_problems, read_figure
from tests.browser.test_page import get_trace, open_app, press, share_room, wait_position

pytestmark = pytest.mark.browser

LAYERS = [2, 2, 1]
# Every direct child of the top bar that shows, and whether its vertical middle lies inside the first one's band.
ONE_ROW = """() => {
  const items = [...document.querySelectorAll('.topbar > *, .top-actions > *')]
    .filter((e) => e.offsetParent && getComputedStyle(e).display !== 'contents' && !e.classList.contains('top-actions'))
    .map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0);
  const mids = items.map((r) => (r.top + r.bottom) / 2);
  return items.every((r) => mids.every((m) => m >= r.top && m <= r.bottom));
}"""


def wanted(events: list[dict[str, Any]], p: int) -> tuple[set[tuple[int, int, int]], set[tuple[int, int]]]:
    """The weights and biases that have a value to show at position p: all of them, but in the backward phase
    only the gradients computed so far (models/figure-labels.js)."""
    weights = {(l, j, i) for l in range(2, len(LAYERS) + 1) for j in range(1, LAYERS[l - 1] + 1)
               for i in range(1, LAYERS[l - 2] + 1)}
    biases = {(l, j) for l in range(2, len(LAYERS) + 1) for j in range(1, LAYERS[l - 1] + 1)}
    if p and events[p - 1]["phase"] == "backward":
        weights = {(e["l"], e["j"], e["i"]) for e in events[:p] if e["quantity"] == "grad_w"}
        biases = {(e["l"], e["j"]) for e in events[:p] if e["quantity"] == "grad_b"}
    return weights, biases


def test_every_label_shows_clear_at_every_step_on_a_sharing_projector(page: Any, shoot: Any) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    net = open_app(page, "/?projector=1")
    share_room(page)
    page.wait_for_selector("#room-badge:not([hidden])")
    events = get_trace(page, net)["events"]
    for p in range(len(events) + 1):
        if p:
            press(page, "ArrowRight")
        wait_position(page, p)
        settle(page)
        assert page.evaluate(ONE_ROW), f"step {p}: the top bar wraps to a second row"
        weights, biases = wanted(events, p)
        problems = label_problems(read_figure(page, LAYERS), weights, biases)
        if problems or p in (0, 11, 24, 35):
            shoot(page, f"projector-labels-{p}")
        assert not problems, f"step {p}: {problems}"
