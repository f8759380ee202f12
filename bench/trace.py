"""Figure 3: time and JSON size of one sample's full trace as networks grow from 2-2-1 to 8 layers of 64 nodes."""

from __future__ import annotations

import math
import time
import zlib
from typing import Any

import numpy as np

from app.engine import network as nn
from app.engine.trace import trace
from app.routes.networks import FastJSON
from bench.core import Row, stat

SIZES = [
    [2, 2, 1],
    [2, 4, 4, 1],
    [2, 8, 8, 1],
    [2, 16, 16, 1],
    [8, 32, 32, 32, 8],
    [16, 64, 64, 64, 64, 16],
    [64] * 8,
]


def encode(payload: dict[str, Any]) -> bytes:
    """The bytes the /trace route sends (its FastJSON response class)."""
    return bytes(FastJSON(payload).body)


def build(layers: list[int]) -> tuple[nn.Network, np.ndarray, np.ndarray]:
    w, b = nn.initial_parameters(layers, "xavier", 1.0, 0)
    net = nn.Network(layers, ["tanh"] * (len(layers) - 2) + ["sigmoid"], w, b)
    rng = np.random.default_rng(1)
    return net, rng.uniform(-1, 1, layers[0]), rng.uniform(0, 1, layers[-1]).round()


def fit_exponent(xs: list[float], ys: list[float]) -> float:
    """Slope of log y against log x by least squares: y ∝ x^slope."""
    lx, ly = [math.log(v) for v in xs], [math.log(v) for v in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (c - my) for a, c in zip(lx, ly, strict=True)) / sum((a - mx) ** 2 for a in lx)


def section_trace(quick: bool) -> list[Row]:
    rows: list[Row] = []
    weights: list[float] = []
    times: list[float] = []
    totals: list[float] = []
    budget = 1.0 if quick else 3.0  # seconds per size
    for layers in SIZES:
        net, x, t = build(layers)
        n_w = sum(w.size for w in net.weights)
        trace(net, x, t)  # warm-up
        t_trace: list[float] = []
        t_json: list[float] = []
        size = gz = 0
        deadline = time.perf_counter() + budget
        while len(t_trace) < 5 or (time.perf_counter() < deadline and len(t_trace) < 200):
            t0 = time.perf_counter()
            events, loss = trace(net, x, t)
            t1 = time.perf_counter()
            body = encode({"layers": layers, "input": x.tolist(), "target": t.tolist(), "loss": loss, "events": events})
            t_json.append(time.perf_counter() - t1)
            t_trace.append(t1 - t0)
            size = len(body)
        gz = len(zlib.compress(body, 9))
        st, sj = stat([v * 1e3 for v in t_trace]), stat([v * 1e3 for v in t_json])
        total = stat([(a + b) * 1e3 for a, b in zip(t_trace, t_json, strict=True)])
        weights.append(n_w)
        times.append(st.median)
        totals.append(total.median)
        name = "-".join(map(str, layers)) if len(set(layers)) > 1 else f"{len(layers)}×{layers[0]}"
        detail = {"weights": n_w, "events": len(events), "json_bytes": size, "gzip_bytes": gz,
                  "trace_ms": st.median, "json_ms": sj.median, "reps": st.n}
        target, met = "", None
        if layers == [2, 16, 16, 1]:
            # the target read two ways: building the trace, and building it plus encoding the response
            rows.append(Row("3", f"trace() alone, {name}", st.median, "ms", st.spread, target="< 5 ms",
                            met=st.median < 5.0))
            target, met = "< 5 ms (strict)", total.median < 5.0
        rows.append(Row("3", f"trace+JSON {name} ({n_w} w, {len(events)} ev, {size / 1024:,.0f} KiB json, "
                             f"{gz / 1024:,.0f} KiB gz)", total.median, "ms", total.spread, target=target, met=met,
                        note=f"trace {st.median:.3g} + json {sj.median:.3g} ms", detail=detail))
    k = fit_exponent(weights, totals)
    k_big = fit_exponent(weights[3:], totals[3:])
    rows.append(Row("3", "trace+json time ∝ weights^k, all sizes", k, "", target="k ≤ 1.1", met=k <= 1.1,
                    detail={"exponent_from_2-16-16-1_up": k_big, "exponent_trace_only": fit_exponent(weights, times)}))
    rows.append(Row("3", "same fit from 2-16-16-1 up (no fixed overhead)", k_big, "", target="k ≤ 1.1",
                    met=k_big <= 1.1))
    return rows
