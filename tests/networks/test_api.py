"""Every endpoint and every error path through the real app over HTTP, on a real store."""

from __future__ import annotations

import json
import math

import pytest
from fastapi.testclient import TestClient

from app import deps
from app.main import app
from app.store.sqlite import SQLiteStore


def url(net: dict, action: str = "") -> str:
    return f"/api/networks/{net['id']}" + (f"/{action}" if action else "")


def assert_names(r, status: int, *loc) -> str:
    """The error answers `status` and names the field `loc`; returns the message."""
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    if status != 422:
        assert isinstance(detail, str) and detail
        return detail
    locs = [tuple(item["loc"]) for item in detail]
    assert any(l[: len(loc)] == loc for l in locs), (loc, locs)
    return detail[0]["msg"]


def test_health(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_presets_list_the_lecture_example_and_data_sets(client):
    r = client.get("/api/presets")
    assert r.status_code == 200
    names = {p["name"]: p for p in r.json()}
    assert {"xor", "and", "or", "circles", "moons", "spiral"} <= set(names)
    assert names["xor"]["layers"] == [2, 2, 1]
    assert names["xor"]["learning_rate"] == 0.5
    assert all(p["description"] for p in names.values())


def test_create_from_preset(client, xor):
    assert len(xor["id"]) >= 22
    assert xor["layers"] == [2, 2, 1]
    assert xor["activations"] == ["sigmoid", "sigmoid"]
    assert xor["loss"] == "mse" and xor["reduction"] == "sum"
    assert xor["iteration"] == 0 and xor["diverged"] is False
    assert xor["dataset"]["targets"] == [[0.0], [1.0], [1.0], [0.0]]
    assert "token" not in xor or xor["token"] is None
    got = client.get(url(xor))
    assert got.status_code == 200
    assert got.json()["weights"] == xor["weights"]


def test_ids_are_unguessable(client):
    ids = {client.post("/api/networks", json={"preset": "and"}).json()["id"] for _ in range(5)}
    assert len(ids) == 5
    assert all(len(i) >= 22 for i in ids)  # 22 url-safe characters carry 132 bits


def test_create_with_explicit_spec_and_weights(client):
    body = {
        "layers": [2, 2, 2], "activations": ["sigmoid", "sigmoid"], "loss": "mse", "learning_rate": 0.5,
        "weights": [[[0.15, 0.2], [0.25, 0.3]], [[0.4, 0.45], [0.5, 0.55]]],
        "biases": [[0.35, 0.35], [0.6, 0.6]],
        "dataset": {"inputs": [[0.05, 0.1]], "targets": [[0.01, 0.99]]},
    }
    r = client.post("/api/networks", json=body)
    assert r.status_code == 201, r.text
    net = r.json()
    assert net["weights"] == body["weights"]
    # the well-known worked example: total error 0.298371109 before the first update
    fwd = client.post(url(net, "forward"), json={"sample": 0})
    assert fwd.status_code == 200
    assert fwd.json()["loss"] == pytest.approx(0.298371109, abs=1e-9)
    assert fwd.json()["layers"][1]["z"][0] == pytest.approx(0.3775)
    step = client.post(url(net, "step"), json={"sample": 0})
    assert step.status_code == 200
    assert step.json()["weights"][1][0][0] == pytest.approx(0.35891648, abs=1e-8)
    assert step.json()["weights"][0][0][0] == pytest.approx(0.149780716, abs=1e-9)


def test_preset_fields_can_be_overridden(client):
    r = client.post("/api/networks", json={"preset": "xor", "learning_rate": 2.0, "init": {"seed": 5}})
    assert r.status_code == 201, r.text
    assert r.json()["learning_rate"] == 2.0
    assert r.json()["init"]["seed"] == 5


def test_same_seed_same_weights(client):
    a = client.post("/api/networks", json={"layers": [3, 4, 2], "init": {"scheme": "he", "seed": 9}}).json()
    b = client.post("/api/networks", json={"layers": [3, 4, 2], "init": {"scheme": "he", "seed": 9}}).json()
    assert a["weights"] == b["weights"] and a["id"] != b["id"]


def test_forward_single_and_explicit_input(client, xor):
    r = client.post(url(xor, "forward"), json={"input": [1, 0]})
    assert r.status_code == 200
    body = r.json()
    assert [layer["l"] for layer in body["layers"]] == [1, 2, 3]
    assert body["layers"][0]["a"] == [1.0, 0.0]
    assert body["loss"] is None and len(body["output"]) == 1
    assert 0 < body["output"][0] < 1
    with_target = client.post(url(xor, "forward"), json={"input": [1, 0], "target": [1]}).json()
    assert with_target["loss"] == pytest.approx(0.5 * (with_target["output"][0] - 1) ** 2, rel=1e-15)


def test_backward_single_sample_fields(client, xor):
    r = client.post(url(xor, "backward"), json={"sample": 2})
    assert r.status_code == 200
    layers = r.json()["layers"]
    assert set(layers[0]) >= {"l", "a", "grad_a"}
    assert len(layers[1]["grad_w"]) == 2 and len(layers[1]["grad_w"][0]) == 2
    assert len(layers[2]["grad_w"]) == 1 and len(layers[2]["grad_w"][0]) == 2
    # ∂L/∂w_ji^l = a_i^{l-1} δ_j^l, straight from the returned numbers
    a_hidden, delta_out = layers[1]["a"], layers[2]["delta"]
    assert layers[2]["grad_w"][0][1] == pytest.approx(a_hidden[1] * delta_out[0], rel=1e-15)
    assert layers[2]["grad_b"] == layers[2]["delta"]


def test_batch_backward_reduces_over_samples(client, xor):
    whole = client.post(url(xor, "backward"), json={"samples": "all"})
    assert whole.status_code == 200
    body = whole.json()
    assert body["samples"] == [0, 1, 2, 3] and len(body["per_sample"]) == 4
    singles = [client.post(url(xor, "backward"), json={"sample": k}).json() for k in range(4)]
    assert body["loss"] == pytest.approx(sum(s["loss"] for s in singles), rel=1e-14)
    total = sum(s["layers"][2]["grad_w"][0][0] for s in singles)
    assert body["gradients"][1]["grad_w"][0][0] == pytest.approx(total, rel=1e-12)
    pair = client.post(url(xor, "forward"), json={"samples": [0, 2]}).json()
    assert pair["samples"] == [0, 2] and len(pair["outputs"]) == 2


def test_step_stores_the_update(client, xor):
    before = client.post(url(xor, "backward"), json={"samples": "all"}).json()
    r = client.post(url(xor, "step"), json={"samples": "all"})
    assert r.status_code == 200
    body = r.json()
    assert body["iteration"] == 1
    assert body["backward"]["gradients"] == before["gradients"]
    g = before["gradients"][0]["grad_w"][0][1]
    assert body["weights"][0][0][1] == xor["weights"][0][0][1] - 0.5 * g
    assert body["loss_after"] < before["loss"]
    assert client.get(url(xor)).json()["weights"] == body["weights"]


def test_train_gives_the_lecture_table(client, xor):
    r = client.post(url(xor, "train"), json={"iterations": 10000, "mode": "batch", "record_every": 1000})
    assert r.status_code == 200
    body = r.json()
    assert body["iteration"] == 10000
    snaps = {s["iteration"]: s["outputs"] for s in body["snapshots"]}
    assert sorted(snaps) == list(range(0, 10001, 1000))
    assert all(abs(o[0] - 0.5) < 0.1 for o in snaps[0])
    assert all(abs(o[0] - t) < 0.1 for o, t in zip(snaps[10000], [0, 1, 1, 0], strict=True))
    assert body["loss_history"][0][0] == 0 and body["loss_history"][-1][0] == 10000
    again = client.post(url(xor, "train"), json={"iterations": 10, "mode": "online"}).json()
    assert again["iteration"] == 10010


def test_trace_endpoint(client, xor):
    r = client.post(url(xor, "trace"), json={"sample": 1})
    assert r.status_code == 200
    body = r.json()
    assert body["input"] == [0.0, 1.0] and body["target"] == [1.0]
    events = body["events"]
    assert len(events) == 35
    first = events[0]
    assert set(first) == {"id", "phase", "quantity", "l", "j", "i", "value", "symbol", "latex", "depends_on",
                          "optional"}
    assert [e["phase"] for e in events][:2] == ["forward", "forward"]
    loss = next(e for e in events if e["quantity"] == "loss")
    assert loss["value"] == body["loss"]
    assert client.get(url(xor)).json()["iteration"] == 0  # tracing shows the update without storing it


def test_gradcheck_endpoint(client, xor):
    r = client.post(url(xor, "gradcheck"), json={"samples": "all"})
    assert r.status_code == 200
    assert r.json()["ok"] is True
    assert r.json()["max_rel_error"] < 1e-6


def test_patch_weights_learning_rate_and_dataset(client, xor):
    r = client.patch(url(xor), json={"learning_rate": 0.25, "weights": [{"l": 3, "j": 1, "i": 2, "value": 0.125}],
                                     "biases": [{"l": 2, "j": 2, "value": -1.5}]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["learning_rate"] == 0.25
    assert body["weights"][1][0][1] == 0.125
    assert body["biases"][0][1] == -1.5
    data = {"inputs": [[0, 0], [1, 1]], "targets": [[1], [0]]}
    r = client.patch(url(xor), json={"dataset": data})
    assert r.status_code == 200
    assert client.get(url(xor)).json()["dataset"]["targets"] == [[1.0], [0.0]]


def test_delete_then_404_like_never_existed(client, xor):
    r = client.delete(url(xor))
    assert r.status_code == 204
    gone = client.get(url(xor))
    never = client.get("/api/networks/AAAAAAAAAAAAAAAAAAAAAA")
    assert gone.status_code == never.status_code == 404
    assert gone.json() == never.json()
    assert client.delete(url(xor)).status_code == 404
    assert client.post(url(xor, "step"), json={"sample": 0}).status_code == 404


def test_full_precision_round_trips(client):
    w = [[[0.1 + 2**-52, 1 / 3]], [[math.pi]]]
    r = client.post("/api/networks", json={"layers": [2, 1, 1], "weights": w})
    assert r.status_code == 201
    assert client.get(url(r.json())).json()["weights"] == w


@pytest.mark.parametrize("body,loc,words", [
    ({"layers": [2]}, ("body", "layers"), "at least 2"),
    ({"layers": [2, 0, 1]}, ("body", "layers", 1), "greater than or equal"),
    ({"layers": [2] * 11}, ("body", "layers"), "at most 10 layers"),
    ({"layers": [2, 257, 1]}, ("body", "layers", 1), "at most 256"),
    ({"layers": [2, 2, 1], "activations": "swish"}, ("body", "activations"), ""),
    ({"layers": [2, 2, 1], "activations": ["softmax", "sigmoid"]}, ("body", "activations", 0), "output layer only"),
    ({"layers": [2, 2, 1], "activations": ["sigmoid"]}, ("body", "activations"), "one activation per layer"),
    ({"layers": [2, 2, 1], "loss": "cross_entropy", "activations": "tanh"}, ("body", "loss"), "sigmoid or softmax"),
    ({"layers": [2, 1], "learning_rate": 0}, ("body", "learning_rate"), "greater than 0"),
    ({"layers": [2, 1], "learning_rate": 101}, ("body", "learning_rate"), "less than or equal to 100"),
    ({"preset": "nope"}, ("body", "preset"), "unknown preset"),
    ({"learning_rate": 0.5}, ("body", "layers"), "required"),
    ({"layers": [2, 1], "weights": [[[1, 2, 3]]]}, ("body", "weights", 0, 0), "2 entries"),
    ({"layers": [2, 1], "weights": [[[1, 2]], [[1]]]}, ("body", "weights"), "expected 1"),
    ({"layers": [2, 1], "biases": [[1, 2]]}, ("body", "biases", 0), "1 entries"),
    ({"layers": [2, 1], "dataset": {"inputs": [[1, 2]], "targets": [[1], [0]]}}, ("body", "dataset", "targets"),
     "one target row"),
    ({"layers": [2, 1], "dataset": {"inputs": [[1]], "targets": [[1]]}}, ("body", "dataset", "inputs", 0), "2 values"),
    ({"layers": [2, 1], "init": {"scheme": "magic"}}, ("body", "init", "scheme"), ""),
    ({"layers": [2, 1], "colour": "red"}, ("body", "colour"), "not permitted"),
])
def test_create_refusals_name_field_and_rule(client, body, loc, words):
    msg = assert_names(client.post("/api/networks", json=body), 422, *loc)
    assert words.lower() in msg.lower()


def test_non_finite_numbers_are_refused(client):
    raw = '{"layers": [2, 1], "weights": [[[NaN, 1]]]}'
    r = client.post("/api/networks", content=raw, headers={"content-type": "application/json"})
    assert_names(r, 422, "body", "weights")
    r = client.post("/api/networks", content='{"layers": [2, 1], "learning_rate": 1e400}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_malformed_json_is_a_422_not_a_500(client):
    r = client.post("/api/networks", content="{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert "json" in json.dumps(r.json()).lower()


@pytest.mark.parametrize("action,body,loc,words", [
    ("forward", {}, ("body",), "exactly one"),
    ("forward", {"sample": 0, "input": [1, 2]}, ("body",), "exactly one"),
    ("forward", {"sample": 4}, ("body", "sample"), "rows 0..3"),
    ("forward", {"input": [1]}, ("body", "input"), "2 entries"),
    ("backward", {"input": [1, 0]}, ("body", "target"), "required"),
    ("backward", {"input": [1, 0], "target": [1, 2]}, ("body", "target"), "1 entries"),
    ("backward", {"samples": []}, ("body", "samples"), "at least one"),
    ("backward", {"samples": [0, 9]}, ("body", "samples", 1), "does not exist"),
    ("trace", {"samples": "all"}, ("body", "samples"), "one sample"),
    ("step", {"sample": -1}, ("body", "sample"), "greater than or equal"),
    ("train", {"iterations": 0}, ("body", "iterations"), "greater than or equal"),
    ("train", {"iterations": 100001}, ("body", "iterations"), "at most 100000"),
    ("train", {"iterations": 10, "mode": "sideways"}, ("body", "mode"), ""),
])
def test_computation_refusals_name_field_and_rule(client, xor, action, body, loc, words):
    msg = assert_names(client.post(url(xor, action), json=body), 422, *loc)
    assert words.lower() in msg.lower()


@pytest.mark.parametrize("edit,loc", [
    ({"weights": [{"l": 4, "j": 1, "i": 1, "value": 1}]}, ("body", "weights", 0)),
    ({"weights": [{"l": 2, "j": 3, "i": 1, "value": 1}]}, ("body", "weights", 0)),
    ({"weights": [{"l": 1, "j": 1, "i": 1, "value": 1}]}, ("body", "weights", 0, "l")),
    ({"biases": [{"l": 3, "j": 2, "value": 1}]}, ("body", "biases", 0)),
    ({"learning_rate": -1}, ("body", "learning_rate")),
    ({"dataset": {"inputs": [[1, 2, 3]], "targets": [[1]]}}, ("body", "dataset", "inputs", 0)),
])
def test_patch_refusals_keep_the_stored_network(client, xor, edit, loc):
    assert_names(client.patch(url(xor), json=edit), 422, *loc)
    assert client.get(url(xor)).json() == {k: v for k, v in xor.items() if k not in ("token", "warnings")}


def test_no_dataset_means_no_training(client):
    net = client.post("/api/networks", json={"layers": [2, 1]}).json()
    assert_names(client.post(url(net, "train"), json={"iterations": 5}), 422, "body")
    assert_names(client.post(url(net, "forward"), json={"sample": 0}), 422, "body", "sample")


def test_overflowing_input_is_refused_without_nan(client, xor):
    r = client.post(url(xor, "backward"), json={"input": [1e300, -1e300], "target": [1]})
    assert r.status_code in (200, 422)
    assert "NaN" not in r.text and "Infinity" not in r.text
    lin = client.post("/api/networks", json={"layers": [1, 1], "activations": "linear", "weights": [[[1e300]]]}).json()
    r = client.post(url(lin, "forward"), json={"input": [1e300]})
    assert_names(r, 422, "body")
    assert "overflow" in r.json()["detail"][0]["msg"]


def test_divergence_is_reported_not_a_server_error(client):
    net = client.post("/api/networks", json={
        "layers": [1, 1], "activations": "linear", "learning_rate": 100,
        "dataset": {"inputs": [[1e100]], "targets": [[1]]}}).json()
    r = client.post(url(net, "train"), json={"iterations": 100})
    assert r.status_code == 200
    body = r.json()
    assert body["diverged"] is True and "learning rate" in body["message"]
    state = client.get(url(net)).json()
    assert state["diverged"] is True
    assert all(math.isfinite(v) for row in state["weights"][0] for v in row)
    # lowering the learning rate clears the flag
    assert client.patch(url(net), json={"learning_rate": 1e-210}).json()["diverged"] is False


def test_body_over_one_megabyte_is_refused(client):
    net = client.post("/api/networks", json={"layers": [2, 1]}).json()
    big = json.dumps({"dataset": {"inputs": [[0.123456789, 0.5]] * 60000, "targets": [[1]] * 60000}})
    assert len(big) > 1_000_000
    r = client.patch(url(net), content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert "too large" in r.json()["detail"]


def test_openapi_declares_errors_and_examples(client):
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ["/api/networks", "/api/networks/{network_id}/step", "/api/networks/{network_id}/trace"]:
        for op in paths[path].values():
            assert "422" in op["responses"], path
    assert "404" in paths["/api/networks/{network_id}"]["get"]["responses"]
    assert "examples" in json.dumps(spec["components"]["schemas"]["NetworkCreate"])
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "http" not in docs.text.lower()  # no CDN: the reference works in an offline classroom
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_a_restart_on_the_same_database_finds_the_network(db_path):
    app.dependency_overrides[deps.get_store] = lambda: SQLiteStore(db_path)
    try:
        with TestClient(app, base_url="http://localhost") as first:
            net = first.post("/api/networks", json={"preset": "xor"}).json()
            first.post(url(net, "train"), json={"iterations": 50})
        restarted = SQLiteStore(db_path)
        app.dependency_overrides[deps.get_store] = lambda: restarted
        with TestClient(app, base_url="http://localhost") as second:
            r = second.get(url(net))
            assert r.status_code == 200
            assert r.json()["iteration"] == 50
    finally:
        app.dependency_overrides.pop(deps.get_store, None)
