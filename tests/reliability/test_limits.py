"""Limits: refused before any work with a message naming the field and the way to split; the worst accepted
request of each kind finishes within 10 s on a real server (times and peak memory go to test-artifacts/limits.json).
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.engine.trace import event_count
from app.errors import ApiError
from app.networks import limits
from tests.support import ROOT, Process

S = Settings()
ACCEPT_SECONDS = 10.0
REFUSE_SECONDS = 1.0  # refusals happen before the work: a request that would take minutes answers at once
RESULTS = ROOT / "test-artifacts" / "limits.json"


def _msg(r: httpx.Response) -> str:
    detail = r.json()["detail"]
    return detail if isinstance(detail, str) else " | ".join(f"{d['loc']}: {d['msg']}" for d in detail)


def _refused(r: httpx.Response, status: int, *words: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    text = _msg(r)
    for word in words:
        assert word in text, text
    return r.json()


def _create(http: httpx.Client, body: dict[str, Any]) -> str:
    r = http.post("/api/networks", json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


# ---- refusals ----------------------------------------------------------------------------------------------------

def test_body_over_1_mb_is_413_by_length_and_by_streaming(http: httpx.Client) -> None:
    big = b'{"preset": "xor", "x": "' + b"a" * S.max_body_bytes + b'"}'
    _refused(http.post("/api/networks", content=big, headers={"content-type": "application/json"}), 413, "too large")

    def chunks() -> Any:  # no Content-Length: the limit is counted while the body streams in
        for _ in range(S.max_body_bytes // 65536 + 2):
            yield b" " * 65536

    r = http.post("/api/networks", content=chunks(), headers={"content-type": "application/json"})
    _refused(r, 413, "too large")
    assert r.headers["x-content-type-options"] == "nosniff"


def test_shape_limits_name_the_field(http: httpx.Client) -> None:
    body = _refused(http.post("/api/networks", json={"layers": [2] * (S.max_layers + 1)}), 422, "at most 10 layers")
    assert body["detail"][0]["loc"] == ["body", "layers"]
    body = _refused(http.post("/api/networks", json={"layers": [2, S.max_nodes + 1, 1]}), 422, "at most 256 nodes")
    assert body["detail"][0]["loc"] == ["body", "layers", 1]
    _refused(http.post("/api/networks", json={"layers": [256, 256, 256, 1]}), 422, "weights and biases", "narrower")


def test_sample_and_iteration_limits(http: httpx.Client) -> None:
    n = S.max_samples + 1
    data = {"inputs": [[0]] * n, "targets": [[0]] * n}
    body = _refused(http.post("/api/networks", json={"layers": [1, 1], "dataset": data}), 422, "at most 100000 samples")
    assert body["detail"][0]["loc"] == ["body", "dataset", "inputs"]
    net = _create(http, {"preset": "xor"})
    body = _refused(http.post(f"/api/networks/{net}/train", json={"iterations": S.max_iterations + 1}), 422,
                    "at most 100000 iterations", "several times")
    assert body["detail"][0]["loc"] == ["body", "iterations"]


def test_refusals_come_before_the_work(http: httpx.Client) -> None:
    """Each of these would run for minutes or answer gigabytes if it were accepted."""
    deep = _create(http, {"layers": [1, 100, 100, 100, 100, 100, 100, 100, 100, 1]})
    rows = 2000
    assert http.patch(f"/api/networks/{deep}",
                      json={"dataset": {"inputs": [[0.5]] * rows, "targets": [[1]] * rows}}).status_code == 200
    cases = [
        ("post", f"/api/networks/{deep}/train", {"iterations": 100_000}, "iterations", "call /train repeatedly"),
        ("post", f"/api/networks/{deep}/train", {"iterations": 100_000, "mode": "online"}, "iterations",
         "iterations per call"),
        ("post", f"/api/networks/{deep}/backward", {"samples": "all"}, "samples", "per call"),
        ("post", f"/api/networks/{deep}/step", {"samples": list(range(1000))}, "samples", "rows per call"),
        ("post", f"/api/networks/{deep}/gradcheck", {"samples": "all"}, "", "too slow"),
    ]
    tiny = _create(http, {"layers": [1, 256], "dataset": {"inputs": [[0]] * 50, "targets": [[0] * 256] * 50}})
    cases.append(("post", f"/api/networks/{tiny}/train", {"iterations": 2000, "record_every": 1}, "record_every",
                  "record_every to"))
    cases.append(("post", f"/api/networks/{tiny}/predict", {"inputs": [[0]] * 5000}, "inputs", "rows per call"))
    trace_big = _create(http, {"layers": [2, 256, 256, 1]})
    cases.append(("post", f"/api/networks/{trace_big}/trace", {"input": [0, 0], "target": [0]}, "",
                  "trace a smaller network"))
    for method, url, body, field, words in cases:
        t0 = time.perf_counter()
        r = http.request(method.upper(), url, json=body)
        elapsed = time.perf_counter() - t0
        detail = _refused(r, 422, words)["detail"][0]
        if field:
            assert detail["loc"][:2] == ["body", field], (url, detail)
        assert elapsed < REFUSE_SECONDS, (url, elapsed)
    hopeless = _create(http, {"layers": [1, 256, 256, 1]})
    rows = 100_000
    assert http.patch(f"/api/networks/{hopeless}",
                      json={"dataset": {"inputs": [[0]] * rows, "targets": [[1]] * rows}}).status_code == 200
    _refused(http.post(f"/api/networks/{hopeless}/train", json={"iterations": 1}), 422, "even one batch iteration")


# ---- the worst accepted requests ------------------------------------------------------------------------------

def _rows(state: dict[str, Any]) -> int:
    return len(state["dataset"]["inputs"]) if state.get("dataset") else 0


def _largest(state: dict[str, Any], mode: str, record_every: int | None = None) -> int:
    """The most iterations train accepts for this network and data set."""
    return limits.largest_iterations(state["layers"], _rows(state), S.max_iterations, mode, record_every, None, S)


def _largest_gradcheck(shape: Any) -> list[int]:
    """The widest network of this shape whose one-sample gradient check is accepted."""
    best = [1, 1]
    for h in range(1, S.max_nodes + 1):
        try:
            limits.check_gradcheck(shape(h), 1, S)
        except ApiError:
            break
        best = shape(h)
    return best


def _dataset(n_in: int, n_out: int, rows: int) -> dict[str, Any]:
    return {"inputs": [[(r // 2) % 2] * n_in for r in range(rows)], "targets": [[r % 2] * n_out for r in range(rows)]}


@pytest.mark.slow
def test_worst_accepted_requests_finish_within_10_s(spawn: Any) -> None:
    server: Process = spawn(name="limits")
    results: list[dict[str, Any]] = []
    with httpx.Client(base_url=server.url, timeout=120) as http:

        def timed(label: str, method: str, url: str, body: Any | None = None) -> httpx.Response:
            t0 = time.perf_counter()
            r = http.request(method, url, json=body)
            elapsed = time.perf_counter() - t0
            assert r.status_code in (200, 201), (label, r.text[:300])
            results.append({"request": label, "seconds": round(elapsed, 2),
                            "response_mb": round(len(r.content) / 1e6, 2),
                            "server_peak_rss_mb": round(server.rss_bytes(peak=True) / 2**20)})
            print(f"{elapsed:6.2f} s  rss {results[-1]['server_peak_rss_mb']:5d} MB  {label}", flush=True)
            assert elapsed < ACCEPT_SECONDS, (label, elapsed)
            return r

        # the most parameters a network may have, in two shapes: wide and shallow, narrow and deep
        wide = [256, 256, 132]
        deep = [1] + [105] * 8 + [1]
        assert limits.parameter_count(wide) <= S.max_parameters and limits.parameter_count(deep) <= S.max_parameters
        w = timed(f"create {wide} ({limits.parameter_count(wide)} parameters)", "POST", "/api/networks",
                  {"layers": wide, "init": {"scheme": "xavier"}}).json()["id"]
        timed("read it", "GET", f"/api/networks/{w}")
        timed("step it on one sample", "POST", f"/api/networks/{w}/step", {"input": [0.5] * 256, "target": [0.5] * 132})
        d = timed(f"create {deep[:3]}...x8 ({limits.parameter_count(deep)} parameters)", "POST", "/api/networks",
                  {"layers": deep, "init": {"scheme": "xavier"}}).json()["id"]
        rows = 100_000  # the most samples, 1 input and 1 output each: the largest data set a 1 MB body carries
        timed(f"PATCH a {rows}-sample data set", "PATCH", f"/api/networks/{d}", {"dataset": _dataset(1, 1, rows)})
        fit = S.max_response_values // (4 * sum(deep))
        timed(f"step on {fit} samples with per-sample details", "POST", f"/api/networks/{d}/step",
              {"samples": list(range(fit))})
        timed(f"predict {S.max_predict_rows} rows", "POST", f"/api/networks/{d}/predict",
              {"inputs": [[0.5]] * S.max_predict_rows})
        for shape in (lambda h: [1] + [h] * 8 + [1], lambda h: [2, h, 1], lambda h: [h, h, 1]):
            layers = _largest_gradcheck(shape)
            g = timed(f"create {layers} for gradcheck", "POST", "/api/networks",
                      {"layers": layers, "dataset": _dataset(layers[0], 1, 1)}).json()["id"]
            timed(f"gradcheck {layers} ({limits.parameter_count(layers)} parameters)", "POST",
                  f"/api/networks/{g}/gradcheck", {"sample": 0})

        # trace: the largest network whose trace stays within max_trace_events
        tl = max(([2, h, h, 1] for h in range(1, S.max_nodes + 1) if event_count([2, h, h, 1]) <= S.max_trace_events),
                 key=lambda ls: ls[1])
        t = timed(f"create {tl} for trace", "POST", "/api/networks", {"layers": tl}).json()["id"]
        timed("trace it", "POST", f"/api/networks/{t}/trace", {"input": [0.5, 0.5], "target": [1]})

        # train at the edge of the work budget, for the shapes where each part of the cost model dominates
        for layers, n, mode, record_every in [
            ([1] * 10, 1, "batch", None),  # numpy's per-call overhead
            ([1] * 10, 1, "batch", 1),  # a snapshot of every iteration
            ([2, 2, 1], 4, "online", None),  # per-sample steps
            ([1] * 10, 100, "online", None),
            ([1, 64, 64, 1], 10_000, "batch", None),
            ([8, 105, 105, 105, 105, 105, 105, 105, 105, 1], 2_000, "batch", None),  # multiply-adds
            ([256, 256, 132], 20, "batch", None),
        ]:
            net = timed(f"create {layers}", "POST", "/api/networks",
                        {"layers": layers, "dataset": _dataset(layers[0], layers[-1], n)}).json()
            iterations = _largest(net, mode, record_every)
            assert iterations >= 1
            timed(f"train {layers} on {n} samples, {mode}, {iterations} iterations"
                  + (f", record_every {record_every}" if record_every else ""),
                  "POST", f"/api/networks/{net['id']}/train",
                  {"iterations": iterations, "mode": mode, **({"record_every": record_every} if record_every else {})})

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1))


def test_malformed_bodies_are_refused_not_crashed_on(http: httpx.Client) -> None:
    """Deep nesting (a recursion bomb for a JSON parser), bad UTF-8, truncated JSON, wrong media type: all 4xx JSON."""
    net = _create(http, {"preset": "xor"})
    bodies = [b"[" * 200_000, b'{"layers":' + b"[" * 100_000, b'{"input": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
              b"\xff\xfe\xfa", b'{"preset": "xor"', b"", b"null", b"1e999999"]
    for url in ("/api/networks", f"/api/networks/{net}/step", f"/api/networks/{net}/train"):
        for body in bodies:
            r = http.post(url, content=body, headers={"content-type": "application/json"})
            assert r.status_code in (400, 422), (url, body[:20], r.status_code, r.text[:200])
            assert isinstance(r.json()["detail"], str | list)
    r = http.post("/api/networks", content=b"preset=xor", headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 422
    assert http.get(f"/api/networks/{net}").json()["iteration"] == 0
