// The figure's parts for the keyboard and for screen readers: the ring around a node, bias, weight or the loss node
// chosen by keyboard (shown while the figure has focus), and the sentence saying what the current step has lit.

import { toPixel } from "../models/layout.js";
import { litWords } from "../models/spoken.js";
import { nodeKey } from "../models/trace-model.js";
import { svg } from "./network-overlays.js";

/** Adds the choice layer to the figure's stack and the description of what is lit to its container. */
export function createChoiceLayer(container, stack) {
  const layer = svg("svg", { class: "network-choice", "aria-hidden": "true" });
  stack.append(layer);
  const lit = document.createElement("p");
  lit.id = `${container.id}-lit`;
  lit.className = "visually-hidden";
  container.append(lit);
  const described = (container.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  if (!described.includes(lit.id)) container.setAttribute("aria-describedby", [...described, lit.id].join(" "));
  let chosen = null;
  let at = null; // {geometry, sizes} of the last drawing

  /** The chosen item's centre in the layer's pixels (a weight: its click handle), or null. */
  function centre(item) {
    if (!at || !item) return null;
    const { geometry: g, sizes } = at;
    if (item.kind === "loss") return toPixel(g, g.lossPos, sizes.px);
    if (item.kind === "weight") {
      const e = g.edges.find((x) => x.l === item.l && x.j === item.j && x.i === item.i);
      return e ? toPixel(g, { x: e.hx, y: e.hy }, sizes.px) : null;
    }
    const p = g.pos.get(nodeKey(item.l, item.j));
    return p ? toPixel(g, p, sizes.px) : null;
  }

  function draw() {
    layer.textContent = "";
    const c = centre(chosen);
    if (!c) return;
    const { geometry: g, sizes } = at;
    layer.setAttribute("width", String(sizes.px.width));
    layer.setAttribute("height", String(sizes.px.height));
    const r = sizes.nodeSize / 2 + 6;
    if (chosen.kind === "weight") {
      const e = g.edges.find((x) => x.l === chosen.l && x.j === chosen.j && x.i === chosen.i);
      const [x1, y1] = toPixel(g, e.a, sizes.px);
      const [x2, y2] = toPixel(g, e.b, sizes.px);
      svg("line", { class: "choice-edge", x1, y1, x2, y2 }, layer);
      svg("circle", { class: "choice-ring", cx: c[0], cy: c[1], r: 10 }, layer);
      return;
    }
    svg("circle", { class: `choice-ring${chosen.kind === "bias" ? " bias" : ""}`, cx: c[0], cy: c[1], r }, layer);
  }

  return {
    /** After each drawing: where things are now, and what the step has lit. */
    drawn(geometry, sizes, st) {
      at = { geometry, sizes };
      if (lit.textContent !== litWords(st)) lit.textContent = litWords(st);
      draw();
    },
    choose(item) {
      chosen = item;
      draw();
    },
    /** The chosen item's centre in the window's coordinates, where a popup for it opens. */
    clientPoint(item) {
      const c = centre(item);
      if (!c) return {};
      const box = layer.getBoundingClientRect();
      return { clientX: box.left + c[0], clientY: box.top + c[1] };
    },
  };
}
