"""The presenter's question panel on a 1280 x 720 projector, in real Chromium: its histogram writes every value of
its axis whole and large enough for the back row, and in the lesson it never covers the stage navigation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import UNCOVERED, settle
from tests.browser.test_lesson import PROJECTOR
from tests.browser.test_op_graph import turn_to
from tests.browser.test_page import open_app, press, share_room, wait_position
from tests.browser.test_screens import assert_clean
from tests.chromium import PAGE_LOAD

pytestmark = pytest.mark.browser

# Every axis label of the presenter's histogram: its text, size, box, and the box of the histogram around it.
AXIS = """() => {
  const host = document.getElementById('quiz-histogram').getBoundingClientRect();
  return [...document.querySelectorAll('#quiz-histogram .quiz-bar-label')].filter((e) => e.textContent).map((e) => {
    const r = document.createRange();
    r.selectNodeContents(e);
    const ink = r.getBoundingClientRect();
    return { text: e.textContent, px: parseFloat(getComputedStyle(e).fontSize), whole: e.scrollWidth <= e.clientWidth,
             box: [ink.left, ink.top, ink.right, ink.bottom], host: [host.left, host.right] };
  });
}"""


def _axis_fits(page: Any, what: str) -> list[str]:
    labels = page.evaluate(AXIS)
    assert len(labels) >= 3, f"{what}: {labels}"
    for n, a in enumerate(labels):
        assert a["px"] >= 24, f"{what}: the label {a['text']!r} is {a['px']} px"
        assert a["whole"], f"{what}: the label {a['text']!r} is cut by its box"
        assert a["host"][0] - 1 <= a["box"][0] and a["box"][2] <= a["host"][1] + 1, f"{what}: {a} leaves the histogram"
        for b in labels[n + 1:]:
            p, q = a["box"], b["box"]
            apart = min(p[2], q[2]) <= max(p[0], q[0]) or min(p[3], q[3]) <= max(p[1], q[1])
            assert apart, f"{what}: the labels {a['text']!r} and {b['text']!r} run into each other"
    assert_clean(page, what)
    return [a["text"] for a in labels]


def test_the_question_histogram_writes_its_axis_whole_on_the_projector(page: Any, shoot: Any) -> None:
    page.set_viewport_size(PROJECTOR["viewport"])
    open_app(page, "/?projector=1")
    code = share_room(page)
    press(page, "ArrowRight", 2)
    wait_position(page, 2)
    page.click("#btn-ask-class")
    page.wait_for_selector("#quiz-panel[data-state='open']")
    question = page.request.get(f"/api/rooms/{code}").json()["question"]
    # answers far on both sides of most: after the reveal the histogram has its "less" and "more" bars
    for n, value in enumerate([0.51, 0.55, 0.6, 0.72, 0.3, -0.4, 0.56, 0.58, 1.5, 0.49]):
        student = page.request.post(f"/api/rooms/{code}/followers", data={"name": f"Student {n}"}).json()
        r = page.request.post(f"/api/rooms/{code}/questions/{question['id']}/answers", data={"value": value},
                              headers={"Authorization": f"Bearer {student['token']}"})
        assert r.status == 204, r.text()
    page.wait_for_selector("#quiz-panel[data-answers='10']", timeout=10_000)
    settle(page)
    shoot(page, "projector-question-histogram-open")
    assert _axis_fits(page, "the histogram before the reveal") == ["−0.4", "0.55", "1.5"]
    page.click("#quiz-reveal")
    page.wait_for_selector("#quiz-panel[data-state='revealed']")
    settle(page)
    shoot(page, "projector-question-histogram-revealed")
    texts = _axis_fits(page, "the histogram after the reveal")
    assert texts[0] == "less" and texts[-1] == "more" and "±10%" in texts, texts


def test_the_lesson_question_leaves_the_stage_navigation_in_view(page: Any, shoot: Any) -> None:
    page.set_viewport_size(PROJECTOR["viewport"])
    page.goto("/lesson?stage=grad-a&projector=1")
    page.wait_for_selector("body[data-ready='true'].projector", timeout=PAGE_LOAD)
    page.click("#lesson-present")
    page.wait_for_selector("body[data-room-code]")
    page.keyboard.press("Escape")
    turn_to(page, "#lesson-ask")
    page.click("#lesson-ask")
    page.wait_for_selector("#quiz-panel[data-state='open']")
    settle(page)
    shoot(page, "projector-lesson-question-open")
    covered = page.evaluate(UNCOVERED, ["#lesson-prev", "#lesson-next", ".lesson-dot", "#quiz-panel .btn"])
    assert not covered, covered
    panel = page.locator("#quiz-panel").bounding_box()
    assert panel is not None and panel["y"] >= 0 and panel["y"] + panel["height"] <= 720, panel
