"""One sample's forward pass, loss, backward pass and update as ordered events, each with its value, its formula
with the numbers and the ids of the events it reads. The order is the lecture's: z_j^l then a_j^l node by node
and layer by layer, the loss, then from the output layer down ∂L/∂a, δ, ∂L/∂w, ∂L/∂b, ∂L/∂a^{l-1}, and finally
the updates.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from app.engine.functions import ACTIVATIONS, LOSSES, OPTIMIZERS, fused_output_delta, target_mass
from app.engine.latex import DL, a_sym, elide, num, par, pars, shown
from app.engine.network import Network, backward, forward, parameter_vector, updated_parameters
from app.engine.quantities import event_count

Event = dict[str, Any]
__all__ = ["Event", "event_count", "num", "trace"]


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
    pa = [pars(s, v) for s, v in zip(na, a, strict=True)]
    nz = [[num(v) for v in row] for row in z]
    nd = [[num(v) for v in row] for row in delta]
    pd = [pars(s, v) for s, v in zip(nd, delta, strict=True)]
    nga = [[num(v) for v in row] for row in grad_a]
    ngw = [[[num(v) for v in row] for row in m] for m in gw]
    ngb = [[num(v) for v in row] for row in gb]

    def emit(phase: str, quantity: str, l: int, j: int | None, i: int | None, value: float,
             symbol: str, latex: str, deps: list[int]) -> int:
        n = len(events)
        events.append({
            "id": n, "phase": phase, "quantity": quantity, "l": l, "j": j, "i": i,
            "value": value, "symbol": symbol, "latex": latex, "depends_on": deps, "optional": False,
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
        softmax = act.df is None  # softmax: every a_j^l reads every z_k^l
        terms_shown = shown(n_prev)
        a_in = a_sym(l - 1, "i")
        pa_prev = pa[l - 2]
        for j in range(1, net.layers[l - 1] + 1):
            wj = w[k][j - 1]
            zj = z[k][j - 1]
            terms = [f"{par(wj[i])} \\cdot {pa_prev[i]}" for i in terms_shown]
            latex = (rf"z_{{{j}}}^{{{l}}} = \sum_{{i=1}}^{{{n_prev}}} w_{{{j}i}}^{{{l}}} {a_in} + b_{{{j}}}^{{{l}}}"
                     rf" = {elide(terms, n_prev)} + {par(b[k][j - 1])} = {nz[k][j - 1]}")
            z_id[l - 1][j - 1] = emit("forward", "z", l, j, None, zj, f"z_{{{j}}}^{{{l}}}", latex, list(prev_ids))
            if not softmax:
                a_id[l - 1][j - 1] = emit(
                    "forward", "a", l, j, None, a[l - 1][j - 1], f"a_{{{j}}}^{{{l}}}",
                    rf"a_{{{j}}}^{{{l}}} = {act.symbol}(z_{{{j}}}^{{{l}}})"
                    rf" = {act.symbol}({nz[k][j - 1]}) = {na[l - 1][j - 1]}",
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
    loss_rule = LOSSES[net.loss]
    latex = loss_rule.value_latex(out, target, loss, out_act.name)
    emit("loss", "loss", L, None, None, loss, r"\mathcal{L}", latex, list(out_ids))

    for j in range(1, m_out + 1):
        o, tj, g = out[j - 1], target[j - 1], grad_a[L - 1][j - 1]
        sym = rf"{DL}a_{{{j}}}^{{{L}}}}}"
        latex = loss_rule.grad_latex(sym, j, o, tj, g, out_act.name)
        ga_id[L - 1][j - 1] = emit("backward", "grad_a", L, j, None, g, sym, latex, [out_ids[j - 1]])

    for l in range(L, 1, -1):
        k = l - 2
        act = ACTIVATIONS[net.activations[k]]
        n_l, n_prev = net.layers[l - 1], net.layers[l - 2]
        fused = l == L and fused_output_delta(net.loss, act.name)
        elementwise = not fused and act.df is not None
        # f'(z_j^l) of the whole layer at once: the same elementwise arithmetic as node by node
        fprimes = act.df(cache.z[k][:1], cache.a[l - 1][:1])[0].tolist() if elementwise and act.df else []
        for j in range(1, n_l + 1):
            d = delta[k][j - 1]
            head = rf"\delta_{{{j}}}^{{{l}}} = {DL}z_{{{j}}}^{{{l}}}}}"
            g = grad_a[l - 1][j - 1]
            if act.df is None and not fused:
                s = sum(a[l - 1][q] * grad_a[l - 1][q] for q in range(n_l))
                latex = (rf"{head} = a_{{{j}}}^{{{l}}}\left({DL}a_{{{j}}}^{{{l}}}}}"
                         rf" - \sum_k a_k^{{{l}}} {DL}a_k^{{{l}}}}}\right)"
                         rf" = {na[l - 1][j - 1]}\left({nga[l - 1][j - 1]} - {par(s)}\right) = {nd[k][j - 1]}")
                deps = list(a_id[l - 1]) + list(ga_id[l - 1])
            elif fused:
                # the activation's Jacobian times the loss's gradient collapses to o - t (to o Σ t - t after a
                # softmax whose targets do not sum to 1)
                mass = target_mass(act.name, target)
                if mass is None:
                    latex = (rf"{head} = o_{{{j}}} - t_{{{j}}} = {num(out[j - 1])} - {par(target[j - 1])}"
                             rf" = {nd[k][j - 1]}")
                else:
                    total = par(float(mass[0]))
                    latex = (rf"{head} = o_{{{j}}} \sum_k t_k - t_{{{j}}} = {num(out[j - 1])} \cdot {total}"
                             rf" - {par(target[j - 1])} = {nd[k][j - 1]}")
                deps = [a_id[l - 1][j - 1], ga_id[l - 1][j - 1]]
            else:
                dl_a = rf"{DL}a_{{{j}}}^{{{l}}}}}"
                a_j, z_j = f"a_{{{j}}}^{{{l}}}", f"z_{{{j}}}^{{{l}}}"
                rule = rf"{head} = {dl_a}\,{act.symbol}'({z_j})"
                if act.df_form is None:
                    fprime = fprimes[j - 1] if fprimes else 0.0
                    latex = rf"{rule} = {par(g)} \times {num(fprime)} = {nd[k][j - 1]}"
                else:
                    # the lecture's closed form: (o - t) · a(1 - a) at the output, (Σ_k w δ) · a(1 - a) below
                    if l == L and loss_rule.grad_form is not None:
                        sym_g = loss_rule.grad_form.format(o=f"o_{{{j}}}", t=f"t_{{{j}}}")
                        num_g = loss_rule.grad_form.format(o=num(out[j - 1]), t=par(target[j - 1]))
                    elif l < L:
                        sym_g = rf"\left(\sum_k w_{{k{j}}}^{{{l + 1}}}\,\delta_k^{{{l + 1}}}\right)"
                        num_g = par(g)
                    else:
                        sym_g, num_g = dl_a, par(g)
                    sym_f = act.df_form.format(a=a_j, z=z_j)
                    num_f = act.df_form.format(a=na[l - 1][j - 1], z=nz[k][j - 1])
                    latex = rf"{rule} = {sym_g} \cdot {sym_f} = {num_g} \cdot {num_f} = {nd[k][j - 1]}"
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
                        "depends_on": [a_ids_prev[i - 1], d_idj], "optional": False})
                gw_idj[i - 1] = n_ev
            sym = rf"{DL}b_{{{j}}}^{{{l}}}}}"
            gb_id[k][j - 1] = emit("backward", "grad_b", l, j, None, gb[k][j - 1], sym,
                                   rf"{sym} = \delta_{{{j}}}^{{{l}}} = {ngb[k][j - 1]}", [d_idj])
        terms_shown = shown(n_l)
        for i in range(1, n_prev + 1):
            g = grad_a[l - 2][i - 1]
            sym = rf"{DL}{a_sym(l - 1, i)}}}"
            terms = [f"{par(w[k][j][i - 1])} \\times {pd[k][j]}" for j in terms_shown]
            latex = (rf"{sym} = \sum_{{j=1}}^{{{n_l}}} w_{{j{i}}}^{{{l}}}\,\delta_j^{{{l}}}"
                     rf" = {elide(terms, n_l)} = {nga[l - 2][i - 1]}")
            ga_id[l - 2][i - 1] = emit("backward", "grad_a", l - 1, i, None, g, sym, latex, list(d_id[l - 1]))
            if l == 2:
                events[-1]["optional"] = True  # ∂L/∂x_i: the flow reaches the inputs, but no update reads it

    # the new values are the engine's own update; the optimizer's record writes the formula
    opt = OPTIMIZERS[net.optimizer]
    neta = num(net.learning_rate)
    pgb = [pars(row, v) for row, v in zip(ngb, gb, strict=True)]
    hp = opt.settings(net.optimizer_settings)
    new_w, new_b, new_state = updated_parameters(net, grads)
    nw = [m.tolist() for m in new_w]
    nbias = [v.tolist() for v in new_b]
    size = parameter_vector(net.weights, net.biases, net.train_biases).size
    old_state = {key: v.tolist() for key, v in (net.optimizer_state or opt.init_state(size)).items()}
    after_state = {key: v.tolist() for key, v in new_state.items()}
    no_state: dict[str, float] = {}

    def element(state: dict[str, list[float]], at: int) -> dict[str, float]:
        """The optimizer's state of the parameter at flat index `at` (one-element arrays are shared)."""
        return {key: v[0] if len(v) == 1 else v[at] for key, v in state.items()}

    # flat indices in network.parameter_vector's layout: every weight, then every bias
    at = 0
    b_at = sum(m * n for m, n in zip(net.layers[:-1], net.layers[1:], strict=True))
    for l in range(2, L + 1):
        k = l - 2
        for j in range(1, net.layers[l - 1] + 1):
            wj, gwj, nwj, gw_idj, ngwj = w[k][j - 1], gw[k][j - 1], nw[k][j - 1], gw_id[k][j - 1], ngw[k][j - 1]
            for i in range(1, net.layers[l - 2] + 1):
                w_sym = f"w_{{{j}{i}}}^{{{l}}}"
                pg = f"({ngwj[i - 1]})" if gwj[i - 1] < 0 else ngwj[i - 1]
                latex = opt.event_latex(w_sym, wj[i - 1], neta, pg, nwj[i - 1],
                                        element(old_state, at) if old_state else no_state,
                                        element(after_state, at) if after_state else no_state, hp)
                events.append({"id": len(events), "phase": "update", "quantity": "w", "l": l, "j": j, "i": i,
                               "value": nwj[i - 1], "symbol": w_sym, "latex": latex,
                               "depends_on": [gw_idj[i - 1]], "optional": False})
                at += 1
            if net.train_biases:
                b_sym = f"b_{{{j}}}^{{{l}}}"
                latex = opt.event_latex(b_sym, b[k][j - 1], neta, pgb[k][j - 1], nbias[k][j - 1],
                                        element(old_state, b_at) if old_state else no_state,
                                        element(after_state, b_at) if after_state else no_state, hp)
                emit("update", "b", l, j, None, nbias[k][j - 1], b_sym, latex, [gb_id[k][j - 1]])
                b_at += 1
    return events, loss
