"""The optimizer registry: each update rule of the flat parameter vector (network.parameter_vector), with its
hyper-parameters, its per-parameter state and its formulas; one call serves a step and the compiled path."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.engine.latex import grad_sym, num, par
from app.engine.ops import Array

State = dict[str, Array]


@dataclass(frozen=True)
class Hyper:
    """One hyper-parameter: its default and the open or closed range it must lie in."""

    default: float
    low: float
    high: float
    low_open: bool = False
    high_open: bool = True
    words: str = ""

    def check(self, value: float) -> str | None:
        """None if the value is allowed, else the rule it breaks."""
        lo_ok = value > self.low if self.low_open else value >= self.low
        hi_ok = value < self.high if self.high_open else value <= self.high
        if lo_ok and hi_ok and np.isfinite(value):
            return None
        left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
        return f"must lie in {left}{self.low:g}, {self.high:g}{right}"


@dataclass(frozen=True)
class Optimizer:
    """An update rule for parameters from their gradients: the rule, its state and how formulas write it."""

    name: str
    latex: str
    # update(params, grads, state, lr, scratch, hp): params changed in place; scratch may be grads itself when
    # the gradients are not needed afterwards (the compiled path), never when they are reported
    update: Callable[[Array, Array, State, Any, Array, dict[str, float]], None]
    # LaTeX of one parameter's update with numbers: (symbol, old value, η and ∂L/∂ that parameter as the trace
    # writes them, new value, its state before, its state after, hyper-parameters)
    event_latex: Callable[[str, float, str, str, float, dict[str, float], dict[str, float], dict[str, float]], str]
    hyper: dict[str, Hyper] = field(default_factory=dict)  # beside the learning rate, which every rule has
    # per-parameter state for a flat parameter vector of this size (a one-element array is shared, e.g. Adam's t)
    init_state: Callable[[int], State] = field(default=lambda size: {})

    @property
    def hyperparameters(self) -> tuple[str, ...]:
        return ("learning_rate", *self.hyper)

    def settings(self, given: dict[str, float]) -> dict[str, float]:
        """The hyper-parameters with defaults filled in (checked by `check_settings`)."""
        return {name: float(given.get(name, h.default)) for name, h in self.hyper.items()}


# ---- SGD ---------------------------------------------------------------------------------------------------

def _sgd_update(params: Array, grads: Array, state: State, lr: Any, scratch: Array, hp: dict[str, float]) -> None:
    # w ← w − η ∂L/∂w
    np.multiply(grads, lr, scratch)
    np.subtract(params, scratch, params)


def _sgd_latex(sym: str, old: float, lr: str, grad: str, new: float, before: dict[str, float],
               after: dict[str, float], hp: dict[str, float]) -> str:
    return rf"{sym} \leftarrow {sym} - \eta\,{grad_sym(sym)} = {num(old)} - {lr} \times {grad} = {num(new)}"


# ---- momentum (PyTorch's SGD with momentum, no dampening) ------------------------------------------------

def _momentum_update(params: Array, grads: Array, state: State, lr: Any, scratch: Array,
                     hp: dict[str, float]) -> None:
    v = state["v"]
    # v ← μ v + ∂L/∂w ; w ← w − η v
    np.multiply(v, hp["momentum"], v)
    np.add(v, grads, v)
    np.multiply(v, lr, scratch)
    np.subtract(params, scratch, params)


def _momentum_latex(sym: str, old: float, lr: str, grad: str, new: float, before: dict[str, float],
                    after: dict[str, float], hp: dict[str, float]) -> str:
    return (rf"v \leftarrow \mu\,v + {grad_sym(sym)} = {num(hp['momentum'])} \times {par(before['v'])} + {grad}"
            rf" = {num(after['v'])},\quad {sym} \leftarrow {sym} - \eta\,v = {num(old)} - {lr} \times"
            rf" {par(after['v'])} = {num(new)}")


# ---- Adam (Kingma and Ba, with bias correction, as PyTorch's Adam) ------------------------------------------

def _adam_update(params: Array, grads: Array, state: State, lr: Any, scratch: Array, hp: dict[str, float]) -> None:
    m, v, t = state["m"], state["v"], state["t"]
    b1, b2, eps = hp["beta1"], hp["beta2"], hp["eps"]
    t += 1.0
    step = float(t[0])
    # m ← β1 m + (1 − β1) g ; v ← β2 v + (1 − β2) g²
    np.multiply(m, b1, m)
    np.add(m, (1.0 - b1) * grads, m)
    np.multiply(v, b2, v)
    np.add(v, (1.0 - b2) * grads * grads, v)
    # w ← w − η m̂ / (√v̂ + ε), with m̂ = m / (1 − β1^t) and v̂ = v / (1 − β2^t), in PyTorch's order of operations
    bias1 = 1.0 - b1**step
    bias2_sqrt = (1.0 - b2**step) ** 0.5
    denom = np.sqrt(v) / bias2_sqrt + eps
    np.divide(m, denom, scratch)
    np.multiply(scratch, np.asarray(lr) / bias1, scratch)
    np.subtract(params, scratch, params)


def _adam_latex(sym: str, old: float, lr: str, grad: str, new: float, before: dict[str, float],
                after: dict[str, float], hp: dict[str, float]) -> str:
    b1, b2, t = hp["beta1"], hp["beta2"], after["t"]
    m_hat = after["m"] / (1 - b1**t)
    v_hat = after["v"] / (1 - b2**t)
    g = grad
    return (rf"m \leftarrow \beta_1 m + (1 - \beta_1) {grad_sym(sym)} = {num(b1)} \times {par(before['m'])} + "
            rf"{num(1 - b1)} \times {g} = {num(after['m'])},\quad "
            rf"v \leftarrow \beta_2 v + (1 - \beta_2) ({grad_sym(sym)})^2 = {num(b2)} \times {par(before['v'])} + "
            rf"{num(1 - b2)} \times {g}^2 = {num(after['v'])},\quad "
            rf"{sym} \leftarrow {sym} - \eta\,\frac{{\hat m}}{{\sqrt{{\hat v}} + \varepsilon}} = {num(old)} - "
            rf"{lr} \times \frac{{{num(m_hat)}}}{{\sqrt{{{num(v_hat)}}} + {num(hp['eps'])}}} = {num(new)}"
            rf"\quad (t = {int(t)})")


OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in (
        Optimizer("sgd", r"w \leftarrow w - \eta\,\frac{\partial \mathcal{L}}{\partial w}", _sgd_update, _sgd_latex),
        Optimizer(
            "momentum",
            r"v \leftarrow \mu\,v + \frac{\partial \mathcal{L}}{\partial w},\quad w \leftarrow w - \eta\,v",
            _momentum_update, _momentum_latex,
            hyper={"momentum": Hyper(0.9, 0.0, 1.0, words="μ: how much of the last step's velocity is kept")},
            init_state=lambda size: {"v": np.zeros(size)},
        ),
        Optimizer(
            "adam",
            r"m \leftarrow \beta_1 m + (1-\beta_1) g,\ v \leftarrow \beta_2 v + (1-\beta_2) g^2,\ "
            r"w \leftarrow w - \eta\,\frac{m / (1-\beta_1^t)}{\sqrt{v / (1-\beta_2^t)} + \varepsilon}",
            _adam_update, _adam_latex,
            hyper={
                "beta1": Hyper(0.9, 0.0, 1.0, words="β1: decay of the gradient's running mean"),
                "beta2": Hyper(0.999, 0.0, 1.0, words="β2: decay of the squared gradient's running mean"),
                "eps": Hyper(1e-8, 0.0, 1.0, low_open=True, high_open=False, words="ε: keeps the division finite"),
            },
            init_state=lambda size: {"m": np.zeros(size), "v": np.zeros(size), "t": np.zeros(1)},
        ),
    )
}


def check_settings(name: str, given: dict[str, float]) -> list[tuple[str, str]]:
    """(hyper-parameter, rule) for every unknown name or value out of range; empty when all is well."""
    opt = OPTIMIZERS[name]
    problems = [(key, f"{name} has no hyper-parameter {key!r}; it takes {', '.join(opt.hyper) or 'none'}")
                for key in given if key not in opt.hyper]
    problems += [(key, f"{key} {rule}") for key, value in given.items()
                 if key in opt.hyper and (rule := opt.hyper[key].check(value)) is not None]
    return problems
