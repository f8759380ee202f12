"""Liveness and readiness: /readyz answers 200 only while the store takes a write and a read, else a 503."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import deps
from app.main import app
from app.store.base import NetworkStore
from app.store.redis import RedisStore
from app.store.sqlite import SQLiteStore


@pytest.fixture
def client_on() -> Iterator[Callable[[Callable[[], NetworkStore]], TestClient]]:
    """The app with its store made by the given factory, called for each request as the real dependency is."""
    clients: list[TestClient] = []

    def start(factory: Callable[[], NetworkStore]) -> TestClient:
        app.dependency_overrides[deps.get_store] = factory
        clients.append(TestClient(app, base_url="http://localhost").__enter__())
        return clients[-1]

    yield start
    for c in clients:
        c.__exit__(None, None, None)
    app.dependency_overrides.pop(deps.get_store, None)


def assert_unavailable(r) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["retry-after"] == "2"
    assert r.json() == {"detail": "the network store is unavailable; retry in a moment"}


def test_ready_on_each_backend(client: TestClient, store: NetworkStore) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ready", "store": "redis" if isinstance(store, RedisStore) else "sqlite",
                        "busy": False, "heavy_in_flight": 0, "heavy_waiting": 0}
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_takes_no_writes_from_clients(client: TestClient) -> None:
    r = client.post("/readyz")
    assert r.status_code == 405
    assert "POST" not in r.headers["allow"] and "GET" in r.headers["allow"]


def test_a_database_file_in_a_missing_folder_is_not_ready(tmp_path: Path, client_on) -> None:
    path = str(tmp_path / "no-such-folder" / "deltaflow.db")
    c = client_on(lambda: SQLiteStore(path))
    assert_unavailable(c.get("/readyz"))
    assert_unavailable(c.post("/api/networks", json={"preset": "xor"}))
    assert c.get("/healthz").status_code == 200  # liveness stays: the process itself is fine


def test_a_store_whose_file_is_no_longer_a_database_is_not_ready(tmp_path: Path, client_on) -> None:
    path = tmp_path / "deltaflow.db"
    store = SQLiteStore(str(path))  # opened fine; the threads that serve requests connect only later
    for leftover in ("deltaflow.db-wal", "deltaflow.db-shm"):
        (tmp_path / leftover).unlink(missing_ok=True)
    path.write_bytes(b"this is not SQLite\n" * 400)
    c = client_on(lambda: store)
    assert_unavailable(c.get("/readyz"))
    assert_unavailable(c.post("/api/networks", json={"preset": "xor"}))


def test_an_unreachable_redis_is_not_ready(client_on) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    c = client_on(lambda: RedisStore(f"redis://127.0.0.1:{port}/0"))
    assert_unavailable(c.get("/readyz"))
