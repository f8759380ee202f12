"""Mini-batches, gradient norms, the loss landscape and the vanishing-gradient presets."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import network as nn
from app.engine.landscape import Param, landscape
from app.engine.presets import PRESETS
from app.engine.training import gradient_norms, train
from tests.engine.test_training import preset_net


def test_minibatch_shuffles_per_epoch_and_a_split_run_equals_one_run():
    net, x, t = preset_net("circles")
    one, split = net.copy(), net.copy()
    r1 = train(one, x, t, 6, "minibatch", batch_size=32, seed=3)
    done = 0
    for part in (2, 3, 1):
        train(split, x, t, part, "minibatch", batch_size=32, seed=3, start=done)
        done += part
    assert r1.iterations_done == 6
    for a, b in zip(one.weights + one.biases, split.weights + split.biases, strict=True):
        assert a.tobytes() == b.tobytes()
    # a mini-batch epoch by hand: the seeded order, one step per batch of 32 (the last one shorter)
    hand = net.copy()
    order = np.random.default_rng([3, 0]).permutation(len(x))
    for at in range(0, len(x), 32):
        nn.step(hand, x[order[at : at + 32]], t[order[at : at + 32]])
    first = net.copy()
    train(first, x, t, 1, "minibatch", batch_size=32, seed=3)
    for a, b in zip(first.weights, hand.weights, strict=True):
        assert a.tobytes() == b.tobytes()
    other = net.copy()
    train(other, x, t, 1, "minibatch", batch_size=32, seed=4)
    assert other.weights[0].tobytes() != first.weights[0].tobytes()


def test_minibatch_of_the_whole_set_is_one_batch_step_per_epoch():
    net, x, t = preset_net("xor")
    mb, batch = net.copy(), net.copy()
    train(mb, x, t, 5, "minibatch", batch_size=len(x), seed=0)
    train(batch, x, t, 5, "batch")
    for a, b in zip(mb.weights, batch.weights, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-15)


def test_minibatch_needs_a_batch_size():
    net, x, t = preset_net("xor")
    with pytest.raises(nn.SpecError) as err:
        train(net, x, t, 1, "minibatch")
    assert err.value.field == ("batch_size",)


def test_gradient_norms_are_recorded_before_each_update_and_the_first_equals_backward():
    net, x, t = preset_net("xor")
    grads = nn.backward(net, nn.forward(net, x), t)
    result = train(net.copy(), x, t, 300, "batch", record_every=100, with_gradient_norms=True)
    assert [n["iteration"] for n in result.gradient_norms] == [0, 100, 200, 300]
    first = result.gradient_norms[0]["layers"]
    assert [layer["l"] for layer in first] == [2, 3]
    for layer, gw, d in zip(first, grads.grad_w, grads.delta, strict=True):
        assert layer["grad_w"] == pytest.approx(np.linalg.norm(gw), rel=1e-14)
        assert layer["delta"] == pytest.approx(np.linalg.norm(d), rel=1e-14)
    # at iteration 100: the norms of the weights after exactly 100 updates
    hundred = net.copy()
    train(hundred, x, t, 100, "batch")
    assert result.gradient_norms[1] == gradient_norms(hundred, x, t, 100)
    assert train(net.copy(), x, t, 10).gradient_norms == []


def test_deep_sigmoid_preset_shows_vanishing_gradients_and_its_tanh_twin_does_not():
    norms = {}
    for name in ("deep_sigmoid", "deep_tanh"):
        net, x, t = preset_net(name)
        assert len(net.layers) - 1 >= 4
        layers = gradient_norms(net, x, t, 0)["layers"]
        norms[name] = layers[0]["grad_w"] / layers[-1]["grad_w"]
    assert norms["deep_sigmoid"] < 0.1
    assert norms["deep_tanh"] > 0.1
    assert "0.25" in PRESETS["deep_sigmoid"]["description"]


def test_landscape_centre_is_the_networks_loss_bit_for_bit_and_each_point_moves_only_two_parameters():
    net, x, t = preset_net("xor")
    xs, ys, loss = landscape(net, x, t, Param(2, 1, 1), Param(3, 1, None), 1.5, 7)
    assert len(xs) == len(ys) == 7 and all(len(row) == 7 for row in loss)
    assert xs[3] == net.weights[0][0, 0] and ys[3] == net.biases[1][0]
    assert loss[3][3] == nn.dataset_loss(net, x, t)
    assert xs[0] == pytest.approx(net.weights[0][0, 0] - 1.5) and ys[-1] == pytest.approx(net.biases[1][0] + 1.5)
    moved = net.copy()
    moved.weights[0][0, 0] = xs[5]
    moved.biases[1][0] = ys[1]
    assert loss[1][5] == nn.dataset_loss(moved, x, t)
    # the network itself is untouched
    assert net.weights[0][0, 0] == xs[3]


@pytest.mark.parametrize("px,py,field", [
    (Param(4, 1, 1), Param(2, 1, 1), ("x", "l")),
    (Param(2, 3, 1), Param(2, 1, 1), ("x", "j")),
    (Param(2, 1, 1), Param(2, 1, 9), ("y", "i")),
    (Param(2, 1, 1), Param(2, 1, 1), ("y",)),
])
def test_landscape_refuses_parameters_that_do_not_exist(px, py, field):
    net, x, t = preset_net("xor")
    with pytest.raises(nn.SpecError) as err:
        landscape(net, x, t, px, py, 1.0, 5)
    assert err.value.field == field
