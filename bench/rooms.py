"""Figure 7: a classroom room while a crowd of followers joins at once and the presenter steps every 250 ms.

On one app process (SQLite) with 300 and 1,000 followers, and on `uvicorn --workers 4` with Redis and 4,000.
The load generator runs in this process on loopback (127.0.0.1) only: each follower is a plain socket reading
`/api/rooms/CODE/events`; the followers open evenly over `join` seconds while the presenter posts a step every
250 ms, from before the first join until a few seconds after the count is complete; then everything hangs up.
Every run is bounded in followers and in time and stops by itself.

Measured per run: how long until GET /api/rooms/CODE counts every follower (from the first connect), whether
every follower got every step published after its first state (by seq, none missing, in order), and the
delivery delay of each step to each follower (the presenter's send to the follower's read), split into steps
sent while followers were still joining and steps after.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.core import Row
from bench.server import Server
from tests.support import Process, answers_redis, free_port

HOST = "127.0.0.1"  # the generator talks to loopback only
STEP_EVERY = 0.25
MAX_FOLLOWERS = 5000
_ID = re.compile(rb"\nid: (\d+)\n")
_TALLY = re.compile(rb'event: tally\ndata: [^\n]*"followers":(\d+)')


def raise_open_files(wanted: int) -> int:
    """Raises this process's soft open-file limit toward `wanted` (the servers started after inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Follower(asyncio.Protocol):
    """One event stream; records the arrival time of each state's seq and counts tally events."""

    def __init__(self, request: bytes) -> None:
        self.request = request
        self.transport: asyncio.Transport | None = None
        self.seen: list[tuple[int, float]] = []  # (seq, arrival)
        self.tallies = 0
        self.tail = b"\n"
        self.closed = asyncio.get_running_loop().create_future()
        self.status_ok: bool | None = None
        self.watch: list[Any] | None = None  # [count, when the tallies first showed it] for the presenter's view

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's transports are not asyncio's classes
        transport.write(self.request)  # type: ignore[attr-defined]

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        if self.status_ok is None:
            self.status_ok = data.startswith(b"HTTP/1.1 200")
        text = self.tail + data
        for m in _ID.finditer(text):
            self.seen.append((int(m.group(1)), now))
        self.tallies += data.count(b"event: tally")
        if self.watch is not None:
            for m in _TALLY.finditer(text):
                if int(m.group(1)) >= self.watch[0] and self.watch[1] is None:
                    self.watch[1] = now
        self.tail = text[text.rfind(b"\n"):]  # an `id:` line cut between two reads is found in the next one

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


@dataclass
class Run:
    """What one scenario measured."""

    followers: int
    join: float
    opened: int = 0
    failed: int = 0
    counted_after: float | None = None
    shown_after: float | None = None  # when the presenter's own view (count=false) got a tally with everyone
    first_state_p99: float | None = None
    during: list[float] = field(default_factory=list)
    after: list[float] = field(default_factory=list)
    missing: int = 0
    out_of_order: int = 0
    incomplete: int = 0
    steps: int = 0
    tallies: int = 0
    missed: list[int] = field(default_factory=list)  # a few of the seqs some follower never got
    server_cpu: float | None = None
    client_cpu: float | None = None  # this generator's CPU: on 2 shared cores it competes with the server
    rss_per_follower: float | None = None  # server memory added per open stream, bytes
    dashboard: list[float] = field(default_factory=list)  # read times of the presenter's dashboard, when open

    def as_json(self) -> dict[str, Any]:
        def pct(values: list[float], q: float) -> float | None:
            return float(np.percentile(values, q)) if values else None

        return {"followers": self.followers, "join_seconds": self.join, "opened": self.opened, "failed": self.failed,
                "counted_after_s": self.counted_after, "shown_to_presenter_after_s": self.shown_after,
                "first_state_p99_s": self.first_state_p99,
                "during_joins": {"n": len(self.during), "p50_s": pct(self.during, 50), "p99_s": pct(self.during, 99),
                                 "max_s": max(self.during, default=None)},
                "after_joins": {"n": len(self.after), "p50_s": pct(self.after, 50), "p99_s": pct(self.after, 99),
                                "max_s": max(self.after, default=None)},
                "missing_deliveries": self.missing, "missed_seqs": self.missed[:20], "out_of_order": self.out_of_order,
                "followers_missing_steps": self.incomplete, "steps": self.steps, "tallies_received": self.tallies,
                "server_cpu_s": self.server_cpu, "client_cpu_s": self.client_cpu,
                "server_rss_per_follower_bytes": self.rss_per_follower}


class Client:
    """One keep-alive HTTP/1.1 connection, as a browser's presenter page keeps (stdlib only: the bench does not
    depend on the client library it would be measuring). Requests go one at a time."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        payload = b"" if body is None else json.dumps(body).encode()
        auth = f"Authorization: Bearer {token}\r\n" if token else ""
        head = (f"{method} {path} HTTP/1.1\r\nHost: {HOST}:{self.port}\r\n{auth}Content-Length: {len(payload)}\r\n"
                f"Content-Type: application/json\r\n\r\n").encode()
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
        assert self.reader is not None
        self.writer.write(head + payload)
        raw_head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(raw_head.split(b" ", 2)[1])
        headers = raw_head.lower()
        if b"transfer-encoding: chunked" in headers:
            out = b""
            while (size := int((await self.reader.readline()).strip(), 16)) > 0:
                out += await self.reader.readexactly(size)
                await self.reader.readexactly(2)
            await self.reader.readexactly(2)
        else:
            length = int(re.search(rb"content-length: (\d+)", headers).group(1))  # type: ignore[union-attr]
            out = await self.reader.readexactly(length)
        if status >= 300:
            raise RuntimeError(f"{method} {path}: {status} {out[:200]!r}")
        return json.loads(out)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def scenario(port: int, followers: int, join: float, settle: float = 3.0, cap: float = 60.0,
                   on_joined: Any = None, dashboard: bool = False) -> Run:
    """One crowd: `followers` streams opened evenly over `join` s while the presenter steps every 250 ms. With
    `dashboard`, every follower joins with a name first and streams with its token, and the presenter's dashboard
    page polls the class list every 2 s and the results every 5 s, as it does in a browser."""
    followers = min(followers, MAX_FOLLOWERS)
    loop = asyncio.get_running_loop()
    run = Run(followers, join)
    presenter_http, poll_http = Client(port), Client(port)
    net = await presenter_http.call("POST", "/api/networks", {"preset": "xor", "protected": True})
    room = await presenter_http.call("POST", "/api/rooms", {"network_id": net["id"]}, net["token"])
    code, token = room["code"], room["presenter_token"]
    request = (f"GET /api/rooms/{code}/events HTTP/1.1\r\nHost: {HOST}:{port}\r\nAccept: text/event-stream\r\n"
               f"Accept-Encoding: gzip\r\n\r\n").encode()
    sent: dict[int, float] = {}  # seq -> when the presenter sent it
    stop = asyncio.Event()
    t0 = time.perf_counter()
    deadline = t0 + cap

    async def present() -> None:
        position = 0
        while not stop.is_set() and time.perf_counter() < deadline:
            position += 1
            at = time.perf_counter()
            state = await presenter_http.call("POST", f"/api/rooms/{code}/state", {"position": position}, token)
            sent[int(state["seq"])] = at
            await asyncio.sleep(max(0.0, STEP_EVERY - (time.perf_counter() - at)))

    identities: list[str] = []
    if dashboard:
        join_http = Client(port)
        for k in range(followers):
            joined = await join_http.call("POST", f"/api/rooms/{code}/followers", {"name": f"Student {k + 1}"})
            identities.append(joined["token"])
        join_http.close()

    async def watch_dashboard() -> None:
        dash_http = Client(port)
        k = 0
        while not stop.is_set() and time.perf_counter() < deadline:
            at = time.perf_counter()
            await dash_http.call("GET", f"/api/rooms/{code}/dashboard", token=token)
            run.dashboard.append(time.perf_counter() - at)
            if k % 5 == 2:  # the results every 5 s, half as often as the list
                await dash_http.call("GET", f"/api/rooms/{code}/results", token=token)
            k += 1
            await asyncio.sleep(max(0.0, 2.0 - (time.perf_counter() - at)))
        dash_http.close()

    presenter = asyncio.create_task(present())
    watcher = asyncio.create_task(watch_dashboard()) if dashboard else None
    view = Follower(request.replace(b"/events ", b"/events?count=false "))
    view.watch = [followers, None]
    await loop.create_connection(lambda: view, HOST, port)
    await asyncio.sleep(0.5)  # the lesson is under way before the class joins
    opened: list[Follower] = []
    opened_at: list[float] = []
    join_start = time.perf_counter()

    async def open_one(k: int) -> None:
        protocol = Follower(request.replace(b"/events ", f"/events?token={identities[k]} ".encode())
                            if identities else request)
        try:
            await loop.create_connection(lambda: protocol, HOST, port)
        except OSError:
            run.failed += 1
            return
        opened.append(protocol)
        opened_at.append(time.perf_counter())

    tasks = []
    for k in range(followers):
        wait = join_start + join * k / followers - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        tasks.append(asyncio.create_task(open_one(k)))
    await asyncio.gather(*tasks)
    run.opened = len(opened)
    while time.perf_counter() < deadline:
        got = await poll_http.call("GET", f"/api/rooms/{code}")
        if got["followers"] >= run.opened:
            run.counted_after = time.perf_counter() - join_start
            break
        await asyncio.sleep(0.1)
    joined_by = time.perf_counter()
    if on_joined is not None:
        on_joined()
    await asyncio.sleep(settle)
    stop.set()
    await presenter
    if watcher is not None:
        await watcher
    last_seq = max(sent) if sent else 0
    drain_until = time.perf_counter() + 5.0  # the last step's delivery, however late
    while time.perf_counter() < drain_until and not all(f.seen and f.seen[-1][0] >= last_seq for f in opened):
        await asyncio.sleep(0.05)
    presenter_http.close()
    poll_http.close()
    if view.transport is not None:
        view.transport.close()
    if view.watch[1] is not None:
        run.shown_after = view.watch[1] - join_start
    for f in opened:
        if f.transport is not None:
            f.transport.close()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*(f.closed for f in opened)), timeout=10)

    run.steps = len(sent)
    first_delays = []
    for f, at in zip(opened, opened_at, strict=True):
        run.tallies += f.tallies
        if not f.seen:
            run.incomplete += 1
            continue
        first_seq, first_at = f.seen[0]
        first_delays.append(first_at - at)
        seqs = [s for s, _ in f.seen[1:]]
        if seqs != sorted(seqs):
            run.out_of_order += 1
        expected = {s for s in sent if s > first_seq and s <= last_seq}
        missing = expected - set(seqs)
        run.missing += len(missing)
        run.missed.extend(sorted(missing)[:3])
        run.incomplete += bool(missing)
        for seq, arrived in f.seen[1:]:
            if seq in sent:
                (run.during if sent[seq] < joined_by else run.after).append(arrived - sent[seq])
    run.first_state_p99 = float(np.percentile(first_delays, 99)) if first_delays else None
    return run


def _rows(label: str, run: Run, p99_target: float | None, counted_target: float | None) -> list[Row]:
    d = run.as_json()
    during, after = d["during_joins"], d["after_joins"]
    every = run.incomplete == 0 and run.out_of_order == 0 and run.failed == 0
    note = (f"{run.opened}/{run.followers} opened over {run.join:g} s, {run.steps} steps, "
            f"presenter's view showed all after {_ms(run.shown_after)}, {run.tallies} tally events to followers")
    rows = [
        Row("7", f"{label}: all counted after", run.counted_after, "s", target="≤ 5 s" if counted_target else "",
            met=None if counted_target is None or run.counted_after is None else run.counted_after <= counted_target,
            note=note, detail=d),
        Row("7", f"{label}: every follower got every step after joining", 1.0 if every else 0.0, "",
            target="all", met=every,
            note=f"{run.incomplete} followers missed steps, {run.out_of_order} out of order, {run.failed} failed"),
        Row("7", f"{label}: step delivery p99 during the joins (p50 {_ms(during['p50_s'])}, "
                 f"max {_ms(during['max_s'])}, n={during['n']})", during["p99_s"], "s",
            target="" if p99_target is None else f"≤ {_ms(p99_target)}",
            met=None if p99_target is None or during["p99_s"] is None else during["p99_s"] <= p99_target),
        Row("7", f"{label}: step delivery p99 after the joins (p50 {_ms(after['p50_s'])}, n={after['n']})",
            after["p99_s"], "s"),
        Row("7", f"{label}: first state after connecting, p99", run.first_state_p99, "s"),
    ]
    if run.server_cpu is not None:
        rows.append(Row("7", f"{label}: server CPU during the run (load generator {run.client_cpu or 0:.1f} s; "
                             f"server memory {(run.rss_per_follower or 0) / 1024:.0f} KiB per follower)",
                        run.server_cpu, "s"))
    return rows


def _dashboard_row(plain: Run, named: Run) -> Row:
    """Step delivery p99 after the joins with the dashboard open, against the same class without it."""
    base, with_dash = plain.as_json()["after_joins"]["p99_s"], named.as_json()["after_joins"]["p99_s"]
    ratio = None if not base or with_dash is None else with_dash / base
    reads = named.dashboard
    note = (f"dashboard read p50 {_ms(float(np.percentile(reads, 50)))}, max {_ms(max(reads))}, n={len(reads)}"
            if reads else "no dashboard read")
    return Row("7", "300 followers: step delivery p99 after the joins, dashboard open ÷ without", ratio, "×",
               target="≤ 1.2", met=None if ratio is None else ratio <= 1.2, note=note)


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{1000 * seconds:.0f} ms"


def start_redis(directory: Path) -> Process:
    """A throw-away redis-server on a free loopback port, stopped by its PID."""
    exe = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(exe).exists():
        raise FileNotFoundError("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    return Process.start([exe, "--bind", HOST, "--port", str(port), "--save", "", "--appendonly", "no",
                          "--dir", str(directory), "--maxclients", "10000"], directory / "redis.log",
                         lambda: answers_redis(port), port=port, url=f"redis://{HOST}:{port}/0")


def _measure(srv: Server, followers: int, join: float, dashboard: bool = False) -> Run:
    cpu0, client0, rss0 = srv.cpu_seconds(), time.process_time(), srv.rss_bytes()
    rss: list[int] = []
    run = _event_loop().run_until_complete(scenario(srv.port, followers, join, on_joined=lambda: rss.append(
        srv.rss_bytes()), dashboard=dashboard))
    run.server_cpu, run.client_cpu = srv.cpu_seconds() - cpu0, time.process_time() - client0
    if rss and run.opened:
        run.rss_per_follower = (rss[0] - rss0) / run.opened
    return run


def _event_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop

        return uvloop.new_event_loop()
    except ImportError:
        return asyncio.new_event_loop()


def section_rooms(quick: bool) -> list[Row]:
    raise_open_files(20_000)
    rows: list[Row] = []
    crowds = [(300, 1.0, 0.3), (1000, 1.0, 1.0)] if not quick else [(300, 1.0, 0.3)]
    with Server() as srv:
        for followers, join, p99 in crowds:
            print(f"[bench] rooms: {followers} followers on one process ...", file=sys.stderr, flush=True)
            run = _measure(srv, followers, join)
            rows += _rows(f"1 process (SQLite), {followers:,} followers", run, p99, 5.0)
            if followers == 300:  # the same class with names, tokens and the presenter's dashboard open
                print("[bench] rooms: 300 named followers, dashboard open ...", file=sys.stderr, flush=True)
                named = _measure(srv, followers, join, dashboard=True)
                rows += _rows("1 process (SQLite), 300 named followers, dashboard open", named, p99, 5.0)
                rows.append(_dashboard_row(run, named))
    with tempfile.TemporaryDirectory(prefix="deltaflow-bench-redis-") as tmp:
        redis_server = start_redis(Path(tmp))
        try:
            env = {"DELTAFLOW_REDIS_URL": redis_server.url}
            followers = 1000 if quick else 4000
            with Server(env=env, workers=4) as srv:
                time.sleep(2.0)  # the health check answered from one worker: let the other three start too
                print(f"[bench] rooms: {followers} followers on 4 workers ...", file=sys.stderr, flush=True)
                run = _measure(srv, followers, 2.0)
                rows += _rows(f"4 workers + Redis, {followers:,} followers", run, 1.0, 5.0)
        finally:
            redis_server.stop()
    return rows


if __name__ == "__main__":  # python -m bench.rooms FOLLOWERS [JOIN_SECONDS] [WORKERS] [dashboard]: one run
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    window = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    raise_open_files(20_000)
    with contextlib.ExitStack() as stack:
        extra: dict[str, str] = {}
        if workers > 1:
            tmpdir = stack.enter_context(tempfile.TemporaryDirectory())
            rs = start_redis(Path(tmpdir))
            stack.callback(rs.stop)
            extra = {"DELTAFLOW_REDIS_URL": rs.url}
        server = stack.enter_context(Server(env=extra, workers=workers))
        measured = _measure(server, n, window, dashboard="dashboard" in sys.argv[4:])
        print(json.dumps({**measured.as_json(), "dashboard_reads_s": measured.dashboard}, indent=2))
    os._exit(0)
