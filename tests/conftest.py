"""Fixtures shared by every test folder: the real app over HTTP on a temporary SQLite file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from app import deps
from app.main import app
from app.store.base import NetworkStore
from app.store.sqlite import SQLiteStore

# Playwright's expect polls until its timeout, which is only there to turn a hang into a failure: generous
expect.set_options(timeout=30_000)


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "deltaflow-test.db")


@pytest.fixture
def store(db_path: str) -> NetworkStore:
    """A real SQLite store on a fresh file; folders may override this fixture to run on another backend."""
    return SQLiteStore(db_path)


@pytest.fixture
def client(store: NetworkStore) -> Iterator[TestClient]:
    """The real app, its store swapped for the test's through the dependency the routes declare."""
    app.dependency_overrides[deps.get_store] = lambda: store
    with TestClient(app, base_url="http://localhost") as c:
        yield c
    app.dependency_overrides.pop(deps.get_store, None)


@pytest.fixture
def xor(client: TestClient) -> dict:
    """A fresh network from the lecture's XOR preset."""
    r = client.post("/api/networks", json={"preset": "xor"})
    assert r.status_code == 201, r.text
    return r.json()
