"""Computations are priced from the stored network's sizes before it is read: reading a large data set is work
too, so even a one-sample step on such a network passes the admission gate, while one on XOR never does."""

from __future__ import annotations

import dataclasses

from app import deps
from app.config import Settings
from app.main import app
from app.networks import limits
from app.networks.admission import gate_for

ROWS = 60_000  # a data set whose reading alone is above the light threshold


def test_reading_a_large_data_set_is_priced_at_the_gate(client, xor):
    settings = dataclasses.replace(Settings(), gate_capacity=3, gate_wait_seconds=0.0)
    assert limits.read_work([1, 2, 1], ROWS) >= settings.max_train_work // 100
    data = {"inputs": [[r % 2] for r in range(ROWS)], "targets": [[r % 3 % 2] for r in range(ROWS)]}
    big = client.post("/api/networks", json={"layers": [1, 2, 1], "dataset": data})
    assert big.status_code == 201, big.text
    big_id = big.json()["id"]
    app.dependency_overrides[deps.settings_dep] = lambda: settings
    gate = gate_for(settings.gate_capacity)
    held = gate.try_acquire(settings.gate_capacity)
    assert held is not None
    try:
        assert client.post(f"/api/networks/{xor['id']}/step", json={"sample": 0}).status_code == 200
        assert client.post(f"/api/networks/{xor['id']}/trace", json={"sample": 0}).status_code == 200
        for action in ("step", "forward", "trace"):
            r = client.post(f"/api/networks/{big_id}/{action}", json={"sample": 0})
            assert r.status_code == 503, (action, r.text)
            assert r.headers["retry-after"].isdigit() and "busy" in r.json()["detail"]
        gate.release(held)
        held = None
        assert client.post(f"/api/networks/{big_id}/step", json={"sample": 0}).status_code == 200
    finally:
        if held is not None:
            gate.release(held)
        app.dependency_overrides.pop(deps.settings_dep, None)
