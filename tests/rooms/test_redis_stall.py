"""A Redis stall never freezes a worker: followers leaving while redis-server is stopped (SIGSTOP) leave the
event loop free, and each leave is counted exactly once when Redis comes back (real uvicorn processes)."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.redis_server import RedisServer
from tests.rooms.conftest import SSEReader, join, new_room, start_app
from tests.support import eventually


@pytest.fixture
def stalling(tmp_path: Path) -> Iterator[tuple[RedisServer, str, str]]:
    """A redis-server of this test's own (it will be stopped) and two app processes on it."""
    with RedisServer.start(tmp_path / "redis") as server:
        a = start_app(tmp_path, {"DELTAFLOW_REDIS_URL": server.url})
        b = start_app(tmp_path, {"DELTAFLOW_REDIS_URL": server.url})
        try:
            yield server, a.url, b.url
        finally:
            os.kill(server.process.pid, signal.SIGCONT)  # never leave it stopped for the others to stop
            a.stop()
            b.stop()


def _count(base: str, code: str) -> int:
    followers: int = httpx.get(f"{base}/api/rooms/{code}", timeout=30).json()["followers"]
    return followers


def test_followers_leaving_during_a_redis_stall_leave_the_worker_answering(
        stalling: tuple[RedisServer, str, str]) -> None:
    server, a, b = stalling
    _, room = new_room(a)
    code = room["code"]
    readers = [SSEReader(a, f"/api/rooms/{code}/events?token={join(a, code)['token']}") for _ in range(6)]
    try:
        for r in readers:
            assert r.next(timeout=20).data["code"] == code
        eventually(lambda: _count(b, code) == 6)
        resumed = threading.Event()

        def resume() -> None:
            os.kill(server.process.pid, signal.SIGCONT)
            resumed.set()

        os.kill(server.process.pid, signal.SIGSTOP)
        timer = threading.Timer(5.0, resume)  # the stall under test: five seconds of a stopped Redis
        timer.start()
        try:
            for r in readers[:5]:
                r.stop()
            # a generous bound that only a hang reaches; the answer must come while Redis is still stopped
            health = httpx.get(f"{a}/healthz", timeout=30)
            assert health.status_code == 200
            assert not resumed.is_set(), "the worker answered only once Redis was back: its loop was blocked"
        finally:
            timer.join()
        # each leave counted exactly once, on both processes: the sixth follower is still there
        eventually(lambda: _count(a, code) == 1 and _count(b, code) == 1)
        assert readers[5].followers(1, timeout=30)["followers"] == 1
    finally:
        for r in readers:
            r.stop()


def test_a_call_to_a_stalled_redis_answers_503_instead_of_holding_its_thread(tmp_path: Path) -> None:
    """The sync client has socket timeouts from Settings: a request whose Redis call stalls is answered 503 while
    Redis is still stopped, instead of waiting (and holding a thread of the pool) until Redis comes back."""
    with RedisServer.start(tmp_path / "redis") as server:
        app = start_app(tmp_path, {"DELTAFLOW_REDIS_URL": server.url, "DELTAFLOW_REDIS_TIMEOUT": "1"})
        try:
            network = httpx.post(f"{app.url}/api/networks", json={"preset": "xor"}, timeout=30).json()["id"]
            resumed = threading.Event()

            def resume() -> None:
                os.kill(server.process.pid, signal.SIGCONT)
                resumed.set()

            os.kill(server.process.pid, signal.SIGSTOP)
            timer = threading.Timer(30.0, resume)  # only a hang reaches this: then Redis comes back
            timer.start()
            try:
                stalled = httpx.get(f"{app.url}/api/networks/{network}", timeout=120)
                assert not resumed.is_set(), "the request waited for Redis to come back"
                assert stalled.status_code == 503
                assert stalled.headers["retry-after"].isdigit()
            finally:
                timer.cancel()
                resume()
            # Redis is back: the same request answers again
            eventually(lambda: httpx.get(f"{app.url}/api/networks/{network}", timeout=30).status_code == 200)
        finally:
            os.kill(server.process.pid, signal.SIGCONT)
            app.stop()
