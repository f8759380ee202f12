"""Strict requests: a boolean or a quoted number is never a number; an optimizer is a registry name; every 405
lists every method of its path."""

from __future__ import annotations

import pytest

from tests.networks.test_api import assert_names, url


@pytest.mark.parametrize(("body", "loc"), [
    ({"biases": [{"l": 2, "j": 1, "value": False}]}, ("body", "biases", 0, "value")),
    ({"weights": [{"l": 2, "j": 1, "i": 1, "value": True}]}, ("body", "weights", 0, "value")),
    ({"weights": [{"l": True, "j": 1, "i": 1, "value": 0.5}]}, ("body", "weights", 0, "l")),
    ({"learning_rate": True}, ("body", "learning_rate")),
    ({"learning_rate": "0.5"}, ("body", "learning_rate")),
    ({"dataset": {"inputs": [[True, 0]], "targets": [[1]]}}, ("body", "dataset", "inputs", 0, 0)),
])
def test_patch_refuses_booleans_and_strings_as_numbers(client, xor, body, loc):
    before = client.get(url(xor)).json()
    msg = assert_names(client.patch(url(xor), json=body), 422, *loc)
    assert "number" in msg or "integer" in msg
    assert "true, false" in msg
    assert client.get(url(xor)).json() == before


@pytest.mark.parametrize("field", ["learning_rate", "optimizer", "weights", "biases", "dataset", "restore"])
def test_patch_refuses_null_rather_than_ignoring_it(client, xor, field):
    before = client.get(url(xor)).json()
    msg = assert_names(client.patch(url(xor), json={field: None, "reset": True}), 422, "body", field)
    assert msg == "null is not a value here: leave the field out to keep it as it is"
    assert client.get(url(xor)).json() == before
    schema = client.get("/openapi.json").json()["components"]["schemas"]["NetworkPatch"]["properties"][field]
    assert "null" not in str(schema) and "None" not in str(schema), schema  # the schema does not offer null either


@pytest.mark.parametrize(("path", "body", "loc"), [
    ("", {"layers": [2, True, 1]}, ("body", "layers", 1)),
    ("", {"layers": [2, 1], "learning_rate": False}, ("body", "learning_rate")),
    ("", {"layers": [2, 1], "init": {"seed": True}}, ("body", "init", "seed")),
    ("", {"layers": [2, 1], "weights": [[[1, False]]]}, ("body", "weights", 0, 0, 1)),
    ("forward", {"input": [True, 0]}, ("body", "input", 0)),
    ("backward", {"sample": True}, ("body", "sample")),
    ("step", {"samples": [0, True]}, ("body", "samples")),
    ("train", {"iterations": True}, ("body", "iterations")),
    ("train", {"iterations": 10, "record_every": False}, ("body", "record_every")),
    ("predict", {"inputs": [[0, False]]}, ("body", "inputs", 0, 1)),
])
def test_no_endpoint_takes_a_boolean_for_a_number(client, xor, path, body, loc):
    target = "/api/networks" if not path else url(xor, path)
    assert_names(client.post(target, json=body), 422, *loc)


def test_integers_stay_valid_numbers(client, xor):
    r = client.patch(url(xor), json={"learning_rate": 1, "biases": [{"l": 2, "j": 1, "value": 0}]})
    assert r.status_code == 200, r.text
    assert r.json()["learning_rate"] == 1.0 and r.json()["biases"][0][0] == 0.0


def test_the_optimizer_defaults_to_sgd_and_is_stored(client, xor):
    assert xor["optimizer"] == {"name": "sgd"}
    r = client.post("/api/networks", json={"layers": [2, 1], "optimizer": {"name": "sgd"}})
    assert r.status_code == 201, r.text
    assert r.json()["optimizer"] == {"name": "sgd"}
    r = client.patch(url(xor), json={"optimizer": "sgd"})  # a bare name is the rule with its defaults
    assert r.status_code == 200 and r.json()["optimizer"] == {"name": "sgd"}
    assert client.get(url(xor)).json()["optimizer"] == {"name": "sgd"}


def test_an_unknown_optimizer_is_refused_naming_the_field(client, xor):
    msg = assert_names(client.post("/api/networks", json={"preset": "xor", "optimizer": "adamw9"}), 422,
                       "body", "optimizer")
    assert "sgd" in msg
    assert_names(client.patch(url(xor), json={"optimizer": "nope"}), 422, "body", "optimizer")


def test_a_record_stored_before_optimizers_existed_loads_as_sgd(client, xor, store):
    stored = store.get(xor["id"])
    old = {k: v for k, v in stored.state.items() if k != "optimizer"}
    assert store.replace(xor["id"], old, stored.version)
    r = client.get(url(xor))
    assert r.status_code == 200 and r.json()["optimizer"] == {"name": "sgd"}
    assert client.post(url(xor, "step"), json={"sample": 0}).status_code == 200
    assert store.get(xor["id"]).state["optimizer"] == {"name": "sgd"}


@pytest.mark.parametrize("method", ["OPTIONS", "PUT", "POST"])
def test_405_lists_every_method_of_the_network_path(client, xor, method):
    r = client.request(method, url(xor))
    assert r.status_code == 405
    assert {m.strip() for m in r.headers["allow"].split(",")} == {"GET", "HEAD", "PATCH", "DELETE"}


def test_405_lists_the_methods_of_other_paths_too(client, xor):
    r = client.get(url(xor, "step"))
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    r = client.delete("/api/networks")
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    r = client.post("/api/meta")
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD"


def test_integer_fields_follow_json_schema_integers(client, xor):
    # JSON Schema's integer admits 2.0; a fraction, a boolean or a string is refused naming the field
    r = client.post(url(xor, "train"), json={"iterations": 2.0})
    assert r.status_code == 200, r.text
    assert r.json()["iteration"] == 2
    assert_names(client.post(url(xor, "train"), json={"iterations": 2.5}), 422, "body", "iterations")
    assert_names(client.post(url(xor, "train"), json={"iterations": "2"}), 422, "body", "iterations")


def test_trace_takes_one_sample_only(client, xor):
    msg = assert_names(client.post(url(xor, "trace"), json={"samples": [0]}), 422, "body", "samples")
    assert "one sample" in msg
    r = client.post(url(xor, "trace"), json={"sample": 1.0})
    assert r.status_code == 200, r.text
