"""Crash: SIGKILL the server in the middle of a long train call, restart it on the same SQLite file, and find every
network in the state of its last completed request (WAL mode, one transaction per request).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx

from app.config import Settings
from app.networks.limits import train_work
from tests.reliability.server import Server

BUDGET = 500_000_000_000  # estimated ns: 100 times the default


def test_kill_9_during_train_loses_nothing_completed(spawn: Any) -> None:
    # a budget far above the default, so the victim's call can be made to run for seconds on any machine
    server: Server = spawn(name="before-crash", env={"DELTAFLOW_MAX_TRAIN_WORK": str(BUDGET)})
    http = httpx.Client(base_url=server.url, timeout=60)
    stepped = http.post("/api/networks", json={"preset": "xor"}).json()["id"]
    for _ in range(3):
        assert http.post(f"/api/networks/{stepped}/step", json={"samples": "all"}).status_code == 200
    patched = http.post("/api/networks", json={"preset": "xor"}).json()["id"]
    assert http.patch(f"/api/networks/{patched}", json={
        "learning_rate": 0.25, "weights": [{"l": 2, "j": 1, "i": 1, "value": 0.125}]}).status_code == 200
    deleted = http.post("/api/networks", json={"preset": "xor"}).json()["id"]
    assert http.delete(f"/api/networks/{deleted}").status_code == 204
    # the victim: 10 one-node layers trained online over 64 samples (one update per sample, each a round of small
    # numpy calls); a timed short call tells how many iterations make about 8 s on this machine
    samples = {"inputs": [[k / 64] for k in range(64)], "targets": [[1.0]] * 64}
    victim = http.post("/api/networks", json={"layers": [1] * 10, "dataset": samples}).json()["id"]
    t0 = time.perf_counter()
    assert http.post(f"/api/networks/{victim}/train", json={"iterations": 5, "mode": "online"}).status_code == 200
    per_iteration = (time.perf_counter() - t0) / 5
    before = {n: http.get(f"/api/networks/{n}").json() for n in (stepped, patched, victim)}
    iterations = min(Settings().max_iterations, max(100, int(8.0 / per_iteration)))
    assert train_work(before[victim]["layers"], 64, iterations, "online") <= BUDGET

    outcome: dict[str, Any] = {}

    def train() -> None:
        try:
            with httpx.Client(base_url=server.url, timeout=60) as c:
                outcome["response"] = c.post(f"/api/networks/{victim}/train",
                                             json={"iterations": iterations, "mode": "online"})
        except httpx.HTTPError as err:
            outcome["error"] = err

    thread = threading.Thread(target=train)
    thread.start()
    time.sleep(0.7)
    assert thread.is_alive(), outcome  # still training
    server.kill9()
    thread.join(timeout=30)
    assert "error" in outcome, outcome  # the client never got an answer

    restarted = spawn(name="after-crash")  # same DB file
    with httpx.Client(base_url=restarted.url, timeout=60) as again:
        for network_id, state in before.items():
            r = again.get(f"/api/networks/{network_id}")
            assert r.status_code == 200
            assert r.json() == state
        assert before[stepped]["iteration"] == 3
        assert before[patched]["learning_rate"] == 0.25 and before[patched]["weights"][0][0][0] == 0.125
        assert again.get(f"/api/networks/{deleted}").status_code == 404
        # and the restarted server works on the same networks
        assert again.post(f"/api/networks/{victim}/train", json={"iterations": 5}).json()["iteration"] == 10
    http.close()
