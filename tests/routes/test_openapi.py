"""The OpenAPI document as client generators read it, walked whole so that routes added later follow the same
rules: readable unique operation ids, standard JSON Schema bounds, bearer schemes where tokens are taken, an
example for every request body, every response field required; and the answers that keep those promises."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient

from app.main import app

SPEC = app.openapi()
METHODS = ("get", "post", "put", "patch", "delete")
# pydantic's own names for bounds it could not express: JSON Schema and the generators ignore them
NON_STANDARD = {"ge", "le", "gt", "lt", "multiple_of", "min_items", "max_items"}


def _operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def _validator(schema: dict[str, Any]) -> Any:
    """A JSON Schema 2020-12 validator for a schema that may refer to #/components/schemas."""
    return jsonschema_rs.Draft202012Validator({**schema, "components": SPEC["components"]})


def _schema_keywords(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(where, keyword) for every keyword of every schema object; property names and examples are not keywords."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("examples", "example"):
                continue
            if key == "properties" and isinstance(value, dict):
                for name, sub in value.items():
                    yield from _schema_keywords(sub, f"{path}/properties/{name}")
                continue
            yield path, key
            yield from _schema_keywords(value, f"{path}/{key}")
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _schema_keywords(value, f"{path}/{n}")


def test_operation_ids_are_readable_camel_case_and_unique() -> None:
    ids = {f"{method} {path}": op["operationId"] for method, path, op in _operations()}
    assert len(set(ids.values())) == len(ids)
    assert all(re.fullmatch(r"[a-z][a-zA-Z0-9]*", op_id) for op_id in ids.values()), ids
    # the pinned ones: scripts and generated clients call these names
    assert ids["post /api/networks"] == "createNetwork"
    assert ids["get /api/networks/{network_id}"] == "getNetwork"
    assert ids["post /api/networks/{network_id}/step"] == "stepNetwork"
    assert ids["post /api/networks/{network_id}/train"] == "trainNetwork"
    assert ids["post /api/networks/{network_id}/trace"] == "traceSample"
    assert ids["post /api/rooms"] == "openRoom"
    assert ids["patch /api/rooms/{code}/followers/{follower}"] == "renameFollower"
    assert ids["put /api/rooms/{code}/pacing"] == "setPacing"


def test_bounds_are_standard_json_schema_keywords() -> None:
    leaks = [f"{where} {key}" for where, key in _schema_keywords(SPEC["components"]) if key in NON_STANDARD]
    assert leaks == []
    layers = SPEC["components"]["schemas"]["NetworkCreate"]["properties"]["layers"]["anyOf"][0]["items"]
    assert layers == {"type": "integer", "minimum": 1}


def test_routes_that_take_a_token_declare_an_optional_bearer_scheme() -> None:
    schemes = SPEC["components"]["securitySchemes"]
    assert set(schemes) == {"networkToken", "presenterToken", "followerToken"}
    assert all(s == {**s, "type": "http", "scheme": "bearer"} for s in schemes.values())
    ops = {op["operationId"]: op for _, _, op in _operations()}
    assert ops["stepNetwork"]["security"] == [{"networkToken": []}, {}]  # no token: an unprotected network
    assert ops["publishState"]["security"] == [{"presenterToken": []}, {}]
    assert ops["answerQuestion"]["security"] == [{"followerToken": []}, {}]
    assert "security" not in ops["getNetwork"] and "security" not in ops["createNetwork"]
    # tokens travel only through the schemes: no operation lists Authorization as a plain header parameter
    headers = [(op["operationId"], p["name"]) for _, _, op in _operations() for p in op.get("parameters", [])
               if p["in"] == "header"]
    assert headers == []


def test_every_request_body_has_examples_that_validate_against_its_schema() -> None:
    bodies = 0
    for _, _, op in _operations():
        if "requestBody" not in op:
            continue
        bodies += 1
        media = op["requestBody"]["content"]
        assert list(media) == ["application/json"], op["operationId"]
        schema = media["application/json"]["schema"]
        target = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]] if "$ref" in schema else schema
        examples = target.get("examples") or []
        assert examples, f"{op['operationId']}: no example"
        validator = _validator(schema)
        for example in examples:
            assert validator.is_valid(example), (op["operationId"], example)
        assert not validator.is_valid({"not_a_field": 1})  # the validator does check
    assert bodies >= 15


def _response_schemas() -> Iterator[str]:
    """Names of every component reachable from a success response."""
    seen: set[str] = set()
    todo = [op["responses"][code] for _, _, op in _operations() for code in op["responses"] if code.startswith("2")]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref not in seen:
                seen.add(ref)
                todo.append(SPEC["components"]["schemas"][ref.rsplit("/", 1)[1]])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    yield from sorted(ref.rsplit("/", 1)[1] for ref in seen)


def test_every_field_of_every_response_is_required() -> None:
    names = list(_response_schemas())
    assert "TraceEvent" in names and "NetworkState" in names
    for name in names:
        schema = SPEC["components"]["schemas"][name]
        # a response model derives from app.schemas.common.Reply, which sends and requires every field
        assert set(schema.get("required", [])) == set(schema.get("properties", {})), name


def test_qr_code_is_declared_as_svg() -> None:
    ok = SPEC["paths"]["/api/rooms/{code}/qr.svg"]["get"]["responses"]["200"]
    assert list(ok["content"]) == ["image/svg+xml"]


def _check(spec_op: dict[str, Any], status: int, body: Any) -> None:
    schema = spec_op["responses"][str(status)]["content"]["application/json"]["schema"]
    errors = [e.message for e in _validator(schema).iter_errors(body)]
    assert errors == [], (spec_op["operationId"], errors[:5])


def test_answers_carry_every_field_their_schema_requires(client: TestClient, xor: dict) -> None:
    ops = {op["operationId"]: op for _, _, op in _operations()}
    base = f"/api/networks/{xor['id']}"
    _check(ops["createNetwork"], 201, xor)
    _check(ops["getNetwork"], 200, client.get(base).json())
    for op, url, body in [
        ("forwardPass", "/forward", {"sample": 0}),
        ("forwardPass", "/forward", {"samples": "all"}),
        ("backwardPass", "/backward", {"samples": [0, 1]}),
        ("traceSample", "/trace", {"sample": 1}),
        ("trainNetwork", "/train", {"iterations": 5, "store": False}),
        ("stepNetwork", "/step", {"sample": 0}),
    ]:
        r = client.post(base + url, json=body)
        assert r.status_code == 200, r.text
        _check(ops[op], 200, r.json())
    events = client.post(base + "/trace", json={"sample": 0}).json()["events"]
    assert {e["optional"] for e in events} == {False, True}  # false is sent too, not left out


def test_a_body_that_is_not_json_is_refused_with_415(client: TestClient, xor: dict) -> None:
    for headers in ({"content-type": "text/plain"}, {"content-type": "application/x-www-form-urlencoded"}, {}):
        r = client.post("/api/networks", content=b'{"preset": "xor"}', headers=headers)
        assert r.status_code == 415, r.text
        assert "Content-Type: application/json" in r.json()["detail"]
    r = client.post(f"/api/networks/{xor['id']}/step", content=b"sample=0", headers={"content-type": "text/plain"})
    assert r.status_code == 415
    assert client.post("/api/networks", content=b'{"preset": "xor"}',
                       headers={"content-type": "application/json; charset=utf-8"}).status_code == 201


@pytest.mark.parametrize(("body", "loc", "msg"), [
    ({"layers": [2, 1], "activations": "sigmoidd"}, ["body", "activations"], "unknown activation 'sigmoidd'"),
    ({"layers": [2, 2, 1], "activations": ["tanh", "sigmoidd"]}, ["body", "activations", 1],
     "unknown activation 'sigmoidd'"),
    ({"layers": [2, 1], "optimizer": "adamm"}, ["body", "optimizer"], "unknown optimizer 'adamm'"),
    ({"layers": [2, 1], "optimizer": {"name": "adamm"}}, ["body", "optimizer", "name"], "unknown optimizer 'adamm'"),
    ({"layers": [2, 1], "loss": "msee"}, ["body", "loss"], "unknown loss 'msee'"),
])
def test_an_unknown_name_is_one_error_naming_the_choices(client: TestClient, body: dict, loc: list, msg: str) -> None:
    r = client.post("/api/networks", json=body)
    assert r.status_code == 422
    [error] = r.json()["detail"]
    assert error["loc"] == loc
    assert error["msg"].startswith(msg + "; choose one of '")
    assert "literal" not in error["msg"]
