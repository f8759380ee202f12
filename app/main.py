"""Assembles the DeltaFlow ASGI app: middleware, error handlers, static files and routers; no logic lives here."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware

from app import deps, errors
from app import logging as deltaflow_logging
from app import openapi as api_document
from app.config import get_settings
from app.middleware import AllowedHosts, BodyLimit, HeadAsGet, Quotas, SecurityHeaders
from app.quotas import quotas
from app.rooms.wiring import open_classroom
from app.routes import docs, health, meta, networks, pages, presets, quiz, rooms, rooms_class
from app.store.base import expiry_sweeps

ROOT = Path(__file__).resolve().parent.parent
settings = get_settings()
deltaflow_logging.install()
log = logging.getLogger("deltaflow")


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Builds the rooms beside the store the routes use (tests may swap it) and expires untouched networks at
    start-up and then hourly."""
    app.state.classroom = None
    try:
        store = await deps.routes_store(app)
        app.state.classroom = open_classroom(store, settings)
    except Exception:  # a store that cannot open: /readyz says so, and room routes answer 503 (app/deps.py)
        log.exception("the network store could not be opened at start-up")
    task = None
    if settings.expiry_days > 0 and app.state.classroom is not None:
        task = asyncio.create_task(expiry_sweeps(lambda: store, settings.expiry_days * 86400))
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    if app.state.classroom is not None:
        app.state.classroom.close()


app = FastAPI(
    lifespan=lifespan,
    title="DeltaFlow",
    version="0.1.0",
    description="Error backpropagation, one formula at a time: every z, a, δ and ∂L/∂w of a network you build.",
    docs_url=None,  # served by routes/docs.py from vendored assets: no CDN, no inline script
    redoc_url=None,
    generate_unique_id_function=api_document.operation_id,
)
api_document.install(app)
errors.install(app, page_error=pages.error_page)
# level 1: JSON of floats compresses almost as well as at 9, at a tenth of the CPU (9 cost seconds on large networks)
app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)
if settings.cors_origins:
    app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["*"],
                       allow_headers=["*"])
# a network's state, as GET answers it, may be posted back whole (docs/api.md, "State round-trips")
app.add_middleware(BodyLimit, limit=settings.max_body_bytes,
                   larger={("POST", "/api/networks"): settings.max_network_body_bytes})
app.add_middleware(Quotas, quotas=quotas(settings.quota_networks, settings.quota_rooms, settings.quota_room_misses,
                                         settings.quota_followers))
app.add_middleware(AllowedHosts, hosts=settings.allowed_hosts)
app.add_middleware(SecurityHeaders)  # outside BodyLimit, so its 413 carries the headers too
app.add_middleware(HeadAsGet)  # outermost: every layer inside sees the GET it answers
# content-addressed first (/static/<hash>/…, cached for a year), then the plain tree (revalidated every time)
app.mount(pages.STATIC_ROOT, pages.ImmutableStatic(directory=ROOT / "static"), name="static-build")
app.mount("/static", pages.RevalidatedStatic(directory=ROOT / "static"), name="static")
app.include_router(health.router)
app.include_router(docs.router)
app.include_router(meta.router)
app.include_router(presets.router)
app.include_router(networks.router)
app.include_router(pages.router)
app.include_router(rooms.router)
app.include_router(quiz.router)
app.include_router(rooms_class.router)
