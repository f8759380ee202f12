"""POST /graph and /nudge over HTTP on a real store: the graph's δ and ∂L/∂w are /backward's, the chain rule holds
at every node, a nudge leaves the network as it was and its error shrinks like ε², and what each refuses."""

from __future__ import annotations

import dataclasses

import pytest

from app import deps
from app.config import Settings
from app.main import app
from app.networks.admission import gate_for

SOFTMAX_NET = {"layers": [2, 3, 3], "activations": ["tanh", "softmax"], "loss": "cross_entropy",
               "reduction": "mean", "init": {"seed": 4},
               "dataset": {"inputs": [[0.5, -1.0], [1.0, 2.0]], "targets": [[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]]}}


def url(net: dict, action: str) -> str:
    return f"/api/networks/{net['id']}/{action}"


def refused(r, status: int, *loc) -> str:
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    if status != 422:
        return str(detail)
    assert any(tuple(item["loc"])[: len(loc)] == loc for item in detail), (loc, detail)
    return " ".join(item["msg"] for item in detail)


def test_graph_matches_backward_and_the_chain_rule(client, xor):
    r = client.post(url(xor, "graph"), json={"sample": 1})
    assert r.status_code == 200, r.text
    nodes = r.json()["nodes"]
    back = client.post(url(xor, "backward"), json={"sample": 1}).json()
    by = {(n["op"], n["l"], n["j"], n["i"]): n for n in nodes}
    for layer in back["layers"][1:]:
        l = layer["l"]
        for j, delta in enumerate(layer["delta"], start=1):
            assert by[("sum", l, j, None)]["grad"] == delta
            for i, g in enumerate(layer["grad_w"][j - 1], start=1):
                assert by[("weight", l, j, i)]["grad"] == g
    loss = nodes[-1]
    assert (loss["op"], loss["l"], loss["j"], loss["i"], loss["grad"]) == ("loss", None, None, None, 1.0)
    assert loss["value"] == back["loss"]
    assert {n["op"] for n in nodes} == {"input", "weight", "bias", "mul", "sum", "activation", "target", "loss"}


@pytest.mark.parametrize("body", [{"sample": 0}, {"input": [0.3, 0.1], "target": [0.1, 0.1, 0.8]}])
def test_softmax_graph_obeys_the_chain_rule(client, body):
    net = client.post("/api/networks", json=SOFTMAX_NET).json()
    r = client.post(url(net, "graph"), json=body)
    assert r.status_code == 200, r.text
    nodes = r.json()["nodes"]
    total = [0.0] * len(nodes)
    for node in nodes:
        for src, local in zip(node["inputs"], node["local"], strict=True):
            total[src] += node["grad"] * local
    for node in nodes[:-1]:
        assert total[node["id"]] == pytest.approx(node["grad"], rel=1e-9, abs=1e-12), node


def test_a_nudge_changes_nothing_and_its_error_shrinks_like_epsilon_squared(client, store, xor):
    before, version = client.get(f"/api/networks/{xor['id']}").json(), store.get(xor["id"]).version
    errors, gradient = [], None
    for eps in (1e-2, 1e-3, 1e-4):
        r = client.post(url(xor, "nudge"), json={"l": 2, "j": 1, "i": 2, "epsilon": eps, "samples": "all"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"loss_before", "loss_after", "delta_loss", "gradient", "predicted"}
        assert body["predicted"] == body["gradient"] * eps
        errors.append(abs(body["delta_loss"] - body["predicted"]))
        gradient = body["gradient"]
    for big, small in zip(errors, errors[1:], strict=False):
        assert big / small == pytest.approx(100, rel=0.1)
    back = client.post(url(xor, "backward"), json={"samples": "all"}).json()
    assert gradient == back["gradients"][0]["grad_w"][0][1]
    h = 1e-5
    up, down = (client.post(url(xor, "nudge"), json={"l": 2, "j": 1, "i": 2, "epsilon": e, "samples": "all"}).json()
                for e in (h, -h))
    assert gradient == pytest.approx((up["loss_after"] - down["loss_after"]) / (2 * h), rel=1e-7)
    assert up["loss_before"] == back["loss"]
    assert client.get(f"/api/networks/{xor['id']}").json() == before
    assert store.get(xor["id"]).version == version


def test_a_bias_nudge_and_a_mean_reduction(client):
    net = client.post("/api/networks", json=SOFTMAX_NET).json()
    r = client.post(url(net, "nudge"), json={"l": 3, "j": 2, "epsilon": 0.5, "samples": [0, 1]})
    assert r.status_code == 200, r.text
    back = client.post(url(net, "backward"), json={"samples": [0, 1]}).json()
    assert r.json()["gradient"] == back["gradients"][1]["grad_b"][1]
    assert r.json()["loss_before"] == back["loss"]


def test_graph_and_nudge_refuse_what_they_cannot_do(client, xor):
    for action, body in (("graph", {"sample": 0}), ("nudge", {"l": 2, "j": 1, "epsilon": 0.1, "sample": 0})):
        refused(client.post(f"/api/networks/{'x' * 22}/{action}", json=body), 404)
        assert "rows 0..3" in refused(client.post(url(xor, action), json={**body, "sample": 4}), 422, "body", "sample")
    refused(client.post(url(xor, "graph"), json={"samples": "all"}), 422, "body", "samples")
    refused(client.post(url(xor, "graph"), json={"input": [0, 1]}), 422, "body", "target")
    nudge = {"epsilon": 0.1, "sample": 0}
    assert "from 2 to 3" in refused(client.post(url(xor, "nudge"), json={**nudge, "l": 4, "j": 1}), 422, "body", "l")
    assert "1 to 2" in refused(client.post(url(xor, "nudge"), json={**nudge, "l": 2, "j": 3}), 422, "body", "j")
    assert "1 to 2" in refused(client.post(url(xor, "nudge"), json={**nudge, "l": 3, "j": 1, "i": 3}), 422, "body", "i")
    refused(client.post(url(xor, "nudge"), json={**nudge, "l": 1, "j": 1}), 422, "body", "l")
    refused(client.post(url(xor, "nudge"), json={"l": 2, "j": 1, "sample": 0}), 422, "body", "epsilon")
    refused(client.post(url(xor, "nudge"), json={**nudge, "l": 2, "j": 1, "epsilon": 1e7}), 422, "body", "epsilon")
    linear = client.post("/api/networks", json={"layers": [1, 1], "activations": "linear"}).json()
    body = {"l": 2, "j": 1, "i": 1, "epsilon": 1e6, "input": [1e300], "target": [0]}
    assert "overflowed" in refused(client.post(url(linear, "nudge"), json=body), 422, "body")
    assert "overflowed" in refused(client.post(url(linear, "graph"), json={"input": [1e300], "target": [0]}), 422)


def test_a_network_too_large_for_a_graph_is_refused(client):
    big = client.post("/api/networks", json={"layers": [2, 256, 256, 1]}).json()
    msg = refused(client.post(url(big, "graph"), json={"input": [0, 0], "target": [0]}), 422, "body")
    assert "smaller network" in msg


def test_a_nudge_over_the_work_budget_is_refused(client, xor):
    app.dependency_overrides[deps.settings_dep] = lambda: dataclasses.replace(Settings(), max_train_work=100_000)
    try:
        msg = refused(client.post(url(xor, "nudge"), json={"l": 2, "j": 1, "epsilon": 0.1, "samples": "all"}),
                      422, "body", "samples")
    finally:
        app.dependency_overrides.pop(deps.settings_dep, None)
    assert "fewer rows" in msg


def test_graph_and_nudge_wait_at_the_admission_gate(client, xor):
    """With the gate held, both answer 503 busy: they are priced and admitted like the other heavy requests."""
    tight = dataclasses.replace(Settings(), gate_capacity=7, gate_wait_seconds=0.0, max_train_work=10_000_000,
                                max_trace_events=100)
    app.dependency_overrides[deps.settings_dep] = lambda: tight
    gate = gate_for(tight.gate_capacity)
    held = gate.try_acquire(tight.gate_capacity)
    assert held is not None
    try:
        for action, body in (("graph", {"sample": 0}), ("nudge", {"l": 2, "j": 1, "epsilon": 0.1, "samples": "all"})):
            r = client.post(url(xor, action), json=body)
            assert r.status_code == 503, (action, r.text)
            assert r.headers["retry-after"].isdigit() and "busy" in r.json()["detail"]
        gate.release(held)
        held = None
        assert client.post(url(xor, "graph"), json={"sample": 0}).status_code == 200
    finally:
        if held is not None:
            gate.release(held)
        app.dependency_overrides.pop(deps.settings_dep, None)
