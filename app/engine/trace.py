"""The ordered elementary computations of one sample's forward pass, loss, backward pass and update.

Each event carries its value, the formula in the lecture's notation with the numbers substituted, and the ids
of the earlier events it reads. The order is the lecture's: z_j^l then a_j^l node by node and layer by layer,
the loss, then from the output layer down ∂L/∂a, δ, ∂L/∂w, ∂L/∂b, ∂L/∂a^{l-1}, and finally the updates.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from app.engine.functions import ACTIVATIONS, fused_output_delta
from app.engine.network import Network, backward, forward

Event = dict[str, Any]
DL = r"\frac{\partial \mathcal{L}}{\partial "
MAX_TERMS = 4  # longer sums show their first terms, an ellipsis and the last term


def num(x: float) -> str:
    """A number as the formulas show it: 4 decimals, or scientific notation when very small or large."""
    # the common range first: this runs for every value of a trace
    if 1e-3 <= x < 1e5 or -1e5 < x <= -1e-3:
        text = f"{x:.4f}"
        return text.rstrip("0").rstrip(".") if float(text) == x else text
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else r"\infty"
    mantissa, exp = f"{x:.3e}".split("e")
    return rf"{mantissa}\times 10^{{{int(exp)}}}"


def par(x: float) -> str:
    """A number that may stand inside a product: negatives get parentheses."""
    return f"({num(x)})" if x < 0 else num(x)


def _elide(terms: list[str]) -> str:
    if len(terms) > MAX_TERMS:
        terms = terms[: MAX_TERMS - 1] + [r"\cdots", terms[-1]]
    return " + ".join(terms)


def _shown(n: int) -> list[int]:
    """Indices of the terms a sum of n terms shows, so that terms never shown are never formatted."""
    return list(range(n)) if n <= MAX_TERMS else [*range(MAX_TERMS - 1), n - 1]


def _elide_shown(terms: list[str], n: int) -> str:
    """`_elide` of all n terms, given only the `_shown(n)` ones."""
    if n > MAX_TERMS:
        terms = terms[:-1] + [r"\cdots", terms[-1]]
    return " + ".join(terms)


def _pars(nums: list[str], values: list[float]) -> list[str]:
    """`par` of each value from its already formatted `num`."""
    return [f"({s})" if v < 0 else s for s, v in zip(nums, values, strict=True)]


def a_sym(l: int, i: int | str) -> str:
    """a_i^l, or x_i on the input layer as in the lecture."""
    return f"x_{{{i}}}" if l == 1 else f"a_{{{i}}}^{{{l}}}"


def trace(net: Network, x: list[float] | np.ndarray, t: list[float] | np.ndarray) -> tuple[list[Event], float]:
    """Every elementary computation for the single sample (x, t), in order, and the sample's loss."""
    xs = np.asarray(x, dtype=np.float64).reshape(1, -1)
    ts = np.asarray(t, dtype=np.float64).reshape(1, -1)
    with np.errstate(all="ignore"):
        cache = forward(net, xs)
        grads = backward(net, cache, ts)
    L = net.depth
    z = [row[0].tolist() for row in cache.z]  # z[l-2][j-1]
    a = [row[0].tolist() for row in cache.a]  # a[l-1][j-1]
    delta = [row[0].tolist() for row in grads.delta]
    grad_a = [row[0].tolist() for row in grads.grad_a]
    gw = [g.tolist() for g in grads.grad_w]
    gb = [g.tolist() for g in grads.grad_b]
    w = [m.tolist() for m in net.weights]
    b = [v.tolist() for v in net.biases]
    target = ts[0].tolist()
    loss = float(grads.losses[0])
    events: list[Event] = []
    # every value is formatted once: a weight appears in up to four formulas
    na = [[num(v) for v in row] for row in a]
    pa = [_pars(s, v) for s, v in zip(na, a, strict=True)]
    nz = [[num(v) for v in row] for row in z]
    nd = [[num(v) for v in row] for row in delta]
    pd = [_pars(s, v) for s, v in zip(nd, delta, strict=True)]
    nga = [[num(v) for v in row] for row in grad_a]
    ngw = [[[num(v) for v in row] for row in m] for m in gw]
    ngb = [[num(v) for v in row] for row in gb]
    nb = [[num(v) for v in row] for row in b]

    def emit(phase: str, quantity: str, l: int, j: int | None, i: int | None, value: float,
             symbol: str, latex: str, deps: list[int]) -> int:
        n = len(events)
        events.append({
            "id": n, "phase": phase, "quantity": quantity, "l": l, "j": j, "i": i,
            "value": value, "symbol": symbol, "latex": latex, "depends_on": deps,
        })
        return n

    # ids of events by (layer, node) so that later events can name what they read
    a_id: list[list[int]] = [[0] * n for n in net.layers]
    z_id: list[list[int]] = [[0] * n for n in net.layers]
    ga_id: list[list[int]] = [[0] * n for n in net.layers]
    d_id: list[list[int]] = [[0] * n for n in net.layers]
    gw_id: list[list[list[int]]] = [[[0] * net.layers[k] for _ in range(net.layers[k + 1])] for k in range(L - 1)]
    gb_id: list[list[int]] = [[0] * net.layers[k + 1] for k in range(L - 1)]

    for i in range(1, net.layers[0] + 1):
        a_id[0][i - 1] = emit("forward", "a", 1, i, None, a[0][i - 1], f"a_{{{i}}}^{{1}}",
                              rf"a_{{{i}}}^{{1}} = x_{{{i}}} = {na[0][i - 1]}", [])

    for l in range(2, L + 1):
        k = l - 2
        n_prev = net.layers[l - 2]
        act = ACTIVATIONS[net.activations[k]]
        prev_ids = a_id[l - 2]
        softmax = act.name == "softmax"
        shown = _shown(n_prev)
        a_in = a_sym(l - 1, "i")
        pa_prev = pa[l - 2]
        for j in range(1, net.layers[l - 1] + 1):
            wj = w[k][j - 1]
            zj = z[k][j - 1]
            terms = [f"{par(wj[i])} \\cdot {pa_prev[i]}" for i in shown]
            latex = (rf"z_{{{j}}}^{{{l}}} = \sum_{{i=1}}^{{{n_prev}}} w_{{{j}i}}^{{{l}}} {a_in} + b_{{{j}}}^{{{l}}}"
                     rf" = {_elide_shown(terms, n_prev)} + {par(b[k][j - 1])} = {nz[k][j - 1]}")
            z_id[l - 1][j - 1] = emit("forward", "z", l, j, None, zj, f"z_{{{j}}}^{{{l}}}", latex, list(prev_ids))
            if not softmax:
                a_id[l - 1][j - 1] = emit(
                    "forward", "a", l, j, None, a[l - 1][j - 1], f"a_{{{j}}}^{{{l}}}",
                    rf"a_{{{j}}}^{{{l}}} = {act.symbol}(z_{{{j}}}^{{{l}}}) = {act.symbol}({nz[k][j - 1]}) = {na[l - 1][j - 1]}",
                    [z_id[l - 1][j - 1]],
                )
        if softmax:
            zs = z[k]
            m = max(zs)
            denom = sum(math.exp(v - m) for v in zs)
            shift = "" if m == 0 else f"{'-' if m > 0 else '+'} {num(abs(m))}"
            for j in range(1, net.layers[l - 1] + 1):
                latex = (rf"a_{{{j}}}^{{{l}}} = \frac{{e^{{z_{{{j}}}^{{{l}}}}}}}{{\sum_k e^{{z_k^{{{l}}}}}}}"
                         rf" = \frac{{e^{{{nz[k][j - 1]} {shift}}}}}{{{num(denom)}}} = {na[l - 1][j - 1]}")
                a_id[l - 1][j - 1] = emit("forward", "a", l, j, None, a[l - 1][j - 1], f"a_{{{j}}}^{{{l}}}",
                                          latex, list(z_id[l - 1]))

    out, out_ids, m_out = a[L - 1], a_id[L - 1], net.layers[L - 1]
    out_act = ACTIVATIONS[net.activations[-1]]
    shown_out = _shown(m_out)
    if net.loss == "mse":
        parts = [f"({num(out[k])} - {num(target[k])})^2" for k in shown_out]
        latex = (rf"\mathcal{{L}} = \frac{{1}}{{2}}\sum_{{k=1}}^{{{m_out}}} (o_k - t_k)^2"
                 rf" = \frac{{1}}{{2}}\left[{_elide_shown(parts, m_out)}\right] = {num(loss)}")
    elif out_act.name == "softmax":
        parts = [rf"{par(target[k])}\ln {num(out[k])}" for k in shown_out]
        latex = rf"\mathcal{{L}} = -\sum_{{k=1}}^{{{m_out}}} t_k \ln o_k = -\left[{_elide_shown(parts, m_out)}\right] = {num(loss)}"
    else:
        parts = [rf"{par(target[k])}\ln {num(out[k])} + {par(1 - target[k])}\ln(1-{num(out[k])})" for k in shown_out]
        latex = (rf"\mathcal{{L}} = -\sum_{{k=1}}^{{{m_out}}} \left[t_k \ln o_k + (1-t_k)\ln(1-o_k)\right]"
                 rf" = -\left[{_elide_shown(parts, m_out)}\right] = {num(loss)}")
    emit("loss", "loss", L, None, None, loss, r"\mathcal{L}", latex, list(out_ids))

    for j in range(1, m_out + 1):
        o, tj, g = out[j - 1], target[j - 1], grad_a[L - 1][j - 1]
        sym = rf"{DL}a_{{{j}}}^{{{L}}}}}"
        if net.loss == "mse":
            latex = rf"{sym} = o_{{{j}}} - t_{{{j}}} = {num(o)} - {par(tj)} = {num(g)}"
        elif out_act.name == "softmax":
            latex = rf"{sym} = -\frac{{t_{{{j}}}}}{{o_{{{j}}}}} = -\frac{{{num(tj)}}}{{{num(o)}}} = {num(g)}"
        else:
            latex = (rf"{sym} = -\frac{{t_{{{j}}}}}{{o_{{{j}}}}} + \frac{{1-t_{{{j}}}}}{{1-o_{{{j}}}}}"
                     rf" = -\frac{{{num(tj)}}}{{{num(o)}}} + \frac{{{num(1 - tj)}}}{{{num(1 - o)}}} = {num(g)}")
        ga_id[L - 1][j - 1] = emit("backward", "grad_a", L, j, None, g, sym, latex, [out_ids[j - 1]])

    for l in range(L, 1, -1):
        k = l - 2
        act = ACTIVATIONS[net.activations[k]]
        n_l, n_prev = net.layers[l - 1], net.layers[l - 2]
        fused = l == L and fused_output_delta(net.loss, act.name)
        elementwise = not fused and not (act.name == "softmax") and act.df is not None
        # f'(z_j^l) of the whole layer at once: the same elementwise arithmetic as node by node
        fprimes = act.df(cache.z[k][:1], cache.a[l - 1][:1])[0].tolist() if elementwise and act.df else []
        for j in range(1, n_l + 1):
            d = delta[k][j - 1]
            head = rf"\delta_{{{j}}}^{{{l}}} = {DL}z_{{{j}}}^{{{l}}}}}"
            g = grad_a[l - 1][j - 1]
            if act.name == "softmax" and not fused:
                s = sum(a[l - 1][q] * grad_a[l - 1][q] for q in range(n_l))
                latex = (rf"{head} = a_{{{j}}}^{{{l}}}\left({DL}a_{{{j}}}^{{{l}}}}} - \sum_k a_k^{{{l}}} {DL}a_k^{{{l}}}}}\right)"
                         rf" = {na[l - 1][j - 1]}\left({nga[l - 1][j - 1]} - {par(s)}\right) = {nd[k][j - 1]}")
                deps = list(a_id[l - 1]) + list(ga_id[l - 1])
            elif fused:
                latex = (rf"{head} = {act.symbol}'(z_{{{j}}}^{{{l}}})\,{DL}a_{{{j}}}^{{{l}}}}} = o_{{{j}}} - t_{{{j}}}"
                         rf" = {num(out[j - 1])} - {par(target[j - 1])} = {nd[k][j - 1]}")
                deps = [a_id[l - 1][j - 1], ga_id[l - 1][j - 1]]
            else:
                fprime = fprimes[j - 1] if fprimes else 0.0
                latex = (rf"{head} = {act.symbol}'(z_{{{j}}}^{{{l}}})\,{DL}a_{{{j}}}^{{{l}}}}}"
                         rf" = {num(fprime)} \times {par(g)} = {nd[k][j - 1]}")
                deps = [a_id[l - 1][j - 1], ga_id[l - 1][j - 1]]
            d_id[l - 1][j - 1] = emit("backward", "delta", l, j, None, d, rf"\delta_{{{j}}}^{{{l}}}", latex, deps)
        pa_prev, a_ids_prev = pa[l - 2], a_id[l - 2]
        a_syms = [a_sym(l - 1, i) for i in range(1, n_prev + 1)]
        append = events.append
        for j in range(1, n_l + 1):
            pdj, d_idj = pd[k][j - 1], d_id[l - 1][j - 1]
            gwj, ngwj, gw_idj = gw[k][j - 1], ngw[k][j - 1], gw_id[k][j - 1]
            delta_j = rf"\,\delta_{{{j}}}^{{{l}}} = "
            # the innermost loop of the trace (one event per weight): `emit` written out, no call
            for i in range(1, n_prev + 1):
                sym = rf"{DL}w_{{{j}{i}}}^{{{l}}}}}"
                n_ev = len(events)
                append({"id": n_ev, "phase": "backward", "quantity": "grad_w", "l": l, "j": j, "i": i,
                        "value": gwj[i - 1], "symbol": sym,
                        "latex": f"{sym} = {a_syms[i - 1]}{delta_j}{pa_prev[i - 1]} \\times {pdj} = {ngwj[i - 1]}",
                        "depends_on": [a_ids_prev[i - 1], d_idj]})
                gw_idj[i - 1] = n_ev
            sym = rf"{DL}b_{{{j}}}^{{{l}}}}}"
            gb_id[k][j - 1] = emit("backward", "grad_b", l, j, None, gb[k][j - 1], sym,
                                   rf"{sym} = \delta_{{{j}}}^{{{l}}} = {ngb[k][j - 1]}", [d_idj])
        shown = _shown(n_l)
        for i in range(1, n_prev + 1):
            g = grad_a[l - 2][i - 1]
            sym = rf"{DL}{a_sym(l - 1, i)}}}"
            terms = [f"{par(w[k][j][i - 1])} \\times {pd[k][j]}" for j in shown]
            latex = (rf"{sym} = \sum_{{j=1}}^{{{n_l}}} w_{{j{i}}}^{{{l}}}\,\delta_j^{{{l}}}"
                     rf" = {_elide_shown(terms, n_l)} = {nga[l - 2][i - 1]}")
            ga_id[l - 2][i - 1] = emit("backward", "grad_a", l - 1, i, None, g, sym, latex, list(d_id[l - 1]))

    eta = net.learning_rate
    neta = num(eta)
    for l in range(2, L + 1):
        k = l - 2
        for j in range(1, net.layers[l - 1] + 1):
            wj, gwj, ngwj, gw_idj = w[k][j - 1], gw[k][j - 1], ngw[k][j - 1], gw_id[k][j - 1]
            for i in range(1, net.layers[l - 2] + 1):
                old, g = wj[i - 1], gwj[i - 1]
                new = old - eta * g
                pg = f"({ngwj[i - 1]})" if g < 0 else ngwj[i - 1]
                w_sym = f"w_{{{j}{i}}}^{{{l}}}"
                events.append({"id": len(events), "phase": "update", "quantity": "w", "l": l, "j": j, "i": i,
                               "value": new, "symbol": w_sym,
                               "latex": rf"{w_sym} \leftarrow {w_sym} - \eta\,{DL}{w_sym}}} = {num(old)} - {neta} \times {pg} = {num(new)}",
                               "depends_on": [gw_idj[i - 1]]})
            if net.train_biases:
                old, g = b[k][j - 1], gb[k][j - 1]
                new = old - eta * g
                pg = f"({ngb[k][j - 1]})" if g < 0 else ngb[k][j - 1]
                latex = (rf"b_{{{j}}}^{{{l}}} \leftarrow b_{{{j}}}^{{{l}}} - \eta\,{DL}b_{{{j}}}^{{{l}}}}}"
                         rf" = {nb[k][j - 1]} - {neta} \times {pg} = {num(new)}")
                emit("update", "b", l, j, None, new, rf"b_{{{j}}}^{{{l}}}", latex, [gb_id[k][j - 1]])
    return events, loss


def event_count(layers: list[int], train_biases: bool = True) -> int:
    """How many events `trace` emits for these layer sizes, known before any work is done."""
    nodes = sum(layers)
    hidden_and_out = sum(layers[1:])
    weights = sum(m * n for m, n in zip(layers[:-1], layers[1:], strict=True))
    biases = hidden_and_out if train_biases else 0
    # inputs, z and a, the loss, ∂L/∂a of every node, δ, ∂L/∂w, ∂L/∂b, then the w and b updates
    return layers[0] + 2 * hidden_and_out + 1 + nodes + hidden_and_out + weights + hidden_and_out + weights + biases
