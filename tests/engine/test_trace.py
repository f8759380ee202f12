"""The trace: the lecture's order of computation, the ids each event reads, and formulas with their numbers."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine.network import Network, backward, forward, initial_parameters
from app.engine.trace import event_count, num, trace


@pytest.fixture
def lecture_net() -> Network:
    # 2-3-2 like the lecture's matrix example (d = 2 inputs, 3 hidden nodes, 2 outputs)
    w, b = initial_parameters([2, 3, 2], "uniform", 1.0, 11)
    return Network([2, 3, 2], ["sigmoid", "sigmoid"], w, b)


def keyed(events):
    return {(e["phase"], e["quantity"], e["l"], e["j"], e["i"]): e for e in events}


def test_order_follows_the_lecture(lecture_net):
    events, _ = trace(lecture_net, [0.05, 0.1], [0.01, 0.99])
    seq = [(e["quantity"], e["l"], e["j"], e["i"]) for e in events]
    expected = (
        [("a", 1, 1, None), ("a", 1, 2, None)]
        + [(q, 2, j, None) for j in (1, 2, 3) for q in ("z", "a")]
        + [(q, 3, j, None) for j in (1, 2) for q in ("z", "a")]
        + [("loss", 3, None, None)]
        + [("grad_a", 3, 1, None), ("grad_a", 3, 2, None), ("delta", 3, 1, None), ("delta", 3, 2, None)]
        + [x for j in (1, 2) for x in [("grad_w", 3, j, i) for i in (1, 2, 3)] + [("grad_b", 3, j, None)]]
        + [("grad_a", 2, i, None) for i in (1, 2, 3)]
        + [("delta", 2, j, None) for j in (1, 2, 3)]
        + [x for j in (1, 2, 3) for x in [("grad_w", 2, j, i) for i in (1, 2)] + [("grad_b", 2, j, None)]]
        + [("grad_a", 1, i, None) for i in (1, 2)]
        + [x for j in (1, 2, 3) for x in [("w", 2, j, i) for i in (1, 2)] + [("b", 2, j, None)]]
        + [x for j in (1, 2) for x in [("w", 3, j, i) for i in (1, 2, 3)] + [("b", 3, j, None)]]
    )
    assert seq == expected
    assert [e["id"] for e in events] == list(range(len(events)))
    assert len(events) == event_count([2, 3, 2])
    phases = [e["phase"] for e in events]
    assert phases.index("loss") < phases.index("backward") < phases.index("update")


def test_depends_on_names_what_each_computation_reads(lecture_net):
    events, _ = trace(lecture_net, [0.05, 0.1], [0.01, 0.99])
    k = keyed(events)
    ids = lambda *keys: sorted(k[key]["id"] for key in keys)  # noqa: E731
    assert k[("forward", "z", 2, 1, None)]["depends_on"] == ids(("forward", "a", 1, 1, None),
                                                                ("forward", "a", 1, 2, None))
    assert k[("forward", "a", 3, 2, None)]["depends_on"] == [k[("forward", "z", 3, 2, None)]["id"]]
    # ∂L/∂a_1^2 = Σ_j w_j1^3 δ_j^3 reuses both δ^3 ("we can reuse gradient δ")
    assert sorted(k[("backward", "grad_a", 2, 1, None)]["depends_on"]) == ids(
        ("backward", "delta", 3, 1, None), ("backward", "delta", 3, 2, None))
    assert sorted(k[("backward", "delta", 2, 3, None)]["depends_on"]) == ids(
        ("forward", "a", 2, 3, None), ("backward", "grad_a", 2, 3, None))
    assert sorted(k[("backward", "grad_w", 3, 2, 1)]["depends_on"]) == ids(
        ("forward", "a", 2, 1, None), ("backward", "delta", 3, 2, None))
    assert k[("update", "w", 2, 3, 2)]["depends_on"] == [k[("backward", "grad_w", 2, 3, 2)]["id"]]
    for e in events:
        assert all(d < e["id"] for d in e["depends_on"])


def test_values_equal_the_engine_and_formulas_show_them(lecture_net):
    x, t = [0.05, 0.1], [0.01, 0.99]
    events, loss = trace(lecture_net, x, t)
    cache = forward(lecture_net, np.array([x]))
    grads = backward(lecture_net, cache, np.array([t]))
    k = keyed(events)
    assert k[("forward", "z", 3, 2, None)]["value"] == cache.z[1][0, 1]
    assert k[("backward", "delta", 2, 1, None)]["value"] == grads.delta[0][0, 0]
    assert k[("backward", "grad_w", 3, 1, 3)]["value"] == grads.grad_w[1][0, 2]
    assert k[("update", "w", 3, 1, 3)]["value"] == lecture_net.weights[1][0, 2] - 0.5 * grads.grad_w[1][0, 2]
    assert k[("loss", "loss", 3, None, None)]["value"] == loss
    d = k[("backward", "delta", 3, 1, None)]
    a31 = cache.a[2][0, 0]
    assert d["latex"].startswith(r"\delta_{1}^{3} = \frac{\partial \mathcal{L}}{\partial z_{1}^{3}}")
    # σ'(z) = a(1 - a), written with the node's own a
    assert f"{num(a31)} \\cdot (1 - {num(a31)})" in d["latex"]
    assert d["latex"].endswith(f"= {num(d['value'])}")
    gw = k[("backward", "grad_w", 3, 2, 1)]
    assert gw["latex"].startswith(r"\frac{\partial \mathcal{L}}{\partial w_{21}^{3}} = a_{1}^{2}\,\delta_{2}^{3}")


def test_frozen_biases_have_no_update_events():
    w, b = initial_parameters([2, 2, 1], "uniform", 1.0, 0)
    net = Network([2, 2, 1], ["sigmoid", "sigmoid"], w, b, train_biases=False)
    events, _ = trace(net, [1, 0], [1])
    assert not [e for e in events if e["quantity"] == "b"]
    assert len(events) == event_count([2, 2, 1], train_biases=False)


@pytest.mark.parametrize("acts,loss,t", [
    (["relu", "softmax"], "cross_entropy", [0, 1, 0]),
    (["tanh", "softmax"], "mse", [0.2, 0.5, 0.3]),
    (["leaky_relu", "sigmoid"], "cross_entropy", [1, 0, 1]),
    (["linear", "linear"], "mse", [1, -2, 3]),
])
def test_every_activation_and_loss_traces_consistently(acts, loss, t):
    w, b = initial_parameters([4, 3, 3], "xavier", 1.0, 2)
    net = Network([4, 3, 3], acts, w, b, loss)
    events, value = trace(net, [0.5, -1, 2, 0], t)
    assert len(events) == event_count([4, 3, 3])
    grads = backward(net, forward(net, np.array([[0.5, -1, 2, 0]])), np.array([t]))
    got = [e["value"] for e in events if e["quantity"] == "grad_w" and e["l"] == 2]
    np.testing.assert_allclose(got, grads.grad_w[0].ravel(), rtol=1e-15)
    assert all(e["latex"] and "nan" not in e["latex"] for e in events)


def test_a_softmax_output_delta_writes_the_sum_of_targets_when_it_is_not_one():
    w, b = initial_parameters([2, 3, 3], "xavier", 1.0, 5)
    net = Network([2, 3, 3], ["tanh", "softmax"], w, b, "cross_entropy")
    for t, written in (([0, 1, 0], r"= o_{1} - t_{1} = "), ([0.5, 0.5, 0.5], r"= o_{1} \sum_k t_k - t_{1} = ")):
        events, _ = trace(net, [0.3, -0.7], t)
        delta = next(e for e in events if e["quantity"] == "delta" and e["l"] == 3 and e["j"] == 1)
        assert written in delta["latex"], delta["latex"]
        grads = backward(net, forward(net, np.array([[0.3, -0.7]])), np.array([t], dtype=float))
        assert delta["value"] == grads.delta[-1][0, 0]


def test_number_format():
    assert num(0.13852) == "0.1385"
    assert num(0.5) == "0.5"
    assert num(-2.0) == "-2"
    assert num(1.5e-7) == r"{1.500\times 10^{-7}}"
    assert num(0) == "0"
