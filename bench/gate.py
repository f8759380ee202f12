"""The gate section: one server process under concurrent heavy requests. Its peak memory under 40 concurrent
worst-case traces (and its memory once idle again), and light requests' latency while 45 heavy landscapes run."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from app.config import Settings
from app.engine.trace import event_count
from bench.core import Row, stat
from bench.limits import dataset
from bench.server import Server

TRACES = 40
LANDSCAPES = 45
LIGHT_P99_MS = 250.0
CEILING_MB = 1000.0  # docs/limits.md: one process's memory under any mix of accepted heavy requests
HANG = 600.0  # seconds: only to give up on a stuck server
ALONE_ROUNDS = 50  # rounds of the three light requests on an idle server, for the floor
# the gate switched off (far more capacity than any mix of requests asks for): the behaviour before it existed
NO_GATE = {"DELTAFLOW_GATE_CAPACITY": str(10**18)}


def _storm(url: str, n: int, path: str, body: Any) -> Callable[[], list[int]]:
    """Start n concurrent POSTs, each on its own connection; the returned call waits for their statuses."""
    pool = ThreadPoolExecutor(max_workers=n)
    barrier = threading.Barrier(n)

    def one() -> int:
        with httpx.Client(base_url=url, timeout=HANG) as http:
            barrier.wait()
            return http.post(path, json=body).status_code

    futures = [pool.submit(one) for _ in range(n)]

    def results() -> list[int]:
        statuses = [f.result() for f in futures]
        pool.shutdown()
        return statuses

    return results


def _traces(env: dict[str, str], label: str) -> list[Row]:
    s = Settings()
    width = max(h for h in range(1, s.max_nodes + 1) if event_count([2, h, h, 1]) <= s.max_trace_events)
    with Server(env) as srv:
        net = srv.call("POST", "/api/networks", {"layers": [2, width, width, 1]})[1]["id"]
        base = srv.rss_bytes() / 1e6
        t0 = time.perf_counter()
        statuses = _storm(srv.url, TRACES, f"/api/networks/{net}/trace", {"input": [0.5, 0.5], "target": [1]})()
        seconds = time.perf_counter() - t0
        peak = srv.peak_rss_bytes() / 1e6
        idle = srv.rss_bytes() / 1e6
    ok, busy = statuses.count(200), statuses.count(503)
    return [Row("gate", f"{TRACES} concurrent traces of 2-{width}-{width}-1 {label}: peak RSS", peak, "MB",
                target=f"< {CEILING_MB:g} MB", met=peak < CEILING_MB,
                note=f"{ok} answered, {busy} busy (503) in {seconds:.1f} s; RSS {base:.0f} MB before, "
                     f"{idle:.0f} MB idle after",
                detail={"baseline_mb": base, "idle_after_mb": idle, "answered": ok, "busy": busy,
                        "seconds": seconds, "statuses": sorted(set(statuses))})]


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def _landscapes(env: dict[str, str], label: str, n: int) -> list[Row]:
    """Light requests in a loop, first on an idle server (the floor), then while n heavy landscapes run."""
    data = dataset(1, 1, Settings().max_samples)  # the largest data set a 1 MB body carries
    body = {"x": {"l": 2, "j": 1, "i": 1}, "y": {"l": 3, "j": 1, "i": 2}, "resolution": 13}
    with Server(env) as srv:
        heavy = srv.call("POST", "/api/networks", {"layers": [1, 8, 1]})[1]["id"]
        srv.call("PATCH", f"/api/networks/{heavy}", {"dataset": data})
        xor = srv.call("POST", "/api/networks", {"preset": "xor"})[1]["id"]
        alone: dict[str, list[float]] = {"GET a network": [], "/step on XOR": [], "/healthz": []}
        light: dict[str, list[float]] = {k: [] for k in alone}
        with httpx.Client(base_url=srv.url, timeout=HANG) as http:
            calls = {"GET a network": lambda: http.get(f"/api/networks/{xor}"),
                     "/step on XOR": lambda: http.post(f"/api/networks/{xor}/step", json={"samples": "all"}),
                     "/healthz": lambda: http.get("/healthz")}

            def round_of(into: dict[str, list[float]]) -> None:
                for name, call in calls.items():
                    start = time.perf_counter()
                    assert call().status_code == 200, name
                    into[name].append((time.perf_counter() - start) * 1e3)

            for _ in range(ALONE_ROUNDS):
                round_of(alone)
            t0 = time.perf_counter()
            storm = _storm(srv.url, n, f"/api/networks/{heavy}/landscape", body)
            done = threading.Event()
            statuses: list[int] = []
            waiter = threading.Thread(target=lambda: (statuses.extend(storm()), done.set()))
            waiter.start()
            while not done.is_set():
                round_of(light)
            waiter.join()
            seconds = time.perf_counter() - t0
    floor = _p99([v for vs in alone.values() for v in vs])
    everything = [v for vs in light.values() for v in vs]
    p99 = _p99(everything)
    per_kind = {k: stat(v) for k, v in light.items()}
    return [
        Row("gate", f"light requests alone (GET a network, /step on XOR, /healthz) {label}: p99", floor, "ms",
            note=f"{ALONE_ROUNDS * len(alone)} light requests on an idle server",
            detail={k: {"median_ms": stat(v).median, "max_ms": stat(v).hi, "n": len(v)} for k, v in alone.items()}),
        Row("gate", f"light requests during {n} landscapes {label}: p99", p99, "ms",
            target=f"≤ {LIGHT_P99_MS:g} ms", met=p99 <= LIGHT_P99_MS,
            note=f"{len(everything)} light requests; heavy: {statuses.count(200)} answered, "
                 f"{statuses.count(503)} busy (503) in {seconds:.1f} s; per kind median/max "
                 + ", ".join(f"{k} {s.median:.0f}/{s.hi:.0f} ms" for k, s in per_kind.items()),
            detail={k: {"median_ms": s.median, "max_ms": s.hi, "n": s.n} for k, s in per_kind.items()}),
    ]


def section_gate(quick: bool) -> list[Row]:
    """With the gate as configured; unless quick, the same 40 traces without it, for the figure before."""
    rows = _traces({}, "with the gate")
    # glibc's per-thread malloc arenas keep freed pages resident; two arenas is the container's setting
    rows += _traces({"MALLOC_ARENA_MAX": "2"}, "with the gate and MALLOC_ARENA_MAX=2")
    rows += _landscapes({}, "with the gate", LANDSCAPES)
    if not quick:
        rows += _traces(NO_GATE, "without the gate")
    return rows
