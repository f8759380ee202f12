// The network figure's geometry: where each node, edge, handle and the loss node sit in data coordinates, how they
// map to pixels, and which edges a step or a whole phase sends a signal along. Pure numbers; no DOM, no Plotly.

import { edgeKey, eventEdge, eventNode, nodeKey } from "./trace-model.js";

const HANDLE_T = 0.42; // along each edge from its source: clear of the node labels, apart where edges cross
const MAX_HANDLES = 300; // above this many edges, only the current layer's edges take hover and clicks

/** Node and edge positions for layer sizes [n1, ..., nL]: layer l at x = l-1, its nodes centred on y = 0. */
export function buildGeometry(layers) {
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

/** The pixel box for a width x height area at type scale k: margins and pixels per data unit on each axis. */
export function pixelScale(g, width, height, k = 1) {
  const w = Math.max(320, width);
  const h = Math.max(200, height);
  const margin = { l: 12, r: 12, t: Math.round(38 * k) + 6, b: 10 };
  return {
    margin,
    width: w,
    height: h,
    pxPerX: (w - margin.l - margin.r) / (g.xRange[1] - g.xRange[0]),
    pxPerY: (h - margin.t - margin.b) / (g.yRange[1] - g.yRange[0]),
  };
}

/** A text label's box in pixels, estimated from its longest line: {w, h} at font size `font` with `pad` around. */
export function labelBox(text, font, pad = 4) {
  const lines = String(text).split("<br>");
  const longest = Math.max(...lines.map((s) => s.replace(/<[^>]+>/g, "").length));
  return { w: 0.62 * font * longest + 2 * pad, h: 1.25 * font * lines.length + 2 * pad };
}

const overlap = (p, q) => Math.max(0, Math.min(p.r, q.r) - Math.max(p.l, q.l)) * Math.max(0, Math.min(p.b, q.b) - Math.max(p.t, q.t));
// Where along its edge a label may sit, best first: the usual spot, then nearer either end.
const LABEL_T = [HANDLE_T, 0.3, 0.55, 0.22, 0.64, 0.16, 0.72];

/**
 * Places edge labels along their edges so that no two boxes overlap where it can be helped: each label takes the
 * first spot of LABEL_T clear of the boxes already placed and of `blocked` ({l, r, t, b} in pixels: nodes and
 * their value labels); clear is false when no spot is free. items: [{edge, w, h}], the most important first;
 * returns [{x, y, clear}] (data units).
 */
export function placeEdgeLabels(g, px, items, blocked = []) {
  const placed = [...blocked];
  return items.map(({ edge, w, h }) => {
    let best = null;
    for (const t of LABEL_T) {
      const at = { x: edge.a.x + t * (edge.b.x - edge.a.x), y: edge.a.y + t * (edge.b.y - edge.a.y) };
      const [cx, cy] = toPixel(g, at, px);
      const box = { l: cx - w / 2, r: cx + w / 2, t: cy - h / 2, b: cy + h / 2 };
      const hit = placed.reduce((sum, o) => sum + overlap(box, o), 0);
      if (!best || hit < best.hit) best = { ...at, box, hit };
      if (hit === 0) break;
    }
    // A label with no clear spot is left out (the edge keeps its colour and its hover): never one on another.
    if (best.hit === 0) placed.push(best.box);
    return { x: best.x, y: best.y, clear: best.hit === 0 };
  });
}

/** Data coordinates to pixels, with the same box and ranges the layout gives Plotly. */
export function toPixel(g, p, px) {
  return [px.margin.l + (p.x - g.xRange[0]) * px.pxPerX, px.margin.t + (g.yRange[1] - p.y) * px.pxPerY];
}

/**
 * Sizes that follow the box: node diameter, value font, line scale; projector mode grows with the screen. least:
 * the smallest type when the figure shares a projected screen at its classroom sizes (the lesson: 16 px).
 */
export function figureSizes(g, width, height, projector, least = null) {
  // Projector type and lines grow with the screen, so a 4K projector gets the same proportions as 1024x768.
  const k = projector ? Math.max(1.3, Math.min(3, width / 700)) : 1;
  // The column titles' room follows their type, which is at least 24 px on a projector.
  const px = pixelScale(g, width, height, projector ? Math.max(k, 24 / 14) : k);
  // Big layers (up to the server's max_nodes) shrink to dots down to 3 px, so a layer stays inside its box.
  const nodeSize = Math.max(3, Math.min(px.pxPerY * 0.6, px.pxPerX * 0.4, 86 * k));
  // Values are what a class reads aloud: in projector mode they may grow a little past the node's width.
  // The smallest type on the figure: a class at the back of the room reads 24 px on a 720p projector.
  const minFont = projector ? 24 : least ?? 11;
  const valueFont = Math.round(Math.max(minFont, Math.min(20 * k, nodeSize * (projector ? 0.3 : 0.26))));
  return {
    k,
    minFont,
    px,
    nodeSize,
    valueFont,
    showValues: nodeSize >= 30 && g.nodes.length <= 64,
    lineK: projector ? 1.25 * k : 1,
    dense: g.edges.length > 200,
  };
}

/** Edges that carry the current computation ev, with the direction the signal travels. */
export function flowEdges(g, ev) {
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

/** Flows for a whole phase as a wave, hop (ms) by hop: forward from the inputs, backward from the loss. */
export function waveFlows(g, direction, hop) {
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

/** What to ring at a step st (a stateAt result): the flows, the current edge, the current node and the inputs it reads. */
export function highlightsAt(g, st) {
  const cur = st.current;
  const curNode = cur ? eventNode(cur) : null;
  return {
    flows: flowEdges(g, cur),
    edge: cur ? eventEdge(cur) : null,
    node: curNode ? g.pos.get(nodeKey(curNode.l, curNode.j)) : cur && cur.quantity === "loss" ? g.lossPos : null,
    deps: st.deps.flatMap((d) => {
      if (d.quantity === "loss") return [g.lossPos];
      const n = eventNode(d);
      return n && g.pos.has(nodeKey(n.l, n.j)) ? [g.pos.get(nodeKey(n.l, n.j))] : [];
    }),
  };
}

/** The edges that take hover and clicks: all of them, or on a dense network the current layer's only. */
export function handleEdges(g, ev) {
  if (g.edges.length <= MAX_HANDLES) return g.edges;
  const layer = !ev ? 2 : ev.quantity === "grad_a" ? Math.min(g.L, ev.l + 1) : Math.max(2, ev.l);
  return g.edges.filter((e) => e.l === layer);
}

/** Line x/y arrays for segments [[a, b], ...], separated by nulls (one Plotly trace for many lines). */
export function lineXY(segments) {
  const x = [];
  const y = [];
  for (const [a, b] of segments) {
    x.push(a.x, b.x, null);
    y.push(a.y, b.y, null);
  }
  return { x, y };
}
