"""Running the class over HTTP on real servers (one SQLite process, and two processes on one redis-server): names,
renames and removals, a student's own position, the dashboard, pacing, results and their CSV, ending the room;
and what each of these refuses."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest

from tests.rooms.conftest import SSEReader, as_follower, bearer, join, new_room
from tests.support import eventually

Z = 2  # XOR's z_1^2; the event after it is a_1^2
A = 3


@pytest.fixture(params=["sqlite", "redis"])
def apps(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(where the presenter works, where the students are): one process, or two on one Redis."""
    if request.param == "sqlite":
        url: str = request.getfixturevalue("sqlite_app")
        return url, url
    pair: tuple[str, str] = request.getfixturevalue("redis_apps")
    return pair


def _trace(base: str, net: dict[str, Any]) -> list[dict[str, Any]]:
    r = httpx.post(f"{base}/api/networks/{net['id']}/trace", json={"sample": 1})
    assert r.status_code == 200
    events: list[dict[str, Any]] = r.json()["events"]
    return events


def test_presenter_routes_refuse_no_token_a_followers_and_another_rooms(apps: tuple[str, str]) -> None:
    a, b = apps
    _, room = new_room(a)
    _, other = new_room(a)
    code = room["code"]
    student = join(b, code, "Ada")
    routes = [("GET", f"/api/rooms/{code}/dashboard", None), ("GET", f"/api/rooms/{code}/results", None),
              ("GET", f"/api/rooms/{code}/results.csv", None),
              ("PUT", f"/api/rooms/{code}/pacing", {"lock": "presenter", "paused": False, "message": None}),
              ("PATCH", f"/api/rooms/{code}/followers/{join(b, code, 'Cy')['follower']}", {"name": "Eve"}),
              ("DELETE", f"/api/rooms/{code}/followers/{student['follower']}", None),
              ("DELETE", f"/api/rooms/{code}", None)]
    for method, path, body in routes:
        for headers, status in (({}, 401), (as_follower(student), 403), (bearer(other), 403)):
            r = httpx.request(method, f"{b}{path}", json=body, headers=headers)
            assert r.status_code == status, (method, path, status, r.text)
            assert r.json()["detail"]
        r = httpx.request(method, f"{b}{path.replace(code, 'ZZZZZZ')}", json=body, headers=bearer(room))
        assert r.status_code == 404, (method, path)
    # a student may rename themself (the follower page's name card), no one else
    other_student = join(b, code, "Bob")
    path = f"{b}/api/rooms/{code}/followers/{student['follower']}"
    assert httpx.patch(path, json={"name": "Eve"}, headers=as_follower(other_student)).status_code == 403
    r = httpx.patch(path, json={"name": "Ada K."}, headers=as_follower(student))
    assert r.status_code == 200
    assert r.json() == {"follower": student["follower"], "name": "Ada K."}
    httpx.delete(f"{b}/api/rooms/{code}/followers/{other_student['follower']}", headers=bearer(room))
    # nothing else changed: the student is still there
    r = httpx.get(f"{a}/api/rooms/{code}/dashboard", headers=bearer(room))
    assert r.status_code == 200
    assert [f["name"] for f in r.json()["followers"]] == ["Ada K.", "Cy"]


def test_bad_bodies_are_422_naming_the_field(apps: tuple[str, str]) -> None:
    a, _ = apps
    _, room = new_room(a)
    code = room["code"]
    student = join(a, code, "Ada")
    cases = [("PUT", f"/api/rooms/{code}/pacing", {"lock": "sometimes", "paused": False}, "lock", bearer(room)),
             ("PUT", f"/api/rooms/{code}/pacing", {"lock": "free", "paused": "yes"}, "paused", bearer(room)),
             ("PUT", f"/api/rooms/{code}/pacing", {"lock": "free", "message": "x" * 201}, "message", bearer(room)),
             ("PATCH", f"/api/rooms/{code}/followers/{student['follower']}", {"name": "\x07"}, "name", bearer(room)),
             ("PATCH", f"/api/rooms/{code}/followers/{student['follower']}", {"name": "x" * 41}, "name",
              bearer(room)),
             ("PUT", f"/api/rooms/{code}/followers/{student['follower']}/position",
              {"mode": "away", "view": "main", "stage": None, "position": 1}, "mode", as_follower(student)),
             ("PUT", f"/api/rooms/{code}/followers/{student['follower']}/position",
              {"mode": "own_copy", "view": "main", "stage": None, "position": -1}, "position",
              as_follower(student)),
             ("PUT", f"/api/rooms/{code}/followers/{student['follower']}/position",
              {"mode": "own_copy", "view": "lesson", "stage": 0, "position": 1}, "stage", as_follower(student))]
    for method, path, body, field, headers in cases:
        r = httpx.request(method, f"{a}{path}", json=body, headers=headers)
        assert r.status_code == 422, (field, r.text)
        assert field in [str(part) for item in r.json()["detail"] for part in item["loc"]], r.text


def test_position_is_the_followers_own_and_shows_on_the_dashboard(apps: tuple[str, str]) -> None:
    a, b = apps
    _, room = new_room(a)
    code = room["code"]
    ada, bob = join(b, code, "Ada"), join(b, code, None)
    assert bob["name"]  # a friendly generated name
    path = f"{b}/api/rooms/{code}/followers/{ada['follower']}/position"
    report = {"mode": "own_copy", "view": "lesson", "stage": 3, "position": 17}
    assert httpx.put(path, json=report).status_code == 401
    assert httpx.put(path, json=report, headers=as_follower(bob)).status_code == 403
    assert httpx.put(path, json=report, headers=bearer(room)).status_code == 401
    for position in (5, 9, 17):  # the latest report wins
        r = httpx.put(path, json={**report, "position": position}, headers=as_follower(ada))
        assert r.status_code == 204, r.text
    assert httpx.post(f"{a}/api/rooms/{code}/state", headers=bearer(room), json={"position": 4}).status_code == 200
    r = httpx.get(f"{a}/api/rooms/{code}/dashboard", headers=bearer(room))
    assert r.status_code == 200
    body = r.json()
    rows = {f["follower"]: f for f in body["followers"]}
    assert set(rows[ada["follower"]]) == {"follower", "name", "mode", "view", "stage", "position", "answers",
                                          "correct", "last_seen"}
    assert rows[ada["follower"]] | {"last_seen": None} == {
        "follower": ada["follower"], "name": "Ada", "mode": "own_copy", "view": "lesson", "stage": 3,
        "position": 17, "answers": 0, "correct": 0, "last_seen": None}
    assert rows[bob["follower"]]["mode"] == "following" and rows[bob["follower"]]["position"] == 4
    assert rows[bob["follower"]]["last_seen"].endswith("Z")
    assert body["totals"] == {"following": 1, "own_copy": 1, "answered": 0}


def test_rename_remove_and_a_removed_token_stops_working(apps: tuple[str, str], readers: list[SSEReader]) -> None:
    a, b = apps
    _, room = new_room(a)
    code = room["code"]
    ada, bob = join(b, code, "Ada"), join(b, code, "Bob")
    stream = SSEReader(b, f"/api/rooms/{code}/events?token={bob['token']}")
    readers.append(stream)
    stream.next()
    r = httpx.patch(f"{a}/api/rooms/{code}/followers/{ada['follower']}", json={"name": "Ada L."},
                    headers=bearer(room))
    assert r.status_code == 200
    assert r.json() == {"follower": ada["follower"], "name": "Ada L."}
    assert httpx.patch(f"{a}/api/rooms/{code}/followers/nobody12345", json={"name": "X"},
                       headers=bearer(room)).status_code == 404
    r = httpx.delete(f"{a}/api/rooms/{code}/followers/{bob['follower']}", headers=bearer(room))
    assert r.status_code == 204
    assert httpx.delete(f"{a}/api/rooms/{code}/followers/{bob['follower']}", headers=bearer(room)).status_code == 404
    # the removed student's stream ends (on the other process too), and the token answers 401 from now on
    eventually(lambda: not stream._thread.is_alive(), 30, "the removed follower's stream did not end")
    assert b"event: closed" in b"".join(stream.raw)
    assert httpx.post(f"{b}/api/rooms/{code}/fork", headers=as_follower(bob)).status_code == 401
    r = httpx.get(f"{b}/api/rooms/{code}/events", params={"token": bob["token"]})
    assert r.status_code == 401
    r = httpx.get(f"{a}/api/rooms/{code}/dashboard", headers=bearer(room))
    assert [(f["follower"], f["name"]) for f in r.json()["followers"]] == [(ada["follower"], "Ada L.")]


def test_pacing_reaches_streams_survives_a_reconnect_and_locks_forks(apps: tuple[str, str],
                                                                     readers: list[SSEReader]) -> None:
    a, b = apps
    _, room = new_room(a)
    code = room["code"]
    student = join(b, code, "Ada")
    stream = SSEReader(b, f"/api/rooms/{code}/events?token={student['token']}")
    readers.append(stream)
    assert stream.next().data["pacing"] == {"lock": "free", "paused": False, "message": None}
    pacing = {"lock": "presenter", "paused": True, "message": "Eyes up here"}
    r = httpx.put(f"{a}/api/rooms/{code}/pacing", json=pacing, headers=bearer(room))
    assert r.status_code == 200
    assert r.json() == pacing
    assert stream.next_where(lambda s: s["pacing"] == pacing).data["pacing"] == pacing
    later = SSEReader(b, f"/api/rooms/{code}/events?token={student['token']}")  # a reconnect gets it first
    readers.append(later)
    assert later.next().data["pacing"] == pacing
    r = httpx.post(f"{b}/api/rooms/{code}/fork", headers=as_follower(student))
    assert r.status_code == 409
    assert "locked" in r.json()["detail"]
    free = {"lock": "stage", "paused": False, "message": None}
    assert httpx.put(f"{a}/api/rooms/{code}/pacing", json=free, headers=bearer(room)).status_code == 200
    assert httpx.get(f"{b}/api/rooms/{code}").json()["pacing"] == free
    assert httpx.post(f"{b}/api/rooms/{code}/fork", headers=as_follower(student)).status_code == 201
    r = httpx.get(f"{a}/api/rooms/{code}/dashboard", headers=bearer(room))
    assert r.json()["totals"] == {"following": 0, "own_copy": 1, "answered": 0}


def test_results_and_csv_with_likely_slips(apps: tuple[str, str]) -> None:
    a, b = apps
    net, room = new_room(a)
    code = room["code"]
    events = _trace(a, net)
    z, act = events[Z]["value"], events[A]["value"]
    assert events[A]["quantity"] == "a" and events[Z]["quantity"] == "z" and abs(z - act) > 0.2 * abs(act)
    r = httpx.post(f"{a}/api/rooms/{code}/questions", headers=bearer(room), json={"sample": 1, "event": A})
    assert r.status_code == 201
    q1 = r.json()["id"]
    students = {name: join(b, code, name) for name in ("Ann", "Ben", "Cy", "Di")}
    given = {"Ann": act, "Ben": z, "Cy": z}  # Di does not answer
    for name, value in given.items():
        r = httpx.post(f"{b}/api/rooms/{code}/questions/{q1}/answers", json={"value": value},
                       headers=as_follower(students[name]))
        assert r.status_code == 204, r.text
    r = httpx.post(f"{a}/api/rooms/{code}/questions", headers=bearer(room), json={"sample": 1, "event": Z})
    q2 = r.json()["id"]
    r = httpx.post(f"{b}/api/rooms/{code}/questions/{q2}/answers", json={"value": -z},
                   headers=as_follower(students["Di"]))
    assert r.status_code == 204
    r = httpx.get(f"{a}/api/rooms/{code}/dashboard", headers=bearer(room))
    rows = {f["name"]: f for f in r.json()["followers"]}
    assert [(rows[n]["answers"], rows[n]["correct"]) for n in ("Ann", "Ben", "Cy", "Di")] == [
        (1, 1), (1, 0), (1, 0), (1, 0)]
    assert r.json()["totals"]["answered"] == 1  # the question on screen is the second
    r = httpx.get(f"{a}/api/rooms/{code}/results", headers=bearer(room))
    assert r.status_code == 200
    first, second = r.json()["questions"]
    assert (first["id"], first["answers"], first["within_10_percent"]) == (q1, 3, 1)
    assert first["value"] == pytest.approx(act)
    assert first["common_wrong"] == [{"value": pytest.approx(z, rel=1e-2), "count": 2, "likely": "z given for a"}]
    assert second["common_wrong"][0]["likely"] == "the sign flipped"
    assert r.json()["students"] == [
        {"follower": students[n]["follower"], "name": n, "answered": 1, "correct": int(n == "Ann")}
        for n in ("Ann", "Ben", "Cy", "Di")]
    r = httpx.get(f"{a}/api/rooms/{code}/results.csv", headers=bearer(room))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows_csv = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows_csv[0]) == ["follower", "name", "question", "symbol", "value", "answer", "within_10_percent"]
    assert len(rows_csv) == 4 * 2
    got = {(row["name"], row["question"]): (row["answer"], row["within_10_percent"]) for row in rows_csv}
    assert got[("Ann", q1)] == (repr(act), "true")
    assert got[("Ben", q1)] == (repr(z), "false")
    assert got[("Di", q1)] == ("", "")
    assert got[("Di", q2)] == (repr(-z), "false")
    assert all(float(row["value"]) == pytest.approx(act if row["question"] == q1 else z) for row in rows_csv)


def test_ending_the_room_deletes_it_and_ends_its_streams(apps: tuple[str, str], readers: list[SSEReader]) -> None:
    a, b = apps
    _, room = new_room(a)
    code = room["code"]
    student = join(b, code, "Ada")
    stream = SSEReader(b, f"/api/rooms/{code}/events?token={student['token']}")
    readers.append(stream)
    stream.next()
    assert httpx.delete(f"{a}/api/rooms/{code}", headers=bearer(room)).status_code == 204
    eventually(lambda: not stream._thread.is_alive(), 30, "the room's stream did not end")
    for base in (a, b):
        assert httpx.get(f"{base}/api/rooms/{code}").status_code == 404
        assert httpx.get(f"{base}/api/rooms/{code}/dashboard", headers=bearer(room)).status_code == 404
        assert httpx.post(f"{base}/api/rooms/{code}/followers", json={"name": "Late"}).status_code == 404
    assert httpx.delete(f"{a}/api/rooms/{code}", headers=bearer(room)).status_code == 404
