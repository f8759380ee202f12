"""A refused train call names a number of iterations that the same call is then accepted with."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.networks import limits

HINT = re.compile(r"send at most (\d+) iterations")


@pytest.mark.parametrize("mode", ["batch", "online"])
def test_the_hinted_iterations_pass_the_check_that_refused(client: TestClient, mode: str) -> None:
    """Below 500 iterations every iteration is checked, so scaling the refused count down overshot."""
    layers, rows = [1, 60, 60, 60, 1], 400
    r = client.post("/api/networks", json={"layers": layers, "dataset": {
        "inputs": [[r / rows] for r in range(rows)], "targets": [[r % 2] for r in range(rows)]}})
    assert r.status_code == 201, r.text
    r = client.post(f"/api/networks/{r.json()['id']}/train", json={"iterations": 100_000, "mode": mode})
    assert r.status_code == 422, r.text
    found = HINT.search(r.json()["detail"][0]["msg"])
    assert found, r.json()
    fit = int(found.group(1))
    assert fit >= 1
    limits.check_train(layers, rows, fit, mode, None, None, Settings())  # the route's own check: raises if refused
