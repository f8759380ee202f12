"""Fixtures for the real-browser tests: a live uvicorn server, Debian's Chromium, and page helpers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.chromium import launch_args
from tests.support import ROOT, eventually, start_uvicorn

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# Every element of the selectors that something else covers, sampled at its middle and four inner points:
# "<selector> under <what covers it>" (a box drawn over a button, a row of dots run under Back or Next).
UNCOVERED = """(selectors) => selectors.flatMap((sel) => [...document.querySelectorAll(sel)]
  .filter((e) => e.checkVisibility()).flatMap((e) => {
    const r = e.getBoundingClientRect();
    return [[0.5, 0.5], [0.08, 0.15], [0.92, 0.15], [0.08, 0.85], [0.92, 0.85]]
      .map(([fx, fy]) => [r.left + fx * r.width, r.top + fy * r.height])
      .filter(([x, y]) => x >= 0 && y >= 0 && x < innerWidth && y < innerHeight)
      .map(([x, y]) => {
        const hit = document.elementFromPoint(x, y);
        return hit && !e.contains(hit) && !hit.contains(e) ? `${sel} under ${hit.id || hit.className}` : null;
      }).filter(Boolean);
  }))"""
# after two animation frames: no pulse left on the figure, no CSS transition running, every font in
STILL = """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(
    !document.querySelector('.pulse-hop') && document.fonts.status === 'loaded'
    && document.getAnimations().every(a => a.playState !== 'running')))))"""


def settle(page: Any) -> None:
    """Waits until the page is still, for a steady screenshot or layout measurement (not an assertion)."""
    eventually(lambda: page.evaluate(STILL), message="the page never came to rest")


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app on a free port with its own database; yields its base URL."""
    directory = tmp_path_factory.mktemp("browser-server")
    app = os.environ.get("DELTAFLOW_BROWSER_APP", "app.main:app")
    with start_uvicorn(directory / "uvicorn.log", {"DELTAFLOW_DB": str(directory / "deltaflow.db")}, app=app) as server:
        yield server.url


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """pytest-playwright resolves page.goto("/...") against this."""
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    """Debian's chromium (Playwright's own download is impossible here); a missing one skips, or fails under CI."""
    return launch_args()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], base_url: str) -> dict[str, Any]:
    return {
        **browser_context_args,
        "base_url": base_url,
        "viewport": {"width": 1600, "height": 1000},
        "accept_downloads": True,
    }


@pytest.fixture(scope="session")
def shared_context(browser: Any, browser_context_args: dict[str, Any]) -> Iterator[Any]:
    """One browser context for the session: its HTTP cache keeps the 4.8 MB plotly.js (served immutable)
    and Chromium's compiled-code cache, so every test does not pay for parsing it again."""
    ctx = browser.new_context(**browser_context_args)
    yield ctx
    ctx.close()


@pytest.fixture
def context(shared_context: Any) -> Any:
    return shared_context


@pytest.fixture
def page(shared_context: Any) -> Iterator[Any]:
    """A fresh tab per test, closed afterwards so no earlier test keeps animating in the background."""
    tab = shared_context.new_page()
    yield tab
    tab.close()


class PageWatch:
    """What a page did that a test may want to forbid: console errors, CSP violations, foreign requests."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.base_url = base_url
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.foreign_requests: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.page_errors.append(str(err)))
        page.on("request", self._request)
        # Runs before the page's own scripts; CDP-injected, so the page's CSP does not block it.
        page.add_init_script(
            "window.__csp = [];"
            "document.addEventListener('securitypolicyviolation',"
            " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
        )

    def _console(self, msg: Any) -> None:
        if msg.type == "error":
            self.console_errors.append(msg.text)

    def _request(self, req: Any) -> None:
        url = req.url
        if not (
            url.startswith(self.base_url + "/") or url == self.base_url or url.startswith(("data:", "blob:"))
        ):
            self.foreign_requests.append(url)


@pytest.fixture
def watch(page: Any, base_url: str) -> PageWatch:
    return PageWatch(page, base_url)


@pytest.fixture
def shoot() -> Any:
    """Saves a full-window screenshot of the page under test-artifacts/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def save(page: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return save
