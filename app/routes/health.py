"""Liveness (/healthz) and readiness (/readyz) for load balancers and container health checks."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import APIRouter, Request

from app.deps import SettingsDep, StoreDep
from app.errors import store_unavailable
from app.networks.admission import saturation
from app.schemas import ErrorBody, Health, Ready

router = APIRouter(tags=["health"])

# a thread of its own, so a thread pool saturated by training never makes a busy server look broken
_PROBE = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readyz")
PROBE_TIMEOUT = 2.0


@router.get("/healthz", response_model=Health)
async def healthz() -> dict[str, str]:
    """Answers {"status": "ok"} while the process serves requests."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Ready, responses={503: {
    "model": ErrorBody, "description": "The store cannot be read and written; Retry-After says when to ask again"}})
async def readyz(request: Request, store: StoreDep, settings: SettingsDep) -> Any:
    """200 while the network store answers a small write and a read within 2 s, 503 with Retry-After otherwise.
    The body also says how full the admission gate of heavy computations is; a busy server stays 200.

    Anyone may ask (no token); it writes only its own health record, never a network, and shows counts only.
    """
    loop = asyncio.get_running_loop()
    try:
        backend = await asyncio.wait_for(loop.run_in_executor(_PROBE, store.probe), PROBE_TIMEOUT)
    except Exception as exc:  # whatever the backend raised (or a probe that hangs), the answer is: not ready
        return store_unavailable(request, exc)
    return {"status": "ready", "store": backend, **saturation(settings)}
