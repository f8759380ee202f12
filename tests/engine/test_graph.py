"""The operation graph and the nudge: the chain rule holds at every node of random networks of every activation
and loss, the graph's δ and ∂L/∂w are backward's, ∂L/∂t agrees with finite differences, and a nudge's error
against its prediction shrinks like ε²."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from app.engine.functions import ACTIVATIONS, LOSSES
from app.engine.graph import graph, graph_size
from app.engine.landscape import Param, nudge
from app.engine.network import Network, SpecError, backward, dataset_loss, forward, initial_parameters

HIDDEN = [name for name, act in ACTIVATIONS.items() if not act.output_only]
# every (loss, output activation) pair the registries allow
PAIRS = [(loss, out) for loss, rule in LOSSES.items() for out in ACTIVATIONS if rule.outputs is None or
         out in rule.outputs]


def make(layers, activations, loss="mse", reduction="sum", seed=0):
    w, b = initial_parameters(layers, "uniform", 1.0, seed)
    return Network(layers, activations, w, b, loss, reduction, 0.5)


def sample(net, rng):
    """An input and a target the output can reach: a distribution after softmax, in (0, 1) after sigmoid."""
    x = rng.uniform(-2, 2, size=net.layers[0])
    n_out, out = net.layers[-1], net.activations[-1]
    if out == "softmax":
        t = rng.dirichlet(np.ones(n_out))
    elif out == "sigmoid":
        t = rng.uniform(0.05, 0.95, size=n_out)
    else:
        t = rng.uniform(-1, 1, size=n_out)
    return x, t


def chain_rule(nodes):
    """Σ over the readers of each node of reader.grad × the reader's local for it."""
    total = np.zeros(len(nodes))
    for node in nodes:
        assert len(node["inputs"]) == len(node["local"])
        for src, local in zip(node["inputs"], node["local"], strict=True):
            assert src < node["id"]
            total[src] += node["grad"] * local
    return total


@pytest.mark.parametrize("loss,output", PAIRS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_every_nodes_grad_is_the_sum_over_its_readers(loss, output, hidden):
    rng = np.random.default_rng(zlib.crc32(f"{loss} {output} {hidden}".encode()))
    layers = [int(n) for n in rng.integers(1, 5, size=int(rng.integers(2, 5)))]
    layers[-1] = max(layers[-1], 2) if output == "softmax" else layers[-1]
    net = make(layers, [hidden] * (len(layers) - 2) + [output], loss, "mean", seed=int(rng.integers(1000)))
    x, t = sample(net, rng)
    nodes = graph(net, x, t)
    assert len(nodes) == graph_size(layers)
    assert [n["id"] for n in nodes] == list(range(len(nodes)))
    summed = chain_rule(nodes)
    loss_node = nodes[-1]
    assert loss_node["op"] == "loss" and loss_node["grad"] == 1.0
    assert (loss_node["l"], loss_node["j"], loss_node["i"]) == (None, None, None)
    for node in nodes[:-1]:
        assert summed[node["id"]] == pytest.approx(node["grad"], rel=1e-9, abs=1e-12), node


def test_the_chain_rule_holds_at_a_softmax_whose_targets_do_not_sum_to_one():
    net = make([2, 3, 3], ["tanh", "softmax"], "cross_entropy", "mean", seed=11)
    nodes = graph(net, [0.4, -1.2], [0.5, 0.5, 0.5])
    summed = chain_rule(nodes)
    for node in nodes[:-1]:
        assert summed[node["id"]] == pytest.approx(node["grad"], rel=1e-9, abs=1e-12), node


@pytest.mark.parametrize("loss,output", PAIRS)
def test_sum_nodes_carry_delta_and_weight_nodes_carry_the_weight_gradient(loss, output):
    rng = np.random.default_rng(7)
    layers = [3, 4, 3]
    net = make(layers, ["tanh", output], loss, "sum", seed=3)
    x, t = sample(net, rng)
    grads = backward(net, forward(net, x[None, :]), t[None, :])
    nodes = graph(net, x, t)
    by = {(n["op"], n["l"], n["j"], n["i"]): n for n in nodes}
    for l in (2, 3):
        for j in range(1, layers[l - 1] + 1):
            assert by[("sum", l, j, None)]["grad"] == grads.delta[l - 2][0, j - 1]
            assert by[("bias", l, j, None)]["grad"] == grads.grad_b[l - 2][j - 1]
            for i in range(1, layers[l - 2] + 1):
                assert by[("weight", l, j, i)]["grad"] == grads.grad_w[l - 2][j - 1, i - 1]
                assert by[("mul", l, j, i)]["inputs"][0] == by[("weight", l, j, i)]["id"]
    assert nodes[-1]["value"] == pytest.approx(dataset_loss(net, x[None, :], t[None, :]), rel=1e-15)


@pytest.mark.parametrize("loss,output", PAIRS)
def test_target_grads_agree_with_finite_differences(loss, output):
    rng = np.random.default_rng(11)
    net = make([2, 3, 3], ["sigmoid", output], loss, "sum", seed=5)
    x, t = sample(net, rng)
    targets = [n for n in graph(net, x, t) if n["op"] == "target"]
    h = 1e-6
    for node in targets:
        up, down = t.copy(), t.copy()
        up[node["j"] - 1] += h
        down[node["j"] - 1] -= h
        numeric = (dataset_loss(net, x[None, :], up[None, :]) - dataset_loss(net, x[None, :], down[None, :])) / (2 * h)
        assert node["grad"] == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_softmax_activation_nodes_read_every_sum_of_their_layer():
    net = make([2, 3], ["softmax"], "cross_entropy", "sum", seed=2)
    nodes = graph(net, [0.5, -1.0], [0.2, 0.3, 0.5])
    sums = [n["id"] for n in nodes if n["op"] == "sum"]
    acts = [n for n in nodes if n["op"] == "activation" and n["l"] == 2]
    assert all(a["inputs"] == sums for a in acts)
    a = np.array([n["value"] for n in acts])
    jac = np.array([n["local"] for n in acts])
    np.testing.assert_allclose(jac, np.diag(a) - np.outer(a, a), rtol=1e-13, atol=1e-16)


def test_the_lecture_xor_net_labels_in_its_notation():
    net = make([2, 2, 1], ["sigmoid", "sigmoid"])
    labels = {(n["op"], n["l"], n["j"], n["i"]): n["label"] for n in graph(net, [1.0, 0.0], [1.0])}
    assert labels[("input", 1, 2, None)] == "x_{2}"
    assert labels[("weight", 2, 1, 2)] == "w_{12}^{2}"
    assert labels[("mul", 3, 1, 2)] == r"w_{12}^{3}\,a_{2}^{2}"
    assert labels[("sum", 3, 1, None)] == "z_{1}^{3}"
    assert labels[("target", 3, 1, None)] == "t_{1}"


# ---- the nudge -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("param", [Param(2, 2, 1), Param(3, 1, None)])
def test_a_nudges_error_shrinks_like_epsilon_squared(reduction, param):
    net = make([2, 3, 1], ["tanh", "sigmoid"], "mse", reduction, seed=4)
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = np.array([[0.0], [1.0], [1.0], [0.0]])
    before = [w.copy() for w in net.weights] + [b.copy() for b in net.biases]
    errors = []
    for eps in (1e-2, 1e-3, 1e-4):
        r = nudge(net, x, t, param, eps)
        assert r["predicted"] == r["gradient"] * eps
        assert r["delta_loss"] == r["loss_after"] - r["loss_before"]
        assert r["loss_before"] == dataset_loss(net, x, t)
        errors.append(abs(r["delta_loss"] - r["predicted"]))
    # second order: ten times smaller ε, a hundred times smaller error
    for big, small in zip(errors, errors[1:], strict=False):
        assert big / small == pytest.approx(100, rel=0.1)
    # the network is untouched
    for got, kept in zip(net.weights + net.biases, before, strict=True):
        np.testing.assert_array_equal(got, kept)
    h = 1e-5
    central = (nudge(net, x, t, param, h)["loss_after"] - nudge(net, x, t, param, -h)["loss_after"]) / (2 * h)
    assert nudge(net, x, t, param, h)["gradient"] == pytest.approx(central, rel=1e-7)


def test_a_nudge_names_the_index_that_does_not_exist():
    net = make([2, 2, 1], ["sigmoid", "sigmoid"])
    x, t = np.zeros((1, 2)), np.zeros((1, 1))
    for param, field in ((Param(4, 1, 1), "l"), (Param(2, 3, 1), "j"), (Param(3, 1, 3), "i")):
        with pytest.raises(SpecError) as err:
            nudge(net, x, t, param, 0.1)
        assert err.value.field == (field,)
