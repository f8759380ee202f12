"""Rooms across two app processes that share one real redis-server: nothing mocked, nothing in-process."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx

from tests.redis_server import RedisServer
from tests.rooms.conftest import SSEReader, as_follower, bearer, join, new_room, owner, start_app
from tests.support import eventually


def test_a_follower_on_B_gets_every_state_published_on_A_in_order(
        redis_apps: tuple[str, str], readers: list[SSEReader]) -> None:
    a, b = redis_apps
    net, room = new_room(a)
    code = room["code"]
    follower = SSEReader(b, f"/api/rooms/{code}/events")
    readers.append(follower)
    assert follower.status == 200
    assert follower.headers["content-type"].startswith("text/event-stream")
    first = follower.next()
    assert first.data["network_id"] == net["id"]
    assert first.data["position"] == 0
    assert first.data["followers"] == 1
    assert first.id == first.data["seq"]
    ids = [first.id]
    with httpx.Client(base_url=a) as presenter:
        for position in range(1, 31):
            r = presenter.post(f"/api/rooms/{code}/state", headers=bearer(room),
                               json={"position": position, "phase": "forward" if position < 15 else "backward"})
            assert r.status_code == 200, r.text
            # each state reaches B before the next is published on A (how fast is measured by make bench)
            event = follower.next()
            assert event.data["position"] == position
            assert event.data["seq"] == r.json()["seq"]
            ids.append(event.id)
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert follower.events.empty()


def test_concurrent_steps_through_both_processes_lose_no_update(redis_apps: tuple[str, str]) -> None:
    a, b = redis_apps
    net, _ = new_room(a)
    per_thread, statuses = 12, []
    lock = threading.Lock()

    def work(base: str) -> None:
        with httpx.Client(base_url=base, timeout=30) as c:
            for k in range(per_thread):
                r = c.post(f"/api/networks/{net['id']}/step", json={"sample": k % 4}, headers=owner(net))
                with lock:
                    statuses.append(r.status_code)

    threads = [threading.Thread(target=work, args=(base,)) for base in (a, b, a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * (4 * per_thread)
    for base in (a, b):
        assert httpx.get(f"{base}/api/networks/{net['id']}").json()["iteration"] == 4 * per_thread


def test_only_the_presenter_token_moves_the_room(redis_apps: tuple[str, str]) -> None:
    a, b = redis_apps
    _, room = new_room(a)
    url = f"{b}/api/rooms/{room['code']}/state"
    assert httpx.post(url, json={"position": 1}).status_code == 403
    r = httpx.post(url, json={"position": 1}, headers={"Authorization": "Bearer not-the-token"})
    assert r.status_code == 403
    assert "presenter" in r.json()["detail"]
    assert httpx.get(f"{b}/api/rooms/{room['code']}").json()["position"] == 0
    assert httpx.post(url, json={"position": 1}, headers=bearer(room)).status_code == 200


def test_fork_on_B_copies_the_network_the_room_shows_on_A(redis_apps: tuple[str, str]) -> None:
    a, b = redis_apps
    net, room = new_room(a)
    code = room["code"]
    assert httpx.post(f"{a}/api/networks/{net['id']}/step", json={"sample": 1}, headers=owner(net)).status_code == 200
    trained = httpx.get(f"{a}/api/networks/{net['id']}").json()
    assert httpx.post(f"{a}/api/rooms/{code}/state", headers=bearer(room),
                      json={"sample": 2, "position": 7}).status_code == 200
    r = httpx.post(f"{b}/api/rooms/{code}/fork", headers=as_follower(join(a, code)))
    assert r.status_code == 201, r.text
    fork = r.json()
    copy = fork["network"]
    assert copy["id"] != net["id"]
    assert copy["weights"] == trained["weights"] and copy["iteration"] == 1
    assert (fork["sample"], fork["position"]) == (2, 7)
    assert fork["open_url"] == f"/?net={copy['id']}&sample=2&step=7&room={code}"
    # the copy is the student's own: stepping it leaves the room's network alone
    assert httpx.post(f"{a}/api/networks/{copy['id']}/step", json={"sample": 0}).status_code == 403
    assert httpx.post(f"{a}/api/networks/{copy['id']}/step", json={"sample": 0},
                      headers=owner(copy)).status_code == 200
    assert httpx.get(f"{b}/api/networks/{net['id']}").json()["iteration"] == 1
    assert httpx.get(f"{b}/api/networks/{copy['id']}").json()["iteration"] == 2


def test_followers_count_across_processes_rises_and_falls(redis_apps: tuple[str, str],
                                                          readers: list[SSEReader]) -> None:
    a, b = redis_apps
    _, room = new_room(a)
    code = room["code"]
    path = f"/api/rooms/{code}/events"
    count = lambda: httpx.get(f"{a}/api/rooms/{code}").json()["followers"]  # noqa: E731
    on_a = SSEReader(a, path)
    readers.append(on_a)
    assert on_a.next().data["followers"] == 1
    on_b = SSEReader(b, path)
    readers.append(on_b)
    assert on_b.next().data["followers"] == 2
    assert count() == 2
    assert on_a.followers(2)["code"] == code  # the first follower is told when the second comes
    on_b.stop()
    eventually(lambda: count() == 1, message="B's follower was not counted out")
    on_a.followers(1)
    on_a.stop()
    eventually(lambda: count() == 0, message="A's follower was not counted out")


def test_unknown_rooms_are_404_everywhere(redis_apps: tuple[str, str]) -> None:
    a, _ = redis_apps
    for path in ("/api/rooms/ZZZZZZ", "/api/rooms/ZZZZZZ/events", "/api/rooms/ZZZZZZ/qr.svg", "/join/ZZZZZZ",
                 "/api/rooms/not-a-code"):
        assert httpx.get(f"{a}{path}").status_code == 404, path
    assert httpx.post(f"{a}/api/rooms/ZZZZZZ/fork").status_code == 404
    assert httpx.post(f"{a}/api/rooms/ZZZZZZ/followers", json={"name": None}).status_code == 404
    assert httpx.post(f"{a}/api/rooms", json={"network_id": "missing"}).status_code == 404


def test_keep_alive_comments_flow_while_nothing_changes(redis_apps: tuple[str, str], readers: list[SSEReader]) -> None:
    a, _ = redis_apps
    _, room = new_room(a)
    follower = SSEReader(a, f"/api/rooms/{room['code']}/events")
    readers.append(follower)
    follower.next()
    eventually(lambda: follower.comments >= 1, message="no keep-alive comment came")  # the apps send one a second


def test_a_stopping_app_counts_its_followers_out(redis_apps: tuple[str, str], redis_server: RedisServer,
                                                 tmp_path: Path, readers: list[SSEReader]) -> None:
    a, _ = redis_apps
    _, room = new_room(a)
    code = room["code"]
    extra = start_app(tmp_path, {"DELTAFLOW_REDIS_URL": redis_server.url})
    try:
        follower = SSEReader(extra.url, f"/api/rooms/{code}/events")
        readers.append(follower)
        assert follower.next().data["followers"] == 1
    finally:
        extra.stop()  # SIGTERM: uvicorn ends the open stream after its graceful-shutdown timeout
    assert httpx.get(f"{a}/api/rooms/{code}").json()["followers"] == 0


def test_a_lost_redis_subscription_is_restored_and_followers_catch_up(
        redis_apps: tuple[str, str], redis_server: RedisServer, readers: list[SSEReader]) -> None:
    import redis as redis_client

    a, b = redis_apps
    _, room = new_room(a)
    code = room["code"]
    follower = SSEReader(b, f"/api/rooms/{code}/events")
    readers.append(follower)
    follower.next()
    admin = redis_client.Redis.from_url(redis_server.url)
    assert admin.client_kill_filter(_type="pubsub") >= 1  # every app process loses its subscription
    admin.close()
    # published while B may be reconnecting: B re-reads the room once subscribed again
    r = httpx.post(f"{a}/api/rooms/{code}/state", headers=bearer(room), json={"position": 7})
    assert r.status_code == 200
    follower.next_where(lambda state: state["position"] == 7)
    r = httpx.post(f"{a}/api/rooms/{code}/state", headers=bearer(room), json={"position": 8})
    assert follower.next().data["position"] == 8


def test_a_class_of_forty_split_over_two_processes_gets_every_step(redis_apps: tuple[str, str],
                                                                    readers: list[SSEReader]) -> None:
    a, b = redis_apps
    _, room = new_room(a)
    code = room["code"]
    for k in range(40):
        readers.append(SSEReader(a if k % 2 else b, f"/api/rooms/{code}/events"))
    for r in readers:
        r.next()
    eventually(lambda: httpx.get(f"{a}/api/rooms/{code}").json()["followers"] == 40,
               message="the count never reached 40")
    start = httpx.get(f"{a}/api/rooms/{code}").json()["seq"]
    with httpx.Client(base_url=a) as presenter:
        for position in range(1, 11):
            assert presenter.post(f"/api/rooms/{code}/state", headers=bearer(room),
                                  json={"position": position}).status_code == 200
    for r in readers:
        got = []
        while len(got) < 10:
            event = r.next()
            if event.data["seq"] > start:
                got.append(event.data["position"])
        assert got == list(range(1, 11))
