import assert from "node:assert/strict";
import { test } from "node:test";

import { buildGeometry, figureSizes } from "../../static/js/models/layout.js";
import { prepareTrace, stateAt } from "../../static/js/models/trace-model.js";
import { BUCKETS, PENDING_BUCKET, edgeColors, nodeColors } from "../../static/js/views/network-colors.js";
import { buildTraces, edgeHover } from "../../static/js/views/network-traces.js";
import { tinyNetwork, tinyTrace } from "./fixtures.mjs";

const scaleOf = (q) => (q === "a" ? "sequential" : "diverging");

test("an edge's hover shows the new weight of the trace's update event, not a recomputation", () => {
  const g = buildGeometry([2, 1, 1]);
  const trace = prepareTrace(tinyTrace());
  const st = stateAt(trace, 16); // backward pass done, no update yet
  const e = g.edges.find((x) => x.key === "2:1:2");
  const text = edgeHover(tinyNetwork(), trace, st, e);
  // w − η ∂L/∂w would be −0.4 − 0.5 · 0.0123 = −0.40615; the event says −0.4062 and wins
  assert.match(text, /update: w − η·∂L\/∂w = −0\.4000 − 0\.5·0\.0123 = −0\.4062/);
});

test("edges show w forward and ∂L/∂w backward, uncomputed gradients as pending", () => {
  const g = buildGeometry([2, 1, 1]);
  const trace = prepareTrace(tinyTrace());
  const fwd = edgeColors(g, stateAt(trace, 3), tinyNetwork(), trace, scaleOf);
  assert.equal(fwd.key.title, "edge w");
  assert.equal(fwd.key.max, 0.8);
  assert.deepEqual(fwd.bucketOf, [1 + BUCKETS, -2 + BUCKETS, BUCKETS + BUCKETS]);
  const back = edgeColors(g, stateAt(trace, 10), tinyNetwork(), trace, scaleOf);
  assert.equal(back.key.title, "edge ∂L/∂w");
  assert.deepEqual(back.bucketOf, [PENDING_BUCKET, PENDING_BUCKET, 0]);
});

test("nodes are coloured by a forward and by δ backward, with the matching key", () => {
  const g = buildGeometry([2, 1, 1]);
  const trace = prepareTrace(tinyTrace());
  const fwd = nodeColors(g, stateAt(trace, 4), trace, scaleOf);
  assert.equal(fwd.key.scale, "sequential");
  assert.equal(fwd.values[2], "a = 0.570");
  assert.equal(fwd.values[3], "");
  const back = nodeColors(g, stateAt(trace, 9), trace, scaleOf);
  assert.equal(back.key.title, "node δ = ∂L/∂z");
  assert.equal(back.values[3], "δ = −0.120");
  assert.equal(back.fills[3], "rgb(33, 102, 172)"); // the most negative δ of the trace: the blue end
});

test("the figure's traces: handles, nodes and loss; edge labels are clickable annotations", () => {
  const g = buildGeometry([2, 1, 1]);
  const trace = prepareTrace(tinyTrace());
  const model = { network: tinyNetwork(), trace, state: stateAt(trace, 3), projector: false };
  const sizes = figureSizes(g, 1000, 600, false);
  const nodes = nodeColors(g, model.state, trace, scaleOf);
  const edges = edgeColors(g, model.state, model.network, trace, scaleOf);
  const fig = buildTraces(g, model, sizes, nodes, edges, {});
  assert.deepEqual(fig.data.map((t) => t.name), ["edge handles", "nodes", "loss"]);
  assert.equal(fig.edgeData.length, 2 * BUCKETS + 3);
  // three edge labels, then the biases of the two non-input nodes, each clickable at its annotation's index
  assert.equal(fig.labelled.length, 5);
  assert.deepEqual(fig.labelled.slice(3), [{ l: 2, j: 1, bias: true }, { l: 3, j: 1, bias: true }]);
  assert.equal(fig.titleCount, 4); // three layers and the loss
  assert.equal(fig.layout.annotations[fig.titleCount].captureevents, true);
  const bias = fig.layout.annotations[fig.titleCount + 3];
  assert.equal(bias.captureevents, true);
  assert.match(bias.text, /^b /);
  assert.equal(bias.bias, undefined); // Plotly gets only its own fields
});
