"""HEAD is answered wherever GET is, on a real server: GET's status and headers, no body, and a stream ends."""

from __future__ import annotations

import httpx


def test_head_answers_like_get_without_a_body(http: httpx.Client) -> None:
    net = http.post("/api/networks", json={"preset": "xor"}).json()["id"]
    for path in ("/", "/lesson", "/healthz", f"/api/networks/{net}", "/api/presets", "/openapi.json"):
        get, head = http.get(path), http.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"], path
        assert head.headers["content-security-policy"] == get.headers["content-security-policy"], path
    assert http.head("/api/networks/unknown-id").status_code == 404
    assert http.head("/api/rooms").status_code == 405  # POST only: no GET, so no HEAD


def test_head_on_a_room_stream_ends_and_counts_no_follower(http: httpx.Client) -> None:
    net = http.post("/api/networks", json={"preset": "xor", "protected": True}).json()
    code = http.post("/api/rooms", json={"network_id": net["id"]},
                     headers={"Authorization": f"Bearer {net['token']}"}).json()["code"]
    head = http.head(f"/api/rooms/{code}/events", timeout=10)  # a hang here would be the stream left open
    assert head.status_code == 200
    assert head.headers["content-type"].startswith("text/event-stream")
    assert head.content == b""
    assert http.get(f"/api/rooms/{code}").json()["followers"] == 0
