"""A browser that navigates to a page path gets errors as a page; the API and scripts always get JSON."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import free_port

PAGE = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_page_paths_answer_a_browser_with_a_page(http: httpx.Client) -> None:
    r = http.get("/no-such-page", headers=PAGE)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "<h1>Not Found</h1>" in r.text and 'href="/"' in r.text
    r = http.get("/join", params={"code": "x" * 41}, headers=PAGE)
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "code" in r.text and "40" in r.text  # the field and its rule, in words


def test_scripts_and_api_paths_keep_json(http: httpx.Client) -> None:
    assert http.get("/no-such-page").json() == {"detail": "Not Found"}
    r = http.get("/api/networks/unknown-id", headers=PAGE)
    assert r.status_code == 404 and r.json() == {"detail": "network not found"}
    r = http.post("/", headers=PAGE)
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD"


def test_a_join_page_while_the_store_is_down_is_a_page(spawn: Any) -> None:
    server = spawn(env={"DELTAFLOW_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})  # nothing listens there
    r = httpx.get(f"{server.url}/join/ABCDEF", headers=PAGE, timeout=30)
    assert r.status_code == 503
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["retry-after"] == "2"
    assert "unavailable" in r.text
    assert httpx.get(f"{server.url}/api/rooms/ABCDEF", timeout=30).json()["detail"].startswith("the network store")
