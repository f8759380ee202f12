"""The limits section: the largest request of each kind that the limits accept, timed on a real server against
the 10 s promise of docs/limits.md, with the server's peak memory. tests/reliability/test_limits.py sends the same
requests and checks only that each is answered."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from app.config import Settings
from app.engine.trace import event_count
from app.errors import ApiError
from app.networks import limits
from bench.core import Row
from bench.server import Server

ACCEPT_SECONDS = 10.0  # docs/limits.md: the slowest accepted request finishes within this on 2 busy cores
# (label, method, path, body) -> the decoded JSON of a 200 or 201 answer
Call = Callable[[str, str, str, Any], Any]


def _rows(state: dict[str, Any]) -> int:
    return len(state["dataset"]["inputs"]) if state.get("dataset") else 0


def _largest_gradcheck(shape: Callable[[int], list[int]], s: Settings) -> list[int]:
    """The widest network of this shape whose one-sample gradient check is accepted."""
    best = [1, 1]
    for h in range(1, s.max_nodes + 1):
        try:
            limits.check_gradcheck(shape(h), 1, s)
        except ApiError:
            break
        best = shape(h)
    return best


def dataset(n_in: int, n_out: int, rows: int) -> dict[str, Any]:
    return {"inputs": [[(r // 2) % 2] * n_in for r in range(rows)], "targets": [[r % 2] * n_out for r in range(rows)]}


def worst_accepted(call: Call, s: Settings) -> None:
    """Send, through `call`, the largest accepted request of each kind, in the order a lesson might meet them."""
    # the most parameters a network may have, in two shapes: wide and shallow, narrow and deep
    wide = [256, 256, 132]
    deep = [1] + [105] * 8 + [1]
    assert limits.parameter_count(wide) <= s.max_parameters and limits.parameter_count(deep) <= s.max_parameters
    w = call(f"create {wide} ({limits.parameter_count(wide)} parameters)", "POST", "/api/networks",
             {"layers": wide, "init": {"scheme": "xavier"}})["id"]
    call("read it", "GET", f"/api/networks/{w}", None)
    call("step it on one sample", "POST", f"/api/networks/{w}/step", {"input": [0.5] * 256, "target": [0.5] * 132})
    d = call(f"create {deep[:3]}...x8 ({limits.parameter_count(deep)} parameters)", "POST", "/api/networks",
             {"layers": deep, "init": {"scheme": "xavier"}})["id"]
    rows = s.max_samples  # 1 input and 1 output each: the largest data set a 1 MB body carries
    call(f"PATCH a {rows}-sample data set", "PATCH", f"/api/networks/{d}", {"dataset": dataset(1, 1, rows)})
    fit = s.max_response_values // (4 * sum(deep))
    call(f"step on {fit} samples with per-sample details", "POST", f"/api/networks/{d}/step",
         {"samples": list(range(fit))})
    call(f"predict {s.max_predict_rows} rows", "POST", f"/api/networks/{d}/predict",
         {"inputs": [[0.5]] * s.max_predict_rows})
    shapes: list[Callable[[int], list[int]]] = [lambda h: [1] + [h] * 8 + [1], lambda h: [2, h, 1],
                                                lambda h: [h, h, 1]]
    for shape in shapes:
        layers = _largest_gradcheck(shape, s)
        g = call(f"create {layers} for gradcheck", "POST", "/api/networks",
                 {"layers": layers, "dataset": dataset(layers[0], 1, 1)})["id"]
        call(f"gradcheck {layers} ({limits.parameter_count(layers)} parameters)", "POST",
             f"/api/networks/{g}/gradcheck", {"sample": 0})

    # trace: the largest network whose trace stays within max_trace_events
    tl = max(([2, h, h, 1] for h in range(1, s.max_nodes + 1) if event_count([2, h, h, 1]) <= s.max_trace_events),
             key=lambda ls: ls[1])
    t = call(f"create {tl} for trace", "POST", "/api/networks", {"layers": tl})["id"]
    call("trace it", "POST", f"/api/networks/{t}/trace", {"input": [0.5, 0.5], "target": [1]})

    # train at the edge of the work budget, for the shapes where each part of the cost model dominates
    for layers, n, mode, record_every in [
        ([1] * 10, 1, "batch", None),  # numpy's per-call overhead
        ([1] * 10, 1, "batch", 1),  # a snapshot of every iteration
        ([2, 2, 1], 4, "online", None),  # per-sample steps
        ([1] * 10, 100, "online", None),
        ([1, 64, 64, 1], 10_000, "batch", None),
        ([8, 105, 105, 105, 105, 105, 105, 105, 105, 1], 2_000, "batch", None),  # multiply-adds
        ([256, 256, 132], 20, "batch", None),
    ]:
        net = call(f"create {layers}", "POST", "/api/networks",
                   {"layers": layers, "dataset": dataset(layers[0], layers[-1], n)})
        iterations = limits.largest_iterations(net["layers"], _rows(net), s.max_iterations, mode, record_every,
                                               None, s)
        assert iterations >= 1
        call(f"train {layers} on {n} samples, {mode}, {iterations} iterations"
             + (f", record_every {record_every}" if record_every else ""),
             "POST", f"/api/networks/{net['id']}/train",
             {"iterations": iterations, "mode": mode, **({"record_every": record_every} if record_every else {})})


def section_limits(quick: bool) -> list[Row]:
    """Each worst accepted request once (they are seconds each; `quick` changes nothing)."""
    rows: list[Row] = []
    with Server() as srv:

        def timed(label: str, method: str, path: str, body: Any) -> Any:
            start = time.perf_counter()
            status, answer = srv.call(method, path, body)
            elapsed = time.perf_counter() - start
            assert status in (200, 201), (label, status)
            rows.append(Row("limits", label, elapsed, "s", target=f"< {ACCEPT_SECONDS:g} s",
                            met=elapsed < ACCEPT_SECONDS,
                            detail={"server_peak_rss_mb": round(srv.peak_rss_bytes() / 1e6)}))
            return answer

        worst_accepted(timed, Settings())
        peak = srv.peak_rss_bytes() / 1e6
    slowest = max(rows, key=lambda r: r.value or 0.0)
    rows.append(Row("limits", f"slowest worst accepted request ({slowest.name})", slowest.value, "s",
                    target=f"< {ACCEPT_SECONDS:g} s", met=(slowest.value or 0.0) < ACCEPT_SECONDS,
                    note=f"server peak RSS {peak:.0f} MB"))
    return rows
