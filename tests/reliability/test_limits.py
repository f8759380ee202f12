"""Limits: refused with a message naming the field and the way to split; the worst accepted request of each kind
is answered by a real server (its time against the 10 s promise is measured by `python -m bench --only limits`).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.config import Settings
from bench.limits import worst_accepted
from tests.support import Process

S = Settings()


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
    url = f"/api/networks/{_create(http, {'preset': 'xor'})}/forward"
    big = b'{"sample": 0, "x": "' + b"a" * S.max_body_bytes + b'"}'
    _refused(http.post(url, content=big, headers={"content-type": "application/json"}), 413, "too large")

    def chunks(limit: int) -> Any:  # no Content-Length: the limit is counted while the body streams in
        for _ in range(limit // 65536 + 2):
            yield b" " * 65536

    r = http.post(url, content=chunks(S.max_body_bytes), headers={"content-type": "application/json"})
    _refused(r, 413, "too large")
    # creating a network takes a larger body (a network's state posted back), and refuses one past it
    r = http.post("/api/networks", content=chunks(S.max_network_body_bytes),
                  headers={"content-type": "application/json"})
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
    """Each of these would run for minutes or answer gigabytes if it were accepted: a 422 means it never ran."""
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
        detail = _refused(http.request(method.upper(), url, json=body), 422, words)["detail"][0]
        if field:
            assert detail["loc"][:2] == ["body", field], (url, detail)
    hopeless = _create(http, {"layers": [1, 256, 256, 1]})
    rows = 100_000
    assert http.patch(f"/api/networks/{hopeless}",
                      json={"dataset": {"inputs": [[0]] * rows, "targets": [[1]] * rows}}).status_code == 200
    _refused(http.post(f"/api/networks/{hopeless}/train", json={"iterations": 1}), 422, "even one batch iteration")


# ---- the worst accepted requests ------------------------------------------------------------------------------

@pytest.mark.slow
def test_worst_accepted_requests_are_answered(spawn: Any) -> None:
    """The largest request of each kind that the limits accept is answered; `python -m bench --only limits` times
    the same requests against the 10 s promise."""
    server: Process = spawn(name="limits")
    answered: list[str] = []
    with httpx.Client(base_url=server.url, timeout=300) as http:

        def call(label: str, method: str, path: str, body: Any) -> Any:
            r = http.request(method, path, json=body)
            assert r.status_code in (200, 201), (label, r.text[:300])
            answered.append(label)
            return r.json()

        worst_accepted(call, S)
    assert any(label.startswith("trace") for label in answered)
    assert sum(label.startswith("train") for label in answered) == 7


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
    assert r.status_code == 415
    assert http.get(f"/api/networks/{net}").json()["iteration"] == 0
