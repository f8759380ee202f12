import assert from "node:assert/strict";
import { test } from "node:test";

import { labelText, parameterShown } from "../../static/js/models/figure-labels.js";
import { buildGeometry, figureSizes } from "../../static/js/models/layout.js";
import { prepareTrace, stateAt } from "../../static/js/models/trace-model.js";
import { edgeColors, nodeColors } from "../../static/js/views/network-colors.js";
import { buildTraces } from "../../static/js/views/network-traces.js";
import { tinyNetwork, tinyTrace } from "./fixtures.mjs";

const scaleOf = (q) => (q === "a" ? "sequential" : "diverging");
const b3 = { l: 3, j: 1 };
const w211 = { l: 2, j: 1, i: 1 };

test("forward shows the network's values, weights and biases alike", () => {
  const st = stateAt(prepareTrace(tinyTrace()), 4);
  assert.deepEqual(parameterShown(st, tinyNetwork(), w211), { quantity: "w", value: 0.2, updated: false });
  assert.deepEqual(parameterShown(st, tinyNetwork(), { l: 2, j: 1 }), { quantity: "b", value: 0.1, updated: false });
});

test("backward shows gradients: a bias says ∂L/∂b, and nothing before its gradient is computed", () => {
  const trace = prepareTrace(tinyTrace());
  assert.equal(labelText(parameterShown(stateAt(trace, 10), tinyNetwork(), b3)), null);
  const st = stateAt(trace, 11);
  assert.deepEqual(parameterShown(st, tinyNetwork(), b3), { quantity: "grad_b", value: -0.12, updated: false });
  assert.equal(labelText(parameterShown(st, tinyNetwork(), b3)), "∂L/∂b −0.12");
  assert.equal(parameterShown(st, tinyNetwork(), w211).value, null);
});

test("the update shows each new value once its event has run, biases included", () => {
  const trace = prepareTrace(tinyTrace());
  const before = stateAt(trace, 20); // w_11^3 updated, b_1^3 not yet
  assert.equal(labelText(parameterShown(before, tinyNetwork(), b3)), "b 0");
  assert.deepEqual(parameterShown(before, tinyNetwork(), { l: 3, j: 1, i: 1 }), { quantity: "w", value: 0.8342, updated: true });
  const after = stateAt(trace, 21);
  assert.deepEqual(parameterShown(after, tinyNetwork(), b3), { quantity: "b", value: 0.06, updated: true });
  assert.equal(labelText(parameterShown(after, tinyNetwork(), b3)), "b 0.060");
  assert.equal(labelText(parameterShown(after, tinyNetwork(), { l: 2, j: 1 })), "b 0.11");
});

test("the figure's bias labels read the rule at every position", () => {
  const g = buildGeometry([2, 1, 1]);
  const trace = prepareTrace(tinyTrace());
  for (let p = 0; p <= trace.events.length; p += 1) {
    const model = { network: tinyNetwork(), trace, state: stateAt(trace, p), projector: false };
    const sizes = figureSizes(g, 1000, 600, false);
    const fig = buildTraces(g, model, sizes, nodeColors(g, model.state, trace, scaleOf), edgeColors(g, model.state, model.network, trace, scaleOf), {});
    const notes = fig.layout.annotations.slice(fig.titleCount);
    fig.labelled.forEach((ref, n) => {
      if (!ref.bias) return;
      assert.equal(notes[n].text, labelText(parameterShown(model.state, model.network, ref)), `p=${p} b_${ref.j}^${ref.l}`);
    });
    const biases = fig.labelled.filter((ref) => ref.bias).length;
    assert.equal(biases, model.state.phase === "backward" ? [...model.state.biases.values()].filter((r) => r.grad_b != null).length : 2, `p=${p}`);
  }
});
