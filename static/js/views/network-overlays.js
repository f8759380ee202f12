// The SVG layers around the network plots: rings and highlighted edges under the plot for the current step, and
// the moving pulses over it. Takes pixel positions from the layout model; knows nothing of Plotly.

import { toPixel } from "../models/layout.js";
import { nodeKey } from "../models/trace-model.js";

const SVG_NS = "http://www.w3.org/2000/svg";

/** Sets an SVG layer's pixel size, only when it changes: rewriting it each step would make the page lay out again. */
function sizeTo(layer, px) {
  const w = String(px.width);
  const h = String(px.height);
  if (layer.getAttribute("width") !== w) layer.setAttribute("width", w);
  if (layer.getAttribute("height") !== h) layer.setAttribute("height", h);
}

export function svg(tag, attrs, parent) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (parent) parent.append(el);
  return el;
}

// People who ask their system for less motion get the highlights without the moving pulses.
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

/** Rings around the current node and its inputs, and the edges feeding this step (highlightsAt), under the plot. */
export function drawHighlights(under, g, h, { px, nodeSize, lineK }) {
  sizeTo(under, px);
  under.textContent = "";
  const r = nodeSize / 2;
  const at = (p) => toPixel(g, p, px);
  for (const f of h.flows) {
    const [x1, y1] = at(f.from);
    const [x2, y2] = at(f.to);
    svg("line", { class: "hl-flow", x1, y1, x2, y2, "stroke-width": 9 * lineK }, under);
  }
  if (h.edge) {
    const [x1, y1] = at(g.pos.get(nodeKey(h.edge.l - 1, h.edge.i)));
    const [x2, y2] = at(g.pos.get(nodeKey(h.edge.l, h.edge.j)));
    svg("line", { class: "hl-edge", x1, y1, x2, y2, "stroke-width": 8 * lineK }, under);
  }
  for (const p of h.deps) {
    const [cx, cy] = at(p);
    svg("circle", { class: "hl-dep", cx, cy, r: r + 7 * lineK, "stroke-width": 6 * lineK }, under);
  }
  if (h.node) {
    const [cx, cy] = at(h.node);
    svg("circle", { class: "hl-current", cx, cy, r: r + 4 * lineK, "stroke-width": 5 * lineK }, under);
  }
}

/**
 * The pulse layer: send(flows, duration, sizes, geometry) moves a dot with a short tail along each flow, fading in
 * and out. The dots that start together (a whole layer of a wave) share one group, and a frame sets only three CSS
 * variables per group (how far along, where the tail starts, how opaque); app.css places each dot and tail from
 * them, rather than every dot's attributes, so a wave over a large network keeps to the frame. A group not moving is
 * not displayed.
 */
export function createPulses(over) {
  let run = 0;
  return function send(flows, duration, { px, nodeSize }, g) {
    run += 1;
    const mine = run;
    over.textContent = "";
    if (!flows.length || duration <= 0 || reducedMotion.matches) return;
    sizeTo(over, px);
    const r = Math.max(4, nodeSize * (flows.length > 60 ? 0.08 : 0.13));
    const h = r * 1.3; // the tail's width: a rounded bar from where the tail starts to the dot
    const batch = document.createDocumentFragment();
    const groups = new Map();
    for (const f of flows) {
      const delay = f.delay || 0;
      if (!groups.has(delay)) groups.set(delay, { delay, el: svg("g", { class: "pulse-hop", style: "display: none; --alpha: 0; --e: 0; --b: 0" }, batch), lit: false });
      const grp = groups.get(delay);
      const [fx, fy] = toPixel(g, f.from, px);
      const [tx, ty] = toPixel(g, f.to, px);
      const deg = (Math.atan2(ty - fy, tx - fx) * 180) / Math.PI;
      svg("rect", {
        class: "pulse-tail", transform: `translate(${fx} ${fy}) rotate(${deg})`, y: -h / 2, height: h, rx: h / 2, ry: h / 2,
        style: `--len: ${Math.hypot(tx - fx, ty - fy)}; --h: ${h}`,
      }, grp.el);
      svg("circle", { class: "pulse", r, style: `--fx: ${fx}; --fy: ${fy}; --dx: ${tx - fx}; --dy: ${ty - fy}` }, grp.el);
    }
    over.append(batch);
    const hops = [...groups.values()];
    const end = Math.max(...hops.map((d) => d.delay)) + duration;
    const t0 = performance.now();
    const ease = (t) => (t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2);
    const frame = (now) => {
      if (mine !== run) return;
      const elapsed = now - t0;
      for (const hop of hops) {
        const t = Math.min(1, Math.max(0, (elapsed - hop.delay) / duration));
        const st = hop.el.style;
        // Not on its way yet, or arrived: invisible, and out of the page's style, layout and paint until it moves.
        if (t <= 0 || t >= 1) {
          if (hop.lit) st.display = "none";
          hop.lit = false;
          continue;
        }
        if (!hop.lit) st.display = "";
        hop.lit = true;
        st.setProperty("--e", String(ease(t)));
        st.setProperty("--b", String(ease(Math.max(0, t - 0.18))));
        st.setProperty("--alpha", String(Math.sin(Math.PI * t) ** 0.6));
      }
      if (elapsed < end) requestAnimationFrame(frame);
      else over.textContent = "";
    };
    requestAnimationFrame(frame);
  };
}
