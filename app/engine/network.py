"""A multilayer perceptron in the lecture's notation: forward keeps z and a, backward returns δ and the gradients.

Layer l = 1 is the input; weights[l-2][j-1, i-1] is w_ji^l and biases[l-2][j-1] is b_j^l.
Nothing here knows about JSON, HTTP or storage.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from app.engine.functions import ACTIVATIONS, CE_OUTPUTS, LOSSES, fused_output_delta

Array = np.ndarray

INIT_SCHEMES = ("uniform", "xavier", "he")
TRAIN_MODES = ("batch", "online")


class SpecError(ValueError):
    """A network description that breaks a rule; `field` names the offending field."""

    def __init__(self, field: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class Network:
    """Parameters and hyper-parameters of one multilayer perceptron."""

    layers: list[int]
    activations: list[str]  # one per layer l = 2..L
    weights: list[Array]
    biases: list[Array]
    loss: str = "mse"
    reduction: str = "sum"
    learning_rate: float = 0.5
    train_biases: bool = True

    def __post_init__(self) -> None:
        validate_structure(self.layers, self.activations, self.loss, self.reduction)
        self.weights = [np.array(w, dtype=np.float64) for w in self.weights]
        self.biases = [np.array(b, dtype=np.float64) for b in self.biases]
        for l, (w, b) in enumerate(zip(self.weights, self.biases, strict=True), start=2):
            shape = (self.layers[l - 1], self.layers[l - 2])
            if w.shape != shape:
                raise SpecError(("weights", l - 2), f"w^{l} must have shape {shape[0]}x{shape[1]}, got {w.shape}")
            if b.shape != (shape[0],):
                raise SpecError(("biases", l - 2), f"b^{l} must have {shape[0]} entries, got {b.shape}")

    @property
    def depth(self) -> int:
        """L, the number of layers including the input layer."""
        return len(self.layers)

    @property
    def parameter_count(self) -> int:
        return sum(w.size + b.size for w, b in zip(self.weights, self.biases, strict=True))

    def copy(self) -> Network:
        return Network(
            list(self.layers), list(self.activations), [w.copy() for w in self.weights],
            [b.copy() for b in self.biases], self.loss, self.reduction, self.learning_rate, self.train_biases,
        )

    def is_finite(self) -> bool:
        return all(np.isfinite(w).all() and np.isfinite(b).all() for w, b in zip(self.weights, self.biases, strict=True))


def validate_structure(layers: list[int], activations: list[str], loss: str, reduction: str) -> None:
    """Raise SpecError naming the field and rule if the architecture is not one we can run."""
    if len(layers) < 2:
        raise SpecError(("layers",), "a network needs at least 2 layers (input and output)")
    for k, n in enumerate(layers):
        if n < 1:
            raise SpecError(("layers", k), "every layer needs at least 1 node")
    if len(activations) != len(layers) - 1:
        raise SpecError(("activations",), f"give one activation per layer l = 2..{len(layers)} ({len(layers) - 1} names)")
    for k, name in enumerate(activations):
        if name not in ACTIVATIONS:
            raise SpecError(("activations", k), f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
        if ACTIVATIONS[name].output_only and k != len(activations) - 1:
            raise SpecError(("activations", k), f"{name} is allowed on the output layer only")
    if loss not in LOSSES:
        raise SpecError(("loss",), f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
    if loss == "cross_entropy" and activations[-1] not in CE_OUTPUTS:
        raise SpecError(("loss",), "cross_entropy needs a sigmoid or softmax output layer")
    if reduction not in ("sum", "mean"):
        raise SpecError(("reduction",), "reduction must be 'sum' or 'mean'")


def initial_parameters(layers: list[int], scheme: str, scale: float, seed: int) -> tuple[list[Array], list[Array]]:
    """Weights drawn from an explicit Generator so that a seed reproduces them bit for bit; biases start at 0
    except for `uniform`, which draws them from the same range (as in the lecture's random initialisation)."""
    if scheme not in INIT_SCHEMES:
        raise SpecError(("init", "scheme"), f"unknown init scheme {scheme!r}; choose one of {', '.join(INIT_SCHEMES)}")
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for n_in, n_out in zip(layers[:-1], layers[1:], strict=True):
        if scheme == "uniform":
            weights.append(rng.uniform(-scale, scale, size=(n_out, n_in)))
            biases.append(rng.uniform(-scale, scale, size=n_out))
            continue
        if scheme == "xavier":
            limit = scale * math.sqrt(6.0 / (n_in + n_out))
            weights.append(rng.uniform(-limit, limit, size=(n_out, n_in)))
        else:  # he: normal with variance 2 / fan-in
            weights.append(rng.normal(0.0, scale * math.sqrt(2.0 / n_in), size=(n_out, n_in)))
        biases.append(np.zeros(n_out))
    return weights, biases


@dataclass
class Cache:
    """What forward keeps for backward: z[l-2] = z^l and a[l-1] = a^l (a[0] is the input x), shape (N, n_l)."""

    z: list[Array]
    a: list[Array]

    @property
    def output(self) -> Array:
        return self.a[-1]


@dataclass
class Gradients:
    """What backward returns; per-sample arrays have shape (N, n_l), parameter gradients are reduced over N."""

    delta: list[Array]  # delta[l-2] = δ^l = ∂L/∂z^l
    grad_a: list[Array]  # grad_a[l-1] = ∂L/∂a^l, grad_a[0] = ∂L/∂x
    grad_w: list[Array]  # grad_w[l-2][j-1, i-1] = ∂L/∂w_ji^l
    grad_b: list[Array]  # grad_b[l-2][j-1] = ∂L/∂b_j^l
    losses: Array = field(default_factory=lambda: np.zeros(0))  # L_n per sample


def forward(net: Network, x: Array) -> Cache:
    """z^l = W^l a^{l-1} + b^l and a^l = f(z^l), layer by layer, for a batch x of shape (N, n_1)."""
    a = np.asarray(x, dtype=np.float64)
    zs, acts = [], [a]
    for w, b, name in zip(net.weights, net.biases, net.activations, strict=True):
        z = a @ w.T + b
        a = ACTIVATIONS[name].f(z)
        zs.append(z)
        acts.append(a)
    return Cache(zs, acts)


def sample_losses(net: Network, cache: Cache, t: Array) -> Array:
    """L_n for every sample n (summed over the output nodes k)."""
    return LOSSES[net.loss].value(cache.z[-1], cache.output, t, net.activations[-1])


def reduce_losses(net: Network, losses: Array) -> float:
    """L = Σ_n L_n (the lecture's sum) or its mean."""
    total = float(losses.sum())
    return total / len(losses) if net.reduction == "mean" and len(losses) else total


def backward(net: Network, cache: Cache, t: Array, with_input_grad: bool = True) -> Gradients:
    """δ^L from the loss, then δ^{l-1} = f'(z^{l-1}) ⊙ (W^l)^T δ^l down to layer 2; ∂L/∂w_ji^l = a_i^{l-1} δ_j^l."""
    t = np.asarray(t, dtype=np.float64)
    n = cache.output.shape[0]
    scale = 1.0 / n if net.reduction == "mean" and n else 1.0
    depth = net.depth
    delta: list[Array] = [np.empty(0)] * (depth - 1)
    grad_a: list[Array] = [np.empty(0)] * depth
    grad_w: list[Array] = [np.empty(0)] * (depth - 1)
    grad_b: list[Array] = [np.empty(0)] * (depth - 1)
    out = cache.output
    # ∂L/∂a^L: derivative of the loss with respect to each output
    grad_a[-1] = scale * LOSSES[net.loss].grad_a(out, t, net.activations[-1])
    for l in range(depth, 1, -1):
        k = l - 2
        act = ACTIVATIONS[net.activations[k]]
        if l == depth and fused_output_delta(net.loss, act.name):
            # δ^L = ∂L/∂z^L = o - t exactly for cross-entropy after sigmoid/softmax
            delta[k] = scale * (out - t)
        else:
            # δ^l = ∂L/∂z^l = f'(z^l) ⊙ ∂L/∂a^l
            delta[k] = act.vjp(cache.z[k], cache.a[l - 1], grad_a[l - 1])
        # ∂L/∂w_ji^l = Σ_n a_i^{l-1} δ_j^l ; ∂L/∂b_j^l = Σ_n δ_j^l
        grad_w[k] = delta[k].T @ cache.a[l - 2]
        grad_b[k] = delta[k].sum(axis=0)
        if l > 2 or with_input_grad:
            # ∂L/∂a_i^{l-1} = Σ_j w_ji^l δ_j^l
            grad_a[l - 2] = delta[k] @ net.weights[k]
    return Gradients(delta, grad_a, grad_w, grad_b, sample_losses(net, cache, t))


def apply_step(net: Network, grads: Gradients) -> None:
    """Gradient descent: w ← w − η ∂L/∂w (and b likewise unless biases are frozen)."""
    eta = net.learning_rate
    with np.errstate(all="ignore"):
        for k in range(len(net.weights)):
            net.weights[k] -= eta * grads.grad_w[k]
            if net.train_biases:
                net.biases[k] -= eta * grads.grad_b[k]


def step(net: Network, x: Array, t: Array) -> tuple[Cache, Gradients]:
    """One SGD step on the batch (x, t); returns what was computed before the update."""
    with np.errstate(all="ignore"):
        cache = forward(net, x)
        grads = backward(net, cache, t)
    apply_step(net, grads)
    return cache, grads


def dataset_loss(net: Network, x: Array, t: Array) -> float:
    with np.errstate(all="ignore"):
        return reduce_losses(net, sample_losses(net, forward(net, x), t))


@dataclass
class TrainResult:
    """What a training run reports: the loss curve, output snapshots and whether it stopped on divergence."""

    iterations_done: int
    loss_history: list[tuple[int, float]]
    snapshots: list[tuple[int, Array]]
    diverged: bool = False
    message: str | None = None


Op = Callable[[], object]
SMALL = 4096  # below this many elements numpy's call overhead dominates: constants become full arrays


def _const(shape: tuple[int, ...], value: float) -> Array | float:
    """A constant operand: a full array for small shapes (cheaper per call), the plain number for large ones."""
    return np.full(shape, value) if math.prod(shape) <= SMALL else value


def _activation_ops(name: str, act: Any, z: Array, a: Array) -> list[Op]:
    """a = f(z) as numpy calls writing into `a`: the same operations as the registry's f, in the same order."""
    shape = z.shape
    if name == "sigmoid":
        # 0.5 * tanh(0.5 * z) + 0.5
        half = _const(shape, 0.5)
        return [partial(np.multiply, z, half, a), partial(np.tanh, a, a),
                partial(np.multiply, a, half, a), partial(np.add, a, half, a)]
    if name == "tanh":
        return [partial(np.tanh, z, a)]
    if name == "relu":
        return [partial(np.maximum, z, _const(shape, 0.0), out=a)]
    return [partial(np.copyto, a, _Lazy(act.f, z))]


def _vjp_ops(name: str, act: Any, z: Array, a: Array, g: Array, tmp: Array, mask: Array, out: Array) -> list[Op]:
    """δ = f'(z) ⊙ ∂L/∂a into `out`, the same operations as Activation.vjp in the same order."""
    shape = z.shape
    if name == "sigmoid":
        # (a (1 - a)) g
        return [partial(np.subtract, _const(shape, 1.0), a, tmp), partial(np.multiply, a, tmp, tmp),
                partial(np.multiply, tmp, g, out)]
    if name == "tanh":
        # (1 - a a) g
        return [partial(np.multiply, a, a, tmp), partial(np.subtract, _const(shape, 1.0), tmp, tmp),
                partial(np.multiply, tmp, g, out)]
    if name == "relu":
        # (z > 0) as 0/1 times g: multiplying by the boolean mask casts it to exactly 0.0 and 1.0
        return [partial(np.greater, z, _const(shape, 0.0), mask), partial(np.multiply, mask, g, out)]
    return [partial(np.copyto, out, _Lazy(act.vjp, z, a, g))]


class _Lazy:
    """An array argument computed when numpy asks for it: lets a registry function stand in a list of calls."""

    def __init__(self, fn: Callable[..., Array], *args: Array) -> None:
        self.fn, self.args = fn, args

    def __array__(self, dtype: Any = None, copy: Any = None) -> Array:
        return self.fn(*self.args)


def _train_batch_fast(net: Network, x: Array, t: Array, iterations: int) -> None:
    """Full-batch gradient descent, the hot loop of `train`."""
    if iterations > 0:
        _compile_batch(net, x, t)(iterations)


class _BatchRunner:
    """A compiled training step: call it with a step count; `finite` checks every trained parameter in one pass."""

    def __init__(self, run: Callable[[int], None], params: Array) -> None:
        self.run, self.params = run, params

    def __call__(self, iterations: int) -> None:
        self.run(iterations)

    def finite(self) -> bool:
        # frozen biases are not in params, but they never change and train() checked them before the first step
        return bool(np.isfinite(self.params).all())


def _compile_batch(net: Network, x: Array, t: Array) -> _BatchRunner:
    """Full-batch gradient descent compiled for one network and data set; call the result with a step count.

    One step becomes a flat list of numpy calls on arrays allocated once (out= everywhere, constants as full
    arrays), replayed as often as asked. The operations are those of the original loop, one for one and in the
    same order, so the weights come out bit for bit the same. Parameters and gradients live in two flat vectors,
    so the update is two calls; after each run the weights are written back into the network's own arrays.
    """
    ws, bs = net.weights, net.biases
    acts = [ACTIVATIONS[name] for name in net.activations]
    out_act = acts[-1]
    train_b = net.train_biases
    n = x.shape[0]
    scale = 1.0 / n if net.reduction == "mean" else 1.0
    fused = fused_output_delta(net.loss, net.activations[-1])
    depth = len(ws)
    top = depth - 1
    shapes = [w.shape for w in ws]
    sizes = [w.size for w in ws] + ([w.shape[0] for w in ws] if train_b else [])
    params = np.concatenate([w.ravel() for w in ws] + (list(bs) if train_b else []))
    grads = np.empty_like(params)
    offsets = np.cumsum([0, *sizes]).tolist()
    W = [params[offsets[k] : offsets[k + 1]].reshape(shapes[k]) for k in range(depth)]
    GW = [grads[offsets[k] : offsets[k + 1]].reshape(shapes[k]) for k in range(depth)]
    B = [params[offsets[depth + k] : offsets[depth + k + 1]] for k in range(depth)] if train_b else [b.copy() for b in bs]
    GB = [grads[offsets[depth + k] : offsets[depth + k + 1]] for k in range(depth)] if train_b else []
    # per layer: z^l, a^l, δ^l, ∂L/∂a^l, a scratch array and a mask, each (N, n_l)
    Z = [np.empty((n, s[0])) for s in shapes]
    A = [x] + [np.empty((n, s[0])) for s in shapes]
    D = [np.empty((n, s[0])) for s in shapes]
    G = [np.empty((n, s[0])) for s in shapes]
    T = [np.empty((n, s[0])) for s in shapes]
    M = [np.empty((n, s[0]), dtype=bool) for s in shapes]

    # ndarray.dot with out= makes the same BLAS calls as @, without @'s gufunc or np.dot's dispatch overhead
    ops: list[Op] = []
    for k in range(depth):
        # a broadcast view of b is cheaper per call for small layers; plain broadcasting streams better for large
        bias = np.broadcast_to(B[k], Z[k].shape) if Z[k].size <= SMALL else B[k]
        ops += [partial(A[k].dot, W[k].T, Z[k]), partial(np.add, Z[k], bias, Z[k])]
        ops += _activation_ops(acts[k].name, acts[k], Z[k], A[k + 1])
    # δ^L, then each layer's gradients, then δ^{l-1} through W^l, all before any weight changes
    if fused:
        ops.append(partial(np.subtract, A[depth], t, D[top]))
    elif net.loss == "mse":
        ops.append(partial(np.subtract, A[depth], t, G[top]))
        ops += _vjp_ops(out_act.name, out_act, Z[top], A[depth], G[top], T[top], M[top], D[top])
    else:
        grad_a = _Lazy(LOSSES[net.loss].grad_a, A[depth], t, out_act.name)  # type: ignore[arg-type]
        ops.append(partial(np.copyto, D[top], _Lazy(out_act.vjp, Z[top], A[depth], grad_a)))  # type: ignore[arg-type]
    if scale != 1.0:
        ops.append(partial(np.multiply, D[top], _const(D[top].shape, scale), D[top]))
    for k in range(top, -1, -1):
        ops.append(partial(D[k].T.dot, A[k], GW[k]))
        if train_b:
            ops.append(partial(np.add.reduce, D[k], 0, None, GB[k]))
        if k:
            ops.append(partial(D[k].dot, W[k], G[k - 1]))
            ops += _vjp_ops(acts[k - 1].name, acts[k - 1], Z[k - 1], A[k], G[k - 1], T[k - 1], M[k - 1], D[k - 1])
    # w ← w − η ∂L/∂w for every weight and bias at once
    ops += [partial(np.multiply, grads, _const(grads.shape, net.learning_rate), grads),
            partial(np.subtract, params, grads, params)]

    def run(iterations: int) -> None:
        for _ in range(iterations):
            for op in ops:
                op()
        for k in range(depth):
            ws[k][...] = W[k]
            if train_b:
                bs[k][...] = B[k]

    return _BatchRunner(run, params)


def _train_online(net: Network, x: Array, t: Array, passes: int) -> None:
    """One step per sample, cycling through the data set in order; a pass over all samples is one iteration."""
    for _ in range(passes):
        for n in range(x.shape[0]):
            step(net, x[n : n + 1], t[n : n + 1])


def _advance(net: Network, x: Array, t: Array, count: int, mode: str) -> None:
    with np.errstate(all="ignore"):
        if mode == "batch":
            _train_batch_fast(net, x, t, count)
        else:
            _train_online(net, x, t, count)


def _healthy(net: Network, x: Array, t: Array, finite: Callable[[], bool] | None = None) -> tuple[bool, float]:
    if not (net.is_finite() if finite is None else finite()):
        return False, math.nan
    loss = dataset_loss(net, x, t)
    return math.isfinite(loss), loss


def train(
    net: Network, x: Array, t: Array, iterations: int, mode: str = "batch",
    record_every: int | None = None, loss_every: int | None = None, start: int = 0,
) -> TrainResult:
    """Run `iterations` iterations, recording the loss every `loss_every` and the outputs every `record_every`.

    Divergence (a non-finite weight or loss) stops the run at the last finite iteration and keeps those weights.
    """
    if mode not in TRAIN_MODES:
        raise SpecError(("mode",), "mode must be 'batch' or 'online'")
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    record_every = record_every or iterations or 1
    loss_every = loss_every or max(1, iterations // 500)
    done = 0
    ok, loss = _healthy(net, x, t)
    history: list[tuple[int, float]] = []
    snapshots: list[tuple[int, Array]] = []
    if not ok:
        return TrainResult(0, history, snapshots, True, _diverged_message(net, start))
    history.append((start, loss))
    snapshots.append((start, forward(net, x).output.copy()))
    # compiled once for the whole run: it keeps its own copy of the parameters in step with net's between chunks
    runner = _compile_batch(net, x, t) if mode == "batch" and iterations > 0 else None
    while done < iterations:
        to_loss = loss_every - done % loss_every
        to_record = record_every - done % record_every
        count = min(to_loss, to_record, iterations - done)
        # only the arrays are needed to roll back: cheaper than a validated Network copy
        backup = ([w.copy() for w in net.weights], [b.copy() for b in net.biases])
        if runner is not None:
            with np.errstate(all="ignore"):
                runner(count)
        else:
            _advance(net, x, t, count, mode)
        ok, loss = _healthy(net, x, t, runner.finite if runner is not None else None)
        if not ok:
            # replay from the last healthy point one iteration at a time to stop exactly before the overflow
            net.weights, net.biases = backup
            while done < iterations:
                trial = net.copy()
                _advance(trial, x, t, 1, mode)
                if not _healthy(trial, x, t)[0]:
                    break
                net.weights, net.biases = trial.weights, trial.biases
                done += 1
            final_loss = dataset_loss(net, x, t)
            history.append((start + done, final_loss))
            snapshots.append((start + done, forward(net, x).output.copy()))
            return TrainResult(done, history, snapshots, True, _diverged_message(net, start + done + 1))
        done += count
        if done % loss_every == 0 or done == iterations:
            history.append((start + done, loss))
        if done % record_every == 0 or done == iterations:
            snapshots.append((start + done, forward(net, x).output.copy()))
    return TrainResult(done, history, snapshots)


def _diverged_message(net: Network, iteration: int) -> str:
    return (
        f"training diverged at iteration {iteration}: a weight or the loss overflowed to infinity or NaN "
        f"with learning rate {net.learning_rate:g}. The weights are kept as they were before that step; "
        "lower the learning rate and train again."
    )
