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


def test_a_full_redis_is_a_503_and_keeps_what_it_holds(tmp_path):
    import redis

    from tests.redis_server import RedisServer

    with RedisServer.start(tmp_path / "redis") as server:
        store = RedisStore(server.url)
        app.dependency_overrides[deps.get_store] = lambda: store
        try:
            with TestClient(app, base_url="http://localhost") as client:
                kept = client.post("/api/networks", json={"preset": "xor"})
                assert kept.status_code == 201
                raw = redis.Redis.from_url(server.url)
                raw.config_set("maxmemory-policy", "noeviction")
                raw.config_set("maxmemory", 1)  # below what it holds already: every write is refused with OOM
                r = client.post("/api/networks", json={"preset": "xor"})
                assert r.status_code == 503, r.text
                assert "full" in r.json()["detail"] and r.headers["retry-after"] == "30"
                got = client.get(f"/api/networks/{kept.json()['id']}")
                assert got.status_code == 200 and got.json()["weights"] == kept.json()["weights"]
                raw.close()
        finally:
            store.close()
            app.dependency_overrides.pop(deps.get_store, None)
