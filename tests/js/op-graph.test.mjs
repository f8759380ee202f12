import assert from "node:assert/strict";
import { test } from "node:test";

import {
  backwardTex, chainSum, chainTerms, expansion, find, focusOf, forwardTex, indexGraph, layerExpansion, ruleWords,
} from "../../static/js/models/op-graph.js";
import { SOFTMAX_GRAPH, XOR_GRAPH } from "./op-graph-fixture.mjs";

const close = (a, b) => Math.abs(a - b) <= 1e-12 * (1 + Math.abs(b));

test("a hidden node expands into its products, its bias, its sum and its activation, in that order", () => {
  const g = indexGraph(XOR_GRAPH);
  const ops = expansion(g, 2, 1);
  assert.deepEqual(ops.map((n) => n.op), ["weight", "mul", "weight", "mul", "bias", "sum", "activation"]);
  assert.deepEqual(ops.map((n) => n.label).slice(0, 2), ["w_{11}^{2}", "w_{11}^{2}\\,x_{1}"]);
  // the output node ends with its target and the loss
  const out = expansion(g, 3, 1);
  assert.deepEqual(out.slice(-3).map((n) => n.op), ["activation", "target", "loss"]);
  assert.deepEqual(expansion(g, 1, 2).map((n) => n.label), ["x_{2}"]);
  assert.deepEqual(expansion(g, null, null).map((n) => n.op), ["activation", "target", "loss"]);
  assert.deepEqual(layerExpansion(g, 2, [2, 2, 1]).map((e) => e.j), [1, 2]);
});

test("every gradient is the sum of local × upstream over its readers", () => {
  for (const nodes of [XOR_GRAPH, SOFTMAX_GRAPH]) {
    const g = indexGraph(nodes);
    for (const n of nodes.slice(0, -1)) assert.ok(close(chainSum(g, n), n.grad), `${n.label}: ${chainSum(g, n)} vs ${n.grad}`);
  }
});

test("a hidden activation read by two products says the branches add", () => {
  const g = indexGraph(XOR_GRAPH);
  const x1 = find(g, "input", 1, 1);
  assert.equal(chainTerms(g, x1).length, 2);
  assert.match(ruleWords(g, x1), /summed where branches meet: 2 operations/);
  const sum = find(g, "sum", 3, 1);
  assert.match(ruleWords(g, sum), /one operation that reads it/);
  assert.match(ruleWords(g, g.loss), /is 1/);
});

test("the chain rule and the forward value are written with the numbers", () => {
  const g = indexGraph(XOR_GRAPH);
  const w = find(g, "weight", 3, 1, 2);
  // ∂L/∂w = a_2^2 · δ_1^3
  assert.equal(backwardTex(g, w), "\\frac{\\partial \\mathcal{L}}{\\partial w_{12}^{3}} = 0.343 \\cdot (-0.116) = -0.040");
  const mul = find(g, "mul", 3, 1, 2);
  assert.equal(forwardTex(g, mul), "w_{12}^{3}\\,a_{2}^{2} = 0.336 \\cdot 0.343 = 0.115");
  assert.equal(forwardTex(g, find(g, "sum", 2, 1)), "z_{1}^{2} = 0.000 + (-0.439) + 0.086 = -0.353");
  assert.match(backwardTex(g, g.loss), /= 1\.000$/);
});

test("softmax activations read every sum of their layer", () => {
  const g = indexGraph(SOFTMAX_GRAPH);
  const a1 = find(g, "activation", 2, 1);
  assert.equal(a1.inputs.length, 2);
  assert.match(forwardTex(g, a1), /f\(z\^\{2\}\)/);
  assert.equal(chainTerms(g, find(g, "sum", 2, 2)).length, 2);
});

test("each step of the walk-through points at its operation", () => {
  const g = indexGraph(XOR_GRAPH);
  const at = (ev) => {
    const f = focusOf(g, ev);
    return f && [f.l, f.j, f.op.op, f.op.i];
  };
  assert.deepEqual(at({ quantity: "a", l: 1, j: 2, i: null }), [1, 2, "input", null]);
  assert.deepEqual(at({ quantity: "z", l: 2, j: 1, i: null }), [2, 1, "sum", null]);
  assert.deepEqual(at({ quantity: "a", l: 3, j: 1, i: null }), [3, 1, "activation", null]);
  assert.deepEqual(at({ quantity: "loss", l: 3, j: null, i: null }), [null, null, "loss", null]);
  assert.deepEqual(at({ quantity: "grad_a", l: 2, j: null, i: 2 }), [2, 2, "activation", null]);
  assert.deepEqual(at({ quantity: "delta", l: 3, j: 1, i: null }), [3, 1, "sum", null]);
  assert.deepEqual(at({ quantity: "grad_w", l: 2, j: 2, i: 1 }), [2, 2, "weight", 1]);
  assert.deepEqual(at({ quantity: "b", l: 3, j: 1, i: null }), [3, 1, "bias", null]);
  assert.equal(focusOf(g, null), null);
});

test("the nudge's curve, tangent and words", async () => {
  const { curveOffsets, nudgeWords, tangentLine } = await import("../../static/js/models/nudge.js");
  assert.deepEqual(curveOffsets(1, 5), [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(tangentLine(2, 0.5, -0.25, 1), { x: [1, 3], y: [0.75, 0.25] });
  const res = { loss_before: 0.109, loss_after: 0.1089, delta_loss: -0.000154, gradient: -0.00145, predicted: -0.000145 };
  assert.match(nudgeWords(res, 0.1), /closely matches/);
  assert.match(nudgeWords({ ...res, predicted: -0.0001539 }, 0.1), /almost exactly/);
  assert.match(nudgeWords(res, 0), /nothing moves/);
});

test("the lesson shows the graph on a network whose values have two readers, then nudges a weight of XOR", async () => {
  const { STAGES } = await import("../../static/js/lesson/stages.js");
  const keys = STAGES.map((s) => s.key);
  const at = (k) => keys.indexOf(k);
  assert.ok(at("update") < at("graph") && at("graph") < at("nudge") && at("nudge") < at("table"));
  const stage = (k) => STAGES[at(k)];
  assert.deepEqual([stage("nudge").ops, stage("nudge").net], ["nudge", "xor"]);
  assert.deepEqual([stage("graph").ops, stage("graph").net], ["graph", "half_adder"]);
  assert.ok(STAGES.filter((s) => s.ops).length === 2);
});

test("only what the walk-through has computed is shown: the next value stays a question", async () => {
  const { revealed } = await import("../../static/js/models/op-graph.js");
  const g = indexGraph(XOR_GRAPH);
  // after z_1^3 and a_1^3, the loss and δ_1^3, before ∂L/∂w_11^3
  const st = {
    phase: "backward", loss: 0.1,
    nodes: new Map([["3:1", { z: 0.1, a: 0.5, grad_a: -0.4, delta: -0.1 }], ["2:1", { z: 0.3, a: 0.6 }]]),
    edges: new Map(), biases: new Map(),
  };
  assert.deepEqual(revealed(find(g, "sum", 3, 1), st), { value: true, grad: true });
  assert.deepEqual(revealed(find(g, "mul", 3, 1, 1), st), { value: true, grad: true });
  assert.deepEqual(revealed(find(g, "weight", 3, 1, 1), st), { value: true, grad: false });
  assert.deepEqual(revealed(find(g, "activation", 2, 1), st), { value: true, grad: false });
  assert.deepEqual(revealed(find(g, "sum", 2, 2), st), { value: false, grad: false });
  assert.deepEqual(revealed(g.loss, st), { value: true, grad: true });
  st.edges.set("3:1:1", { grad_w: 0.05 });
  assert.equal(revealed(find(g, "weight", 3, 1, 1), st).grad, true);
  assert.deepEqual(revealed(g.loss, { ...st, phase: "forward", loss: null }), { value: false, grad: false });
});
