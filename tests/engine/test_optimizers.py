"""Momentum and Adam against independent scalar implementations (PyTorch's formulas), over many steps."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.engine import network as nn
from app.engine.compiled import compile_batch
from app.engine.latex import num
from app.engine.trace import trace
from app.engine.training import train

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
T = np.array([[0.0], [1.0], [1.0], [0.0]])


def net_with(optimizer: str, settings: dict[str, float], lr: float = 0.1) -> nn.Network:
    w, b = nn.initial_parameters([2, 3, 1], "uniform", 1.0, 11)
    return nn.Network([2, 3, 1], ["tanh", "sigmoid"], w, b, learning_rate=lr, optimizer=optimizer,
                      optimizer_settings=settings)


class ScalarMomentum:
    """v ← μ v + g, w ← w − η v, one Python float at a time (torch.optim.SGD with momentum, no dampening)."""

    def __init__(self, mu: float, lr: float) -> None:
        self.mu, self.lr, self.v = mu, lr, {}

    def step(self, key, w: float, g: float) -> float:
        self.v[key] = self.mu * self.v.get(key, 0.0) + g
        return w - self.lr * self.v[key]


class ScalarAdam:
    """Adam with bias correction, one Python float at a time (Kingma and Ba; torch.optim.Adam)."""

    def __init__(self, b1: float, b2: float, eps: float, lr: float) -> None:
        self.b1, self.b2, self.eps, self.lr = b1, b2, eps, lr
        self.m, self.v, self.t = {}, {}, 0

    def step(self, key, w: float, g: float) -> float:
        self.m[key] = self.b1 * self.m.get(key, 0.0) + (1 - self.b1) * g
        self.v[key] = self.b2 * self.v.get(key, 0.0) + (1 - self.b2) * g * g
        m_hat = self.m[key] / (1 - self.b1**self.t)
        v_hat = self.v[key] / (1 - self.b2**self.t)
        return w - self.lr * m_hat / (math.sqrt(v_hat) + self.eps)


def independent_run(net: nn.Network, opt, steps: int) -> nn.Network:
    net = net.copy()
    for _ in range(steps):
        grads = nn.backward(net, nn.forward(net, X), T)
        if isinstance(opt, ScalarAdam):
            opt.t += 1
        weights = [w.copy() for w in net.weights]
        biases = [b.copy() for b in net.biases]
        for k, w in enumerate(net.weights):
            for (j, i), value in np.ndenumerate(w):
                weights[k][j, i] = opt.step(("w", k, j, i), value, grads.grad_w[k][j, i])
            for j, value in enumerate(net.biases[k]):
                biases[k][j] = opt.step(("b", k, j), value, grads.grad_b[k][j])
        net.weights, net.biases = weights, biases
    return net


@pytest.mark.parametrize("name,settings,oracle", [
    ("momentum", {"momentum": 0.9}, lambda lr: ScalarMomentum(0.9, lr)),
    ("momentum", {"momentum": 0.5}, lambda lr: ScalarMomentum(0.5, lr)),
    ("adam", {}, lambda lr: ScalarAdam(0.9, 0.999, 1e-8, lr)),
    ("adam", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6}, lambda lr: ScalarAdam(0.8, 0.99, 1e-6, lr)),
])
def test_optimizers_match_independent_scalar_implementations_over_100_steps(name, settings, oracle):
    net = net_with(name, settings)
    expected = independent_run(net, oracle(net.learning_rate), 100)
    stepped, compiled = net.copy(), net.copy()
    for _ in range(100):
        nn.step(stepped, X, T)
    # the compiled path in several runs, each continuing from the state the last one left
    for chunk in (30, 30, 40):
        compile_batch(compiled, X, T)(chunk)
    for got in (stepped, compiled):
        for a, e in zip(got.weights + got.biases, expected.weights + expected.biases, strict=True):
            np.testing.assert_allclose(a, e, rtol=0, atol=1e-10)


def test_training_continues_the_optimizer_state_across_calls():
    one, split = net_with("adam", {}), net_with("adam", {})
    train(one, X, T, 60)
    for _ in range(3):
        train(split, X, T, 20)
    assert split.optimizer_state["t"][0] == 60.0
    for a, e in zip(one.weights + one.biases, split.weights + split.biases, strict=True):
        np.testing.assert_allclose(a, e, rtol=0, atol=1e-12)


def test_out_of_range_hyperparameters_are_refused_naming_them():
    with pytest.raises(nn.SpecError) as err:
        net_with("momentum", {"momentum": 1.0})
    assert err.value.field == ("optimizer", "momentum") and "[0, 1)" in err.value.message
    with pytest.raises(nn.SpecError) as err:
        net_with("sgd", {"momentum": 0.9})
    assert err.value.field == ("optimizer", "momentum")
    with pytest.raises(nn.SpecError) as err:
        net_with("adam", {"eps": 0.0})
    assert err.value.field == ("optimizer", "eps")


def test_trace_update_shows_the_momentum_formula_with_its_state():
    net = net_with("momentum", {"momentum": 0.9}, lr=0.5)
    nn.step(net, X, T)  # a non-zero velocity to show
    v_before = net.optimizer_state["v"][0]
    events, _ = trace(net, [1.0, 0.0], [1.0])
    first = next(e for e in events if e["phase"] == "update")
    assert (first["l"], first["j"], first["i"]) == (2, 1, 1)
    assert f"0.9 \\times {num(v_before) if v_before >= 0 else '(' + num(v_before) + ')'}" in first["latex"]
    stepped = net.copy()
    nn.step(stepped, np.array([[1.0, 0.0]]), np.array([[1.0]]))
    assert first["value"] == stepped.weights[0][0, 0]
    adam = net_with("adam", {})
    events, _ = trace(adam, [1.0, 0.0], [1.0])
    assert r"\hat m" in next(e for e in events if e["phase"] == "update")["latex"]
