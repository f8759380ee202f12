// The edge layer: the edge plot's line traces (network-traces.js) drawn as SVG paths the way Plotly draws them, one
// path per colour class, so a step rewrites only the paths whose edges changed class where Plotly redraws them all.

import { toPixel } from "../models/layout.js";
import { svg } from "./network-overlays.js";

// Plotly's dash patterns for a line of width w (its Drawing.dashStyle): never shorter than 3 px.
function dashArray(dash, w) {
  const d = Math.max(w, 3);
  if (dash === "dot") return `${d}px, ${d}px`;
  if (dash === "dash") return `${3 * d}px, ${3 * d}px`;
  return "";
}

/** A path's d for x/y arrays of segments separated by nulls, in pixels rounded as Plotly rounds them. */
function pathOf(g, px, xs, ys) {
  const parts = [];
  const at = (n) => toPixel(g, { x: xs[n], y: ys[n] }, px).map((v) => Math.round(v * 100) / 100);
  for (let n = 0; n + 1 < xs.length; n += 3) {
    const [x1, y1] = at(n);
    const [x2, y2] = at(n + 1);
    parts.push(`M${x1},${y1}L${x2},${y2}`);
  }
  return parts.join("");
}

/** The edge layer in an <svg> element: draw(traces, sizes, geometry) brings its paths up to the traces. */
export function createEdgeLayer(layer) {
  let groups = [];
  let box = "";

  function draw(traces, { px }, g) {
    const size = `${px.width}x${px.height}`;
    if (size !== box || groups.length !== traces.length) {
      layer.textContent = "";
      layer.setAttribute("width", String(px.width));
      layer.setAttribute("height", String(px.height));
      groups = traces.map((t) => {
        const grp = svg("g", { class: "edge-class", "data-name": t.name }, layer);
        return { grp, path: svg("path", { class: "edge-line" }, grp), d: null, style: null };
      });
      box = size;
    }
    traces.forEach((t, n) => {
      const slot = groups[n];
      const d = pathOf(g, px, t.x, t.y);
      const { color, width, dash } = t.line;
      const style = [color, width, dash, t.opacity ?? 1].join("|");
      if (d !== slot.d) {
        slot.path.setAttribute("d", d);
        slot.d = d;
      }
      if (style !== slot.style) {
        slot.grp.style.opacity = String(t.opacity ?? 1);
        const s = slot.path.style;
        s.stroke = color;
        s.strokeWidth = `${width}px`;
        s.strokeDasharray = dashArray(dash, width);
        slot.style = style;
      }
    });
  }

  return { draw };
}
