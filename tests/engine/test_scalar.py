"""The scalar fast path for tiny networks: which runs take it, how close it stays to repeated steps, and that it
leaves divergence, snapshots and the optimizer's state exactly as the numpy path does."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from app.engine import compiled, scalar
from app.engine import network as nn
from app.engine.compiled import compile_batch, compile_numpy
from app.engine.functions import ACTIVATIONS, OPTIMIZERS
from app.engine.gradcheck import numeric_gradients
from app.engine.scalar import ScalarRunner, covers
from app.engine.training import train
from tests.engine.scalar_autograd import network_gradients
from tests.engine.test_training import preset_net

HIDDEN = [name for name, act in ACTIVATIONS.items() if not act.output_only]
# (loss, output activation) pairs the registries allow
OUTPUTS = [("mse", name) for name in ACTIVATIONS] + [("cross_entropy", "sigmoid"), ("cross_entropy", "softmax")]
# measured over 1,000 random tiny networks at η ≤ 0.1: median 1e-16, 99.9th percentile 1e-14
RTOL = 1e-12


def flat(net: nn.Network) -> np.ndarray:
    return np.concatenate([a.ravel() for a in net.weights + net.biases])


def gap(a: np.ndarray, b: np.ndarray) -> float:
    """The largest difference relative to the largest entry: entries that nearly cancel, like a softmax layer's
    gradients, carry the rounding of the larger terms they came from."""
    return float(np.abs(a - b).max() / np.abs(b).max())


def relative_gap(a: nn.Network, b: nn.Network) -> float:
    return gap(flat(a), flat(b))


def tiny(hidden: str, loss: str, output: str, optimizer: str, reduction: str, biases: bool, seed: int = 3):
    layers = [2, 3, 2]
    w, b = nn.initial_parameters(layers, "uniform", 1.0, seed)
    net = nn.Network(layers, [hidden, output], w, b, loss, reduction, 0.05, biases, optimizer)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, size=(4, 2))
    t = np.eye(2)[[0, 1, 1, 0]] if output == "softmax" else rng.integers(0, 2, size=(4, 2)).astype(float)
    return net, x, t


def test_the_lectures_xor_takes_the_scalar_path_and_larger_runs_do_not():
    net, x, t = preset_net("xor")
    assert covers(net, 4) and isinstance(compile_batch(net, x, t), ScalarRunner)
    circles, cx, ct = preset_net("circles")
    assert not covers(circles, cx.shape[0])
    assert not isinstance(compile_batch(circles, cx, ct), ScalarRunner)


def test_xor_over_10000_iterations_stays_within_rounding_of_repeated_steps():
    net, x, t = preset_net("xor")
    twin = net.copy()
    result = train(net, x, t, 10_000, record_every=1000)
    for iteration in range(1, 10_001):
        nn.step(twin, x, t)
        if iteration % 1000 == 0:
            # measured: 6e-15 at worst over the run, through the plateau and the escape from it
            np.testing.assert_allclose(dict(result.snapshots)[iteration], nn.forward(twin, x).output, rtol=RTOL)
    assert relative_gap(net, twin) <= RTOL


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_every_rule_combination_stays_within_rounding_of_repeated_steps(optimizer):
    for hidden, (loss, output), reduction, biases in itertools.product(HIDDEN, OUTPUTS, ("sum", "mean"),
                                                                       (True, False)):
        net, x, t = tiny(hidden, loss, output, optimizer, reduction, biases)
        fast, slow = net.copy(), net.copy()
        runner = compile_batch(fast, x, t)
        assert isinstance(runner, ScalarRunner)
        runner(25)
        for _ in range(25):
            nn.step(slow, x, t)
        case = (hidden, loss, output, reduction, biases)
        assert relative_gap(fast, slow) <= RTOL, case
        assert fast.optimizer_state.keys() == slow.optimizer_state.keys()
        for key, value in slow.optimizer_state.items():
            assert gap(fast.optimizer_state[key], value) <= RTOL, (case, key)
        if not biases:
            for a, b in zip(fast.biases, net.biases, strict=True):
                assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize("acts,loss", [
    (["sigmoid", "sigmoid"], "mse"), (["tanh", "softmax"], "cross_entropy"), (["relu", "linear"], "mse"),
    (["leaky_relu", "sigmoid"], "cross_entropy"), (["softplus", "softplus"], "mse"), (["tanh", "softmax"], "mse"),
])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_one_scalar_step_descends_along_the_true_gradient(acts, loss, reduction):
    # with SGD and η = 1 one step is w - ∂L/∂w, so the step itself shows the gradient the scalar code computed
    layers = [3, 4, 2]
    w, b = nn.initial_parameters(layers, "uniform", 1.0, 21)
    net = nn.Network(layers, acts, w, b, loss, reduction, 1.0)
    rng = np.random.default_rng(21)
    x = rng.uniform(-2, 2, size=(3, 3))
    t = np.eye(2)[[0, 1, 1]] if acts[-1] == "softmax" else rng.integers(0, 2, size=(3, 2)).astype(float)
    stepped = net.copy()
    runner = compile_batch(stepped, x, t)
    assert isinstance(runner, ScalarRunner)
    runner(1)
    grad_w = [before - after for before, after in zip(net.weights, stepped.weights, strict=True)]
    grad_b = [before - after for before, after in zip(net.biases, stepped.biases, strict=True)]
    want_w, want_b = network_gradients([a.tolist() for a in net.weights], [a.tolist() for a in net.biases], acts,
                                       loss, reduction == "mean", x.tolist(), t.tolist())
    num_w, num_b = numeric_gradients(net, x, t)
    for k in range(2):
        # w - (w - g) recovers g to within half an ulp of w, hence the absolute tolerance
        np.testing.assert_allclose(grad_w[k], want_w[k], rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(grad_b[k], want_b[k], rtol=1e-9, atol=1e-14)
        np.testing.assert_allclose(grad_w[k], num_w[k], rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(grad_b[k], num_b[k], rtol=1e-5, atol=1e-8)


def test_relu_at_exactly_zero_takes_the_registrys_derivative_zero():
    # he initialisation starts the biases at 0, so the sample x = 0 puts every hidden z exactly on the kink
    w, b = nn.initial_parameters([2, 3, 1], "he", 1.0, 4)
    net = nn.Network([2, 3, 1], ["relu", "linear"], w, b, learning_rate=0.1)
    x, t = np.array([[0.0, 0.0], [1.0, -1.0]]), np.array([[1.0], [0.5]])
    fast, slow = net.copy(), net.copy()
    compile_batch(fast, x, t)(1)
    nn.step(slow, x, t)
    assert relative_gap(fast, slow) <= RTOL


def test_snapshots_and_losses_match_the_numpy_path(monkeypatch):
    net, x, t = preset_net("xor")
    fast = train(net.copy(), x, t, 3000, record_every=500, loss_every=100, with_gradient_norms=True)
    monkeypatch.setattr(compiled, "covers", lambda net, samples: False)
    slow = train(net.copy(), x, t, 3000, record_every=500, loss_every=100, with_gradient_norms=True)
    assert [i for i, _ in fast.loss_history] == [i for i, _ in slow.loss_history] == list(range(0, 3001, 100))
    np.testing.assert_allclose([v for _, v in fast.loss_history], [v for _, v in slow.loss_history], rtol=RTOL)
    assert [i for i, _ in fast.snapshots] == [i for i, _ in slow.snapshots]
    for (_, a), (_, b) in zip(fast.snapshots, slow.snapshots, strict=True):
        np.testing.assert_allclose(a, b, rtol=RTOL)
    for a, b in zip(fast.gradient_norms, slow.gradient_norms, strict=True):
        assert a["iteration"] == b["iteration"]
        for la, lb in zip(a["layers"], b["layers"], strict=True):
            assert la["grad_w"] == pytest.approx(lb["grad_w"], rel=1e-9)


@pytest.mark.parametrize("layers,optimizer,lr,at", [
    ([1, 1], "sgd", 10.0, 121), ([1, 1], "momentum", 10.0, 123), ([1, 1, 1, 1], "adam", 1e74, 0),
])
def test_divergence_stops_at_the_same_iteration_with_the_same_message_as_the_numpy_path(monkeypatch, layers,
                                                                                         optimizer, lr, at):
    # with SGD o - t grows by a factor 1 - 2η each step (w and b both move) until the loss overflows mid-chunk;
    # Adam's steps are about η long, so it overflows through the product of three weights
    w, b = nn.initial_parameters(layers, "uniform", 1.0, 0)
    net = nn.Network(layers, ["linear"] * (len(layers) - 1), w, b, "mse", "sum", lr, optimizer=optimizer)
    x, t = np.array([[1.0]]), np.array([[0.0]])
    assert covers(net, 1)
    fast_net = net.copy()
    fast = train(fast_net, x, t, 200, loss_every=10)
    monkeypatch.setattr(compiled, "covers", lambda net, samples: False)
    slow_net = net.copy()
    slow = train(slow_net, x, t, 200, loss_every=10)
    assert fast.diverged and slow.diverged
    assert fast.iterations_done == slow.iterations_done == at
    assert fast.message == slow.message
    assert fast_net.is_finite()
    np.testing.assert_allclose(flat(fast_net), flat(slow_net), rtol=RTOL)
    assert [i for i, _ in fast.loss_history] == [i for i, _ in slow.loss_history]


def test_a_run_that_overflows_is_decided_by_numpys_arithmetic(monkeypatch):
    # at iteration 16 the second hidden node's z is w·a with one product past -max and one past +max: numpy's
    # fused multiply-add gives -inf and the run goes on finite, Python's floats give -inf + inf = NaN
    w = [[[0.9653110331375745, 0.10297160786108961], [-0.18363441805415293, -0.9573823688204395]],
         [[0.5845497691252752, 0.7449028664632737]]]
    b = [[-0.5190650583205687, 0.2560913524745483], [0.1354037954072549]]
    net = nn.Network([2, 2, 1], ["softplus", "sigmoid"], w, b, "cross_entropy", "sum", 85.10124139175487,
                     optimizer="momentum")
    x = np.array([[-5.40554691790759e16, 5.013731092216892e16], [-6.016295848678404e16, -7.216678177036931e16]])
    t = np.array([[1.0], [0.0]])
    assert covers(net, 2)
    fast_net, slow_net = net.copy(), net.copy()
    with np.errstate(all="ignore"):  # the snapshots' forward pass overflows too
        fast = train(fast_net, x, t, 300, loss_every=25)
        monkeypatch.setattr(compiled, "covers", lambda net, samples: False)
        slow = train(slow_net, x, t, 300, loss_every=25)
    assert (fast.diverged, fast.iterations_done) == (slow.diverged, slow.iterations_done) == (False, 300)
    assert fast_net.is_finite()


def test_a_python_arithmetic_error_hands_the_run_to_numpy_from_the_same_start(monkeypatch):
    net, x, t = tiny("tanh", "mse", "sigmoid", "adam", "sum", True)
    net.optimizer_state = {}
    warm = net.copy()
    compile_numpy(warm, x, t)(5)  # a run under way: Adam's state and t = 5
    fast, slow = warm.copy(), warm.copy()
    runner = compile_batch(fast, x, t)
    assert isinstance(runner, ScalarRunner)

    def overflowing(*args):
        raise OverflowError("math range error")

    monkeypatch.setattr(runner, "step", overflowing)
    runner(7)
    compile_numpy(slow, x, t)(7)
    assert flat(fast).tobytes() == flat(slow).tobytes()
    assert fast.optimizer_state["t"][0] == 12.0
    # the runner carries on from numpy's result with its own arithmetic again
    monkeypatch.undo()
    runner(3)
    compile_numpy(slow, x, t)(3)
    assert relative_gap(fast, slow) <= RTOL


def test_rules_without_a_scalar_form_and_larger_networks_take_the_numpy_path(monkeypatch):
    net, x, t = tiny("tanh", "mse", "sigmoid", "sgd", "sum", True)
    assert covers(net, 4)
    assert covers(net, scalar.SCALAR_LIMIT // 17)  # 12 weights and 5 nodes
    assert not covers(net, scalar.SCALAR_LIMIT // 17 + 1)
    # rules whose registry records carry no scalar form
    monkeypatch.setitem(ACTIVATIONS, "swish", replace(ACTIVATIONS["tanh"], name="swish", scalar=None))
    odd = nn.Network([2, 3, 2], ["swish", "sigmoid"], net.weights, net.biases)
    assert not covers(odd, 4)
    heavy = nn.Network([2, 3, 2], ["tanh", "sigmoid"], net.weights, net.biases)
    monkeypatch.setitem(OPTIMIZERS, "heavy_ball", replace(OPTIMIZERS["sgd"], name="heavy_ball", scalar=None))
    heavy.optimizer = "heavy_ball"
    assert not covers(heavy, 4)


def test_the_step_is_compiled_once_per_architecture():
    net, x, t = tiny("relu", "cross_entropy", "softmax", "momentum", "mean", False)
    first = compile_batch(net, x, t)
    other, _, _ = tiny("relu", "cross_entropy", "softmax", "momentum", "mean", False, seed=8)
    again = compile_batch(other, x[:2], t[:2])
    assert isinstance(first, ScalarRunner) and isinstance(again, ScalarRunner)
    assert first.step is again.step
    src = scalar.source([2, 3, 2], ["relu", "softmax"], "cross_entropy", True, "momentum", False)
    # frozen biases are read, never updated; δ^L = o - t for softmax with cross-entropy
    assert "b2_1 = b2_1 -" not in src and "gb2_1" not in src
    assert "d3_1 = a3_1 - t_1" in src
