"""Isolation: unguessable ids, no listing, no ids in logs, deleted = unknown, and edit tokens on protected networks."""

from __future__ import annotations

import base64
import re
from typing import Any

import httpx
import pytest

from tests.support import Process

MUTATIONS = [
    ("PATCH", "", {"learning_rate": 0.3}),
    ("POST", "/step", {"sample": 0}),
    ("POST", "/train", {"iterations": 2}),
    ("DELETE", "", None),
]
READS = [
    ("GET", "", None),
    ("POST", "/forward", {"sample": 0}),
    ("POST", "/backward", {"sample": 0}),
    ("POST", "/trace", {"sample": 0}),
    ("POST", "/predict", {"inputs": [[0, 1]]}),
    ("POST", "/gradcheck", {"sample": 0}),
]


def test_ids_carry_at_least_128_random_bits(http: httpx.Client) -> None:
    ids = [http.post("/api/networks", json={"preset": "xor"}).json()["id"] for _ in range(40)]
    assert len(set(ids)) == len(ids)
    for network_id in ids:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", network_id)
        raw = base64.urlsafe_b64decode(network_id + "=" * (-len(network_id) % 4))
        assert len(raw) * 8 >= 128
    # the bits vary: every position of the decoded bytes takes several values over 40 ids
    decoded = [base64.urlsafe_b64decode(i + "==") for i in ids]
    assert all(len({d[k] for d in decoded}) > 5 for k in range(16))


@pytest.mark.parametrize("path", ["/api/networks", "/api/networks/", "/api/networks?all=1"])
def test_there_is_no_listing(http: httpx.Client, path: str) -> None:
    http.post("/api/networks", json={"preset": "xor"})
    r = http.get(path, follow_redirects=True)
    assert r.status_code in (404, 405)
    assert "weights" not in r.text
    paths = http.get("/openapi.json").json()["paths"]
    assert "get" not in paths.get("/api/networks", {})


def test_unknown_and_deleted_ids_are_indistinguishable(http: httpx.Client) -> None:
    network_id = http.post("/api/networks", json={"preset": "xor"}).json()["id"]
    assert http.delete(f"/api/networks/{network_id}").status_code == 204
    unknown = "A" * 22
    for method, suffix, body in READS + MUTATIONS:
        gone = http.request(method, f"/api/networks/{network_id}{suffix}", json=body)
        never = http.request(method, f"/api/networks/{unknown}{suffix}", json=body)
        assert gone.status_code == never.status_code == 404, (method, suffix)
        assert gone.content == never.content == b'{"detail":"network not found"}'
        assert {k: v for k, v in gone.headers.items() if k != "date"} == {
            k: v for k, v in never.headers.items() if k != "date"}


def test_ids_never_appear_in_the_info_log(spawn: Any) -> None:
    """uvicorn's access log at INFO prints every path; the filter in app/logging.py redacts the ids."""
    server: Process = spawn(log_level="info", name="info-log")
    with httpx.Client(base_url=server.url) as http:
        created = http.post("/api/networks", json={"preset": "xor", "protected": True}).json()
        network_id, token = created["id"], created["token"]
        auth = {"Authorization": f"Bearer {token}"}
        for method, suffix, body in READS + MUTATIONS:
            http.request(method, f"/api/networks/{network_id}{suffix}", json=body, headers=auth)
        http.get(f"/?net={network_id}")
        http.get(f"/api/networks/{network_id}/nothing-here")
    server.stop()  # flush
    log = server.log()
    assert "/api/networks/<id>/step" in log  # requests are still logged, with the route kept
    assert '"GET /?<id> HTTP/1.1" 200' in log
    assert network_id not in log
    assert token not in log


def test_protected_network_needs_its_token_to_change(http: httpx.Client) -> None:
    created = http.post("/api/networks", json={"preset": "xor", "protected": True})
    assert created.status_code == 201
    body = created.json()
    network_id, token = body["id"], body["token"]
    assert body["protected"] is True and len(token) >= 22
    base = f"/api/networks/{network_id}"
    state = http.get(base).json()
    assert "token" not in state and "token_hash" not in state

    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": token},
                    {"Authorization": "Basic " + token}):
        for method, suffix, payload in MUTATIONS:
            r = http.request(method, base + suffix, json=payload, headers=headers)
            assert r.status_code == 403, (method, suffix, headers, r.text)
            assert "Bearer" in r.text
    assert http.get(base).json() == state  # nothing changed

    for method, suffix, payload in READS:
        assert http.request(method, base + suffix, json=payload).status_code == 200, (method, suffix)

    auth = {"Authorization": f"bearer  {token}"}  # the scheme is case-insensitive
    for method, suffix, payload in MUTATIONS:
        expected = 204 if method == "DELETE" else 200
        assert http.request(method, base + suffix, json=payload, headers=auth).status_code == expected, (method, suffix)
    assert http.get(base).status_code == 404


def test_an_unprotected_network_has_no_token(http: httpx.Client) -> None:
    body = http.post("/api/networks", json={"preset": "xor"}).json()
    assert body["token"] is None and body["protected"] is False
    assert http.post(f"/api/networks/{body['id']}/step", json={"sample": 0}).status_code == 200
