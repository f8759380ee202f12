"""A class of 300 on two app processes sharing one real redis-server: names, forks, the dashboard's counts, pacing
on every stream, the results CSV, and the room's Redis keys expiring with it and going when it ends."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import redis

from tests.redis_server import RedisServer
from tests.rooms.conftest import SSEReader, as_follower, bearer, new_room
from tests.support import eventually

CLASS, FORKS = 300, 100


def _dashboard(base: str, room: dict[str, Any]) -> dict[str, Any]:
    r = httpx.get(f"{base}/api/rooms/{room['code']}/dashboard", headers=bearer(room), timeout=30)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_a_class_of_300_on_two_processes(redis_apps: tuple[str, str], redis_server: RedisServer,
                                         readers: list[SSEReader]) -> None:
    a, b = redis_apps
    _, room = new_room(a)
    code = room["code"]
    bases = [a, b]

    def join(k: int) -> dict[str, Any]:
        r = httpx.post(f"{bases[k % 2]}/api/rooms/{code}/followers", json={"name": f"Student {k:03d}"}, timeout=30)
        assert r.status_code == 201, r.text
        return {**r.json(), "base": bases[k % 2]}

    with ThreadPoolExecutor(8) as pool:
        students = list(pool.map(join, range(CLASS)))
    for s in students:
        readers.append(SSEReader(s["base"], f"/api/rooms/{code}/events?token={s['token']}"))
    for reader in readers:
        assert reader.next().data["pacing"]["lock"] == "free"

    def fork(s: dict[str, Any]) -> int:
        return httpx.post(f"{s['base']}/api/rooms/{code}/fork", headers=as_follower(s), timeout=60).status_code

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(fork, students[:FORKS])) == {201}

    def counted() -> dict[str, Any] | None:
        body = _dashboard(b, room)
        return body if body["totals"]["own_copy"] == FORKS else None

    body = eventually(counted, 60, "the dashboard never counted the forks")
    assert body["totals"] == {"following": CLASS - FORKS, "own_copy": FORKS, "answered": 0}
    assert sorted(f["name"] for f in body["followers"]) == [f"Student {k:03d}" for k in range(CLASS)]
    own = {f["follower"] for f in body["followers"] if f["mode"] == "own_copy"}
    assert own == {s["follower"] for s in students[:FORKS]}

    lock = {"lock": "presenter", "paused": False, "message": None}
    assert httpx.put(f"{a}/api/rooms/{code}/pacing", json=lock, headers=bearer(room)).status_code == 200
    for reader in readers:
        reader.next_where(lambda state: state["pacing"] == lock)
    assert fork(students[FORKS]) == 409
    pause = {"lock": "presenter", "paused": True, "message": "Eyes up here"}
    assert httpx.put(f"{b}/api/rooms/{code}/pacing", json=pause, headers=bearer(room)).status_code == 200
    for reader in readers:
        reader.next_where(lambda state: state["pacing"] == pause)

    r = httpx.post(f"{a}/api/rooms/{code}/questions", headers=bearer(room), json={"sample": 0, "event": 2})
    assert r.status_code == 201
    qid = r.json()["id"]
    given = {s["follower"]: float(k) / 10 for k, s in enumerate(students) if k % 3 == 0}
    for s in students:
        if s["follower"] in given:
            r = httpx.post(f"{s['base']}/api/rooms/{code}/questions/{qid}/answers",
                           json={"value": given[s["follower"]]}, headers=as_follower(s))
            assert r.status_code == 204, r.text
    r = httpx.get(f"{b}/api/rooms/{code}/results.csv", headers=bearer(room), timeout=30)
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == CLASS
    names = {s["follower"]: s["name"] for s in students}
    for row in rows:
        assert row["name"] == names[row["follower"]] and row["question"] == qid
        want = given.get(row["follower"])
        assert row["answer"] == ("" if want is None else repr(want))
    assert _dashboard(a, room)["totals"]["answered"] == len(given)

    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    keys = [k for k in client.scan_iter(f"*{code}*")]
    assert any("room-names" in k for k in keys) and any("room-where" in k for k in keys)
    # -1: a key without an expiry (-2: one that expired meanwhile, such as a short answer-rate window)
    assert not [k for k in keys if client.ttl(k) == -1]
    assert httpx.delete(f"{a}/api/rooms/{code}", headers=bearer(room)).status_code == 204
    kinds = ("room-names", "room-followers", "room-where", "room-seen", "room-live", "quiz:", "quiz-index", "room:")
    left = [k for k in client.scan_iter(f"*{code}*") if any(kind in k for kind in kinds)]
    assert not left, left
