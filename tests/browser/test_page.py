"""The page in a real Chromium against the real server: loading, stepping, training, editing, projector, links."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.conftest import settle
from tests.chromium import PAGE_LOAD
from tests.support import eventually

pytestmark = pytest.mark.browser

READY = "body[data-ready=true]"


def open_app(page: Any, path: str = "/") -> str:
    """Loads the page, waits until the first trace is shown, and returns the network id from the URL."""
    page.goto(path)
    page.wait_for_selector(READY, timeout=PAGE_LOAD)
    page.wait_for_function("() => new URLSearchParams(location.search).get('net')")  # the address follows the view
    return query(page)["net"]


def query(page: Any) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def fig(page: Any) -> dict[str, str]:
    """The figure's data attributes, where the view reports what it highlights."""
    return page.eval_on_selector("#network-figure", "e => ({...e.dataset})")


def wait_position(page: Any, p: int) -> None:
    try:
        page.wait_for_function(
            "p => document.getElementById('network-figure').dataset.position === String(p)",
            arg=p,
            timeout=5_000,
        )
    except Exception as err:
        raise AssertionError(
            f"position never became {p}: figure {fig(page)}, messages {messages(page)}"
        ) from err


def messages(page: Any) -> list[str]:
    return page.eval_on_selector_all(".message", "els => els.map(e => e.textContent)")


def get_trace(page: Any, net: str, sample: int | None = None) -> dict[str, Any]:
    """The trace of a sample; by default the one the page shows (an unlinked page opens on XOR's x = (1, 1))."""
    if sample is None:
        sample = int(query(page).get("sample", "0"))
    res = page.request.post(f"/api/networks/{net}/trace", data={"sample": sample})
    assert res.status == 200, res.text()
    return res.json()


def formula_tex(page: Any) -> str:
    """The TeX source KaTeX keeps in the MathML annotation of the formula panel."""
    return (page.text_content("#formula-math annotation[encoding='application/x-tex']") or "").strip()


def share_room(page: Any) -> str:
    """Opens a room with Share, closes its dialog and returns the room's code."""
    page.click("#btn-share")
    page.wait_for_selector("#room-dialog:not([hidden])")
    code: str = page.inner_text("#room-code").strip()
    page.click("#room-close")
    return code


def press(page: Any, key: str, times: int = 1) -> None:
    for _ in range(times):
        page.keyboard.press(key)


def node_of(ev: dict[str, Any]) -> str:
    if ev["quantity"] in ("grad_w", "w", "loss"):
        return ""
    return f"{ev['l']}:{ev['j']}"


def test_page_loads_without_errors_or_foreign_requests(page: Any, watch: Any, shoot: Any) -> None:
    open_app(page)
    settle(page)
    shoot(page, "01-loaded")
    assert page.title() == "DeltaFlow"
    assert watch.console_errors == []
    assert watch.page_errors == []
    assert page.evaluate("window.__csp") == []
    assert watch.foreign_requests == []
    # plotly.js comes from the plotly package, with a long cache
    res = page.request.get("/vendor/plotly.min.js")
    assert res.status == 200
    assert "max-age=31536000" in res.headers["cache-control"]


def test_xor_draws_five_nodes_and_six_edges(page: Any, shoot: Any) -> None:
    open_app(page)
    data = fig(page)
    assert data["nodeCount"] == "5"
    assert data["edgeCount"] == "6"
    # The figure itself: 5 node markers and 6 edge handles in the Plotly node plot, 6 edge segments across the
    # edge layer's colour classes (one SVG path per class, one subpath per edge).
    counts = page.evaluate(
        """() => {
          const d = document.getElementById('network-figure-plot').data;
          const e = document.getElementById('network-figure-edges');
          const nodes = d.find(t => t.name === 'nodes').x.length;
          const handles = d.find(t => t.name === 'edge handles').x.length;
          const segs = [...e.querySelectorAll('g.edge-class')].filter(g => g.dataset.name.startsWith('edges'))
            .reduce((n, g) => n + (g.querySelector('path').getAttribute('d').match(/M/g) || []).length, 0);
          return {nodes, handles, segs};
        }"""
    )
    assert counts == {"nodes": 5, "handles": 6, "segs": 6}
    labels = page.evaluate(
        "() => document.getElementById('network-figure-plot').data.find(t => t.name === 'nodes').text"
    )
    assert labels[0] == "x<sub>1</sub>" and labels[-1] == "a<sub>1</sub><sup>3</sup>"
    shoot(page, "02-xor-network")


def test_right_arrow_follows_the_trace_into_the_backward_pass(page: Any, watch: Any, shoot: Any) -> None:
    net = open_app(page)
    trace = get_trace(page, net)
    events = trace["events"]
    first_backward = next(k for k, e in enumerate(events) if e["phase"] == "backward")
    for p in range(1, first_backward + 3):
        press(page, "ArrowRight")
        wait_position(page, p)
        ev = events[p - 1]
        data = fig(page)
        assert data["currentEvent"] == str(ev["id"])
        assert data["phase"] == ev["phase"]
        assert data["highlightNode"] == node_of(ev)
        assert page.get_attribute("#formula", "data-event-id") == str(ev["id"])
        assert formula_tex(page) == ev["latex"]
        if p == 4:
            shoot(page, "03-forward-step")
    assert fig(page)["phase"] == "backward"
    assert page.inner_text("#formula-phase").strip().lower() == "backward"
    shoot(page, "04-backward-step")
    assert watch.console_errors == [] and watch.page_errors == []


def test_left_arrow_goes_back(page: Any) -> None:
    net = open_app(page)
    events = get_trace(page, net)["events"]
    press(page, "ArrowRight", 6)
    wait_position(page, 6)
    press(page, "ArrowLeft", 2)
    wait_position(page, 4)
    assert fig(page)["currentEvent"] == str(events[3]["id"])
    assert formula_tex(page) == events[3]["latex"]
    assert page.input_value("#scrubber") == "4"


def test_loss_appears_after_the_forward_pass(page: Any, shoot: Any) -> None:
    net = open_app(page)
    trace = get_trace(page, net)
    assert page.inner_text("#loss-readout").strip() == "ℒ = ?"
    press(page, "n")  # finish the forward pass
    # ... which replays as a wave: a pulse on each of the 6 edges and on the link to the loss
    page.wait_for_function("() => document.querySelectorAll('.network-over circle.pulse').length === 7")
    press(page, "n")  # the loss
    loss_at = next(k for k, e in enumerate(trace["events"]) if e["phase"] == "loss") + 1
    wait_position(page, loss_at)
    readout = page.inner_text("#loss-readout")
    assert readout.strip() == f"ℒ = {trace['loss']:.4f}"
    assert fig(page)["phase"] == "loss"
    shoot(page, "05-loss")


def test_layer_and_phase_jumps_and_gradient_flow(page: Any, watch: Any, shoot: Any) -> None:
    net = open_app(page)
    events = get_trace(page, net)["events"]
    page.click("#btn-next-layer")  # all of layer 1
    wait_position(page, 2)
    page.click("#btn-next-layer")  # all of layer 2: z and a of both hidden nodes
    wait_position(page, 6)
    assert events[5]["l"] == 2 and events[6]["l"] == 3
    page.click(".phase-btn[data-phase=backward]")
    start = next(k for k, e in enumerate(events) if e["phase"] == "backward") + 1
    wait_position(page, start)
    # ∂L/∂a of a hidden node reads every δ of the layer above: those edges carry the error back
    back = next(k for k, e in enumerate(events) if e["quantity"] == "grad_a" and e["l"] == 2) + 1
    page.fill("#scrubber", str(back - 1))
    wait_position(page, back - 1)
    press(page, "ArrowRight")
    wait_position(page, back)
    data = fig(page)
    assert data["flowEdges"] == "1"  # XOR: one output node above each hidden node
    ev = events[back - 1]
    assert data["highlightNode"] == f"2:{ev['j']}"
    deps = page.eval_on_selector_all("#formula-deps .dep-chip", "els => els.length")
    assert deps == len(ev["depends_on"])
    settle(page)
    shoot(page, "06-gradient-flow")
    page.click("#btn-next-phase")
    page.click("#btn-next-phase")
    wait_position(page, len(events))
    assert fig(page)["phase"] == "update"
    assert watch.console_errors == [] and watch.page_errors == []


def test_training_updates_loss_curve_and_table(page: Any, watch: Any, shoot: Any) -> None:
    net = open_app(page)
    before = page.request.get(f"/api/networks/{net}").json()
    page.fill("#train-iterations", "1000")
    page.click("#train-start")
    page.wait_for_function(
        "() => document.getElementById('snapshot-table').dataset.lastIteration === '1000'", timeout=30_000
    )
    page.wait_for_function("() => !document.getElementById('train-start').disabled", timeout=30_000)
    points = int(page.get_attribute("#loss-chart", "data-points") or "0")
    assert points > 10
    last_x = page.evaluate(
        "() => { const x = document.getElementById('loss-chart').data[0].x; return x[x.length - 1]; }"
    )
    assert last_x == before["iteration"] + 1000
    rows = page.eval_on_selector_all("#snapshot-table tbody tr", "els => els.length")
    assert rows == 4
    header = page.inner_text("#snapshot-table thead")
    assert "1,000" in header and "x1" in header
    after = page.request.get(f"/api/networks/{net}").json()
    assert after["iteration"] == before["iteration"] + 1000
    # The figure shows the trained weights.
    label = page.evaluate(
        "() => document.getElementById('network-figure-plot').layout.annotations"
        ".filter(a => a.captureevents).map(a => a.text)"
    )
    # six weights and the three biases of the hidden and output nodes
    assert len(label) == 9 and sum(t.startswith("b ") for t in label) == 3
    assert page.is_visible("#boundary-chart .heatmaplayer, #boundary-chart .contourlayer")
    page.check("#loss-log")
    page.wait_for_function("() => document.getElementById('loss-chart')._fullLayout.yaxis.type === 'log'")
    shoot(page, "07-trained")
    page.locator("#training").scroll_into_view_if_needed()
    shoot(page, "07b-training-panel")
    assert watch.console_errors == [] and watch.page_errors == []


def test_projector_mode_toggles(page: Any, watch: Any, shoot: Any) -> None:
    page.set_viewport_size({"width": 1024, "height": 768})
    open_app(page)
    assert page.is_visible("#editor")
    press(page, "p")
    page.wait_for_function("() => document.body.classList.contains('projector')")
    assert page.get_attribute("#btn-projector", "aria-pressed") == "true"
    assert not page.is_visible("#editor")
    assert not page.is_visible("#training")
    assert page.is_visible("#btn-next")
    page.wait_for_function("() => new URLSearchParams(location.search).get('projector') === '1'", timeout=5_000)
    press(page, "n")
    press(page, "n")
    press(page, "ArrowRight", 3)
    settle(page)
    # Everything a teacher needs fits in 1024x768: the figure, the player and the formula are on screen.
    for sel in ("#network-figure", "#btn-next", "#formula-math"):
        box = page.locator(sel).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 768 and box["x"] + box["width"] <= 1024, sel
    shoot(page, "08-projector-1024x768")
    page.click("#btn-projector")
    page.wait_for_function("() => !document.body.classList.contains('projector')")
    assert page.is_visible("#editor")
    assert watch.console_errors == [] and watch.page_errors == []


def test_projector_mode_at_4k(page: Any, shoot: Any) -> None:
    page.set_viewport_size({"width": 3840, "height": 2160})
    open_app(page, "/?projector=1")
    press(page, "n")
    press(page, "n")
    press(page, "ArrowRight", 3)
    settle(page)
    size = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 30
    shoot(page, "09-projector-4k")


def test_invalid_learning_rate_shows_the_servers_message(page: Any, shoot: Any) -> None:
    net = open_app(page)
    page.fill("#lr-input", "1000")
    page.click("#editor-apply")
    slot = page.locator("[data-error-for=learning_rate]")
    slot.wait_for(state="visible", timeout=5_000)
    token = page.evaluate("(id) => localStorage.getItem('deltaflow-token:' + id)", net)  # the page's own network
    direct = page.request.patch(f"/api/networks/{net}", data={"learning_rate": 1000},
                                headers={"Authorization": f"Bearer {token}"})
    assert direct.status == 422
    msg = direct.json()["detail"][0]["msg"]
    assert msg in slot.inner_text()
    assert page.get_attribute("#lr-input", "aria-invalid") == "true"
    shoot(page, "10-invalid-edit")


def test_editing_a_weight_patches_and_recomputes(page: Any, shoot: Any) -> None:
    net = open_app(page)
    press(page, "ArrowRight", 3)
    wait_position(page, 3)
    # Click the label of w_11^2 (the first edge label on the figure).
    page.locator("#network-figure .annotation[data-index]").filter(
        has_text=re.compile(r"^-?\d|^−")
    ).first.click()
    page.wait_for_selector("#weight-editor:not([hidden])")
    page.fill("#weight-input", "not a number")
    page.click("#weight-save")
    err = page.locator("#weight-error")
    err.wait_for(state="visible")
    assert err.inner_text().strip() != ""
    shoot(page, "11-weight-editor-error")
    page.fill("#weight-input", "0.25")
    page.click("#weight-save")
    page.wait_for_selector("#weight-editor", state="hidden")
    state = page.request.get(f"/api/networks/{net}").json()
    assert state["weights"][0][0][0] == 0.25
    events = get_trace(page, net)["events"]
    assert "0.25" in events[2]["latex"]
    # z_1^2 is recomputed with the new weight, at the same position
    page.wait_for_function(
        'tex => (document.querySelector("#formula-math annotation") || {}).textContent === tex',
        arg=events[2]["latex"],
        timeout=5_000,
    )
    assert fig(page)["position"] == "3"


def test_url_reproduces_the_position(page: Any, context: Any) -> None:
    net = open_app(page)
    press(page, "n")
    press(page, "ArrowRight", 4)
    # the address follows the view a moment after it moves
    page.wait_for_function("() => new URLSearchParams(location.search).get('step') === "
                           "document.getElementById('network-figure').dataset.position", timeout=5_000)
    q = query(page)
    assert q["net"] == net
    position = int(q["step"])
    assert position == int(fig(page)["position"])
    event = page.get_attribute("#formula", "data-event-id")
    other = context.new_page()
    other.goto(page.url)
    other.wait_for_selector(READY, timeout=PAGE_LOAD)
    assert query(other)["net"] == net
    assert fig(other)["position"] == str(position)
    assert other.get_attribute("#formula", "data-event-id") == event
    other.close()


def test_stale_link_shows_a_message(page: Any, shoot: Any) -> None:
    page.goto("/?net=doesnotexist000000000&step=3")
    page.wait_for_selector(READY, timeout=PAGE_LOAD)
    msg = page.locator(".message-error").first
    assert "no longer exists" in msg.inner_text()
    assert query(page)["net"] != "doesnotexist000000000"
    shoot(page, "12-stale-link")


def test_exports(page: Any) -> None:
    net = open_app(page)
    press(page, "ArrowRight", 2)
    with page.expect_download() as dl:
        page.click("#btn-export-trace")
    payload = json.loads(open(dl.value.path(), encoding="utf-8").read())
    assert payload["network"]["id"] == net and len(payload["trace"]["events"]) > 0
    with page.expect_download() as dl:
        page.click("#btn-export-csv")
    csv = open(dl.value.path(), encoding="utf-8").read().splitlines()
    assert csv[0] == "iteration,x1,x2,y,o" and len(csv) == 5
    with page.expect_download() as dl:
        page.click("#btn-export-png")
    assert open(dl.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"


def test_play_runs_and_pauses(page: Any) -> None:
    open_app(page)
    before = query(page)["step"]
    page.select_option("#speed-select", "8")
    press(page, " ")
    assert page.get_attribute("#btn-play", "aria-pressed") == "true"
    page.wait_for_function(
        "() => Number(document.getElementById('network-figure').dataset.position) >= 4", timeout=5_000
    )
    assert query(page)["step"] == before  # while the player runs, the address waits (no replaceState per step)
    press(page, " ")
    assert page.get_attribute("#btn-play", "aria-pressed") == "false"
    stopped = fig(page)["position"]
    # once the player has been still a moment, the address names the position it stopped at
    page.wait_for_function("p => new URLSearchParams(location.search).get('step') === p", arg=stopped, timeout=5_000)
    assert fig(page)["position"] == stopped  # and all that while it stayed there


def test_editor_builds_a_deeper_network(page: Any, shoot: Any) -> None:
    old = open_app(page)
    page.click("#add-layer")
    rows = page.eval_on_selector_all("#layer-list .layer-row", "els => els.length")
    assert rows == 4
    page.click("#editor-apply")
    page.wait_for_function("old => !location.search.includes(old)", arg=old, timeout=10_000)
    net = query(page)["net"]
    state = page.request.get(f"/api/networks/{net}").json()
    assert len(state["layers"]) == 4
    page.wait_for_function(
        "n => document.getElementById('network-figure').dataset.nodeCount === String(n)",
        arg=sum(state["layers"]),
    )
    assert fig(page)["edgeCount"] == str(
        sum(a * b for a, b in zip(state["layers"], state["layers"][1:], strict=False))
    )
    shoot(page, "13-deeper-network")


def test_a_diverging_network_says_so(page: Any, shoot: Any) -> None:
    res = page.request.post(
        "/api/networks", data={"preset": "xor", "activations": "linear", "learning_rate": 100}
    )
    assert res.status == 201, res.text()
    net = res.json()["id"]
    open_app(page, f"/?net={net}")
    page.fill("#train-iterations", "200")
    page.click("#train-start")
    banner = page.locator("#diverged")
    banner.wait_for(state="visible", timeout=PAGE_LOAD)
    assert "diverged" in banner.inner_text()
    state = page.request.get(f"/api/networks/{net}").json()
    assert state["diverged"] is True
    if state.get("message"):
        assert state["message"][:40] in banner.inner_text()
    shoot(page, "14-diverged")


def test_hover_shows_node_and_edge_values(page: Any, watch: Any, shoot: Any) -> None:
    open_app(page)
    press(page, "n")
    press(page, "n")
    press(page, "n")  # forward, loss and backward done: every value is known
    traces = page.locator("#network-figure-plot .scatterlayer .trace")
    # trace order in the node plot: edge handles, nodes, loss
    traces.nth(1).locator(".point").nth(2).hover(force=True)  # a_1^2; Plotly's drag layer takes the events
    tip = page.locator("#network-figure-plot .hovertext").first
    tip.wait_for(state="visible", timeout=5_000)
    text = tip.text_content() or ""
    for part in ("z", "∂L/∂a", "δ"):
        assert part in text, text
    shoot(page, "15-hover-node")
    traces.nth(0).locator(".point").nth(0).hover(force=True)  # the handle of w_11^2
    page.wait_for_function(
        "() => [...document.querySelectorAll('#network-figure-plot .hovertext')]"
        ".some(e => e.textContent.includes('∂L/∂w'))",
        timeout=5_000,
    )
    text = " ".join(page.locator("#network-figure-plot .hovertext").all_text_contents())
    assert "update" in text and "w =" in text
    assert watch.console_errors == [] and watch.page_errors == []


def test_share_opens_a_room_that_follows_the_steps(page: Any, watch: Any, shoot: Any) -> None:
    net = open_app(page)
    page.click("#btn-share")
    page.wait_for_selector("#room-dialog:not([hidden])")
    code = page.inner_text("#room-code").strip()
    assert len(code) == 6
    assert page.get_attribute("#room-link", "href").endswith(f"/join/{code}")
    shoot(page, "16-share-room")
    page.click("#room-close")
    press(page, "ArrowRight", 3)
    wait_position(page, 3)
    # The publisher sends at most one request at a time; the room catches up with the last position.
    page.wait_for_function(
        "code => fetch(`/api/rooms/${code}`).then(r => r.json()).then(s => s.position === 3)",
        arg=code,
        timeout=5_000,
    )
    room = page.request.get(f"/api/rooms/{code}").json()
    assert room["network_id"] == net and room["phase"] == "forward"
    assert watch.console_errors == [] and watch.page_errors == []


def api_until(page: Any, net: str, check: Any, what: str) -> dict[str, Any]:
    """Polls the network until check(state) holds; the page's PATCH is on its way meanwhile."""
    seen: list[dict[str, Any]] = [{}]

    def holds() -> bool:
        seen[0] = page.request.get(f"/api/networks/{net}").json()
        return bool(check(seen[0]))

    eventually(holds, message=lambda: f"never: {what}; last state iteration {seen[0].get('iteration')}, "
                                      f"w {seen[0].get('weights', [[None]])[0][0]}")
    return dict(seen[0])


def test_undo_redo_and_reset_put_edits_and_training_back(page: Any, watch: Any, shoot: Any) -> None:
    net = open_app(page)
    initial = page.request.get(f"/api/networks/{net}").json()
    assert page.is_disabled("#btn-undo") and page.is_disabled("#btn-redo")
    press(page, "ArrowRight", 3)
    wait_position(page, 3)
    page.locator("#network-figure .annotation[data-index]").filter(has_text=re.compile(r"^-?\d|^−")).first.click()
    page.wait_for_selector("#weight-editor:not([hidden])")
    page.fill("#weight-input", "0.25")
    page.click("#weight-save")
    page.wait_for_selector("#btn-undo:not([disabled])")
    assert "w11 in layer 2" in (page.get_attribute("#btn-undo", "title") or "")
    # Ctrl+Z puts the weight back, Ctrl+Shift+Z the edit again
    page.keyboard.press("Control+z")
    api_until(page, net, lambda s: s["weights"] == initial["weights"], "undo restores the initial weights")
    page.wait_for_selector("#btn-redo:not([disabled])")
    page.keyboard.press("Control+Shift+Z")
    api_until(page, net, lambda s: s["weights"][0][0][0] == 0.25, "redo puts the edit back")
    page.wait_for_selector("#btn-redo[disabled]")
    # a training run is one step of the history
    page.fill("#train-iterations", "200")
    page.click("#train-start")
    page.wait_for_function("() => !document.getElementById('train-start').disabled && "
                           "document.getElementById('net-info').textContent.includes('iteration 200')", timeout=30_000)
    page.wait_for_selector("#btn-undo:not([disabled])")
    page.click("#btn-undo")
    back = api_until(page, net, lambda s: s["iteration"] == 0, "undo of the training run")
    assert back["weights"][0][0][0] == 0.25
    page.wait_for_function("() => document.getElementById('net-info').textContent.includes('iteration 0')")
    # reset: the initial weights again; undo brings the edited ones back
    page.click("#btn-reset")
    api_until(page, net, lambda s: s["weights"] == initial["weights"], "reset to the initial weights")
    page.wait_for_selector("#btn-undo:not([disabled])")
    shoot(page, "16-undo-reset")
    page.keyboard.press("Control+z")
    api_until(page, net, lambda s: s["weights"][0][0][0] == 0.25, "undo of the reset")
    assert watch.console_errors == [] and watch.page_errors == []


def test_clicking_a_node_goes_to_its_next_computation(page: Any) -> None:
    net = open_app(page)
    events = get_trace(page, net)["events"]
    # the output node a_1^3: its first computation is its z in the forward pass
    want = next(k for k, ev in enumerate(events) if node_of(ev) == "3:1") + 1
    point = page.evaluate(
        """() => {
        const plot = document.getElementById('network-figure-plot');
        const nodes = plot._fullData[1];
        const k = nodes.x.findIndex((x, n) => n === nodes.x.length - 1);
        const xa = plot._fullLayout.xaxis, ya = plot._fullLayout.yaxis;
        const box = plot.getBoundingClientRect();
        return [box.left + xa._offset + xa.l2p(nodes.x[k]), box.top + ya._offset + ya.l2p(nodes.y[k])];
    }"""
    )
    page.mouse.click(point[0], point[1])
    wait_position(page, want)
    assert fig(page)["highlightNode"] == "3:1"
    page.mouse.click(point[0], point[1])
    after = next(k for k, ev in enumerate(events) if k >= want and node_of(ev) == "3:1") + 1
    wait_position(page, after)


def test_node_counts_are_typed_up_to_the_servers_limit(page: Any) -> None:
    open_app(page)
    limit = page.request.get("/api/meta").json()["limits"]["max_nodes"]
    count = page.locator("#layer-list .layer-row").nth(1).locator("input.node-count")
    assert count.get_attribute("max") == str(limit)
    count.fill(str(limit + 50))
    count.press("Tab")
    assert page.locator("#layer-list .layer-row").nth(1).locator("input.node-count").input_value() == str(limit)
    count = page.locator("#layer-list .layer-row").nth(1).locator("input.node-count")
    count.fill("40")
    count.press("Tab")
    page.click("#editor-apply")
    page.wait_for_function("() => document.getElementById('network-figure').dataset.nodeCount === '43'", timeout=15_000)


THREE_CLASSES = (Path(__file__).parent / "three_classes.csv").read_text()


def test_class_labels_become_one_hot_and_a_saturating_network_is_named(page: Any, watch: Any, shoot: Any) -> None:
    old = open_app(page)
    rows = page.locator("#layer-list .layer-row")
    rows.nth(2).locator("input.node-count").fill("3")
    rows.nth(2).locator("input.node-count").press("Tab")
    page.locator("#layer-list .layer-row").nth(2).locator("select").select_option("softmax")
    page.select_option("#loss-select", "cross_entropy")
    page.select_option("#reduction-select", "sum")
    page.fill("#lr-input", "0.5")
    page.fill("#dataset-input", THREE_CLASSES)
    page.click("#editor-apply")
    page.wait_for_function("old => !location.search.includes(old)", arg=old, timeout=15_000)
    net = query(page)["net"]
    state = page.request.get(f"/api/networks/{net}").json()
    assert state["layers"] == [2, 2, 3]
    assert state["dataset"]["targets"][:3] == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert "class labels: 0 → output 1, 1 → output 2, 2 → output 3" in page.inner_text("#csv-hint")
    # the sum over 30 samples with η = 0.5 saturates the hidden layer: the page says so and what to try
    page.fill("#train-iterations", "1000")
    page.click("#train-start")
    page.wait_for_function("() => !document.getElementById('train-start').disabled && "
                           "document.getElementById('net-info').textContent.includes('iteration 1,000')",
                           timeout=60_000)
    note = page.locator("#health-note")
    note.wait_for(state="visible", timeout=10_000)
    text = note.inner_text()
    assert "mean over samples" in text and "smaller learning rate" in text
    shoot(page, "17-three-classes-saturated")
    assert watch.page_errors == []


def test_a_bias_is_drawn_and_edited_like_a_weight(page: Any, shoot: Any) -> None:
    net = open_app(page)
    page.locator("#network-figure .annotation[data-index]").filter(has_text=re.compile(r"^b ")).first.click()
    page.wait_for_selector("#weight-editor:not([hidden])")
    assert page.inner_text("#weight-save") == "Set bias"
    page.fill("#weight-input", "0.5")
    shoot(page, "18-bias-editor")
    page.click("#weight-save")
    page.wait_for_selector("#weight-editor", state="hidden")
    state = api_until(page, net, lambda s: 0.5 in [b for layer in s["biases"] for b in layer], "the bias is 0.5")
    assert state["biases"][0][0] == 0.5
    page.wait_for_selector("#btn-undo:not([disabled])")
    assert "b1 in layer 2" in (page.get_attribute("#btn-undo", "title") or "")


def test_a_step_on_a_big_network_recolours_nodes_in_place_and_hover_follows(page: Any, watch: Any, shoot: Any) -> None:
    data = {"inputs": [[round(0.1 * i - 0.8, 2) for i in range(16)]], "targets": [[float(i % 2) for i in range(16)]]}
    res = page.request.post("/api/networks", data={"layers": [16] * 6, "activations": "sigmoid", "dataset": data})
    assert res.status == 201, res.text()
    net = res.json()["id"]
    open_app(page, f"/?net={net}")
    events = get_trace(page, net)["events"]
    page.click(".phase-btn[data-phase=backward]")
    start = next(k for k, e in enumerate(events) if e["phase"] == "backward") + 1
    wait_position(page, start)
    # the first backward steps: ∂L/∂a of the output nodes, one after the other
    ev = events[start]
    assert ev["quantity"] == "grad_a" and ev["l"] == 6
    k = 5 * 16 + ev["j"] - 1  # that node's marker in the node trace
    point = "#network-figure-plot .scatterlayer .trace:nth-of-type(2) .point"
    fill = "(els, k) => els[k].style.fill"
    before = page.eval_on_selector_all(point, fill, k)
    traces = page.locator("#network-figure-plot .scatterlayer .trace")
    traces.nth(1).locator(".point").nth(k).hover(force=True)
    tip = page.locator("#network-figure-plot .hovertext").first
    tip.wait_for(state="visible", timeout=5_000)
    assert "∂L/∂a" not in (tip.text_content() or "")
    press(page, "ArrowRight")
    wait_position(page, start + 1)
    # Plotly did not redraw the node plot for this step (the view's measure says what it redrew) ...
    redrawn = page.evaluate("() => performance.getEntriesByName('deltaflow:step-render').at(-1).detail")
    assert redrawn["plotly"] == "none" and redrawn["edges"] is False
    # ... yet the node has its colour now, and the open hover label shows its new value
    assert page.eval_on_selector_all(point, fill, k) != before
    value = f"{ev['value']:.4f}".replace("-", "−")
    page.wait_for_function(
        "v => [...document.querySelectorAll('#network-figure-plot .hovertext')].some(e => e.textContent.includes(v))",
        arg=value,
        timeout=5_000,
    )
    assert "∂L/∂a" in (page.locator("#network-figure-plot .hovertext").first.text_content() or "")
    shoot(page, "19-big-network-hover")
    assert watch.console_errors == [] and watch.page_errors == []


def bias_labels(page: Any) -> dict[str, str]:
    """The figure's bias labels by node, "l:j" -> text, from the annotations' hover texts."""
    return page.evaluate(
        """() => Object.fromEntries(document.getElementById('network-figure-plot').layout.annotations
            .filter(a => a.captureevents && /b<sub>/.test(a.hovertext || ''))
            .map(a => {
              const m = a.hovertext.match(/b<sub>(\\d+)<\\/sub><sup>(\\d+)<\\/sup>/);
              return [`${m[2]}:${m[1]}`, a.text];
            }))"""
    )


def short(v: float) -> str:
    """A number as the figure's labels write it (models/format.js labelNum)."""
    a = abs(v)
    if a == 0:
        text = "0"
    elif a >= 1000:
        text = f"{v:.1e}".replace("e+0", "e").replace("e+", "e")
    elif a >= 0.095:
        text = f"{v:.2f}"
    elif a >= 1e-4:
        text = f"{v:.2g}"
    else:
        text = f"{v:.0e}"
    return text.replace("-", "−")


def test_every_bias_label_is_the_engines_value_at_its_position(page: Any) -> None:
    net = open_app(page, "/?sample=3")
    trace = get_trace(page, net, 3)
    events = trace["events"]
    start = page.request.get(f"/api/networks/{net}").json()["biases"]
    backward = next(k for k, ev in enumerate(events) if ev["phase"] == "backward")
    checked = 0
    for p in (backward + 1, len(events) - 3, len(events)):
        page.goto(f"/?net={net}&sample=3&step={p}")
        page.wait_for_selector(READY, timeout=PAGE_LOAD)
        wait_position(page, p)
        labels = bias_labels(page)
        phase = events[p - 1]["phase"]
        for node, text in labels.items():
            l, j = (int(x) for x in node.split(":"))
            mine = [ev for ev in events[:p] if (ev["l"], ev["j"]) == (l, j)]
            if phase == "backward":
                grads = [ev["value"] for ev in mine if ev["quantity"] == "grad_b"]
                assert grads, f"step {p}: b_{j}^{l} is labelled before its gradient is computed"
                assert text == f"∂L/∂b {short(grads[-1])}", (p, node, text)
            else:
                new = [ev["value"] for ev in mine if ev["quantity"] == "b"]
                assert text == f"b {short(new[-1] if new else start[l - 2][j - 1])}", (p, node, text)
            checked += 1
    assert checked >= 4


def test_adam_training_leaves_every_formula_typeset(page: Any, watch: Any, shoot: Any) -> None:
    res = page.request.post("/api/networks", data={"preset": "xor", "optimizer": "adam", "learning_rate": 0.1})
    assert res.status == 201, res.text()
    net = res.json()["id"]
    res = page.request.post(f"/api/networks/{net}/train", data={"iterations": 2000})
    assert res.status == 200, res.text()
    events = get_trace(page, net, 0)["events"]
    for p in (len(events) - 1, len(events)):
        page.goto(f"/?net={net}&sample=0&step={p}")
        page.wait_for_selector(READY, timeout=PAGE_LOAD)
        wait_position(page, p)
        page.wait_for_selector("#formula-math .katex")
        assert page.locator(".katex-error").count() == 0, formula_tex(page)
        assert "Adam" in (page.text_content("#formula-words") or "")
        assert "Gradient descent" not in (page.text_content("#formula") or "")
    shoot(page, "19-adam-update")
