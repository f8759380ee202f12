"""Training runs: many updates in batch or online mode, with the loss curve, output snapshots and divergence.

A run stops at the last iteration that network.healthy accepts (the same rule as one guarded step) and keeps
those weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.engine.compiled import compile_batch, train_batch_fast
from app.engine.functions import TRAIN_MODES
from app.engine.network import (
    Array,
    Network,
    SpecError,
    backward,
    dataset_loss,
    diverged_message,
    forward,
    healthy,
    step,
)


@dataclass
class TrainResult:
    """What a training run reports: the loss curve, output snapshots and whether it stopped on divergence."""

    iterations_done: int
    loss_history: list[tuple[int, float]]
    snapshots: list[tuple[int, Array]]
    diverged: bool = False
    message: str | None = None
    # with gradient_norms: at each recorded iteration, per layer l, ‖∂L/∂W^l‖_F and ‖δ^l‖_F before its update
    gradient_norms: list[dict[str, Any]] = field(default_factory=list)
    # with_weights: the parameters (weights, biases) at each snapshot, in the snapshots' order
    parameters: list[tuple[list[Array], list[Array]]] = field(default_factory=list)


def frobenius(a: Array) -> float:
    """‖a‖_F without overflow: scaled by the largest entry first."""
    top = float(np.abs(a).max()) if a.size else 0.0
    if top == 0.0 or not np.isfinite(top):
        return top if np.isfinite(top) else float(np.finfo(np.float64).max)
    return top * float(np.sqrt(np.square(a / top).sum()))


def gradient_norms(net: Network, x: Array, t: Array, iteration: int) -> dict[str, Any]:
    """Per layer, the Frobenius norms of ∂L/∂W^l and of δ^l over the whole data set, as /backward gives them."""
    with np.errstate(all="ignore"):
        grads = backward(net, forward(net, x), t, with_input_grad=False)
    return {"iteration": iteration, "layers": [
        {"l": k + 2, "grad_w": frobenius(gw), "delta": frobenius(d)}
        for k, (gw, d) in enumerate(zip(grads.grad_w, grads.delta, strict=True))
    ]}


def _train_online(net: Network, x: Array, t: Array, passes: int) -> None:
    """One step per sample, cycling through the data set in order; a pass over all samples is one iteration."""
    for _ in range(passes):
        for n in range(x.shape[0]):
            step(net, x[n : n + 1], t[n : n + 1])


def _train_minibatch(net: Network, x: Array, t: Array, epochs: int, first: int, batch_size: int, seed: int) -> None:
    """One step per mini-batch; an iteration is one epoch over the data set in a shuffled order.

    Epoch e's order comes from Generator([seed, e]) alone, so a run split over several calls shuffles exactly
    as one long run does.
    """
    n = x.shape[0]
    for epoch in range(first, first + epochs):
        order = np.random.default_rng([seed, epoch]).permutation(n)
        for at in range(0, n, batch_size):
            idx = order[at : at + batch_size]
            step(net, x[idx], t[idx])


@dataclass(frozen=True)
class Schedule:
    """How one iteration walks the data: the mode, and for mini-batches their size and the shuffle's seed."""

    mode: str = "batch"
    batch_size: int = 1
    seed: int = 0


def _advance(net: Network, x: Array, t: Array, count: int, schedule: Schedule, first: int) -> None:
    with np.errstate(all="ignore"):
        if schedule.mode == "batch":
            train_batch_fast(net, x, t, count)
        elif schedule.mode == "online":
            _train_online(net, x, t, count)
        else:
            _train_minibatch(net, x, t, count, first, schedule.batch_size, schedule.seed)


def train(
    net: Network, x: Array, t: Array, iterations: int, mode: str = "batch",
    record_every: int | None = None, loss_every: int | None = None, start: int = 0,
    batch_size: int | None = None, seed: int = 0, with_gradient_norms: bool = False, with_weights: bool = False,
) -> TrainResult:
    """Run `iterations` iterations, recording the loss every `loss_every` and the outputs every `record_every`.

    Divergence (a non-finite weight or loss) stops the run at the last finite iteration and keeps those weights.
    """
    if mode not in TRAIN_MODES:
        raise SpecError(("mode",), f"mode must be one of {', '.join(TRAIN_MODES)}")
    if mode == "minibatch" and not batch_size:
        raise SpecError(("batch_size",), "mode minibatch needs a batch_size of at least 1")
    schedule = Schedule(mode, batch_size or 1, seed)
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    record_every = record_every or iterations or 1
    loss_every = loss_every or max(1, iterations // 500)
    done = 0
    ok, loss = healthy(net, x, t)
    history: list[tuple[int, float]] = []
    snapshots: list[tuple[int, Array]] = []
    if not ok:
        return TrainResult(0, history, snapshots, True, diverged_message(net, start))
    norms: list[dict[str, Any]] = []
    parameters: list[tuple[list[Array], list[Array]]] = []

    def record(iteration: int) -> None:
        snapshots.append((iteration, forward(net, x).output.copy()))
        if with_weights:
            parameters.append(([w.copy() for w in net.weights], [b.copy() for b in net.biases]))
        if with_gradient_norms:
            norms.append(gradient_norms(net, x, t, iteration))

    history.append((start, loss))
    record(start)
    # compiled once for the whole run: it keeps its own copy of the parameters in step with net's between chunks
    runner = compile_batch(net, x, t) if mode == "batch" and iterations > 0 else None
    while done < iterations:
        to_loss = loss_every - done % loss_every
        to_record = record_every - done % record_every
        count = min(to_loss, to_record, iterations - done)
        # only the arrays are needed to roll back: cheaper than a validated Network copy
        backup = ([w.copy() for w in net.weights], [b.copy() for b in net.biases],
                  {key: v.copy() for key, v in net.optimizer_state.items()})
        if runner is not None:
            with np.errstate(all="ignore"):
                runner(count)
        else:
            _advance(net, x, t, count, schedule, start + done)
        ok, loss = healthy(net, x, t, runner.finite, runner.loss) if runner is not None else healthy(net, x, t)
        if not ok:
            # replay from the last healthy point one iteration at a time to stop exactly before the overflow
            net.weights, net.biases, net.optimizer_state = backup
            while done < iterations:
                trial = net.copy()
                _advance(trial, x, t, 1, schedule, start + done)
                if not healthy(trial, x, t)[0]:
                    break
                net.weights, net.biases, net.optimizer_state = trial.weights, trial.biases, trial.optimizer_state
                done += 1
            final_loss = dataset_loss(net, x, t)
            history.append((start + done, final_loss))
            record(start + done)
            return TrainResult(done, history, snapshots, True, diverged_message(net, start + done + 1), norms,
                               parameters)
        done += count
        if done % loss_every == 0 or done == iterations:
            history.append((start + done, loss))
        if done % record_every == 0 or done == iterations:
            record(start + done)
    return TrainResult(done, history, snapshots, gradient_norms=norms, parameters=parameters)
