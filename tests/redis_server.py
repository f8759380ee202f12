"""A real, throw-away redis-server for tests: started on a free loopback port, stopped by its PID.

Any test folder may use it: `with RedisServer.start(tmp_dir) as server: server.url`. A missing redis-server
skips the test, except under CI=true where it fails (CI installs it).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

import pytest

REDIS_SERVER = os.environ.get("DELTAFLOW_REDIS_SERVER", "/usr/bin/redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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

    def __init__(self, proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.proc = proc
        self.port = port
        self.log = log
        self.url = f"redis://127.0.0.1:{port}/0"

    @classmethod
    def start(cls, directory: Path) -> RedisServer:
        exe = require_redis_server()
        directory.mkdir(parents=True, exist_ok=True)
        port = free_port()
        log = directory / "redis.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [exe, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                 "--dir", str(directory), "--protected-mode", "yes"],
                stdout=out, stderr=subprocess.STDOUT,
            )
        server = cls(proc, port, log)
        deadline = time.monotonic() + 10
        while not server.ping():
            if proc.poll() is not None or time.monotonic() > deadline:
                server.stop()
                raise RuntimeError(f"redis-server did not start:\n{log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.05)
        return server

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def flush(self) -> None:
        """Empties every database, so tests sharing one server start clean."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
            s.sendall(b"FLUSHALL\r\n")
            s.recv(16)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()
