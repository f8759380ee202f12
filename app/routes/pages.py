"""The HTML page and the front-end assets that do not live in static/ (plotly.js from the plotly package)."""

from functools import lru_cache
from pathlib import Path

import plotly
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

ROOT = Path(__file__).resolve().parent.parent.parent
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"

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


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request) -> HTMLResponse:
    """The single page of the app (its Content-Security-Policy comes from app.middleware.SecurityHeaders)."""
    response = templates.TemplateResponse(request, "index.html", {"plotly_version": plotly_version()})
    response.headers["Cache-Control"] = "no-cache"
    return response


@router.get("/vendor/plotly.min.js", include_in_schema=False)
def plotly_js() -> FileResponse:
    """plotly.js as shipped inside the installed plotly package, so the page needs no CDN."""
    return FileResponse(
        PLOTLY_JS,
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )
