"""Activations and losses, each a value and its derivative, looked up by name.

Everything works on 2-D arrays of shape (samples, nodes); nothing here knows about layers or HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


def _sigmoid(z: Array) -> Array:
    # tanh form: no overflow warning for large |z| and accurate to the last bit near 0
    return 0.5 * np.tanh(0.5 * z) + 0.5


def _softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Activation:
    """An activation a = f(z) with its derivative; `vjp` turns ∂L/∂a into δ = ∂L/∂z."""

    name: str
    f: Callable[[Array], Array]
    # d a / d z elementwise, from z and a (None for softmax, whose Jacobian is not diagonal)
    df: Callable[[Array, Array], Array] | None
    symbol: str  # the function's name in formulas, e.g. \sigma
    output_only: bool = False

    def vjp(self, z: Array, a: Array, grad_a: Array) -> Array:
        """δ = ∂L/∂z from ∂L/∂a (elementwise, or the softmax Jacobian product)."""
        if self.df is not None:
            return self.df(z, a) * grad_a
        # softmax: ∂a_k/∂z_j = a_k (1[k=j] - a_j), so δ_j = a_j (g_j - Σ_k a_k g_k)
        return a * (grad_a - (a * grad_a).sum(axis=1, keepdims=True))


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", _sigmoid, lambda z, a: a * (1.0 - a), r"\sigma"),
    "tanh": Activation("tanh", np.tanh, lambda z, a: 1.0 - a * a, r"\tanh"),
    "relu": Activation(
        "relu",
        lambda z: np.maximum(z, 0.0),
        # ReLU's derivative at 0 is taken as 0
        lambda z, a: (z > 0).astype(z.dtype),
        r"\mathrm{ReLU}",
    ),
    "leaky_relu": Activation(
        "leaky_relu",
        lambda z: np.where(z > 0, z, 0.01 * z),
        lambda z, a: np.where(z > 0, 1.0, 0.01),
        r"\mathrm{LReLU}",
    ),
    "linear": Activation("linear", lambda z: z.copy(), lambda z, a: np.ones_like(z), r"\mathrm{id}"),
    "softmax": Activation("softmax", _softmax, None, r"\mathrm{softmax}", output_only=True),
}


def _softplus(x: Array) -> Array:
    return np.logaddexp(0.0, x)


@dataclass(frozen=True)
class Loss:
    """A per-sample loss L_n(o, t) summed over output nodes, and ∂L_n/∂o."""

    name: str
    # value per sample, from the output pre-activation z, output a and target t
    value: Callable[[Array, Array, Array, str], Array]
    # ∂L_n/∂a^L, from the output a, target t and the output activation's name
    grad_a: Callable[[Array, Array, str], Array]


def _mse_value(z: Array, a: Array, t: Array, activation: str) -> Array:
    return 0.5 * ((a - t) ** 2).sum(axis=1)


def _ce_value(z: Array, a: Array, t: Array, activation: str) -> Array:
    # computed from z so that saturated outputs give a large finite loss, not log(0)
    if activation == "softmax":
        zmax = z.max(axis=1, keepdims=True)
        lse = zmax[:, 0] + np.log(np.exp(z - zmax).sum(axis=1))
        return (t * (lse[:, None] - z)).sum(axis=1)
    if activation == "sigmoid":
        return (t * _softplus(-z) + (1.0 - t) * _softplus(z)).sum(axis=1)
    eps = 1e-12
    a = np.clip(a, eps, 1.0 - eps)
    return -(t * np.log(a) + (1.0 - t) * np.log(1.0 - a)).sum(axis=1)


def _ce_grad(a: Array, t: Array, activation: str) -> Array:
    eps = 1e-300
    if activation == "softmax":
        return -t / np.maximum(a, eps)
    return -t / np.maximum(a, eps) + (1.0 - t) / np.maximum(1.0 - a, eps)


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", _mse_value, lambda a, t, activation: a - t),
    "cross_entropy": Loss("cross_entropy", _ce_value, _ce_grad),
}

CE_OUTPUTS = ("sigmoid", "softmax")


def fused_output_delta(loss: str, activation: str) -> bool:
    """True where δ^L = o - t exactly (cross-entropy after sigmoid or softmax), which avoids 0 × ∞."""
    return loss == "cross_entropy" and activation in CE_OUTPUTS
