"""A whole class in real Chromium: the presenter at 1280 x 720 in projector mode and three phones (390 x 844,
touch). Two questions, one revealed and one closed; at every moment no screen shows an asked value before its
reveal, no formula fails to typeset, no page logs an error, and answers after the close get 409. Then the projector
walks every step of the XOR walk-through and every stage of the lesson: every number a figure label writes is the
engine's at the precision shown, nothing covers the formula, the phase buttons or the player, no stage scrolls.
Last, a class through the newer views: a question asked inside a presented lesson (held stepping, no phone shows
the value before Reveal), the live table's slider, and the operation graph and the nudge on the projected main
page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import UNCOVERED, settle
from tests.browser.figure_check import read_figure, value_problems
from tests.browser.test_lesson import PANEL_FIT, lesson, next_part, trace_of, wait_step
from tests.browser.test_lesson_sums import edges_drawn
from tests.browser.test_op_graph import PROJECTOR_FONTS, open_graph, open_nudge, turn_to
from tests.browser.test_page import get_trace, open_app, press, query, share_room, wait_position
from tests.browser.test_quiz import PHONE
from tests.browser.test_screens import assert_clean
from tests.chromium import PAGE_LOAD
from tests.support import eventually

pytestmark = pytest.mark.browser

PHONES = 3

# Everything a page holds that a student could read: visible text, the DOM, and the figure's data (hover texts).
PAGE_TEXT = """() => [document.body.innerText, document.documentElement.outerHTML,
  ...[...document.querySelectorAll('.js-plotly-plot')].map((el) => JSON.stringify(el.data || []))].join('\\n')"""


def _written(value: float) -> list[str]:
    """The value as a screen writes it: the formulas' 4 decimals and the labels' 3, with either minus sign."""
    out = []
    for digits in (4, 3):
        text = f"{value:.{digits}f}"
        out += [text, text.replace("-", "\u2212")]
    return out


class Phone:
    """One student's phone following the room, with its own console and page errors."""

    def __init__(self, browser: Any, base_url: str, code: str,
                 ready: str = "body[data-ready='true'][data-seq]") -> None:
        self.context = browser.new_context(base_url=base_url, **PHONE)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.on("pageerror", lambda err: self.errors.append(str(err)))
        self.page.goto(f"/join/{code}")
        self.page.wait_for_selector(ready, timeout=PAGE_LOAD)

    def answer(self, value: float) -> None:
        self.page.locator("#quiz-answer").tap()
        self.page.locator("#quiz-answer").fill(str(value))
        self.page.locator("#quiz-send").tap()
        self.page.wait_for_selector("#quiz-card[data-state='sent']", timeout=10_000)


@pytest.fixture
def phones(browser: Any) -> Iterator[list[Phone]]:
    opened: list[Phone] = []
    yield opened
    for phone in opened:
        phone.context.close()


def _check(presenter: Any, phones: list[Phone], hidden: list[float]) -> None:
    """No asked value on any screen (nor in a phone's DOM), no KaTeX error, no error in any console."""
    for value in hidden:
        shown = presenter.evaluate("() => document.body.innerText")
        for text in _written(value):
            assert text not in shown, f"the projector shows the asked value {text}"
        for n, phone in enumerate(phones):
            held = phone.page.evaluate(PAGE_TEXT)
            for text in _written(value):
                assert text not in held, f"phone {n} holds the asked value {text}"
    for page in [presenter] + [p.page for p in phones]:
        assert page.locator(".katex-error").count() == 0
    for phone in phones:
        assert phone.errors == []
        assert phone.page.locator(".key-hint").first.is_hidden()  # no "press a key" on a phone without keys
        assert "Press" not in phone.page.evaluate("() => document.body.innerText")


def _phones_at(phones: list[Phone], selector: str, state: str = "visible") -> None:
    for phone in phones:
        phone.page.wait_for_selector(selector, state=state, timeout=10_000)


def test_a_whole_class_two_questions_one_revealed_one_closed(
        page: Any, browser: Any, base_url: str, watch: Any, shoot: Any, phones: list[Phone]) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    net = open_app(page)
    code = share_room(page)
    press(page, "p")
    page.wait_for_selector("body.projector")
    press(page, "ArrowRight", 2)
    wait_position(page, 2)
    phones.extend(Phone(browser, base_url, code) for _ in range(PHONES))
    _phones_at(phones, "body[data-position='2']")
    trace = get_trace(page, net)

    # Question 1 on event 2: asked, answered by every phone, stepping held everywhere, then revealed.
    page.click("#btn-ask-class")
    page.wait_for_selector("#quiz-panel[data-state='open']")
    first = page.request.get(f"/api/rooms/{code}").json()["question"]
    value1 = trace["events"][first["event"]]["value"]
    _phones_at(phones, "#quiz-card[data-state='open']")
    _check(page, phones, [value1])
    press(page, "ArrowRight")
    page.wait_for_selector("#messages :text('Reveal or close the question first')", timeout=5_000)
    press(page, "End")
    wait_position(page, 2)  # held: the asked value is not shown on the projector
    for n, phone in enumerate(phones):
        phone.answer(round(value1 * (1.08 + 0.1 * n), 4))  # near, never the value itself
    page.wait_for_selector("#quiz-panel[data-answers='3']", timeout=10_000)
    # the presenter's histogram before the reveal: a value axis over the answers, no bin marked as the truth
    low, high = (page.inner_text(f"#quiz-histogram .quiz-bar:{end}-child .quiz-bar-label") for end in ("first", "last"))
    assert float(low.replace("\u2212", "-")) < float(high.replace("\u2212", "-"))
    assert page.locator("#quiz-histogram .quiz-bar.within").count() == 0
    _phones_at(phones, "body[data-position='2']")
    _check(page, phones, [value1])
    shoot(page, "class-projector-question-open")
    shoot(phones[0].page, "class-phone-question-open")

    page.click("#quiz-reveal")
    page.wait_for_selector("#quiz-panel[data-state='revealed']")
    wait_position(page, 3)
    _phones_at(phones, "#quiz-card[data-state='revealed']")
    _check(page, phones, [])
    shoot(page, "class-projector-revealed")
    shoot(phones[0].page, "class-phone-revealed")
    phones.append(Phone(browser, base_url, code))  # a late joiner after the reveal: no old question, no old numbers
    assert phones[-1].page.locator("#quiz-card").is_hidden()

    # Question 2 two steps on: asked, two phones answer, closed without a reveal.
    press(page, "ArrowRight", 2)
    wait_position(page, 5)
    page.click("#btn-ask-class")
    page.wait_for_selector(f"#quiz-panel[data-state='open']:not([data-question='{first['id']}'])")
    second = page.request.get(f"/api/rooms/{code}").json()["question"]
    value2 = trace["events"][second["event"]]["value"]
    _phones_at(phones, f"#quiz-card[data-question='{second['id']}'][data-state='open']")
    _check(page, phones, [value2])
    press(page, "ArrowRight")
    wait_position(page, 5)
    for phone in phones[:2]:
        phone.answer(round(2 * value2 + 1, 4))  # a wrong guess: the phone echoes it, which must not be the value
    _check(page, phones, [value2])
    shoot(phones[2].page, "class-phone-second-question")

    page.click("#quiz-close")
    page.wait_for_selector("#quiz-panel", state="hidden")
    _phones_at(phones, "#quiz-card", state="hidden")
    assert page.request.get(f"/api/rooms/{code}").json()["question"] is None
    joined = page.request.post(f"/api/rooms/{code}/followers", data={"name": "Late Student"}).json()
    late = page.request.post(f"/api/rooms/{code}/questions/{second['id']}/answers", data={"value": value2},
                             headers={"Authorization": f"Bearer {joined['token']}"})
    assert late.status == 409
    _check(page, phones, [value2])
    shoot(page, "class-projector-closed")
    shoot(phones[2].page, "class-phone-closed")

    # A late joiner after the close sees no question; stepping goes on.
    phones.append(Phone(browser, base_url, code))
    assert phones[-1].page.locator("#quiz-card").is_hidden()
    press(page, "ArrowRight")
    wait_position(page, 6)
    _phones_at(phones, "body[data-position='6']")
    _check(page, phones, [])
    assert watch.console_errors == [] and watch.page_errors == []


# Points of each element (its middle and near its corners) where nothing else may be drawn on top of it.
COVERED_ON_MAIN = ["#formula", ".phase-btn", ".player"]


def _figure_is_true(page: Any, network: dict[str, Any], events: list[dict[str, Any]], p: int, where: str) -> None:
    figure = read_figure(page, network["layers"])
    problems = value_problems(figure, network, events, p)
    assert not problems, f"{where}: {problems}"
    assert any(label["kind"] != "title" for label in figure["labels"]), f"{where}: no number on the figure"
    assert page.locator(".katex-error").count() == 0, f"{where}: a formula KaTeX could not read"


def test_the_projector_walks_every_step_and_stage_writing_the_engines_numbers(
        page: Any, browser: Any, base_url: str, watch: Any, shoot: Any, phones: list[Phone]) -> None:
    page.set_viewport_size({"width": 1280, "height": 720})
    net = open_app(page, "/?projector=1")
    code = share_room(page)
    phones.append(Phone(browser, base_url, code))
    network = page.request.get(f"/api/networks/{net}").json()
    events = get_trace(page, net)["events"]
    for p in range(len(events) + 1):
        if p:
            press(page, "ArrowRight")
        wait_position(page, p)
        settle(page)
        _figure_is_true(page, network, events, p, f"main page, step {p}")
        covered = page.evaluate(UNCOVERED, COVERED_ON_MAIN)
        assert not covered, f"step {p}: {covered}"
        if p in (0, 11, 35):
            shoot(page, f"class-walk-projector-{p}")
            phones[0].page.wait_for_selector(f"body[data-position='{p}']", timeout=10_000)
            settle(phones[0].page)
            shoot(phones[0].page, f"class-walk-phone-{p}")
    assert phones[0].errors == []

    # The guided lesson on the same projector: every stage, every part of a long stage.
    page.goto("/lesson?projector=1")
    page.wait_for_selector("body[data-ready='true']", timeout=PAGE_LOAD)
    page.wait_for_selector("body.projector")
    total = int(page.get_attribute("#lesson", "data-lesson-total") or "0")
    traces: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for n in range(1, total + 1):
        page.wait_for_selector(f"#lesson[data-lesson-step='{n}']", timeout=10_000)
        info = page.eval_on_selector("#lesson", "e => ({...e.dataset})")
        if "table" in info["stageKey"]:
            page.wait_for_selector("#lesson-worst:not([hidden])", state="attached", timeout=60_000)
        settle(page)
        if "table" not in info["stageKey"]:  # a table stage's figure shows the weights of the iteration picked
            lesson_net = page.request.get(f"/api/networks/{info['networkId']}").json()
            key = (info["networkId"], int(info["sample"]))
            if key not in traces:
                traces[key] = get_trace(page, info["networkId"], int(info["sample"]))["events"]
            _figure_is_true(page, lesson_net, traces[key], int(info["position"]), f"lesson stage {n}")
        while True:
            fit = page.evaluate(PANEL_FIT)
            assert fit["scroll"] <= fit["client"], f"lesson stage {n} part {fit['part']} scrolls inside: {fit}"
            assert fit["katexErrors"] == 0
            shoot(page, f"class-lesson-stage{n}-part{fit['part'].replace('/', 'of')}")
            here, parts = (int(x) for x in fit["part"].split("/"))
            if here == parts:
                break
            next_part(page, here)
        if n < total:
            page.keyboard.press("ArrowRight")
    assert watch.console_errors == [] and watch.page_errors == []


def _lesson_at(phones: list[Phone], step: int, position: int | None = None) -> None:
    for phone in phones:
        wait_step(phone.page, step)
        if position is not None:
            phone.page.wait_for_function("p => document.getElementById('lesson').dataset.position === p",
                                         arg=str(position), timeout=10_000)


def test_a_class_through_a_lesson_question_the_live_table_the_graph_and_the_nudge(
        page: Any, browser: Any, base_url: str, watch: Any, shoot: Any, phones: list[Phone]) -> None:
    # The presenter presents the lesson at ∂L/∂a on the half adder; two phones follow it.
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto("/lesson?stage=grad-a&projector=1")
    page.wait_for_selector("body[data-ready='true'].projector", timeout=PAGE_LOAD)
    page.click("#lesson-present")
    page.wait_for_selector("body[data-room-code]")
    code = page.get_attribute("body", "data-room-code")
    page.keyboard.press("Escape")
    step = int(lesson(page)["lessonStep"])
    phones.extend(Phone(browser, base_url, str(code), ready="body[data-ready='true'] #lesson") for _ in range(2))
    _lesson_at(phones, step)

    # A question at the next computation: every phone gets it, no screen shows the value, stepping is held.
    turn_to(page, "#lesson-ask")
    trace = trace_of(page)
    at = int(lesson(page)["position"])
    asked = trace["events"][at]["value"]
    page.click("#lesson-ask")
    page.wait_for_selector("#quiz-panel[data-state='open']")
    _phones_at(phones, "#quiz-card[data-state='open']")
    _phones_at(phones, "body.question-open")
    _check(page, phones, [asked])
    for key in ("ArrowDown", "ArrowRight", "End"):
        page.keyboard.press(key)
    page.wait_for_selector("#messages :text('Reveal or close the question first')", state="attached",
                           timeout=5_000)
    assert int(lesson(page)["position"]) == at and int(lesson(page)["lessonStep"]) == step
    for n, phone in enumerate(phones):
        phone.answer(round(asked + 0.05 * (n + 1), 4))  # the histogram's range then holds no label of the value
    page.wait_for_selector("#quiz-panel[data-answers='2']", timeout=10_000)
    _check(page, phones, [asked])
    shoot(page, "class-lesson-projector-question-open")
    shoot(phones[0].page, "class-lesson-phone-question-open")

    page.click("#quiz-reveal")
    eventually(lambda: int(lesson(page)["position"]) == at + 1, message="the reveal steps onto the asked value")
    _lesson_at(phones, step, at + 1)
    _phones_at(phones, "#quiz-card[data-state='revealed']")
    _phones_at(phones, "body:not(.question-open)")
    _phones_at(phones, "#lesson-formulas .katex")  # the stage's formulas are back after Reveal
    _check(page, phones, [])
    shoot(page, "class-lesson-projector-revealed")
    shoot(phones[0].page, "class-lesson-phone-revealed")
    page.click("#quiz-close")
    page.wait_for_selector("#quiz-panel", state="hidden")

    # On to the live table: the slider moves the projector's figure to another iteration's weights.
    table = int(page.get_attribute("#lesson", "data-lesson-total") or "0")
    while int(lesson(page)["lessonStep"]) < table:
        before = _place(page)
        page.keyboard.press("ArrowRight")  # a long stage turns its parts first
        eventually(lambda was=before: _place(page) != was, message=f"→ did not move on from {before}")
    assert lesson(page)["stageKey"] == "table"
    page.wait_for_selector("#lesson-live-slider:not([disabled])", state="attached", timeout=60_000)
    turn_to(page, "#lesson-live-slider")
    _lesson_at(phones, table)
    settle(page)
    start = edges_drawn(page)
    page.fill("#lesson-live-slider", "50")
    eventually(lambda: page.get_attribute("#lesson-table", "data-iteration") == "5000", message="slider at 5,000")
    eventually(lambda: edges_drawn(page) != start, message="the figure's edges follow the slider's weights")
    settle(page)
    fit = page.evaluate(PANEL_FIT)
    assert fit["scroll"] <= fit["client"] and fit["katexErrors"] == 0, fit
    _check(page, phones, [])
    shoot(page, "class-lesson-projector-table")
    settle(phones[0].page)
    shoot(phones[0].page, "class-lesson-phone-table")

    # The main page in projector mode, shared with the room: the operation graph and the nudge at a step.
    net = open_app(page, "/?projector=1")
    code = share_room(page)
    press(page, "ArrowRight", 13)  # ∂L/∂w^3_12: eight forward events, the loss, ∂L/∂a^3, δ^3, ∂L/∂w^3_11, this
    wait_position(page, 13)
    phones.append(Phone(browser, base_url, code))
    _phones_at(phones[-1:], "body[data-position='13']")
    open_graph(page)
    sample = int(query(page).get("sample", "0"))
    nodes = page.request.post(f"/api/networks/{net}/graph", data={"sample": sample}).json()["nodes"]
    node = nodes[page.eval_on_selector("#op-graph-list .op-row.current", "e => Number(e.dataset.opId)")]
    assert (node["op"], node["l"], node["j"], node["i"]) == ("weight", 3, 1, 2)
    row = page.inner_text("#op-graph-list .op-row.current").replace("-", "\u2212")
    assert f"{node['grad']:.3f}".replace("-", "\u2212") in row, row
    _main_screen_is_clean(page, "operation graph")
    shoot(page, "class-main-projector-op-graph")
    shoot(phones[-1].page, "class-main-phone-op-graph")

    open_nudge(page)
    drawn = page.eval_on_selector("#nudge-chart", "e => e.dataset.drawn")
    _, l, j, *i = drawn.split(":")
    body = {"l": int(l), "j": int(j), **({"i": int(i[0])} if i else {}),
            "epsilon": float(page.eval_on_selector("#nudge-card", "e => e.dataset.epsilon")), "sample": sample}
    want = page.request.post(f"/api/networks/{net}/nudge", data=body).json()
    cells = page.eval_on_selector_all("#nudge-table td", "ts => ts.map(t => t.textContent)")
    for n, key in ((0, "loss_before"), (1, "loss_after"), (3, "predicted")):
        assert cells[n] == f"{want[key]:.6f}".replace("-", "\u2212"), (key, cells, want)
    _main_screen_is_clean(page, "nudge")
    shoot(page, "class-main-projector-nudge")
    shoot(phones[-1].page, "class-main-phone-nudge")
    _check(page, phones, [])
    assert watch.console_errors == [] and watch.page_errors == []


def _place(page: Any) -> tuple[str, str]:
    """The lesson's stage and the part of it the projector shows."""
    return lesson(page)["lessonStep"], page.eval_on_selector(".lesson-panel", "e => e.dataset.part || ''")


def _main_screen_is_clean(page: Any, what: str) -> None:
    """The projector's main page with a tool open: panel text ≥ 24 px, nothing cut, covered or off the screen."""
    page.locator("#ops").scroll_into_view_if_needed()
    settle(page)
    px = page.evaluate(PROJECTOR_FONTS)
    assert px is not None and px >= 24, f"{what}: panel text is {px} px in projector mode"
    assert_clean(page, f"{what}, projector")
    page.evaluate("window.scrollTo(0, 0)")
    settle(page)
    covered = page.evaluate(UNCOVERED, COVERED_ON_MAIN)
    assert not covered, f"{what}: {covered}"
    assert page.locator(".katex-error").count() == 0
