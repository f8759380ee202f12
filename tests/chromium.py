"""Debian's Chromium for every browser test: where it is, how it is launched, and skip-or-fail when it is missing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("DELTAFLOW_CHROMIUM", "/usr/bin/chromium")
# how long a browser test waits for a page to load and show its first state: a bound that catches a hang, wide
# enough for a 2-core machine running the whole suite (a page pulls plotly.js and draws its figure)
PAGE_LOAD = 60_000
# the background-networking flags keep Chromium from calling out on a machine with no internet
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str:
    """The browser's path; a missing one skips the test, or fails it under CI=true."""
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return CHROMIUM
    message = f"chromium not found at {CHROMIUM} (set DELTAFLOW_CHROMIUM)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def launch_args() -> dict[str, Any]:
    """Playwright launch options for Debian's Chromium (Playwright's own download is impossible here)."""
    return {"executable_path": chromium_path(), "args": CHROMIUM_ARGS, "headless": True}
