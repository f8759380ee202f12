"""The training insights in a real Chromium against the real server: optimizer choice, mini-batches and gradient
norms, the lecture's XOR table, the loss landscape picked on the figure, the gradient check, batch versus one
sample with online steps, class regions for several outputs, and the panel on a phone and a projector."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest

from tests.browser.test_page import fig, open_app, query, wait_position
from tests.chromium import PAGE_LOAD
from tests.support import eventually

pytestmark = pytest.mark.browser


def api(page: Any, method: str, path: str, body: Any = None) -> Any:
    res = (
        page.request.fetch(path, method=method, data=body)
        if body is not None
        else page.request.fetch(path, method=method)
    )
    assert res.ok, res.text()
    return res.json()


def two(v: float) -> str:
    """The page's two-decimal format (true minus sign, −0.00 shown as 0.00)."""
    return f"{0.0 if abs(v) < 0.005 else v:.2f}".replace("-", "−")


def wait_attr(page: Any, selector: str, attr: str, value: str, timeout: int = 30_000) -> None:
    page.wait_for_function(
        "([s, a, v]) => { const e = document.querySelector(s); return !!e && e.getAttribute(a) === v; }",
        arg=[selector, attr, value],
        timeout=timeout,
    )


def wait_trained(page: Any) -> None:
    """Waits for the run to end on the page: the server holds trained weights and the page has left training
    (which it does once the trained network is shown). A run served from the train cache may end too fast to see
    it start."""
    net = query(page)["net"]

    def ended() -> bool:
        if page.evaluate("() => document.body.classList.contains('is-training')"):
            return False
        return bool(api(page, "GET", f"/api/networks/{net}")["iteration"] > 0)

    eventually(ended, timeout=60, message="the training run did not end")


def load_preset(page: Any, name: str) -> str:
    old = query(page)["net"]
    page.select_option("#preset-select", name)
    page.click("#preset-load")
    page.wait_for_function("old => !location.search.includes(old)", arg=old, timeout=PAGE_LOAD)
    page.wait_for_function("() => document.getElementById('norms-chart').dataset.points >= '1'", timeout=PAGE_LOAD)
    return query(page)["net"]


def test_the_optimizer_is_chosen_with_its_hyperparameters_and_the_trace_shows_its_formula(
    page: Any, watch: Any, shoot: Any
) -> None:
    net = open_app(page)
    page.wait_for_function("() => document.querySelectorAll('#opt-select option').length >= 3")
    names = page.eval_on_selector_all("#opt-select option", "os => os.map(o => o.value)")
    assert names == [o["name"] for o in api(page, "GET", "/api/meta")["optimizers"]]
    page.select_option("#opt-select", "momentum")
    page.wait_for_selector("#opt-momentum")
    assert page.input_value("#opt-momentum") == "0.9"  # the server's default, shown from the network's state
    assert api(page, "GET", f"/api/networks/{net}")["optimizer"] == {"name": "momentum", "momentum": 0.9}
    page.fill("#opt-momentum", "0.5")
    page.locator("#opt-momentum").blur()
    page.wait_for_function(
        "id => fetch('/api/networks/' + id).then(r => r.json()).then(s => s.optimizer.momentum === 0.5)",
        arg=net,
        timeout=10_000,
    )
    # A value out of range is refused by the server and the message is shown; the stored rule stays.
    page.fill("#opt-momentum", "1.5")
    page.locator("#opt-momentum").blur()
    page.wait_for_selector("#opt-formula.is-error")
    assert "momentum" in page.inner_text("#opt-formula")
    assert api(page, "GET", f"/api/networks/{net}")["optimizer"]["momentum"] == 0.5
    # The trace's update steps show the optimizer's own formula with its numbers.
    page.click("[data-phase=update]")
    page.wait_for_function("() => document.getElementById('network-figure').dataset.phase === 'update'")
    page.keyboard.press("ArrowRight")
    tex = page.wait_for_function(
        "() => { const a = document.querySelector('#formula-math annotation');"
        " return a && a.textContent.includes('\\\\mu') && a.textContent; }",
        timeout=10_000,
    ).json_value()
    assert "0.5" in tex and "v" in tex
    page.locator("#train-options").scroll_into_view_if_needed()
    shoot(page, "insights-01-optimizer")
    # A new network built from the editor keeps the chosen rule.
    page.click("#add-layer")
    page.click("#editor-apply")
    page.wait_for_function("old => !location.search.includes(old)", arg=net, timeout=PAGE_LOAD)
    built = api(page, "GET", f"/api/networks/{query(page)['net']}")
    assert len(built["layers"]) == 4 and built["optimizer"] == {"name": "momentum", "momentum": 0.5}
    page.wait_for_function("() => document.getElementById('opt-select').value === 'momentum'")
    # the one 422 is the refused momentum of 1.5, which the browser logs as a failed request
    assert [e for e in watch.console_errors if "422" not in e] == [] and watch.page_errors == []


def test_deep_sigmoid_shows_vanishing_gradients_and_minibatch_training_charts_the_norms(
    page: Any, watch: Any, shoot: Any
) -> None:
    open_app(page)
    net = load_preset(page, "deep_sigmoid")
    note = page.inner_text("#norms-note")
    assert "σ′" in note and "0.25" in note and "vanishes" in note
    # The first point is the /backward gradient of the batch, layer by layer.
    back = api(page, "POST", f"/api/networks/{net}/backward", {"samples": "all"})
    ys = page.evaluate(
        "() => document.getElementById('norms-chart').data.filter((t, k) => k % 2 === 0).map(t => t.y[0])"
    )
    want = [float(np.linalg.norm(g["grad_w"])) for g in back["gradients"]]
    assert ys == pytest.approx(want, rel=1e-12)
    assert ys[0] < ys[-1] / 10  # vanishing: the first layer's gradient under a tenth of the last one's
    page.select_option("#train-mode", "minibatch")
    page.wait_for_selector("#batch-size-field:not([hidden])")
    page.fill("#train-batch-size", "50")
    page.fill("#train-shuffle-seed", "3")
    page.fill("#train-iterations", "40")
    before = api(page, "GET", f"/api/networks/{net}")
    page.click("#train-start")
    wait_trained(page)
    after = api(page, "GET", f"/api/networks/{net}")
    assert after["iteration"] == before["iteration"] + 40  # an iteration of mini-batch training is an epoch
    page.wait_for_function("() => Number(document.getElementById('norms-chart').dataset.points) >= 5",
                           timeout=PAGE_LOAD)
    # one record per chunk of 10 epochs, on the weights before that chunk's first update
    xs = page.evaluate("() => document.getElementById('norms-chart').data[0].x")
    assert xs == [before["iteration"] + k for k in (0, 10, 20, 30, 40)]
    assert page.get_attribute("#norms-chart", "data-layers") == "5"
    assert page.evaluate("() => document.getElementById('norms-chart')._fullLayout.yaxis.type") == "log"
    # The same run by the API on a twin network gives the same weights: the page sent batch_size and seed.
    twin = api(page, "POST", "/api/networks", {"preset": "deep_sigmoid"})
    api(
        page,
        "POST",
        f"/api/networks/{twin['id']}/train",
        {"iterations": 40, "mode": "minibatch", "batch_size": 50, "seed": 3},
    )
    assert before["iteration"] == 0
    assert api(page, "GET", f"/api/networks/{twin['id']}")["weights"] == after["weights"]
    page.locator("#norms-card").scroll_into_view_if_needed()
    shoot(page, "insights-02-gradient-norms")
    assert watch.console_errors == [] and watch.page_errors == []


def test_the_xor_table_has_the_lectures_iterations_beside_ours(page: Any, watch: Any, shoot: Any) -> None:
    net = open_app(page)
    ref = next(p for p in api(page, "GET", "/api/presets") if p["name"] == "xor")["reference"]
    page.wait_for_selector("#snapshot-table.with-reference")
    heads = page.eval_on_selector_all(
        "#snapshot-table thead tr:nth-child(2) th.num", "ths => ths.map(t => t.textContent)"
    )
    assert heads == [f"{it:,}" for it in ref["iterations"]]
    page.fill("#train-iterations", "10000")
    page.click("#train-start")
    wait_trained(page)
    page.wait_for_function("() => document.getElementById('snapshot-table').dataset.lastIteration === '10000'")
    # Every lecture column now has our number: the run was cut at exactly those iterations.
    cells = page.eval_on_selector_all(
        "#snapshot-table tbody tr",
        "rows => rows.map(r => [...r.querySelectorAll('td.ref-cell')]"
        ".map(c => [...c.children].map(s => s.textContent)))",
    )
    assert len(cells) == 4 and all(len(row) == 6 for row in cells)
    outputs = api(page, "POST", f"/api/networks/{net}/forward", {"samples": "all"})["outputs"]
    for n, row in enumerate(cells):
        for k, (ours, lecture, _diff) in enumerate(row):
            assert lecture == two(ref["outputs"][k][n][0])
            assert ours != "·"
        ours_last, _, diff_last = row[-1]
        assert ours_last == two(outputs[n][0])
        d = outputs[n][0] - ref["outputs"][-1][n][0]
        assert diff_last == ("+" if d >= 0.005 else "") + two(d)
    page.locator("#snapshot-table").scroll_into_view_if_needed()
    shoot(page, "insights-03-xor-table")
    # Past the lecture's last iteration: one more column with where the network is now, no lecture number.
    page.fill("#train-iterations", "500")
    page.click("#train-start")
    wait_trained(page)
    page.wait_for_function("() => document.getElementById('snapshot-table').dataset.lastIteration === '10500'")
    heads = page.eval_on_selector_all(
        "#snapshot-table thead tr:nth-child(2) th.num", "ths => ths.map(t => t.textContent)"
    )
    assert heads[-1] == "10,500" and len(heads) == 7
    assert page.inner_text("#snapshot-table tbody tr:first-child td:last-child .ref-lecture") == "–"
    assert watch.console_errors == [] and watch.page_errors == []


def test_the_landscape_is_picked_on_two_edges_and_shows_the_training_path(page: Any, watch: Any, shoot: Any) -> None:
    net = open_app(page)
    page.fill("#train-iterations", "400")
    page.click("#train-start")
    wait_trained(page)
    page.click("#land-pick")
    labels = page.locator("#network-figure .annotation[data-index]").filter(has_text=re.compile(r"^-?\d|^−"))
    labels.first.click()
    page.wait_for_function("() => /second edge/.test(document.getElementById('landscape-note').textContent)")
    labels.last.click()
    page.wait_for_function("() => document.getElementById('land-pick').getAttribute('aria-pressed') === 'false'")
    assert page.is_hidden("#weight-editor")  # the clicks picked edges; they did not open the weight editor
    x, y = page.input_value("#land-x"), page.input_value("#land-y")
    assert x != y and x.startswith("w:") and y.startswith("w:")
    wait_attr(page, "#landscape-chart", "data-drawn", f"{x}|{y}")
    state = api(page, "GET", f"/api/networks/{net}")
    _, lx, jx, ix = x.split(":")
    _, ly, jy, iy = y.split(":")
    wx = state["weights"][int(lx) - 2][int(jx) - 1][int(ix) - 1]
    wy = state["weights"][int(ly) - 2][int(jy) - 1][int(iy) - 1]
    plot = page.evaluate(
        "() => { const d = document.getElementById('landscape-chart').data;"
        " return {land: d[0], path: d[1], now: d[2]}; }"
    )
    mid = len(plot["land"]["x"]) // 2
    assert plot["land"]["x"][mid] == wx and plot["land"]["y"][mid] == wy
    loss = api(page, "POST", f"/api/networks/{net}/forward", {"samples": "all"})["loss"]
    assert plot["land"]["z"][mid][mid] == loss  # the centre is the network's loss, bit for bit
    assert plot["now"]["x"] == [wx] and plot["now"]["y"] == [wy]
    # the training path: recorded at every chunk of the run, ending at the current weights
    assert len(plot["path"]["x"]) > 5 and plot["path"]["x"][-1] == wx and plot["path"]["y"][-1] == wy
    assert plot["path"]["x"][0] != wx or plot["path"]["y"][0] != wy
    # −∇: the arrow points against the batch gradient of the two weights
    back = api(page, "POST", f"/api/networks/{net}/backward", {"samples": "all"})
    gx = back["gradients"][int(lx) - 2]["grad_w"][int(jx) - 1][int(ix) - 1]
    gy = back["gradients"][int(ly) - 2]["grad_w"][int(jy) - 1][int(iy) - 1]
    arrow = page.evaluate("() => document.getElementById('landscape-chart').layout.annotations[0]")
    dx, dy = arrow["x"] - arrow["ax"], arrow["y"] - arrow["ay"]
    assert dx * gx + dy * gy < 0 and math.isclose(dx * gy, dy * gx, rel_tol=1e-6, abs_tol=1e-12)
    page.locator("#landscape-card").scroll_into_view_if_needed()
    shoot(page, "insights-04-landscape")
    assert watch.console_errors == [] and watch.page_errors == []


def test_the_gradient_check_runs_in_one_click_and_colours_the_edges(page: Any, watch: Any, shoot: Any) -> None:
    net = open_app(page)
    page.click("#gradcheck-run")
    wait_attr(page, "#gradcheck-table", "data-rows", "9")  # 6 weights and 3 biases
    check = api(page, "POST", f"/api/networks/{net}/gradcheck", {"samples": "all"})
    levels = page.eval_on_selector_all("#gradcheck-map line.gc-edge", "ls => ls.map(l => l.dataset.level)")
    assert len(levels) == 6 and set(levels) <= {"good", "fair"}
    rels = page.eval_on_selector_all("#gradcheck-table tbody td.rel", "cs => cs.map(c => c.textContent)")
    assert len(rels) == 9
    # Focus w12 of layer 3 by clicking its row: the difference quotient with its numbers.
    page.locator("#gradcheck-table tbody tr").filter(has_text="w12⁽3⁾").click()
    wait_attr(page, "#gradcheck-formula", "data-focus", "w12^3")
    row = next(p for p in check["parameters"] if (p["l"], p["j"], p["i"]) == (3, 1, 2))
    tex = page.eval_on_selector_all("#gradcheck-formula annotation", "as => as.map(a => a.textContent).join(' ')")
    assert f"{row['loss_plus']:.10f}" in tex and f"{row['loss_minus']:.10f}" in tex
    assert "2h" in tex and "backprop" in tex
    page.locator("#gradcheck-map line.gc-edge").first.dispatch_event("click")  # a level line has no height to aim at
    wait_attr(page, "#gradcheck-formula", "data-focus", "w11^2")
    # the focus moved: one edge and one row carry it, w12's gave it up
    focused = page.eval_on_selector_all("#gradcheck-map line.is-focus",
                                        "ls => ls.map(l => [l.dataset.edge, l.getAttribute('stroke-width')])")
    assert focused == [["2-1-1", "6"]]
    width = page.eval_on_selector("#gradcheck-map line[data-edge='3-1-2']", "l => l.getAttribute('stroke-width')")
    assert width == "3.5"
    rows = page.eval_on_selector_all("#gradcheck-table tbody tr.is-focus", "rs => rs.map(r => r.cells[0].textContent)")
    assert rows == ["w11⁽2⁾"]
    page.locator("#gradcheck-card").scroll_into_view_if_needed()
    shoot(page, "insights-05-gradcheck")
    assert watch.console_errors == [] and watch.page_errors == []


def test_batch_versus_one_sample_and_the_next_sample_button(page: Any, watch: Any, shoot: Any) -> None:
    net = open_app(page)
    wait_attr(page, "#batch-table", "data-samples", "4")
    page.select_option("#batch-param", "w:3:1:2")
    page.wait_for_function("() => /w12⁽3⁾/.test(document.querySelector('#batch-table thead').textContent)")
    back = api(page, "POST", f"/api/networks/{net}/backward", {"samples": "all"})
    per = [s["layers"][1]["a"][1] * s["layers"][2]["delta"][0] for s in back["per_sample"]]
    assert float(page.get_attribute("#batch-table", "data-reduced")) == pytest.approx(sum(per), rel=1e-12)
    assert sum(per) == pytest.approx(back["gradients"][1]["grad_w"][0][1], rel=1e-12)
    assert "different places" in page.inner_text("#batch-why")
    # In the matrix view, at the step that computes ∂ℒ/∂w12 of layer 3: every sample's term and their sum.
    shown = int(page.input_value("#sample-select"))
    trace = api(page, "POST", f"/api/networks/{net}/trace", {"sample": shown})
    at = next(
        k for k, e in enumerate(trace["events"]) if e["quantity"] == "grad_w" and (e["l"], e["j"], e["i"]) == (3, 1, 2)
    )
    page.click("[data-phase=backward]")
    while int(fig(page)["position"]) < at + 1:
        p = int(fig(page)["position"])
        page.keyboard.press("ArrowRight")
        wait_position(page, p + 1)
    note = page.inner_text("#matrix-note")
    assert "Whole batch: ∂ℒ/∂w12⁽³⁾ = sum over 4" in note
    assert f"→ {sum(per):.5f}".replace("-", "−") in note and f"#{shown + 1}, this trace" in note
    # Walk to the end of the update and apply it: the next sample's trace, on the updated weights.
    new_w = {
        (e["l"], e["j"], e["i"]): e["value"] for e in trace["events"] if e["phase"] == "update" and e["quantity"] == "w"
    }
    page.click("#btn-last")
    page.wait_for_selector("#next-sample.primary")
    page.click("#next-sample")
    nxt = str((shown + 1) % 4)
    page.wait_for_function("s => new URLSearchParams(location.search).get('sample') === s", arg=nxt, timeout=PAGE_LOAD)
    state = api(page, "GET", f"/api/networks/{net}")
    assert state["iteration"] == 1
    for (l, j, i), v in new_w.items():
        assert state["weights"][l - 2][j - 1][i - 1] == v
    assert page.input_value("#sample-select") == nxt
    page.wait_for_function("() => /moved w12\\^3/.test(document.getElementById('next-sample-note').textContent)")
    page.locator("#batch-card").scroll_into_view_if_needed()
    shoot(page, "insights-06-batch-vs-sample")
    assert watch.console_errors == [] and watch.page_errors == []


def test_several_outputs_colour_the_plane_by_class(page: Any, watch: Any, shoot: Any) -> None:
    inputs = [[0, 0], [1, 0], [0, 1], [1, 1], [0.5, 0.5], [0.2, 0.8]]
    targets = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [0, 0, 1]]
    net = api(
        page,
        "POST",
        "/api/networks",
        {
            "layers": [2, 6, 3],
            "activations": ["tanh", "softmax"],
            "loss": "cross_entropy",
            "learning_rate": 0.5,
            "dataset": {"inputs": inputs, "targets": targets},
        },
    )
    open_app(page, f"/?net={net['id']}")
    wait_attr(page, "#boundary-chart", "data-classes", "3", timeout=PAGE_LOAD)
    page.fill("#train-iterations", "600")
    page.click("#train-start")
    wait_trained(page)
    page.wait_for_function(
        "id => fetch('/api/networks/' + id).then(r => r.json()).then(s => s.iteration === 600)", arg=net["id"]
    )
    heat = page.evaluate(
        "() => { const t = document.getElementById('boundary-chart').data[0]; return {z: t.z, text: t.text}; }"
    )
    grid = [[x, y] for y in heat_axis(page, "y") for x in heat_axis(page, "x")]
    outs = api(page, "POST", f"/api/networks/{net['id']}/predict", {"inputs": grid})["outputs"]
    flat = [v for row in heat["z"] for v in row]
    assert flat == [int(np.argmax(o)) + 1 for o in outs]  # the regions are the trained network's classes
    assert len(set(flat)) == 3
    assert "o1 = " in heat["text"][0][0] and "o3 = " in heat["text"][0][0]
    assert "each class" in page.inner_text("#boundary-wrap figcaption")
    page.locator("#boundary-wrap").scroll_into_view_if_needed()
    shoot(page, "insights-07-classes")
    assert watch.console_errors == [] and watch.page_errors == []


def heat_axis(page: Any, axis: str) -> list[float]:
    return page.evaluate(f"() => document.getElementById('boundary-chart').data[0].{axis}")


@pytest.mark.parametrize("size", ["phone", "projector"])
def test_the_insights_panel_on_a_phone_and_a_projector(
    browser: Any, browser_context_args: dict[str, Any], shoot: Any, size: str
) -> None:
    if size == "phone":
        ctx = browser.new_context(
            **{**browser_context_args, "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
        )
    else:
        ctx = browser.new_context(**{**browser_context_args, "viewport": {"width": 1280, "height": 720}})
    page = ctx.new_page()
    try:
        open_app(page, "/?projector=1" if size == "projector" else "/")
        page.wait_for_function("() => document.getElementById('batch-table').dataset.samples === '4'",
                               timeout=PAGE_LOAD)
        if size == "phone":
            page.click("#gradcheck-run")
            wait_attr(page, "#gradcheck-table", "data-rows", "9")
            wide = page.evaluate("() => document.scrollingElement.scrollWidth")
            assert wide <= 390, f"the page scrolls sideways: {wide}px"
            # every card fits the screen; wide tables scroll inside their card
            over = page.evaluate(
                "() => [...document.querySelectorAll('#train-options, #insights .chart-card')]"
                ".filter(c => c.getBoundingClientRect().right > 391).map(c => c.id)"
            )
            assert over == []
            for card in ("#norms-card", "#landscape-card", "#gradcheck-card", "#batch-card"):
                page.locator(card).scroll_into_view_if_needed()
                shoot(page, f"insights-phone-{card[1:]}")
        else:
            assert page.evaluate("() => document.body.classList.contains('projector')")
            sizes = page.evaluate(
                "() => [...document.querySelectorAll("
                "'#insights figcaption, #insights .hint, #insights .insight-table, #train-options label')]"
                ".map(e => parseFloat(getComputedStyle(e).fontSize))"
            )
            assert sizes and min(sizes) >= 24
            if page.locator("#btn-show-training").count():  # the projector's switch to the training panel
                page.click("#btn-show-training")
                page.locator("#insights").scroll_into_view_if_needed()
            shoot(page, "insights-projector")
    finally:
        ctx.close()
