"""The load client of `make load` (bench/load.py) works: a short run with a few students against the live server."""

from __future__ import annotations

import asyncio
import importlib.util
from types import ModuleType

import pytest

from tests.reliability.server import ROOT, Server


def _load_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deltaflow_load", ROOT / "bench" / "load.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_short_load_run_has_no_errors(live: Server) -> None:
    load = _load_module()
    summary = asyncio.run(load.run(live.url, students=8, duration=3.0, think=0.1, seed=3))
    assert summary["errors"] == 0, summary["first_errors"]
    assert summary["requests"] > 8
    assert set(summary["by_kind"]) >= {"create", "step", "trace"}
    assert summary["p99_ms"] > 0


def test_the_load_client_refuses_other_hosts() -> None:
    load = _load_module()
    with pytest.raises(SystemExit):
        load.main(["--url", "http://example.com:8000", "--duration", "1"])
    assert load._loopback("http://127.0.0.1:1") and load._loopback("http://[::1]:1") and load._loopback("http://localhost:1")
