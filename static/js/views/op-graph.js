// The operation graph beside the formula: one node of the figure expanded into its operations (products w·a, the
// bias, the sum, the activation and, on the output, the loss), or a whole layer one node after another. Each
// operation shows its forward value and, from the backward phase on, its gradient by the chain rule. It draws what
// the controller hands it (models/op-graph.js reads the graph); it never fetches.

import { backwardTex, expansion, forwardTex, layerExpansion, revealed, ruleWords } from "../models/op-graph.js";
import { tex } from "./tex.js";

const KIND = {
  input: "input", weight: "weight", bias: "bias", mul: "product", sum: "sum", activation: "activation",
  target: "target", loss: "loss",
};
const MAX_PRODUCTS = 6; // a wide layer shows its first products, the one in focus and its last
const MAX_NODES = 8; // the whole-layer view shows at most this many nodes of a wide layer

export function opGraphElements(doc = document) {
  const el = (id) => doc.getElementById(id);
  return {
    card: el("op-graph-card"), node: el("op-scope-node"), layer: el("op-scope-layer"), prev: el("op-layer-prev"),
    next: el("op-layer-next"), layerLabel: el("op-layer-label"), nav: el("op-layer-nav"), title: el("op-graph-title"),
    rule: el("op-graph-rule"), list: el("op-graph-list"),
  };
}

/** Scrolls the nearest scrolling box around el (the list, or the formula panel on a projector) so el is in view;
 * never the page itself, so the figure stays where it is. */
function reveal(el) {
  for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
    const o = getComputedStyle(box).overflowY;
    if ((o !== "auto" && o !== "scroll") || box.scrollHeight <= box.clientHeight) continue;
    const r = el.getBoundingClientRect();
    const b = box.getBoundingClientRect();
    if (r.top < b.top || r.bottom > b.bottom) box.scrollTop += r.top - b.top - Math.max(0, (b.height - r.height) / 3);
    return;
  }
}

/** handlers: {onScope("node" | "layer"), onLayer(step)}: the scope buttons and the layer arrows. */
export function createOpGraphView(els, { onScope, onLayer }) {
  els.node.addEventListener("click", () => onScope("node"));
  els.layer.addEventListener("click", () => onScope("layer"));
  els.prev.addEventListener("click", () => onLayer(-1));
  els.next.addEventListener("click", () => onLayer(1));
  const narrow = () => window.matchMedia("(max-width: 600px)").matches;

  function trimmed(ops, focusOp) {
    const products = ops.filter((n) => n.op === "mul");
    if (products.length <= MAX_PRODUCTS) return ops;
    const keep = new Set(products.slice(0, MAX_PRODUCTS - 1).map((n) => n.i));
    keep.add(products[products.length - 1].i);
    if (focusOp && focusOp.i != null) keep.add(focusOp.i);
    const out = [];
    let skipped = 0;
    for (const n of ops) {
      if ((n.op === "mul" || n.op === "weight") && !keep.has(n.i)) {
        if (n.op === "mul") skipped += 1;
        continue;
      }
      if (skipped) out.push({ gap: skipped });
      skipped = 0;
      out.push(n);
    }
    return out;
  }

  function row(g, n, focusId, backward, st) {
    if (n.gap) {
      const gap = document.createElement("p");
      gap.className = "op-gap hint";
      gap.textContent = `⋯ ${n.gap} more products`;
      return gap;
    }
    const box = document.createElement("div");
    box.className = `op-row op-${n.op}${n.id === focusId ? " current" : ""}`;
    box.dataset.opId = String(n.id);
    const kind = document.createElement("span");
    kind.className = "op-kind";
    kind.textContent = KIND[n.op];
    const fwd = document.createElement("div");
    fwd.className = "op-math";
    // a number the walk-through has not reached yet is a question mark: Predict and the class keep their answer
    const known = revealed(n, st);
    tex(fwd, known.value ? forwardTex(g, n) : `${n.label} = \\,?`);
    box.append(kind, fwd);
    if (backward) {
      const bwd = document.createElement("div");
      bwd.className = "op-math op-grad";
      tex(bwd, known.grad ? backwardTex(g, n) : `\\frac{\\partial \\mathcal{L}}{\\partial ${n.label}} = \\,?`);
      box.append(bwd);
    }
    return box;
  }

  return {
    /**
     * view: {g (indexGraph), sizes (layer sizes), focus ({l, j, op} from focusOf, or null), backward (show the
     * gradients), scope ("node" | "layer"), layer (the layer the whole-layer view shows), st (the walk-through's
     * state: only what it has computed is shown)}.
     */
    show({ g, sizes, focus, backward, scope, layer, st }) {
      const whole = scope === "layer" && !narrow();
      els.node.setAttribute("aria-pressed", String(!whole));
      els.layer.setAttribute("aria-pressed", String(whole));
      els.nav.hidden = !whole;
      const focusOp = focus ? focus.op : null;
      let groups;
      if (whole) {
        els.layerLabel.textContent = `layer ${layer} of ${sizes.length}`;
        els.prev.disabled = layer <= 1;
        els.next.disabled = layer >= sizes.length;
        groups = layer === 1 ? sizes.slice(0, 1).flatMap((n) => Array.from({ length: n }, (_, k) => ({ l: 1, j: k + 1, ops: expansion(g, 1, k + 1) })))
          : layerExpansion(g, layer, sizes);
        if (layer === sizes.length) groups.push({ l: null, j: null, ops: [g.loss] });
        els.title.textContent = `Layer ${layer}: every node as its operations`;
      } else {
        const l = focus ? focus.l : 2;
        const j = focus ? focus.j : 1;
        groups = [{ l, j, ops: expansion(g, l, j) }];
        els.title.textContent = l == null ? "The loss as an operation" : l === 1 ? `Input x${j}` : `Node ${j} of layer ${l} as operations`;
      }
      els.rule.textContent = focusOp
        ? (backward ? ruleWords(g, focusOp) : "Forward: each operation computes its value from the ones above it.")
        : "Step through the walk-through: the operation of each step is highlighted here.";
      const parts = [];
      for (const group of groups.slice(0, MAX_NODES)) {
        const wrap = document.createElement("div");
        wrap.className = "op-node";
        for (const n of trimmed(group.ops, focusOp)) wrap.append(row(g, n, focusOp ? focusOp.id : null, backward, st));
        parts.push(wrap);
      }
      if (groups.length > MAX_NODES) {
        const more = document.createElement("p");
        more.className = "hint";
        more.textContent = `and ${groups.length - MAX_NODES} more nodes of this layer`;
        parts.push(more);
      }
      els.list.replaceChildren(...parts);
      els.card.dataset.ops = String(els.list.querySelectorAll(".op-row").length);
      const current = els.list.querySelector(".op-row.current");
      if (current) reveal(current);
    },
    say(text) {
      els.rule.textContent = text;
      els.list.replaceChildren();
    },
    open(on) {
      els.card.hidden = !on;
    },
  };
}
