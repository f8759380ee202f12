"""One sample's computation as an operation graph (micrograd's draw_dot, CS231n's circuits): every product
w_ji^l a_i^{l-1}, sum z_j^l, activation a_j^l and the loss as a node with its value, its gradient ∂L/∂value and
its local derivatives ∂value/∂input. Values and gradients are the engine's forward cache and backward pass;
local derivatives come from the activation and loss registries. It leaves out the update.

For every node, grad = Σ over the nodes that read it of reader.grad × the reader's local for it (the chain rule).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from app.engine.functions import ACTIVATIONS, LOSSES
from app.engine.latex import a_sym
from app.engine.network import Network, backward, forward

Node = dict[str, Any]
__all__ = ["Node", "graph", "graph_size"]


def graph_size(layers: list[int]) -> int:
    """How many nodes the graph of a network with these layer sizes has, known before any work."""
    pairs = list(zip(layers[:-1], layers[1:], strict=True))
    # inputs; per layer a weight and a product per edge, a bias, a sum and an activation per node; targets; loss
    return layers[0] + sum(2 * m * n + 3 * n for m, n in pairs) + layers[-1] + 1


def graph(net: Network, x: list[float] | np.ndarray, t: list[float] | np.ndarray) -> list[Node]:
    """The nodes of the single sample (x, t)'s graph in an order where every node comes after its inputs."""
    xs = np.asarray(x, dtype=np.float64).reshape(1, -1)
    ts = np.asarray(t, dtype=np.float64).reshape(1, -1)
    with np.errstate(all="ignore"):
        cache = forward(net, xs)
        grads = backward(net, cache, ts)
        locals_a = [_activation_locals(net.activations[k], cache.z[k][0], cache.a[k + 1][0])
                    for k in range(net.depth - 1)]
        loss_rule = LOSSES[net.loss]
        out_act = net.activations[-1]
        # ∂L/∂o_k and ∂L/∂t_k of the one sample, unscaled (a mean over one sample is the sample)
        local_o = loss_rule.grad_a(cache.output, ts, out_act)[0]
        local_t = loss_rule.grad_t(cache.z[-1], cache.output, ts, out_act)[0]
        grad_t = local_t  # the loss node's grad is 1
    nodes: list[Node] = []

    def add(op: str, label: str, l: int | None, j: int | None, i: int | None, value: float, grad: float,
            inputs: list[int], local: list[float]) -> int:
        nodes.append({"id": len(nodes), "op": op, "label": label, "l": l, "j": j, "i": i, "value": float(value),
                      "grad": float(grad), "inputs": inputs, "local": [float(v) for v in local]})
        return len(nodes) - 1

    prev = [add("input", a_sym(1, i + 1), 1, i + 1, None, xs[0, i], grads.grad_a[0][0, i], [], [])
            for i in range(net.layers[0])]
    for l in range(2, net.depth + 1):
        k = l - 2
        w, b, a_prev = net.weights[k], net.biases[k], cache.a[k][0]
        delta, grad_w, grad_b = grads.delta[k][0], grads.grad_w[k], grads.grad_b[k]
        sums: list[int] = []
        for j in range(net.layers[l - 1]):
            jj = j + 1
            terms = []
            for i in range(net.layers[l - 2]):
                ii = i + 1
                w_sym = f"w_{{{jj}{ii}}}^{{{l}}}"
                wid = add("weight", w_sym, l, jj, ii, w[j, i], grad_w[j, i], [], [])
                # ∂(w a)/∂w = a and ∂(w a)/∂a = w; the product's grad is δ_j^l since the sum passes it on
                terms.append(add("mul", rf"{w_sym}\,{a_sym(l - 1, ii)}", l, jj, ii, w[j, i] * a_prev[i], delta[j],
                                 [wid, prev[i]], [a_prev[i], w[j, i]]))
            bid = add("bias", f"b_{{{jj}}}^{{{l}}}", l, jj, None, b[j], grad_b[j], [], [])
            # ∂z/∂(each term) = 1
            sums.append(add("sum", f"z_{{{jj}}}^{{{l}}}", l, jj, None, cache.z[k][0, j], delta[j],
                            [*terms, bid], [1.0] * (len(terms) + 1)))
        jac = locals_a[k]
        acts = []
        for j in range(net.layers[l - 1]):
            # an elementwise f reads its own z; softmax reads every z of the layer
            inputs = [sums[j]] if jac.ndim == 1 else sums
            local = [jac[j]] if jac.ndim == 1 else jac[j].tolist()
            acts.append(add("activation", a_sym(l, j + 1), l, j + 1, None, cache.a[k + 1][0, j],
                            grads.grad_a[k + 1][0, j], inputs, local))
        prev = acts
    n_out = net.layers[-1]
    targets = [add("target", f"t_{{{j + 1}}}", net.depth, j + 1, None, ts[0, j], grad_t[j], [], [])
               for j in range(n_out)]
    add("loss", r"\mathcal{L}", None, None, None, grads.losses[0], 1.0, [*prev, *targets],
        [*local_o.tolist(), *local_t.tolist()])
    return nodes


def _activation_locals(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """∂a_j/∂z_j per node (a vector) for an elementwise f, or the Jacobian [j, k] = ∂a_j/∂z_k for softmax; both
    from the registry's vector-Jacobian product, so the rule stays written once."""
    act = ACTIVATIONS[name]
    n = z.size
    if act.df is not None:
        # f'(z) = the product with a gradient of ones
        return act.vjp(z[None, :], a[None, :], np.ones((1, n)))[0]
    # row j: the product with the unit vector e_j gives Σ_m e_jm ∂a_m/∂z_k = ∂a_j/∂z_k
    return act.vjp(np.repeat(z[None, :], n, axis=0), np.repeat(a[None, :], n, axis=0), np.eye(n))
