"""Real processes for the room tests: a redis-server, uvicorn apps on free ports, and an SSE reader on a socket."""

from __future__ import annotations

import json
import queue
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.chromium import launch_args
from tests.redis_server import RedisServer
from tests.support import Process, eventually, free_port, start_uvicorn


def start_app(directory: Path, env: dict[str, str], workers: int = 1) -> Process:
    """`uvicorn app.main:app` in its own process (or `workers` processes) with a one-second SSE keep-alive."""
    port = free_port()
    return start_uvicorn(directory / f"uvicorn-{port}.log", {"DELTAFLOW_SSE_KEEPALIVE": "1", **env}, port=port,
                         workers=workers, args=["--timeout-graceful-shutdown", "2"])


@dataclass
class Event:
    id: int | None
    data: dict[str, Any]


class SSEReader:
    """Reads a text/event-stream over a plain socket in a thread; stop() hangs up like a closed browser tab.

    Room states (plain messages) queue in `events`, `tally` events (the followers count) in `tallies`.
    """

    def __init__(self, base_url: str, path: str) -> None:
        host, port = base_url.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.sock.settimeout(None)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n".encode())
        self.events: queue.Queue[Event] = queue.Queue()
        self.tallies: queue.Queue[Event] = queue.Queue()
        self.raw: list[bytes] = []  # every chunk as it came off the wire
        self.status: int | None = None
        self.headers: dict[str, str] = {}
        self.comments = 0
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._started.wait(10)

    def _run(self) -> None:
        f = self.sock.makefile("rb")
        try:
            self.status = int(f.readline().split()[1])
            while (line := f.readline().strip()) != b"":
                name, _, value = line.decode().partition(":")
                self.headers[name.lower()] = value.strip()
            self._started.set()
            buffer = b""
            while True:
                size = int(f.readline().strip() or b"0", 16)  # chunked transfer encoding
                if size == 0:
                    return
                chunk = f.read(size)
                self.raw.append(chunk)
                buffer += chunk
                f.readline()
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    self._event(block.decode())
        except (OSError, ValueError, IndexError):
            return
        finally:
            self._started.set()

    def _event(self, block: str) -> None:
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            if line.startswith(":"):
                self.comments += 1
                continue
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")
        if "data" in fields and fields.get("event", "message") == "message":
            event_id = int(fields["id"]) if "id" in fields else None
            self.events.put(Event(event_id, json.loads(fields["data"])))
        elif "data" in fields and fields.get("event") == "tally":
            self.tallies.put(Event(None, json.loads(fields["data"])))

    def next(self, timeout: float = 30.0) -> Event:
        """The next room state; the timeout only turns a hang into a failure."""
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no room state came within {timeout:g} s") from None

    def next_tally(self, timeout: float = 30.0) -> Event:
        """The next `tally` event: {"code", "v", "followers"}."""
        try:
            return self.tallies.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no tally came within {timeout:g} s") from None

    def next_where(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 30.0) -> Event:
        """The first room state, skipping earlier ones, whose data satisfies `predicate`."""
        return eventually(lambda: self._first(self.events, predicate), timeout,
                          "no room state satisfied the condition")

    def followers(self, expected: int, timeout: float = 30.0) -> dict[str, Any]:
        """Waits for a tally saying `expected` followers (tallies are coalesced: a count may be skipped)."""
        event = eventually(lambda: self._first(self.tallies, lambda tally: tally["followers"] == expected),
                           timeout, f"no tally said {expected} followers")
        return event.data

    @staticmethod
    def _first(events: queue.Queue[Event], predicate: Callable[[dict[str, Any]], bool]) -> Event | None:
        """Takes queued events until one satisfies `predicate`; None once the queue is empty."""
        while True:
            try:
                event = events.get_nowait()
            except queue.Empty:
                return None
            if predicate(event.data):
                return event

    def stop(self) -> None:
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        self._thread.join(timeout=5)


@pytest.fixture(scope="session")
def redis_apps(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Two app processes on different ports sharing one redis-server: (url A, url B)."""
    directory = tmp_path_factory.mktemp("apps")
    env = {"DELTAFLOW_REDIS_URL": redis_server.url, "DELTAFLOW_DB": str(directory / "unused.db")}
    a = start_app(directory, env)
    try:
        b = start_app(directory, env)
    except BaseException:
        a.stop()
        raise
    try:
        yield a.url, b.url
    finally:
        a.stop()
        b.stop()


@pytest.fixture(scope="session")
def sqlite_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One app process on SQLite, where room events go through the in-process hub."""
    directory = tmp_path_factory.mktemp("sqlite-app")
    app = start_app(directory, {"DELTAFLOW_DB": str(directory / "deltaflow.db"), "DELTAFLOW_REDIS_URL": ""})
    try:
        yield app.url
    finally:
        app.stop()


@pytest.fixture
def readers() -> Iterator[list[SSEReader]]:
    """SSE readers a test opens; all hung up at the end."""
    opened: list[SSEReader] = []
    yield opened
    for r in opened:
        r.stop()


def new_room(base: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A fresh protected XOR network and a room on it, made through `base`: (network with its token, room)."""
    net = httpx.post(f"{base}/api/networks", json={"preset": "xor", "protected": True})
    assert net.status_code == 201, net.text
    room = httpx.post(f"{base}/api/rooms", json={"network_id": net.json()["id"]},
                      headers={"Authorization": f"Bearer {net.json()['token']}"})
    assert room.status_code == 201, room.text
    return net.json(), room.json()


def bearer(room: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {room['presenter_token']}"}


def owner(net: dict[str, Any]) -> dict[str, str]:
    """The Authorization header of a protected network's creator."""
    return {"Authorization": f"Bearer {net['token']}"}


def join(base: str, code: str, name: str | None = None) -> dict[str, Any]:
    """A follower identity in the room (id, token, name), minted through `base`."""
    r = httpx.post(f"{base}/api/rooms/{code}/followers", json={"name": name})
    assert r.status_code == 201, r.text
    joined: dict[str, Any] = r.json()
    return joined


def as_follower(joined: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {joined['token']}"}




@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Debian's chromium for pytest-playwright; a missing one skips, or fails under CI=true."""
    return launch_args()
