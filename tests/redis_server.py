"""A real, throw-away redis-server for tests, started and stopped by tests/support's process helper.

Any test folder may use it: `with RedisServer.start(tmp_dir) as server: server.url`. A missing redis-server
skips the test, except under CI=true where it fails (CI installs it).
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path
from types import TracebackType

import pytest

from tests.support import Process, answers_redis, free_port

REDIS_SERVER = os.environ.get("DELTAFLOW_REDIS_SERVER", "/usr/bin/redis-server")


def require_redis_server() -> str:
    """The redis-server executable, or skip (fail under CI) when it is not installed."""
    path = REDIS_SERVER if Path(REDIS_SERVER).exists() else shutil.which("redis-server")
    if not path:
        message = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


class RedisServer:
    """One redis-server process with no persistence, listening on 127.0.0.1 only."""

    def __init__(self, process: Process) -> None:
        self.process = process
        self.port = process.port
        self.url = process.url

    @classmethod
    def start(cls, directory: Path, *extra: str) -> RedisServer:
        exe = require_redis_server()
        port = free_port()
        args = [exe, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                "--dir", str(directory), "--protected-mode", "yes", *extra]
        return cls(Process.start(args, directory / "redis.log", lambda: answers_redis(port), port=port,
                                 url=f"redis://127.0.0.1:{port}/0"))

    def flush(self) -> None:
        """Empties every database, so tests sharing one server start clean."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(b"FLUSHALL\r\n")
            assert s.recv(16).startswith(b"+OK")

    def stop(self) -> None:
        self.process.stop()

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()
