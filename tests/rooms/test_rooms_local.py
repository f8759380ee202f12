"""Rooms on the default set-up: one process on SQLite, events through the in-process hub; and the API details."""

from __future__ import annotations

import re
import threading

import httpx

from app.rooms.codes import ALPHABET, new_code, normalize
from tests.rooms.conftest import SSEReader, bearer, new_room, owner
from tests.support import eventually


def test_codes_avoid_look_alikes_and_normalize_what_students_type() -> None:
    assert not set("01OIL") & set(ALPHABET)
    codes = {new_code() for _ in range(2000)}
    assert len(codes) > 1990
    assert all(re.fullmatch(f"[{ALPHABET}]{{6}}", c) for c in codes)
    assert normalize(" k7m-x3q ") == "K7MX3Q"
    assert normalize("K7MX3O") is None  # O is not in the alphabet
    assert normalize("K7MX3") is None


def test_open_room_answers_code_token_and_links(sqlite_app: str) -> None:
    net, room = new_room(sqlite_app)
    assert re.fullmatch(f"[{ALPHABET}]{{6}}", room["code"])
    assert len(room["presenter_token"]) >= 32
    assert room["join_url"] == f"{sqlite_app}/join/{room['code']}"  # absolute: the request's own base URL
    assert room["qr_url"] == f"{sqlite_app}/api/rooms/{room['code']}/qr.svg"
    assert room["state"]["network_id"] == net["id"]
    r = httpx.get(f"{sqlite_app}/api/rooms/{room['code'].lower()}")
    assert r.status_code == 200
    assert r.json()["code"] == room["code"]
    assert "presenter_token" not in r.text and "token_hash" not in r.text


def test_in_process_broadcast_delivers_every_state_in_order(sqlite_app: str, readers: list[SSEReader]) -> None:
    _, room = new_room(sqlite_app)
    code = room["code"]
    followers = [SSEReader(sqlite_app, f"/api/rooms/{code}/events") for _ in range(3)]
    readers.extend(followers)
    firsts = [f.next() for f in followers]
    last_seq = max(e.id or 0 for e in firsts)
    with httpx.Client(base_url=sqlite_app) as presenter:
        for position in range(1, 21):
            r = presenter.post(f"/api/rooms/{code}/state", headers=bearer(room), json={"position": position})
            assert r.status_code == 200
    for f in followers:
        got = []
        while len(got) < 20:
            e = f.next()
            if e.id is not None and e.id > last_seq:
                got.append(e)
        assert [e.data["position"] for e in got] == list(range(1, 21))
        assert [e.id for e in got] == sorted(e.id for e in got if e.id is not None)


def test_concurrent_presenter_writes_keep_seq_strictly_increasing(sqlite_app: str, readers: list[SSEReader]) -> None:
    _, room = new_room(sqlite_app)
    code = room["code"]
    follower = SSEReader(sqlite_app, f"/api/rooms/{code}/events")
    readers.append(follower)
    follower.next()

    def publish(start: int) -> None:
        with httpx.Client(base_url=sqlite_app) as c:
            for k in range(10):
                assert c.post(f"/api/rooms/{code}/state", headers=bearer(room),
                              json={"position": start + k}).status_code == 200

    threads = [threading.Thread(target=publish, args=(100 * t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = httpx.get(f"{sqlite_app}/api/rooms/{code}").json()
    ids = []
    while not ids or ids[-1] < final["seq"]:
        ids.append(follower.next().id)
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert final["seq"] == 1 + 40  # created, then 40 writes: none lost (a follower joining is not a change)


def test_publish_validates_its_fields(sqlite_app: str) -> None:
    _, room = new_room(sqlite_app)
    url = f"{sqlite_app}/api/rooms/{room['code']}/state"
    for body in ({"position": -1}, {"phase": "sideways"}, {"colour": "red"}, {"training": {"done": 1}}):
        r = httpx.post(url, json=body, headers=bearer(room))
        assert r.status_code == 422, body
        assert r.json()["detail"][0]["loc"][0] == "body"
    r = httpx.post(url, json={"network_id": "gone"}, headers=bearer(room))
    assert r.status_code == 404
    training = {"done": 300, "total": 1000, "running": True, "loss": 0.12}
    r = httpx.post(url, json={"training": training}, headers=bearer(room))
    assert r.status_code == 200
    assert r.json()["training"] == training
    r = httpx.post(url, json={"training": None}, headers=bearer(room))
    assert r.json()["training"] is None
    assert httpx.post(url, json={"iteration": 5}, headers=bearer(room)).status_code == 422  # read from the network


def test_each_change_carries_the_networks_current_iteration_and_version(sqlite_app: str) -> None:
    net, room = new_room(sqlite_app)
    url = f"{sqlite_app}/api/rooms/{room['code']}/state"
    before = httpx.post(url, json={"position": 1}, headers=bearer(room)).json()
    assert before["iteration"] == 0
    assert httpx.post(f"{sqlite_app}/api/networks/{net['id']}/step", json={"sample": 0},
                      headers=owner(net)).status_code == 200
    after = httpx.post(url, json={"position": 2}, headers=bearer(room)).json()
    assert after["iteration"] == 1 and after["network_version"] == before["network_version"] + 1
    patch = {"weights": [{"l": 2, "j": 1, "i": 1, "value": 0.5}]}
    assert httpx.patch(f"{sqlite_app}/api/networks/{net['id']}", json=patch, headers=owner(net)).status_code == 200
    edited = httpx.post(url, json={"position": 2}, headers=bearer(room)).json()
    assert edited["iteration"] == 1 and edited["network_version"] == after["network_version"] + 1


def test_qr_code_is_a_local_svg_of_the_join_link(sqlite_app: str) -> None:
    _, room = new_room(sqlite_app)
    r = httpx.get(f"{sqlite_app}/api/rooms/{room['code']}/qr.svg")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert r.text.startswith("<svg") and "<path" in r.text


def test_join_pages(sqlite_app: str) -> None:
    _, room = new_room(sqlite_app)
    r = httpx.get(f"{sqlite_app}/join/{room['code'].lower()}")
    assert r.status_code == 200
    assert f'data-code="{room["code"]}"' in r.text
    assert "/js/follower.js\"" in r.text and "<script>" not in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert httpx.get(f"{sqlite_app}/join").status_code == 200
    r = httpx.get(f"{sqlite_app}/join", params={"code": room["code"].lower()})
    assert r.status_code == 303 and r.headers["location"] == f"/join/{room['code']}"
    assert httpx.get(f"{sqlite_app}/join", params={"code": "??"}).status_code == 404


def test_openapi_declares_the_room_routes_and_their_errors(sqlite_app: str) -> None:
    paths = httpx.get(f"{sqlite_app}/openapi.json").json()["paths"]
    assert set(paths["/api/rooms/{code}/state"]["post"]["responses"]) >= {"200", "403", "404", "422"}
    assert "text/event-stream" in paths["/api/rooms/{code}/events"]["get"]["responses"]["200"]["content"]
    assert "404" in paths["/api/rooms/{code}/fork"]["post"]["responses"]
    assert not any(p.startswith("/join") for p in paths)


def test_a_stream_with_count_false_watches_without_being_counted(sqlite_app: str, readers: list[SSEReader]) -> None:
    _, room = new_room(sqlite_app)
    code = room["code"]
    presenter_view = SSEReader(sqlite_app, f"/api/rooms/{code}/events?count=false")
    readers.append(presenter_view)
    assert presenter_view.next().data["followers"] == 0
    student = SSEReader(sqlite_app, f"/api/rooms/{code}/events")
    readers.append(student)
    presenter_view.followers(1)
    presenter_view.stop()
    student.stop()
    eventually(lambda: httpx.get(f"{sqlite_app}/api/rooms/{code}").json()["followers"] == 0,
               message="the student was not counted out")
