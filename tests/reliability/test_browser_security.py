"""Browser security: strict CSP and companion headers on every response, CORS closed unless configured,
and the real page in Chromium under that CSP without a violation or a console error.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import expect

from tests.chromium import launch_args
from tests.support import Process, eventually

EVIL = "https://evil.example"


def _csp(headers: httpx.Headers) -> dict[str, str]:
    policy = headers["content-security-policy"]
    return {d.split()[0]: " ".join(d.split()[1:]) for d in (p.strip() for p in policy.split(";")) if d}


def _responses(http: httpx.Client) -> list[httpx.Response]:
    net = http.post("/api/networks", json={"preset": "xor"}).json()["id"]
    return [
        http.get("/"),
        http.get("/healthz"),
        http.get("/openapi.json"),
        http.get(f"/api/networks/{net}"),
        http.post(f"/api/networks/{net}/trace", json={"sample": 0}),
        http.get("/api/networks/" + "B" * 22),  # 404
        http.post("/api/networks", json={"layers": [0]}),  # 422
        http.post("/api/networks", content=b"{" * 1_000_001, headers={"content-type": "application/json"}),  # 413
        http.get("/static/js/main.js"),
    ]


def test_every_response_carries_the_security_headers(http: httpx.Client) -> None:
    for r in _responses(http):
        where = f"{r.request.method} {r.request.url.path} -> {r.status_code}"
        csp = _csp(r.headers)
        assert csp["default-src"] == "'self'", where
        assert csp["script-src"] == "'self'", where  # no 'unsafe-inline', no 'unsafe-eval', no CDN
        assert csp["frame-ancestors"] == "'none'", where
        assert csp["connect-src"] == "'self'", where
        assert r.headers["x-content-type-options"] == "nosniff", where
        assert r.headers["referrer-policy"] == "no-referrer", where
        assert r.headers["x-frame-options"] == "DENY", where


def test_cors_is_closed_by_default(http: httpx.Client) -> None:
    net = http.post("/api/networks", json={"preset": "xor"}).json()["id"]
    r = http.get(f"/api/networks/{net}", headers={"Origin": EVIL})
    assert "access-control-allow-origin" not in r.headers
    pre = http.options(f"/api/networks/{net}/step", headers={
        "Origin": EVIL, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"})
    assert "access-control-allow-origin" not in pre.headers


def test_cors_opens_only_to_the_configured_origins(spawn: Any) -> None:
    allowed = "https://school.example"
    server: Process = spawn(env={"DELTAFLOW_CORS_ORIGINS": f"{allowed},https://other.example"}, name="cors")
    with httpx.Client(base_url=server.url) as http:
        net = http.post("/api/networks", json={"preset": "xor"}).json()["id"]
        ok = http.get(f"/api/networks/{net}", headers={"Origin": allowed})
        assert ok.headers["access-control-allow-origin"] == allowed
        pre = http.options(f"/api/networks/{net}/step", headers={
            "Origin": allowed, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization"})
        assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == allowed
        no = http.get(f"/api/networks/{net}", headers={"Origin": EVIL})
        assert "access-control-allow-origin" not in no.headers
        assert "access-control-allow-credentials" not in ok.headers


def _watched_page(browser: Any) -> tuple[Any, list[str]]:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
    # registered before any of the page's scripts run; CDP-injected, so the CSP does not block it
    page.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));"
    )
    return page, errors


@pytest.mark.browser
def test_page_runs_under_its_csp_without_violations(playwright: Any, live: Process) -> None:
    """Opens / in Debian's Chromium; a securitypolicyviolation event or a console error fails the test."""
    browser = playwright.chromium.launch(**launch_args())
    try:
        page, errors = _watched_page(browser)
        response = page.goto(live.url + "/")
        assert response is not None and response.status == 200
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        expect(page.locator("body")).to_have_attribute("data-ready", "true")  # drawn, the later modules loaded
        violations = page.evaluate("window.__csp")
        assert violations == [], violations
        assert errors == [], errors
        # the CSP is really in force: an inline script injected now is blocked and reported
        page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1';"
                      " document.body.appendChild(s); }")
        eventually(lambda: any("script-src" in v for v in page.evaluate("window.__csp")),
                   message="the blocked inline script was not reported")
        assert page.evaluate("window.__ran === undefined")
    finally:
        browser.close()


@pytest.mark.browser
def test_hostile_strings_in_the_url_are_shown_as_text(playwright: Any, live: Process) -> None:
    """A link with markup where the network id goes: nothing is injected, nothing runs, nothing is even attempted."""
    browser = playwright.chromium.launch(**launch_args())
    try:
        page, errors = _watched_page(browser)
        hostile = '"><img src=x id=pwn onerror="window.__xss=1"><script>window.__xss=2</script>'
        page.goto(live.url + "/?net=" + quote(hostile) + "&sample=" + quote("<b>1</b>"))
        page.wait_for_load_state("networkidle")
        expect(page.locator("body")).to_have_attribute("data-ready", "true")  # the page has used the URL
        assert page.evaluate("window.__xss === undefined")
        assert page.locator("#pwn").count() == 0
        assert page.evaluate("window.__csp") == []
        assert not [e for e in errors if e.startswith("dialog")]
    finally:
        browser.close()
