"""Central finite differences for every weight and bias: the independent check of backpropagation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.engine.network import Network, backward, dataset_loss, forward

H = 1e-6  # the central difference's step


@dataclass
class GradCheck:
    """The worst disagreement between backprop and finite differences over all parameters."""

    max_abs_error: float
    max_rel_error: float
    ok: bool
    h: float = 1e-6
    # per weight and bias: backprop's value, the central difference, L(θ ± h) and the relative error
    parameters: list[dict[str, Any]] = field(default_factory=list)


def _losses_around(net: Network, x: np.ndarray, t: np.ndarray, h: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """For each parameter θ, one at a time, L(θ + h) and L(θ − h) stacked on a last axis of 2."""
    out: tuple[list[np.ndarray], list[np.ndarray]] = ([], [])
    for params, target in ((net.weights, out[0]), (net.biases, out[1])):
        for p in params:
            both = np.zeros((*p.shape, 2))
            flat, bflat = p.reshape(-1), both.reshape(-1, 2)
            for n in range(flat.size):
                keep = flat[n]
                flat[n] = keep + h
                bflat[n, 0] = dataset_loss(net, x, t)
                flat[n] = keep - h
                bflat[n, 1] = dataset_loss(net, x, t)
                flat[n] = keep
            target.append(both)
    return out


def numeric_gradients(net: Network, x: np.ndarray, t: np.ndarray,
                      h: float = H) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(L(θ + h) − L(θ − h)) / 2h for each parameter θ, one at a time."""
    around_w, around_b = _losses_around(net, x, t, h)
    return _quotients(around_w, h), _quotients(around_b, h)


def _quotients(around: list[np.ndarray], h: float) -> list[np.ndarray]:
    """(L(θ + h) − L(θ − h)) / 2h from the stacked losses of `_losses_around`."""
    return [(a[..., 0] - a[..., 1]) / (2 * h) for a in around]


def _rel(a: np.ndarray, n: np.ndarray) -> np.ndarray:
    """|a − n| / max(|a| + |n|, 1e-8); an overflow here shows as a non-finite error, which gradcheck reports."""
    with np.errstate(all="ignore"):
        return np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), 1e-8)


def gradcheck(net: Network, x: np.ndarray, t: np.ndarray, tolerance: float = 1e-5, h: float = H) -> GradCheck:
    """Compare backprop with finite differences.

    The relative error |a−n| / max(|a|+|n|, 1e-8) must stay under `tolerance`.
    """
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    with np.errstate(all="ignore"):
        grads = backward(net, forward(net, x), t, with_input_grad=False)
        around_w, around_b = _losses_around(net, x, t, h)
    num_w, num_b = _quotients(around_w, h), _quotients(around_b, h)
    analytic = np.concatenate([g.ravel() for g in grads.grad_w + grads.grad_b])
    numeric = np.concatenate([g.ravel() for g in num_w + num_b])
    diff = np.abs(analytic - numeric)
    rel = _rel(analytic, numeric)
    max_abs = float(diff.max()) if diff.size else 0.0
    max_rel = float(rel.max()) if rel.size else 0.0
    finite = bool(np.isfinite(diff).all())
    details: list[dict[str, Any]] = []
    if finite:
        # rows of `analytic`, `numeric` and `rel`: every weight layer by layer, then every bias
        around = np.concatenate([a.reshape(-1, 2) for a in around_w + around_b])

        def detail(l: int, j: int, i: int | None, n: int) -> dict[str, Any]:
            return {"l": l, "j": j, "i": i, "backprop": float(analytic[n]), "numeric": float(numeric[n]),
                    "loss_plus": float(around[n, 0]), "loss_minus": float(around[n, 1]), "rel_error": float(rel[n])}

        w_at = np.cumsum([0] + [g.size for g in grads.grad_w]).tolist()
        b_at = (w_at[-1] + np.cumsum([0] + [g.size for g in grads.grad_b])).tolist()
        for k, gw in enumerate(grads.grad_w):
            details += [detail(k + 2, j + 1, i + 1, w_at[k] + j * gw.shape[1] + i) for (j, i), _ in np.ndenumerate(gw)]
            details += [detail(k + 2, j + 1, None, b_at[k] + j) for j in range(grads.grad_b[k].size)]
    return GradCheck(
        max_abs if finite else 0.0, max_rel if finite else 0.0, finite and (max_rel < tolerance or max_abs < 1e-7),
        h, details,
    )

