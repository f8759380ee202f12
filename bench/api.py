"""Figures 4 and 5: the API under concurrent load against /healthz, and /train through HTTP against the engine."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from typing import Any

import numpy as np

from app.engine.training import train
from bench.core import ROOT, Row, interleaved, ratio_stat, stat
from bench.engine import xor_network
from bench.server import Server

CONCURRENCY = [1, 16, 64]
ENDPOINTS = {
    # what each client sends; every client has its own XOR network, as every student in a room would
    "healthz": ("GET", "/healthz", None),
    # bench/server.py's bare FastAPI route: /step's path and body parsed, a /step response's bytes, no use case
    "bare": ("POST", "/bench/bare/{id}", {"samples": "all"}),
    "forward": ("POST", "/api/networks/{id}/forward", {"sample": 0}),
    "step": ("POST", "/api/networks/{id}/step", {"samples": "all"}),
    "trace": ("POST", "/api/networks/{id}/trace", {"sample": 0}),
}


class LoadClient:
    """The separate client process; jobs go in on stdin and results come back on stdout."""

    def __init__(self) -> None:
        self.proc = self._start()
        self.pending = b""  # read from the client's stdout, not yet a whole line

    @staticmethod
    def _start() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "bench.loadclient"], cwd=ROOT, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, bufsize=0)

    def _answer(self, seconds: float) -> bytes | None:
        """The client's next line, read straight from the pipe, or None if it has not come within `seconds`."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + seconds
        while b"\n" not in self.pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise RuntimeError("the load client exited")
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        return line

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        """One job's result. A client that has not answered well after the job's time is replaced and the job run
        again: runs of this section have hung with the bench and its client each waiting on the other's pipe."""
        for attempt in range(3):
            assert self.proc.stdin is not None
            self.proc.stdin.write((json.dumps(job) + "\n").encode())
            line = self._answer(job["warmup"] + job["duration"] + 60)
            if line is not None:
                result: dict[str, Any] = json.loads(line)
                result["attempts"] = attempt + 1
                return result
            print(f"[bench] the load client did not answer a job; starting a new one (attempt {attempt + 2})",
                  file=sys.stderr)
            self.proc.kill()
            self.proc.wait()
            self.proc = self._start()
            self.pending = b""
        raise RuntimeError("the load client answered no job in three attempts")

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class _CpuWindow(threading.Thread):
    """The server's CPU from `warmup` to `warmup + duration` seconds after start: the load client's measured
    window, whose completions are the ones counted (the warm-up's requests are not)."""

    def __init__(self, srv: Server, warmup: float, duration: float) -> None:
        super().__init__(daemon=True)
        self.srv, self.warmup, self.duration, self.cpu = srv, warmup, duration, 0.0

    def run(self) -> None:
        time.sleep(self.warmup)
        c0 = self.srv.cpu_seconds()
        time.sleep(self.duration)
        self.cpu = self.srv.cpu_seconds() - c0


def _cpu_in_window(srv: Server, warmup: float, duration: float) -> _CpuWindow:
    window = _CpuWindow(srv, warmup, duration)
    window.start()
    return window


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def section_api(quick: bool) -> list[Row]:
    reps = 1 if quick else 3
    duration, warmup = (1.5, 0.3) if quick else (3.0, 0.5)
    runs: dict[tuple[str, int], list[dict[str, Any]]] = {}
    with Server(with_bare=True) as srv:
        ids = [srv.call("POST", "/api/networks", {"preset": "xor"})[1]["id"] for _ in range(max(CONCURRENCY))]
        client = LoadClient()
        try:
            for _ in range(reps):
                for conc in CONCURRENCY:
                    for name, (method, path, body) in ENDPOINTS.items():
                        job = {"port": srv.port, "concurrency": conc, "warmup": warmup, "duration": duration,
                               "requests": [[method, path.format(id=i), body] for i in ids[:conc]]}
                        c0 = srv.cpu_seconds()
                        window = _cpu_in_window(srv, warmup, duration)
                        result = client.run(job)
                        window.join()
                        # server CPU per request: what the endpoint costs, whatever else the machine is doing;
                        # only the measured window's CPU, as only its requests are counted
                        result["server_cpu_ms"] = 1e3 * window.cpu / max(1, result["completed"])
                        result["server_cpu_ms_whole_job"] = 1e3 * (srv.cpu_seconds() - c0) / max(1, result["completed"])
                        runs.setdefault((name, conc), []).append(result)
        finally:
            client.close()
    rows: list[Row] = []
    for conc in CONCURRENCY:
        base = runs[("healthz", conc)]
        for name in ENDPOINTS:
            rs = runs[(name, conc)]
            rps = stat([r["rps"] for r in rs])
            lat = [v * 1e3 for r in rs for v in r["latencies"]]
            errors = sum(r["errors"] for r in rs)
            p50, p99 = pct(lat, 50), pct(lat, 99)
            detail = {"rps": rps.values, "p50_ms": p50, "p99_ms": p99, "errors": errors,
                      "error_kinds": sorted({k for r in rs for k in r["error_kinds"]}),
                      "client_cpu_share": [r["client_cpu_share"] for r in rs],
                      "server_cpu_ms_per_request": [r["server_cpu_ms"] for r in rs],
                      # the figure before the window: the whole job's CPU (warm-up included) over the window's count
                      "server_cpu_ms_per_request_whole_job": [r["server_cpu_ms_whole_job"] for r in rs],
                      "mean_response_bytes": (sum(r["bytes"] for r in rs) / max(1, sum(r["completed"] for r in rs)))}
            cpu_ms = stat([r["server_cpu_ms"] for r in rs]).median
            label = (f"{name} ×{conc}: p50 {p50:.3g} ms, p99 {p99:.3g} ms, server CPU {cpu_ms:.2g} ms/req"
                     + (f", {errors} errors" if errors else ""))
            if name == "healthz":
                rows.append(Row("4", label, rps.median, "req/s", rps.spread, detail=detail))
                continue
            r = ratio_stat([x["rps"] for x in rs], [x["rps"] for x in base])
            target, met = "", None
            if name == "step" and conc == max(CONCURRENCY):
                target, met = "≥ 50% of healthz, 0 errors", r.median >= 0.5 and errors == 0
            elif errors:
                target, met = "0 errors", False
            rows.append(Row("4", label, rps.median, "req/s", rps.spread, r.median, "of healthz", target, met,
                            detail=detail))
    rows.append(_step_against_bare(runs, max(CONCURRENCY)))
    # what one process can serve: the server's CPU per /step, over every concurrency and repetition
    step_cpu = stat([r["server_cpu_ms"] for conc in CONCURRENCY for r in runs[("step", conc)]])
    step_whole = stat([r["server_cpu_ms_whole_job"] for conc in CONCURRENCY for r in runs[("step", conc)]])
    health_cpu = stat([r["server_cpu_ms"] for conc in CONCURRENCY for r in runs[("healthz", conc)]])
    rows.append(Row("4", f"step: server CPU per request, all concurrencies (healthz {health_cpu.median:.2g} ms)",
                    step_cpu.median, "ms", step_cpu.spread, target="≤ 1.0 ms", met=step_cpu.median <= 1.0,
                    note=f"whole job, warm-up included: {step_whole.median:.2f} ms",
                    detail={"step_ms": step_cpu.values, "healthz_ms": health_cpu.values,
                            "step_ms_whole_job": step_whole.values}))
    return rows


def _step_against_bare(runs: dict[tuple[str, int], list[dict[str, Any]]], conc: int) -> Row:
    """/step beside the bare route at `conc` clients, from the same run: p99s and throughputs."""
    step, bare = runs[("step", conc)], runs[("bare", conc)]
    p99 = {name: pct([v * 1e3 for r in rs for v in r["latencies"]], 99) for name, rs in (("step", step),
                                                                                         ("bare", bare))}
    rps = ratio_stat([r["rps"] for r in step], [r["rps"] for r in bare])
    over = p99["step"] / p99["bare"]
    return Row("4", f"step ×{conc} against the bare route: p99 {p99['step']:.3g} vs {p99['bare']:.3g} ms, "
                    f"throughput {rps.median:.2f} of the bare route's", over, "× bare p99", None,
               target="p99 ≤ 3× bare", met=over <= 3,
               detail={"step_p99_ms": p99["step"], "bare_p99_ms": p99["bare"], "rps_ratio": rps.values})


def section_train(quick: bool) -> list[Row]:
    """Figure 5: POST /train with 10,000 XOR iterations and snapshots every 1,000, against nn.train alone."""
    iterations, record_every = 10_000, 1_000
    reps = 3 if quick else 7
    net, x, t = xor_network()
    with Server() as srv:

        elapsed: list[float] = []
        server_cpu: list[float] = []

        runs = iter(range(1, 1_000))

        def http() -> None:
            # a fresh network per run so each run trains from the same starting weights; a new seed (unused in
            # batch mode) keeps the identical run from being answered by the server's cache
            net_id = srv.call("POST", "/api/networks", {"preset": "xor"})[1]["id"]
            c0, start = srv.cpu_seconds(), time.perf_counter()
            status, body = srv.call("POST", f"/api/networks/{net_id}/train",
                                    {"iterations": iterations, "mode": "batch", "record_every": record_every,
                                     "seed": next(runs)})
            elapsed.append(time.perf_counter() - start)
            server_cpu.append(srv.cpu_seconds() - c0)
            assert status == 200 and body["iteration"] == iterations, body

        def engine() -> None:
            train(net.copy(), x, t, iterations, "batch", record_every)

        res = interleaved({"http": http, "engine": engine}, reps=reps)
    http_times = elapsed[-reps:]
    r = ratio_stat(http_times, res["engine"].values)
    r_cpu = ratio_stat(server_cpu[-reps:], res["engine"].cpu)
    h = stat(http_times)
    return [
        Row("5", f"POST /train {iterations:,} XOR iterations, snapshots every {record_every:,}", h.median, "s",
            h.spread, r.median, "of engine time", "< 1.20×", r.median < 1.2,
            note=f"server CPU / engine CPU {r_cpu.median:.3g}×", detail={"cpu_ratio": r_cpu.median}),
        Row("5", f"nn.train {iterations:,} XOR iterations (engine alone)", res["engine"].median, "s",
            res["engine"].spread),
    ]
