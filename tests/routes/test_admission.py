"""The admission gate on a real server with a gate one heavy request fills: concurrent heavy requests wait or get
503 with Retry-After, light requests are answered meanwhile, and /readyz reports the saturation while staying 200."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import Process, eventually, start_uvicorn

ROWS = 2000
HANG = 120.0  # seconds: only to catch a hang, never a timing requirement


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    servers: list[Process] = []

    def start(env: dict[str, str]) -> Process:
        n = len(servers)
        server = start_uvicorn(tmp_path / f"uvicorn{n}.log", {"DELTAFLOW_DB": str(tmp_path / f"db{n}.db"), **env})
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def _heavy_network(http: httpx.Client) -> str:
    """A network whose landscape is estimated well above the light threshold (about a second of work)."""
    data = {"inputs": [[(r % 7) / 7] for r in range(ROWS)], "targets": [[r % 2] for r in range(ROWS)]}
    r = http.post("/api/networks", json={"layers": [1, 64, 64, 1], "dataset": data})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


LANDSCAPE = {"x": {"l": 2, "j": 1, "i": 1}, "y": {"l": 3, "j": 1, "i": 1}, "resolution": 9}


def _wait_until(condition: Any, what: str) -> None:
    eventually(condition, timeout=HANG, message=f"gave up waiting for {what}", interval=0.02)


def _storm(url: str, n: int, path: str, body: Any) -> tuple[list[threading.Thread], list[int]]:
    """n concurrent POSTs, each on its own connection, sent together; their statuses land in the list."""
    statuses: list[int] = []
    barrier = threading.Barrier(n)

    def one() -> None:
        with httpx.Client(base_url=url, timeout=HANG * 4) as own:
            barrier.wait()
            statuses.append(own.post(path, json=body).status_code)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    return threads, statuses


def test_light_requests_answer_while_more_heavy_requests_wait_than_the_pool_has_threads(serve: Any) -> None:
    """Waiting heavy requests hold no thread: more of them wait than anyio's pool has threads (40), and a read and
    a step still answer meanwhile."""
    server = serve({"DELTAFLOW_GATE_CAPACITY": "1", "DELTAFLOW_GATE_WAIT": str(HANG * 4)})
    with httpx.Client(base_url=server.url, timeout=HANG) as http:
        heavy = _heavy_network(http)
        light = http.post("/api/networks", json={"preset": "xor"}).json()["id"]
        seen: list[int] = []

        def many_waiting() -> bool:
            seen.append(http.get("/readyz").json()["heavy_waiting"])
            return seen[-1] > 40

        threads, statuses = _storm(server.url, 45, f"/api/networks/{heavy}/landscape", LANDSCAPE)
        try:
            eventually(many_waiting, timeout=HANG, interval=0.02,
                       message=lambda: f"more than 40 heavy requests never waited at once (at most {max(seen)})")
            assert http.get(f"/api/networks/{light}").status_code == 200
            assert http.post(f"/api/networks/{light}/step", json={"samples": "all"}).status_code == 200
            assert http.get("/healthz").status_code == 200
            assert http.get("/readyz").json()["heavy_waiting"] > 0  # answered while heavy requests still waited
        finally:
            for t in threads:
                t.join(HANG * 4)
        assert statuses == [200] * 45


def test_a_full_gate_answers_503_with_retry_after_and_light_requests_pass(serve: Any) -> None:
    server = serve({"DELTAFLOW_GATE_CAPACITY": "1", "DELTAFLOW_GATE_WAIT": "0"})
    with httpx.Client(base_url=server.url, timeout=HANG) as http:
        heavy = _heavy_network(http)
        light = http.post("/api/networks", json={"preset": "xor"}).json()["id"]
        stop = threading.Event()
        answers: list[httpx.Response] = []

        def keep_busy() -> None:
            with httpx.Client(base_url=server.url, timeout=HANG) as own:
                while not stop.is_set():
                    answers.append(own.post(f"/api/networks/{heavy}/landscape", json=LANDSCAPE))

        workers = [threading.Thread(target=keep_busy) for _ in range(3)]
        for w in workers:
            w.start()
        try:
            _wait_until(lambda: http.get("/readyz").json()["busy"], "the gate to fill")
            # light requests do not queue behind the gate
            assert http.get(f"/api/networks/{heavy}").status_code == 200
            assert http.post(f"/api/networks/{light}/step", json={"samples": "all"}).status_code == 200
            assert http.get("/healthz").status_code == 200
            _wait_until(lambda: any(a.status_code == 503 for a in answers), "a request refused as busy")
            ready = http.get("/readyz")
            assert ready.status_code == 200
            assert ready.json()["status"] == "ready"
        finally:
            stop.set()
            for w in workers:
                w.join(HANG)
        assert {a.status_code for a in answers} <= {200, 503}
        for a in answers:
            if a.status_code == 503:
                assert a.headers["retry-after"].isdigit()
                assert "busy" in a.json()["detail"]
        assert any(a.status_code == 200 for a in answers)
        _wait_until(lambda: not http.get("/readyz").json()["busy"], "the gate to empty")
        assert http.get("/readyz").json()["heavy_in_flight"] == 0


def test_heavy_requests_wait_their_turn_when_the_wait_allows(serve: Any) -> None:
    server = serve({"DELTAFLOW_GATE_CAPACITY": "1", "DELTAFLOW_GATE_WAIT": str(HANG)})
    with httpx.Client(base_url=server.url, timeout=HANG) as http:
        heavy = _heavy_network(http)
        statuses: list[int] = []

        def one() -> None:
            with httpx.Client(base_url=server.url, timeout=HANG * 2) as own:
                statuses.append(own.post(f"/api/networks/{heavy}/landscape", json=LANDSCAPE).status_code)

        threads = [threading.Thread(target=one) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(HANG * 2)
        assert statuses == [200, 200, 200]


def test_busy_is_declared_in_the_openapi_of_heavy_routes(serve: Any) -> None:
    server = serve({})
    paths = httpx.get(f"{server.url}/openapi.json").json()["paths"]
    for action in ("step", "forward", "backward", "predict", "train", "trace", "gradcheck", "landscape", "graph",
                   "nudge"):
        assert "503" in paths[f"/api/networks/{{network_id}}/{action}"]["post"]["responses"], action
    assert "503" not in paths["/api/networks/{network_id}"]["get"]["responses"]


def test_a_class_question_waits_at_the_gate_like_a_trace(serve: Any) -> None:
    """Asking the class computes the sample's trace on the room's network: a heavy one is admitted like POST
    /trace, so a presenter asking over and over cannot pass the gate (503 with Retry-After while it is full)."""
    server = serve({"DELTAFLOW_GATE_CAPACITY": "1", "DELTAFLOW_GATE_WAIT": "0"})
    with httpx.Client(base_url=server.url, timeout=HANG) as http:
        heavy = _heavy_network(http)
        data = {"inputs": [[0.5]], "targets": [[1.0]]}
        net = http.post("/api/networks", json={"layers": [1, 64, 64, 1], "dataset": data, "protected": True}).json()
        room = http.post("/api/rooms", json={"network_id": net["id"]},
                         headers={"Authorization": f"Bearer {net['token']}"}).json()
        ask = {"url": f"/api/rooms/{room['code']}/questions", "json": {"sample": 0, "event": 3},
               "headers": {"Authorization": f"Bearer {room['presenter_token']}"}}
        stop = threading.Event()

        def keep_busy() -> None:
            with httpx.Client(base_url=server.url, timeout=HANG) as own:
                while not stop.is_set():
                    own.post(f"/api/networks/{heavy}/landscape", json=LANDSCAPE)

        workers = [threading.Thread(target=keep_busy) for _ in range(3)]
        for w in workers:
            w.start()
        refused: list[httpx.Response] = []
        try:
            _wait_until(lambda: http.get("/readyz").json()["busy"], "the gate to fill")
            _wait_until(lambda: refused.append(http.post(**ask)) or refused[-1].status_code == 503,
                        "a question refused as busy")
            assert {r.status_code for r in refused} <= {201, 503}
        finally:
            stop.set()
            for w in workers:
                w.join(HANG)
        assert refused[-1].headers["retry-after"].isdigit() and "busy" in refused[-1].json()["detail"]
        _wait_until(lambda: not http.get("/readyz").json()["busy"], "the gate to empty")
        asked = http.post(**ask)
        assert asked.status_code == 201, asked.text
        assert http.get(f"/api/rooms/{room['code']}").json()["question"]["id"] == asked.json()["id"]
