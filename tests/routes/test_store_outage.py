"""A store that cannot be reached answers 503 with a readable message, never a 500."""

from __future__ import annotations

import socket

from fastapi.testclient import TestClient

from app import deps
from app.main import app
from app.store.redis import RedisStore


def test_redis_down_is_a_503_with_retry_after():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    app.dependency_overrides[deps.get_store] = lambda: RedisStore(f"redis://127.0.0.1:{port}/0")
    try:
        with TestClient(app, base_url="http://localhost") as client:
            r = client.post("/api/networks", json={"preset": "xor"})
            assert r.status_code == 503
            assert r.headers["retry-after"] == "2"
            assert "unavailable" in r.json()["detail"]
            assert client.get("/api/networks/AAAAAAAAAAAAAAAAAAAAAA").status_code == 503
    finally:
        app.dependency_overrides.pop(deps.get_store, None)
