// The network figure: turns the network state and the trace position into Plotly traces with stable ids.
// It draws, highlights and animates; it never fetches and never decides what step comes next.

import {
  DIVERGING,
  DIVERGING_EDGE,
  PENDING,
  SEQUENTIAL,
  css,
  plotlyScale,
  rgbAt,
  signedColor,
  textOn,
} from "./colors.js";
import { edgeKey, eventEdge, eventNode, fmt, nodeKey } from "./trace-model.js";

const BUCKETS = 4; // signed width/colour classes per sign; edges are grouped into 2*BUCKETS+1 line traces
const SMALL_NET_EDGES = 16; // up to this many edges, weights are written on the figure
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
  else if (a >= 0.095) text = v.toFixed(2);
  else if (a >= 1e-4) text = v.toPrecision(2);
  else text = v.toExponential(0);
  return text.replaceAll("-", "−");
}

const sub = (s) => `<sub>${s}</sub>`;
const sup = (s) => `<sup>${s}</sup>`;
const nodeSymbol = (l, j) => (l === 1 ? `x${sub(j)}` : `a${sub(j)}${sup(l)}`);
const weightSymbol = (l, j, i) => `w${sub(`${j}${i}`)}${sup(l)}`;

/** Creates the view on a container element; handlers: onEdgeClick({l, j, i, x, y}). */
export function createNetworkView(container, handlers = {}) {
  // Plotly draws into its own div; pulses run on an SVG layer above it, so they never race Plotly.react.
  const plot = document.createElement("div");
  plot.className = "network-plot";
  plot.id = `${container.id}-plot`;
  const overlay = document.createElementNS(SVG_NS, "svg");
  overlay.setAttribute("class", "network-overlay");
  overlay.setAttribute("aria-hidden", "true");
  container.append(plot, overlay);
  let pulseRun = 0;
  let renderQueue = Promise.resolve();
  let plotted = false;
  let geometry = null;
  let lastModel = null;
  let lastAnimatedP = null;
  let edgeLabelKeys = [];
  let titleCount = 0;
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
        for (let i = 1; i <= layers[l - 2]; i += 1) edges.push({ l, j, i, key: edgeKey(l, j, i) });
      }
    }
    const lossPos = { x: L - 1 + 0.62, y: 0 };
    const yTop = (M - 1) / 2 + 0.5;
    const yBottom = -(M - 1) / 2 - 0.62;
    return { layers, L, M, pos, edges, lossPos, xRange: [-0.42, L - 1 + 0.9], yRange: [yBottom, yTop] };
  }

  function pixelScale(k = 1) {
    const w = Math.max(320, container.clientWidth);
    const h = Math.max(240, container.clientHeight);
    // Room for the column titles on top and the two horizontal colour bars below.
    const margin = { l: 12, r: 12, t: Math.round(38 * k) + 6, b: Math.round(56 * k) + 8 };
    const plotW = w - margin.l - margin.r;
    const plotH = h - margin.t - margin.b;
    const g = geometry;
    return {
      margin,
      width: w,
      height: h,
      pxPerX: plotW / (g.xRange[1] - g.xRange[0]),
      pxPerY: plotH / (g.yRange[1] - g.yRange[0]),
    };
  }

  function weightOf(net, l, j, i) {
    return net.weights[l - 2][j - 1][i - 1];
  }

  /** Node fills, texts and hover texts for the current step. */
  function nodeLayer(model, st, backwardView, scale) {
    const g = geometry;
    const xs = [];
    const ys = [];
    const ids = [];
    const fills = [];
    const textColors = [];
    const symbols = [];
    const hovers = [];
    const valueTexts = [];
    const aVals = [];
    st.nodes.forEach((rec) => {
      if (rec.a != null) aVals.push(rec.a);
    });
    const aMin = Math.min(0, ...aVals);
    const aMax = Math.max(1, ...aVals);
    const dMax = (model.trace && model.trace.maxAbs.delta) || 1;
    const gaMax = (model.trace && model.trace.maxAbs.grad_a) || 1;
    for (let l = 1; l <= g.L; l += 1) {
      for (let j = 1; j <= g.layers[l - 1]; j += 1) {
        const key = nodeKey(l, j);
        const p = g.pos.get(key);
        const rec = st.nodes.get(key) || {};
        xs.push(p.x);
        ys.push(p.y);
        ids.push(`n${key}`);
        let fill = PENDING;
        let value = "";
        if (backwardView) {
          if (rec.delta != null) {
            fill = signedColor(rec.delta, dMax, DIVERGING);
            value = `δ = ${fmt(rec.delta)}`;
          } else if (rec.grad_a != null) {
            fill = signedColor(rec.grad_a, gaMax, DIVERGING);
            value = `∂L/∂a = ${fmt(rec.grad_a)}`;
          } else if (rec.a != null) {
            value = l === 1 ? `x = ${fmt(rec.a)}` : `a = ${fmt(rec.a)}`;
          }
        } else if (rec.a != null) {
          fill = css(rgbAt(SEQUENTIAL, (rec.a - aMin) / (aMax - aMin || 1)));
          value = l === 1 ? `x = ${fmt(rec.a)}` : `a = ${fmt(rec.a)}`;
        } else if (rec.z != null) {
          value = `z = ${fmt(rec.z)}`;
        }
        fills.push(fill);
        textColors.push(fill === PENDING ? "#4b5563" : textOn(fill));
        symbols.push(scale.nodeSize >= 26 ? nodeSymbol(l, j) : "");
        valueTexts.push(scale.showValues ? value : "");
        const lines = [`<b>${nodeSymbol(l, j)}</b>  (layer ${l}, node ${j})`];
        if (rec.z != null) lines.push(`z${sub(j)}${sup(l)} = ${fmt(rec.z, 4)}`);
        if (rec.a != null) lines.push(`${nodeSymbol(l, j)} = ${fmt(rec.a, 4)}`);
        if (rec.grad_a != null) lines.push(`∂L/∂${nodeSymbol(l, j)} = ${fmt(rec.grad_a, 4)}`);
        if (rec.delta != null) lines.push(`δ${sub(j)}${sup(l)} = ${fmt(rec.delta, 4)}`);
        if (l >= 2 && model.network) lines.push(`b${sub(j)}${sup(l)} = ${fmt(model.network.biases[l - 2][j - 1], 4)}`);
        if (lines.length === 1) lines.push("not computed yet");
        hovers.push(lines.join("<br>"));
      }
    }
    return { xs, ys, ids, fills, textColors, symbols, hovers, valueTexts, aMin, aMax, dMax };
  }

  /** The quantity an edge shows at this step, and the scale it is read on. */
  function edgeValues(model, st, backwardView) {
    const net = model.network;
    const values = new Map();
    let m = 0;
    if (backwardView && st.phase === "backward") {
      m = (model.trace && model.trace.maxAbs.grad_w) || 1;
      for (const e of geometry.edges) {
        const rec = st.edges.get(e.key);
        values.set(e.key, rec && rec.grad_w != null ? rec.grad_w : null);
      }
      return { values, m, title: "∂L/∂w" };
    }
    for (const e of geometry.edges) {
      const rec = st.edges.get(e.key);
      const v = rec && rec.w != null ? rec.w : weightOf(net, e.l, e.j, e.i);
      values.set(e.key, v);
      m = Math.max(m, Math.abs(v));
    }
    return { values, m: m || 1, title: "w" };
  }

  function edgeHover(model, st, e) {
    const net = model.network;
    const w = weightOf(net, e.l, e.j, e.i);
    const rec = st.edges.get(e.key) || {};
    const lines = [`<b>${weightSymbol(e.l, e.j, e.i)}</b>  (from ${nodeSymbol(e.l - 1, e.i)} to ${nodeSymbol(e.l, e.j)})`];
    lines.push(`w = ${fmt(w, 4)}`);
    if (rec.grad_w != null) lines.push(`∂L/∂w = ${fmt(rec.grad_w, 4)}`);
    if (rec.grad_w != null) {
      const eta = net.learning_rate;
      const next = rec.w != null ? rec.w : w - eta * rec.grad_w;
      lines.push(`update: w ← w − η·∂L/∂w = ${fmt(w, 4)} − ${eta}·${fmt(rec.grad_w, 4)} = ${fmt(next, 4)}`);
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
    if (ev.phase === "forward" && ev.quantity === "z" && ev.l >= 2) {
      for (let i = 1; i <= g.layers[ev.l - 2]; i += 1) {
        out.push({ from: g.pos.get(nodeKey(ev.l - 1, i)), to: g.pos.get(nodeKey(ev.l, ev.j)), key: edgeKey(ev.l, ev.j, i) });
      }
    } else if (ev.phase === "loss") {
      for (let j = 1; j <= g.layers[g.L - 1]; j += 1) out.push({ from: g.pos.get(nodeKey(g.L, j)), to: g.lossPos, key: null });
    } else if (ev.phase === "backward" && ev.quantity === "grad_a") {
      const node = eventNode(ev);
      if (node && node.l === g.L) {
        out.push({ from: g.lossPos, to: g.pos.get(nodeKey(g.L, node.j)), key: null });
      } else if (node) {
        for (let j = 1; j <= g.layers[node.l]; j += 1) {
          out.push({ from: g.pos.get(nodeKey(node.l + 1, j)), to: g.pos.get(nodeKey(node.l, node.j)), key: edgeKey(node.l + 1, j, node.j) });
        }
      }
    } else if (ev.phase === "backward" && ev.quantity === "grad_w" && ev.i != null) {
      out.push({ from: g.pos.get(nodeKey(ev.l, ev.j)), to: g.pos.get(nodeKey(ev.l - 1, ev.i)), key: edgeKey(ev.l, ev.j, ev.i) });
    }
    return out.filter((f) => f.from && f.to);
  }

  function lineXY(segments) {
    const x = [];
    const y = [];
    for (const [a, b] of segments) {
      x.push(a.x, b.x, null);
      y.push(a.y, b.y, null);
    }
    return { x, y };
  }

  function buildFigure(model) {
    const g = geometry;
    const net = model.network;
    const st = model.state;
    const projector = !!model.projector;
    const backwardView = st.phase === "backward" || st.phase === "update";
    // Projector type and lines grow with the screen, so a 4K projector gets the same proportions as 1024x768.
    const k = projector ? Math.max(1.3, Math.min(3, container.clientWidth / 700)) : 1;
    const px = pixelScale(k);
    const nodeSize = Math.max(10, Math.min(px.pxPerY * 0.6, px.pxPerX * 0.4, 86 * k));
    const valueFont = Math.round(Math.max(11, Math.min(20 * k, nodeSize * 0.26)));
    const scale = { nodeSize, valueFont, showValues: nodeSize >= 30 && g.pos.size <= 64 };
    const lineK = projector ? 1.25 * k : 1;

    // Edges grouped by signed magnitude class: few traces, however many edges.
    const ev = edgeValues(model, st, backwardView);
    const groups = Array.from({ length: 2 * BUCKETS + 2 }, () => []);
    for (const e of g.edges) {
      const v = ev.values.get(e.key);
      const seg = [g.pos.get(nodeKey(e.l - 1, e.i)), g.pos.get(nodeKey(e.l, e.j))];
      if (v == null) {
        groups[2 * BUCKETS + 1].push(seg);
      } else {
        const b = Math.max(-BUCKETS, Math.min(BUCKETS, Math.round((v / ev.m) * BUCKETS)));
        groups[b + BUCKETS].push(seg);
      }
    }
    const data = [];
    const dense = g.edges.length > 200;
    groups.forEach((segs, n) => {
      const pending = n === 2 * BUCKETS + 1;
      const b = n - BUCKETS;
      const xy = lineXY(segs);
      data.push({
        type: "scatter",
        mode: "lines",
        name: pending ? "edges pending" : `edges ${b}`,
        x: xy.x,
        y: xy.y,
        hoverinfo: "skip",
        showlegend: false,
        line: {
          color: pending ? "#d5d9e0" : css(rgbAt(DIVERGING_EDGE, 0.5 + (0.5 * b) / BUCKETS)),
          width: (pending ? 1 : (dense ? 0.6 : 1.2) + ((dense ? 2.2 : 6) * Math.abs(b)) / BUCKETS) * lineK,
          dash: pending ? "dot" : "solid",
        },
        opacity: dense ? 0.75 : 1,
      });
    });
    traceIndex.edgesEnd = data.length;

    // Edges feeding the current computation, then the edge being computed.
    const flows = flowEdges(st);
    const flowXY = lineXY(flows.map((f) => [f.from, f.to]));
    traceIndex.flow = data.length;
    data.push({
      type: "scatter", mode: "lines", name: "flow", x: flowXY.x, y: flowXY.y, hoverinfo: "skip", showlegend: false,
      line: { color: DEPENDENCY, width: 7 * lineK }, opacity: 0.55,
    });
    const curEdge = st.current ? eventEdge(st.current) : null;
    const curXY = curEdge
      ? lineXY([[g.pos.get(nodeKey(curEdge.l - 1, curEdge.i)), g.pos.get(nodeKey(curEdge.l, curEdge.j))]])
      : { x: [], y: [] };
    traceIndex.currentEdge = data.length;
    data.push({
      type: "scatter", mode: "lines", name: "current edge", x: curXY.x, y: curXY.y, hoverinfo: "skip", showlegend: false,
      line: { color: CURRENT, width: 5 * lineK },
    });

    // Loss node, linked to the outputs, shown once the step player has a trace.
    const showLoss = !!model.trace;
    const outs = [];
    for (let j = 1; j <= g.layers[g.L - 1]; j += 1) outs.push([g.pos.get(nodeKey(g.L, j)), g.lossPos]);
    const lossXY = showLoss ? lineXY(outs) : { x: [], y: [] };
    data.push({
      type: "scatter", mode: "lines", name: "loss links", x: lossXY.x, y: lossXY.y, hoverinfo: "skip", showlegend: false,
      line: { color: "#9aa3af", width: 1.5 * lineK, dash: "dash" },
    });

    // Hover and click handles, one per edge.
    const hx = [];
    const hy = [];
    const hText = [];
    const hData = [];
    for (const e of g.edges) {
      const a = g.pos.get(nodeKey(e.l - 1, e.i));
      const b = g.pos.get(nodeKey(e.l, e.j));
      hx.push(a.x + HANDLE_T * (b.x - a.x));
      hy.push(a.y + HANDLE_T * (b.y - a.y));
      hText.push(edgeHover(model, st, e));
      hData.push([e.l, e.j, e.i]);
    }
    traceIndex.handles = data.length;
    data.push({
      type: "scatter", mode: "markers", name: "edge handles", x: hx, y: hy, customdata: hData,
      ids: g.edges.map((e) => `e${e.key}`),
      hovertext: hText, hoverinfo: "text", showlegend: false,
      marker: { size: dense ? 6 : 16, color: "rgba(255,255,255,0.01)", line: { width: 0 } },
    });

    // Rings: dependencies of the current computation, then the node being computed.
    const depNodes = [];
    for (const d of st.deps) {
      const n = eventNode(d);
      if (n && g.pos.has(nodeKey(n.l, n.j))) depNodes.push(g.pos.get(nodeKey(n.l, n.j)));
      if (d.quantity === "loss") depNodes.push(g.lossPos);
    }
    data.push({
      type: "scatter", mode: "markers", name: "dependencies",
      x: depNodes.map((p) => p.x), y: depNodes.map((p) => p.y), hoverinfo: "skip", showlegend: false,
      marker: { size: nodeSize + 16 * lineK, color: "rgba(0,0,0,0)", line: { color: DEPENDENCY, width: 6 * lineK } },
    });

    const nl = nodeLayer(model, st, backwardView, scale);
    traceIndex.nodes = data.length;
    data.push({
      type: "scatter", mode: "markers+text", name: "nodes", x: nl.xs, y: nl.ys, ids: nl.ids,
      text: nl.symbols, textposition: "middle center",
      textfont: { color: nl.textColors, size: Math.round(Math.max(11, nodeSize * 0.3)), family: FONT },
      hovertext: nl.hovers, hoverinfo: "text", showlegend: false,
      marker: { size: nodeSize, color: nl.fills, line: { color: "#374151", width: 1.6 * lineK }, opacity: 1 },
    });

    const lossText = st.loss != null ? `ℒ = ${fmt(st.loss)}` : "ℒ";
    const target = model.trace && model.trace.target ? `t = (${model.trace.target.map((t) => fmt(t, 2)).join(", ")})` : "";
    data.push({
      type: "scatter", mode: "markers+text", name: "loss",
      x: showLoss ? [g.lossPos.x] : [], y: showLoss ? [g.lossPos.y] : [],
      text: ["ℒ"], textposition: "middle center",
      textfont: { size: Math.round(Math.max(12, nodeSize * 0.34)), color: st.loss != null ? "#ffffff" : "#374151", family: FONT },
      hovertext: [`loss ${lossText}<br>${target}`], hoverinfo: "text", showlegend: false,
      marker: { symbol: "square", size: nodeSize * 0.9, color: st.loss != null ? "#374151" : PENDING, line: { color: "#374151", width: 1.6 * lineK } },
    });

    const curNode = st.current ? eventNode(st.current) : null;
    const curPos = curNode ? g.pos.get(nodeKey(curNode.l, curNode.j)) : st.current && st.current.quantity === "loss" ? g.lossPos : null;
    data.push({
      type: "scatter", mode: "markers", name: "current node",
      x: curPos ? [curPos.x] : [], y: curPos ? [curPos.y] : [], hoverinfo: "skip", showlegend: false,
      marker: { size: nodeSize + 10 * lineK, color: "rgba(0,0,0,0)", line: { color: CURRENT, width: 5 * lineK } },
    });

    // Colour bars, carried by two invisible one-point traces.
    const nodeBar = backwardView
      ? { scale: plotlyScale(DIVERGING), cmin: -nl.dMax, cmax: nl.dMax, title: "node δ" }
      : { scale: plotlyScale(SEQUENTIAL), cmin: nl.aMin, cmax: nl.aMax, title: "node a" };
    const barFont = { size: Math.round(12 * k), family: FONT, color: "#374151" };
    const bar = (spec, y) => ({
      type: "scatter", mode: "markers", name: `scale ${spec.title}`, x: [g.xRange[0]], y: [g.yRange[0]], hoverinfo: "skip", showlegend: false,
      marker: {
        size: 0.1, opacity: 0, color: [spec.cmin], cmin: spec.cmin, cmax: spec.cmax, colorscale: spec.scale, showscale: true,
        colorbar: {
          orientation: "h", x: y > 0.5 ? 0.25 : 0.75, xanchor: "center", y: -0.01, yanchor: "top", len: 0.36,
          thickness: Math.round(12 * k),
          outlinewidth: 0, tickfont: barFont, title: { text: spec.title, side: "top", font: barFont }, nticks: 5,
        },
      },
    });
    data.push(bar(nodeBar, 0.76));
    data.push(bar({ scale: plotlyScale(DIVERGING_EDGE), cmin: -ev.m, cmax: ev.m, title: `edge ${ev.title}` }, 0.24));

    // Column titles and, for small networks, the edge values written on the figure.
    const annotations = [];
    const titleFont = { size: Math.round(14 * k), family: FONT, color: "#374151" };
    for (let l = 1; l <= g.L; l += 1) {
      const role = l === 1 ? "input" : l === g.L ? "output" : "hidden";
      annotations.push({
        x: l - 1, y: 1, yref: "paper", yanchor: "bottom", showarrow: false, text: `<b>layer ${l}</b><br>${role}`, font: titleFont,
      });
    }
    if (showLoss) {
      annotations.push({ x: g.lossPos.x, y: 1, yref: "paper", yanchor: "bottom", showarrow: false, text: "<b>loss</b><br> ", font: titleFont });
    }
    // Values under the nodes, on a white ground so edges never run through the digits.
    const valueLabel = (x, y, text, shift) => ({
      x, y, yshift: -shift, yanchor: "top", showarrow: false, text,
      font: { size: valueFont, family: FONT, color: "#111827" }, bgcolor: "rgba(255,255,255,0.88)", borderpad: 1,
    });
    if (scale.showValues) {
      nl.valueTexts.forEach((t, n) => {
        if (t) annotations.push(valueLabel(nl.xs[n], nl.ys[n], t, nodeSize / 2 + 3));
      });
    }
    if (showLoss) {
      annotations.push(valueLabel(g.lossPos.x, g.lossPos.y, st.loss != null ? `${lossText}<br>${target}` : target, nodeSize * 0.45 + 3));
    }
    titleCount = annotations.length;
    edgeLabelKeys = [];
    if (g.edges.length <= SMALL_NET_EDGES && nodeSize >= 30) {
      const labelFont = { size: Math.round(12 * k), family: FONT, color: "#111827" };
      g.edges.forEach((e, n) => {
        const v = ev.values.get(e.key);
        if (v == null) return; // not computed yet: the dotted edge says so, a label would only add noise
        annotations.push({
          x: hx[n], y: hy[n], showarrow: false, text: labelNum(v), font: labelFont,
          bgcolor: "rgba(255,255,255,0.92)", bordercolor: signedColor(v, ev.m, DIVERGING_EDGE),
          borderwidth: 1.5 * lineK, borderpad: 2, captureevents: true, hovertext: hText[n],
          hoverlabel: { bgcolor: "#ffffff", font: { size: Math.round(13 * k), family: FONT } },
        });
        edgeLabelKeys.push(e);
      });
    }

    const layout = {
      uirevision: "network",
      datarevision: model.revision,
      // Explicit size: node sizes are computed in pixels from it, so Plotly must use the very same box.
      width: px.width,
      height: px.height,
      autosize: false,
      margin: px.margin,
      paper_bgcolor: "#ffffff",
      plot_bgcolor: "#ffffff",
      font: { family: FONT, size: Math.round(13 * k), color: "#111827" },
      xaxis: { range: g.xRange, visible: false, fixedrange: true },
      yaxis: { range: g.yRange, visible: false, fixedrange: true },
      hovermode: "closest",
      hoverlabel: { bgcolor: "#ffffff", bordercolor: "#9aa3af", font: { size: Math.round(13 * k), family: FONT, color: "#111827" } },
      dragmode: false,
      showlegend: false,
      annotations,
    };
    return { data, layout, flows, scale, px };
  }

  function exposeForTests(model, figure) {
    const st = model.state;
    const d = container.dataset;
    d.nodeCount = String(geometry.pos.size);
    d.edgeCount = String(geometry.edges.length);
    d.position = String(st.p);
    d.phase = st.phase || "";
    const cn = st.current ? eventNode(st.current) : null;
    const ce = st.current ? eventEdge(st.current) : null;
    d.currentEvent = st.current ? String(st.current.id) : "";
    d.highlightNode = cn ? nodeKey(cn.l, cn.j) : "";
    d.highlightEdge = ce ? edgeKey(ce.l, ce.j, ce.i) : "";
    d.flowEdges = String(figure.flows.length);
  }

  const config = {
    displaylogo: false,
    responsive: false,
    scrollZoom: false,
    modeBarButtonsToRemove: ["zoom2d", "pan2d", "select2d", "lasso2d", "zoomIn2d", "zoomOut2d", "autoScale2d", "resetScale2d"],
    toImageButtonOptions: { format: "png", filename: "deltaflow-network", scale: 2 },
  };

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

  /** Data coordinates to overlay pixels, with the same box and ranges the layout gives Plotly. */
  function toPixel(p, px) {
    const g = geometry;
    return [px.margin.l + (p.x - g.xRange[0]) * px.pxPerX, px.margin.t + (g.yRange[1] - p.y) * px.pxPerY];
  }

  /** Sends a pulse (a glowing dot with a short tail) along each flow edge, fading in and out at the nodes. */
  function animatePulses(flows, duration, figure) {
    pulseRun += 1;
    const run = pulseRun;
    overlay.textContent = "";
    if (!flows.length || duration <= 0) return;
    const { px, scale } = figure;
    overlay.setAttribute("width", String(px.width));
    overlay.setAttribute("height", String(px.height));
    const r = Math.max(5, scale.nodeSize * 0.13);
    const dots = flows.map((f) => {
      const from = toPixel(f.from, px);
      const to = toPixel(f.to, px);
      const tail = document.createElementNS(SVG_NS, "line");
      tail.setAttribute("class", "pulse-tail");
      tail.setAttribute("stroke-width", String(r * 1.3));
      const dot = document.createElementNS(SVG_NS, "circle");
      dot.setAttribute("class", "pulse");
      dot.setAttribute("r", String(r));
      overlay.append(tail, dot);
      return { from, to, dot, tail };
    });
    const t0 = performance.now();
    const ease = (t) => (t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2);
    const at = (d, t) => [d.from[0] + (d.to[0] - d.from[0]) * t, d.from[1] + (d.to[1] - d.from[1]) * t];
    const frame = (now) => {
      if (run !== pulseRun) return;
      const t = Math.min(1, (now - t0) / duration);
      const head = ease(t);
      const back = ease(Math.max(0, t - 0.18));
      const alpha = String(Math.sin(Math.PI * t) ** 0.6);
      for (const d of dots) {
        const [x, y] = at(d, head);
        const [bx, by] = at(d, back);
        d.dot.setAttribute("cx", String(x));
        d.dot.setAttribute("cy", String(y));
        d.dot.setAttribute("opacity", alpha);
        d.tail.setAttribute("x1", String(bx));
        d.tail.setAttribute("y1", String(by));
        d.tail.setAttribute("x2", String(x));
        d.tail.setAttribute("y2", String(y));
        d.tail.setAttribute("opacity", alpha);
      }
      if (t < 1) requestAnimationFrame(frame);
      else overlay.textContent = "";
    };
    requestAnimationFrame(frame);
  }

  /**
   * Draws the model: {network, trace (prepared, or null), state (stateAt), projector, revision, animate: ms}.
   * Calls are queued, so one Plotly update never starts while another is still running.
   */
  function render(model) {
    const done = renderQueue.then(() => draw(model));
    renderQueue = done.catch(() => {});
    return done;
  }

  async function draw(model) {
    const sameShape = geometry && geometry.layers.join("-") === model.network.layers.join("-");
    if (!sameShape) geometry = buildGeometry(model.network.layers);
    const figure = buildFigure(model);
    // A mode switch redraws from scratch: react across very different layouts left stale pieces behind.
    const fresh = !plotted || lastModel.projector !== model.projector;
    if (fresh) {
      await Plotly.newPlot(plot, figure.data, figure.layout, config);
      bindEvents();
      plotted = true;
    } else {
      await Plotly.react(plot, figure.data, figure.layout, config);
    }
    exposeForTests(model, figure);
    lastModel = model;
    const stepped = lastAnimatedP != null && model.state.p === lastAnimatedP + 1;
    lastAnimatedP = model.state.p;
    animatePulses(model.animate && stepped ? figure.flows : [], model.animate, figure);
  }

  /** Redraws at the new container size (node sizes are in pixels). */
  async function resize() {
    if (!plotted || !lastModel) return;
    lastAnimatedP = null;
    await render(lastModel);
  }

  function downloadPNG() {
    // The figure's own size (node sizes are in its pixels), doubled for a sharp slide.
    const { width, height } = plot.layout;
    return Plotly.downloadImage(plot, { format: "png", width, height, scale: 2, filename: "deltaflow-network" });
  }

  return { render, resize, downloadPNG, element: plot };
}
