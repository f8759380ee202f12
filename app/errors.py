"""How refused requests are answered: JSON that names the field and the rule, never a stack trace; a browser that
navigated to a page gets the same words as a page."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match, Mount

from app.store.base import Conflict, NotFound

log = logging.getLogger("deltaflow")
# numbers are strict: say why true, false or "1" were refused where a number was expected
NOT_A_NUMBER = {
    "float_type": " (a JSON number; true, false and quoted numbers are refused)",
    "int_type": " (a JSON integer such as 3; true, false and quoted numbers are refused)",
}

Loc = tuple[str | int, ...]
PageError = Callable[[Request, int, str, "dict[str, str] | None"], Response]
# paths whose errors are always JSON: the API, its schema and docs, files, and the probes
NOT_PAGES = ("/api/", "/openapi", "/docs", "/static/", "/vendor/", "/healthz", "/readyz")
_page_error: PageError | None = None


def _wants_page(request: Request) -> bool:
    return _page_error is not None and "text/html" in request.headers.get("accept", "") \
        and not request.url.path.startswith(NOT_PAGES)


def _answer(request: Request, status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    """`{"detail": …}` as JSON, or as a page when a browser navigated to a page path."""
    if _wants_page(request) and _page_error is not None:
        return _page_error(request, status, detail, headers)
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


class ApiError(Exception):
    """A refused request: HTTP status, the field's location and the rule it broke."""

    def __init__(self, status: int, loc: Loc, msg: str, kind: str = "value_error",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(msg)
        self.status = status
        self.loc = loc
        self.msg = msg
        self.kind = kind
        self.headers = headers  # e.g. Retry-After of a 429, WWW-Authenticate of a 401


def invalid(loc: Loc, msg: str) -> ApiError:
    """422 naming the body field at `loc` and the rule it broke."""
    return ApiError(422, ("body", *loc), msg)


# a loc part that names a member of a union (`literal['sgd',…]`, `list[…]`, `OptimizerSpec`), not a field
def _is_union_tag(part: str | int) -> bool:
    return isinstance(part, str) and ("[" in part or part[:1].isupper())


# errors that only say the input is not of this member's type: another member of the union is the one meant
WRONG_MEMBER = {"list_type", "model_attributes_type", "model_type", "dict_type", "int_type", "float_type",
                "string_type", "none_required"}
NOUNS = {"activations": "activation", "scheme": "init scheme", "mode": "training mode", "name": "optimizer"}


def _wrong_member(err: dict[str, Any]) -> bool:
    return err.get("type") in WRONG_MEMBER or (err.get("type") == "literal_error"
                                                and not isinstance(err.get("input"), str))


def _tidy(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One error per broken rule, at the field's own location: of the members of a union, only the errors of the
    member the input was meant for (a name for a name, a list for a list), and no union tags in `loc`."""
    groups: dict[Loc, list[dict[str, Any]]] = {}
    out: list[dict[str, Any]] = []
    for err in errors:
        loc = tuple(err.get("loc", ()))
        cut = next((n for n, part in enumerate(loc) if _is_union_tag(part)), None)
        clean = tuple(part for part in loc if not _is_union_tag(part))
        err = {**err, "loc": clean}
        if cut is None:
            out.append(err)
        else:
            groups.setdefault(loc[:cut], []).append(err)
    for members in groups.values():
        meant = [err for err in members if not _wrong_member(err)]
        out.extend(meant or members[:1])
    return out


def _message(err: dict[str, Any]) -> str:
    msg = str(err.get("msg", "invalid value"))
    kind = err.get("type")
    if kind == "value_error":
        return msg.removeprefix("Value error, ")  # our validators' own sentences, without pydantic's label
    if kind == "json_invalid":
        return "the body is not valid JSON: " + str(err.get("ctx", {}).get("error", msg))
    if kind in NOT_A_NUMBER:
        return msg + NOT_A_NUMBER[str(kind)]
    if kind == "literal_error" and isinstance(err.get("input"), str):
        field = next((p for p in reversed(err["loc"]) if isinstance(p, str)), "value")
        return f"unknown {NOUNS.get(field, field)} {err['input']!r}; choose one of {err['ctx']['expected']}"
    return msg


def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if isinstance(exc.body, bytes | bytearray):  # a body FastAPI did not parse: its Content-Type is not JSON
        sent = request.headers.get("content-type") or "none"
        return _answer(request, 415, f"the body must be JSON: send Content-Type: application/json (got {sent})")
    items = [{"loc": [p if isinstance(p, int) else str(p) for p in err["loc"]], "msg": _message(err),
              "type": str(err.get("type", "value_error"))} for err in _tidy(list(exc.errors()))]
    if _wants_page(request):
        return _answer(request, 422, "; ".join(f"{'.'.join(map(str, i['loc']))}: {i['msg']}" for i in items))
    return JSONResponse({"detail": items}, status_code=422)


def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if exc.status == 422:
        return JSONResponse({"detail": [{"loc": list(exc.loc), "msg": exc.msg, "type": exc.kind}]}, status_code=422)
    return _answer(request, exc.status, exc.msg, exc.headers)


def _not_found(request: Request, exc: Exception) -> Response:
    return _answer(request, 404, "network not found")


def _conflict(request: Request, exc: Exception) -> Response:
    return _answer(request, 409, "too many concurrent changes to this network; retry")


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers on this request's path (Starlette's 405 names only the first route's)."""
    routes = [r for r in request.app.router.routes if not isinstance(r, Mount)]  # static files answer any method
    return [method for method in METHODS
            if any(route.matches({**request.scope, "method": "GET" if method == "HEAD" else method})[0] is Match.FULL
                   for route in routes)]  # HEAD is answered wherever GET is (app.middleware.HeadAsGet)


def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        allow = allowed_methods(request)
        if allow:
            headers["Allow"] = ", ".join(allow)
    return _answer(request, exc.status_code, str(exc.detail), headers or None)


def store_unavailable(request: Request, exc: Exception) -> Response:
    """503 with Retry-After for a store that cannot be reached, read or written; the log keeps the reason."""
    log.warning("store unavailable: %s: %s", type(exc).__name__, exc)
    return _answer(request, 503, "the network store is unavailable; retry in a moment", {"Retry-After": "2"})


def _store_full(request: Request, exc: Exception) -> Response:
    log.warning("store full: Redis refused a write at maxmemory")
    return _answer(request, 503, "the network store is full; nothing was changed: retry later, or ask the operator to "
                   "raise Redis's maxmemory", {"Retry-After": "30"})


def _unexpected(request: Request, exc: Exception) -> Response:
    # the client learns nothing of the internals; the log keeps the traceback for us
    log.error("unhandled error on %s %s", request.method, request.url.path.split("/api/networks/")[0], exc_info=exc)
    return _answer(request, 500, "internal error")


def install(app: FastAPI, page_error: PageError | None = None) -> None:
    """Registers the handlers; `page_error` renders an error as a page for browsers on page paths."""
    global _page_error
    _page_error = page_error
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(Conflict, _conflict)
    app.add_exception_handler(StarletteHTTPException, _http)
    # a Redis outage is the store's, not the request's: 503 and retry, never a 500
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import OutOfMemoryError as RedisOutOfMemoryError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    app.add_exception_handler(RedisConnectionError, store_unavailable)
    app.add_exception_handler(RedisTimeoutError, store_unavailable)
    # a full Redis (maxmemory with noeviction) refuses writes: 503, as it keeps what it holds
    app.add_exception_handler(RedisOutOfMemoryError, _store_full)
    # a SQLite file that cannot be opened or written (e.g. a read-only volume) is the store's too
    app.add_exception_handler(sqlite3.DatabaseError, store_unavailable)
    app.add_exception_handler(Exception, _unexpected)
