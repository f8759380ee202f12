"""The registries are the one source of every rule: each record is complete, consistent and used by every path."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.engine import network as nn
from app.engine.compiled import compile_batch
from app.engine.functions import ACTIVATIONS, LOSSES, OPTIMIZERS, catalogue
from app.engine.quantities import QUANTITIES, TRACE_ORDER, event_count
from app.engine.trace import trace
from app.engine.training import train

ELEMENTWISE = [name for name, act in ACTIVATIONS.items() if act.df is not None]


def central(f, z, h=1e-6):
    return (f(z + h) - f(z - h)) / (2 * h)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_each_derivative_matches_central_differences_of_its_function(name):
    act = ACTIVATIONS[name]
    # away from ReLU's kink, where the one-sided rule is a convention
    z = np.array([[-3.1, -0.7, 0.3, 1.9, 4.2]])
    np.testing.assert_allclose(act.df(z, act.f(z)), central(act.f, z), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_each_rule_written_into_out_arrays_equals_it_allocating_to_the_bit(name):
    # the compiled path calls f, df and vjp with out= arrays; step() calls them without
    act = ACTIVATIONS[name]
    rng = np.random.default_rng(4)
    z = np.concatenate([rng.normal(0, 3, size=(7, 5)), [[0.0, -0.0, 1e-310, 800.0, -800.0]]])
    g = rng.normal(size=z.shape)
    a, out = np.full_like(z, np.nan), np.full_like(z, np.nan)
    assert act.f(z, a) is a and a.tobytes() == act.f(z).tobytes()
    assert act.vjp(z, a, g, out) is out and out.tobytes() == act.vjp(z, act.f(z), g).tobytes()
    if act.df is not None:
        d = np.full_like(z, np.nan)
        assert act.df(z, a, d) is d and d.tobytes() == act.df(z, act.f(z)).tobytes()


def test_softplus_is_log_one_plus_exp_with_sigmoid_derivative():
    sp = ACTIVATIONS["softplus"]
    z = np.array([[-800.0, -2.0, 0.0, 2.0, 800.0]])
    a = sp.f(z)
    assert np.isfinite(a).all()
    np.testing.assert_allclose(a[0, 1:4], [math.log1p(math.exp(v)) for v in (-2.0, 0.0, 2.0)], rtol=1e-15)
    assert a[0, -1] == 800.0 and a[0, 0] == 0.0
    # f'(z) = σ(z), and its closed form in a: 1 - e^{-a}
    sigma = 1 / (1 + np.exp(-z[0, 1:4]))
    np.testing.assert_allclose(sp.df(z, a)[0, 1:4], sigma, rtol=1e-14)
    np.testing.assert_allclose(1 - np.exp(-a[0, 1:4]), sigma, rtol=1e-12)
    assert "softplus" in sp.f_latex and r"\sigma(z)" in sp.df_latex


def test_softplus_network_passes_gradcheck_and_trains():
    from app.engine.gradcheck import gradcheck

    w, b = nn.initial_parameters([2, 3, 1], "uniform", 1.0, 5)
    net = nn.Network([2, 3, 1], ["softplus", "sigmoid"], w, b)
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = np.array([[0.0], [1.0], [1.0], [0.0]])
    assert gradcheck(net, x, t).ok
    before = nn.dataset_loss(net, x, t)
    result = train(net, x, t, 200)
    assert result.iterations_done == 200 and not result.diverged
    assert nn.dataset_loss(net, x, t) < before


def test_every_loss_names_its_outputs_and_is_refused_on_others():
    for name, loss in LOSSES.items():
        if loss.outputs is None:
            continue
        wrong = next(a for a in ACTIVATIONS if a not in loss.outputs and not ACTIVATIONS[a].output_only)
        with pytest.raises(nn.SpecError) as err:
            nn.validate_structure([2, 2], [wrong], name, "sum")
        assert err.value.field == ("loss",) and " or ".join(loss.outputs) in err.value.message


def test_unknown_optimizer_is_refused_naming_the_field():
    with pytest.raises(nn.SpecError) as err:
        nn.validate_structure([2, 2], ["sigmoid"], "mse", "sum", "adagrad")
    assert err.value.field == ("optimizer", "name") and "sgd" in err.value.message


def test_sgd_update_is_w_minus_eta_times_gradient_without_touching_the_gradient():
    sgd = OPTIMIZERS["sgd"]
    w = np.array([0.5, -1.0, 2.0])
    g = np.array([0.1, -0.2, 0.0])
    kept = g.copy()
    sgd.update(w, g, sgd.init_state(3), 0.5, np.empty(3), {})
    np.testing.assert_array_equal(w, [0.45, -0.9, 2.0])
    np.testing.assert_array_equal(g, kept)
    assert sgd.event_latex("w", 0.5, "0.5", "0.1", 0.45, {}, {}, {}).endswith("= 0.5 - 0.5 \\times 0.1 = 0.45")


def test_the_numpy_compiled_path_and_repeated_steps_agree_to_the_bit():
    for acts in (["sigmoid", "sigmoid"], ["softplus", "tanh"], ["relu", "linear"]):
        w, b = nn.initial_parameters([2, 4, 2], "uniform", 1.0, 9)
        net = nn.Network([2, 4, 2], acts, w, b, learning_rate=0.3)
        x = np.random.default_rng(0).normal(size=(6, 2))
        t = np.random.default_rng(1).uniform(size=(6, 2))
        fast, slow = net.copy(), net.copy()
        compile_batch(fast, x, t)(25)
        for _ in range(25):
            nn.step(slow, x, t)
        for a, c in zip(fast.weights + fast.biases, slow.weights + slow.biases, strict=True):
            assert a.tobytes() == c.tobytes()


@pytest.mark.parametrize("layers,biases",
                         [([2, 2, 1], True), ([3, 5, 4, 2], True), ([1, 1], False), ([4, 7, 3], False)])
def test_event_count_from_the_quantity_records_equals_the_trace(layers, biases):
    w, b = nn.initial_parameters(layers, "uniform", 1.0, 0)
    net = nn.Network(layers, ["tanh"] * (len(layers) - 2) + ["softmax"], w, b, "cross_entropy", train_biases=biases)
    events, _ = trace(net, np.ones(layers[0]), np.eye(layers[-1])[0])
    assert len(events) == event_count(layers, biases)
    # the trace walks the quantities in TRACE_ORDER, each as one contiguous run
    runs = [(e["phase"], e["quantity"]) for e in events]
    order = [k for i, k in enumerate(runs) if i == 0 or runs[i - 1] != k]
    assert set(order) <= set(TRACE_ORDER)


def test_trace_update_values_are_the_engines_own_update():
    w, b = nn.initial_parameters([2, 3, 1], "uniform", 1.0, 2)
    net = nn.Network([2, 3, 1], ["sigmoid", "sigmoid"], w, b, learning_rate=0.5)
    events, _ = trace(net, [1.0, 0.0], [1.0])
    stepped = net.copy()
    nn.step(stepped, np.array([[1.0, 0.0]]), np.array([[1.0]]))
    for e in events:
        if e["phase"] == "update":
            stored = stepped.weights if e["quantity"] == "w" else stepped.biases
            expected = (stored[e["l"] - 2][e["j"] - 1, e["i"] - 1] if e["quantity"] == "w"
                        else stored[e["l"] - 2][e["j"] - 1])
            assert e["value"] == expected


def test_delta_formulas_show_the_lectures_closed_forms_with_numbers():
    from app.engine.latex import num

    w, b = nn.initial_parameters([2, 2, 1], "uniform", 1.0, 2)
    net = nn.Network([2, 2, 1], ["sigmoid", "sigmoid"], w, b)
    events, _ = trace(net, [1.0, 1.0], [1.0])
    out = next(e for e in events if e["quantity"] == "a" and e["l"] == 3)["value"]
    delta_out = next(e for e in events if e["quantity"] == "delta" and e["l"] == 3)
    # δ_1^3 = (o_1 - t_1) · o_1 (1 - o_1), written with the numbers as the lecture does
    assert r"(o_{1} - t_{1}) \cdot a_{1}^{3} \cdot (1 - a_{1}^{3})" in delta_out["latex"]
    o = num(out)
    assert f"({o} - 1) \\cdot {o} \\cdot (1 - {o}) = {num(delta_out['value'])}" in delta_out["latex"]
    hidden = next(e for e in events if e["quantity"] == "delta" and e["l"] == 2)
    assert r"\left(\sum_k w_{k1}^{3}\,\delta_k^{3}\right) \cdot a_{1}^{2} \cdot (1 - a_{1}^{2})" in hidden["latex"]
    relu = nn.Network([2, 2, 1], ["relu", "linear"], w, b)
    events, _ = trace(relu, [1.0, 1.0], [1.0])
    assert r"[z_{1}^{2} > 0]" in next(e for e in events if e["quantity"] == "delta" and e["l"] == 2)["latex"]


def test_softmax_with_cross_entropy_shows_the_fused_delta_it_computes():
    w, b = nn.initial_parameters([2, 3], "uniform", 1.0, 2)
    net = nn.Network([2, 3], ["softmax"], w, b, "cross_entropy")
    events, _ = trace(net, [0.5, -1.0], [0.0, 1.0, 0.0])
    for e in (e for e in events if e["quantity"] == "delta"):
        assert e["latex"].split(" = ")[2].startswith(f"o_{{{e['j']}}} - t_{{{e['j']}}}")
        assert "softmax}'" not in e["latex"]


def test_guarded_step_keeps_the_weights_when_the_update_overflows():
    net = nn.Network([1, 1], ["linear"], [np.array([[1e300]])], [np.array([0.0])], learning_rate=1e10)
    before = [w.copy() for w in net.weights]
    outcome = nn.guarded_step(net, np.array([[1e5]]), np.array([[0.0]]), iteration=7)
    assert not outcome.applied and outcome.loss_after is None
    assert outcome.message is not None and "iteration 7" in outcome.message and "diverged" in outcome.message
    assert net.weights[0].tobytes() == before[0].tobytes()
    ok = nn.Network([1, 1], ["linear"], [np.array([[1.0]])], [np.array([0.0])], learning_rate=0.1)
    kept = nn.guarded_step(ok, np.array([[1.0]]), np.array([[0.0]]))
    # w and b both move by 0.1
    assert kept.applied and kept.message is None and kept.loss_after == pytest.approx(0.5 * 0.8**2)


def test_catalogue_lists_every_registry_record_in_plain_data():
    cat = catalogue()
    assert [a["name"] for a in cat["activations"]] == list(ACTIVATIONS)
    assert [q["name"] for q in cat["quantities"]] == list(QUANTITIES)
    assert {s["name"]: s["outputs"] for s in cat["losses"]} == {"mse": None, "cross_entropy": ["sigmoid", "softmax"]}
    assert [o["name"] for o in cat["optimizers"]] == list(OPTIMIZERS)
    assert cat["reductions"] == ["sum", "mean"] and cat["train_modes"] == ["batch", "online", "minibatch"]
    assert {q["scale"] for q in cat["quantities"]} == {"diverging", "sequential"}
    softmax = next(a for a in cat["activations"] if a["name"] == "softmax")
    assert softmax["output_only"] is True


def test_a_stateful_optimizer_is_one_record_and_both_paths_carry_its_state(monkeypatch):
    from app.engine.functions import Optimizer

    def momentum(params, grads, state, lr, scratch, hp):
        # v ← 0.9 v + ∂L/∂w ; w ← w − η v
        np.multiply(state["v"], 0.9, state["v"])
        np.add(state["v"], grads, state["v"])
        np.multiply(state["v"], lr, scratch)
        np.subtract(params, scratch, params)

    record = Optimizer("heavy_ball", r"v \leftarrow 0.9 v + g", momentum, lambda *args: "",
                       init_state=lambda size: {"v": np.zeros(size)})
    monkeypatch.setitem(OPTIMIZERS, "heavy_ball", record)
    w, b = nn.initial_parameters([2, 3, 1], "uniform", 1.0, 1)
    net = nn.Network([2, 3, 1], ["tanh", "sigmoid"], w, b, learning_rate=0.2, optimizer="heavy_ball")
    x = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = np.array([[1.0], [1.0], [0.0]])
    fast, slow = net.copy(), net.copy()
    compile_batch(fast, x, t)(10)
    for _ in range(10):
        nn.step(slow, x, t)
    for a, c in zip(fast.weights + fast.biases, slow.weights + slow.biases, strict=True):
        assert a.tobytes() == c.tobytes()
    assert fast.optimizer_state["v"].tobytes() == slow.optimizer_state["v"].tobytes()
    assert np.abs(slow.optimizer_state["v"]).sum() > 0


def test_only_the_inputs_gradients_are_marked_optional():
    w, b = nn.initial_parameters([2, 2, 1], "uniform", 1.0, 2)
    net = nn.Network([2, 2, 1], ["sigmoid", "sigmoid"], w, b)
    events, _ = trace(net, [1.0, 1.0], [1.0])
    optional = [e for e in events if e.get("optional")]
    assert [(e["quantity"], e["l"], e["j"]) for e in optional] == [("grad_a", 1, 1), ("grad_a", 1, 2)]
    # nothing reads them
    assert not {e["id"] for e in optional} & {d for e in events for d in e["depends_on"]}
