"""The fast path of full-batch training for tiny networks: one step as straight-line Python on floats.

For a network like the lecture's 2-2-1 XOR a numpy call costs far more than the arithmetic it does, so the
compiled list of numpy calls (compiled.py) spends its time in call overhead. Here one step is generated once
per architecture as Python source with one local variable per z_j^l, a_j^l, δ_j^l, weight and gradient, and
compiled; CPython then runs it with no array objects at all.

Every node does the operations of the registry's numpy functions in the same order, and the optimizer's
update is the same elementwise sequence, so the update rounds exactly as the numpy one does. What differs in
the last bit: math.tanh/exp/log1p are not numpy's, and the sums of W^l a^{l-1} and of the gradients over the
samples are plain Python additions where OpenBLAS fuses multiply-adds. tests/engine/test_scalar.py pins how
far that moves a run from repeated `step()`.

The lines for each rule come from its registry record: an activation's `scalar` emitters (functions.py), an
optimizer's `scalar` update (optimizers.py); this module only assembles them into one step. Anything not
covered here (an activation or optimizer whose record has no scalar form, a loss other than mse or a fused
cross-entropy, or a network too large for straight-line code to win) takes compiled.py's path. So does any
run that ends with a parameter that is not finite (or in which Python's float arithmetic raises, which the
generated code avoids: exp only ever sees numbers ≤ 0): it is redone on the numpy path from the same start,
so where a run overflows is decided by the same arithmetic as before, and train()'s divergence check sees
what it always saw.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from app.engine.functions import ACTIVATIONS, LOSSES, OPTIMIZERS, fused_output_delta
from app.engine.network import Network, parameter_vector
from app.engine.ops import Array
from app.engine.scalar_forms import Lines, ScalarActivation, ScalarUpdate

# up to about this many (weights + nodes) × samples, Python floats beat numpy's calls: each weight and node costs a
# few float operations per sample, a numpy step a fixed ~25 calls (measured: the 2-2-1 XOR on its 4 samples runs
# 4-5× faster; the two paths meet between 140 and 200)
SCALAR_LIMIT = 150


def covers(net: Network, samples: int) -> bool:
    """True if every rule `net` uses has a scalar form in its record and the network is small enough to win."""
    size = sum(w.size for w in net.weights) + sum(net.layers[1:])
    acts = [ACTIVATIONS.get(name) for name in net.activations]
    opt = OPTIMIZERS.get(net.optimizer)
    return (all(a is not None and a.scalar is not None for a in acts) and opt is not None and opt.scalar is not None
            and net.loss in LOSSES and (net.loss == "mse" or fused_output_delta(net.loss, net.activations[-1]))
            and 1 <= samples and size * samples <= SCALAR_LIMIT)


# ---- one step as Python source ------------------------------------------------------------------------------

def _emitters(name: str) -> ScalarActivation:
    form = ACTIVATIONS[name].scalar
    assert form is not None, f"{name} has no scalar form; covers() sends its networks to the numpy path"
    return form


def _update(name: str) -> ScalarUpdate:
    form = OPTIMIZERS[name].scalar
    assert form is not None, f"{name} has no scalar form; covers() sends its networks to the numpy path"
    return form


def _names(layers: list[int], train_biases: bool) -> tuple[list[str], list[str]]:
    """The trained parameters in network.parameter_vector's order (w^l row by row, then b^l), and frozen ones."""
    ws = [f"w{l}_{j}_{i}" for l in range(2, len(layers) + 1)
          for j in range(1, layers[l - 1] + 1) for i in range(1, layers[l - 2] + 1)]
    bs = [f"b{l}_{j}" for l in range(2, len(layers) + 1) for j in range(1, layers[l - 1] + 1)]
    return (ws + bs, []) if train_biases else (ws, bs)


def _sample_lines(layers: list[int], activations: list[str], loss: str, mean: bool, train_biases: bool) -> Lines:
    """Forward, δ^L and backward for one sample, accumulating ∂L/∂w and ∂L/∂b over the samples."""
    depth = len(layers)
    node = [[f"{{}}{l}_{j}" for j in range(1, layers[l - 1] + 1)] for l in range(1, depth + 1)]
    lines: Lines = []
    for l in range(2, depth + 1):
        # z_j^l = Σ_i w_ji^l a_i^{l-1} + b_j^l, summed in i's order as A·Wᵀ then + b
        for j in range(1, layers[l - 1] + 1):
            terms = " + ".join(f"w{l}_{j}_{i} * a{l - 1}_{i}" for i in range(1, layers[l - 2] + 1))
            lines.append(f"z{l}_{j} = {terms} + b{l}_{j}")
        zs, avs = [n.format("z") for n in node[l - 1]], [n.format("a") for n in node[l - 1]]
        lines += _emitters(activations[l - 2])[0](zs, avs)
    out = node[depth - 1]
    ds = [n.format("d") for n in out]
    targets = [f"t_{k}" for k in range(1, layers[-1] + 1)]
    if fused_output_delta(loss, activations[-1]):
        # δ^L = dL/dz^L = o - t exactly for cross-entropy after sigmoid or softmax
        lines += [f"{d} = {n.format('a')} - {t}" for d, n, t in zip(ds, out, targets, strict=True)]
    else:
        # dL/da^L = o - t for ½ Σ (o - t)², then δ^L through the output activation
        lines += [f"{n.format('g')} = {n.format('a')} - {t}" for n, t in zip(out, targets, strict=True)]
        lines += _emitters(activations[-1])[1]([n.format("z") for n in out], [n.format("a") for n in out],
                                               [n.format("g") for n in out], ds)
    if mean:
        lines += [f"{d} = {d} * scale" for d in ds]
    for l in range(depth, 1, -1):
        for j in range(1, layers[l - 1] + 1):
            # dL/dw_ji^l = Σ_n δ_j^l a_i^{l-1} ; dL/db_j^l = Σ_n δ_j^l
            lines += [f"gw{l}_{j}_{i} += d{l}_{j} * a{l - 1}_{i}" for i in range(1, layers[l - 2] + 1)]
            if train_biases:
                lines.append(f"gb{l}_{j} += d{l}_{j}")
        if l > 2:
            # dL/da_i^{l-1} = Σ_j w_ji^l δ_j^l, then δ^{l-1} = f'(z^{l-1}) ⊙ that
            for i in range(1, layers[l - 2] + 1):
                terms = " + ".join(f"d{l}_{j} * w{l}_{j}_{i}" for j in range(1, layers[l - 1] + 1))
                lines.append(f"g{l - 1}_{i} = {terms}")
            below = node[l - 2]
            lines += _emitters(activations[l - 3])[1](
                [n.format("z") for n in below], [n.format("a") for n in below], [n.format("g") for n in below],
                [n.format("d") for n in below])
    return lines


def source(layers: list[int], activations: list[str], loss: str, mean: bool, optimizer: str,
           train_biases: bool) -> str:
    """The Python source of `run(params, frozen, state, t, rows, iterations, lr, scale, hp)` for one architecture.

    It returns the parameters and the optimizer's state lists after `iterations` full-batch steps over `rows`
    (each row the inputs a_i^1 and then the targets t_k).
    """
    trained, frozen = _names(layers, train_biases)
    update = _update(optimizer)
    states = [[f"{s}_{q}" for q in trained] for s in update.state]
    inputs = [f"a1_{i}" for i in range(1, layers[0] + 1)] + [f"t_{k}" for k in range(1, layers[-1] + 1)]

    def unpack(names: list[str], value: str) -> str:
        return f"({', '.join(names)},) = {value}"

    body = [unpack(trained, "params")] + ([unpack(frozen, "frozen")] if frozen else [])
    body += [unpack(names, f"state[{k}]") for k, names in enumerate(states)] + list(update.setup)
    loop = [" = ".join(f"g{q}" for q in trained) + " = 0.0", f"for {', '.join(inputs)}, in rows:"]
    loop += ["    " + line for line in _sample_lines(layers, activations, loss, mean, train_biases)]
    loop += [*update.per_step] + [line for q in trained for line in update.parameter(q)]
    body += ["for _ in range(iterations):"] + ["    " + line for line in loop]
    body.append(f"return [{', '.join(trained)}], [{', '.join('[' + ', '.join(s) + ']' for s in states)}], t")
    head = "def run(params, frozen, state, t, rows, iterations, lr, scale, hp):"
    return "\n".join([head] + ["    " + line for line in body]) + "\n"


Step = Callable[..., tuple[list[float], list[list[float]], float]]
# the functions the registries' scalar forms may call, and nothing else
FUNCTIONS: dict[str, object] = {"tanh": math.tanh, "exp": math.exp, "log1p": math.log1p, "sqrt": math.sqrt}


@lru_cache(maxsize=128)
def compiled_step(layers: tuple[int, ...], activations: tuple[str, ...], loss: str, mean: bool, optimizer: str,
                  train_biases: bool) -> Step:
    """`source` compiled once per architecture (a /train request for a known shape reuses it)."""
    namespace = dict(FUNCTIONS)
    code = compile(source(list(layers), list(activations), loss, mean, optimizer, train_biases),
                   f"<deltaflow scalar step {'-'.join(map(str, layers))}>", "exec")
    # only our own source runs: names are built from integers and registry keys, numbers come in as arguments
    exec(code, namespace)
    run = namespace["run"]
    assert callable(run)
    return run


# compiled.compile_numpy, passed in to keep the import one way
Fallback = Callable[[Network, Array, Array], Callable[[int], None]]


class ScalarRunner:
    """Full-batch training of one network on (x, t) with `compiled_step`; the same interface as BatchRunner.

    The parameters live in Python lists between runs; after each run they are written back into the
    network's own arrays (and its optimizer state), so train() checks and records the network itself.
    """

    def __init__(self, net: Network, x: Array, t: Array, fallback: Fallback) -> None:
        self.net, self.x, self.t, self.fallback = net, x, t, fallback
        opt = OPTIMIZERS[net.optimizer]
        self.hp = opt.settings(net.optimizer_settings)
        self.params = parameter_vector(net.weights, net.biases, net.train_biases)
        self.state = {k: v.copy() for k, v in net.optimizer_state.items()} or opt.init_state(self.params.size)
        self.names = _update(net.optimizer).state
        self.frozen = [] if net.train_biases else np.concatenate(net.biases).tolist()
        self.rows = [tuple(row) for row in np.hstack([x, t]).tolist()]
        self.scale = 1.0 / x.shape[0] if net.reduction == "mean" else 1.0
        self.step = compiled_step(tuple(net.layers), tuple(net.activations), net.loss, net.reduction == "mean",
                                  net.optimizer, net.train_biases)
        self._load()

    def _load(self) -> None:
        self.values = self.params.tolist()
        self.lists = [self.state[name].tolist() for name in self.names]
        self.clock = float(self.state["t"][0]) if "t" in self.state else 0.0

    def __call__(self, iterations: int) -> None:
        try:
            values, lists, clock = self.step(self.values, self.frozen, self.lists, self.clock, self.rows,
                                             iterations, self.net.learning_rate, self.scale, self.hp)
            finite = all(map(math.isfinite, values))
        except (ArithmeticError, ValueError):
            finite = False  # Python raised where numpy gives inf or NaN
        if not finite:
            # an overflowing run is redone on numpy's path from the same start, so that numpy's arithmetic decides
            # how it overflows: OpenBLAS's fused multiply-add never rounds a product to ±inf before adding it, so
            # where Python's z = (-inf) + (+inf) is NaN, numpy's z can be -inf and train on
            self.fallback(self.net, self.x, self.t)(iterations)
            self.params[...] = parameter_vector(self.net.weights, self.net.biases, self.net.train_biases)
            self.state = {k: v.copy() for k, v in self.net.optimizer_state.items()}
            self._load()
            return
        self.values, self.lists, self.clock = values, lists, clock
        self.params[...] = values
        for name, got in zip(self.names, lists, strict=True):
            self.state[name][...] = got
        if "t" in self.state:
            self.state["t"][0] = clock
        at = 0
        for w in self.net.weights:
            w[...] = self.params[at : at + w.size].reshape(w.shape)
            at += w.size
        if self.net.train_biases:
            for b in self.net.biases:
                b[...] = self.params[at : at + b.size]
                at += b.size
        self.net.optimizer_state = {k: v.copy() for k, v in self.state.items()}

    def finite(self) -> bool:
        # frozen biases never change, and train() checked them before the first step
        return bool(np.isfinite(self.params).all())
