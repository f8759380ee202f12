"""Backprop against independent oracles: central finite differences, and the lecture's closed forms by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.functions import ACTIVATIONS
from app.engine.gradcheck import gradcheck, numeric_gradients
from app.engine.network import Network, backward, forward, initial_parameters, step

# every activation of the registry that may stand on a hidden layer
HIDDEN = [name for name, act in ACTIVATIONS.items() if not act.output_only]


def make(layers, activations, loss="mse", reduction="sum", seed=0, scheme="uniform"):
    w, b = initial_parameters(layers, scheme, 1.0, seed)
    return Network(layers, activations, w, b, loss, reduction, 0.5)


def data(layers, n, seed, kind="regression"):
    rng = np.random.default_rng(seed + 1000)
    x = rng.uniform(-2, 2, size=(n, layers[0]))
    if kind == "onehot":
        t = np.eye(layers[-1])[rng.integers(0, layers[-1], size=n)]
    elif kind == "binary":
        t = rng.integers(0, 2, size=(n, layers[-1])).astype(float)
    else:
        t = rng.uniform(-1, 1, size=(n, layers[-1]))
    return x, t


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output", ["sigmoid", "tanh", "linear", "softmax"])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_mse_gradients_match_finite_differences(hidden, output, reduction):
    layers = [3, 4, 3, 2]
    net = make(layers, [hidden, hidden, output], "mse", reduction, seed=3)
    x, t = data(layers, 5, 3)
    result = gradcheck(net, x, t)
    assert result.ok, result
    assert result.max_rel_error < 1e-5


@pytest.mark.parametrize("output,kind", [("sigmoid", "binary"), ("softmax", "onehot")])
@pytest.mark.parametrize("hidden", HIDDEN)
def test_cross_entropy_gradients_match_finite_differences(output, kind, hidden):
    layers = [2, 5, 3]
    net = make(layers, [hidden, output], "cross_entropy", "mean", seed=5)
    x, t = data(layers, 6, 5, kind)
    assert gradcheck(net, x, t).ok


@pytest.mark.parametrize("rows", [[[0.5, 0.5, 0.5]], [[0.2, 0.0, 0.1]], [[1.0, 0.0, 0.0], [0.0, 2.0, 1.0]]])
def test_softmax_cross_entropy_is_exact_for_targets_that_do_not_sum_to_one(rows):
    # L = -Σ t ln o allows any targets (the API warns that a softmax cannot reach them); δ = o Σt - t, not o - t
    net = make([2, 3, 3], ["tanh", "softmax"], "cross_entropy", "mean", seed=7)
    t = np.array(rows, dtype=float)
    x = np.random.default_rng(7).uniform(-1, 1, size=(len(t), 2))
    cache = forward(net, x)
    grads = backward(net, cache, t)
    expected = (cache.output * t.sum(axis=1, keepdims=True) - t) / len(t)
    np.testing.assert_allclose(grads.delta[-1], expected, rtol=1e-15, atol=1e-18)
    result = gradcheck(net, x, t)
    assert result.ok and result.max_rel_error < 1e-6, result


@settings(max_examples=40, deadline=None)
@given(
    layers=st.lists(st.integers(1, 5), min_size=2, max_size=5),
    seed=st.integers(0, 10_000),
    hidden=st.sampled_from(HIDDEN),
    n=st.integers(1, 4),
)
def test_random_networks_agree_with_finite_differences(layers, seed, hidden, n):
    net = make(layers, [hidden] * (len(layers) - 2) + ["sigmoid"], "mse", "sum", seed=seed)
    x, t = data(layers, n, seed)
    cache = forward(net, x)
    grads = backward(net, cache, t)
    num_w, num_b = numeric_gradients(net, x, t)
    for g, ng in zip(grads.grad_w + grads.grad_b, num_w + num_b, strict=True):
        # ReLU kinks make finite differences unreliable within h of 0; the tolerance allows that rare case
        np.testing.assert_allclose(g, ng, rtol=1e-4, atol=1e-6)


def test_batch_gradients_are_the_sum_of_per_sample_gradients():
    layers = [2, 3, 2]
    net = make(layers, ["tanh", "sigmoid"], seed=9)
    x, t = data(layers, 4, 9)
    whole = backward(net, forward(net, x), t)
    parts = [backward(net, forward(net, x[n : n + 1]), t[n : n + 1]) for n in range(4)]
    for k in range(2):
        np.testing.assert_allclose(whole.grad_w[k], sum(p.grad_w[k] for p in parts), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(whole.grad_b[k], sum(p.grad_b[k] for p in parts), rtol=1e-12, atol=1e-15)
    mean_net = make(layers, ["tanh", "sigmoid"], reduction="mean", seed=9)
    mean = backward(mean_net, forward(mean_net, x), t)
    np.testing.assert_allclose(mean.grad_w[0], whole.grad_w[0] / 4, rtol=1e-12)


def sig(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


def test_lecture_closed_forms_for_a_two_layer_sigmoid_network():
    # worked by hand: x = (1, 0), t = 1, hidden h_j = σ(net_j), output o = σ(net_k), no biases
    w_hidden = [[0.5, -0.4], [0.3, 0.8]]  # w_ji (j hidden, i input)
    w_out = [[0.7, -0.6]]  # w_kj
    x, t = [1.0, 0.0], 1.0
    net_j = [w_hidden[0][0] * x[0] + w_hidden[0][1] * x[1], w_hidden[1][0] * x[0] + w_hidden[1][1] * x[1]]
    h = [sig(net_j[0]), sig(net_j[1])]
    o = sig(w_out[0][0] * h[0] + w_out[0][1] * h[1])
    # case 1: ∂L/∂w_kj = −(t − o) o (1 − o) h_j
    expect_out = [-(t - o) * o * (1 - o) * h[j] for j in range(2)]
    # case 2: ∂L/∂w_ji = h_j (1 − h_j) x_i Σ_k −w_kj (t − o) o (1 − o)
    expect_hidden = [[h[j] * (1 - h[j]) * x[i] * (-w_out[0][j] * (t - o) * o * (1 - o)) for i in range(2)]
                     for j in range(2)]

    net = Network([2, 2, 1], ["sigmoid", "sigmoid"], [w_hidden, w_out], [[0.0, 0.0], [0.0]])
    grads = backward(net, forward(net, np.array([x])), np.array([[t]]))
    np.testing.assert_allclose(grads.grad_w[1][0], expect_out, rtol=1e-13)
    np.testing.assert_allclose(grads.grad_w[0], expect_hidden, rtol=1e-13)
    # and the numbers themselves, rounded by hand: h = (0.6225, 0.5744), o = 0.5227
    assert round(h[0], 4) == 0.6225 and round(h[1], 4) == 0.5744 and round(o, 4) == 0.5227
    assert round(grads.grad_w[1][0][0], 4) == -0.0741


def test_relu_derivative_at_zero_is_zero():
    relu = ACTIVATIONS["relu"]
    z = np.array([[-1.0, 0.0, 2.0]])
    assert relu.df(z, relu.f(z)).tolist() == [[0.0, 0.0, 1.0]]


def test_softmax_vjp_matches_its_jacobian():
    soft = ACTIVATIONS["softmax"]
    z = np.array([[0.3, -1.2, 2.0]])
    a = soft.f(z)
    g = np.array([[0.5, -0.25, 1.5]])
    jac = np.diag(a[0]) - np.outer(a[0], a[0])
    np.testing.assert_allclose(soft.vjp(z, a, g)[0], jac.T @ g[0], rtol=1e-14)


def test_step_moves_each_weight_against_its_gradient():
    layers = [2, 2, 1]
    net = make(layers, ["sigmoid", "sigmoid"], seed=4)
    before = net.copy()
    x, t = data(layers, 4, 4)
    _, grads = step(net, x, t)
    for k in range(2):
        np.testing.assert_array_equal(net.weights[k], before.weights[k] - 0.5 * grads.grad_w[k])
        np.testing.assert_array_equal(net.biases[k], before.biases[k] - 0.5 * grads.grad_b[k])


def test_frozen_biases_stay_put():
    layers = [2, 2, 1]
    w, b = initial_parameters(layers, "uniform", 1.0, 0)
    net = Network(layers, ["sigmoid", "sigmoid"], w, b, train_biases=False)
    x, t = data(layers, 4, 0)
    step(net, x, t)
    for k in range(2):
        np.testing.assert_array_equal(net.biases[k], b[k])
        assert not np.array_equal(net.weights[k], w[k])


@pytest.mark.parametrize("scheme", ["uniform", "xavier", "he"])
def test_initialisation_is_reproducible_to_the_bit(scheme):
    a = initial_parameters([3, 5, 2], scheme, 1.0, 42)
    b = initial_parameters([3, 5, 2], scheme, 1.0, 42)
    c = initial_parameters([3, 5, 2], scheme, 1.0, 43)
    for x, y in zip(a[0] + a[1], b[0] + b[1], strict=True):
        assert x.tobytes() == y.tobytes()
    assert a[0][0].tobytes() != c[0][0].tobytes()


@pytest.mark.parametrize("acts,loss,kind", [
    (["sigmoid", "sigmoid"], "mse", "regression"),
    (["tanh", "softmax"], "cross_entropy", "onehot"),
    (["relu", "linear"], "mse", "regression"),
    (["leaky_relu", "sigmoid"], "cross_entropy", "binary"),
    (["softplus", "softplus"], "mse", "regression"),
])
def test_gradients_match_an_independent_scalar_autograd(acts, loss, kind):
    from tests.engine.scalar_autograd import network_gradients

    layers = [3, 4, 2]
    net = make(layers, acts, loss, "mean", seed=21)
    x, t = data(layers, 3, 21, kind)
    want_w, want_b = network_gradients([w.tolist() for w in net.weights], [b.tolist() for b in net.biases], acts,
                                       loss, True, x.tolist(), t.tolist())
    grads = backward(net, forward(net, x), t)
    for k in range(2):
        np.testing.assert_allclose(grads.grad_w[k], want_w[k], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(grads.grad_b[k], want_b[k], rtol=1e-10, atol=1e-14)
