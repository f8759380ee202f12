// The guided lesson's pure parts: the stages in the lecture's order, their spans on a trace, the formulas with
// numbers (checked against an independent forward/backward pass written here), the multiplication counts
// (checked against counting the chain rule's paths one by one), the XOR table comparison and the sample choice.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  batchGradient, caseOne, caseTwo, compareTable, fac, gradASum, hiddenDelta, matrixForm, multiplicationCounts, nestedLoss,
  positionOf, transposeForm,
} from "../../static/js/lesson/formulas.js";
import { DEEP_LAYERS, NETWORKS, STAGES, focusDelta, parseStage, stageSpan } from "../../static/js/lesson/stages.js";
import { chooseSample, describeChoice } from "../../static/js/models/sample-choice.js";

const sigma = (u) => 1 / (1 + Math.exp(-u));
const XOR = { inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]] };

/** The xor preset's initial weights (seed 887637), as GET /api/networks returns them. */
function xorNetwork() {
  return {
    id: "test", preset: "xor", layers: [2, 2, 1], activations: ["sigmoid", "sigmoid"], loss: "mse", learning_rate: 0.5,
    weights: [[[0.14816372891904073, -0.4393973883347855], [0.5826097427536117, 0.33006355406132104]], [[0.05422703127250039, 0.33618349384805457]]],
    biases: [[0.08628899350623831, -0.9814301175946412], [-0.00519140882896707]],
    dataset: XOR,
  };
}

/** One sample's pass, computed here from the weights: per layer a, z, δ, ∂L/∂a, and the gradients. */
function pass(net, x, t) {
  const L = net.layers.length;
  const a = [x];
  const z = [null];
  for (let l = 2; l <= L; l += 1) {
    const W = net.weights[l - 2];
    const zl = W.map((row, j) => row.reduce((s, w, i) => s + w * a[l - 2][i], net.biases[l - 2][j]));
    z.push(zl);
    a.push(zl.map(sigma));
  }
  const delta = Array(L).fill(null);
  const gradA = Array(L).fill(null);
  gradA[L - 1] = a[L - 1].map((o, k) => o - t[k]);
  for (let l = L; l >= 2; l -= 1) {
    delta[l - 1] = a[l - 1].map((v, j) => gradA[l - 1][j] * v * (1 - v));
    const W = net.weights[l - 2];
    gradA[l - 2] = a[l - 2].map((_, i) => W.reduce((s, row, j) => s + row[i] * delta[l - 1][j], 0));
  }
  const loss = a[L - 1].reduce((s, o, k) => s + 0.5 * (o - t[k]) ** 2, 0);
  return { a, z, delta, gradA, loss };
}

/** A trace in POST /trace's shape and order (forward, loss, backward by layer, update), from pass(). */
function traceOf(net, n) {
  const x = net.dataset.inputs[n];
  const t = net.dataset.targets[n];
  const r = pass(net, x, t);
  const L = net.layers.length;
  const events = [];
  const ev = (phase, quantity, l, j, i, value) => events.push({ id: events.length, phase, quantity, l, j, i, value, latex: `${quantity}`, symbol: quantity, depends_on: [] });
  x.forEach((v, k) => ev("forward", "a", 1, k + 1, null, v));
  for (let l = 2; l <= L; l += 1) r.z[l - 1].forEach((v, k) => (ev("forward", "z", l, k + 1, null, v), ev("forward", "a", l, k + 1, null, r.a[l - 1][k])));
  ev("loss", "loss", L, null, null, r.loss);
  for (let l = L; l >= 2; l -= 1) {
    if (l === L) r.gradA[l - 1].forEach((v, k) => ev("backward", "grad_a", l, k + 1, null, v));
    else r.gradA[l - 1].forEach((v, k) => ev("backward", "grad_a", l, k + 1, null, v));
    r.delta[l - 1].forEach((d, j) => ev("backward", "delta", l, j + 1, null, d));
    r.delta[l - 1].forEach((d, j) => {
      r.a[l - 2].forEach((ai, i) => ev("backward", "grad_w", l, j + 1, i + 1, ai * d));
      ev("backward", "grad_b", l, j + 1, null, d);
    });
  }
  for (let l = 2; l <= L; l += 1) {
    net.weights[l - 2].forEach((row, j) => {
      row.forEach((w, i) => ev("update", "w", l, j + 1, i + 1, w - net.learning_rate * r.a[l - 2][i] * r.delta[l - 1][j]));
      ev("update", "b", l, j + 1, null, net.biases[l - 2][j] - net.learning_rate * r.delta[l - 1][j]);
    });
  }
  return { layers: net.layers, input: x, target: t, loss: r.loss, events };
}

function backwardAll(net) {
  const per = net.dataset.inputs.map((x, n) => {
    const r = pass(net, x, net.dataset.targets[n]);
    return { layers: r.a.map((a, k) => ({ l: k + 1, a, delta: r.delta[k] })), loss: r.loss };
  });
  const gradients = [];
  for (let l = 2; l <= net.layers.length; l += 1) {
    const gw = net.weights[l - 2].map((row, j) => row.map((_, i) => per.reduce((s, p) => s + p.layers[l - 2].a[i] * p.layers[l - 1].delta[j], 0)));
    gradients.push({ l, grad_w: gw });
  }
  return { per_sample: per, gradients, loss: per.reduce((s, p) => s + p.loss, 0) };
}

/** A half adder of the given layer sizes with fixed weights in (−1, 1) (an index-made pattern, not a preset's). */
function adderNetwork(layers) {
  const w = (l, j, i) => Math.sin(7 * l + 3 * j + i) * 0.9;
  return {
    id: `adder-${layers.join("-")}`, preset: layers.length === 3 ? "half_adder" : "half_adder_deep", layers,
    activations: layers.slice(1).map(() => "sigmoid"), loss: "mse", learning_rate: 0.5,
    weights: layers.slice(1).map((n, k) => Array.from({ length: n }, (_, j) => Array.from({ length: layers[k] }, (_, i) => w(k + 2, j, i)))),
    biases: layers.slice(1).map((n, k) => Array.from({ length: n }, (_, j) => w(k + 2, j, 5) / 3)),
    dataset: { inputs: XOR.inputs, targets: [[0, 0], [1, 0], [1, 0], [0, 1]] },
  };
}

const NETS = { xor: xorNetwork, half_adder: () => adderNetwork([2, 3, 2]), half_adder_deep: () => adderNetwork([2, 3, 3, 2]) };

/** A stage's context on the network it names (XOR unless given), at sample 3, at position p (default: none). */
const context = (net = "xor", p = 0) => {
  const network = NETS[net]();
  const trace = traceOf(network, 3);
  const all = backwardAll(network);
  return { network, trace, forwardAll: all, backwardAll: all, table: null, p, ev: p > 0 ? trace.events[p - 1] : null };
};

test("the stages follow the lecture's beats in its order, with five slips corrected", () => {
  const keys = STAGES.map((s) => s.key);
  assert.equal(new Set(keys).size, keys.length);
  const order = ["overview", "notation", "matrix", "loss", "closed-form", "delta", "output-delta", "case-one", "weight-gradient", "grad-a", "reuse", "case-two", "counting", "deep", "update", "batch", "table"];
  assert.deepEqual(keys.filter((k) => order.includes(k)), order);
  const slips = STAGES.flatMap((s) => (s.notes || []).filter((n) => n.kind === "slip"));
  assert.equal(slips.length, 5); // the h_k/o_k item is a change of notation now, and net_nj a new slip
  assert.ok(slips.some((n) => n.text.includes("net_{nj}")));
  const notation = STAGES.flatMap((s) => (s.notes || []).filter((n) => n.kind === "notation"));
  assert.ok(notation.length >= 1 && notation.every((n) => n.text.includes("h_k")));
  assert.ok(STAGES.some((s) => (s.notes || []).some((n) => n.kind === "order")));
  for (const s of STAGES) assert.ok(s.title && s.part && NETWORKS[s.net], s.key);
  // the sums with terms walk on a network with two outputs; the deep layers on one with two hidden layers
  const net = (key) => STAGES.find((s) => s.key === key).net;
  assert.deepEqual([net("grad-a"), net("reuse"), net("deep"), net("case-two"), net("table")], ["half_adder", "half_adder", "half_adder_deep", "xor", "xor"]);
});

test("every stage opens inside the trace and its ↓/↑ range holds where it opens", () => {
  for (const s of STAGES) {
    const ctx = context(s.net);
    const N = ctx.trace.events.length;
    const span = stageSpan(s, ctx.trace);
    assert.ok(span.lo <= span.at && span.at <= span.hi && span.hi <= N && span.lo >= 0, `${s.key}: ${JSON.stringify(span)}`);
    const text = s.text(ctx);
    assert.ok(text.length > 60, s.key);
    for (const f of s.formulas ? s.formulas(ctx) : []) {
      const tex = f.tex || f.text || JSON.stringify(f.counts || f.counter);
      assert.ok(!/NaN|undefined|Infinity/.test(tex), `${s.key}: ${tex}`);
    }
  }
  const ctx = context();
  const at = (key, trace = ctx.trace) => stageSpan(STAGES.find((s) => s.key === key), trace);
  // The stages that show one kind of computation open on it.
  assert.equal(ctx.trace.events[at("output-delta").at - 1].quantity, "delta");
  const adder = context("half_adder").trace;
  assert.deepEqual(adder.events.slice(at("reuse", adder).lo - 1, at("reuse", adder).hi).filter((e) => e.quantity === "delta").map((e) => [e.l, e.j]), [[2, 1], [2, 2], [2, 3]]);
  const deep = context("half_adder_deep").trace;
  const walked = deep.events.slice(at("deep", deep).lo - 1, at("deep", deep).hi).filter((e) => e.quantity === "delta").map((e) => e.l);
  assert.deepEqual(walked, [4, 4, 3, 3, 3, 2, 2, 2]);
  assert.deepEqual(ctx.trace.events.slice(at("weight-gradient").lo - 1, at("weight-gradient").hi).map((e) => e.quantity), ["grad_w", "grad_w", "grad_b"]);
  assert.equal(ctx.trace.events[at("case-two").at - 1].quantity, "grad_w");
  assert.ok(ctx.trace.events.slice(at("update").lo - 1, at("update").hi).every((e) => e.phase === "update"));
  assert.equal(at("update").hi - at("update").lo + 1, 9);
});

test("Case 2 written out in full equals x_i δ_j² for every first-layer weight and sample", () => {
  const network = xorNetwork();
  for (let n = 0; n < 4; n += 1) {
    const trace = traceOf(network, n);
    for (const [j, i] of [[1, 1], [1, 2], [2, 1], [2, 2]]) {
      const c = caseTwo(network, trace, j, i);
      assert.ok(Math.abs(c.full - c.reuse) < 1e-15, `${n} ${j}${i}: ${c.full} vs ${c.reuse}`);
    }
  }
  const c = caseTwo(network, traceOf(network, 3), 1, 1);
  assert.ok(c.full !== 0);
  assert.match(c.reuseTex, /x_\{1\}\\,\\delta_\{1\}\^\{2\}/);
});

/** Multiplications of the chain rule written out, by walking every path of every weight. */
function bruteWritten(layers) {
  const L = layers.length;
  let total = 0;
  for (let l = 2; l <= L; l += 1) {
    const paths = (q) => (q > L ? 1 : layers[q - 1] * paths(q + 1));
    const factors = 1 + 2 + 3 * (L - l) + 1; // a_i^{l−1}, a(1 − a); w, a(1 − a) per later layer; (o − t)
    total += layers[l - 1] * layers[l - 2] * paths(l + 1) * (factors - 1);
  }
  return total;
}

test("multiplication counts: written out against reuse, on XOR and on a deep network", () => {
  assert.deepEqual(multiplicationCounts([2, 2, 1]), { written: 30, reuse: 14, weights: 6 });
  assert.deepEqual(multiplicationCounts(DEEP_LAYERS), { written: 177048, reuse: 482, weights: 216 });
  for (const layers of [[2, 2, 1], [3, 4, 2], [2, 3, 3, 2], DEEP_LAYERS]) assert.equal(multiplicationCounts(layers).written, bruteWritten(layers));
  // The XOR network: 2 output δ factors, 2 × (1 + 2) hidden, 6 weight gradients.
  assert.equal(2 + 2 * 3 + 6, 14);
});

test("the matrix form, the transposed form and the nested loss carry this sample's numbers", () => {
  const { network, trace } = context();
  const [l2, l3] = matrixForm(network, trace);
  assert.match(l2.tex, /0\.1482 & -0\.4394/);
  assert.match(l2.tex, /-0\.2049/); // z_1^2 for x = (1, 1)
  assert.match(l3.tex, /0\.1815/); // z_1^3
  assert.match(transposeForm(network, trace, 3), /0\.0073/);
  const nested = nestedLoss(network, trace);
  assert.match(nested.numbers, /= 0\.1486$/);
  assert.match(nested.symbols, /w_\{11\}\^\{2\} x_\{1\}/);
});

test("batch gradient: the samples' a·δ add up to the server's batch gradient", () => {
  const { network, backwardAll: bw } = context();
  const g = batchGradient(bw, 3, 1, 1);
  assert.equal(g.terms.length, 4);
  assert.ok(Math.abs(g.sum - g.batch) < 1e-15);
  assert.ok(Math.abs(g.batch - 0.017631612154500164) < 1e-12); // POST /backward's gradient for w_11^3
  assert.equal(network.layers.length, 3);
});

test("the XOR table comparison: rows at the lecture's iterations and the largest difference", () => {
  const reference = { iterations: [0, 1000], outputs: [[[0.52], [0.5], [0.52], [0.55]], [[0.5], [0.48], [0.5], [0.52]]] };
  const snaps = [
    { iteration: 0, outputs: [[0.5287], [0.533], [0.5399], [0.5452]] },
    { iteration: 500, outputs: [[0], [0], [0], [0]] },
    { iteration: 1000, outputs: [[0.5041], [0.4996], [0.5001], [0.4953]] },
  ];
  const t = compareTable(reference, snaps);
  assert.deepEqual(t.rows.map((r) => r.iteration), [0, 1000]);
  assert.ok(Math.abs(t.worst - 0.033) < 1e-9);
  assert.ok(Math.abs(t.rows[0].cells[1].diff - 0.033) < 1e-9);
});

test("the walk-through starts on a sample whose gradients are not all zero, and says why", () => {
  assert.deepEqual(chooseSample(XOR.inputs), { sample: 3, reason: "all inputs non-zero" });
  assert.deepEqual(chooseSample(XOR.inputs, [0.14, 0.11, 0.1, 0.15]), { sample: 3, reason: "largest loss" });
  assert.deepEqual(chooseSample(XOR.inputs, [0.14, 0.21, 0.1, 0.15]), { sample: 1, reason: "largest loss" });
  assert.deepEqual(chooseSample([[0, 1], [0, 0]]), { sample: 0, reason: "first sample" });
  assert.deepEqual(chooseSample(XOR.inputs, [1, Number.NaN, 0, 0]).reason, "all inputs non-zero");
  assert.match(describeChoice({ sample: 3, reason: "all inputs non-zero" }, XOR.inputs), /sample 4, x = \(1, 1\)/);
  // With x = (0, 0) six of the nine gradients are zero; with x = (1, 1) none is.
  const net = xorNetwork();
  const zeros = (n) => traceOf(net, n).events.filter((e) => (e.quantity === "grad_w" || e.quantity === "grad_b") && e.value === 0).length;
  assert.equal(zeros(0), 4);
  assert.equal(zeros(3), 0);
});

test("stage links: ?stage=N is clamped to the lesson, anything else is no link", () => {
  assert.equal(parseStage("7"), 7);
  assert.equal(parseStage("0"), 1);
  assert.equal(parseStage("999"), STAGES.length);
  assert.equal(parseStage(null), null);
  assert.equal(parseStage("two"), null);
  assert.equal(parseStage("reuse"), STAGES.findIndex((s) => s.key === "reuse") + 1);
  assert.equal(positionOf({ events: [] }, { quantity: "z", l: 2 }), null);
});

test("the notation stage points at x_i, w_ji^l, b_j^l, z_j^l and a_j^l on the figure", () => {
  const ctx = context();
  const callouts = STAGES.find((s) => s.key === "notation").callouts(ctx);
  const all = callouts.map((c) => c.tex).join(" ");
  for (const sym of ["x_1", "w_{11}^{2}", "b_1^2", "z_1^2", "a_1^2"]) assert.ok(all.includes(sym), sym);
  assert.ok(callouts.some((c) => c.edge) && callouts.some((c) => c.node));
  const reused = STAGES.find((s) => s.key === "reuse").callouts(context("half_adder"));
  assert.equal(reused.length, 2);
  assert.ok(reused.every((c) => c.kind === "reused" && c.node[0] === 3));
});

test("a hidden δ and ∂L/∂a are written with every term and its numbers, and equal an independent pass", () => {
  for (const layers of [[2, 3, 2], [2, 3, 3, 2]]) {
    const network = adderNetwork(layers);
    const L = layers.length;
    for (let n = 0; n < 4; n += 1) {
      const trace = traceOf(network, n);
      const r = pass(network, network.dataset.inputs[n], network.dataset.targets[n]);
      for (let l = 2; l < L; l += 1) {
        for (let j = 1; j <= layers[l - 1]; j += 1) {
          const h = hiddenDelta(network, trace, l, j);
          assert.equal(h.terms.length, layers[l]);
          assert.ok(Math.abs(h.sum * h.slope - r.delta[l - 1][j - 1]) < 1e-12);
          for (const t of h.terms) assert.ok(h.tex.includes(`${fac(t.w)} \\cdot ${fac(t.delta)}`), h.tex);
          assert.ok(h.tex.includes(`w_{2${j}}^{${l + 1}}\\,\\delta_{2}^{${l + 1}}`));
          const g = gradASum(network, trace, l + 1, j);
          assert.ok(Math.abs(g.sum - r.gradA[l - 1][j - 1]) < 1e-12 && g.terms.length === layers[l]);
        }
      }
    }
  }
});

test("Case 1: the loss's slope in o, the gradient Δw (not the step) and the bias the lecture leaves out", () => {
  const { network, trace } = context();
  const c = caseOne(network, trace, 1, 1);
  const r = pass(network, trace.input, trace.target);
  assert.ok(Math.abs(c.value - r.a[1][0] * r.delta[2][0]) < 1e-12);
  assert.ok(Math.abs(c.bias - r.delta[2][0]) < 1e-12);
  assert.ok(c.dLdo.includes("-(t_{1} - o_{1}) = o_{1} - t_{1}"));
  assert.ok(c.step.includes("\\leftarrow") && !c.delta.includes("\\leftarrow") && c.biasTex.includes("\\delta_{1}^{3}"));
});

test("the figure rings every δ a hidden δ reads, and the formula follows the δ the player stands on", () => {
  const ctx = context("half_adder_deep");
  const stage = STAGES.find((s) => s.key === "deep");
  const at = (q) => positionOf(ctx.trace, q);
  const here = (p) => ({ ...ctx, p, ev: ctx.trace.events[p - 1] });
  assert.equal(stage.callouts(here(at({ quantity: "delta", l: 3, j: 1 }))).length, 2);
  const low = here(at({ quantity: "delta", l: 2, j: 2 }));
  assert.equal(stage.callouts(low).length, 3);
  assert.equal(focusDelta(ctx.trace, low.p).j, 2);
  assert.ok(stage.formulas(low)[1].label.includes("layer 2, node 2"));
});
