// The SVG layers around the network plots: rings and highlighted edges under the plot for the current step, and
// the moving pulses over it. Takes pixel positions from the layout model; knows nothing of Plotly.

import { toPixel } from "../models/layout.js";
import { nodeKey } from "../models/trace-model.js";

const SVG_NS = "http://www.w3.org/2000/svg";

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
  under.setAttribute("width", String(px.width));
  under.setAttribute("height", String(px.height));
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

/** The pulse layer: send(flows, duration, sizes, geometry) moves a dot with a short tail along each flow, fading in and out. */
export function createPulses(over) {
  let run = 0;
  return function send(flows, duration, { px, nodeSize }, g) {
    run += 1;
    const mine = run;
    over.textContent = "";
    if (!flows.length || duration <= 0 || reducedMotion.matches) return;
    over.setAttribute("width", String(px.width));
    over.setAttribute("height", String(px.height));
    const r = Math.max(4, nodeSize * (flows.length > 60 ? 0.08 : 0.13));
    const dots = flows.map((f) => {
      const tail = svg("line", { class: "pulse-tail", "stroke-width": r * 1.3, opacity: 0 }, over);
      const dot = svg("circle", { class: "pulse", r, opacity: 0 }, over);
      return { from: toPixel(g, f.from, px), to: toPixel(g, f.to, px), delay: f.delay || 0, dot, tail };
    });
    const end = Math.max(...dots.map((d) => d.delay)) + duration;
    const t0 = performance.now();
    const ease = (t) => (t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2);
    const at = (d, t) => [d.from[0] + (d.to[0] - d.from[0]) * t, d.from[1] + (d.to[1] - d.from[1]) * t];
    const frame = (now) => {
      if (mine !== run) return;
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
  };
}
