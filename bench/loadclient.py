"""The load generator, run as its own process: keep-alive HTTP/1.1 clients on asyncio, one JSON job per stdin line.

A job is {"port", "concurrency", "warmup", "duration", "requests": [[method, path, body-or-null], ...]}; client c
repeats requests[c % len(requests)]. It answers one JSON line: completions and latencies inside the measured window,
errors, and the CPU time this process used (to show whether the client, not the server, was the limit).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import sys
import time
from typing import Any


def build_request(method: str, path: str, body: Any, port: int) -> bytes:
    payload = b"" if body is None else json.dumps(body).encode()
    head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Accept: application/json",
            "Accept-Encoding: gzip"]
    if body is not None:
        head += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + payload


async def read_response(reader: asyncio.StreamReader) -> tuple[int, int]:
    """Reads one response; returns (status, body bytes)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, chunked = 0, False
    for h in lines[1:]:
        name, _, value = h.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if not chunked:
        await reader.readexactly(length)
        return status, length
    total = 0
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        await reader.readexactly(size + 2)
        total += size
        if size == 0:
            return status, total


async def run_job(job: dict[str, Any]) -> dict[str, Any]:
    port, conc = job["port"], job["concurrency"]
    reqs = [build_request(m, p, b, port) for m, p, b in job["requests"]]
    clock = time.perf_counter  # uvloop's loop.time() ticks in whole milliseconds
    t_start = clock() + job["warmup"]
    t_end = t_start + job["duration"]
    latencies: list[float] = []
    errors: list[str] = []
    bytes_in = 0

    async def client(c: int) -> None:
        nonlocal bytes_in
        req = reqs[c % len(reqs)]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while True:
                t0 = clock()
                if t0 >= t_end:
                    return
                writer.write(req)
                try:
                    status, size = await read_response(reader)
                except (asyncio.IncompleteReadError, ConnectionError) as err:
                    errors.append(f"{type(err).__name__}")
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                    continue
                t1 = clock()
                if t0 >= t_start and t1 <= t_end:
                    latencies.append(t1 - t0)
                    bytes_in += size
                if status != 200 and len(errors) < 1000:
                    errors.append(f"HTTP {status}")
        finally:
            writer.close()

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(client(c) for c in range(conc)))
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    return {"completed": len(latencies), "rps": len(latencies) / job["duration"], "latencies": latencies,
            "errors": len(errors), "error_kinds": sorted(set(errors))[:5], "bytes": bytes_in,
            "client_cpu_share": cpu / (job["warmup"] + job["duration"])}


def main() -> None:
    run: Any = asyncio.run
    try:
        import uvloop

        run = uvloop.run  # the same loop uvicorn uses, so the client is not the slower side
    except ImportError:
        pass
    # one job per line of stdin, one line of JSON per job on stdout, written straight to the pipe
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        result = run(run_job(json.loads(line)))
        out = (json.dumps(result) + "\n").encode()
        while out:
            out = out[os.write(sys.stdout.fileno(), out):]


if __name__ == "__main__":
    main()
