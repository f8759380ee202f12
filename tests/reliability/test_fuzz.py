"""API fuzzing: schemathesis generates valid and invalid requests from the live server's /openapi.json; no answer
may be a 5xx, use a status code the schema does not declare, or break the schema it declares.

Bounded: a fixed seed and a few examples per operation (FUZZ_EXAMPLES, default 25) keep it to about a minute.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.reliability.server import Server

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def fuzz_networks(live: Server) -> Iterator[list[str]]:
    """Real networks for the generated requests to hit, besides the random ids schemathesis makes up."""
    with httpx.Client(base_url=live.url) as http:
        ids = [
            http.post("/api/networks", json={"preset": "xor"}).json()["id"],
            http.post("/api/networks", json={"preset": "circles", "layers": [2, 4, 1], "activations": ["tanh", "sigmoid"]}).json()["id"],
            http.post("/api/networks", json={"layers": [3, 2], "activations": "softmax", "loss": "cross_entropy",
                                             "dataset": {"inputs": [[1, 2, 3]], "targets": [[0, 1]]}}).json()["id"],
            http.post("/api/networks", json={"layers": [1, 1]}).json()["id"],  # no data set
        ]
    yield ids


@pytest.fixture(scope="module")
def api_schema(live: Server) -> Any:
    return schemathesis.openapi.from_url(f"{live.url}/openapi.json")


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every documented operation, read from the app itself at collection time."""
    from app.main import app

    return [(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item
            if method in ("get", "post", "put", "patch", "delete")]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize(("method", "path"), _operations())
def test_api_answers_within_its_schema(method: str, path: str, mode: GenerationMode, api_schema: Any, live: Server,
                                       fuzz_networks: list[str]) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        params = case.path_parameters or {}
        if "network_id" in params and mode is GenerationMode.POSITIVE:
            # most valid cases run against a real network, so the engine and the store are fuzzed too
            pick = zlib.crc32(repr(case.body).encode() + str(params["network_id"]).encode()) % (len(fuzz_networks) + 1)
            if pick < len(fuzz_networks):
                params["network_id"] = fuzz_networks[pick]
        if isinstance(case.body, dict) and isinstance(case.body.get("iterations"), int) and case.body["iterations"] > 300:
            case.body["iterations"] = 300  # a long accepted run proves nothing more here and costs seconds
        case.call_and_validate(base_url=live.url, checks=CHECKS, timeout=30)

    try:
        check()
    except Unsatisfiable:
        # nothing in this operation's schema can be made invalid (e.g. one unconstrained string in the path)
        assert mode is GenerationMode.NEGATIVE
        pytest.skip("no invalid request can be generated for this operation")
