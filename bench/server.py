"""A real uvicorn server for the API and page figures: its own process, free port and throw-away database."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from app.schemas import SampleRequest  # at module level: FastAPI resolves the bare route's annotations here

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _step_response_bytes() -> bytes:
    """The body a /step on a fresh XOR network with `{"samples": "all"}` answers, from the product's use case."""
    import orjson

    from app.config import get_settings
    from app.networks import usecases
    from app.schemas import NetworkCreate
    from app.store.sqlite import SQLiteStore

    settings = get_settings()
    with tempfile.TemporaryDirectory(prefix="deltaflow-bare-") as tmp:
        store = SQLiteStore(str(Path(tmp) / "canned.db"))
        made = usecases.create(store, settings, NetworkCreate.model_validate({"preset": "xor"}))
        answer = usecases.step(store, settings, made["id"], SampleRequest.model_validate({"samples": "all"}), None)
    return orjson.dumps(answer, option=orjson.OPT_SERIALIZE_NUMPY)


def bench_app() -> Any:
    """The product's app with a bench-only bare route beside it (`uvicorn --factory bench.server:bench_app`).

    `POST /bench/bare/{network_id}` parses the same path and body as /step and answers the bytes of a real /step
    response behind the product's middleware, but runs no use case: the floor FastAPI sets for /step.
    """
    from fastapi import FastAPI, Response

    from app.main import app as product

    canned = _step_response_bytes()
    # the product's middleware list as main.py assembled it, so the bare route pays for the same layers
    bare = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, middleware=product.user_middleware)

    @bare.post("/bench/bare/{network_id}")
    async def bare_step(network_id: str, body: SampleRequest) -> Response:
        return Response(canned, media_type="application/json")

    async def dispatch(scope: Any, receive: Any, send: Any) -> None:
        bench_only = scope["type"] == "http" and scope["path"].startswith("/bench/")
        await (bare if bench_only else product)(scope, receive, send)

    return dispatch


class Server:
    """`with Server() as srv:` starts `uvicorn app.main:app` as a subprocess and stops it by its PID afterwards.

    `env` adds variables (e.g. DELTAFLOW_REDIS_URL); `workers` > 1 runs `uvicorn --workers N`; `with_bare=True`
    serves `bench_app` instead (the product's app plus the bare route).
    """

    def __init__(self, env: dict[str, str] | None = None, workers: int = 1, with_bare: bool = False) -> None:
        self.extra_env = dict(env or {})
        self.workers = workers
        self.app = ["--factory", "bench.server:bench_app"] if with_bare else ["app.main:app"]
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._tmp = tempfile.TemporaryDirectory(prefix="deltaflow-bench-")
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = Path(self._tmp.name) / "uvicorn.log"

    def __enter__(self) -> Server:
        env = dict(os.environ)
        env["DELTAFLOW_DB"] = str(Path(self._tmp.name) / "bench.db")
        env.pop("DELTAFLOW_REDIS_URL", None)
        env.update(self.extra_env)
        # the server keeps the BLAS threading it would have in production, not the bench's one-thread setting
        for var in os.environ.get("DELTAFLOW_BENCH_SET_THREADS", "").split(","):
            env.pop(var, None)
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", *self.app, "--host", "127.0.0.1", "--port", str(self.port),
                 "--log-level", "warning", *(["--workers", str(self.workers)] if self.workers > 1 else [])],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as r:
                    if r.status == 200:
                        return self
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"uvicorn did not start: {self.log.read_text(errors='replace')[-1500:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._tmp.cleanup()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def _pids(self) -> list[int]:
        if self.proc is None:
            return []
        pids = [self.proc.pid]
        try:
            with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children", encoding="ascii") as fh:
                pids += [int(p) for p in fh.read().split()]
        except OSError:
            pass
        return pids

    def rss_bytes(self) -> int:
        """Resident memory of the server process and its live worker processes (Linux /proc; 0 elsewhere)."""
        total = 0
        for pid in self._pids():
            try:
                with open(f"/proc/{pid}/status", encoding="ascii") as fh:
                    for line in fh:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1]) * 1024
            except OSError:
                continue
        return total

    def cpu_seconds(self) -> float:
        """User + system CPU the server process and its live worker processes have used so far (Linux /proc)."""
        total = 0.0
        for pid in self._pids():
            try:
                with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return total

    def call(self, method: str, path: str, body: Any = None, timeout: float = 120) -> tuple[int, Any]:
        """One request with the standard library; returns (status, decoded JSON)."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
