"""The HTML pages (the main page and the guided lesson) and the front-end assets that do not live in static/ (plotly.js from the plotly package)."""

import gzip
from functools import lru_cache
from pathlib import Path

import plotly
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

ROOT = Path(__file__).resolve().parent.parent.parent
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
LONG_CACHE = "public, max-age=31536000, immutable"

router = APIRouter(tags=["pages"])
templates = Jinja2Templates(directory=str(ROOT / "templates"))


@lru_cache(maxsize=1)
def plotly_version() -> str:
    """The bundled plotly.js version, read from the file's banner; it busts the long cache on upgrades."""
    with PLOTLY_JS.open("r", encoding="utf-8") as fh:
        head = fh.read(200)
    marker = "plotly.js v"
    start = head.find(marker)
    if start < 0:
        return "0"
    return head[start + len(marker) :].split()[0]


@lru_cache(maxsize=1)
def plotly_bytes() -> tuple[bytes, bytes]:
    """plotly.min.js as is and gzipped once: 4.8 MB would otherwise be recompressed for every student."""
    raw = PLOTLY_JS.read_bytes()
    return raw, gzip.compress(raw, compresslevel=6, mtime=0)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request) -> HTMLResponse:
    """The single page of the app (its Content-Security-Policy comes from app.middleware.SecurityHeaders)."""
    response = templates.TemplateResponse(request, "index.html", {"plotly_version": plotly_version()})
    response.headers["Cache-Control"] = "no-cache"
    return response


@router.get("/lesson", response_class=HTMLResponse, include_in_schema=False)
def lesson(request: Request) -> HTMLResponse:
    """The guided lesson: the lecture's beats in order on a live XOR network (?stage=N links a stage)."""
    response = templates.TemplateResponse(request, "lesson.html", {"plotly_version": plotly_version()})
    response.headers["Cache-Control"] = "no-cache"
    return response


@router.get("/vendor/plotly.min.js", include_in_schema=False)
def plotly_js(request: Request) -> Response:
    """plotly.js as shipped inside the installed plotly package, so the page needs no CDN."""
    raw, packed = plotly_bytes()
    headers = {"Cache-Control": LONG_CACHE, "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        # Already compressed: the GZip middleware leaves responses with a Content-Encoding alone.
        headers["Content-Encoding"] = "gzip"
        return Response(packed, media_type="text/javascript", headers=headers)
    return Response(raw, media_type="text/javascript", headers=headers)
