"""API fuzzing: schemathesis generates valid and invalid requests from the live server's /openapi.json; no answer
may be a 5xx, use a status code the schema does not declare, or break the schema it declares.

Two runs, both seeded and bounded (a minute or two each on 2 cores):
- per operation in pytest, most valid cases aimed at real networks (FUZZ_EXAMPLES per operation, default 25);
- the schemathesis CLI with every check and every phase (examples, coverage, fuzzing, stateful), configured by
  tests/reliability/schemathesis.toml (FUZZ_ALL_EXAMPLES per operation, default 40).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
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

from tests.support import Process, start_uvicorn

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
ALL_EXAMPLES = int(os.environ.get("FUZZ_ALL_EXAMPLES", "40"))
CONFIG = Path(__file__).with_name("schemathesis.toml")
PHASES = "examples,coverage,fuzzing,stateful"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    """The fuzzer's own server: it makes up thousands of ids and room codes from one address by design, so the
    per-address budgets are lifted here, and the shared server keeps its budgets for the tests that come after."""
    tmp = tmp_path_factory.mktemp("fuzz")
    lifted = {name: "100000000" for name in
              ("DELTAFLOW_QUOTA_NETWORKS", "DELTAFLOW_QUOTA_ROOMS", "DELTAFLOW_QUOTA_ROOM_MISSES")}
    with start_uvicorn(tmp / "uvicorn.log", {"DELTAFLOW_DB": str(tmp / "deltaflow.db"), **lifted}) as server:
        yield server


@pytest.fixture(scope="module")
def fuzz_networks(live: Process) -> Iterator[list[str]]:
    """Real networks for the generated requests to hit, besides the random ids schemathesis makes up."""
    with httpx.Client(base_url=live.url) as http:
        ids = [
            http.post("/api/networks", json={"preset": "xor"}).json()["id"],
            http.post("/api/networks", json={"preset": "circles", "layers": [2, 4, 1],
                                             "activations": ["tanh", "sigmoid"]}).json()["id"],
            http.post("/api/networks", json={"layers": [3, 2], "activations": "softmax", "loss": "cross_entropy",
                                             "dataset": {"inputs": [[1, 2, 3]], "targets": [[0, 1]]}}).json()["id"],
            http.post("/api/networks", json={"layers": [1, 1]}).json()["id"],  # no data set
        ]
    yield ids


@pytest.fixture(scope="module")
def api_schema(live: Process) -> Any:
    return schemathesis.openapi.from_url(f"{live.url}/openapi.json")


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every documented operation, read from the app itself at collection time."""
    from app.main import app

    return [(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item
            if method in ("get", "post", "put", "patch", "delete")]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize(("method", "path"), _operations())
def test_api_answers_within_its_schema(method: str, path: str, mode: GenerationMode, api_schema: Any, live: Process,
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
        if (isinstance(case.body, dict) and isinstance(case.body.get("iterations"), int)
                and case.body["iterations"] > 300):
            case.body["iterations"] = 300  # a long accepted run proves nothing more here and costs seconds
        case.call_and_validate(base_url=live.url, checks=CHECKS, timeout=30)

    try:
        check()
    except Unsatisfiable:
        # nothing in this operation's schema can be made invalid (e.g. one unconstrained string in the path)
        assert mode is GenerationMode.NEGATIVE
        pytest.skip("no invalid request can be generated for this operation")


def test_every_check_and_every_phase_pass(live: Process, tmp_path: Path) -> None:
    """The CLI's full run: all checks (including positive/negative data acceptance, Allow on 405, use after
    free, ignored auth) over the examples, coverage, fuzzing and stateful phases, seeded and bounded."""
    cli = Path(sys.executable).with_name("schemathesis")
    command = [
        str(cli), "--config-file", str(CONFIG), "run", f"{live.url}/openapi.json", "--checks", "all",
        # one worker: with two threads, hypothesis's ast.parse of its filter lambdas can race inside CPython 3.11
        # ("AST constructor recursion depth mismatch") and crash the run for no fault of the API
        "--phases", PHASES, "--max-examples", str(ALL_EXAMPLES), "--seed", "1", "--workers", "1",
        "--request-timeout", "30", "--suppress-health-check", "all", "--generation-database", "none",
        "--no-color",
    ]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=900)  # a hang, not speed
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-8000:]
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert f"✅ {phase}" in output, output[-3000:]
