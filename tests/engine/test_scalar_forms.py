"""The registries' scalar forms (tiny networks' path, scalar.py) against the numpy functions they stand in for.

Every activation's scalar forward and vjp and every optimizer's scalar update is checked against the same
record's numpy code; a record without a scalar form sends its networks to the numpy path.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from app.engine import network as nn
from app.engine.compiled import BatchRunner, compile_batch, compile_numpy
from app.engine.functions import ACTIVATIONS, OPTIMIZERS
from app.engine.scalar import FUNCTIONS, ScalarRunner, covers
from app.engine.scalar_forms import ScalarUpdate, elementwise

# 0, a subnormal, the sigmoid's and softplus's switch-overs, exp's overflow edge and far past it, both signs
_EDGES = [0.0, 5e-324, 1e-300, 1e-8, 0.1, 0.5, 1.0, 2.5, 7.3, 19.0, 37.0, 40.0, 300.0, 709.0, 710.0, 800.0, 1e300]
Z_GRID = np.array(sorted({*_EDGES, *(-v for v in _EDGES)}) + list(np.random.default_rng(5).normal(0, 4, 200)))
WIDTHS = (1, 2, 3, 5)  # layer sizes the emitters run on: softmax's max and sums change with the width
SCALAR_ACTIVATIONS = [name for name, act in ACTIVATIONS.items() if act.scalar is not None]
SCALAR_OPTIMIZERS = [name for name, opt in OPTIMIZERS.items() if opt.scalar is not None]
# numpy's own versions of the library functions the forms call, as the records' numpy code calls them
NUMPY_FUNCTIONS: dict[str, object] = {"tanh": np.tanh, "exp": np.exp, "log1p": np.log1p, "sqrt": np.sqrt}


def _run_lines(lines: list[str], values: dict[str, object], calls: list[str],
               functions: dict[str, object] = FUNCTIONS) -> dict[str, object]:
    """Run emitted lines with scalar.py's library functions (or others), recording in `calls` which they call."""
    def counted(name, fn):
        def call(*args):
            calls.append(name)
            return fn(*args)
        return call

    namespace: dict[str, object] = {name: counted(name, fn) for name, fn in functions.items()}
    namespace.update(values)
    exec("\n".join(lines), namespace)
    return namespace


def _same_operations(lines: list[str], given: dict[str, object], names: list[str], want: np.ndarray) -> bool:
    """True if the lines give `want` to the bit with numpy's library functions or with the C library's (math's):
    then they do the record's operations in its order (np.logaddexp, say, calls the C library's exp and log1p)."""
    return any(np.array([_run_lines(lines, given, [], functions)[n] for n in names], dtype=float).tobytes()
               == want.tobytes() for functions in (NUMPY_FUNCTIONS, FUNCTIONS))


def check_scalar_activation(act, z: np.ndarray, g: np.ndarray) -> None:
    """The record's scalar forward and vjp on one layer against its numpy f and vjp.

    Lines that call no library function do IEEE arithmetic only, which Python and numpy round alike, so they
    must agree to the bit. math.tanh/exp/log1p are not numpy's and may differ in the last bits, so lines that
    call them agree within 1e-15 relative, or 2^-53 absolute where ½ tanh(½ z) + ½ cancels to nearly 0, and to
    the bit once given the library functions the numpy code calls.
    """
    forward, vjp = act.scalar
    zs, avs, gs, ds = ([f"{p}{k}" for k in range(z.size)] for p in ("z", "a", "g", "d"))
    want_a = act.f(z[None, :])[0]
    calls: list[str] = []
    given = dict(zip(zs, z.tolist(), strict=True))
    got = _run_lines(forward(zs, avs), given, calls)
    got_a = np.array([got[a] for a in avs], dtype=float)
    if calls:
        np.testing.assert_allclose(got_a, want_a, rtol=1e-15, atol=2.0**-53, err_msg=f"{act.name} forward")
        assert _same_operations(forward(zs, avs), given, avs, want_a), (act.name, "forward", z)
    else:
        assert got_a.tobytes() == want_a.tobytes(), (act.name, "forward", z)
    # the vjp is given the numpy forward's a, so only the vjp itself is compared
    want_d = act.vjp(z[None, :], want_a[None, :], g[None, :])[0]
    calls.clear()
    given = dict(zip(zs + avs + gs, [*z.tolist(), *want_a.tolist(), *g.tolist()], strict=True))
    got = _run_lines(vjp(zs, avs, gs, ds), given, calls)
    got_d = np.array([got[d] for d in ds], dtype=float)
    if calls:
        # δ = f'(z) g: the library's last bits in f'(z), and δ's own rounding, scale with |g|
        assert (np.abs(got_d - want_d) <= 1e-15 * np.abs(want_d) + 2.0**-52 * np.abs(g)).all(), (act.name, "vjp", z)
        assert _same_operations(vjp(zs, avs, gs, ds), given, ds, want_d), (act.name, "vjp", z)
    else:
        assert got_d.tobytes() == want_d.tobytes(), (act.name, "vjp", z)


def _check_on_the_grid(act) -> None:
    rng = np.random.default_rng(6)
    g = rng.normal(size=Z_GRID.size) * np.where(rng.uniform(size=Z_GRID.size) < 0.2, 1e200, 1.0)
    g[::9] = 0.0
    for width in WIDTHS:
        for k in range(0, Z_GRID.size - width + 1, width):
            check_scalar_activation(act, Z_GRID[k : k + width], g[k : k + width])


@pytest.mark.parametrize("name", SCALAR_ACTIVATIONS)
def test_each_scalar_activation_form_agrees_with_its_numpy_functions(name):
    _check_on_the_grid(ACTIVATIONS[name])


def scalar_update_run(form, params: np.ndarray, grads: list[np.ndarray], state: dict[str, np.ndarray], lr: float,
                      hp: dict[str, float]) -> tuple[list[float], dict[str, list[float]], float]:
    """The record's scalar update applied once per gradient vector, laid out as in scalar.py's step."""
    qs = [f"p{k}" for k in range(params.size)]
    kept = [f"[{', '.join(f'{s}_{q}' for q in qs)}]" for s in form.state]
    lines = [f"({', '.join(qs)},) = params"]
    lines += [f"({', '.join(f'{s}_{q}' for q in qs)},) = state[{k}]" for k, s in enumerate(form.state)]
    lines += [*form.setup, f"for {', '.join(f'g{q}' for q in qs)}, in grads:"]
    lines += ["    " + line for line in [*form.per_step, *(x for q in qs for x in form.parameter(q))]]
    lines.append(f"out = [{', '.join(qs)}], [{', '.join(kept)}]")
    given = {"params": params.tolist(), "state": [state[s].tolist() for s in form.state], "lr": lr, "hp": hp,
             "t": float(state["t"][0]) if "t" in state else 0.0, "grads": [tuple(g.tolist()) for g in grads]}
    namespace = _run_lines(lines, given, [])
    values, lists = namespace["out"]
    return values, dict(zip(form.state, lists, strict=True)), float(namespace["t"])


def check_scalar_update(opt, hp: dict[str, float], steps: int = 6) -> None:
    """The record's scalar update against its numpy update, to the bit: the same IEEE operations in the same
    order, and math.sqrt rounds correctly as np.sqrt does."""
    rng = np.random.default_rng(7)
    params = rng.normal(size=6)
    grads = [rng.normal(size=6) * rng.choice([1e-6, 1.0, 1e3], size=6) for _ in range(steps)]
    grads[1][2] = 0.0
    state = opt.init_state(params.size)
    # the scalar form carries every array the numpy update keeps (a one-element t as its step count)
    assert set(opt.scalar.state) | ({"t"} & state.keys()) == state.keys(), opt.name
    got, got_state, got_t = scalar_update_run(opt.scalar, params, grads, state, 0.05, hp)
    want = params.copy()
    for g in grads:
        scratch = g.copy()
        opt.update(want, scratch, state, 0.05, scratch, hp)
    assert np.array(got).tobytes() == want.tobytes(), opt.name
    for key, value in got_state.items():
        assert np.array(value).tobytes() == state[key].tobytes(), (opt.name, key)
    if "t" in state:
        assert got_t == state["t"][0] == steps


@pytest.mark.parametrize("name", SCALAR_OPTIMIZERS)
def test_each_scalar_optimizer_update_gives_its_numpy_update_to_the_bit(name):
    opt = OPTIMIZERS[name]
    check_scalar_update(opt, opt.settings({}))
    # hyper-parameters away from their defaults, so a form that ignored hp would fail
    check_scalar_update(opt, {key: h.default * 0.5 for key, h in opt.hyper.items()})


def test_the_scalar_form_checks_fail_on_forms_that_differ_from_their_record():
    sigmoid, softplus, adam = ACTIVATIONS["sigmoid"], ACTIVATIONS["softplus"], OPTIMIZERS["adam"]
    # a (1 - a) g regrouped as a ((1 - a) g): the same derivative, rounded otherwise (the bitwise branch)
    regrouped = elementwise("", "{d} = {a} * ((1.0 - {a}) * {g})")[1]
    with pytest.raises(AssertionError):
        _check_on_the_grid(replace(sigmoid, scalar=(sigmoid.scalar[0], regrouped)))
    # tanh at the wrong scale (the branch with tolerances)
    with pytest.raises(AssertionError):
        _check_on_the_grid(replace(sigmoid, scalar=(elementwise("{a} = 0.5 * tanh({z}) + 0.5", "")[0],
                                                    sigmoid.scalar[1])))
    # ln(1 + e^z) without np.logaddexp's switch-over at 0 (it would overflow for z > 709 too)
    with pytest.raises((AssertionError, OverflowError)):
        _check_on_the_grid(replace(softplus, scalar=(elementwise("{a} = log1p(exp({z}))", "")[0],
                                                     softplus.scalar[1])))
    # σ(z) as 1 - e^{-a}: within the tolerances on this grid, but not the record's operations
    with pytest.raises(AssertionError):
        _check_on_the_grid(replace(softplus, scalar=(softplus.scalar[0],
                                                     elementwise("", "{d} = (1.0 - exp(-{a})) * {g}")[1])))

    def early(q: str) -> list[str]:
        # Adam with η / (1 - β1^t) multiplied in before the division
        return [*adam.scalar.parameter(q)[:2], f"{q} = {q} - m_{q} * lr_t / (sqrt(v_{q}) / bias2_sqrt + eps)"]

    with pytest.raises(AssertionError):
        check_scalar_update(replace(adam, scalar=replace(adam.scalar, parameter=early)), adam.settings({}))
    with pytest.raises(AssertionError):
        check_scalar_update(replace(adam, scalar=ScalarUpdate(adam.scalar.parameter, ("m",), adam.scalar.setup,
                                                              adam.scalar.per_step)), adam.settings({}))


def test_a_record_without_a_scalar_form_sends_its_networks_to_the_numpy_path(monkeypatch):
    w, b = nn.initial_parameters([2, 3, 1], "uniform", 1.0, 3)
    x, t = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([[1.0], [1.0], [0.0]])
    net = nn.Network([2, 3, 1], ["tanh", "sigmoid"], w, b, learning_rate=0.2, optimizer="momentum")
    assert covers(net, 3) and isinstance(compile_batch(net.copy(), x, t), ScalarRunner)
    for registry, name in ((ACTIVATIONS, "tanh"), (ACTIVATIONS, "sigmoid"), (OPTIMIZERS, "momentum")):
        with monkeypatch.context() as patch:
            patch.setitem(registry, name, replace(registry[name], scalar=None))
            assert not covers(net, 3), name
            fast, slow = net.copy(), net.copy()
            runner = compile_batch(fast, x, t)
            assert isinstance(runner, BatchRunner), name
            runner(10)
            compile_numpy(slow, x, t)(10)
            for a, c in zip(fast.weights + fast.biases, slow.weights + slow.biases, strict=True):
                assert a.tobytes() == c.tobytes(), name
    assert covers(net, 3)
