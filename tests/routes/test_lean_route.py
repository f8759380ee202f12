"""/step's lean handler (app/routes/lean.py) answers exactly as FastAPI's own handler does.

A plain `application/json` request takes the lean handler; the same body sent as `application/json; charset=utf-8`
goes through FastAPI's handler. Twin networks (same preset, same weights) stepped both ways must give the same
status, headers and bytes, for answers and for refusals alike.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from app import deps
from app.main import app
from app.store.base import NetworkStore

LEAN = "application/json"
FULL = "application/json; charset=utf-8"  # not the exact type the lean handler takes: FastAPI's path


def _twins(client: TestClient, **spec: Any) -> tuple[str, str]:
    a = client.post("/api/networks", json={"preset": "xor", **spec}).json()
    b = client.post("/api/networks", json={"preset": "xor", **spec}).json()
    assert a["weights"] == b["weights"]
    return a["id"], b["id"]


def _step(client: TestClient, network_id: str, body: Any, content_type: str,
          headers: dict[str, str] | None = None) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(f"/api/networks/{network_id}/step", content=raw,
                       headers={"content-type": content_type, **(headers or {})})


def _same(lean: Any, full: Any) -> None:
    assert lean.status_code == full.status_code, (lean.text, full.text)
    assert lean.content == full.content
    assert dict(lean.headers) == dict(full.headers)


@pytest.mark.parametrize("body", [{"samples": "all"}, {"sample": 2}, {"samples": [3, 0, 3]},
                                  {"input": [0.25, -1], "target": [0.5]}])
def test_steps_answer_the_same_bytes_either_way(client: TestClient, body: dict[str, Any]) -> None:
    lean_id, full_id = _twins(client)
    for _ in range(3):  # the later steps start from the weights the earlier ones stored
        _same(_step(client, lean_id, body, LEAN), _step(client, full_id, body, FULL))
    assert client.get(f"/api/networks/{lean_id}").json()["weights"] == \
        client.get(f"/api/networks/{full_id}").json()["weights"]


@pytest.mark.parametrize("body", [
    {"sample": 4},  # valid body, refused by the use case
    {"samples": []},
    {"input": [1, 0]},
    {},
    {"sample": 0, "samples": "all"},
    {"sample": True},  # refused by the body's validation: the lean handler hands these to FastAPI
    {"sample": 0, "extra": 1},
    [1, 2],
    b"{not json",
    b"[" * 100_000,  # json.loads raises RecursionError, not a ValueError
    b'{"input": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
    b"\xff\xfe\xfa",
    b"",
    b"null",
])
def test_refusals_are_the_same_either_way(client: TestClient, body: Any) -> None:
    lean_id, full_id = _twins(client)
    lean, full = _step(client, lean_id, body, LEAN), _step(client, full_id, body, FULL)
    assert lean.status_code in (400, 422)
    _same(lean, full)


@pytest.mark.parametrize("authorization", [None, "", "Bearer wrong", "token"])
def test_a_protected_network_refuses_the_same_either_way(client: TestClient, authorization: str | None) -> None:
    lean_id, full_id = _twins(client, protected=True)
    headers = {} if authorization is None else {"authorization": authorization}
    lean = _step(client, lean_id, {"sample": 0}, LEAN, headers)
    assert lean.status_code == 403
    _same(lean, _step(client, full_id, {"sample": 0}, FULL, headers))


def test_a_protected_network_steps_with_its_token(client: TestClient) -> None:
    made = [client.post("/api/networks", json={"preset": "xor", "protected": True}).json() for _ in range(2)]
    lean = _step(client, made[0]["id"], {"sample": 1}, LEAN, {"Authorization": f"Bearer {made[0]['token']}"})
    full = _step(client, made[1]["id"], {"sample": 1}, FULL, {"Authorization": f"Bearer {made[1]['token']}"})
    assert lean.status_code == 200
    _same(lean, full)


def test_a_network_that_does_not_exist_is_404_either_way(client: TestClient) -> None:
    _same(_step(client, "nope", {"sample": 0}, LEAN), _step(client, "nope", {"sample": 0}, FULL))


def test_an_override_with_parameters_goes_through_fastapi(client: TestClient, store: NetworkStore) -> None:
    """An override the lean handler cannot call without FastAPI's solver: the request still works."""
    seen: list[str] = []

    def store_for(request: Request) -> NetworkStore:
        seen.append(request.url.path)
        return store

    network_id = client.post("/api/networks", json={"preset": "xor"}).json()["id"]
    app.dependency_overrides[deps.get_store] = store_for
    try:
        r = _step(client, network_id, {"sample": 0}, LEAN)
    finally:
        app.dependency_overrides[deps.get_store] = lambda: store
    assert r.status_code == 200, r.text
    assert seen == [f"/api/networks/{network_id}/step"]
    assert client.get(f"/api/networks/{network_id}").json()["iteration"] == 1
