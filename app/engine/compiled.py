"""Full-batch training compiled into a flat list of numpy calls on preallocated arrays, replayed per step.

The calls are the registries' own f, f' and update written into `out` arrays, in the order of network.py's
forward, backward and update, so the weights equal those of repeated `step()` calls to the bit.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from app.engine.functions import ACTIVATIONS, LOSSES, OPTIMIZERS, Activation, fused_output_delta, target_mass
from app.engine.network import Network, parameter_vector, reduce_losses
from app.engine.ops import SMALL, Array, Op, const


class BatchRunner:
    """A compiled training step: call it with a step count; `finite` checks every trained parameter in one pass and
    `loss` gives dataset_loss at the current parameters from the compiled forward calls, to the bit."""

    def __init__(self, run: Callable[[int], None], params: Array, loss: Callable[[], float]) -> None:
        self.run, self.params, self.loss = run, params, loss

    def __call__(self, iterations: int) -> None:
        self.run(iterations)

    def finite(self) -> bool:
        # frozen biases are not in params, but they never change and train() checked them before the first step
        return bool(np.isfinite(self.params).all())


def train_batch_fast(net: Network, x: Array, t: Array, iterations: int) -> None:
    """Full-batch training for `iterations` steps, the hot loop of `train`."""
    if iterations > 0:
        compile_batch(net, x, t)(iterations)


def _vjp(act: Activation, z: Array, a: Array, g: Array, out: Array) -> list[Op]:
    """δ = f'(z) ⊙ ∂L/∂a into `out` as the record's own f' and one multiply (the softmax product as one call)."""
    if act.df is None:
        return [partial(act.vjp, z, a, g, out)]
    return [partial(act.df, z, a, out), partial(np.multiply, out, g, out)]


def compile_batch(net: Network, x: Array, t: Array) -> BatchRunner:
    """Full-batch training compiled for one network and data set; call the runner with a step count."""
    # parameters and gradients live in two flat vectors, so the update is one optimizer call
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
    params = parameter_vector(ws, bs, train_b)
    grads = np.empty_like(params)
    offsets = np.cumsum([0, *sizes]).tolist()
    W = [params[offsets[k] : offsets[k + 1]].reshape(shapes[k]) for k in range(depth)]
    GW = [grads[offsets[k] : offsets[k + 1]].reshape(shapes[k]) for k in range(depth)]
    B = ([params[offsets[depth + k] : offsets[depth + k + 1]] for k in range(depth)] if train_b
         else [b.copy() for b in bs])
    GB = [grads[offsets[depth + k] : offsets[depth + k + 1]] for k in range(depth)] if train_b else []
    # per layer: z^l, a^l, δ^l and ∂L/∂a^l, each (N, n_l)
    Z = [np.empty((n, s[0])) for s in shapes]
    A = [x] + [np.empty((n, s[0])) for s in shapes]
    D = [np.empty((n, s[0])) for s in shapes]
    G = [np.empty((n, s[0])) for s in shapes]

    # ndarray.dot with out= makes the same BLAS calls as @, without @'s gufunc or np.dot's dispatch overhead
    ops: list[Op] = []
    for k in range(depth):
        # a broadcast view of b is cheaper per call for small layers; plain broadcasting streams better for large
        bias = np.broadcast_to(B[k], Z[k].shape) if Z[k].size <= SMALL else B[k]
        ops += [partial(A[k].dot, W[k].T, Z[k]), partial(np.add, Z[k], bias, Z[k])]
        ops.append(partial(acts[k].f, Z[k], A[k + 1]))
    forward_ops = list(ops)
    # δ^L, then each layer's gradients, then δ^{l-1} through W^l, all before any weight changes
    if fused:
        mass = target_mass(out_act.name, t)
        if mass is None:
            ops.append(partial(np.subtract, A[depth], t, D[top]))
        else:  # softmax with targets not summing to 1: δ = o Σ t - t
            ops += [partial(np.multiply, A[depth], mass, D[top]), partial(np.subtract, D[top], t, D[top])]
    elif net.loss == "mse":
        # ∂L/∂a^L = o - t, written as one call instead of the registry's lambda
        ops.append(partial(np.subtract, A[depth], t, G[top]))
        ops += _vjp(out_act, Z[top], A[depth], G[top], D[top])
    else:
        rule = LOSSES[net.loss]

        def output_delta() -> None:
            out_act.vjp(Z[top], A[depth], rule.grad_a(A[depth], t, out_act.name), D[top])

        ops.append(output_delta)
    if scale != 1.0:
        ops.append(partial(np.multiply, D[top], const(D[top].shape, scale), D[top]))
    for k in range(top, -1, -1):
        ops.append(partial(D[k].T.dot, A[k], GW[k]))
        if train_b:
            ops.append(partial(np.add.reduce, D[k], 0, None, GB[k]))
        if k:
            ops.append(partial(D[k].dot, W[k], G[k - 1]))
            ops += _vjp(acts[k - 1], Z[k - 1], A[k], G[k - 1], D[k - 1])
    # the optimizer's update of every weight and bias at once; the gradients are not needed after it
    opt = OPTIMIZERS[net.optimizer]
    state = {k: v.copy() for k, v in net.optimizer_state.items()} or opt.init_state(params.size)
    hp = opt.settings(net.optimizer_settings)
    ops.append(partial(opt.update, params, grads, state, const(grads.shape, net.learning_rate), grads, hp))

    def run(iterations: int) -> None:
        for _ in range(iterations):
            for op in ops:
                op()
        for k in range(depth):
            ws[k][...] = W[k]
            if train_b:
                bs[k][...] = B[k]
        net.optimizer_state = {k: v.copy() for k, v in state.items()}

    def loss() -> float:
        with np.errstate(all="ignore"):
            for op in forward_ops:
                op()
            return reduce_losses(net, LOSSES[net.loss].value(Z[top], A[depth], t, out_act.name))

    return BatchRunner(run, params, loss)
