"""Optimizers with state, mini-batches, gradient norms, the loss landscape and per-parameter gradient checks,
through the API on both stores."""

from __future__ import annotations

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app import deps
from app.engine import network as nn
from app.main import app
from app.store.sqlite import SQLiteStore
from tests.engine.test_optimizers import ScalarAdam, ScalarMomentum, independent_run
from tests.networks.test_api import assert_names, url

XOR = {"inputs": [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], "targets": [[0.0], [1.0], [1.0], [0.0]]}


def create(client, **spec):
    body = {"layers": [2, 3, 1], "activations": ["tanh", "sigmoid"], "learning_rate": 0.1,
            "init": {"scheme": "uniform", "scale": 1.0, "seed": 11}, "dataset": XOR, **spec}
    r = client.post("/api/networks", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def engine_net(state) -> nn.Network:
    opt = dict(state["optimizer"])
    name = opt.pop("name")
    return nn.Network(state["layers"], state["activations"], [np.array(w) for w in state["weights"]],
                      [np.array(b) for b in state["biases"]], state["loss"], state["reduction"], state["learning_rate"],
                      optimizer=name, optimizer_settings=opt)


@pytest.mark.parametrize("optimizer,oracle", [
    ({"name": "momentum", "momentum": 0.9}, lambda lr: ScalarMomentum(0.9, lr)),
    ({"name": "adam"}, lambda lr: ScalarAdam(0.9, 0.999, 1e-8, lr)),
    ({"name": "adam", "beta1": 0.8, "beta2": 0.99, "eps": 1e-6}, lambda lr: ScalarAdam(0.8, 0.99, 1e-6, lr)),
])
def test_optimizers_agree_with_an_independent_implementation_over_100_steps_in_several_calls(client, optimizer,
                                                                                                oracle):
    net = create(client, optimizer=optimizer)
    expected = independent_run(engine_net(net), oracle(0.1), 100)
    for _ in range(10):
        assert client.post(url(net, "step"), json={"samples": "all"}).status_code == 200
    for chunk in (30, 20, 40):
        assert client.post(url(net, "train"), json={"iterations": chunk}).status_code == 200
    state = client.get(url(net)).json()
    assert state["iteration"] == 100
    assert state["optimizer"]["name"] == optimizer["name"]
    for got, want in zip(state["weights"] + state["biases"], expected.weights + expected.biases, strict=True):
        np.testing.assert_allclose(np.array(got), want, rtol=0, atol=1e-10)
    assert state["optimizer_state"]  # the state is in the network's export


def test_the_state_shows_every_hyperparameter_and_patch_changes_them_keeping_or_resetting_the_state(client):
    net = create(client, optimizer="momentum")
    assert net["optimizer"] == {"name": "momentum", "momentum": 0.9} and net["optimizer_state"] == {}
    client.post(url(net, "step"), json={"samples": "all"})
    v = client.get(url(net)).json()["optimizer_state"]["v"]
    assert len(v) == 13 and any(v)  # 9 weights and 4 biases
    r = client.patch(url(net), json={"optimizer": {"name": "momentum", "momentum": 0.5}})
    assert r.status_code == 200 and r.json()["optimizer"] == {"name": "momentum", "momentum": 0.5}
    assert r.json()["optimizer_state"]["v"] == v  # the same rule keeps its velocity
    r = client.patch(url(net), json={"optimizer": {"name": "sgd"}})
    assert r.json()["optimizer"] == {"name": "sgd"} and r.json()["optimizer_state"] == {}


@pytest.mark.parametrize("optimizer,loc,rule", [
    ({"name": "momentum", "momentum": 1.0}, ("body", "optimizer", "momentum"), "[0, 1)"),
    ({"name": "adam", "eps": 0}, ("body", "optimizer", "eps"), "(0, 1]"),
    ({"name": "sgd", "beta1": 0.9}, ("body", "optimizer", "beta1"), "sgd has no hyper-parameter"),
    ({"name": "adam", "beta2": True}, ("body", "optimizer"), ""),
])
def test_bad_hyperparameters_are_refused_naming_them(client, optimizer, loc, rule):
    before = create(client)
    msg = assert_names(client.post("/api/networks", json={"preset": "xor", "optimizer": optimizer}), 422, *loc)
    patched = client.patch(url(before), json={"optimizer": optimizer})
    assert_names(patched, 422, *loc)
    assert rule in msg or rule in str(patched.json())
    assert client.get(url(before)).json()["optimizer"] == {"name": "sgd"}  # nothing stored changed


def test_the_optimizer_state_survives_a_restart(db_path):
    app.dependency_overrides[deps.get_store] = lambda: SQLiteStore(db_path)
    try:
        with TestClient(app, base_url="http://localhost") as first:
            net = create(first, optimizer="adam")
            first.post(url(net, "train"), json={"iterations": 5})
            before = first.get(url(net)).json()["optimizer_state"]
        restarted = SQLiteStore(db_path)
        app.dependency_overrides[deps.get_store] = lambda: restarted
        with TestClient(app, base_url="http://localhost") as second:
            assert second.get(url(net)).json()["optimizer_state"] == before
            assert before["t"] == [5.0]
    finally:
        app.dependency_overrides.pop(deps.get_store, None)


def test_minibatch_training_needs_its_batch_size_and_counts_epochs(client):
    net = create(client)
    assert_names(client.post(url(net, "train"), json={"iterations": 2, "mode": "minibatch"}), 422, "body", "batch_size")
    assert_names(client.post(url(net, "train"), json={"iterations": 2, "batch_size": 2}), 422, "body", "batch_size")
    r = client.post(url(net, "train"), json={"iterations": 3, "mode": "minibatch", "batch_size": 3, "seed": 7})
    assert r.status_code == 200, r.text
    assert r.json()["iteration"] == 3 and r.json()["gradient_norms"] is None
    # the same run by hand: epoch e's order from (seed, e), one step per batch of 3
    hand = engine_net(net)
    x, t = np.array(XOR["inputs"]), np.array(XOR["targets"])
    for epoch in range(3):
        order = np.random.default_rng([7, epoch]).permutation(4)
        for at in (0, 3):
            nn.step(hand, x[order[at : at + 3]], t[order[at : at + 3]])
    assert r.json()["weights"] == [w.tolist() for w in hand.weights]


def test_gradient_norms_start_with_what_backward_gives_on_the_batch(client):
    net = create(client)
    back = client.post(url(net, "backward"), json={"samples": "all"}).json()
    r = client.post(url(net, "train"), json={"iterations": 40, "record_every": 10, "gradient_norms": True})
    norms = r.json()["gradient_norms"]
    assert [n["iteration"] for n in norms] == [0, 10, 20, 30, 40]
    first = norms[0]["layers"]
    for layer, grads in zip(first, back["gradients"], strict=True):
        assert layer["l"] == grads["l"]
        assert layer["grad_w"] == pytest.approx(np.linalg.norm(grads["grad_w"]), rel=1e-12)
    deltas = [np.array([s["layers"][k + 1]["delta"] for s in back["per_sample"]]) for k in range(2)]  # l = 2, 3
    assert first[0]["delta"] == pytest.approx(np.linalg.norm(deltas[0]), rel=1e-12)
    assert_names(client.post(url(net, "train"), json={"iterations": 1, "gradient_norms": 1}), 422, "body",
                 "gradient_norms")


def test_the_landscape_centre_is_the_networks_loss_bit_for_bit(client):
    net = create(client)
    body = {"x": {"l": 2, "j": 1, "i": 1}, "y": {"l": 3, "j": 1, "i": 2}, "span": 2.0, "resolution": 21}
    r = client.post(url(net, "landscape"), json=body)
    assert r.status_code == 200, r.text
    land = r.json()
    assert len(land["x_values"]) == len(land["y_values"]) == 21 and len(land["loss"]) == 21
    assert land["x_values"][10] == net["weights"][0][0][0] and land["y_values"][10] == net["weights"][1][0][1]
    loss = client.post(url(net, "forward"), json={"samples": "all"}).json()["loss"]
    assert land["loss"][10][10] == loss
    assert land["x_values"][0] == pytest.approx(net["weights"][0][0][0] - 2.0)
    bias = client.post(url(net, "landscape"), json={**body, "y": {"l": 2, "j": 2}, "resolution": 5})
    assert bias.json()["y_values"][2] == net["biases"][0][1]


@pytest.mark.parametrize("change,loc", [
    ({"resolution": 20}, ("body", "resolution")),
    ({"resolution": 103}, ("body", "resolution")),
    ({"x": {"l": 4, "j": 1, "i": 1}}, ("body", "x", "l")),
    ({"y": {"l": 2, "j": 1, "i": 7}}, ("body", "y", "i")),
    ({"span": 0}, ("body", "span")),
    ({"x": {"l": 3, "j": 1, "i": 2}}, ("body", "y")),
])
def test_the_landscape_refuses_bad_requests_naming_the_field(client, change, loc):
    net = create(client)
    body = {"x": {"l": 2, "j": 1, "i": 1}, "y": {"l": 3, "j": 1, "i": 2}, "span": 2.0, "resolution": 21, **change}
    assert_names(client.post(url(net, "landscape"), json=body), 422, *loc)


def test_gradcheck_reports_every_parameter_with_its_difference_quotient(client):
    net = create(client)
    r = client.post(url(net, "gradcheck"), json={"samples": "all"})
    assert r.status_code == 200, r.text
    check = r.json()
    assert check["ok"] and len(check["parameters"]) == 13
    back = client.post(url(net, "backward"), json={"samples": "all"}).json()["gradients"]
    w111 = check["parameters"][0]
    assert (w111["l"], w111["j"], w111["i"]) == (2, 1, 1)
    assert w111["backprop"] == back[0]["grad_w"][0][0]
    assert w111["numeric"] == (w111["loss_plus"] - w111["loss_minus"]) / (2 * check["h"])
    assert w111["numeric"] == pytest.approx(w111["backprop"], rel=1e-6)
    bias = next(p for p in check["parameters"] if p["i"] is None)
    assert (bias["l"], bias["j"]) == (2, 1)


def test_reset_draws_the_initial_weights_again_and_clears_progress(client):
    net = create(client, optimizer="momentum")
    client.post(url(net, "train"), json={"iterations": 20})
    r = client.patch(url(net), json={"reset": True})
    assert r.status_code == 200, r.text
    state = r.json()
    assert state["weights"] == net["weights"] and state["biases"] == net["biases"]
    assert state["iteration"] == 0 and state["optimizer_state"] == {}


def test_restore_puts_back_an_earlier_state_and_checks_its_shapes(client):
    net = create(client, optimizer="adam")
    client.post(url(net, "train"), json={"iterations": 3})
    earlier = client.get(url(net)).json()
    client.post(url(net, "train"), json={"iterations": 5})
    keep = {k: earlier[k] for k in ("weights", "biases", "iteration", "optimizer_state")}
    r = client.patch(url(net), json={"restore": keep})
    assert r.status_code == 200, r.text
    assert {k: r.json()[k] for k in keep} == keep
    # the next train continues exactly as the earlier network would have
    again = client.post(url(net, "train"), json={"iterations": 5}).json()["weights"]
    twin = create(client, optimizer="adam")
    client.post(url(twin, "train"), json={"iterations": 8})
    assert again == client.get(url(twin)).json()["weights"]
    bad = {**keep, "weights": keep["weights"][:1]}
    assert_names(client.patch(url(net), json={"restore": bad}), 422, "body", "restore", "weights")
    wrong = {**keep, "optimizer_state": {"velocity": [0.0] * 13}}
    assert_names(client.patch(url(net), json={"restore": wrong}), 422, "body", "restore", "optimizer_state", "velocity")
    assert_names(client.patch(url(net), json={"restore": keep, "reset": True}), 422, "body", "restore")


def test_the_xor_preset_carries_the_lectures_table(client):
    presets = {p["name"]: p for p in client.get("/api/presets").json()}
    ref = presets["xor"]["reference"]
    assert ref["iterations"] == [0, 1000, 2000, 3000, 5000, 10000]
    assert ref["outputs"][3] == [[0.30], [0.81], [0.81], [0.11]]
    assert presets["and"]["reference"] is None
