"""Fixtures for the reliability tests: real uvicorn processes on free ports with their own SQLite files.

Nothing is mocked: a test that needs a server gets a real one (tests/support/process.py), and can kill it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.networks.limits import train_work
from tests.support import Process, eventually, start_uvicorn


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Any]:
    """Starts servers on demand (same DB file by default) and stops every one of them after the test."""
    servers: list[Process] = []

    def start(db: Path | None = None, env: dict[str, str] | None = None, log_level: str = "warning",
              name: str | None = None) -> Process:
        log = tmp_path / f"{name or f'server{len(servers)}'}.log"
        server = start_uvicorn(log, {"DELTAFLOW_DB": str(db or tmp_path / "deltaflow.db"), **(env or {})},
                               log_level=log_level)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    """One shared real server for the tests that only need some server."""
    tmp = tmp_path_factory.mktemp("reliability-live")
    with start_uvicorn(tmp / "uvicorn.log", {"DELTAFLOW_DB": str(tmp / "deltaflow.db")}) as server:
        yield server


@pytest.fixture(scope="session")
def http(live: Process) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=60) as client:
        yield client


# a train call the cost model puts at well over an hour on the reference machine: no test outlives it
VICTIM = {"layers": [1] * 10, "dataset": {"inputs": [[k / 64] for k in range(64)], "targets": [[1.0]] * 64}}
LONG_TRAIN = {"iterations": Settings().max_iterations, "mode": "online"}
LONG_WORK = train_work(VICTIM["layers"], 64, LONG_TRAIN["iterations"], "online")
LONG_TRAIN_ENV = {"DELTAFLOW_MAX_TRAIN_WORK": str(LONG_WORK)}  # the server must accept it


class LongTrain:
    """The long train call on `network_id`, sent from a thread; returns once the server is busy inside it."""

    def __init__(self, server: Process, network_id: str) -> None:
        assert LONG_WORK > 3600 * 10**9
        self.outcome: dict[str, Any] = {}
        cpu = server.cpu_seconds()
        self.thread = threading.Thread(target=self._send, args=(server.url, network_id), daemon=True)
        self.thread.start()
        # an idle server spends next to no CPU: half a CPU-second more means it is computing the call
        eventually(lambda: not self.thread.is_alive() or server.cpu_seconds() - cpu >= 0.5,
                   message="the server never started the train call")
        assert self.running(), self.outcome

    def running(self) -> bool:
        """True while the call has had no answer."""
        return self.thread.is_alive()

    def _send(self, url: str, network_id: str) -> None:
        try:
            with httpx.Client(base_url=url, timeout=600) as client:
                self.outcome["response"] = client.post(f"/api/networks/{network_id}/train", json=LONG_TRAIN)
        except httpx.HTTPError as err:
            self.outcome["error"] = err
