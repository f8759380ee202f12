"""A tiny reverse-mode autodiff on Python floats: an oracle that shares no code with the numpy engine."""

from __future__ import annotations

import math


class Var:
    """A scalar in a computation graph; `grad` holds ∂(output)/∂(this) after `backprop`."""

    def __init__(self, value: float, parents: tuple = ()) -> None:
        self.value = value
        self.grad = 0.0
        self.parents = parents  # pairs of (parent, local derivative)

    def __add__(self, other):
        other = other if isinstance(other, Var) else Var(other)
        return Var(self.value + other.value, ((self, 1.0), (other, 1.0)))

    __radd__ = __add__

    def __mul__(self, other):
        other = other if isinstance(other, Var) else Var(other)
        return Var(self.value * other.value, ((self, other.value), (other, self.value)))

    __rmul__ = __mul__

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-other if isinstance(other, Var) else Var(-other))

    def __rsub__(self, other):
        return Var(other) - self

    def exp(self):
        e = math.exp(self.value)
        return Var(e, ((self, e),))

    def log(self):
        return Var(math.log(self.value), ((self, 1.0 / self.value),))

    def recip(self):
        return Var(1.0 / self.value, ((self, -1.0 / self.value**2),))

    def backprop(self) -> None:
        order, seen = [], set()

        def visit(v):
            if id(v) not in seen:
                seen.add(id(v))
                for p, _ in v.parents:
                    visit(p)
                order.append(v)

        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            for p, local in v.parents:
                p.grad += local * v.grad


def activate(name: str, zs: list[Var]) -> list[Var]:
    if name == "sigmoid":
        return [(1.0 + (-z).exp()).recip() for z in zs]
    if name == "tanh":
        return [((2.0 * z).exp() - 1.0) * ((2.0 * z).exp() + 1.0).recip() for z in zs]
    if name == "relu":
        return [z * (1.0 if z.value > 0 else 0.0) for z in zs]
    if name == "leaky_relu":
        return [z * (1.0 if z.value > 0 else 0.01) for z in zs]
    if name == "linear":
        return list(zs)
    if name == "softplus":
        return [(1.0 + z.exp()).log() for z in zs]
    if name == "softmax":
        es = [z.exp() for z in zs]
        total = es[0]
        for e in es[1:]:
            total = total + e
        return [e * total.recip() for e in es]
    raise ValueError(name)


def network_gradients(weights: list[list[list[float]]], biases: list[list[float]], activations: list[str],
                      loss: str, mean: bool, x: list[list[float]], t: list[list[float]]):
    """∂L/∂w and ∂L/∂b of a whole batch, from the parameters as plain lists, by this module's autodiff alone."""
    ws = [[[Var(v) for v in row] for row in w] for w in weights]
    bs = [[Var(v) for v in b] for b in biases]
    total = Var(0.0)
    for inputs, targets in zip(x, t, strict=True):
        a = [Var(v) for v in inputs]
        for w, b, act in zip(ws, bs, activations, strict=True):
            zs = []
            for row, bias in zip(w, b, strict=True):
                z = bias
                for weight, source in zip(row, a, strict=True):
                    z = z + weight * source
                zs.append(z)
            a = activate(act, zs)
        for o, target in zip(a, targets, strict=True):
            if loss == "mse":
                total = total + 0.5 * (o - target) * (o - target)
            elif activations[-1] == "softmax":
                total = total - target * o.log()
            else:
                total = total - (target * o.log() + (1 - target) * (1 - o).log())
    if mean:
        total = total * (1.0 / len(x))
    total.backprop()
    return ([[[v.grad for v in row] for row in w] for w in ws], [[v.grad for v in b] for b in bs])
