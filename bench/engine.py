"""Figures 1 and 2: the engine's SGD step and training loop (XOR also over HTTP) against PyTorch eager on one thread."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import numpy as np

from app.engine import network as nn
from app.engine.compiled import train_batch_fast
from app.engine.presets import PRESETS
from app.engine.training import train
from bench.core import Row, interleaved, ratio_stat, stat
from bench.server import Server

XOR_ITERATIONS = 10_000


def torch_or_none() -> Any:
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def xor_network() -> tuple[nn.Network, np.ndarray, np.ndarray]:
    p = PRESETS["xor"]
    init = p["init"]
    w, b = nn.initial_parameters(p["layers"], init["scheme"], init["scale"], init["seed"])
    acts = [p["activations"]] * (len(p["layers"]) - 1)
    net = nn.Network(list(p["layers"]), acts, w, b, p["loss"], p["reduction"], p["learning_rate"], p["train_biases"])
    data = p["dataset"]
    return net, np.asarray(data["inputs"], dtype=np.float64), np.asarray(data["targets"], dtype=np.float64)


def torch_model(torch: Any, net: nn.Network, hidden: str, out: str) -> Any:
    """The same layers and starting weights as `net`, in float64."""
    mods: list[Any] = []
    for k, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        lin = torch.nn.Linear(w.shape[1], w.shape[0]).double()
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b))
        mods.append(lin)
        act = out if k == len(net.weights) - 1 else hidden
        if act == "sigmoid":
            mods.append(torch.nn.Sigmoid())
        elif act == "relu":
            mods.append(torch.nn.ReLU())
    return torch.nn.Sequential(*mods)


def post_train(srv: Server, network_id: str, body: dict[str, Any]) -> tuple[float, str, dict[str, Any]]:
    """One POST /train: its wall seconds, its X-Cache header and its body."""
    req = urllib.request.Request(f"{srv.url}/api/networks/{network_id}/train", data=json.dumps(body).encode(),
                                 method="POST", headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(req, timeout=120) as r:
        answer = json.loads(r.read())
        return time.perf_counter() - start, r.headers["X-Cache"], answer


def section_xor(quick: bool) -> list[Row]:
    """Figure 1: XOR 2-2-1, full batch, mse with the lecture's sum and ½; the run over HTTP against PyTorch eager."""
    net, x, t = xor_network()
    iters = 2_000 if quick else XOR_ITERATIONS
    block = 200  # steps per timed sample for the single-step figures
    rows: list[Row] = []
    http: dict[str, list[float]] = {"miss": [], "hit": [], "cpu": []}
    runs = iter(range(1, 1_000))

    def ours_loop() -> float:
        n = net.copy()
        return train(n, x, t, iters).loss_history[-1][1]

    def ours_step_block() -> None:
        n = net.copy()
        for _ in range(block):
            nn.step(n, x, t)

    def ours_hot_block() -> None:
        train_batch_fast(net.copy(), x, t, block * 5)

    def ours_http() -> None:
        # a fresh lecture network per run; the seed (unused in batch mode) makes each run a cache miss
        body = {"iterations": iters, "mode": "batch", "seed": next(runs)}
        fresh, twin = (srv.call("POST", "/api/networks", {"preset": "xor"})[1]["id"] for _ in range(2))
        c0 = srv.cpu_seconds()
        took, cache, answer = post_train(srv, fresh, body)
        http["cpu"].append(srv.cpu_seconds() - c0)
        assert cache == "miss" and answer["iteration"] == iters, (cache, answer["iteration"])
        again, cache, same = post_train(srv, twin, body)
        assert cache == "hit" and same == answer, cache
        http["miss"].append(took)
        http["hit"].append(again)

    torch = torch_or_none()
    fns = {"loop": ours_loop, "step": ours_step_block, "hot": ours_hot_block, "http": ours_http}
    if torch is not None:
        xt, tt = torch.from_numpy(x), torch.from_numpy(t)

        def torch_setup() -> tuple[Any, Any]:
            model = torch_model(torch, net, "sigmoid", "sigmoid")
            return model, torch.optim.SGD(model.parameters(), lr=net.learning_rate)

        def torch_steps(model: Any, opt: Any, count: int, loss_every: int) -> float:
            last = 0.0
            for s in range(count):
                opt.zero_grad(set_to_none=True)
                loss = 0.5 * ((model(xt) - tt) ** 2).sum()
                loss.backward()
                opt.step()
                if s % loss_every == 0:
                    last = loss.item()  # the engine's train() records the loss as often
            return last

        def torch_loop() -> None:
            model, opt = torch_setup()
            torch_steps(model, opt, iters, max(1, iters // 500))

        def torch_step_block() -> None:
            model, opt = torch_setup()
            torch_steps(model, opt, block, block + 1)

        fns |= {"torch_loop": torch_loop, "torch_step": torch_step_block}
    reps = 3 if quick else 7
    with Server() as srv:
        res = interleaved(fns, reps=reps)
    step_us = stat([v / block * 1e6 for v in res["step"].values])
    hot_us = stat([v / (5 * block) * 1e6 for v in res["hot"].values])
    loop = res["loop"]
    miss, hit = stat(http["miss"][-reps:]), stat(http["hit"][-reps:])
    rows.append(Row("1", "XOR 2-2-1 nn.step() per call", step_us.median, "µs", step_us.spread))
    rows.append(Row("1", "XOR 2-2-1 train loop, per step", hot_us.median, "µs", hot_us.spread,
                    note="train_batch_fast"))
    rows.append(Row("1", f"XOR {iters:,} iterations train() in process", loop.median, "s", loop.spread))
    rows.append(Row("1", f"XOR {iters:,} iterations POST /train, cache hit", hit.median, "s", hit.spread,
                    note="the same run requested again"))
    detail = {"engine_final_loss": ours_loop(), "server_cpu_s": http["cpu"][-reps:]}
    name = f"XOR {iters:,} iterations POST /train over HTTP, cache miss"
    if torch is None:
        rows.append(Row("1", name, miss.median, "s", miss.spread, target="≥ 10× torch",
                        note="torch not installed: comparison skipped", detail=detail))
        return rows
    tl = res["torch_loop"]
    ts = res["torch_step"]
    model, opt = torch_setup()
    detail["torch_final_loss"] = torch_steps(model, opt, iters, max(1, iters // 500))
    torch_step_us = stat([v / block * 1e6 for v in ts.values])
    rows.append(Row("1", "XOR 2-2-1 torch step", torch_step_us.median, "µs", torch_step_us.spread))
    r_step = ratio_stat(ts.values, res["step"].values)
    rows.append(Row("1", "XOR nn.step() vs torch step", None, "", r_step.spread, r_step.median, "faster",
                    note="informational"))
    r_http = ratio_stat(tl.values, http["miss"][-reps:])
    # the server's CPU for the request against the torch loop's own CPU: other jobs on the machine stretch neither
    r_cpu = ratio_stat(tl.cpu, http["cpu"][-reps:])
    detail["cpu_time_ratio"] = r_cpu.median
    rows.append(Row("1", name, miss.median, "s", miss.spread, r_http.median, "faster than torch", "≥ 10×",
                    r_http.median >= 10, note=f"server CPU-time ratio {r_cpu.median:.3g}×", detail=detail))
    rows.append(Row("1", f"XOR {iters:,} iterations torch", tl.median, "s", tl.spread))
    return rows


def section_mlp(quick: bool) -> list[Row]:
    """Figure 2: 784-128-64-10, batch 256, ReLU hidden layers, softmax output and mean cross-entropy."""
    layers = [784, 128, 64, 10]
    rng = np.random.default_rng(0)
    w, b = nn.initial_parameters(layers, "he", 1.0, 0)
    net = nn.Network(layers, ["relu", "relu", "softmax"], w, b, "cross_entropy", "mean", 0.05)
    x = rng.normal(size=(256, 784))
    labels = rng.integers(0, 10, size=256)
    t = np.eye(10)[labels]
    steps = 5 if quick else 10

    def ours() -> None:
        train_batch_fast(net.copy(), x, t, steps)

    def ours_step() -> None:
        n = net.copy()
        for _ in range(steps):
            nn.step(n, x, t)

    fns = {"ours": ours, "step": ours_step}
    torch = torch_or_none()
    if torch is not None:
        xt, lt = torch.from_numpy(x), torch.from_numpy(labels)

        def theirs() -> None:
            model = torch_model(torch, net, "relu", "none")
            opt = torch.optim.SGD(model.parameters(), lr=net.learning_rate)
            lossf = torch.nn.CrossEntropyLoss()
            for _ in range(steps):
                opt.zero_grad(set_to_none=True)
                lossf(model(xt), lt).backward()
                opt.step()

        fns["torch"] = theirs
    res = interleaved(fns, reps=5 if quick else 9)
    per = stat([v / steps * 1e3 for v in res["ours"].values])
    per_step = stat([v / steps * 1e3 for v in res["step"].values])
    rows = [Row("2", "784-128-64-10 b256 nn.step() per call", per_step.median, "ms", per_step.spread,
                note="also ∂L/∂x and every δ")]
    if torch is None:
        rows.append(Row("2", "784-128-64-10 b256 train step", per.median, "ms", per.spread, target="≤ 1.25× torch",
                        note="torch not installed: comparison skipped"))
        return rows
    r = ratio_stat(res["ours"].values, res["torch"].values)
    r_cpu = ratio_stat(res["ours"].cpu, res["torch"].cpu)
    tp = stat([v / steps * 1e3 for v in res["torch"].values])
    rows.append(Row("2", "784-128-64-10 b256 train step", per.median, "ms", per.spread, r.median, "of torch time",
                    "≤ 1.25×", r.median <= 1.25, note=f"CPU-time ratio {r_cpu.median:.3g}×",
                    detail={"cpu_time_ratio": r_cpu.median}))
    rows.append(Row("2", "784-128-64-10 b256 torch step", tp.median, "ms", tp.spread))
    return rows
