"""A leaner handler for hot JSON routes: the same endpoint, validation and answers as FastAPI's, without its
general request machinery on the common request.

FastAPI's handler parses the content type with `email.message`, decodes the body and then solves the route's
dependencies through a general solver that costs more than an XOR step. A `LeanRoute` takes the request it can
prove equivalent (an `application/json` body that FastAPI's own body field accepts, path and header values its
own fields accept, dependencies without parameters) and calls the endpoint itself; every other request (a wrong
content type, invalid JSON, a field error, a dependency override with parameters) goes to FastAPI's handler, so
errors are FastAPI's, byte for byte. The endpoint must return a `Response` (it then needs no serialisation).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
# dependency (or override) → True when it takes no parameters; FastAPI would then call it with none
_PARAMETERLESS: dict[Callable[..., Any], bool] = {}


def _parameterless(call: Callable[..., Any]) -> bool:
    known = _PARAMETERLESS.get(call)
    if known is None:
        known = _PARAMETERLESS[call] = not inspect.signature(call).parameters
    return known


def _simple_dependency(dep: Dependant) -> bool:
    """A dependency FastAPI would call with no arguments and no exit stack: plain function, no parameters."""
    call = dep.call
    return (call is not None and not dep.dependencies and _parameterless(call)
            and not (inspect.isgeneratorfunction(call) or inspect.isasyncgenfunction(call)))


def _plain_name(field: Any) -> bool:
    """A parameter looked up by its own name (no alias, no underscore FastAPI would turn into a hyphen)."""
    return bool(field.alias == field.name and "_" not in field.name and field.field_info.validation_alias is None)


def _leanable(dependant: Dependant, embed_body_fields: bool) -> bool:
    return (len(dependant.body_params) == 1 and not embed_body_fields
            and all(_plain_name(f) for f in dependant.header_params) and not dependant.query_params
            and not dependant.cookie_params and dependant.request_param_name is None
            and dependant.response_param_name is None and dependant.background_tasks_param_name is None
            and dependant.security_scopes_param_name is None and dependant.websocket_param_name is None
            and dependant.http_connection_param_name is None
            and all(_simple_dependency(d) for d in dependant.dependencies))


async def _call(call: Callable[..., Any], **kwargs: Any) -> Any:
    if inspect.iscoroutinefunction(call):
        return await call(**kwargs)
    return await run_in_threadpool(call, **kwargs)  # as FastAPI runs a sync function


class LeanRoute(APIRoute):
    """An APIRoute (same OpenAPI, same matching) whose handler skips FastAPI's general path when it can."""

    def get_route_handler(self) -> Handler:
        full = super().get_route_handler()
        dependant = self.dependant
        if not _leanable(dependant, self._embed_body_fields):
            return full
        body_field = dependant.body_params[0]
        path_fields = [(f.name, f.alias, f) for f in dependant.path_params]
        header_fields = [(f.name, f.name, f) for f in dependant.header_params]
        dependencies: list[tuple[str, Callable[..., Any]]] = [
            (d.name, d.call) for d in dependant.dependencies if d.name is not None and d.call is not None]
        if len(dependencies) != len(dependant.dependencies):
            return full
        endpoint = dependant.call
        assert endpoint is not None

        async def handler(request: Request) -> Response:
            if request.headers.get("content-type") != "application/json":
                return await full(request)
            body = await request.body()  # cached on the request: FastAPI's handler reads the same bytes
            try:
                parsed = json.loads(body) if body else None  # json.loads, as Request.json() does
                value, errors = body_field.validate(parsed, {}, loc=("body",))
            except Exception:  # e.g. RecursionError on deep nesting: FastAPI's handler answers it its own way
                return await full(request)
            if parsed is None or errors:
                return await full(request)
            kwargs: dict[str, Any] = {body_field.name: value}
            for name, alias, field in path_fields:
                kwargs[name], errors = field.validate(request.path_params.get(alias), {}, loc=("path", alias))
                if errors:
                    return await full(request)
            for name, alias, field in header_fields:
                kwargs[name], errors = field.validate(request.headers.get(alias), {}, loc=("header", alias))
                if errors:
                    return await full(request)
            overrides = getattr(request.app, "dependency_overrides", {})
            for name, call in dependencies:
                actual = overrides.get(call, call)
                if not _parameterless(actual):
                    return await full(request)
                kwargs[name] = await _call(actual)
            response = await _call(endpoint, **kwargs)
            if not isinstance(response, Response):
                raise TypeError(f"a LeanRoute endpoint returns a Response, not {type(response).__name__}")
            return response

        return handler
