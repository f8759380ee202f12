"""Followers are a count, not a room-state change: joins leave seq alone, steps reach every follower during a
crowd of joins, the count reaches N, a killed worker's followers drop out, and each state is encoded once."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from tests.redis_server import RedisServer
from tests.rooms.conftest import SSEReader, bearer, new_room, start_app
from tests.support import eventually


def _count(base: str, code: str) -> int:
    followers: int = httpx.get(f"{base}/api/rooms/{code}").json()["followers"]
    return followers


def test_joining_does_not_change_the_room_and_the_count_reaches_n(sqlite_app: str, readers: list[SSEReader]) -> None:
    _, room = new_room(sqlite_app)
    code = room["code"]
    seq = room["state"]["seq"]
    for _ in range(12):
        readers.append(SSEReader(sqlite_app, f"/api/rooms/{code}/events"))
    firsts = [r.next() for r in readers]
    assert {e.id for e in firsts} == {seq}  # everyone starts from the same state: nobody's join changed it
    eventually(lambda: _count(sqlite_app, code) == 12, message="the count never reached 12")
    assert httpx.get(f"{sqlite_app}/api/rooms/{code}").json()["seq"] == seq
    readers[0].followers(12)  # the count reaches a stream as a tally, never as a new state
    assert all(r.events.empty() for r in readers)
    for r in readers[:5]:
        r.stop()
    eventually(lambda: _count(sqlite_app, code) == 7, message="the count never fell to 7")
    assert httpx.get(f"{sqlite_app}/api/rooms/{code}").json()["seq"] == seq


def _step_during_joins(base: str, followers: int, every: float = 0.05,
                       view: list[SSEReader] | None = None) -> tuple[str, list[SSEReader], list[int]]:
    """Opens `followers` streams while the presenter steps: (room code, the readers, the seqs of the steps).
    A presenter's view of the room (count=false) is opened first and appended to `view` if given."""
    _, room = new_room(base)
    code = room["code"]
    if view is not None:
        view.append(SSEReader(base, f"/api/rooms/{code}/events?count=false"))
        view[0].next()
    seqs: list[int] = []
    done = threading.Event()

    def present() -> None:
        with httpx.Client(base_url=base) as presenter:
            position = 0
            while not done.is_set():
                position += 1
                r = presenter.post(f"/api/rooms/{code}/state", headers=bearer(room), json={"position": position})
                assert r.status_code == 200
                seqs.append(r.json()["seq"])
                time.sleep(every)  # the presenter's pace: steps interleave with the joins under test

    thread = threading.Thread(target=present)
    thread.start()
    opened = []
    try:
        for _ in range(followers):
            opened.append(SSEReader(base, f"/api/rooms/{code}/events"))
        eventually(lambda: _count(base, code) == followers, message=f"the count never reached {followers}")
        after_joins = len(seqs)
        eventually(lambda: len(seqs) >= after_joins + 3, message="the presenter stopped stepping")
    finally:
        done.set()
        thread.join()
    return code, opened, seqs


def _assert_every_step_after_joining(reader: SSEReader, seqs: list[int]) -> None:
    first = reader.next()
    assert first.id is not None
    expected = [s for s in seqs if s > first.id]
    got = [reader.next().id for _ in expected]
    assert got == expected


def test_every_follower_gets_every_step_after_it_joined_while_a_crowd_joins(
        sqlite_app: str, readers: list[SSEReader]) -> None:
    view: list[SSEReader] = []
    _, opened, seqs = _step_during_joins(sqlite_app, 60, view=view)
    readers.extend(opened + view)
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # each step is one change: joins took no seq
    for reader in opened:
        _assert_every_step_after_joining(reader, seqs)
    # the presenter's view ends on the full count, as a tally (how often tallies come is bench/rooms.py's figure)
    assert view[0].followers(60)["followers"] == 60


def test_the_same_holds_across_two_processes_on_redis(redis_apps: tuple[str, str], readers: list[SSEReader]) -> None:
    a, b = redis_apps
    code, opened, seqs = _step_during_joins(b, 40)
    readers.extend(opened)
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert _count(a, code) == 40
    for reader in opened:
        _assert_every_step_after_joining(reader, seqs)


def test_a_killed_workers_followers_drop_out_within_the_heartbeat_window(
        redis_server: RedisServer, tmp_path: Path, readers: list[SSEReader]) -> None:
    # beats every 0.2 s: a process silent for 4 beats (0.8 s) is dropped at a survivor's next beat
    env = {"DELTAFLOW_REDIS_URL": redis_server.url, "DELTAFLOW_ROOM_HEARTBEAT": "0.2",
           "DELTAFLOW_DB": str(tmp_path / "unused.db")}
    survivor = start_app(tmp_path, env)
    doomed = start_app(tmp_path, env)
    try:
        _, room = new_room(survivor.url)
        code = room["code"]
        presenter_view = SSEReader(survivor.url, f"/api/rooms/{code}/events?count=false")
        readers.append(presenter_view)
        readers.append(SSEReader(survivor.url, f"/api/rooms/{code}/events"))
        for _ in range(3):
            readers.append(SSEReader(doomed.url, f"/api/rooms/{code}/events"))
        eventually(lambda: _count(survivor.url, code) == 4, message="the count never reached 4")
        presenter_view.followers(4)
        doomed.kill9()  # no shutdown: its streams are never counted out by it
        # the heartbeat counts them out (how soon is bench/rooms.py's concern); the bound only detects a hang
        eventually(lambda: _count(survivor.url, code) == 1, timeout=60,
                   message="the killed worker's followers stayed counted")
        assert presenter_view.followers(1)["followers"] == 1
    finally:
        doomed.stop()
        survivor.stop()


def test_each_state_is_encoded_once_and_written_as_is_to_every_stream(tmp_path: Path) -> None:
    """The app itself, in this process, on a real SQLite file: two streams, one step, the same bytes object."""
    from app import deps
    from app.main import app
    from app.store.sqlite import SQLiteStore

    store = SQLiteStore(str(tmp_path / "rooms.db"))

    async def get_store() -> SQLiteStore:
        return store

    app.dependency_overrides[deps.get_store] = get_store
    got: list[tuple[list[list[bytes]], list[dict[str, str]]]] = []
    # a loop of its own in a thread: pytest-playwright's sync API may leave one running in this thread
    runner = threading.Thread(target=lambda: got.append(asyncio.run(_two_streams_and_a_step(app))))
    try:
        runner.start()
        runner.join(timeout=30)
    finally:
        app.dependency_overrides.pop(deps.get_store, None)
    assert got, "the streams did not finish"
    bodies, heads = got[0]
    steps = [[b for b in got if b'"position":5' in b] for got in bodies]
    assert len(steps[0]) == 1 and len(steps[1]) == 1
    assert steps[0][0] is steps[1][0]  # encoded once, handed to both streams as is
    for head in heads:  # asked for gzip like a browser, and still not compressed
        assert head["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in head


async def _two_streams_and_a_step(app: Any) -> tuple[list[list[bytes]], list[dict[str, str]]]:
    async with app.router.lifespan_context(app):  # the rooms are built at start-up, beside the swapped store
        return await _streams_and_a_step(app)


async def _streams_and_a_step(app: Any) -> tuple[list[list[bytes]], list[dict[str, str]]]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        net = (await client.post("/api/networks", json={"preset": "xor", "protected": True})).json()
        room = (await client.post("/api/rooms", json={"network_id": net["id"]},
                                  headers={"Authorization": f"Bearer {net['token']}"})).json()
    code = room["code"]
    bodies: list[list[bytes]] = [[], []]
    heads: list[dict[str, str]] = [{}, {}]
    gone = asyncio.Event()
    opened, stepped = [asyncio.Event(), asyncio.Event()], [asyncio.Event(), asyncio.Event()]

    async def stream(k: int) -> None:
        async def receive() -> dict[str, Any]:
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                heads[k] = {n.decode(): v.decode() for n, v in message["headers"]}
            elif message["type"] == "http.response.body":
                bodies[k].append(message["body"])
                opened[k].set()
                if b'"position":5' in message["body"]:
                    stepped[k].set()

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": f"/api/rooms/{code}/events", "raw_path": b"", "root_path": "",
                 # watching without counting: no tally can share a write with the step
                 "query_string": b"count=false", "server": ("test", 80), "client": ("127.0.0.1", 5000 + k),
                 "headers": [(b"host", b"localhost"), (b"accept", b"text/event-stream"),
                             (b"accept-encoding", b"gzip, deflate")]}
        await app(scope, receive, send)

    tasks = [asyncio.create_task(stream(k)) for k in range(2)]
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in opened)), timeout=30)
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        r = await client.post(f"/api/rooms/{code}/state", json={"position": 5},
                              headers={"Authorization": f"bearer {room['presenter_token']}"})  # any case
        assert r.status_code == 200
    await asyncio.wait_for(asyncio.gather(*(e.wait() for e in stepped)), timeout=30)
    gone.set()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)
    return bodies, heads


def test_a_process_taken_for_dead_while_frozen_counts_its_followers_again(redis_server: RedisServer) -> None:
    """Two processes' counters on a real redis-server: one stops beating (frozen), the other drops its share
    after 4 missed beats and says so; the frozen one, beating again, puts its share back."""
    import redis

    from app.rooms.counts import FOLLOWERS, Tally
    from app.rooms.redis.counts import RedisCounts

    told: list[tuple[str, Tally]] = []
    client = redis.Redis.from_url(redis_server.url)
    frozen = RedisCounts(client, "frozen:", 60, heartbeat=0.1, on_change=lambda c, t: told.append((c, t)))
    survivor = RedisCounts(client, "frozen:", 60, heartbeat=0.1, on_change=lambda c, t: told.append((c, t)))
    try:
        for _ in range(3):
            frozen.add("FROZEN", FOLLOWERS, 1)
        assert survivor.add("FROZEN", FOLLOWERS, 1).get(FOLLOWERS) == 4
        frozen.close()  # no more beats from it, as if its host stalled
        eventually(lambda: survivor.read("FROZEN").get(FOLLOWERS) == 1, message="the frozen share was not dropped")
        assert ("FROZEN", survivor.read("FROZEN")) in told  # the survivor published the drop
        frozen.beat()  # it wakes up: its three followers are still connected to it
        assert survivor.read("FROZEN").get(FOLLOWERS) == 4
        assert frozen.add("FROZEN", FOLLOWERS, -1).get(FOLLOWERS) == 3
    finally:
        frozen.close()
        survivor.close()
        client.close()


def test_a_stream_writes_its_pending_steps_before_a_tally_or_a_keep_alive() -> None:
    from app.rooms.counts import Tally
    from app.rooms.hub import KEEP_ALIVE, Subscription, sse_tally

    loop = asyncio.new_event_loop()
    try:
        sub = Subscription("ABCDEF", loop, last_seq=4)
        tally = sse_tally("ABCDEF", Tally({"followers": 3}, 9))
        sub.tally = (9, tally)
        sub.keepalive_due = True
        sub.states.extend([(4, b"old"), (5, b"five"), (6, b"six")])
        assert sub.take_due() == [b"five", b"six", tally]  # steps first; nothing sent twice; no comment needed
        assert (sub.last_seq, sub.tally_v) == (6, 9)
        sub.quiet = True  # the ticker's mark at each keep-alive period
        sub.keepalive_due = True
        assert sub.take_due() == [KEEP_ALIVE]
        assert sub.quiet  # so the next period sends another one if nothing else came
    finally:
        loop.close()
