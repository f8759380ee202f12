"""The registries: every activation and loss is one record of its math (value, derivative, LaTeX), and every
other layer (network, compiled path, trace, request schemas, /api/meta, the page's editor) reads them."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.engine.latex import elide, num, par, shown
from app.engine.ops import Array
from app.engine.optimizers import OPTIMIZERS, Optimizer
from app.engine.quantities import QUANTITIES

__all__ = ["ACTIVATIONS", "LOSSES", "OPTIMIZERS", "Activation", "Loss", "Optimizer", "catalogue", "fused_output_delta",
           "target_mass"]

INIT_SCHEMES = ("uniform", "xavier", "he")
TRAIN_MODES = ("batch", "online", "minibatch")
REDUCTIONS = ("sum", "mean")

# ---- activations -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activation:
    """An activation a = f(z) with its derivative; f and df write into `out` when given one (the compiled path)."""

    name: str
    f: Callable[..., Array]  # f(z, out=None)
    # d a / d z elementwise, df(z, a, out=None) (None for softmax, whose Jacobian is not diagonal)
    df: Callable[..., Array] | None
    symbol: str  # the function's name in formulas, e.g. \sigma
    f_latex: str  # the definition, e.g. σ(z) = 1 / (1 + e^{-z})
    df_latex: str  # the derivative, with its closed form in a where one exists
    # f'(z) in closed form, written with the node's own {a} and/or {z}, e.g. "{a}(1 - {a})"; the trace fills it
    # with the symbols, then with the numbers (None: the trace shows f'(z) as one number)
    df_form: str | None = None
    output_only: bool = False
    # the closure of f's range: a target outside it cannot be reached (0 and 1 are approached by a sigmoid)
    reach: tuple[float, float] = (-math.inf, math.inf)
    reach_text: str = "(−∞, ∞)"  # the range itself, as the warnings write it
    sums_to_one: bool = False  # the layer's outputs always sum to 1 (softmax)

    def unreachable(self, t: float) -> bool:
        """True when no output of this activation can come near target t."""
        return not self.reach[0] <= t <= self.reach[1]

    def vjp(self, z: Array, a: Array, grad_a: Array, out: Array | None = None) -> Array:
        """δ = ∂L/∂z from ∂L/∂a (elementwise, or the softmax Jacobian product), into `out` when given."""
        if self.df is not None:
            # δ = f'(z) ⊙ ∂L/∂a
            return np.multiply(self.df(z, a, out), grad_a, out=out)
        # softmax: ∂a_k/∂z_j = a_k (1[k=j] - a_j), so δ_j = a_j (g_j - Σ_k a_k g_k)
        return np.multiply(a, grad_a - (a * grad_a).sum(axis=1, keepdims=True), out=out)


def _constant(value: float) -> Array:
    # a read-only 0-d array: as a ufunc operand it skips the conversion a Python float costs on every call
    c = np.array(value)
    c.flags.writeable = False
    return c


ZERO, HALF, ONE, LEAK = _constant(0.0), _constant(0.5), _constant(1.0), _constant(0.01)


def _into(z: Array, out: Array | None) -> Array:
    return np.empty_like(z) if out is None else out


def _sigmoid(z: Array, out: Array | None = None) -> Array:
    # ½ tanh(½ z) + ½: no overflow warning for large |z| and accurate to the last bit near 0
    a = np.multiply(z, HALF, out=out)
    np.tanh(a, out=a)
    np.multiply(a, HALF, out=a)
    return np.add(a, HALF, out=a)


def _sigmoid_df(z: Array, a: Array, out: Array | None = None) -> Array:
    # dσ/dz = a (1 - a)
    return np.multiply(a, np.subtract(ONE, a, out=out), out=out)


def _tanh_df(z: Array, a: Array, out: Array | None = None) -> Array:
    # dtanh/dz = 1 - a²
    return np.subtract(ONE, np.multiply(a, a, out=out), out=out)


def _relu_df(z: Array, a: Array, out: Array | None = None) -> Array:
    # dReLU/dz = [z > 0], written as exactly 0.0 and 1.0
    return np.greater(z, ZERO, out=_into(z, out))


def _leaky_relu(z: Array, out: Array | None = None) -> Array:
    a = np.multiply(z, LEAK, out=out)
    np.copyto(a, z, where=np.greater(z, ZERO))
    return a


def _leaky_relu_df(z: Array, a: Array, out: Array | None = None) -> Array:
    # dLReLU/dz = 1 for z > 0, else 0.01
    d = _into(z, out)
    np.copyto(d, LEAK)
    np.copyto(d, ONE, where=np.greater(z, ZERO))
    return d


def _linear(z: Array, out: Array | None = None) -> Array:
    a = _into(z, out)
    np.copyto(a, z)
    return a


def _linear_df(z: Array, a: Array, out: Array | None = None) -> Array:
    # did/dz = 1
    d = _into(z, out)
    np.copyto(d, ONE)
    return d


def _softplus(z: Array, out: Array | None = None) -> Array:
    # ln(1 + e^z) without overflow
    return np.logaddexp(ZERO, z, out=out)


def _softmax(z: Array, out: Array | None = None) -> Array:
    # e^{z_j - max_k z_k} never overflows
    e = np.exp(z - z.max(axis=1, keepdims=True), out=out)
    return np.divide(e, e.sum(axis=1, keepdims=True), out=e)


_CASES = r"\begin{{cases}} {0} & z > 0 \\ {1} & z \le 0 \end{{cases}}"

ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "sigmoid", _sigmoid, _sigmoid_df, r"\sigma",
            r"\sigma(z) = \frac{1}{1 + e^{-z}}", r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z)) = a\,(1 - a)",
            df_form=r"{a} \cdot (1 - {a})", reach=(0.0, 1.0), reach_text="(0, 1)",
        ),
        Activation(
            "tanh", lambda z, out=None: np.tanh(z, out=out), _tanh_df, r"\tanh",
            r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}", r"\tanh'(z) = 1 - \tanh^2(z) = 1 - a^2",
            df_form="(1 - ({a})^2)", reach=(-1.0, 1.0), reach_text="(−1, 1)",
        ),
        Activation(
            # ReLU's derivative at 0 is taken as 0
            "relu", lambda z, out=None: np.maximum(z, ZERO, out=out), _relu_df, r"\mathrm{ReLU}",
            r"\mathrm{ReLU}(z) = \max(0, z)", r"\mathrm{ReLU}'(z) = " + _CASES.format(1, 0), df_form="[{z} > 0]",
            reach=(0.0, math.inf), reach_text="[0, ∞)",
        ),
        Activation(
            "leaky_relu", _leaky_relu, _leaky_relu_df, r"\mathrm{LReLU}",
            r"\mathrm{LReLU}(z) = " + _CASES.format("z", "0.01\\,z"),
            r"\mathrm{LReLU}'(z) = " + _CASES.format(1, "0.01"), df_form=r"([{z} > 0] + 0.01\,[{z} \le 0])",
        ),
        Activation("linear", _linear, _linear_df, r"\mathrm{id}", r"\mathrm{id}(z) = z", r"\mathrm{id}'(z) = 1"),
        Activation(
            # dsoftplus/dz = σ(z) = 1 - e^{-a} because e^{a} = 1 + e^{z}; computed from z, exact for large z
            "softplus", _softplus, lambda z, a, out=None: _sigmoid(z, out), r"\mathrm{softplus}",
            r"\mathrm{softplus}(z) = \ln(1 + e^{z})", r"\mathrm{softplus}'(z) = \sigma(z) = 1 - e^{-a}",
            df_form="(1 - e^{{-{a}}})", reach=(0.0, math.inf), reach_text="(0, ∞)",
        ),
        Activation(
            "softmax", _softmax, None, r"\mathrm{softmax}",
            r"\mathrm{softmax}(z)_j = \frac{e^{z_j}}{\sum_k e^{z_k}}",
            r"\frac{\partial a_k}{\partial z_j} = a_k\,(\mathbb{1}[k = j] - a_j)", output_only=True,
            reach=(0.0, 1.0), reach_text="(0, 1)", sums_to_one=True,
        ),
    )
}

# ---- losses ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loss:
    """A per-sample loss L_n(o, t) summed over output nodes, ∂L_n/∂o, and how the trace writes both."""

    name: str
    # value per sample, from the output pre-activation z, output a, target t and the output activation's name
    value: Callable[[Array, Array, Array, str], Array]
    # ∂L_n/∂a^L, from the output a, target t and the output activation's name
    grad_a: Callable[[Array, Array, str], Array]
    # ∂L_n/∂t, from z^L, a^L, t and the output activation's name: the target's edge of the computational graph
    grad_t: Callable[[Array, Array, Array, str], Array]
    latex: str
    # LaTeX of L_n with numbers: (outputs, targets, loss, output activation)
    value_latex: Callable[[list[float], list[float], float, str], str]
    # LaTeX of ∂L/∂a_j^L with numbers: (symbol, j, o_j, t_j, the value, output activation)
    grad_latex: Callable[[str, int, float, float, float, str], str]
    # ∂L_n/∂o_k in closed form with {o} and {t}, used where δ^L is written out (None: shown as ∂L/∂a)
    grad_form: str | None = None
    outputs: tuple[str, ...] | None = None  # output activations it allows (None: any)
    # output activations after which δ^L = o - t exactly, computed so to avoid 0 × ∞
    fused: tuple[str, ...] = ()


def _mse_value(z: Array, a: Array, t: Array, activation: str) -> Array:
    return 0.5 * ((a - t) ** 2).sum(axis=1)


def _mse_latex(o: list[float], t: list[float], loss: float, activation: str) -> str:
    m = len(o)
    parts = [f"({num(o[k])} - {num(t[k])})^2" for k in shown(m)]
    return (rf"\mathcal{{L}} = \frac{{1}}{{2}}\sum_{{k=1}}^{{{m}}} (o_k - t_k)^2"
            rf" = \frac{{1}}{{2}}\left[{elide(parts, m)}\right] = {num(loss)}")


def _mse_grad_latex(sym: str, j: int, o: float, t: float, g: float, activation: str) -> str:
    return rf"{sym} = o_{{{j}}} - t_{{{j}}} = {num(o)} - {par(t)} = {num(g)}"


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


def _ce_grad_t(z: Array, a: Array, t: Array, activation: str) -> Array:
    # ∂L/∂t_k = ln(1 - o_k) - ln o_k, which is -z_k after a sigmoid; after softmax -ln o_k = logsumexp(z) - z_k
    if activation == "softmax":
        zmax = z.max(axis=1, keepdims=True)
        return zmax + np.log(np.exp(z - zmax).sum(axis=1, keepdims=True)) - z
    if activation == "sigmoid":
        return -z
    eps = 1e-12
    a = np.clip(a, eps, 1.0 - eps)
    return np.log(1.0 - a) - np.log(a)


def _ce_latex(o: list[float], t: list[float], loss: float, activation: str) -> str:
    m = len(o)
    if activation == "softmax":
        parts = [rf"{par(t[k])}\ln {num(o[k])}" for k in shown(m)]
        return rf"\mathcal{{L}} = -\sum_{{k=1}}^{{{m}}} t_k \ln o_k = -\left[{elide(parts, m)}\right] = {num(loss)}"
    parts = [rf"{par(t[k])}\ln {num(o[k])} + {par(1 - t[k])}\ln(1-{num(o[k])})" for k in shown(m)]
    return (rf"\mathcal{{L}} = -\sum_{{k=1}}^{{{m}}} \left[t_k \ln o_k + (1-t_k)\ln(1-o_k)\right]"
            rf" = -\left[{elide(parts, m)}\right] = {num(loss)}")


def _ce_grad_latex(sym: str, j: int, o: float, t: float, g: float, activation: str) -> str:
    if activation == "softmax":
        return rf"{sym} = -\frac{{t_{{{j}}}}}{{o_{{{j}}}}} = -\frac{{{num(t)}}}{{{num(o)}}} = {num(g)}"
    return (rf"{sym} = -\frac{{t_{{{j}}}}}{{o_{{{j}}}}} + \frac{{1-t_{{{j}}}}}{{1-o_{{{j}}}}}"
            rf" = -\frac{{{num(t)}}}{{{num(o)}}} + \frac{{{num(1 - t)}}}{{{num(1 - o)}}} = {num(g)}")


LOSSES: dict[str, Loss] = {
    "mse": Loss(
        # ∂L/∂o = o - t and ∂L/∂t = t - o
        "mse", _mse_value, lambda a, t, activation: a - t, lambda z, a, t, activation: t - a,
        r"\mathcal{L}_n = \frac{1}{2}\sum_k (o_k - t_k)^2", _mse_latex, _mse_grad_latex, grad_form="({o} - {t})",
    ),
    "cross_entropy": Loss(
        "cross_entropy", _ce_value, _ce_grad, _ce_grad_t,
        r"\mathcal{L}_n = -\sum_k \left[t_k \ln o_k + (1 - t_k)\ln(1 - o_k)\right]"
        r"\ \text{(sigmoid)},\quad -\sum_k t_k \ln o_k\ \text{(softmax)}",
        _ce_latex, _ce_grad_latex, outputs=("sigmoid", "softmax"), fused=("sigmoid", "softmax"),
    ),
}


def fused_output_delta(loss: str, activation: str) -> bool:
    """True where δ^L is computed in closed form (cross-entropy after sigmoid or softmax), which avoids 0 × ∞."""
    return activation in LOSSES[loss].fused


def target_mass(activation: str, t: Array) -> Array | None:
    """Σ_m t_m of each row, where the closed-form δ^L needs it. Cross-entropy after softmax has
    δ_k = o_k Σ_m t_m - t_k, which is o_k - t_k only for targets that sum to 1; after sigmoid δ = o - t holds
    for any target. None when δ = o - t holds exactly for these targets."""
    if not ACTIVATIONS[activation].sums_to_one:
        return None
    mass = np.asarray(t, dtype=float).sum(axis=-1, keepdims=True)
    return None if bool(np.all(mass == 1.0)) else mass


def catalogue() -> dict[str, Any]:
    """Every registry as plain data for GET /api/meta: names, LaTeX and the rules the page's editor enforces."""
    return {
        "activations": [
            {"name": a.name, "symbol": a.symbol, "f_latex": a.f_latex, "df_latex": a.df_latex,
             "output_only": a.output_only, "reach_text": a.reach_text, "sums_to_one": a.sums_to_one}
            for a in ACTIVATIONS.values()
        ],
        "losses": [
            {"name": s.name, "latex": s.latex, "outputs": list(s.outputs) if s.outputs else None}
            for s in LOSSES.values()
        ],
        "optimizers": [
            {"name": o.name, "latex": o.latex, "hyperparameters": list(o.hyperparameters)}
            for o in OPTIMIZERS.values()
        ],
        "quantities": [
            {"name": q.name, "symbol": q.symbol, "latex": q.latex, "words": q.words, "scale": q.scale, "on": q.on}
            for q in QUANTITIES.values()
        ],
        "init_schemes": list(INIT_SCHEMES),
        "train_modes": list(TRAIN_MODES),
        "reductions": list(REDUCTIONS),
    }
