"""Load test: simulated students create networks, step and trace them for a fixed time against a real server.

    python bench/load.py [--students 200] [--duration 60] [--think 1.0] [--url http://127.0.0.1:PORT]

Without --url it starts its own `uvicorn app.main:app` on a free loopback port with a temporary database and
stops it afterwards. Only loopback URLs are accepted. Prints request counts, errors and latency percentiles
(and writes them as JSON with --json); exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parent.parent


def _loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Stats:
    """Latencies per request kind, and every failure with its reason."""

    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    def summary(self, seconds: float) -> dict[str, Any]:
        def pct(values: list[float], p: float) -> float:
            ordered = sorted(values)
            return round(1000 * ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 1) if ordered else 0.0

        everything = [v for values in self.latency.values() for v in values]
        kinds = {k: {"requests": len(v), "p50_ms": pct(v, 50), "p95_ms": pct(v, 95), "p99_ms": pct(v, 99),
                     "max_ms": round(1000 * max(v), 1)} for k, v in sorted(self.latency.items())}
        return {"requests": len(everything), "errors": len(self.errors), "seconds": round(seconds, 1),
                "requests_per_second": round(len(everything) / seconds, 1), "p50_ms": pct(everything, 50),
                "p95_ms": pct(everything, 95), "p99_ms": pct(everything, 99),
                "max_ms": round(1000 * max(everything), 1) if everything else 0.0, "by_kind": kinds,
                "first_errors": self.errors[:10]}


async def _request(http: httpx.AsyncClient, stats: Stats, kind: str, method: str, url: str, body: Any = None,
                   expect: int = 200) -> Any:
    t0 = time.perf_counter()
    try:
        r = await http.request(method, url, json=body)
    except httpx.HTTPError as err:
        stats.errors.append(f"{kind}: {type(err).__name__} {err}")
        return None
    stats.latency[kind].append(time.perf_counter() - t0)
    if r.status_code != expect:
        stats.errors.append(f"{kind}: HTTP {r.status_code} {r.text[:200]}")
        return None
    return r.json()


async def student(http: httpx.AsyncClient, stats: Stats, deadline: float, think: float, rng: random.Random) -> None:
    """One student: a network from a preset, then a loop of steps, traces and reads at human speed."""
    await asyncio.sleep(rng.uniform(0, think))  # the class does not click in unison
    preset = rng.choice(["xor", "xor", "and", "circles"])
    net = await _request(http, stats, "create", "POST", "/api/networks", {"preset": preset}, expect=201)
    if net is None:
        return
    base = f"/api/networks/{net['id']}"
    rows = len(net["dataset"]["inputs"])
    while time.monotonic() < deadline:
        action = rng.random()
        if action < 0.45:
            body = {"samples": "all"} if rows <= 4 and rng.random() < 0.5 else {"sample": rng.randrange(rows)}
            await _request(http, stats, "step", "POST", base + "/step", body)
        elif action < 0.85:
            await _request(http, stats, "trace", "POST", base + "/trace", {"sample": rng.randrange(rows)})
        elif action < 0.95:
            await _request(http, stats, "get", "GET", base)
        else:
            await _request(http, stats, "train", "POST", base + "/train", {"iterations": 100, "record_every": 50})
        await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))


async def run(url: str, students: int, duration: float, think: float, seed: int) -> dict[str, Any]:
    stats = Stats()
    limits = httpx.Limits(max_connections=students, max_keepalive_connections=students)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        t0 = time.monotonic()
        deadline = t0 + duration
        await asyncio.gather(*(student(http, stats, deadline, think, random.Random(seed * 100_003 + k))
                               for k in range(students)))
        elapsed = time.monotonic() - t0
    return stats.summary(elapsed)


def _start_server(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "DELTAFLOW_DB": str(tmp / "load.db")}
    log = (tmp / "uvicorn.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (at most 600)")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a student's requests")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--url", help="a running server on this machine (loopback only)")
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args(argv)
    if args.url and not _loopback(args.url):
        parser.error("only loopback servers (127.0.0.1, ::1, localhost) may be load-tested")
    duration = min(args.duration, 600.0)
    with tempfile.TemporaryDirectory() as tmp:
        proc = None
        url = args.url
        if url is None:
            proc, url = _start_server(Path(tmp))
        try:
            summary = asyncio.run(run(url, args.students, duration, args.think, args.seed))
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=10)
    summary = {"students": args.students, "think_seconds": args.think, **summary}
    print(f"{args.students} students, {summary['seconds']} s, think {args.think} s: {summary['requests']} requests "
          f"({summary['requests_per_second']}/s), {summary['errors']} errors; latency p50 {summary['p50_ms']} ms, "
          f"p95 {summary['p95_ms']} ms, p99 {summary['p99_ms']} ms, max {summary['max_ms']} ms")
    for kind, row in summary["by_kind"].items():
        print(f"  {kind:7s} {row['requests']:6d} requests  p50 {row['p50_ms']:7.1f} ms  p99 {row['p99_ms']:7.1f} ms  "
              f"max {row['max_ms']:7.1f} ms")
    for err in summary["first_errors"]:
        print("  error:", err)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=1))
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
