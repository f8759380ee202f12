// The lesson's extra formulas, built as LaTeX from the live network and the server's numbers (a trace, the
// forward and backward passes over all samples), and the multiplication counts of the chain rule against reuse.
// Pure: no DOM, no fetch; runs under node --test.

import { texNum } from "../models/format.js";

/** The trace event for (quantity, l, j, i) in a given phase (any phase when omitted), else null. */
export function findEvent(trace, { quantity, l, j = null, i = null, phase = null }) {
  if (!trace) return null;
  return trace.events.find((e) => e.quantity === quantity && e.l === l && (j == null || e.j === j) && (i == null || e.i === i) && (phase == null || e.phase === phase)) || null;
}

/** The 1-based position at which that event is computed (the player's p), else null. */
export function positionOf(trace, query) {
  const ev = findEvent(trace, query);
  return ev ? trace.events.indexOf(ev) + 1 : null;
}

/** A trace value, or NaN when the trace does not hold it. */
export const valueOf = (trace, query) => {
  const ev = findEvent(trace, query);
  return ev ? ev.value : Number.NaN;
};

/** A number as the trace writes it: four decimals. */
export const num = (v) => texNum(v, 4);
/** Six significant digits, to show two results agree past the trace's four decimals. */
export const sig = (v) => (Number.isFinite(v) && Math.abs(v) >= 1e-5 && Math.abs(v) < 1e5 ? v.toPrecision(6) : texNum(v, 4));
/** A factor in a product: negative numbers in parentheses. */
export const fac = (v) => (v < 0 ? `(${num(v)})` : num(v));

const col = (cells) => `\\begin{bmatrix} ${cells.join(" \\\\ ")} \\end{bmatrix}`;
const mat = (rows) => `\\begin{bmatrix} ${rows.map((r) => r.join(" & ")).join(" \\\\ ")} \\end{bmatrix}`;
const aSym = (l, k) => (l === 1 ? `x_{${k}}` : `a_{${k}}^{${l}}`);
const range = (n) => Array.from({ length: n }, (_, k) => k + 1);

/** z^l = W^l a^{l−1} + b^l for every layer l ≥ 2, symbols then numbers (a^{l−1} and z^l from the trace). */
export function matrixForm(network, trace) {
  const out = [];
  for (let l = 2; l <= network.layers.length; l += 1) {
    const n = network.layers[l - 1];
    const m = network.layers[l - 2];
    const W = network.weights[l - 2];
    const b = network.biases[l - 2];
    const symbols = `${col(range(n).map((j) => `z_{${j}}^{${l}}`))} = ${mat(range(n).map((j) => range(m).map((i) => `w_{${j}${i}}^{${l}}`)))} ${col(range(m).map((i) => aSym(l - 1, i)))} + ${col(range(n).map((j) => `b_{${j}}^{${l}}`))}`;
    const a = range(m).map((i) => num(valueOf(trace, { quantity: "a", l: l - 1, j: i, phase: "forward" })));
    const z = range(n).map((j) => num(valueOf(trace, { quantity: "z", l, j })));
    const numbers = `= ${mat(W.map((row) => row.map(num)))} ${col(a)} + ${col(b.map(num))} = ${col(z)}`;
    out.push({ label: `layer ${l}: $z^{${l}} = W^{${l}} a^{${l - 1}} + b^{${l}}$`, tex: `${symbols} ${numbers}` });
  }
  return out;
}

/** L = Σ_n L_n over the data set, from a forward pass over all samples ({per_sample: [{loss}], loss}). */
export function lossSum(all) {
  const parts = all.per_sample.map((s) => num(s.loss));
  return `\\mathcal{L} = \\sum_{n=1}^{${parts.length}} \\mathcal{L}_n = ${parts.join(" + ")} = ${num(all.loss)}`;
}

/**
 * The closed form of L_n for a network with one hidden layer and one output, nested as the lecture writes it,
 * in symbols and with this sample's numbers; null for any other shape.
 */
export function nestedLoss(network, trace) {
  const [d, p, m] = network.layers;
  if (network.layers.length !== 3 || m !== 1) return null;
  const W2 = network.weights[0];
  const b2 = network.biases[0];
  const W3 = network.weights[1][0];
  const b3 = network.biases[1][0];
  const x = trace.input;
  const hidden = (j, numbers) => {
    const terms = range(d).map((i) => (numbers ? `${fac(W2[j - 1][i - 1])} \\cdot ${num(x[i - 1])}` : `w_{${j}${i}}^{2} x_{${i}}`));
    return `\\sigma\\big(${numbers ? num(b2[j - 1]) : `b_{${j}}^{2}`} + ${terms.join(" + ")}\\big)`;
  };
  const output = (numbers) => {
    const terms = range(p).map((j) => `${numbers ? fac(W3[j - 1]) : `w_{1${j}}^{3}`} \\, ${hidden(j, numbers)}`);
    return `\\sigma\\!\\Big(${numbers ? num(b3) : "b_{1}^{3}"} + ${terms.join(" + ")}\\Big)`;
  };
  const t = trace.target[0];
  return {
    symbols: `\\mathcal{L}_n = \\tfrac{1}{2}\\Big(t_1 - ${output(false)}\\Big)^2`,
    numbers: `\\mathcal{L}_n = \\tfrac{1}{2}\\Big(${num(t)} - ${output(true)}\\Big)^2 = ${num(trace.loss)}`,
    sigma: "\\sigma(u) = \\frac{1}{1 + e^{-u}}",
  };
}

/** σ′ at the output in the lecture's closed form: o(1 − o) with the number. */
export function sigmoidSlope(trace, l = 3, j = 1) {
  const o = valueOf(trace, { quantity: "a", l, j, phase: "forward" });
  return `\\sigma'(z_{${j}}^{${l}}) = a_{${j}}^{${l}}\\,(1 - a_{${j}}^{${l}}) = ${num(o)} \\cdot (1 - ${num(o)}) = ${num(o * (1 - o))}`;
}

/** ∂L/∂a^{l−1} = (W^l)ᵀ δ^l for layer l, with the numbers (δ and the results from the trace). */
export function transposeForm(network, trace, l, compact = false) {
  const n = network.layers[l - 1];
  const m = network.layers[l - 2];
  const W = network.weights[l - 2];
  const lhs = col(range(m).map((i) => `\\frac{\\partial \\mathcal{L}}{\\partial ${aSym(l - 1, i)}}`));
  const Wt = mat(range(m).map((i) => range(n).map((j) => `w_{${j}${i}}^{${l}}`)));
  const WtNum = mat(range(m).map((i) => range(n).map((j) => num(W[j - 1][i - 1]))));
  const deltas = col(range(n).map((j) => `\\delta_{${j}}^{${l}}`));
  const deltaNum = col(range(n).map((j) => num(valueOf(trace, { quantity: "delta", l, j }))));
  const res = col(range(m).map((i) => num(valueOf(trace, { quantity: "grad_a", l: l - 1, j: i }))));
  // compact: the numbers only, for a layer too large to show its symbols beside them on a projector
  if (compact) return `\\frac{\\partial \\mathcal{L}}{\\partial a^{${l - 1}}} = (W^{${l}})^{\\mathsf T} \\delta^{${l}} = ${WtNum} ${deltaNum} = ${res}`;
  return `${lhs} = (W^{${l}})^{\\mathsf T} \\delta^{${l}} = ${Wt} ${deltas} = ${WtNum} ${deltaNum} = ${res}`;
}

/**
 * A hidden δ_j^l written out term by term: (Σ_k w_kj^{l+1} δ_k^{l+1}) a_j^l (1 − a_j^l), one term a line, each
 * weight with its δ, then the sum, the slope and δ itself (the trace's). terms: [{k, w, delta}].
 */
export function hiddenDelta(network, trace, l, j) {
  const W = network.weights[l - 1]; // W^{l+1}
  const terms = range(network.layers[l]).map((k) => ({ k, w: W[k - 1][j - 1], delta: valueOf(trace, { quantity: "delta", l: l + 1, j: k }) }));
  const sum = terms.reduce((s, t) => s + t.w * t.delta, 0);
  const a = valueOf(trace, { quantity: "a", l, j, phase: "forward" });
  const value = valueOf(trace, { quantity: "delta", l, j });
  const up = l + 1;
  const symbols = terms.map((t) => `w_{${t.k}${j}}^{${up}}\\,\\delta_{${t.k}}^{${up}}`).join(" + ");
  // one term a line, so a sum fits beside the figure on a projector and on a phone
  const lines = terms.map((t) => `${fac(t.w)} \\cdot ${fac(t.delta)}`);
  const numbers = lines.map((line, n) => `&${n === 0 ? "= \\big(" : "\\quad +"} ${line}${n === lines.length - 1 ? " \\big)" : ""}`);
  const tex = `\\begin{aligned} \\delta_{${j}}^{${l}} &= \\big(${symbols}\\big)\\, a_{${j}}^{${l}}(1 - a_{${j}}^{${l}}) \\\\ ${numbers.join(" \\\\ ")} \\\\ &\\quad \\cdot ${num(a)}\\,(1 - ${num(a)}) \\\\ &= ${fac(sum)} \\cdot ${num(a * (1 - a))} = ${num(value)} \\end{aligned}`;
  return { terms, sum, slope: a * (1 - a), value, tex };
}

/** ∂L/∂a_i^{l−1} = Σ_j w_ji^l δ_j^l, one line per δ of layer l, with the trace's result. */
export function gradASum(network, trace, l, i) {
  const W = network.weights[l - 2];
  const terms = range(network.layers[l - 1]).map((j) => ({ j, w: W[j - 1][i - 1], delta: valueOf(trace, { quantity: "delta", l, j }) }));
  const value = valueOf(trace, { quantity: "grad_a", l: l - 1, j: i });
  const lines = terms.map((t, n) => `&${n === 0 ? "=" : "\\quad +"} ${fac(t.w)} \\cdot ${fac(t.delta)}`);
  const symbols = terms.map((t) => `w_{${t.j}${i}}^{${l}}\\,\\delta_{${t.j}}^{${l}}`).join(" + ");
  const tex = `\\begin{aligned} \\frac{\\partial \\mathcal{L}}{\\partial ${aSym(l - 1, i)}} &= ${symbols} \\\\ ${lines.join(" \\\\ ")} \\\\ &= ${num(value)} \\end{aligned}`;
  return { terms, sum: terms.reduce((s, t) => s + t.w * t.delta, 0), value, tex };
}

/**
 * The lecture's Case 1 for w_kj^3 (output k, hidden j) with this sample's numbers: the loss's derivative, the
 * gradient the lecture calls Δw_kj, and the bias gradient its sums leave out.
 */
export function caseOne(network, trace, k = 1, j = 1) {
  const L = network.layers.length;
  const o = valueOf(trace, { quantity: "a", l: L, j: k, phase: "forward" });
  const t = trace.target[k - 1];
  const h = valueOf(trace, { quantity: "a", l: L - 1, j, phase: "forward" });
  const slope = o * (1 - o);
  const grad = (o - t) * slope * h;
  return {
    value: grad,
    bias: (o - t) * slope,
    dLdo: `\\begin{aligned} &\\frac{\\partial}{\\partial o_{${k}}} \\tfrac{1}{2}(t_{${k}} - o_{${k}})^2 \\\\ &= -(t_{${k}} - o_{${k}}) = o_{${k}} - t_{${k}} \\\\ &= ${num(o)} - ${num(t)} = ${num(o - t)} \\end{aligned}`,
    // a factor a line, so each fits a phone and a projector's half screen
    delta: `\\begin{aligned} \\Delta w_{${k}${j}} &= \\frac{\\partial \\mathcal{L}_n}{\\partial w_{${k}${j}}} \\\\ &= -(t_{${k}} - o_{${k}})\\, o_{${k}}(1 - o_{${k}})\\, h_{${j}} \\\\ &= ${fac(o - t)} \\cdot ${num(slope)} \\cdot ${num(h)} = ${num(grad)} \\end{aligned}`,
    step: `\\begin{aligned} w_{${k}${j}} &\\leftarrow w_{${k}${j}} - \\eta\\,\\Delta w_{${k}${j}} \\\\ &= ${num(network.weights[L - 2][k - 1][j - 1])} - ${network.learning_rate} \\cdot ${fac(grad)} = ${num(network.weights[L - 2][k - 1][j - 1] - network.learning_rate * grad)} \\end{aligned}`,
    biasTex: `\\begin{aligned} \\frac{\\partial \\mathcal{L}_n}{\\partial b_{${k}}^{${L}}} &= -(t_{${k}} - o_{${k}})\\, o_{${k}}(1 - o_{${k}}) \\cdot 1 \\\\ &= ${num((o - t) * slope)} = \\delta_{${k}}^{${L}} \\end{aligned}`,
  };
}

/**
 * The lecture's Case 2 for the first-layer weight w_ji^2 of a one-hidden-layer network: every factor of the
 * chain rule with its number, their product, and the reuse form x_i δ_j^2 with the server's gradient.
 */
export function caseTwo(network, trace, j = 1, i = 1) {
  const L = network.layers.length;
  if (L !== 3) return null;
  const x = trace.input[i - 1];
  const h = valueOf(trace, { quantity: "a", l: 2, j, phase: "forward" });
  const outputs = range(network.layers[2]);
  const terms = outputs.map((k) => {
    const o = valueOf(trace, { quantity: "a", l: 3, j: k, phase: "forward" });
    const t = trace.target[k - 1];
    const w = network.weights[1][k - 1][j - 1];
    return { k, o, t, w, product: (o - t) * o * (1 - o) * w * h * (1 - h) * x };
  });
  const full = terms.reduce((s, term) => s + term.product, 0);
  const sum = outputs.length > 1 ? `\\sum_{k=1}^{${outputs.length}} ` : "";
  const symbols = `\\begin{aligned} \\frac{\\partial \\mathcal{L}_n}{\\partial w_{${j}${i}}^{2}} &= ${sum}\\underbrace{(o_k - t_k)}_{\\partial \\mathcal{L}_n/\\partial o_k} \\cdot \\underbrace{o_k(1 - o_k)}_{\\partial o_k/\\partial net_k} \\\\ &\\quad \\cdot \\underbrace{w_{k${j}}^{3}}_{\\partial net_k/\\partial h_${j}} \\cdot \\underbrace{h_${j}(1 - h_${j})}_{\\partial h_${j}/\\partial net_${j}} \\cdot \\underbrace{x_${i}}_{\\partial net_${j}/\\partial w_{${j}${i}}} \\end{aligned}`;
  // One term per line (output side, then hidden side), so the product fits a phone without scrolling.
  const numbers = terms
    .map(({ o, t, w }) => `&${outputs.length > 1 ? "+" : "="} (${num(o)} - ${num(t)}) \\cdot ${num(o)}\\,(1 - ${num(o)}) \\\\ &\\quad \\cdot ${fac(w)} \\cdot ${num(h)}\\,(1 - ${num(h)}) \\cdot ${num(x)}`)
    .join(" \\\\ ");
  const reuseValue = valueOf(trace, { quantity: "grad_w", l: 2, j, i });
  const delta = valueOf(trace, { quantity: "delta", l: 2, j });
  return {
    full,
    reuse: reuseValue,
    symbols,
    numbers: `\\begin{aligned} ${numbers} \\\\ &= ${sig(full)} \\end{aligned}`,
    reuseTex: `\\frac{\\partial \\mathcal{L}}{\\partial w_{${j}${i}}^{2}} = x_{${i}}\\,\\delta_{${j}}^{2} = ${num(x)} \\times ${fac(delta)} = ${sig(reuseValue)}`,
  };
}

/**
 * Multiplications for all weight gradients of one sample (sigmoid layers, squared error), for layer sizes
 * [n1, ..., nL]. written: each weight's chain rule written out on its own, one product per path from the weight
 * to an output; a path from layer l has 4 + 3(L − l) factors: a_i^{l−1}, a_j(1 − a_j), then w and a(1 − a) per later
 * layer, and (o − t). reuse: backpropagation: 2 per output δ, n_{l+1} + 2 per hidden δ, 1 per weight gradient.
 */
export function multiplicationCounts(layers) {
  const L = layers.length;
  const n = (l) => layers[l - 1];
  let written = 0;
  let reuse = 2 * n(L);
  for (let l = 2; l <= L; l += 1) {
    let paths = 1;
    for (let q = l + 1; q <= L; q += 1) paths *= n(q);
    const weights = n(l) * n(l - 1);
    written += weights * paths * (3 + 3 * (L - l));
    reuse += weights;
    if (l < L) reuse += n(l) * (n(l + 1) + 2);
  }
  return { written, reuse, weights: layers.slice(1).reduce((s, v, k) => s + v * layers[k], 0) };
}

/**
 * Batch against one sample for w_ji^l: each sample's ∂L_n/∂w = a_i^{l−1} δ_j^l (from POST /backward over all
 * samples) and their sum, which the server's batch gradient must equal.
 */
export function batchGradient(backwardAll, l, j, i) {
  const terms = backwardAll.per_sample.map((s) => {
    const a = s.layers[l - 2].a[i - 1];
    const delta = s.layers[l - 1].delta[j - 1];
    return { a, delta, value: a * delta };
  });
  const layer = backwardAll.gradients.find((g) => g.l === l);
  const batch = layer ? layer.grad_w[j - 1][i - 1] : Number.NaN;
  const sum = terms.reduce((s, t) => s + t.value, 0);
  const parts = terms.map((t) => `${num(t.a)} \\cdot ${fac(t.delta)}`);
  return {
    terms,
    sum,
    batch,
    tex: `\\frac{\\partial \\mathcal{L}}{\\partial w_{${j}${i}}^{${l}}} = \\sum_{n=1}^{${terms.length}} ${aSym(l - 1, i)}\\!\\left[n\\right] \\delta_{${j}}^{${l}}\\!\\left[n\\right] = ${parts.join(" + ")} = ${num(batch)}`,
  };
}

/**
 * The lecture's XOR table beside ours: reference {iterations, outputs} (GET /api/presets), ours the snapshots of
 * POST /train ({iteration, outputs}). Rows at the reference's iterations; worst is the largest |ours − lecture|.
 */
export function compareTable(reference, snapshots) {
  const byIteration = new Map(snapshots.map((s) => [s.iteration, s.outputs]));
  let worst = 0;
  const rows = reference.iterations.map((it, r) => {
    const ours = byIteration.get(it);
    const cells = reference.outputs[r].map((ref, n) => {
      const v = ours ? ours[n][0] : Number.NaN;
      const diff = v - ref[0];
      if (Number.isFinite(diff)) worst = Math.max(worst, Math.abs(diff));
      return { ours: v, lecture: ref[0], diff };
    });
    return { iteration: it, cells };
  });
  return { rows, worst };
}
