"""What the docs promise a script-writer stays true: the README's limits are the server's, and the code of
docs/python.md runs against a real server."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

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
