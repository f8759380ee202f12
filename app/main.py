"""Assembles the DeltaFlow ASGI app: middleware, static files and routers; no logic lives here."""

from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from app.routes import pages

ROOT = Path(__file__).resolve().parent.parent

app = FastAPI(title="DeltaFlow", version="0.1.0")
app.add_middleware(GZipMiddleware, minimum_size=1024)
app.mount("/static", StaticFiles(directory=ROOT / "static"), name="static")
app.include_router(pages.router)
