import assert from "node:assert/strict";
import { test } from "node:test";

import {
  allParams, argmax, checkOf, chunkPlan, createPathRecorder, descentArrow, disagreement, errorLevel, firstToLastRatio,
  gridMinimum, mergeNorms, normsFromBackward, normSeries, paramLabel, paramValue, parseRef, referenceColumns, refKey, sampleBreakdown,
} from "../../static/js/models/insights.js";

// A 2-1-1 network on two samples, numbers small enough to check by hand.
const backward = {
  samples: [0, 1],
  per_sample: [
    { layers: [{ l: 1, a: [1, 2] }, { l: 2, a: [0.5], delta: [0.1] }, { l: 3, a: [0.7], delta: [0.2] }] },
    { layers: [{ l: 1, a: [3, -1] }, { l: 2, a: [0.25], delta: [-0.3] }, { l: 3, a: [0.6], delta: [0.4] }] },
  ],
  gradients: [{ l: 2, grad_w: [[1 * 0.1 + 3 * -0.3, 2 * 0.1 + -1 * -0.3]], grad_b: [0.1 - 0.3] }, { l: 3, grad_w: [[0.5 * 0.2 + 0.25 * 0.4]], grad_b: [0.6] }],
};

test("each sample's ∂L/∂w is a_i^(l−1) δ_j^l and the batch's is their sum", () => {
  const b = sampleBreakdown(backward, { l: 2, j: 1, i: 1 }, "sum");
  assert.deepEqual(b.values, [0.1, 3 * -0.3]);
  assert.equal(b.sum, 0.1 + 3 * -0.3);
  assert.equal(b.reduced, b.sum);
  assert.equal(b.batch, b.sum);
  const m = sampleBreakdown(backward, { l: 3, j: 1, i: 1 }, "mean");
  assert.ok(Math.abs(m.reduced - (0.5 * 0.2 + 0.25 * 0.4) / 2) < 1e-15);
  const bias = sampleBreakdown(backward, { l: 2, j: 1, i: null }, "sum");
  assert.deepEqual(bias.values, [0.1, -0.3]);
  assert.equal(bias.batch, 0.1 - 0.3);
});

test("samples that pull a weight in opposite directions are flagged", () => {
  assert.deepEqual(disagreement([0.1, -0.9]), { mixedSigns: true, largest: 1 });
  assert.deepEqual(disagreement([0.1, 0.2]), { mixedSigns: false, largest: 1 });
});

test("parameters are named, listed in the API's order and found in a state", () => {
  const net = { weights: [[[1, 2]], [[3]]], biases: [[4], [5]] };
  const refs = allParams([2, 1, 1]);
  assert.deepEqual(refs.map(paramLabel), ["w11^2", "w12^2", "w11^3", "b1^2", "b1^3"]);
  assert.deepEqual(refs.map((r) => paramValue(net, r)), [1, 2, 3, 4, 5]);
  for (const r of refs) assert.deepEqual(parseRef(refKey(r)), r);
});

test("gradient norms merge by iteration and become one series per layer", () => {
  const a = [{ iteration: 0, layers: [{ l: 2, grad_w: 0.001, delta: 0.01 }, { l: 3, grad_w: 0.1, delta: 0.2 }] },
    { iteration: 10, layers: [{ l: 2, grad_w: 0.002, delta: 0.02 }, { l: 3, grad_w: 0.05, delta: 0.1 }] }];
  const b = [{ iteration: 10, layers: [{ l: 2, grad_w: 0.002, delta: 0.02 }, { l: 3, grad_w: 0.05, delta: 0.1 }] },
    { iteration: 20, layers: [{ l: 2, grad_w: 0, delta: 0.03 }, { l: 3, grad_w: 0.04, delta: 0.1 }] }];
  const all = mergeNorms(a, b);
  assert.deepEqual(all.map((r) => r.iteration), [0, 10, 20]);
  const s = normSeries(all);
  assert.deepEqual(s.map((x) => x.l), [2, 3]);
  assert.deepEqual(s[0].gradW, [0.001, 0.002, null]); // a zero cannot sit on a log axis
  assert.ok(Math.abs(firstToLastRatio(all[0]) - 100) < 1e-9);
});

test("the path of two parameters comes from the recorded states; the arrow points down the gradient", () => {
  const rec = createPathRecorder();
  rec.add(0, [[[1, 2]]], [[0]]);
  rec.add(5, [[[1.5, 1]]], [[0.5]]);
  rec.add(3, [[[9, 9]]], [[9]]); // a restart from an earlier iteration drops what came after it
  const p = rec.path({ l: 2, j: 1, i: 1 }, { l: 2, j: 1, i: null });
  assert.deepEqual(p, { iterations: [0, 3], xs: [1, 9], ys: [0, 9] });
  assert.deepEqual(descentArrow(0, 0, 3, 4, 1, 1, 5), { x0: 0, y0: 0, x1: -3, y1: -4 });
  // in a box twice as wide as high the arrow keeps the gradient's direction in the parameters' units
  const a = descentArrow(1, 1, 2, 0, 4, 2, 0.25);
  assert.deepEqual([a.x1, a.y1], [0, 1]);
  assert.equal(descentArrow(0, 0, 0, 0), null);
  const land = { x_values: [0, 1], y_values: [5, 6], loss: [[3, 2], [1, 4]] };
  assert.deepEqual(gridMinimum(land), { x: 0, y: 6, loss: 1 });
});

test("a run is cut so that the lecture's iterations end chunks", () => {
  const sizes = chunkPlan(0, 10000, 500, [0, 1000, 2000, 3000, 5000, 10000]);
  assert.equal(sizes.reduce((a, b) => a + b), 10000);
  const ends = sizes.reduce((acc, s) => [...acc, (acc.at(-1) || 0) + s], []);
  for (const m of [1000, 2000, 3000, 5000, 10000]) assert.ok(ends.includes(m), `${m} ends a chunk`);
  assert.deepEqual(chunkPlan(900, 300, 250, [1000]), [100, 150, 50]);
});

test("the lecture's table sits beside ours with the difference", () => {
  const ref = { iterations: [0, 1000], outputs: [[[0.52], [0.5]], [[0.5], [0.48]]] };
  const cols = referenceColumns(ref, new Map([[0, [[0.53], [0.49]]]]));
  assert.equal(cols[0].iteration, 0);
  assert.ok(Math.abs(cols[0].diff[0][0] - 0.01) < 1e-12 && Math.abs(cols[0].diff[1][0] + 0.01) < 1e-12);
  assert.equal(cols[1].ours, null);
  assert.equal(cols[1].diff, null);
});

test("gradient check rows are found by parameter and classed by their relative error", () => {
  const res = { parameters: [{ l: 2, j: 1, i: 1, rel_error: 1e-9 }, { l: 2, j: 1, i: null, rel_error: 1e-3 }] };
  assert.equal(checkOf(res, { l: 2, j: 1, i: null }).rel_error, 1e-3);
  assert.equal(checkOf(res, { l: 3, j: 1, i: 1 }), null);
  assert.equal(errorLevel(1e-9).cls, "good");
  assert.equal(errorLevel(1e-5).cls, "fair");
  assert.equal(errorLevel(1e-3).cls, "bad");
  assert.ok(errorLevel(1e-3).t > errorLevel(1e-9).t);
  assert.equal(errorLevel(0).t, 0);
});

test("argmax picks the class with the largest output", () => {
  assert.equal(argmax([0.1, 0.7, 0.2]), 1);
  assert.equal(argmax([0.5]), 0);
});

test("the norms before training come from /backward: the batch gradient's and δ's Frobenius norms", () => {
  const r = normsFromBackward(backward, 7);
  assert.equal(r.iteration, 7);
  assert.deepEqual(r.layers.map((x) => x.l), [2, 3]);
  assert.ok(Math.abs(r.layers[0].grad_w - Math.hypot(-0.8, 0.5)) < 1e-12);
  assert.ok(Math.abs(r.layers[1].delta - Math.hypot(0.2, 0.4)) < 1e-12);
});
