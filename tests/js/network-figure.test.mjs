import assert from "node:assert/strict";
import { test } from "node:test";

import { buildGeometry, figureSizes } from "../../static/js/models/layout.js";
import { prepareTrace, stateAt } from "../../static/js/models/trace-model.js";
import { BUCKETS, PENDING_BUCKET, edgeColors, nodeColors } from "../../static/js/views/network-colors.js";
import { buildTraces, edgeHover, hoverTexts } from "../../static/js/views/network-traces.js";
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

test("a step changes only the node plot's paint; its shape key moves with the box, not with the step", () => {
  const g = buildGeometry([2, 1, 1]);
  const trace = prepareTrace(tinyTrace());
  const figureAt = (p, width = 1000) => {
    const model = { network: tinyNetwork(), trace, state: stateAt(trace, p), projector: false };
    const sizes = figureSizes(g, width, 600, false);
    const nodes = nodeColors(g, model.state, trace, scaleOf);
    return { nodes, fig: buildTraces(g, model, sizes, nodes, edgeColors(g, model.state, model.network, trace, scaleOf), {}) };
  };
  const a = figureAt(3);
  const b = figureAt(9);
  assert.equal(a.fig.nodeKeyNow, b.fig.nodeKeyNow);
  assert.notEqual(figureAt(9, 1200).fig.nodeKeyNow, b.fig.nodeKeyNow);
  // the paint per trace: nothing for the handles, the node fills and text colours, then the loss square
  assert.deepEqual(b.fig.paint.fills[1], b.nodes.fills);
  assert.deepEqual(b.fig.paint.texts[1], b.nodes.textColors);
  assert.equal(b.fig.paint.fills[0], null);
  assert.notDeepEqual(a.fig.paint.fills[2], b.fig.paint.fills[2]); // the loss is known at step 9, not at 3
  // the traces Plotly draws carry the same colours as the paint
  assert.equal(b.fig.data[1].marker.color, b.fig.paint.fills[1]);
  assert.equal(b.fig.data[1].hovertext, undefined); // hover texts come on demand
});

test("the hover texts on demand: one per handle, node and the loss, with the step's values", () => {
  const g = buildGeometry([2, 1, 1]);
  const trace = prepareTrace(tinyTrace());
  const model = { network: tinyNetwork(), trace, state: stateAt(trace, 9), projector: false };
  const [handles, nodes, loss] = hoverTexts(g, model);
  assert.equal(handles.length, g.edges.length);
  assert.equal(nodes.length, g.nodes.length);
  assert.match(nodes[3], /δ<sub>1<\/sub><sup>3<\/sup> = −0\.1200/);
  assert.match(nodes[3], /b<sub>1<\/sub><sup>3<\/sup> = 0\.0000/);
  assert.match(loss[0], /ℒ = 0\.120/);
  assert.match(handles[2], /w = 0\.8000/);
});
