// The network figure as Plotly data: edge line traces by colour class, hover/click handles, node markers, the
// loss node, column titles and value labels, and both layouts; the node plot's hover texts apart, because a page
// computes them only when a pointer asks (network-paint.js). Pure: returns objects, draws nothing.

import { labelText, parameterShown } from "../models/figure-labels.js";
import { fmt, labelNum, targetText } from "../models/format.js";
import { crosses, edgeSegments, handleEdges, labelBox, lineXY, overlap, placeEdgeLabels, toPixel } from "../models/layout.js";
import { updatedWeight } from "../models/trace-model.js";
import { PENDING, colorOn } from "./colors.js";
import { BUCKETS, PENDING_BUCKET, bucketColor } from "./network-colors.js";

export const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const SMALL_NET_EDGES = 16; // up to this many edges, weights are written on the figure
const LEAST_LABEL = 16; // px: the smallest a weight's or a bias's label shrinks to, to keep its place on the figure

const sub = (s) => `<sub>${s}</sub>`;
const sup = (s) => `<sup>${s}</sup>`;
const nodeSymbol = (l, j) => (l === 1 ? `x${sub(j)}` : `a${sub(j)}${sup(l)}`);
const weightSymbol = (l, j, i) => `w${sub(`${j}${i}`)}${sup(l)}`;

/** Returns the cached array when its signature is unchanged, so Plotly.react sees no change. */
function keep(cache, name, arr, sig) {
  const key = sig ?? arr.join("|");
  if (cache[name] && cache[name].key === key) return cache[name].value;
  cache[name] = { key, value: arr };
  return arr;
}

function nodeHover(network, st, l, j, key) {
  const rec = st.nodes.get(key) || {};
  const lines = [`<b>${nodeSymbol(l, j)}</b>  (layer ${l}, node ${j})`];
  if (rec.z != null) lines.push(`z${sub(j)}${sup(l)} = ${fmt(rec.z, 4)}`);
  if (rec.a != null) lines.push(`${nodeSymbol(l, j)} = ${fmt(rec.a, 4)}`);
  if (rec.grad_a != null) lines.push(`∂L/∂${nodeSymbol(l, j)} = ${fmt(rec.grad_a, 4)}`);
  if (rec.delta != null) lines.push(`δ${sub(j)}${sup(l)} = ${fmt(rec.delta, 4)}`);
  if (l >= 2) lines.push(`b${sub(j)}${sup(l)} = ${fmt(network.biases[l - 2][j - 1], 4)}`);
  if (lines.length === 1 || (l >= 2 && lines.length === 2)) lines.push("<i>not computed yet</i>");
  return lines.join("<br>");
}

/** An edge's hover text; the updated weight is the trace's own update event, not recomputed here. */
export function edgeHover(network, trace, st, e) {
  const w = network.weights[e.l - 2][e.j - 1][e.i - 1];
  const rec = st.edges.get(e.key) || {};
  const lines = [`<b>${weightSymbol(e.l, e.j, e.i)}</b>  (from ${nodeSymbol(e.l - 1, e.i)} to ${nodeSymbol(e.l, e.j)})`];
  lines.push(`w = ${fmt(w, 4)}`);
  if (rec.grad_w != null) {
    lines.push(`∂L/∂w = ${fmt(rec.grad_w, 4)}`);
    const next = updatedWeight(trace, e.l, e.j, e.i);
    if (next != null) lines.push(`update: w − η·∂L/∂w = ${fmt(w, 4)} − ${network.learning_rate}·${fmt(rec.grad_w, 4)} = ${fmt(next, 4)}`);
  }
  lines.push("<i>click to edit the weight</i>");
  return lines.join("<br>");
}

/** The edge plot's traces: one line trace per colour class, then the dashed links to the loss node. */
function edgeTraces(g, sizes, edges, showLoss, cache) {
  const { lineK, dense } = sizes;
  const sig = edges.bucketOf.join("");
  const out = [];
  for (let n = 0; n < 2 * BUCKETS + 2; n += 1) {
    const pending = n === PENDING_BUCKET;
    let xy = cache[`bucket${n}`] && cache[`bucket${n}`].key === sig ? cache[`bucket${n}`].value : null;
    if (!xy) {
      xy = lineXY(g.edges.filter((_, q) => edges.bucketOf[q] === n).map((e) => [e.a, e.b]));
      cache[`bucket${n}`] = { key: sig, value: xy };
    }
    const b = n - BUCKETS;
    out.push({
      type: "scatter", mode: "lines", name: pending ? "edges pending" : `edges ${b}`, x: xy.x, y: xy.y,
      hoverinfo: "skip", showlegend: false, opacity: dense ? 0.75 : 1,
      line: {
        color: bucketColor(edges.key, n),
        width: (pending ? 1 : (dense ? 0.6 : 1.2) + ((dense ? 2.2 : 6) * Math.abs(b)) / BUCKETS) * lineK,
        dash: pending ? "dot" : "solid",
      },
    });
  }
  // The loss node's links to the outputs, once the step player has a trace.
  const links = keep(cache, "lossLinks", showLoss ? lineXY(g.nodes.filter((nd) => nd.l === g.L).map((nd) => [nd, g.lossPos])) : { x: [], y: [] }, String(showLoss));
  out.push({
    type: "scatter", mode: "lines", name: "loss links", x: links.x, y: links.y, hoverinfo: "skip", showlegend: false,
    line: { color: "#9aa3af", width: 1.5 * lineK, dash: "dash" },
  });
  return { traces: out, sig };
}

const handleSig = (g, handles) => (handles.length === g.edges.length ? "all" : `layer${handles[0] && handles[0].l}`);

/**
 * What a step changes on the node plot's markers, as colours per trace: [handles (none), node fills, the loss
 * square] and the matching text colours. Drawn by Plotly on a full redraw, set in place on every other step.
 */
function nodePaint(st, nodes) {
  return {
    fills: [null, nodes.fills, [st.loss != null ? "#374151" : PENDING]],
    texts: [null, nodes.textColors, [st.loss != null ? "#ffffff" : "#374151"]],
  };
}

/** The node plot's traces, in this order: edge handles (hover, click), nodes, the loss node; no hover texts. */
function nodeTraces(g, model, sizes, paint, cache) {
  const { trace, state: st } = model;
  const { nodeSize, lineK, dense, minFont = 11 } = sizes;
  const handles = handleEdges(g, st.current);
  const hsig = handleSig(g, handles);
  const showLoss = !!trace;
  const lossXY = keep(cache, "lossXY", showLoss ? [[g.lossPos.x], [g.lossPos.y]] : [[], []], String(showLoss));
  return [
    {
      type: "scatter", mode: "markers", name: "edge handles",
      x: keep(cache, "hx", handles.map((e) => e.hx), hsig), y: keep(cache, "hy", handles.map((e) => e.hy), hsig),
      customdata: keep(cache, "hData", handles.map((e) => [e.l, e.j, e.i]), hsig),
      hoverinfo: "text", showlegend: false,
      marker: { size: dense ? 7 : 16, color: "rgba(255,255,255,0.01)", line: { width: 0 } },
    },
    {
      type: "scatter", mode: "markers+text", name: "nodes",
      x: keep(cache, "nodeX", g.nodes.map((nd) => nd.x), "x"), y: keep(cache, "nodeY", g.nodes.map((nd) => nd.y), "y"),
      text: keep(cache, "symbols", g.nodes.map((nd) => (nodeSize >= 26 ? nodeSymbol(nd.l, nd.j) : "")), String(nodeSize >= 26)),
      textposition: "middle center",
      textfont: { color: paint.texts[1], size: Math.round(Math.max(minFont, nodeSize * 0.3)), family: FONT },
      hoverinfo: "text", showlegend: false,
      marker: { size: nodeSize, color: paint.fills[1], line: { color: "#374151", width: 1.6 * lineK }, opacity: 1 },
    },
    {
      type: "scatter", mode: "markers+text", name: "loss", x: lossXY[0], y: lossXY[1],
      text: ["ℒ"], textposition: "middle center",
      textfont: { size: Math.round(Math.max(minFont, 12, nodeSize * 0.34)), color: paint.texts[2][0], family: FONT },
      hoverinfo: "text", showlegend: false,
      marker: { symbol: "square", size: nodeSize * 0.9, color: paint.fills[2][0], line: { color: "#374151", width: 1.6 * lineK } },
    },
  ];
}

/** The node plot's hover texts per trace (edge handles, nodes, the loss node) at the model's step. */
export function hoverTexts(g, model) {
  const { network, trace, state: st } = model;
  const lossText = st.loss != null ? `ℒ = ${fmt(st.loss)}` : "ℒ";
  const tgt = trace && trace.target ? `t = ${targetText(trace.target)}` : "";
  return [
    handleEdges(g, st.current).map((e) => edgeHover(network, trace, st, e)),
    g.nodes.map((nd) => nodeHover(network, st, nd.l, nd.j, nd.key)),
    [`loss ${lossText}<br>${tgt}`],
  ];
}

/**
 * Where a bias label may sit around its node (centre cx, cy; r: the node's radius and a gap), best first: above,
 * above and to either side, then beside the node just under or over its middle. Each is {box, place}: the pixel
 * box and the annotation's anchor and shift that put it there.
 */
function biasSpots(cx, cy, w, h, r) {
  const side = 0.15 * w; // how far an offset label reaches back over the node's middle
  return [
    { box: { l: cx - w / 2, r: cx + w / 2, t: cy - r - h, b: cy - r }, place: { yshift: r, yanchor: "bottom" } },
    { box: { l: cx - side, r: cx - side + w, t: cy - r - h, b: cy - r }, place: { xanchor: "left", xshift: -side, yshift: r, yanchor: "bottom" } },
    { box: { l: cx + side - w, r: cx + side, t: cy - r - h, b: cy - r }, place: { xanchor: "right", xshift: side, yshift: r, yanchor: "bottom" } },
    { box: { l: cx + r, r: cx + r + w, t: cy + 2, b: cy + 2 + h }, place: { xanchor: "left", xshift: r, yanchor: "top", yshift: -2 } },
    { box: { l: cx + r, r: cx + r + w, t: cy - 2 - h, b: cy - 2 }, place: { xanchor: "left", xshift: r, yanchor: "bottom", yshift: 2 } },
    { box: { l: cx - r - w, r: cx - r, t: cy + 2, b: cy + 2 + h }, place: { xanchor: "right", xshift: -r, yanchor: "top", yshift: -2 } },
    { box: { l: cx - r - w, r: cx - r, t: cy - 2 - h, b: cy - 2 }, place: { xanchor: "right", xshift: -r, yanchor: "bottom", yshift: 2 } },
  ];
}

/** Column titles, edge value labels and biases (small networks; clickable) and node values, in that order. */
function annotationsFor(g, model, sizes, nodes, edges) {
  const { trace, state: st } = model;
  const { k, nodeSize, lineK, valueFont, showValues, minFont = 11 } = sizes;
  const showLoss = !!trace;
  const out = [];
  const titleFont = { size: Math.round(Math.max(minFont, 14 * k)), family: FONT, color: "#374151" };
  for (let l = 1; l <= g.L; l += 1) {
    const role = l === 1 ? "input" : l === g.L ? "output" : "hidden";
    out.push({ x: l - 1, y: 1, yref: "paper", yanchor: "bottom", showarrow: false, text: `<b>layer ${l}</b><br>${role}`, font: titleFont });
  }
  if (showLoss) out.push({ x: g.lossPos.x, y: 1, yref: "paper", yanchor: "bottom", showarrow: false, text: "<b>loss</b><br> ", font: titleFont });
  const titleCount = out.length;
  const labelled = [];
  // Node values are placed first (under their nodes); the edge labels then find room around them.
  const valueLabels = (size) => {
    const valueLabel = (x, y, text, shift) => ({
      x, y, yshift: -shift, yanchor: "top", showarrow: false, text,
      font: { size, family: FONT, color: "#111827" }, bgcolor: "rgba(255,255,255,0.88)", borderpad: 1,
    });
    const values = [];
    if (showValues) {
      nodes.values.forEach((t, n) => {
        // A value wider than the room before the edge labels beside it goes on two lines ("∂L/∂a" over "= 0.005").
        const wide = t && t.length > 10 && 0.3 * size * t.length > 0.42 * sizes.px.pxPerX - 30;
        const text = wide && !t.includes("<br>") ? t.replace(" = ", "<br>= ") : t;
        if (text) values.push(valueLabel(g.nodes[n].x, g.nodes[n].y, text, nodeSize / 2 + 3));
      });
    }
    if (showLoss) {
      // The targets fit under the loss node for a few outputs; otherwise they are in its hover text only.
      // Whole targets (a one-hot class) on one line; other values one per line, never cut by the figure's edge.
      const whole = trace.target && trace.target.every((t) => Number.isInteger(t));
      const target = trace.target && trace.target.length <= 3 ? `t = ${targetText(trace.target, whole ? ", " : ",<br>")}` : "";
      const text = st.loss != null ? `ℒ = ${fmt(st.loss)}<br>${target}` : target;
      values.push(valueLabel(g.lossPos.x, g.lossPos.y, text, nodeSize * 0.45 + 3));
    }
    // What is already on the figure, in pixels: nodes, their value labels, the column titles' band at the top.
    const blocked = [];
    for (const nd of [...g.nodes, ...(showLoss ? [g.lossPos] : [])]) {
      const [cx, cy] = toPixel(g, nd, sizes.px);
      blocked.push({ l: cx - nodeSize / 2, r: cx + nodeSize / 2, t: cy - nodeSize / 2, b: cy + nodeSize / 2, round: true });
    }
    for (const v of values) {
      const [cx, cy] = toPixel(g, v, sizes.px);
      const { w, h } = labelBox(v.text, size, 1);
      blocked.push({ l: cx - w / 2, r: cx + w / 2, t: cy - v.yshift, b: cy - v.yshift + h });
    }
    blocked.push({ l: -1e5, r: 1e5, t: -1e5, b: sizes.px.margin.t });
    return { values, blocked };
  };
  const small = g.edges.length <= SMALL_NET_EDGES && nodeSize >= 30;
  let { values, blocked } = valueLabels(valueFont);
  if (small) {
    // Every label at the figure's type when all fit; in a cramped figure (a projector's 1280 x 720 beside the
    // formula) the type shrinks a step at a time, down to LEAST_LABEL px, before a weight or a bias is left out.
    const segments = edgeSegments(g, sizes.px);
    const full = Math.round(Math.max(minFont, 12 * k));
    let best = null;
    for (let shrink = 0; ; shrink += 2) {
      const step = shrink ? valueLabels(Math.max(Math.min(valueFont, LEAST_LABEL), valueFont - shrink)) : { values, blocked };
      const size = Math.max(Math.min(full, LEAST_LABEL), full - shrink);
      const got = { ...step, ...parameterLabels(g, model, sizes, edges, [...step.blocked], segments, size) };
      if (!best || got.missing < best.missing) best = got;
      if (!got.missing || (size <= LEAST_LABEL && valueFont - shrink <= LEAST_LABEL)) break;
    }
    values = best.values;
    out.push(...best.annotations);
    labelled.push(...best.labelled);
  }
  // Node values last, so they sit on top of edge labels; on a white ground, so edges never run through the digits.
  out.push(...values);
  return { annotations: out, titleCount, labelled };
}

/**
 * The weights' labels along their edges, then the biases' beside their nodes, at type `size`, placed around what is
 * `blocked` (pixel boxes; grown by each label placed): {annotations, labelled, missing} (missing: labels left out).
 */
function parameterLabels(g, model, sizes, edges, blocked, segments, size) {
  const { network, trace, state: st } = model;
  const { k, nodeSize, lineK } = sizes;
  const annotations = [];
  const labelled = [];
  let missing = 0;
  const font = { size, family: FONT, color: "#111827" };
  const hoverlabel = { bgcolor: "#ffffff", font: { size: Math.round(13 * k), family: FONT } };
  // Not computed yet: the dotted edge says so. The current step's edges get their spots first.
  const cur = st.current;
  const rank = (e) => (cur && e.l === cur.l && (cur.i == null || e.i === cur.i) && e.j === cur.j ? 0 : cur && e.l === cur.l ? 1 : 2);
  const shown = g.edges.filter((e) => edges.values.get(e.key) != null).sort((a, b) => rank(a) - rank(b));
  const texts = shown.map((e) => labelNum(edges.values.get(e.key)));
  const spots = placeEdgeLabels(g, sizes.px, shown.map((e, n) => ({ edge: e, ...labelBox(texts[n], size, 2 + 1.5 * lineK) })), blocked, segments);
  shown.forEach((e, n) => {
    if (!spots[n].clear) {
      missing += 1;
      return;
    }
    annotations.push({
      x: spots[n].x, y: spots[n].y, showarrow: false, text: texts[n], font, bgcolor: "rgba(255,255,255,0.94)",
      bordercolor: colorOn(edges.key, edges.values.get(e.key)), borderwidth: 1.5 * lineK, borderpad: 2,
      captureevents: true, hovertext: edgeHover(network, trace, st, e), hoverlabel,
    });
    labelled.push(e);
  });
  if (!network.biases) return { annotations, labelled, missing };
  // Biases beside their nodes, framed like the weights and clickable like them: each takes the first spot around its
  // node clear of every label and of every edge (on an edge it would read as a weight), else it is left out.
  const clear = (box) => box.l >= 0 && box.r <= sizes.px.width && box.b <= sizes.px.height
    && blocked.every((o) => overlap(box, o) === 0) && !segments.some((sg) => crosses(box, sg));
  for (const nd of g.nodes) {
    if (nd.l < 2) continue;
    const shownB = parameterShown(st, network, { l: nd.l, j: nd.j });
    const text = labelText(shownB);
    if (text == null) continue;
    const { w, h } = labelBox(text, size, 2 + lineK);
    const [cx, cy] = toPixel(g, nd, sizes.px);
    const spot = biasSpots(cx, cy, w, h, nodeSize / 2 + 2).find((sp) => clear(sp.box));
    if (!spot) {
      missing += 1;
      continue;
    }
    blocked.push(spot.box);
    const v = shownB.value;
    annotations.push({
      x: nd.x, y: nd.y, ...spot.place, showarrow: false, text, font,
      bgcolor: "rgba(255,255,255,0.94)", bordercolor: colorOn(edges.key, v), borderwidth: lineK, borderpad: 1,
      captureevents: true, hovertext: `${shownB.quantity === "grad_b" ? "∂L/∂" : shownB.updated ? "updated " : ""}b<sub>${nd.j}</sub><sup>${nd.l}</sup> = ${fmt(v, 4)}<br>click to edit`,
      hoverlabel,
    });
    labelled.push({ l: nd.l, j: nd.j, bias: true });
  }
  return { annotations, labelled, missing };
}

/**
 * Both plots' data and layouts for a model {network, trace, state}: sizes from figureSizes, nodes from nodeColors,
 * edges from edgeColors; cache keeps unchanged arrays between calls. labelled[n] is the edge of annotation
 * titleCount + n (for clicks); edgeKeyNow changes exactly when the edge plot must be redrawn, nodeKeyNow when
 * the node plot's data or layout (but for its annotations) changes other than in paint (the step's colours).
 */
export function buildTraces(g, model, sizes, nodes, edges, cache) {
  const { px, k, lineK, nodeSize, minFont = 11, dense } = sizes;
  const showLoss = !!model.trace;
  const edgePart = edgeTraces(g, sizes, edges, showLoss, cache);
  const paint = nodePaint(model.state, nodes);
  const data = nodeTraces(g, model, sizes, paint, cache);
  const { annotations, titleCount, labelled } = annotationsFor(g, model, sizes, nodes, edges);
  const axes = { xaxis: { range: g.xRange, visible: false, fixedrange: true }, yaxis: { range: g.yRange, visible: false, fixedrange: true } };
  const box = {
    // Explicit size: node sizes are computed in pixels from it, so Plotly must use the very same box.
    width: px.width, height: px.height, autosize: false, margin: px.margin,
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", dragmode: false, showlegend: false, ...axes,
  };
  const layout = {
    uirevision: "network",
    ...box,
    font: { family: FONT, size: Math.round(13 * k), color: "#111827" },
    hovermode: "closest",
    hoverlabel: { bgcolor: "#ffffff", bordercolor: "#9aa3af", font: { size: Math.round(13 * k), family: FONT, color: "#111827" } },
    annotations,
  };
  const edgeKeyNow = [edgePart.sig, lineK, px.width, px.height, showLoss, !!model.projector].join("/");
  // Everything the node traces and the layout are built from, but the paint and the annotations.
  const handles = handleSig(g, handleEdges(g, model.state.current));
  const nodeKeyNow = [g.layers.join("-"), handles, nodeSize, lineK, k, minFont, dense, showLoss, px.width, px.height, JSON.stringify(px.margin)].join("/");
  return { data, layout, paint, edgeData: edgePart.traces, edgeKeyNow, nodeKeyNow, titleCount, labelled, handlesIndex: 0 };
}
