"""Property tests with extreme numbers: huge and tiny weights, exploding learning rates, inputs of 1e300, one-node
layers. Whatever hypothesis builds, the API answers 2xx or a documented 4xx (never 5xx), never puts NaN or infinity
into JSON, and a diverging network is marked `diverged` with a message and keeps its last finite weights.

In-process (the real app and a real SQLite file, no mocks) so that hundreds of networks take seconds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import deps
from app.engine import network as nn
from app.engine.training import train
from app.main import app
from app.store.sqlite import SQLiteStore

EXTREME = [0.0, 1e-300, -1e-300, 5e-324, 1e-8, 1.0, -1.0, 1e8, -1e8, 1e150, -1e150, 1e154, -1e154, 1e300, -1e300,
           1.7e308, -1.7e308]
floats = st.one_of(st.sampled_from(EXTREME), st.floats(-1e308, 1e308, allow_nan=False, allow_infinity=False))
HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def strict_json(text: str) -> Any:
    """json.loads that refuses NaN and Infinity, which Python's json would otherwise accept."""
    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} in a response")
    return json.loads(text, parse_constant=refuse)


def all_finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(all_finite(v) for v in value)
    if isinstance(value, dict):
        return all(all_finite(v) for v in value.values())
    return True


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    store = SQLiteStore(str(Path(tmp_path_factory.mktemp("extremes")) / "extremes.db"))
    app.dependency_overrides[deps.get_store] = lambda: store
    with TestClient(app, base_url="http://localhost", raise_server_exceptions=False) as client:
        yield client
    app.dependency_overrides.pop(deps.get_store, None)


@st.composite
def networks(draw: st.DrawFn) -> dict[str, Any]:
    """A create body with extreme parameters, data and learning rate; one-node layers are common."""
    layers = draw(st.lists(st.integers(1, 3), min_size=2, max_size=4))
    cross_entropy = draw(st.booleans())
    out = draw(st.sampled_from(["sigmoid", "softmax"] if cross_entropy else HIDDEN + ["sigmoid", "softmax"]))
    activations = [draw(st.sampled_from(HIDDEN)) for _ in layers[1:-1]] + [out]
    weights = [[[draw(floats) for _ in range(n_in)] for _ in range(n_out)]
               for n_in, n_out in zip(layers, layers[1:], strict=False)]
    biases = [[draw(floats) for _ in range(n_out)] for n_out in layers[1:]]
    rows = draw(st.integers(1, 3))
    target = st.floats(0, 1) if cross_entropy else floats
    dataset = {"inputs": [[draw(floats) for _ in range(layers[0])] for _ in range(rows)],
               "targets": [[draw(target) for _ in range(layers[-1])] for _ in range(rows)]}
    return {"layers": layers, "activations": activations, "loss": "cross_entropy" if cross_entropy else "mse",
            "reduction": draw(st.sampled_from(["sum", "mean"])),
            "learning_rate": draw(st.sampled_from([1e-300, 0.5, 10.0, 100.0])),
            "weights": weights, "biases": biases, "dataset": dataset}


def call(api: TestClient, method: str, url: str, body: Any = None, ok: tuple[int, ...] = (200,)) -> Any:
    r = api.request(method, url, json=body)
    assert r.status_code in ok + (422,), (method, url, r.status_code, r.text[:500])
    payload = strict_json(r.text)
    if r.status_code == 422:
        # a refusal names the field and the rule
        assert payload["detail"] and all(d["loc"] and d["msg"] for d in payload["detail"]), payload
        return None
    assert all_finite(payload)
    return payload


@SETTINGS
@given(spec=networks())
def test_every_endpoint_survives_extreme_numbers(api: TestClient, spec: dict[str, Any]) -> None:
    created = call(api, "POST", "/api/networks", spec, ok=(201,))
    if created is None:
        return  # e.g. an output activation the loss does not allow: refused with a message
    base = f"/api/networks/{created['id']}"
    for suffix, body in [("/forward", {"sample": 0}), ("/forward", {"samples": "all"}),
                         ("/backward", {"samples": "all"}), ("/trace", {"sample": 0}), ("/gradcheck", {"sample": 0}),
                         ("/predict", {"inputs": spec["dataset"]["inputs"]})]:
        result = call(api, "POST", base + suffix, body)
        if result is None:
            assert "overflowed" in api.post(base + suffix, json=body).text
    before = call(api, "GET", base)
    stepped = call(api, "POST", base + "/step", {"samples": "all"})
    after = call(api, "GET", base)
    if stepped is not None and stepped["diverged"]:
        assert stepped["message"] and after["diverged"] and after["message"]
        assert after["weights"] == before["weights"] and after["iteration"] == before["iteration"]
    trained = call(api, "POST", base + "/train", {"iterations": 50, "record_every": 10})
    final = call(api, "GET", base)
    assert trained is not None  # training never refuses a finite network: divergence is an answer, not an error
    assert final["weights"] == trained["weights"] and final["biases"] == trained["biases"]
    if trained["diverged"]:
        assert trained["message"] and "diverged" in trained["message"]
        assert final["diverged"] and final["message"] == trained["message"]


@SETTINGS
@given(rate=st.floats(1.0, 100.0), scale=st.sampled_from([1.0, 10.0, 100.0]), seed=st.integers(0, 2**32))
def test_divergence_keeps_the_last_finite_weights(rate: float, scale: float, seed: int) -> None:
    """Engine level: train stops at the last finite iteration, and those weights replay exactly."""
    layers = [1, 3, 1]
    w, b = nn.initial_parameters(layers, "uniform", scale, seed)
    x, t = np.array([[1e150], [-3.0]]), np.array([[1e150], [2.0]])
    net = nn.Network(layers, ["linear", "linear"], w, b, "mse", "sum", rate)
    start = net.copy()
    result = train(net, x, t, 200)
    assert net.is_finite()
    assert all(math.isfinite(loss) for _, loss in result.loss_history)
    assert all(np.isfinite(out).all() for _, out in result.snapshots)
    if result.diverged:
        # the message names the first iteration whose values overflow: 0 when the starting loss already does
        first_bad = result.iterations_done + 1 if nn.healthy(start, x, t)[0] else 0
        assert result.message and f"iteration {first_bad}" in result.message
        # the kept weights are exactly those after iterations_done steps, and one more step overflows
        replay = start.copy()
        for _ in range(result.iterations_done):
            nn.step(replay, x, t)
        for kept, again in zip(net.weights, replay.weights, strict=True):
            np.testing.assert_array_equal(kept, again)
        nn.step(replay, x, t)
        assert not replay.is_finite() or not math.isfinite(nn.dataset_loss(replay, x, t))


def test_refusals_on_empty_and_overflowing_input(api: TestClient) -> None:
    net = call(api, "POST", "/api/networks", {"preset": "xor"}, ok=(201,))
    base = f"/api/networks/{net['id']}"
    r = api.post(base + "/forward", json={"samples": []})
    assert r.status_code == 422 and "at least one row" in r.text
    r = api.patch(base, json={"dataset": {"inputs": [], "targets": []}})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:3] == ["body", "dataset", "inputs"]
    huge = call(api, "POST", "/api/networks", {"layers": [1, 1], "activations": "linear", "weights": [[[1e300]]]},
                ok=(201,))
    r = api.post(f"/api/networks/{huge['id']}/backward", json={"input": [1e300], "target": [0]})
    assert r.status_code == 422 and "overflowed" in r.text
    r = api.post(base + "/forward", content=b'{"input": [NaN, 1], "target": [1]}',
                 headers={"content-type": "application/json"})
    assert r.status_code == 422
    r = api.post(base + "/forward", content=b'{"input": [1e999, 1]}', headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_an_update_that_overflows_is_refused_by_trace_and_marks_step_diverged(api: TestClient) -> None:
    """Loss and gradients are finite (∂L/∂w = 1e308) but η ∂L/∂w is not: the update overflows."""
    net = call(api, "POST", "/api/networks", {"layers": [1, 1], "activations": "linear", "weights": [[[1.0]]],
                                               "biases": [[0.0]], "learning_rate": 100}, ok=(201,))
    base = f"/api/networks/{net['id']}"
    body = {"input": [1e154], "target": [0]}
    r = api.post(base + "/trace", json=body)
    assert r.status_code == 422, r.text
    assert "lower the learning rate" in r.text
    stepped = call(api, "POST", base + "/step", body)
    assert stepped["diverged"] and "lower the learning rate" in stepped["message"].lower()
    assert stepped["weights"] == [[[1.0]]] and stepped["iteration"] == 0
