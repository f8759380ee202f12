"""`uvicorn --workers 4` on one Redis: a room whose followers sit on different worker processes, end to end."""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Iterator

import httpx
import pytest

from tests.redis_server import RedisServer
from tests.rooms.conftest import SSEReader, bearer, new_room, owner, start_app


@pytest.fixture(scope="module")
def four_workers(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("workers")
    app = start_app(directory, {"DELTAFLOW_REDIS_URL": redis_server.url, "DELTAFLOW_DB": str(directory / "unused.db")},
                  workers=4)
    try:
        yield app.url
    finally:
        app.stop()


def _worker_pid(reader: SSEReader, app_port: int) -> int | None:
    """The PID of the process holding the server end of this reader's connection (from `ss`)."""
    client_port = reader.sock.getsockname()[1]
    out = subprocess.run(["ss", "-Htnp", "state", "established", f"( sport = :{app_port} and dport = :{client_port} )"],
                         capture_output=True, text=True, check=False).stdout
    m = re.search(r"pid=(\d+)", out)
    return int(m.group(1)) if m else None


def test_followers_on_different_workers_all_get_every_state_in_order(four_workers: str,
                                                                     readers: list[SSEReader]) -> None:
    _, room = new_room(four_workers)
    code = room["code"]
    port = int(four_workers.rsplit(":", 1)[1])
    pids: set[int] = set()
    while len(readers) < 24 and len(pids) < 3:
        reader = SSEReader(four_workers, f"/api/rooms/{code}/events")
        readers.append(reader)
        reader.next()
        pid = _worker_pid(reader, port)
        if pid is not None:
            pids.add(pid)
    assert len(pids) >= 2, f"all {len(readers)} followers landed on one worker"
    start = httpx.get(f"{four_workers}/api/rooms/{code}").json()["seq"]
    for position in range(1, 16):
        # a fresh connection per publish, so the presenter too is served by whichever worker accepts
        r = httpx.post(f"{four_workers}/api/rooms/{code}/state", headers={**bearer(room), "Connection": "close"},
                       json={"position": position})
        assert r.status_code == 200
    for reader in readers:
        got = []
        while len(got) < 15:
            event = reader.next()
            if event.data["seq"] > start:
                got.append(event.data["position"])
        assert got == list(range(1, 16))
    assert httpx.get(f"{four_workers}/api/rooms/{code}").json()["followers"] == len(readers)


def test_concurrent_steps_across_four_workers_lose_nothing(four_workers: str) -> None:
    net, _ = new_room(four_workers)
    codes: list[int] = []

    def work() -> None:
        for k in range(10):
            r = httpx.post(f"{four_workers}/api/networks/{net['id']}/step", json={"sample": k % 4},
                           headers={"Connection": "close", **owner(net)}, timeout=30)
            codes.append(r.status_code)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * 60
    assert httpx.get(f"{four_workers}/api/networks/{net['id']}").json()["iteration"] == 60
