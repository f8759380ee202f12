"""Timing helpers, result rows, machine information and the printed table shared by every bench section."""

from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

@dataclass
class Stat:
    """A median with its spread over repetitions (all values kept for the JSON)."""

    median: float
    p25: float
    p75: float
    lo: float
    hi: float
    n: int
    values: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  # this thread's CPU seconds per sample, where measured

    @property
    def spread(self) -> float:
        """Half the interquartile range relative to the median: the ± shown in the table."""
        return (self.p75 - self.p25) / 2 / self.median if self.median else 0.0


def stat(values: list[float]) -> Stat:
    vs = sorted(values)
    if len(vs) >= 2:
        q = statistics.quantiles(vs, n=4, method="inclusive")
        p25, p75 = q[0], q[2]
    else:
        p25 = p75 = vs[0]
    return Stat(statistics.median(vs), p25, p75, vs[0], vs[-1], len(vs), vs)


def time_call(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall and thread-CPU seconds of one call of fn, with the garbage collector held off during it.

    CPU time is kept beside wall time because other jobs on a shared machine stretch wall time but not CPU time.
    """
    gc_was = gc.isenabled()
    gc.disable()
    try:
        c0, t0 = time.thread_time(), time.perf_counter()
        fn()
        return time.perf_counter() - t0, time.thread_time() - c0
    finally:
        if gc_was:
            gc.enable()


def interleaved(fns: dict[str, Callable[[], Any]], reps: int, warmup: int = 1) -> dict[str, Stat]:
    """Times each fn `reps` times, alternating between them so machine drift hits every contender alike."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    samples: dict[str, list[float]] = {k: [] for k in fns}
    cpu: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(reps):
        for k, fn in fns.items():
            wall, used = time_call(fn)
            samples[k].append(wall)
            cpu[k].append(used)
    out = {k: stat(v) for k, v in samples.items()}
    for k in out:
        out[k].cpu = cpu[k]
    return out


def ratio_stat(num: list[float], den: list[float]) -> Stat:
    """Per-repetition ratios num[k]/den[k] of paired, interleaved samples: the comparison's own spread."""
    return stat([a / b for a, b in zip(num, den, strict=True) if b])


@dataclass
class Row:
    """One line of the table: a measured figure, optionally a same-run ratio and the target it must meet."""

    figure: str
    name: str
    value: float | None
    unit: str
    spread: float | None = None
    ratio: float | None = None
    ratio_label: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        if self.met is None:
            return "" if not self.target else "n/a"
        return "met" if self.met else "NOT MET"

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["status"] = self.status
        return out


def fmt_value(v: float | None, unit: str) -> str:
    if v is None:
        return "-"
    if unit in ("s", "ms", "µs"):
        if unit == "s" and v < 1:
            v, unit = v * 1000, "ms"
        if unit == "ms" and v < 1:
            v, unit = v * 1000, "µs"
    if abs(v) >= 1000:
        text = f"{v:,.0f}"
    elif abs(v) >= 100:
        text = f"{v:.0f}"
    elif abs(v) >= 10:
        text = f"{v:.1f}"
    else:
        text = f"{v:.3g}"
    return f"{text} {unit}".strip()


def table(rows: list[Row]) -> str:
    """The rows as one Markdown table, readable in a terminal and pasteable into BENCHMARKS.md."""
    head = ["#", "measurement", "median", "±", "ratio", "target", "status"]
    body = []
    for r in rows:
        ratio = "" if r.ratio is None else f"{r.ratio:.3g}× {r.ratio_label}".strip()
        spread = "" if r.spread is None else f"{100 * r.spread:.0f}%"
        name = r.name + (f" ({r.note})" if r.note else "")
        body.append([r.figure, name, fmt_value(r.value, r.unit), spread, ratio, r.target, r.status])
    widths = [max(len(str(c)) for c in col) for col in zip(head, *body, strict=True)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, body)])


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for text in fh:
                if text.startswith("model name"):
                    return text.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def blas_info() -> dict[str, Any]:
    """BLAS as numpy reports it (threadpoolctl adds the live thread counts when it is installed)."""
    import numpy as np

    info: dict[str, Any] = {}
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        info = {"name": blas.get("name"), "version": blas.get("version"),
                "config": blas.get("openblas configuration")}
    except Exception as err:  # older numpy prints instead of returning a dict
        info = {"error": str(err)}
    try:
        from threadpoolctl import threadpool_info

        info["threadpools"] = threadpool_info()
    except ImportError:
        pass
    return info


def machine_info() -> dict[str, Any]:
    import numpy as np

    info: dict[str, Any] = {
        "cpu": cpu_model(),
        "cores_logical": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "blas": blas_info(),
        "loadavg_1_5_15min": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    try:
        import torch

        info["torch"] = torch.__version__
    except ImportError:
        info["torch"] = None
    return info
