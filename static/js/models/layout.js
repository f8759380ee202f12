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

/** True when the segment {x1, y1, x2, y2} (pixels) passes through the box {l, r, t, b} (Liang–Barsky clipping). */
export function crosses(box, seg) {
  const dx = seg.x2 - seg.x1;
  const dy = seg.y2 - seg.y1;
  let lo = 0;
  let hi = 1;
  for (const [p, q] of [[-dx, seg.x1 - box.l], [dx, box.r - seg.x1], [-dy, seg.y1 - box.t], [dy, box.b - seg.y1]]) {
    if (p === 0) {
      if (q < 0) return false;
    } else if (p < 0) {
      lo = Math.max(lo, q / p);
    } else {
      hi = Math.min(hi, q / p);
    }
    if (lo > hi) return false;
  }
  return true;
}

/** Every edge (and the outputs' links to the loss) as a pixel segment with its layer (the loss links: L + 1). */
export function edgeSegments(g, px) {
  const seg = (a, b, layer) => {
    const [x1, y1] = toPixel(g, a, px);
    const [x2, y2] = toPixel(g, b, px);
    return { x1, y1, x2, y2, layer };
  };
  const links = g.nodes.filter((nd) => nd.l === g.L).map((nd) => seg(nd, g.lossPos, g.L + 1));
  return [...g.edges.map((e) => seg(e.a, e.b, e.l)), ...links];
}

/**
 * How much box p covers q (pixels²; 0 when apart). q may be a node's circle ({l, r, t, b, round: true}, its
 * bounding box): then only the circle counts, so a label may sit in the corners its box leaves free.
 */
export function overlap(p, q) {
  const area = Math.max(0, Math.min(p.r, q.r) - Math.max(p.l, q.l)) * Math.max(0, Math.min(p.b, q.b) - Math.max(p.t, q.t));
  if (!area || !q.round) return area;
  const cx = (q.l + q.r) / 2;
  const cy = (q.t + q.b) / 2;
  const radius = (q.r - q.l) / 2;
  const dx = Math.max(p.l - cx, 0, cx - p.r);
  const dy = Math.max(p.t - cy, 0, cy - p.b);
  return Math.hypot(dx, dy) < radius ? area : 0;
}
// Where along its edge a label may sit, best first: the usual spot, then outwards in small steps towards either end
// (two crossing edges' labels must part around the crossing in the little room between two layers).
const LABEL_T = [HANDLE_T];
for (let d = 0.04; d < 0.3; d += 0.04) LABEL_T.push(HANDLE_T - d, HANDLE_T + d);
LABEL_T.push(0.72, 0.76, 0.8);

/** The pixel point where two segments cross strictly inside both, or null. */
function crossing(p, q) {
  const den = (p.x2 - p.x1) * (q.y2 - q.y1) - (p.y2 - p.y1) * (q.x2 - q.x1);
  if (Math.abs(den) < 1e-9) return null;
  const s = ((q.x1 - p.x1) * (q.y2 - q.y1) - (q.y1 - p.y1) * (q.x2 - q.x1)) / den;
  const u = ((q.x1 - p.x1) * (p.y2 - p.y1) - (q.y1 - p.y1) * (p.x2 - p.x1)) / den;
  return s > 0.01 && s < 0.99 && u > 0.01 && u < 0.99 ? { x: p.x1 + s * (p.x2 - p.x1), y: p.y1 + s * (p.y2 - p.y1) } : null;
}

function placeInOrder(g, px, items, order, blocked, segments) {
  const placed = [...blocked];
  const pixel = (e) => {
    const [x1, y1] = toPixel(g, e.a, px);
    const [x2, y2] = toPixel(g, e.b, px);
    return { x1, y1, x2, y2 };
  };
  const out = new Array(items.length);
  for (const n of order) {
    const { edge, w, h } = items[n];
    const others = segments.filter((sg) => sg.layer !== edge.l);
    const mine = pixel(edge);
    // where this edge crosses others of its layer: a label over a crossing hides which edge it belongs to
    const cuts = items.filter((it) => it.edge !== edge && it.edge.l === edge.l).map((it) => crossing(mine, pixel(it.edge))).filter(Boolean);
    let best = null;
    for (const t of LABEL_T) {
      const at = { x: edge.a.x + t * (edge.b.x - edge.a.x), y: edge.a.y + t * (edge.b.y - edge.a.y) };
      const [cx, cy] = toPixel(g, at, px);
      const box = { l: cx - w / 2, r: cx + w / 2, t: cy - h / 2, b: cy + h / 2 };
      const onCut = cuts.some((c) => c.x > box.l && c.x < box.r && c.y > box.t && c.y < box.b);
      const hit = placed.reduce((sum, o) => sum + overlap(box, o), 0) + (others.some((sg) => crosses(box, sg)) ? 1 : 0) + (onCut ? 0.5 : 0);
      if (!best || hit < best.hit) best = { ...at, box, hit };
      if (hit === 0) break;
    }
    // A label with no clear spot is left out (the edge keeps its colour and its hover): never one on another.
    if (best.hit < 1) placed.push(best.box);
    out[n] = { x: best.x, y: best.y, clear: best.hit < 1, box: best.box };
  }
  return out;
}

/**
 * Places edge labels along their edges so that no two boxes overlap where it can be helped: each label takes the
 * first spot of LABEL_T clear of the boxes already placed, of `blocked` ({l, r, t, b} in pixels: nodes and
 * their value labels), of the `segments` (edgeSegments) of other layers, where it would read as their weight, and
 * if it can of its own layer's crossings; clear is false when no spot is free. items: [{edge, w, h}], the most
 * important first; when some find no spot, those are placed first once more and the better outcome is kept.
 * Returns [{x, y, clear}] (data units) and pushes each clear label's box onto `blocked`.
 */
export function placeEdgeLabels(g, px, items, blocked = [], segments = []) {
  const order = items.map((_, n) => n);
  let spots = placeInOrder(g, px, items, order, blocked, segments);
  const left = order.filter((n) => !spots[n].clear);
  if (left.length) {
    const again = placeInOrder(g, px, items, [...left, ...order.filter((n) => spots[n].clear)], blocked, segments);
    if (again.filter((s) => s.clear).length > spots.filter((s) => s.clear).length) spots = again;
  }
  for (const s of spots) if (s.clear) blocked.push(s.box);
  return spots.map(({ x, y, clear }) => ({ x, y, clear }));
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
