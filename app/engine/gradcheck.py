"""Central finite differences for every weight and bias: the independent check of backpropagation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.engine.network import Network, backward, dataset_loss, forward


@dataclass
class GradCheck:
    """The worst disagreement between backprop and finite differences over all parameters."""

    max_abs_error: float
    max_rel_error: float
    ok: bool


def numeric_gradients(net: Network, x: np.ndarray, t: np.ndarray, h: float = 1e-6) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(L(θ + h) − L(θ − h)) / 2h for each parameter θ, one at a time."""
    out_w: list[np.ndarray] = []
    out_b: list[np.ndarray] = []
    for params, out in ((net.weights, out_w), (net.biases, out_b)):
        for p in params:
            g = np.zeros_like(p)
            flat, gflat = p.reshape(-1), g.reshape(-1)
            for n in range(flat.size):
                keep = flat[n]
                flat[n] = keep + h
                up = dataset_loss(net, x, t)
                flat[n] = keep - h
                down = dataset_loss(net, x, t)
                flat[n] = keep
                gflat[n] = (up - down) / (2 * h)
            out.append(g)
    return out_w, out_b


def gradcheck(net: Network, x: np.ndarray, t: np.ndarray, tolerance: float = 1e-5) -> GradCheck:
    """Compare backprop with finite differences; relative error |a−n| / max(|a|+|n|, 1e-8) must stay under `tolerance`."""
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    with np.errstate(all="ignore"):
        grads = backward(net, forward(net, x), t, with_input_grad=False)
        num_w, num_b = numeric_gradients(net, x, t)
    analytic = np.concatenate([g.ravel() for g in grads.grad_w + grads.grad_b])
    numeric = np.concatenate([g.ravel() for g in num_w + num_b])
    diff = np.abs(analytic - numeric)
    rel = diff / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-8)
    max_abs = float(diff.max()) if diff.size else 0.0
    max_rel = float(rel.max()) if rel.size else 0.0
    finite = bool(np.isfinite(diff).all())
    return GradCheck(
        max_abs if finite else 0.0, max_rel if finite else 0.0, finite and (max_rel < tolerance or max_abs < 1e-7)
    )
