"""Assembles the DeltaFlow ASGI app: middleware, error handlers, static files and routers; no logic lives here."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from app import errors
from app.config import get_settings
from app.middleware import BodyLimit, SecurityHeaders
from app.routes import docs, health, networks, pages, presets, rooms

ROOT = Path(__file__).resolve().parent.parent
settings = get_settings()

app = FastAPI(
    title="DeltaFlow",
    version="0.1.0",
    description="Error backpropagation, one formula at a time: every z, a, δ and ∂L/∂w of a network you build.",
    docs_url=None,  # served by routes/docs.py from vendored assets: no CDN, no inline script
    redoc_url=None,
)
errors.install(app)
app.add_middleware(GZipMiddleware, minimum_size=1024)
if settings.cors_origins:
    app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["*"],
                       allow_headers=["*"])
app.add_middleware(SecurityHeaders)
app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
app.include_router(health.router)
app.include_router(docs.router)
app.include_router(presets.router)
app.include_router(networks.router)
app.include_router(pages.router)
app.include_router(rooms.router)
