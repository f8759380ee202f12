"""Join links and QR codes come from configuration or an allowed Host, never from a Host a client made up."""

from __future__ import annotations

import re
from typing import Any

import httpx


def _room(base: str, host: str | None = None) -> httpx.Response:
    net = httpx.post(f"{base}/api/networks", json={"preset": "xor", "protected": True}).json()
    headers = {"Authorization": f"Bearer {net['token']}", **({"Host": host} if host else {})}
    return httpx.post(f"{base}/api/rooms", json={"network_id": net["id"]}, headers=headers)


def _join_link(base: str, code: str, host: str | None = None) -> str:
    page = httpx.get(f"{base}/join/{code}", headers={"Host": host} if host else {})
    assert page.status_code == 200, page.text
    found = re.search(r'data-join-link="([^"]*)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def test_a_forged_host_is_refused_before_any_link_is_made(http: httpx.Client, live: Any) -> None:
    r = _room(live.url, host="evil.example")
    assert r.status_code == 400
    assert "evil.example" in r.json()["detail"] and "DELTAFLOW_ALLOWED_HOSTS" in r.json()["detail"]
    code = _room(live.url).json()["code"]
    for path in (f"/join/{code}", f"/api/rooms/{code}/qr.svg", "/"):
        assert http.get(path, headers={"Host": "evil.example:8000"}).status_code == 400, path
    assert "evil" not in _join_link(live.url, code)
    qr = http.get(f"/api/rooms/{code}/qr.svg")
    assert qr.status_code == 200 and qr.headers["cache-control"].startswith("private")


def test_an_allowed_host_and_the_public_url_make_the_links(spawn: Any) -> None:
    lan = spawn(env={"DELTAFLOW_ALLOWED_HOSTS": "class.example"}, name="lan")
    code = _room(lan.url).json()["code"]
    assert _join_link(lan.url, code, host="class.example:8000") == f"http://class.example:8000/join/{code}"
    public = spawn(env={"DELTAFLOW_PUBLIC_URL": "https://deltaflow.example.edu/"}, name="public")
    code = _room(public.url).json()["code"]
    assert _join_link(public.url, code) == f"https://deltaflow.example.edu/join/{code}"
    assert _join_link(public.url, code, host="deltaflow.example.edu") == f"https://deltaflow.example.edu/join/{code}"
