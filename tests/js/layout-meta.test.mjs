import assert from "node:assert/strict";
import { test } from "node:test";

import { buildGeometry, figureSizes, flowEdges, handleEdges, highlightsAt, lineXY, pixelScale, toPixel, waveFlows } from "../../static/js/models/layout.js";
import { createMeta } from "../../static/js/models/meta.js";
import { GRID, boundaryGrid, shownIterations } from "../../static/js/models/snapshots.js";
import { prepareTrace, stateAt } from "../../static/js/models/trace-model.js";
import { colorKey, colorOn, stopsFor, DIVERGING_EDGE, SEQUENTIAL } from "../../static/js/views/colors.js";
import { parseQuery, formatQuery } from "../../static/js/controllers/url-sync.js";
import { tinyNetwork, tinyTrace } from "./fixtures.mjs";

test("geometry puts layer l at x = l-1 with its nodes centred, and one edge per weight", () => {
  const g = buildGeometry([2, 3, 1]);
  assert.equal(g.nodes.length, 6);
  assert.equal(g.edges.length, 9);
  assert.deepEqual(g.pos.get("2:1"), { x: 1, y: 1 });
  assert.deepEqual(g.pos.get("2:3"), { x: 1, y: -1 });
  assert.deepEqual(g.pos.get("3:1"), { x: 2, y: 0 });
  assert.ok(Math.abs(g.lossPos.x - 2.72) < 1e-12 && g.lossPos.y === 0);
  const e = g.edges.find((x) => x.key === "3:1:2");
  assert.ok(Math.abs(e.hx - 1.42) < 1e-12 && e.hy === 0); // 42 % of the way from a_2^2 (the middle node) to a_1^3
});

test("pixels map the x range onto the box between the margins", () => {
  const g = buildGeometry([2, 2]);
  const px = pixelScale(g, 1000, 500);
  const [left] = toPixel(g, { x: g.xRange[0], y: 0 }, px);
  const [right, top] = toPixel(g, { x: g.xRange[1], y: g.yRange[1] }, px);
  assert.equal(left, px.margin.l);
  assert.ok(Math.abs(right - (1000 - px.margin.r)) < 1e-9);
  assert.equal(top, px.margin.t);
  assert.equal(pixelScale(g, 10, 10).width, 320); // never smaller than a phone's figure
});

test("projector sizes grow with the screen and lines with them", () => {
  const g = buildGeometry([2, 2, 1]);
  const desk = figureSizes(g, 1400, 700, false);
  const proj = figureSizes(g, 3800, 1900, true);
  assert.equal(desk.k, 1);
  assert.equal(proj.k, 3);
  assert.ok(proj.nodeSize > desk.nodeSize);
  assert.equal(proj.lineK, 3.75);
});

test("a z step draws its inputs' edges; the loss gathers every output", () => {
  const g = buildGeometry([2, 2, 1]);
  assert.equal(flowEdges(g, { phase: "forward", quantity: "z", l: 2, j: 1 }).length, 2);
  const loss = flowEdges(g, { phase: "loss", quantity: "loss", l: 3 });
  assert.equal(loss.length, 1);
  assert.equal(loss[0].to, g.lossPos);
  assert.deepEqual(flowEdges(g, null), []);
});

test("the backward pass sends ∂L/∂a of a hidden node back from every node above", () => {
  const g = buildGeometry([2, 2, 3]);
  const flows = flowEdges(g, { phase: "backward", quantity: "grad_a", l: 2, i: 1 });
  assert.equal(flows.length, 3);
  assert.ok(flows.every((f) => f.to === g.pos.get("2:1") && f.from.x === 2));
});

test("a forward wave reaches the loss last; a backward wave starts there", () => {
  const g = buildGeometry([2, 2, 1]);
  const fwd = waveFlows(g, "forward", 100);
  assert.equal(fwd.length, 4 + 2 + 1);
  assert.equal(Math.max(...fwd.map((f) => f.delay)), 200);
  const back = waveFlows(g, "backward", 100);
  assert.equal(back[0].from, g.lossPos);
  assert.equal(back[0].delay, 0);
});

test("highlights ring the current node and the nodes it reads", () => {
  const g = buildGeometry([2, 1, 1]);
  const st = stateAt(prepareTrace(tinyTrace()), 3); // z of layer 2 reads both inputs
  const h = highlightsAt(g, st);
  assert.deepEqual(h.node, g.pos.get("2:1"));
  assert.equal(h.deps.length, 2);
  assert.equal(h.flows.length, 2);
});

test("dense networks take clicks on the current layer's edges only", () => {
  const g = buildGeometry([20, 20, 20]);
  assert.equal(handleEdges(g, null).length, 400);
  assert.equal(handleEdges(g, null).every((e) => e.l === 2), true);
  assert.equal(handleEdges(g, { quantity: "grad_a", l: 2 }).every((e) => e.l === 3), true);
  assert.equal(handleEdges(buildGeometry([2, 2]), null).length, 4);
  assert.deepEqual(lineXY([[{ x: 0, y: 1 }, { x: 1, y: 0 }]]), { x: [0, 1, null], y: [1, 0, null] });
});

const META = {
  activations: [
    { name: "sigmoid", output_only: false }, { name: "softplus", output_only: false }, { name: "softmax", output_only: true },
  ],
  losses: [{ name: "mse", latex: "L", outputs: null }, { name: "cross_entropy", latex: "CE", outputs: ["sigmoid", "softmax"] }],
  optimizers: [{ name: "sgd", latex: "w \\leftarrow w - \\eta g" }],
  quantities: [{ name: "a", scale: "sequential", on: "node" }, { name: "w", scale: "diverging", on: "edge" }],
  init_schemes: ["uniform", "he"], train_modes: [{ name: "batch" }], reductions: ["sum", "mean"],
  limits: { max_layers: 10, max_nodes: 256, max_iterations: 100000 },
};

test("meta offers output-only activations on the output layer only", () => {
  const m = createMeta(META);
  assert.deepEqual(m.activationNames(false), ["sigmoid", "softplus"]);
  assert.deepEqual(m.activationNames(true), ["sigmoid", "softplus", "softmax"]);
  assert.equal(m.isOutputOnly("softmax"), true);
  assert.equal(m.isOutputOnly("sigmoid"), false);
});

test("meta knows which outputs a loss accepts, the limits and the lists", () => {
  const m = createMeta(META);
  assert.equal(m.lossAccepts("cross_entropy", "softplus"), false);
  assert.equal(m.lossAccepts("cross_entropy", "softmax"), true);
  assert.equal(m.lossAccepts("mse", "softplus"), true);
  assert.equal(m.limit("max_nodes"), 256);
  assert.equal(m.limit("max_unknown"), Infinity);
  assert.deepEqual(m.trainModes(), ["batch"]);
  assert.equal(m.optimizer(undefined).name, "sgd");
});

test("meta gives each quantity its colour scale; without meta nothing is offered", () => {
  const m = createMeta(META);
  assert.equal(m.scaleOf("a"), "sequential");
  assert.equal(m.scaleOf("w"), "diverging");
  const none = createMeta(null);
  assert.equal(none.loaded, false);
  assert.deepEqual(none.activationNames(true), []);
  assert.equal(none.limit("max_layers"), Infinity);
});

test("one colour mapping by scale: diverging is centred on 0, sequential spans min..max", () => {
  const signed = colorKey("diverging", "node", -0.2, 0.5, "δ");
  assert.deepEqual([signed.min, signed.max], [-0.5, 0.5]);
  assert.equal(colorOn(signed, 0), "rgb(247, 247, 247)"); // the white middle
  assert.equal(colorOn(signed, 0.5), "rgb(178, 24, 43)");
  assert.equal(colorOn(signed, -0.5), "rgb(33, 102, 172)");
  const act = colorKey("sequential", "node", 0, 1, "a");
  assert.equal(colorOn(act, 0), "rgb(68, 1, 84)");
  assert.equal(colorOn(act, 1), "rgb(253, 231, 37)");
  assert.equal(stopsFor("diverging", "edge"), DIVERGING_EDGE);
  assert.equal(stopsFor("sequential", "edge"), SEQUENTIAL);
});

test("the snapshot table keeps the first and the last iteration and evenly spaced ones between", () => {
  assert.deepEqual(shownIterations([0, 1000], 5), [0, 1000]);
  const its = Array.from({ length: 11 }, (_, k) => k * 1000);
  // goals 0, 2500, 5000, 7500, 10000: a tie goes to the earlier snapshot
  assert.deepEqual(shownIterations(its, 5), [0, 2000, 5000, 7000, 10000]);
  assert.deepEqual(shownIterations([10, 0, 5, 0], 5), [0, 0, 5, 10]);
});

test("the boundary grid covers a 2-input data set with a margin, row by row", () => {
  const grid = boundaryGrid(tinyNetwork());
  assert.equal(grid.xs.length, GRID);
  assert.equal(grid.inputs.length, GRID * GRID);
  assert.deepEqual(grid.inputs[1], [grid.xs[1], grid.ys[0]]);
  assert.equal(grid.xs[0], -0.25);
  assert.equal(boundaryGrid({ ...tinyNetwork(), layers: [3, 1] }), null);
});

test("the URL round-trips a view and refuses bad numbers", () => {
  const view = { net: "abc", sample: 2, step: 14, projector: true, room: "QN5Q4H" };
  assert.deepEqual(parseQuery(`?${formatQuery(view)}`), view);
  assert.equal(parseQuery(`?${formatQuery({ ...view, room: null })}`).room, null);
  assert.deepEqual(parseQuery("?net=x&step=-3&sample=1.5"), { net: "x", sample: null, step: null, projector: false, room: null });
});

test("edge labels move along their edges until they are clear of each other and of blocked boxes", async () => {
  const { buildGeometry, pixelScale, placeEdgeLabels, toPixel, labelBox } = await import("../../static/js/models/layout.js");
  const g = buildGeometry([1, 3]);
  const px = pixelScale(g, 400, 300);
  const box = labelBox("−0.123", 24, 4);
  assert.ok(box.w > 80 && box.h > 30);
  const items = g.edges.map((edge) => ({ edge, w: 200, h: 40 })); // too wide to sit side by side at one spot
  const spots = placeEdgeLabels(g, px, items);
  const rects = spots.map((s) => {
    const [x, y] = toPixel(g, s, px);
    return { l: x - 100, r: x + 100, t: y - 20, b: y + 20 };
  });
  const hit = (p, q) => Math.min(p.r, q.r) > Math.max(p.l, q.l) && Math.min(p.b, q.b) > Math.max(p.t, q.t);
  // labels that found a clear spot never overlap; the others are left out
  const clear = rects.filter((_, n) => spots[n].clear);
  assert.ok(clear.length >= 1);
  for (let a = 0; a < clear.length; a += 1) for (let b = a + 1; b < clear.length; b += 1) assert.equal(hit(clear[a], clear[b]), false);
  assert.equal(placeEdgeLabels(g, px, [{ edge: g.edges[0], w: 20, h: 10 }], [{ l: -1e4, r: 1e4, t: -1e4, b: 1e4 }])[0].clear, false);
  // a label whose usual spot is blocked takes another spot on its edge
  const e = g.edges[0];
  const [bx, by] = toPixel(g, { x: e.hx, y: e.hy }, px);
  const [moved] = placeEdgeLabels(g, px, [{ edge: e, w: 20, h: 10 }], [{ l: bx - 15, r: bx + 15, t: by - 8, b: by + 8 }]);
  assert.notDeepEqual([moved.x, moved.y], [e.hx, e.hy]);
  const t = (moved.x - e.a.x) / (e.b.x - e.a.x);
  assert.ok(Math.abs(e.a.y + t * (e.b.y - e.a.y) - moved.y) < 1e-9); // still on the edge
});
