"""`python -m bench [--quick] [--only NAME ...]`: run the sections, print one table, write bench/results.json."""

from __future__ import annotations

import os

# numpy's BLAS gets one thread like PyTorch does, so the engine comparisons are thread for thread; set before import
_set = [v for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS") if v not in os.environ]
for _var in _set:
    os.environ[_var] = "1"
os.environ["DELTAFLOW_BENCH_SET_THREADS"] = ",".join(_set)  # bench/server.py keeps these out of the server

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

from bench.core import Row, machine_info, table  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results.json"


def sections() -> dict[str, Callable[[bool], list[Row]]]:
    from bench import api, engine, gate, limits, page, rooms, trace

    return {
        "xor": engine.section_xor,
        "mlp": engine.section_mlp,
        "trace": trace.section_trace,
        "api": api.section_api,
        "train": api.section_train,
        "limits": limits.section_limits,
        "gate": gate.section_gate,
        "page": page.section_page,
        "rooms": rooms.section_rooms,
    }


def main(argv: list[str] | None = None) -> int:
    all_sections = sections()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and shorter runs (about 2 minutes)")
    parser.add_argument("--only", nargs="+", choices=list(all_sections), metavar="NAME",
                        help=f"run only these sections: {', '.join(all_sections)}")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"where to write the JSON (default {RESULTS})")
    args = parser.parse_args(argv)
    chosen = args.only or list(all_sections)
    rows: list[Row] = []
    report: dict[str, dict[str, object]] = {}
    started = time.perf_counter()
    # other jobs on a shared machine stretch every figure: the load before and after goes into the JSON
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    for name in chosen:
        t0 = time.perf_counter()
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        try:
            got = all_sections[name](args.quick)
            report[name] = {"ok": True, "seconds": time.perf_counter() - t0, "rows": [r.as_json() for r in got]}
            rows.extend(got)
        except Exception as err:  # one broken section must not hide the others' figures
            why = f"{type(err).__name__}: {err}"
            print(f"[bench] {name} FAILED: {why}\n{traceback.format_exc()}", file=sys.stderr, flush=True)
            report[name] = {"ok": False, "seconds": time.perf_counter() - t0, "error": why}
            rows.append(Row(name, f"section {name} failed", None, "", note=why[:120]))
        print(f"[bench] {name} done in {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    text = table(rows)
    print(text)
    out = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "seconds": time.perf_counter() - started,
        "machine": machine_info(),
        "loadavg_before": load_before,
        "threads": {v: os.environ.get(v) for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")},
        "sections": report,
        "table": text,
    }
    args.out.write_text(json.dumps(out, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}", file=sys.stderr)
    return 0 if all(s["ok"] for s in report.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
