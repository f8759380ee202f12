"""The OpenAPI document as client generators read it: operation ids from the route functions' names, bounds under
JSON Schema's names, and tokens that are optional where the API takes them (a route's status codes say when one
is needed). Every route,
including routes added later, follows these rules without declaring anything itself."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute


def operation_id(route: APIRoute) -> str:
    """camelCase of the route function's name: `create_network` is `createNetwork` (stable across paths)."""
    first, *rest = route.name.split("_")
    return first + "".join(word[:1].upper() + word[1:] for word in rest)


# pydantic writes a bound it cannot attach to the integer itself (inside a union or a list) under its own name
STANDARD = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum",
            "multiple_of": "multipleOf"}


def _standard_bounds(node: Any) -> None:
    """JSON Schema's names for every bound; values (examples, defaults) and property names are left alone."""
    if isinstance(node, dict):
        for key in [k for k in node if k in STANDARD and not isinstance(node[k], dict | list)]:
            node[STANDARD[key]] = node.pop(key)
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for sub in value.values():
                    _standard_bounds(sub)
            elif key not in ("examples", "example", "default", "const", "enum"):
                _standard_bounds(value)
    elif isinstance(node, list):
        for item in node:
            _standard_bounds(item)


def _distinct_titles(components: dict[str, Any]) -> None:
    # a model that answers with fields a request may leave out is two schemas, `X-Input` and `X-Output`; both
    # carry the title `X`, and generators name classes by title
    for name, schema in components.get("schemas", {}).items():
        if "-" in name and isinstance(schema, dict):
            schema["title"] = name.replace("-", "")


def _optional_tokens(schema: dict[str, Any]) -> None:
    # a token is asked for only by protected networks, presenters and followers: no token is an alternative too
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            security = operation.get("security") if isinstance(operation, dict) else None
            if security and {} not in security:
                security.append({})


def install(app: FastAPI) -> None:
    """Wraps app.openapi (FastAPI builds and caches the document) so that the rules above apply to it."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        _standard_bounds(schema.get("components", {}))
        _distinct_titles(schema.get("components", {}))
        _optional_tokens(schema)  # both idempotent: the cached document comes back through here every time
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
