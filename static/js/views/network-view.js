// The network figure: turns the network state and the trace position into Plotly traces, highlight rings and
// moving pulses. It draws and reports clicks; it never fetches and never decides what step comes next.
//
// Layers, back to front: an SVG "under" layer (rings, the edges feeding the current step, the edge being
// computed), a Plotly plot of the edges (grouped line traces), a Plotly plot of the nodes, labels and hover
// handles, and an SVG "over" layer for the pulses; the plots have transparent backgrounds and share one box and
// one pair of axis ranges. Splitting edges from nodes keeps a step cheap on big networks: most steps only recolour
// nodes, and the edge plot is redrawn only when an edge changes its colour class.

import { DIVERGING, DIVERGING_EDGE, PENDING, SEQUENTIAL, css, plotlyScale, rgbAt, signedColor, textOn } from "./colors.js";
import { edgeKey, eventEdge, eventNode, fmt, nodeKey } from "./trace-model.js";

const BUCKETS = 4; // signed width/colour classes per sign; edges are grouped into 2*BUCKETS+2 line traces
const SMALL_NET_EDGES = 16; // up to this many edges, weights are written on the figure
const MAX_HANDLES = 300; // above this many edges, only the current layer's edges take hover and clicks
const HANDLE_T = 0.42; // along each edge from its source: clear of the node labels, apart where edges cross
const CURRENT = "#111111";
const DEPENDENCY = "#e69f00"; // Okabe-Ito orange: distinct from the blue-red scale for every vision type
const SVG_NS = "http://www.w3.org/2000/svg";
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** A short number for an edge label: two decimals, or two significant digits for small values. */
function labelNum(v) {
  const a = Math.abs(v);
  let text;
  if (a === 0) text = "0";
  else if (a >= 1000) text = v.toExponential(1).replace("e+", "e");
  else if (a >= 0.095) text = v.toFixed(2);
  else if (a >= 1e-4) text = v.toPrecision(2);
  else text = v.toExponential(0);
  return text.replaceAll("-", "−");
}

const sub = (s) => `<sub>${s}</sub>`;
const sup = (s) => `<sup>${s}</sup>`;
const nodeSymbol = (l, j) => (l === 1 ? `x${sub(j)}` : `a${sub(j)}${sup(l)}`);
const weightSymbol = (l, j, i) => `w${sub(`${j}${i}`)}${sup(l)}`;

function svg(tag, attrs, parent) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (parent) parent.append(el);
  return el;
}

// People who ask their system for less motion get the highlights without the moving pulses.
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

/** Creates the view in a container element; handlers: onEdgeClick({l, j, i, clientX, clientY}). */
export function createNetworkView(container, handlers = {}) {
  const stack = document.createElement("div");
  stack.className = "network-stack";
  const under = svg("svg", { class: "network-under", "aria-hidden": "true" });
  const edgePlot = document.createElement("div");
  edgePlot.className = "network-edges";
  edgePlot.id = `${container.id}-edges`;
  const plot = document.createElement("div");
  plot.className = "network-plot";
  plot.id = `${container.id}-plot`;
  const over = svg("svg", { class: "network-over", "aria-hidden": "true" });
  stack.append(under, edgePlot, plot, over);
  const legend = document.createElement("div");
  legend.className = "network-legend";
  container.append(stack, legend);

  let plotted = false;
  let geometry = null;
  let lastModel = null;
  let lastAnimatedP = null;
  let edgeLabelKeys = [];
  let titleCount = 0;
  let pulseRun = 0;
  let renderQueue = Promise.resolve();
  let edgeKeyDrawn = null;
  let cache = {};
  const traceIndex = {};

  function buildGeometry(layers) {
    const L = layers.length;
    const M = Math.max(...layers);
    const pos = new Map();
    layers.forEach((n, k) => {
      for (let j = 1; j <= n; j += 1) pos.set(nodeKey(k + 1, j), { x: k, y: (n + 1) / 2 - j });
    });
    const edges = [];
    for (let l = 2; l <= L; l += 1) {
      for (let j = 1; j <= layers[l - 1]; j += 1) {
        for (let i = 1; i <= layers[l - 2]; i += 1) {
          const a = pos.get(nodeKey(l - 1, i));
          const b = pos.get(nodeKey(l, j));
          edges.push({ l, j, i, key: edgeKey(l, j, i), a, b, hx: a.x + HANDLE_T * (b.x - a.x), hy: a.y + HANDLE_T * (b.y - a.y) });
        }
      }
    }
    const nodes = [];
    for (let l = 1; l <= L; l += 1) for (let j = 1; j <= layers[l - 1]; j += 1) nodes.push({ l, j, key: nodeKey(l, j), ...pos.get(nodeKey(l, j)) });
    const lossPos = { x: L - 1 + 0.72, y: 0 };
    const yRange = [-(M - 1) / 2 - 0.62, (M - 1) / 2 + 0.5];
    // Side room for the value labels under the first column and the loss label on the right.
    return { layers, L, M, pos, edges, nodes, lossPos, xRange: [-0.5, L - 1 + 1.05], yRange };
  }

  function pixelScale(k) {
    const width = Math.max(320, stack.clientWidth);
    const height = Math.max(200, stack.clientHeight);
    const margin = { l: 12, r: 12, t: Math.round(38 * k) + 6, b: 10 };
    const g = geometry;
    return {
      margin,
      width,
      height,
      pxPerX: (width - margin.l - margin.r) / (g.xRange[1] - g.xRange[0]),
      pxPerY: (height - margin.t - margin.b) / (g.yRange[1] - g.yRange[0]),
    };
  }

  /** Data coordinates to pixels in the stack, with the same box and ranges the layout gives Plotly. */
  function toPixel(p, px) {
    const g = geometry;
    return [px.margin.l + (p.x - g.xRange[0]) * px.pxPerX, px.margin.t + (g.yRange[1] - p.y) * px.pxPerY];
  }

  const weightOf = (net, l, j, i) => net.weights[l - 2][j - 1][i - 1];

  /** Node fills, text colours, value labels and hover texts for the current step. */
  function nodeLayer(model, st, backwardView) {
    const fills = [];
    const textColors = [];
    const hovers = [];
    const values = [];
    let aMin = 0;
    let aMax = 1;
    st.nodes.forEach((rec) => {
      if (rec.a != null) {
        aMin = Math.min(aMin, rec.a);
        aMax = Math.max(aMax, rec.a);
      }
    });
    const dMax = (model.trace && model.trace.maxAbs.delta) || 1;
    const gaMax = (model.trace && model.trace.maxAbs.grad_a) || 1;
    for (const { l, j, key } of geometry.nodes) {
      const rec = st.nodes.get(key) || {};
      let fill = PENDING;
      let value = "";
      const aText = () => `${l === 1 ? "x" : "a"} = ${fmt(rec.a)}`;
      if (backwardView) {
        if (rec.delta != null) {
          fill = signedColor(rec.delta, dMax, DIVERGING);
          value = `δ = ${fmt(rec.delta)}`;
        } else if (rec.grad_a != null) {
          fill = signedColor(rec.grad_a, gaMax, DIVERGING);
          value = `∂L/∂a = ${fmt(rec.grad_a)}`;
        } else if (rec.a != null) {
          value = aText();
        }
      } else if (rec.a != null) {
        fill = css(rgbAt(SEQUENTIAL, (rec.a - aMin) / (aMax - aMin || 1)));
        value = aText();
      } else if (rec.z != null) {
        value = `z = ${fmt(rec.z)}`;
      }
      fills.push(fill);
      textColors.push(fill === PENDING ? "#4b5563" : textOn(fill));
      values.push(value);
      const lines = [`<b>${nodeSymbol(l, j)}</b>  (layer ${l}, node ${j})`];
      if (rec.z != null) lines.push(`z${sub(j)}${sup(l)} = ${fmt(rec.z, 4)}`);
      if (rec.a != null) lines.push(`${nodeSymbol(l, j)} = ${fmt(rec.a, 4)}`);
      if (rec.grad_a != null) lines.push(`∂L/∂${nodeSymbol(l, j)} = ${fmt(rec.grad_a, 4)}`);
      if (rec.delta != null) lines.push(`δ${sub(j)}${sup(l)} = ${fmt(rec.delta, 4)}`);
      if (l >= 2) lines.push(`b${sub(j)}${sup(l)} = ${fmt(model.network.biases[l - 2][j - 1], 4)}`);
      if (lines.length === 1 || (l >= 2 && lines.length === 2)) lines.push("<i>not computed yet</i>");
      hovers.push(lines.join("<br>"));
    }
    return { fills, textColors, hovers, values, aMin, aMax, dMax };
  }

  /** The quantity each edge shows at this step (null: not computed yet), and the scale it is read on. */
  function edgeValues(model, st) {
    const net = model.network;
    const values = new Map();
    if (st.phase === "backward") {
      for (const e of geometry.edges) {
        const rec = st.edges.get(e.key);
        values.set(e.key, rec && rec.grad_w != null ? rec.grad_w : null);
      }
      return { values, m: (model.trace && model.trace.maxAbs.grad_w) || 1, title: "edge ∂L/∂w" };
    }
    let m = 0;
    for (const e of geometry.edges) {
      const rec = st.edges.get(e.key);
      const v = rec && rec.w != null ? rec.w : weightOf(net, e.l, e.j, e.i);
      values.set(e.key, v);
      m = Math.max(m, Math.abs(v));
    }
    return { values, m: m || 1, title: st.phase === "update" ? "edge w (updated)" : "edge w" };
  }

  function edgeHover(model, st, e) {
    const net = model.network;
    const w = weightOf(net, e.l, e.j, e.i);
    const rec = st.edges.get(e.key) || {};
    const lines = [`<b>${weightSymbol(e.l, e.j, e.i)}</b>  (from ${nodeSymbol(e.l - 1, e.i)} to ${nodeSymbol(e.l, e.j)})`];
    lines.push(`w = ${fmt(w, 4)}`);
    if (rec.grad_w != null) {
      const eta = net.learning_rate;
      const next = rec.w != null ? rec.w : w - eta * rec.grad_w;
      lines.push(`∂L/∂w = ${fmt(rec.grad_w, 4)}`);
      lines.push(`update: w − η·∂L/∂w = ${fmt(w, 4)} − ${eta}·${fmt(rec.grad_w, 4)} = ${fmt(next, 4)}`);
    }
    lines.push("<i>click to edit the weight</i>");
    return lines.join("<br>");
  }

  /** Edges that carry the current computation, with the direction the signal travels. */
  function flowEdges(st) {
    const ev = st.current;
    const g = geometry;
    if (!ev) return [];
    const out = [];
    const at = (l, j) => g.pos.get(nodeKey(l, j));
    if (ev.phase === "forward" && ev.quantity === "z" && ev.l >= 2) {
      for (let i = 1; i <= g.layers[ev.l - 2]; i += 1) out.push({ from: at(ev.l - 1, i), to: at(ev.l, ev.j), toLoss: false });
    } else if (ev.phase === "loss") {
      for (let j = 1; j <= g.layers[g.L - 1]; j += 1) out.push({ from: at(g.L, j), to: g.lossPos, toLoss: true });
    } else if (ev.phase === "backward" && ev.quantity === "grad_a") {
      const node = eventNode(ev);
      if (node && node.l === g.L) {
        out.push({ from: g.lossPos, to: at(g.L, node.j), fromLoss: true });
      } else if (node) {
        for (let j = 1; j <= g.layers[node.l]; j += 1) out.push({ from: at(node.l + 1, j), to: at(node.l, node.j) });
      }
    } else if (ev.phase === "backward" && ev.quantity === "grad_w" && ev.i != null) {
      out.push({ from: at(ev.l, ev.j), to: at(ev.l - 1, ev.i) });
    }
    return out.filter((f) => f.from && f.to);
  }

  /** Line x/y arrays for segments, separated by nulls. */
  function lineXY(segments) {
    const x = [];
    const y = [];
    for (const [a, b] of segments) {
      x.push(a.x, b.x, null);
      y.push(a.y, b.y, null);
    }
    return { x, y };
  }

  /** Returns the previous array when the content is equal, so Plotly.react sees no change. */
  function keep(name, arr, sig) {
    const key = sig ?? arr.join("|");
    if (cache[name] && cache[name].key === key) return cache[name].value;
    cache[name] = { key, value: arr };
    return arr;
  }

  function buildFigure(model) {
    const g = geometry;
    const st = model.state;
    const projector = !!model.projector;
    const backwardView = st.phase === "backward" || st.phase === "update";
    // Projector type and lines grow with the screen, so a 4K projector gets the same proportions as 1024x768.
    const k = projector ? Math.max(1.3, Math.min(3, stack.clientWidth / 700)) : 1;
    const px = pixelScale(k);
    const nodeSize = Math.max(10, Math.min(px.pxPerY * 0.6, px.pxPerX * 0.4, 86 * k));
    // Values are what a class reads aloud: in projector mode they may grow a little past the node's width.
    const valueFont = Math.round(Math.max(11, Math.min(20 * k, nodeSize * (projector ? 0.3 : 0.26))));
    const showValues = nodeSize >= 30 && g.nodes.length <= 64;
    const lineK = projector ? 1.25 * k : 1;
    const dense = g.edges.length > 200;
    const edgeData = [];
    const data = [];

    // Edges grouped by signed magnitude class: few traces, however many edges.
    const ev = edgeValues(model, st);
    const bucketOf = g.edges.map((e) => {
      const v = ev.values.get(e.key);
      if (v == null) return 2 * BUCKETS + 1;
      return Math.max(-BUCKETS, Math.min(BUCKETS, Math.round((v / ev.m) * BUCKETS))) + BUCKETS;
    });
    const bucketSig = bucketOf.join("");
    for (let n = 0; n < 2 * BUCKETS + 2; n += 1) {
      const pending = n === 2 * BUCKETS + 1;
      const b = n - BUCKETS;
      let xy = cache[`bucket${n}`] && cache[`bucket${n}`].key === bucketSig ? cache[`bucket${n}`].value : null;
      if (!xy) {
        xy = lineXY(g.edges.filter((_, q) => bucketOf[q] === n).map((e) => [e.a, e.b]));
        cache[`bucket${n}`] = { key: bucketSig, value: xy };
      }
      edgeData.push({
        type: "scatter", mode: "lines", name: pending ? "edges pending" : `edges ${b}`, x: xy.x, y: xy.y,
        hoverinfo: "skip", showlegend: false, opacity: dense ? 0.75 : 1,
        line: {
          color: pending ? "#d5d9e0" : css(rgbAt(DIVERGING_EDGE, 0.5 + (0.5 * b) / BUCKETS)),
          width: (pending ? 1 : (dense ? 0.6 : 1.2) + ((dense ? 2.2 : 6) * Math.abs(b)) / BUCKETS) * lineK,
          dash: pending ? "dot" : "solid",
        },
      });
    }

    // The loss node's links to the outputs, once the step player has a trace.
    const showLoss = !!model.trace;
    const lossLinks = keep(
      "lossLinks",
      showLoss ? lineXY(g.nodes.filter((nd) => nd.l === g.L).map((nd) => [nd, g.lossPos])) : { x: [], y: [] },
      String(showLoss),
    );
    edgeData.push({
      type: "scatter", mode: "lines", name: "loss links", x: lossLinks.x, y: lossLinks.y, hoverinfo: "skip", showlegend: false,
      line: { color: "#9aa3af", width: 1.5 * lineK, dash: "dash" },
    });

    // Hover and click handles; a dense network offers them on the current layer's edges only.
    let handleEdges = g.edges;
    if (g.edges.length > MAX_HANDLES) {
      const ce = st.current;
      const layer = !ce ? 2 : ce.quantity === "grad_a" ? Math.min(g.L, ce.l + 1) : Math.max(2, ce.l);
      handleEdges = g.edges.filter((e) => e.l === layer);
    }
    const handleSig = handleEdges.length === g.edges.length ? "all" : `layer${handleEdges[0] && handleEdges[0].l}`;
    const hx = keep("hx", handleEdges.map((e) => e.hx), handleSig);
    const hy = keep("hy", handleEdges.map((e) => e.hy), handleSig);
    const hData = keep("hData", handleEdges.map((e) => [e.l, e.j, e.i]), handleSig);
    traceIndex.handles = data.length;
    data.push({
      type: "scatter", mode: "markers", name: "edge handles", x: hx, y: hy, customdata: hData,
      hovertext: handleEdges.map((e) => edgeHover(model, st, e)), hoverinfo: "text", showlegend: false,
      marker: { size: dense ? 7 : 16, color: "rgba(255,255,255,0.01)", line: { width: 0 } },
    });

    const nl = nodeLayer(model, st, backwardView);
    const nodeX = keep("nodeX", g.nodes.map((nd) => nd.x), "x");
    const nodeY = keep("nodeY", g.nodes.map((nd) => nd.y), "y");
    const symbols = keep("symbols", g.nodes.map((nd) => (nodeSize >= 26 ? nodeSymbol(nd.l, nd.j) : "")), String(nodeSize >= 26));
    traceIndex.nodes = data.length;
    data.push({
      type: "scatter", mode: "markers+text", name: "nodes", x: nodeX, y: nodeY, text: symbols, textposition: "middle center",
      textfont: { color: nl.textColors, size: Math.round(Math.max(11, nodeSize * 0.3)), family: FONT },
      hovertext: nl.hovers, hoverinfo: "text", showlegend: false,
      marker: { size: nodeSize, color: nl.fills, line: { color: "#374151", width: 1.6 * lineK }, opacity: 1 },
    });

    const lossText = st.loss != null ? `ℒ = ${fmt(st.loss)}` : "ℒ";
    // The targets fit under the loss node for a few outputs; otherwise they are in its hover text only.
    const tgt = model.trace && model.trace.target ? `t = (${model.trace.target.map((t) => fmt(t, 2)).join(", ")})` : "";
    const target = model.trace && model.trace.target && model.trace.target.length <= 3 ? tgt : "";
    const lossXY = keep("lossXY", showLoss ? [[g.lossPos.x], [g.lossPos.y]] : [[], []], String(showLoss));
    data.push({
      type: "scatter", mode: "markers+text", name: "loss", x: lossXY[0], y: lossXY[1],
      text: ["ℒ"], textposition: "middle center",
      textfont: { size: Math.round(Math.max(12, nodeSize * 0.34)), color: st.loss != null ? "#ffffff" : "#374151", family: FONT },
      hovertext: [`loss ${lossText}<br>${tgt}`], hoverinfo: "text", showlegend: false,
      marker: { symbol: "square", size: nodeSize * 0.9, color: st.loss != null ? "#374151" : PENDING, line: { color: "#374151", width: 1.6 * lineK } },
    });

    // Column titles, values under the nodes and, for small networks, the edge values on the edges.
    const annotations = [];
    const titleFont = { size: Math.round(14 * k), family: FONT, color: "#374151" };
    for (let l = 1; l <= g.L; l += 1) {
      const role = l === 1 ? "input" : l === g.L ? "output" : "hidden";
      annotations.push({ x: l - 1, y: 1, yref: "paper", yanchor: "bottom", showarrow: false, text: `<b>layer ${l}</b><br>${role}`, font: titleFont });
    }
    if (showLoss) {
      annotations.push({ x: g.lossPos.x, y: 1, yref: "paper", yanchor: "bottom", showarrow: false, text: "<b>loss</b><br> ", font: titleFont });
    }
    titleCount = annotations.length;
    edgeLabelKeys = [];
    if (g.edges.length <= SMALL_NET_EDGES && nodeSize >= 30) {
      const labelFont = { size: Math.round(12 * k), family: FONT, color: "#111827" };
      for (const e of g.edges) {
        const v = ev.values.get(e.key);
        if (v == null) continue; // not computed yet: the dotted edge says so, a label would only add noise
        annotations.push({
          x: e.hx, y: e.hy, showarrow: false, text: labelNum(v), font: labelFont,
          bgcolor: "rgba(255,255,255,0.94)", bordercolor: signedColor(v, ev.m, DIVERGING_EDGE),
          borderwidth: 1.5 * lineK, borderpad: 2, captureevents: true, hovertext: edgeHover(model, st, e),
          hoverlabel: { bgcolor: "#ffffff", font: { size: Math.round(13 * k), family: FONT } },
        });
        edgeLabelKeys.push(e);
      }
    }

    // Node values last, so they sit on top of edge labels; on a white ground, so edges never run through the digits.
    const valueLabel = (x, y, text, shift) => ({
      x, y, yshift: -shift, yanchor: "top", showarrow: false, text,
      font: { size: valueFont, family: FONT, color: "#111827" }, bgcolor: "rgba(255,255,255,0.88)", borderpad: 1,
    });
    if (showValues) {
      nl.values.forEach((t, n) => {
        if (t) annotations.push(valueLabel(g.nodes[n].x, g.nodes[n].y, t, nodeSize / 2 + 3));
      });
    }
    if (showLoss) {
      annotations.push(valueLabel(g.lossPos.x, g.lossPos.y, st.loss != null ? `${lossText}<br>${target}` : target, nodeSize * 0.45 + 3));
    }
    const layout = {
      uirevision: "network",
      // Explicit size: node sizes are computed in pixels from it, so Plotly must use the very same box.
      width: px.width,
      height: px.height,
      autosize: false,
      margin: px.margin,
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: FONT, size: Math.round(13 * k), color: "#111827" },
      xaxis: { range: g.xRange, visible: false, fixedrange: true },
      yaxis: { range: g.yRange, visible: false, fixedrange: true },
      hovermode: "closest",
      hoverlabel: { bgcolor: "#ffffff", bordercolor: "#9aa3af", font: { size: Math.round(13 * k), family: FONT, color: "#111827" } },
      dragmode: false,
      showlegend: false,
      annotations,
    };

    const nodeBar = backwardView
      ? { stops: DIVERGING, min: -nl.dMax, max: nl.dMax, title: "node δ = ∂L/∂z" }
      : { stops: SEQUENTIAL, min: nl.aMin, max: nl.aMax, title: "node a" };
    const edgeBar = { stops: DIVERGING_EDGE, min: -ev.m, max: ev.m, title: ev.title };

    const curNode = st.current ? eventNode(st.current) : null;
    const highlights = {
      flows: flowEdges(st),
      edge: st.current ? eventEdge(st.current) : null,
      node: curNode ? g.pos.get(nodeKey(curNode.l, curNode.j)) : st.current && st.current.quantity === "loss" ? g.lossPos : null,
      deps: st.deps.flatMap((d) => {
        if (d.quantity === "loss") return [g.lossPos];
        const n = eventNode(d);
        return n && g.pos.has(nodeKey(n.l, n.j)) ? [g.pos.get(nodeKey(n.l, n.j))] : [];
      }),
    };
    const edgeLayout = {
      width: px.width, height: px.height, autosize: false, margin: px.margin,
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      xaxis: layout.xaxis, yaxis: layout.yaxis, hovermode: false, dragmode: false, showlegend: false,
    };
    const edgeKeyNow = [bucketSig, lineK, px.width, px.height, showLoss, projector].join("/");
    return { data, layout, edgeData, edgeLayout, edgeKeyNow, px, nodeSize, lineK, highlights, bars: [nodeBar, edgeBar] };
  }

  /** Rings around the current node and its inputs, and the edges feeding this step, under the plot. */
  function drawHighlights(figure) {
    const { px, nodeSize, lineK, highlights: h } = figure;
    under.setAttribute("width", String(px.width));
    under.setAttribute("height", String(px.height));
    under.textContent = "";
    const r = nodeSize / 2;
    for (const f of h.flows) {
      const [x1, y1] = toPixel(f.from, px);
      const [x2, y2] = toPixel(f.to, px);
      svg("line", { class: "hl-flow", x1, y1, x2, y2, "stroke-width": 9 * lineK }, under);
    }
    if (h.edge) {
      const [x1, y1] = toPixel(geometry.pos.get(nodeKey(h.edge.l - 1, h.edge.i)), px);
      const [x2, y2] = toPixel(geometry.pos.get(nodeKey(h.edge.l, h.edge.j)), px);
      svg("line", { class: "hl-edge", x1, y1, x2, y2, "stroke-width": 8 * lineK }, under);
    }
    for (const p of h.deps) {
      const [cx, cy] = toPixel(p, px);
      svg("circle", { class: "hl-dep", cx, cy, r: r + 7 * lineK, "stroke-width": 6 * lineK }, under);
    }
    if (h.node) {
      const [cx, cy] = toPixel(h.node, px);
      svg("circle", { class: "hl-current", cx, cy, r: r + 4 * lineK, "stroke-width": 5 * lineK }, under);
    }
  }

  /** The two colour keys under the figure, as HTML (cheaper than Plotly colour bars on every step). */
  function drawLegend(bars) {
    legend.textContent = "";
    for (const b of bars) {
      const item = document.createElement("div");
      item.className = "legend-item";
      const title = document.createElement("span");
      title.className = "legend-title";
      title.textContent = b.title;
      const bar = document.createElement("span");
      bar.className = "legend-bar";
      bar.style.background = `linear-gradient(to right, ${b.stops.map(([t, c]) => `${c} ${Math.round(t * 100)}%`).join(", ")})`;
      const ticks = document.createElement("span");
      ticks.className = "legend-ticks";
      for (const v of [b.min, (b.min + b.max) / 2, b.max]) {
        const t = document.createElement("span");
        t.textContent = fmt(v, Math.abs(b.max - b.min) < 0.2 ? 3 : 2);
        ticks.append(t);
      }
      item.append(title, bar, ticks);
      legend.append(item);
    }
  }

  /** Flows for a whole phase as a wave, hop by hop: forward from the inputs, backward from the loss. */
  function waveFlows(direction, hop) {
    const g = geometry;
    const out = [];
    const outputs = g.nodes.filter((nd) => nd.l === g.L);
    if (direction === "forward") {
      for (let l = 2; l <= g.L; l += 1) {
        for (const e of g.edges) if (e.l === l) out.push({ from: e.a, to: e.b, delay: (l - 2) * hop });
      }
      for (const nd of outputs) out.push({ from: nd, to: g.lossPos, delay: (g.L - 1) * hop });
    } else {
      for (const nd of outputs) out.push({ from: g.lossPos, to: nd, delay: 0 });
      for (let l = g.L; l >= 2; l -= 1) {
        for (const e of g.edges) if (e.l === l) out.push({ from: e.b, to: e.a, delay: (g.L - l + 1) * hop });
      }
    }
    return out;
  }

  /** Sends a pulse (a dot with a short tail) along each flow edge, fading in and out at the nodes. */
  function animatePulses(flows, duration, figure) {
    pulseRun += 1;
    const run = pulseRun;
    over.textContent = "";
    if (!flows.length || duration <= 0 || reducedMotion.matches) return;
    const { px, nodeSize } = figure;
    over.setAttribute("width", String(px.width));
    over.setAttribute("height", String(px.height));
    const r = Math.max(4, nodeSize * (flows.length > 60 ? 0.08 : 0.13));
    const dots = flows.map((f) => {
      const tail = svg("line", { class: "pulse-tail", "stroke-width": r * 1.3, opacity: 0 }, over);
      const dot = svg("circle", { class: "pulse", r, opacity: 0 }, over);
      return { from: toPixel(f.from, px), to: toPixel(f.to, px), delay: f.delay || 0, dot, tail };
    });
    const end = Math.max(...dots.map((d) => d.delay)) + duration;
    const t0 = performance.now();
    const ease = (t) => (t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2);
    const at = (d, t) => [d.from[0] + (d.to[0] - d.from[0]) * t, d.from[1] + (d.to[1] - d.from[1]) * t];
    const frame = (now) => {
      if (run !== pulseRun) return;
      const elapsed = now - t0;
      for (const d of dots) {
        const t = Math.min(1, Math.max(0, (elapsed - d.delay) / duration));
        const alpha = String(t <= 0 || t >= 1 ? 0 : Math.sin(Math.PI * t) ** 0.6);
        const head = at(d, ease(t));
        const back = at(d, ease(Math.max(0, t - 0.18)));
        d.dot.setAttribute("cx", String(head[0]));
        d.dot.setAttribute("cy", String(head[1]));
        d.dot.setAttribute("opacity", alpha);
        d.tail.setAttribute("x1", String(back[0]));
        d.tail.setAttribute("y1", String(back[1]));
        d.tail.setAttribute("x2", String(head[0]));
        d.tail.setAttribute("y2", String(head[1]));
        d.tail.setAttribute("opacity", alpha);
      }
      if (elapsed < end) requestAnimationFrame(frame);
      else over.textContent = "";
    };
    requestAnimationFrame(frame);
  }

  function exposeForTests(model, figure) {
    const st = model.state;
    const d = container.dataset;
    d.nodeCount = String(geometry.nodes.length);
    d.edgeCount = String(geometry.edges.length);
    d.position = String(st.p);
    d.phase = st.phase || "";
    const cn = st.current ? eventNode(st.current) : null;
    const ce = st.current ? eventEdge(st.current) : null;
    d.currentEvent = st.current ? String(st.current.id) : "";
    d.highlightNode = cn ? nodeKey(cn.l, cn.j) : "";
    d.highlightEdge = ce ? edgeKey(ce.l, ce.j, ce.i) : "";
    d.flowEdges = String(figure.highlights.flows.length);
  }

  const config = {
    displaylogo: false,
    displayModeBar: false,
    responsive: false,
    scrollZoom: false,
  };

  // The edge plot takes no pointer events at all: hover and clicks belong to the node plot's handles.
  const edgeConfig = { staticPlot: true, displayModeBar: false, responsive: false };

  function bindEvents() {
    // newPlot may or may not keep listeners, so start clean to never handle a click twice.
    if (plot.removeAllListeners) {
      plot.removeAllListeners("plotly_click");
      plot.removeAllListeners("plotly_clickannotation");
    }
    plot.on("plotly_click", (ev) => {
      const pt = ev.points && ev.points[0];
      if (!pt || pt.curveNumber !== traceIndex.handles || !handlers.onEdgeClick) return;
      const [l, j, i] = pt.customdata;
      const mouse = ev.event || {};
      handlers.onEdgeClick({ l, j, i, clientX: mouse.clientX, clientY: mouse.clientY });
    });
    plot.on("plotly_clickannotation", (ev) => {
      const e = edgeLabelKeys[ev.index - titleCount];
      if (!e || !handlers.onEdgeClick) return;
      const mouse = ev.event || {};
      handlers.onEdgeClick({ l: e.l, j: e.j, i: e.i, clientX: mouse.clientX, clientY: mouse.clientY });
    });
  }

  async function draw(model) {
    const shape = model.network.layers.join("-");
    if (!geometry || geometry.layers.join("-") !== shape) {
      geometry = buildGeometry(model.network.layers);
      cache = {};
    }
    const figure = buildFigure(model);
    // A new shape or mode redraws from scratch: react across very different layouts left stale pieces behind.
    const fresh = !plotted || lastModel.projector !== model.projector || lastModel.network.layers.join("-") !== shape;
    if (fresh) {
      await Plotly.newPlot(edgePlot, figure.edgeData, figure.edgeLayout, edgeConfig);
      await Plotly.newPlot(plot, figure.data, figure.layout, config);
      bindEvents();
      plotted = true;
    } else {
      if (figure.edgeKeyNow !== edgeKeyDrawn) await Plotly.react(edgePlot, figure.edgeData, figure.edgeLayout, edgeConfig);
      await Plotly.react(plot, figure.data, figure.layout, config);
    }
    edgeKeyDrawn = figure.edgeKeyNow;
    drawHighlights(figure);
    drawLegend(figure.bars);
    exposeForTests(model, figure);
    lastModel = model;
    const stepped = lastAnimatedP != null && model.state.p === lastAnimatedP + 1;
    lastAnimatedP = model.state.p;
    if (model.wave) animatePulses(waveFlows(model.wave, 450), 650, figure);
    else animatePulses(model.animate && stepped ? figure.highlights.flows : [], model.animate, figure);
  }

  /**
   * Draws the model: {network, trace (prepared, or null), state (stateAt), projector, animate: ms,
   * wave: "forward" | "backward" | null (a whole phase was just computed: let the signal sweep through)}.
   * Calls are queued, so one Plotly update never starts while another is still running.
   */
  function render(model) {
    const done = renderQueue.then(() => draw(model));
    renderQueue = done.catch(() => {});
    return done;
  }

  /** Redraws at the new container size (node sizes are in pixels). */
  function resize() {
    if (!plotted || !lastModel) return Promise.resolve();
    lastAnimatedP = null;
    return render(lastModel);
  }

  /** A PNG of the figure with its colour bars, twice the screen size, on white. */
  async function downloadPNG() {
    const extra = 90;
    const bars = lastModel ? buildFigure(lastModel).bars : [];
    const barTraces = bars.map((b, n) => ({
      type: "scatter", mode: "markers", x: [geometry.xRange[0]], y: [geometry.yRange[0]], hoverinfo: "skip", showlegend: false,
      marker: {
        size: 0.1, opacity: 0, color: [b.min], cmin: b.min, cmax: b.max, colorscale: plotlyScale(b.stops), showscale: true,
        colorbar: { orientation: "h", x: n ? 0.75 : 0.25, xanchor: "center", y: -0.02, yanchor: "top", len: 0.36, thickness: 12, title: { text: b.title, side: "top" } },
      },
    }));
    const layout = {
      ...plot.layout,
      height: plot.layout.height + extra,
      margin: { ...plot.layout.margin, b: plot.layout.margin.b + extra },
      paper_bgcolor: "#ffffff",
      plot_bgcolor: "#ffffff",
    };
    const url = await Plotly.toImage({ data: [...edgePlot.data, ...plot.data, ...barTraces], layout }, { format: "png", width: layout.width, height: layout.height, scale: 2 });
    const a = document.createElement("a");
    a.href = url;
    a.download = "deltaflow-network.png";
    document.body.append(a);
    a.click();
    a.remove();
  }

  return { render, resize, downloadPNG, element: plot };
}
