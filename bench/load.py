"""Load test: simulated students create networks, step and trace them for a fixed time against a real server.

    python bench/load.py [--students 200] [--duration 60] [--think 1.0] [--url http://127.0.0.1:PORT]

Without --url it starts its own `uvicorn app.main:app` on a free loopback port with a temporary database and
stops it afterwards. Only loopback URLs are accepted. Prints request counts, errors and latency percentiles
(and writes them as JSON with --json); exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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
        self.reconnects = 0

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
                "first_errors": self.errors[:10],
                "keepalive_reconnects": self.reconnects}


class Connection:
    """One keep-alive HTTP/1.1 connection, as a browser tab holds one: a few lines of asyncio instead of an HTTP
    library, because a pooled async client spends more CPU per request than the server does and would measure itself.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.reconnects = 0

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        payload = b"" if body is None else json.dumps(body).encode()
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: keep-alive\r\n\r\n").encode()
        for attempt in range(2):
            reused = self.writer is not None
            if not reused:
                await self._open()
            assert self.reader is not None and self.writer is not None
            try:
                self.writer.write(head + payload)
                await self.writer.drain()
                status_line = await self.reader.readline()
                if not status_line:
                    raise ConnectionResetError("closed before any response byte")
            except (ConnectionError, OSError):
                await self.close()
                # the server may close an idle keep-alive connection just as we reuse it; browsers resend once
                if reused and attempt == 0:
                    self.reconnects += 1
                    continue
                raise
            return await self._response(status_line)
        raise ConnectionResetError("unreachable")

    async def _response(self, status_line: bytes) -> tuple[int, bytes]:
        assert self.reader is not None
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while size := int((await self.reader.readline()).strip() or b"0", 16):
                chunks.append(await self.reader.readexactly(size + 2))
            await self.reader.readline()
            body = b"".join(c[:-2] for c in chunks)
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, body


async def _request(conn: Connection, stats: Stats, kind: str, method: str, path: str, body: Any = None,
                   expect: int = 200) -> Any:
    t0 = time.perf_counter()
    try:
        status, raw = await conn.request(method, path, body)
    except (OSError, asyncio.IncompleteReadError, ValueError) as err:
        stats.errors.append(f"{kind}: {type(err).__name__} {err}")
        return None
    stats.latency[kind].append(time.perf_counter() - t0)
    if status != expect:
        stats.errors.append(f"{kind}: HTTP {status} {raw[:200]!r}")
        return None
    return json.loads(raw)


async def student(url: str, stats: Stats, deadline: float, think: float, rng: random.Random) -> None:
    """One student: a network from a preset, then a loop of steps, traces and reads at human speed."""
    await asyncio.sleep(rng.uniform(0, think))  # the class does not click in unison
    parsed = urlparse(url)
    http = Connection(parsed.hostname or "127.0.0.1", parsed.port or 80)
    try:
        await _student(http, stats, deadline, think, rng)
    finally:
        stats.reconnects += http.reconnects
        await http.close()


async def _student(http: Connection, stats: Stats, deadline: float, think: float, rng: random.Random) -> None:
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
    t0 = time.monotonic()
    deadline = t0 + duration
    await asyncio.gather(*(student(url, stats, deadline, think, random.Random(seed * 100_003 + k))
                           for k in range(students)))
    return stats.summary(time.monotonic() - t0)


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start_server(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "DELTAFLOW_DB": str(tmp / "load.db")}
    log = (tmp / "uvicorn.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
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
        cpu0 = _cpu_seconds(proc.pid) if proc else 0.0
        try:
            summary = asyncio.run(run(url, args.students, duration, args.think, args.seed))
            if proc is not None:  # how busy the server was: its CPU time over the wall time of the run
                summary["server_cpu_seconds"] = round(_cpu_seconds(proc.pid) - cpu0, 1)
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=10)
    summary = {"students": args.students, "think_seconds": args.think, **summary,
               "load_average_1min_after": round(os.getloadavg()[0], 1)}
    print(f"{args.students} students, {summary['seconds']} s, think {args.think} s: {summary['requests']} requests "
          f"({summary['requests_per_second']}/s), {summary['errors']} errors; latency p50 {summary['p50_ms']} ms, "
          f"p95 {summary['p95_ms']} ms, p99 {summary['p99_ms']} ms, max {summary['max_ms']} ms"
          + (f"; server CPU {summary['server_cpu_seconds']} s" if "server_cpu_seconds" in summary else ""))
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
