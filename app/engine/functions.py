"""The registries: every activation, loss and optimizer is one record here, holding everything about its rule.

Each record has the value, its derivative, the LaTeX the page and the trace show, the numpy operations of
the compiled fast path and the scalar form of tiny networks' path (scalar.py). Every other layer (network,
trace, request schemas, /api/meta, the page's editor) reads these dictionaries; adding a rule means adding a
record. Arrays have shape (samples, nodes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from app.engine.latex import elide, num, par, shown
from app.engine.ops import Array, Lazy, Op, const
from app.engine.quantities import QUANTITIES
from app.engine.scalar_forms import Lines, ScalarActivation, elementwise

# ---- activations -----------------------------------------------------------------------------------------

ForwardOps = Callable[[Array, Array], list[Op]]  # (z, a) -> calls writing f(z) into a
VjpOps = Callable[[Array, Array, Array, Array, Array, Array], list[Op]]  # (z, a, g, tmp, mask, out) -> δ into out


@dataclass(frozen=True)
class Activation:
    """An activation a = f(z) with its derivative; `vjp` turns ∂L/∂a into δ = ∂L/∂z."""

    name: str
    f: Callable[[Array], Array]
    # d a / d z elementwise, from z and a (None for softmax, whose Jacobian is not diagonal)
    df: Callable[[Array, Array], Array] | None
    symbol: str  # the function's name in formulas, e.g. \sigma
    f_latex: str  # the definition, e.g. σ(z) = 1 / (1 + e^{-z})
    df_latex: str  # the derivative, with its closed form in a where one exists
    # f'(z) in closed form, written with the node's own {a} and/or {z}, e.g. "{a}(1 - {a})"; the trace fills it
    # with the symbols, then with the numbers (None: the trace shows f'(z) as one number)
    df_form: str | None = None
    output_only: bool = False
    # compiled fast path: the same operations as f and df in the same order (None: call f or vjp as one op)
    forward_ops: ForwardOps | None = None
    backward_ops: VjpOps | None = None
    # scalar path: (forward, vjp) emitters of Python lines doing what f and vjp do (None: the numpy path)
    scalar: ScalarActivation | None = None

    def vjp(self, z: Array, a: Array, grad_a: Array) -> Array:
        """δ = ∂L/∂z from ∂L/∂a (elementwise, or the softmax Jacobian product)."""
        if self.df is not None:
            return self.df(z, a) * grad_a
        # softmax: ∂a_k/∂z_j = a_k (1[k=j] - a_j), so δ_j = a_j (g_j - Σ_k a_k g_k)
        return a * (grad_a - (a * grad_a).sum(axis=1, keepdims=True))

    def ops(self, z: Array, a: Array) -> list[Op]:
        """a = f(z) as numpy calls writing into `a`."""
        if self.forward_ops is not None:
            return self.forward_ops(z, a)
        return [partial(np.copyto, a, Lazy(self.f, z))]

    def vjp_ops(self, z: Array, a: Array, g: Array, tmp: Array, mask: Array, out: Array) -> list[Op]:
        """δ = f'(z) ⊙ ∂L/∂a as numpy calls writing into `out`."""
        if self.backward_ops is not None:
            return self.backward_ops(z, a, g, tmp, mask, out)
        return [partial(np.copyto, out, Lazy(self.vjp, z, a, g))]


def _sigmoid(z: Array) -> Array:
    # tanh form: no overflow warning for large |z| and accurate to the last bit near 0
    return 0.5 * np.tanh(0.5 * z) + 0.5


def _sigmoid_ops(z: Array, a: Array) -> list[Op]:
    half = const(z.shape, 0.5)  # 0.5 * tanh(0.5 * z) + 0.5, as in _sigmoid
    return [partial(np.multiply, z, half, a), partial(np.tanh, a, a),
            partial(np.multiply, a, half, a), partial(np.add, a, half, a)]


def _sigmoid_vjp_ops(z: Array, a: Array, g: Array, tmp: Array, mask: Array, out: Array) -> list[Op]:
    # (a (1 - a)) g
    return [partial(np.subtract, const(z.shape, 1.0), a, tmp), partial(np.multiply, a, tmp, tmp),
            partial(np.multiply, tmp, g, out)]


def _tanh_vjp_ops(z: Array, a: Array, g: Array, tmp: Array, mask: Array, out: Array) -> list[Op]:
    # (1 - a a) g
    return [partial(np.multiply, a, a, tmp), partial(np.subtract, const(z.shape, 1.0), tmp, tmp),
            partial(np.multiply, tmp, g, out)]


def _relu_vjp_ops(z: Array, a: Array, g: Array, tmp: Array, mask: Array, out: Array) -> list[Op]:
    # (z > 0) as 0/1 times g: multiplying by the boolean mask casts it to exactly 0.0 and 1.0
    return [partial(np.greater, z, const(z.shape, 0.0), mask), partial(np.multiply, mask, g, out)]


def _softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _softmax_forward_lines(zs: list[str], avs: list[str]) -> Lines:
    # e_j = exp(z_j - max_k z_k) never overflows; a_j = e_j / Σ_k e_k as in _softmax
    es = [f"e_{a}" for a in avs]
    lines = [f"top = max({', '.join(zs)})" if len(zs) > 1 else f"top = {zs[0]}"]
    lines += [f"{e} = exp({z} - top)" for e, z in zip(es, zs, strict=True)]
    lines.append(f"total = {' + '.join(es)}")
    return lines + [f"{a} = {e} / total" for a, e in zip(avs, es, strict=True)]


def _softmax_vjp_lines(zs: list[str], avs: list[str], gs: list[str], ds: list[str]) -> Lines:
    # dL/dz_j = a_j (∂L/∂a_j - Σ_k a_k ∂L/∂a_k): the softmax Jacobian a_k (1[k=j] - a_j) times ∂L/∂a, as in vjp
    lines = [f"inner = {' + '.join(f'{a} * {g}' for a, g in zip(avs, gs, strict=True))}"]
    return lines + [f"{d} = {a} * ({g} - inner)" for a, g, d in zip(avs, gs, ds, strict=True)]


def _softplus(x: Array) -> Array:
    return np.logaddexp(0.0, x)


_CASES = r"\begin{{cases}} {0} & z > 0 \\ {1} & z \le 0 \end{{cases}}"

ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "sigmoid", _sigmoid, lambda z, a: a * (1.0 - a), r"\sigma",
            r"\sigma(z) = \frac{1}{1 + e^{-z}}", r"\sigma'(z) = \sigma(z)\,(1 - \sigma(z)) = a\,(1 - a)",
            df_form=r"{a} \cdot (1 - {a})", forward_ops=_sigmoid_ops, backward_ops=_sigmoid_vjp_ops,
            # σ(z) = ½ tanh(½ z) + ½ ; dσ/dz = a (1 - a)
            scalar=elementwise("{a} = 0.5 * tanh(0.5 * {z}) + 0.5", "{d} = {a} * (1.0 - {a}) * {g}"),
        ),
        Activation(
            "tanh", np.tanh, lambda z, a: 1.0 - a * a, r"\tanh",
            r"\tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}", r"\tanh'(z) = 1 - \tanh^2(z) = 1 - a^2",
            df_form="(1 - ({a})^2)", forward_ops=lambda z, a: [partial(np.tanh, z, a)], backward_ops=_tanh_vjp_ops,
            # dtanh/dz = 1 - a²
            scalar=elementwise("{a} = tanh({z})", "{d} = (1.0 - {a} * {a}) * {g}"),
        ),
        Activation(
            # ReLU's derivative at 0 is taken as 0
            "relu", lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(z.dtype), r"\mathrm{ReLU}",
            r"\mathrm{ReLU}(z) = \max(0, z)", r"\mathrm{ReLU}'(z) = " + _CASES.format(1, 0), df_form="[{z} > 0]",
            forward_ops=lambda z, a: [partial(np.maximum, z, const(z.shape, 0.0), out=a)],
            backward_ops=_relu_vjp_ops,
            # max(z, 0) keeps a NaN as np.maximum does; dReLU/dz = [z > 0], a bool times g as the numpy mask is
            scalar=elementwise("{a} = 0.0 if {z} < 0.0 else {z}", "{d} = ({z} > 0.0) * {g}"),
        ),
        Activation(
            "leaky_relu", lambda z: np.where(z > 0, z, 0.01 * z), lambda z, a: np.where(z > 0, 1.0, 0.01),
            r"\mathrm{LReLU}", r"\mathrm{LReLU}(z) = " + _CASES.format("z", "0.01\\,z"),
            r"\mathrm{LReLU}'(z) = " + _CASES.format(1, "0.01"), df_form=r"([{z} > 0] + 0.01\,[{z} \le 0])",
            # dLReLU/dz = 1 for z > 0, else 0.01
            scalar=elementwise("{a} = {z} if {z} > 0.0 else 0.01 * {z}", "{d} = (1.0 if {z} > 0.0 else 0.01) * {g}"),
        ),
        Activation(
            "linear", lambda z: z.copy(), lambda z, a: np.ones_like(z), r"\mathrm{id}",
            r"\mathrm{id}(z) = z", r"\mathrm{id}'(z) = 1",
            # did/dz = 1
            scalar=elementwise("{a} = {z}", "{d} = {g}"),
        ),
        Activation(
            # σ(z) = 1 - e^{-a} because e^{a} = 1 + e^{z}; computed from z, which stays exact for large z
            "softplus", _softplus, lambda z, a: _sigmoid(z), r"\mathrm{softplus}",
            r"\mathrm{softplus}(z) = \ln(1 + e^{z})", r"\mathrm{softplus}'(z) = \sigma(z) = 1 - e^{-a}",
            df_form="(1 - e^{{-{a}}})",
            # ln(1 + e^z) as np.logaddexp(0, z) computes it, never exp of a positive number; dsoftplus/dz = σ(z)
            scalar=elementwise("{a} = {z} + log1p(exp(-{z})) if {z} > 0.0 else log1p(exp({z}))",
                               "{d} = (0.5 * tanh(0.5 * {z}) + 0.5) * {g}"),
        ),
        Activation(
            "softmax", _softmax, None, r"\mathrm{softmax}",
            r"\mathrm{softmax}(z)_j = \frac{e^{z_j}}{\sum_k e^{z_k}}",
            r"\frac{\partial a_k}{\partial z_j} = a_k\,(\mathbb{1}[k = j] - a_j)", output_only=True,
            scalar=(_softmax_forward_lines, _softmax_vjp_lines),
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
        "mse", _mse_value, lambda a, t, activation: a - t,
        r"\mathcal{L}_n = \frac{1}{2}\sum_k (o_k - t_k)^2", _mse_latex, _mse_grad_latex, grad_form="({o} - {t})",
    ),
    "cross_entropy": Loss(
        "cross_entropy", _ce_value, _ce_grad,
        r"\mathcal{L}_n = -\sum_k \left[t_k \ln o_k + (1 - t_k)\ln(1 - o_k)\right]"
        r"\ \text{(sigmoid)},\quad -\sum_k t_k \ln o_k\ \text{(softmax)}",
        _ce_latex, _ce_grad_latex, outputs=("sigmoid", "softmax"), fused=("sigmoid", "softmax"),
    ),
}


def fused_output_delta(loss: str, activation: str) -> bool:
    """True where δ^L = o - t exactly (cross-entropy after sigmoid or softmax), which avoids 0 × ∞."""
    return activation in LOSSES[loss].fused


# ---- optimizers: their own registry, app/engine/optimizers.py; named here too so one import has every rule ----
from app.engine.optimizers import OPTIMIZERS, Optimizer  # noqa: E402

__all__ = ["ACTIVATIONS", "LOSSES", "OPTIMIZERS", "Activation", "Loss", "Optimizer", "catalogue", "fused_output_delta"]


def catalogue() -> dict[str, Any]:
    """Every registry as plain data for GET /api/meta: names, LaTeX and the rules the page's editor enforces."""
    from app.engine.network import INIT_SCHEMES, REDUCTIONS, TRAIN_MODES

    return {
        "activations": [
            {"name": a.name, "symbol": a.symbol, "f_latex": a.f_latex, "df_latex": a.df_latex,
             "output_only": a.output_only}
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
