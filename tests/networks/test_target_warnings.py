"""Targets the output activation cannot reach: create and PATCH still succeed and say which row and column."""

from __future__ import annotations

from app.engine.functions import ACTIVATIONS

XOR_INPUTS = [[0, 0], [0, 1], [1, 0], [1, 1]]


def test_a_preset_answers_an_empty_warnings_list(client, xor):
    assert xor["warnings"] == []


def test_create_warns_of_a_class_label_a_sigmoid_cannot_reach(client):
    r = client.post("/api/networks", json={"preset": "xor", "dataset": {
        "inputs": XOR_INPUTS, "targets": [[0], [1], [2], [1]]}})
    assert r.status_code == 201, r.text
    assert r.json()["warnings"] == ["row 3, y = 2: a sigmoid output lies in (0, 1)"]
    assert r.json()["dataset"]["targets"][2] == [2.0]  # legal mathematics: the data set is kept as sent


def test_patch_warns_with_the_same_words_and_names_the_column(client):
    r = client.post("/api/networks", json={"layers": [2, 2], "activations": "tanh"})
    assert r.status_code == 201, r.text
    assert r.json()["warnings"] == []
    r = client.patch(f"/api/networks/{r.json()['id']}", json={"dataset": {
        "inputs": [[0, 0], [1, 1]], "targets": [[0.5, -1], [1.5, -3]]}})
    assert r.status_code == 200, r.text
    assert r.json()["warnings"] == ["row 2, y1 = 1.5: a tanh output lies in (−1, 1)",
                                    "row 2, y2 = -3: a tanh output lies in (−1, 1)"]


def test_patch_without_a_data_set_answers_an_empty_list(client, xor):
    r = client.patch(f"/api/networks/{xor['id']}", json={"learning_rate": 0.1})
    assert r.status_code == 200, r.text
    assert r.json()["warnings"] == []


def test_relu_reaches_zero_and_above_and_linear_reaches_anything(client):
    body = {"layers": [1, 1], "activations": "relu", "dataset": {"inputs": [[0], [1]], "targets": [[0], [-0.5]]}}
    r = client.post("/api/networks", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["warnings"] == ["row 2, y = -0.5: a relu output lies in [0, ∞)"]
    r = client.post("/api/networks", json={**body, "activations": "linear"})
    assert r.status_code == 201, r.text
    assert r.json()["warnings"] == []


def test_softmax_rows_must_sum_to_one(client):
    r = client.post("/api/networks", json={
        "layers": [1, 2], "activations": "softmax", "loss": "cross_entropy",
        "dataset": {"inputs": [[0], [1], [2]], "targets": [[1, 0], [0.5, 0.25], [0, 1]]}})
    assert r.status_code == 201, r.text
    assert r.json()["warnings"] == ["row 2, y1 + … + y2 = 0.75: softmax outputs sum to 1"]


def test_a_large_data_set_answers_ten_warnings_and_a_count(client):
    n = 5000
    r = client.post("/api/networks", json={"layers": [1, 1], "activations": "sigmoid", "dataset": {
        "inputs": [[k] for k in range(n)], "targets": [[2]] * n}})
    assert r.status_code == 201, r.text
    warnings = r.json()["warnings"]
    assert len(warnings) == 11
    assert warnings[0] == "row 1, y = 2: a sigmoid output lies in (0, 1)"
    assert warnings[-1] == f"and {n - 10} more"


def test_meta_carries_each_activations_range_from_the_registry(client):
    r = client.get("/api/meta")
    assert r.status_code == 200, r.text
    by_name = {a["name"]: a for a in r.json()["activations"]}
    assert by_name["sigmoid"]["reach_text"] == "(0, 1)"
    assert by_name["softmax"]["sums_to_one"] is True
    assert {n: a["reach_text"] for n, a in by_name.items()} == {n: a.reach_text for n, a in ACTIVATIONS.items()}
