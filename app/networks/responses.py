"""Engine results as the JSON-able dictionaries the API returns (shapes declared in app/schemas)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from app.engine import network as nn
from app.networks.compute import Overflow
from app.networks.model import NetworkModel
from app.networks.selection import Selection
from app.networks.train_cache import TrainRun


def sample_result(net: nn.Network, cache: nn.Cache, grads: nn.Gradients | None, losses: np.ndarray | None,
                  t: np.ndarray | None, n: int, with_param_grads: bool) -> dict[str, Any]:
    """One sample's layers: z, a, and with gradients δ, ∂L/∂a, ∂L/∂w, ∂L/∂b (arrays already checked finite)."""
    # every field is always sent: null where this request computed no such value (z of the inputs, say)
    layers: list[dict[str, Any]] = [{"l": 1, "z": None, "a": cache.a[0][n].tolist(), "delta": None,
                                     "grad_a": None if grads is None else grads.grad_a[0][n].tolist(),
                                     "grad_w": None, "grad_b": None}]
    for l in range(2, net.depth + 1):
        k = l - 2
        param_grads = grads if with_param_grads else None
        layers.append({
            "l": l, "z": cache.z[k][n].tolist(), "a": cache.a[l - 1][n].tolist(),
            "delta": None if grads is None else grads.delta[k][n].tolist(),
            "grad_a": None if grads is None else grads.grad_a[l - 1][n].tolist(),
            "grad_w": None if param_grads is None else param_grads.grad_w[k].tolist(),
            "grad_b": None if param_grads is None else param_grads.grad_b[k].tolist(),
        })
    return {"layers": layers, "output": cache.a[-1][n].tolist(),
            "target": None if t is None else t[n].tolist(), "loss": None if losses is None else float(losses[n])}


def describe(net: nn.Network, sel: Selection, cache: nn.Cache, grads: nn.Gradients | None) -> dict[str, Any]:
    """The forward/backward response for a selection whose pass has been checked finite."""
    losses = None
    if sel.t is not None:
        losses = grads.losses if grads is not None else nn.sample_losses(net, cache, sel.t)
    if not sel.batch:
        return sample_result(net, cache, grads, losses, sel.t, 0, True)
    per_sample = [sample_result(net, cache, grads, losses, sel.t, n, False) for n in range(len(sel.x))]
    loss = None
    if losses is not None:
        loss = nn.reduce_losses(net, losses)
        if not math.isfinite(loss):
            raise Overflow("the loss")
    out: dict[str, Any] = {"samples": sel.indices, "per_sample": per_sample, "outputs": cache.output.tolist(),
                           "loss": loss, "gradients": None}
    if grads is not None:
        out["gradients"] = [{"l": k + 2, "grad_w": gw.tolist(), "grad_b": gb.tolist()}
                            for k, (gw, gb) in enumerate(zip(grads.grad_w, grads.grad_b, strict=True))]
    return out


def step_result(model: NetworkModel, before: dict[str, Any], loss_after: float | None) -> dict[str, Any]:
    """What a step computed before its update, and the parameters and status after it."""
    return {"backward": before, "weights": model.weights, "biases": model.biases, "iteration": model.iteration,
            "loss_after": loss_after, "diverged": model.diverged, "message": model.message}


def train_result(model: NetworkModel, run: TrainRun, with_norms: bool = False) -> dict[str, Any]:
    """The loss curve and output snapshots of a run, and the parameters and status it ended with."""
    out = {
        "iteration": model.iteration, "loss_history": run.loss_history, "snapshots": run.snapshots,
        "weights": model.weights, "biases": model.biases, "diverged": model.diverged, "message": model.message,
        "gradient_norms": run.gradient_norms if with_norms else None,
    }
    return out


def trace_result(model: NetworkModel, sel: Selection, events: list[dict[str, Any]], loss: float) -> dict[str, Any]:
    assert sel.t is not None
    return {"layers": model.layers, "input": sel.x[0].tolist(), "target": sel.t[0].tolist(), "loss": loss,
            "events": events}
