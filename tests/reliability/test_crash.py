"""Crash: SIGKILL the server in the middle of a long train call, restart it on the same SQLite file, and find every
network in the state of its last completed request (WAL mode, one transaction per request).
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.reliability.conftest import LONG_TRAIN_ENV, VICTIM, LongTrain
from tests.support import Process


def test_kill_9_during_train_loses_nothing_completed(spawn: Any) -> None:
    server: Process = spawn(name="before-crash", env=LONG_TRAIN_ENV)
    http = httpx.Client(base_url=server.url, timeout=60)
    # changes the server acknowledged before the crash
    stepped = http.post("/api/networks", json={"preset": "xor"}).json()["id"]
    for _ in range(3):
        assert http.post(f"/api/networks/{stepped}/step", json={"samples": "all"}).status_code == 200
    patched = http.post("/api/networks", json={"preset": "xor"}).json()["id"]
    assert http.patch(f"/api/networks/{patched}", json={
        "learning_rate": 0.25, "weights": [{"l": 2, "j": 1, "i": 1, "value": 0.125}]}).status_code == 200
    deleted = http.post("/api/networks", json={"preset": "xor"}).json()["id"]
    assert http.delete(f"/api/networks/{deleted}").status_code == 204
    victim = http.post("/api/networks", json=VICTIM).json()["id"]
    assert http.post(f"/api/networks/{victim}/train", json={"iterations": 5, "mode": "online"}).status_code == 200
    before = {n: http.get(f"/api/networks/{n}").json() for n in (stepped, patched, victim)}

    train = LongTrain(server, victim)  # returns once the server is computing it
    server.kill9()
    train.thread.join(timeout=60)
    assert "error" in train.outcome, train.outcome  # the client never got an answer

    restarted = spawn(name="after-crash")  # same DB file
    with httpx.Client(base_url=restarted.url, timeout=60) as again:
        for network_id, state in before.items():
            r = again.get(f"/api/networks/{network_id}")
            assert r.status_code == 200
            assert r.json() == state
        assert before[stepped]["iteration"] == 3
        assert before[patched]["learning_rate"] == 0.25 and before[patched]["weights"][0][0][0] == 0.125
        assert before[victim]["iteration"] == 5
        assert again.get(f"/api/networks/{deleted}").status_code == 404
        # and the restarted server works on the same networks
        assert again.post(f"/api/networks/{victim}/train", json={"iterations": 5}).json()["iteration"] == 10
    http.close()
