"""State round-trips: GET /api/networks/{id}'s answer posted back to POST /api/networks makes an equal network (a
new id, owned by whoever posted it), up to the largest network the limits allow; and the copy goes on exactly as
the original does."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.config import get_settings

SAME = ("preset", "layers", "activations", "loss", "reduction", "learning_rate", "optimizer", "optimizer_state",
        "init", "train_biases", "weights", "biases", "iteration", "dataset", "protected")


def _post_back(client: TestClient, state: dict) -> dict:
    r = client.post("/api/networks", content=json.dumps(state), headers={"content-type": "application/json"})
    assert r.status_code == 201, r.text[:500]
    return r.json()


def _bearer(net: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {net['token']}"}


@pytest.mark.parametrize("optimizer", ["sgd", {"name": "momentum", "momentum": 0.8}, "adam"])
def test_a_trained_network_posted_back_is_equal_and_goes_on_the_same(client: TestClient, optimizer: object) -> None:
    made = client.post("/api/networks", json={"preset": "xor", "optimizer": optimizer, "protected": True}).json()
    base = f"/api/networks/{made['id']}"
    assert client.post(base + "/train", json={"iterations": 7}, headers=_bearer(made)).status_code == 200
    state = client.get(base).json()
    assert state["iteration"] == 7 and (state["optimizer_state"] != {}) == (optimizer != "sgd")

    copy = _post_back(client, state)
    assert copy["id"] != state["id"]
    assert {k: copy[k] for k in SAME} == {k: state[k] for k in SAME}
    assert client.get(f"/api/networks/{copy['id']}").json() == {**state, "id": copy["id"]}
    # owned by the poster: its own token works on the copy, the original's does not
    assert copy["token"] and copy["token"] != made["token"]
    assert client.post(f"/api/networks/{copy['id']}/step", json={"sample": 0},
                       headers=_bearer(made)).status_code == 403
    after = [client.post(f"/api/networks/{net['id']}/step", json={"samples": "all"}, headers=_bearer(net)).json()
             for net in (made, copy)]
    assert after[0] == after[1]  # the optimizer's state came along: the next update is the same, bit for bit


def test_the_largest_network_round_trips(client: TestClient) -> None:
    limits = get_settings()
    layers = [256, 256, 132, 1]  # 99,849 parameters, Adam's state twice as many numbers again
    assert sum(a * b + b for a, b in zip(layers, layers[1:], strict=False)) <= limits.max_parameters
    rng = np.random.default_rng(3)
    rows = limits.max_dataset_values // 257  # the most numbers a data set may hold, each at full precision
    data = {"inputs": rng.standard_normal((rows, 256)).tolist(), "targets": rng.random((rows, 1)).tolist()}
    made = client.post("/api/networks", json={"layers": layers, "activations": "tanh", "optimizer": "adam",
                                              "learning_rate": 0.001, "dataset": data})
    assert made.status_code == 201, made.text[:300]
    base = f"/api/networks/{made.json()['id']}"
    assert client.post(base + "/train", json={"iterations": 1}).status_code == 200
    got = client.get(base)
    assert limits.max_body_bytes < len(got.content) < limits.max_network_body_bytes
    copy = _post_back(client, got.json())
    again = client.get(f"/api/networks/{copy['id']}").json()
    assert again == {**got.json(), "id": copy["id"]}


def test_only_creating_a_network_takes_the_larger_body(client: TestClient, xor: dict) -> None:
    limits = get_settings()
    big = b'{"learning_rate": 0.1, "pad": "' + b"a" * limits.max_body_bytes + b'"}'
    r = client.patch(f"/api/networks/{xor['id']}", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    r = client.post("/api/networks", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 422  # read, and refused for its unknown field
    huge = b'{"pad": "' + b"a" * limits.max_network_body_bytes + b'"}'
    r = client.post("/api/networks", content=huge, headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_a_state_that_does_not_fit_the_network_is_refused_naming_the_field(client: TestClient) -> None:
    state = client.get(f"/api/networks/{client.post('/api/networks', json={'preset': 'xor'}).json()['id']}").json()
    r = client.post("/api/networks", json={**state, "optimizer_state": {"m": [0.0] * 9}})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "optimizer_state", "m"]
    adam = {**state, "optimizer": {"name": "adam"}, "optimizer_state": {"m": [0.0] * 9, "v": [0.0] * 3}}
    r = client.post("/api/networks", json=adam)
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "optimizer_state", "v"]


def test_a_data_set_holds_at_most_max_dataset_values_numbers(client: TestClient) -> None:
    n = get_settings().max_dataset_values // 6 + 1  # rows of 5 inputs and a target, under max_samples
    r = client.post("/api/networks", json={"layers": [5, 1],
                                           "dataset": {"inputs": [[0] * 5] * n, "targets": [[0]] * n}})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "dataset"]
    assert f"at most {get_settings().max_dataset_values} numbers" in r.json()["detail"][0]["msg"]
