"""A multilayer perceptron in the lecture's notation: forward keeps z and a, backward returns δ and the gradients.

Layer l = 1 is the input; weights[l-2][j-1, i-1] is w_ji^l and biases[l-2][j-1] is b_j^l.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from app.engine.functions import (
    ACTIVATIONS,
    INIT_SCHEMES,
    LOSSES,
    OPTIMIZERS,
    REDUCTIONS,
    fused_output_delta,
    target_mass,
)
from app.engine.ops import Array
from app.engine.optimizers import check_settings


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
    optimizer: str = "sgd"
    # the optimizer's hyper-parameters beside η (e.g. momentum); missing ones take the registry's defaults
    optimizer_settings: dict[str, float] = field(default_factory=dict)
    # the optimizer's per-parameter state (e.g. a velocity), each array as long as `parameter_vector`; empty for SGD
    optimizer_state: dict[str, Array] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validate_structure(self.layers, self.activations, self.loss, self.reduction, self.optimizer,
                           self.optimizer_settings)
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
        return parameter_count(self.layers)

    def copy(self) -> Network:
        return Network(
            list(self.layers), list(self.activations), [w.copy() for w in self.weights],
            [b.copy() for b in self.biases], self.loss, self.reduction, self.learning_rate, self.train_biases,
            self.optimizer, dict(self.optimizer_settings), {k: v.copy() for k, v in self.optimizer_state.items()},
        )

    def is_finite(self) -> bool:
        return all(np.isfinite(w).all() and np.isfinite(b).all()
                   for w, b in zip(self.weights, self.biases, strict=True))


def parameter_count(layers: list[int]) -> int:
    """How many weights and biases a network with these layer sizes has."""
    return sum(n_out * (n_in + 1) for n_in, n_out in zip(layers[:-1], layers[1:], strict=True))


def validate_structure(layers: list[int], activations: list[str], loss: str, reduction: str,
                       optimizer: str = "sgd", optimizer_settings: dict[str, float] | None = None) -> None:
    """Raise SpecError naming the field and rule if the architecture is not one we can run."""
    if len(layers) < 2:
        raise SpecError(("layers",), "a network needs at least 2 layers (input and output)")
    for k, n in enumerate(layers):
        if n < 1:
            raise SpecError(("layers", k), "every layer needs at least 1 node")
    if len(activations) != len(layers) - 1:
        raise SpecError(("activations",),
                        f"give one activation per layer l = 2..{len(layers)} ({len(layers) - 1} names)")
    for k, name in enumerate(activations):
        if name not in ACTIVATIONS:
            raise SpecError(("activations", k), f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
        if ACTIVATIONS[name].output_only and k != len(activations) - 1:
            raise SpecError(("activations", k), f"{name} is allowed on the output layer only")
    if loss not in LOSSES:
        raise SpecError(("loss",), f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
    allowed = LOSSES[loss].outputs
    if allowed is not None and activations[-1] not in allowed:
        raise SpecError(("loss",), f"{loss} needs a {' or '.join(allowed)} output layer")
    if reduction not in REDUCTIONS:
        raise SpecError(("reduction",), f"reduction must be one of {', '.join(REDUCTIONS)}")
    if optimizer not in OPTIMIZERS:
        raise SpecError(("optimizer", "name"),
                        f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
    for key, rule in check_settings(optimizer, optimizer_settings or {}):
        raise SpecError(("optimizer", key), rule)


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
            # δ^L = ∂L/∂z^L = o - t for cross-entropy after sigmoid, and after softmax for targets summing to 1
            mass = target_mass(act.name, t)
            delta[k] = scale * (out - t if mass is None else out * mass - t)
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


def parameter_vector(weights: list[Array], biases: list[Array], train_biases: bool) -> Array:
    """Every trained parameter in one flat vector: all weights layer by layer, then the biases unless frozen.

    Optimizers update this vector (and keep their state in its layout), in the step and in the compiled path.
    """
    return np.concatenate([w.ravel() for w in weights] + (list(biases) if train_biases else []))


def updated_parameters(net: Network, grads: Gradients) -> tuple[list[Array], list[Array], dict[str, Array]]:
    """The weights, biases and optimizer state one update would give, without changing the network."""
    opt = OPTIMIZERS[net.optimizer]
    params = parameter_vector(net.weights, net.biases, net.train_biases)
    g = parameter_vector(grads.grad_w, grads.grad_b, net.train_biases)  # a fresh copy: the update may overwrite it
    state = {k: v.copy() for k, v in net.optimizer_state.items()} if net.optimizer_state else opt.init_state(g.size)
    with np.errstate(all="ignore"):
        opt.update(params, g, state, net.learning_rate, g, opt.settings(net.optimizer_settings))
    weights, biases, at = [], [], 0
    for w in net.weights:
        weights.append(params[at : at + w.size].reshape(w.shape))
        at += w.size
    for b in net.biases:
        biases.append(params[at : at + b.size] if net.train_biases else b.copy())
        at += b.size if net.train_biases else 0
    return weights, biases, state


def apply_step(net: Network, grads: Gradients) -> None:
    """The optimizer's update of every weight (and bias unless frozen), e.g. w ← w − η ∂L/∂w for SGD."""
    net.weights, net.biases, net.optimizer_state = updated_parameters(net, grads)


def step(net: Network, x: Array, t: Array) -> tuple[Cache, Gradients]:
    """One update on the batch (x, t); returns what was computed before the update."""
    with np.errstate(all="ignore"):
        cache = forward(net, x)
        grads = backward(net, cache, t)
    apply_step(net, grads)
    return cache, grads


def dataset_loss(net: Network, x: Array, t: Array) -> float:
    with np.errstate(all="ignore"):
        return reduce_losses(net, sample_losses(net, forward(net, x), t))


def healthy(net: Network, x: Array, t: Array, finite: Callable[[], bool] | None = None,
            loss: Callable[[], float] | None = None) -> tuple[bool, float]:
    """The one divergence rule: parameters are kept only while every weight and the loss on (x, t) are finite.
    `finite` and `loss` may stand in for net.is_finite and dataset_loss (the compiled path reads its own arrays)."""
    if not (net.is_finite() if finite is None else finite()):
        return False, math.nan
    value = dataset_loss(net, x, t) if loss is None else loss()
    return math.isfinite(value), value


def diverged_message(net: Network, iteration: int) -> str:
    return (
        f"diverged at iteration {iteration}: a weight or the loss overflowed to infinity or NaN "
        f"with learning rate {net.learning_rate:g}. The weights are kept as they were before that update; "
        "lower the learning rate and try again."
    )


@dataclass
class StepOutcome:
    """One guarded update: what was computed before it, and whether it was kept."""

    cache: Cache
    grads: Gradients
    applied: bool
    loss_after: float | None  # the loss on the same samples after the update, when it was kept
    message: str | None  # why it was not kept


def guarded_step(net: Network, x: Array, t: Array, iteration: int = 1) -> StepOutcome:
    """One update on (x, t) that is kept only if it leaves the network healthy; `iteration` names it in the message."""
    with np.errstate(all="ignore"):
        cache = forward(net, x)
        grads = backward(net, cache, t)
    # a shallow copy: the same validated structure, with the candidate parameters swapped in
    trial = copy.copy(net)
    trial.weights, trial.biases, trial.optimizer_state = updated_parameters(net, grads)
    ok, loss_after = healthy(trial, x, t)
    if not ok:
        return StepOutcome(cache, grads, False, None, diverged_message(net, iteration))
    net.weights, net.biases, net.optimizer_state = trial.weights, trial.biases, trial.optimizer_state
    return StepOutcome(cache, grads, True, loss_after, None)

