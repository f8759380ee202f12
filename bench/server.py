"""A real uvicorn server for the API and page figures: its own process, free port and throw-away database.

It starts through tests/support's process helper, the one the test suite uses (standard library only, so the
bench needs nothing from pytest); this module adds the bench's environment, a bench-only route and a client.
"""

from __future__ import annotations

import json
import os
import tempfile
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from app.schemas import SampleRequest  # at module level: FastAPI resolves the bare route's annotations here
from tests.support import Process, free_port, start_uvicorn

__all__ = ["Server", "bench_app", "free_port"]


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
        self.with_bare = with_bare
        self._tmp = tempfile.TemporaryDirectory(prefix="deltaflow-bench-")
        self.process: Process | None = None
        self.port = 0
        self.url = ""

    def __enter__(self) -> Server:
        env: dict[str, str | None] = {"DELTAFLOW_DB": str(Path(self._tmp.name) / "bench.db"),
                                      "DELTAFLOW_REDIS_URL": None}
        # the server keeps the BLAS threading it would have in production, not the bench's one-thread setting
        env.update({var: None for var in os.environ.get("DELTAFLOW_BENCH_SET_THREADS", "").split(",") if var})
        env.update(self.extra_env)
        app, args = ("bench.server:bench_app", ["--factory"]) if self.with_bare else ("app.main:app", [])
        try:
            self.process = start_uvicorn(Path(self._tmp.name) / "uvicorn.log", env, app=app, args=args,
                                         workers=self.workers)
        except BaseException:
            self._tmp.cleanup()
            raise
        self.port, self.url = self.process.port, self.process.url
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
        self._tmp.cleanup()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def rss_bytes(self) -> int:
        """Resident memory of the server process and its live worker processes (Linux /proc; 0 elsewhere)."""
        return self.process.rss_bytes() if self.process else 0

    def peak_rss_bytes(self) -> int:
        """The most resident memory the server process (and its live workers) have held (Linux VmHWM; 0 elsewhere)."""
        return self.process.rss_bytes(peak=True) if self.process else 0

    def cpu_seconds(self) -> float:
        """User + system CPU the server process and its live worker processes have used so far (Linux /proc)."""
        return self.process.cpu_seconds() if self.process else 0.0

    def call(self, method: str, path: str, body: Any = None, timeout: float = 120,
             token: str | None = None) -> tuple[int, Any]:
        """One request with the standard library, with `token` as its Bearer; returns (status, decoded JSON)."""
        data = None if body is None else json.dumps(body, separators=(",", ":")).encode()  # compact: 1 MB bodies fit
        headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
