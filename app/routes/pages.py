"""The HTML pages (the main page, the guided lesson), plotly.js compressed once, and the static tree's
content-addressed URLs: everything the pages load is cached for a year and never revalidated."""

import gzip
import hashlib
import os
import re
from functools import lru_cache
from http import HTTPStatus
from pathlib import Path

import plotly
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.responses import Response as StarletteResponse
from starlette.types import Scope

ROOT = Path(__file__).resolve().parent.parent.parent
# Plotly's official cartesian partial bundle (static/vendor/plotly/README.md): a third of the full bundle's bytes,
# of the same plotly.js version as the one the installed plotly package ships (a test keeps the two equal)
PLOTLY_JS = ROOT / "static" / "vendor" / "plotly" / "plotly-cartesian.min.js"
PACKAGE_PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
LONG_CACHE = "public, max-age=31536000, immutable"

STATIC = ROOT / "static"

router = APIRouter(tags=["pages"])
templates = Jinja2Templates(directory=str(ROOT / "templates"))


def content_hash(directory: Path) -> str:
    """A short hash of every file's path and bytes under directory: it changes whenever any static file does.

    Computed once at start-up (about 10 ms for the static tree), so a static file edited while the server runs is
    served under the old URL until the next start."""
    digest = hashlib.blake2b(digest_size=6)
    for base, dirs, files in os.walk(directory):
        dirs.sort()
        for name in sorted(files):
            path = Path(base) / name
            digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


STATIC_BUILD = content_hash(STATIC)
# the pages reference their scripts, style sheets and modules under this prefix; relative imports stay inside it
STATIC_ROOT = f"/static/{STATIC_BUILD}"
templates.env.globals["static_root"] = STATIC_ROOT
# a module's static imports (`import … from "./x.js"`, not `import()`): what the browser must fetch before it runs
STATIC_IMPORT = re.compile(r'^\s*(?:import|export)\b[^;()]*?\bfrom\s+"(\.{1,2}/[^"]+\.js)"', re.MULTILINE)


@lru_cache(maxsize=8)
def module_graph(entry: str) -> tuple[str, ...]:
    """Every module the entry module (a path under static/js) imports statically, itself first, as paths under
    static/: the page preloads exactly these, so a module imported later with import() is not fetched up front."""
    seen: list[str] = []
    todo = [(STATIC / "js" / entry).resolve()]
    while todo:
        path = todo.pop()
        rel = path.relative_to(STATIC).as_posix()
        if rel in seen:
            continue
        seen.append(rel)
        source = path.read_text(encoding="utf-8")
        todo.extend((path.parent / spec).resolve() for spec in reversed(STATIC_IMPORT.findall(source)))
    return tuple(seen)


templates.env.globals["module_graph"] = module_graph


class ImmutableStatic(StaticFiles):
    """The static tree under its content hash: a URL's bytes never change, so browsers keep them a year unasked."""

    def file_response(self, full_path: "os.PathLike[str] | str", stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> StarletteResponse:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = LONG_CACHE
        return response


class RevalidatedStatic(StaticFiles):
    """The same tree at its plain /static URLs (API docs, older links): always revalidated (ETag, 304)."""

    def file_response(self, full_path: "os.PathLike[str] | str", stat_result: os.stat_result, scope: Scope,
                      status_code: int = 200) -> StarletteResponse:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "no-cache"
        return response


def banner_version(path: Path) -> str:
    """The plotly.js version in a bundle's first comment, e.g. 'plotly.js (cartesian - minified) v4.1.1'."""
    with path.open("r", encoding="utf-8") as fh:
        found = re.search(r"plotly\.js[^\n]*? v(\d+\.\d+\.\d+)", fh.read(300))
    return found.group(1) if found else "0"


@lru_cache(maxsize=1)
def plotly_version() -> str:
    """The served plotly.js version; in the script's URL it busts the year-long cache on upgrades."""
    return banner_version(PLOTLY_JS)


# V8's compile hint: every function of the bundle is compiled while it streams in, on a background thread, instead
# of lazily on the main thread when first called (plotly calls most of them at start-up): about a third less
# main-thread time before the first drawing, which is what a slow phone waits for
COMPILE_HINT = b"//# allFunctionsCalledOnLoad\n"


@lru_cache(maxsize=1)
def plotly_bytes() -> tuple[bytes, bytes]:
    """plotly.js as served (the vendored bundle after the compile hint) and gzipped once: 1.5 MB would otherwise be
    recompressed for every student."""
    raw = COMPILE_HINT + PLOTLY_JS.read_bytes()
    return raw, gzip.compress(raw, compresslevel=6, mtime=0)


def error_page(request: Request, status: int, detail: str, headers: dict[str, str] | None) -> HTMLResponse:
    """An error as a page, for a browser that navigated to a page path (app.errors decides when)."""
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    return templates.TemplateResponse(request, "error.html", {"title": title, "detail": detail},
                                      status_code=status, headers=headers)


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
    """plotly.js from this app itself, so the page needs no CDN."""
    raw, packed = plotly_bytes()
    headers = {"Cache-Control": LONG_CACHE, "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        # Already compressed: the GZip middleware leaves responses with a Content-Encoding alone.
        headers["Content-Encoding"] = "gzip"
        return Response(packed, media_type="text/javascript", headers=headers)
    return Response(raw, media_type="text/javascript", headers=headers)
