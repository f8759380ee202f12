"""What the docs promise a script-writer stays true: the README's limits are the server's, and the code of
docs/python.md runs against a real server."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support import Process, start_uvicorn

ROOT = Path(__file__).resolve().parent.parent


def _section(text: str, title: str) -> str:
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def test_the_readme_lists_every_limit_with_the_number_the_server_gives(client: TestClient) -> None:
    limits = client.get("/api/meta").json()["limits"]
    rows = [line for line in _section((ROOT / "README.md").read_text(), "Limits").splitlines()
            if line.startswith("| ") and "`max_" in line]
    named = {re.findall(r"`(max_\w+)`", row)[-1]: row for row in rows}
    assert set(named) == set(limits)
    for name, value in limits.items():
        assert f"{value:,}" in named[name].rsplit("|", 2)[0], (name, value)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    tmp = tmp_path_factory.mktemp("docs")
    with start_uvicorn(tmp / "uvicorn.log", {"DELTAFLOW_DB": str(tmp / "deltaflow.db")}) as server:
        yield server


def test_the_python_guide_runs_against_a_real_server(live: Process, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "python.md").read_text(), re.S)
    assert len(blocks) >= 5
    monkeypatch.setenv("DELTAFLOW_URL", live.url)
    has_torch = importlib.util.find_spec("torch") is not None
    session: dict[str, object] = {"__name__": "docs_python"}
    ran = 0
    for block in blocks:
        if "import torch" in block and not has_torch:
            continue  # the guide says this part needs PyTorch
        exec(compile(block, "docs/python.md", "exec"), session)  # noqa: S102 - our own guide, run as a reader would
        ran += 1
    out = capsys.readouterr().out
    assert ran >= 4
    assert "iteration  DeltaFlow" in out and "δ by (layer, node)" in out
    assert not has_torch or "largest difference from PyTorch" in out
