"""The load client of `make load` (bench/load.py) works: a short run with a few students against the live server."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.support import ROOT, Process


def _load_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deltaflow_load", ROOT / "bench" / "load.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_short_load_run_has_no_errors(live: Process, tmp_path: Path) -> None:
    # a subprocess, as `make load` runs it (and no clash with an event loop another test's fixture may hold)
    out = tmp_path / "load.json"
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "load.py"), "--url", live.url, "--students", "8",
                           "--duration", "3", "--think", "0.1", "--json", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = json.loads(out.read_text())
    assert summary["errors"] == 0
    assert summary["requests"] > 8
    assert set(summary["by_kind"]) >= {"create", "step", "trace"}
    assert summary["p99_ms"] > 0
    assert "p99" in done.stdout


def test_the_load_client_refuses_other_hosts() -> None:
    load = _load_module()
    with pytest.raises(SystemExit):
        load.main(["--url", "http://example.com:8000", "--duration", "1"])
    assert load._loopback("http://127.0.0.1:1") and load._loopback("http://[::1]:1") and load._loopback("http://localhost:1")
