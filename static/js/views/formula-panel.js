// The formula panel: the current computation typeset with KaTeX, in words, with what it reads and the steps just
// before. It only draws; the step comes from the position model, the matrix form from matrix-view.js.

import { fmt, texNum } from "../models/format.js";
import { stepWords } from "../models/spoken.js";
import { updateWords } from "../models/update-words.js";
import { createMatrixView } from "./matrix-view.js";
import { fitMathSoon, mixed, onKatex, tex, typesetSoon } from "./tex.js";

// phones have no arrow keys: the same media query as the CSS that swaps the key hints for tap hints
const touchOnly = () => typeof matchMedia === "function" && matchMedia("(hover: none), (pointer: coarse)").matches;

const PHASE_LABEL = { forward: "Forward", loss: "Loss", backward: "Backward", update: "Update" };

/** The title and the explanation (text with $math$) of an event, in the lecture's words. */
function describe(ev, L, network) {
  const activations = network.activations;
  const l = ev.l;
  const act = (k) => (activations && activations[k - 2]) || "sigmoid";
  const j = ev.j;
  const aSym = (layer, idx) => (layer === 1 ? `x_{${idx}}` : `a_{${idx}}^{${layer}}`);
  switch (ev.quantity) {
    case "a":
      if (l === 1) return ["Input", `The input layer passes the sample's value on unchanged: $a_{${j}}^{1} = x_{${j}}$.`];
      return [`Activation (${act(l)})`, `The node applies its activation function (${act(l)}) to its weighted sum $z_{${j}}^{${l}}$.`];
    case "z":
      return ["Weighted sum", `Each output $${aSym(l - 1, "i")}$ of layer ${l - 1} times its weight $w_{${j}i}^{${l}}$, summed, plus the bias $b_{${j}}^{${l}}$.`];
    case "loss":
      return ["Loss", "How far the outputs $o$ are from the targets $t$: the number that backpropagation will reduce."];
    case "grad_a":
      if (l === L) return ["Error at the output", `How the loss changes when the output $a_{${j}}^{${L}}$ changes: the backward pass starts here.`];
      return [
        `Error sent back to layer ${l}`,
        `We reuse the $\\delta$'s of layer ${l + 1}: each $\\delta_j^{${l + 1}}$ comes back along its weight $w_{j${j}}^{${l + 1}}$, and they add up.`,
      ];
    case "delta":
      return ["Error δ", `$\\delta_{${j}}^{${l}} = \\partial\\mathcal{L}/\\partial z_{${j}}^{${l}}$: the activation's slope at $z_{${j}}^{${l}}$ times $\\partial\\mathcal{L}/\\partial a_{${j}}^{${l}}$.`];
    case "grad_w":
      return ["Weight gradient", `The weight's input $${aSym(l - 1, ev.i)}$ times the error $\\delta_{${j}}^{${l}}$ at its end.`];
    case "grad_b":
      return ["Bias gradient", `A bias adds $1 \\cdot b_{${j}}^{${l}}$ to $z_{${j}}^{${l}}$, so its gradient is the node's $\\delta_{${j}}^{${l}}$.`];
    case "w":
      return ["Weight update", updateWords(network)];
    case "b":
      return ["Bias update", updateWords(network, true)];
    default:
      return [ev.quantity, ""];
  }
}

// The panel's elements by the ids of templates/formula_panel.html, which both pages include.
export function formulaPanelElements(doc = document) {
  const el = (id) => doc.getElementById(id);
  return {
    root: el("formula"),
    phase: el("formula-phase"),
    title: el("formula-title"),
    math: el("formula-math"),
    words: el("formula-words"),
    spoken: el("formula-spoken"),
    deps: el("formula-deps"),
    history: el("formula-history"),
    matrixTitle: el("matrix-title"),
    matrixMath: el("matrix-math"),
    matrixNote: el("matrix-note"),
  };
}

const chipTex = (d) => `${d.symbol} = ${texNum(d.value)}`;

function label(text) {
  const span = document.createElement("span");
  span.className = "deps-label";
  span.textContent = text;
  return span;
}

/**
 * Makes box's children the items' elements in order, items [{key, build()}]: a child made for the same key before
 * stays where it is (a step typesets only what is new, and the browser lays out only that); build() makes the rest.
 */
function keyed(box, items) {
  const had = new Map();
  for (const child of [...box.children]) {
    if (child.dataset.key === undefined || had.has(child.dataset.key)) child.remove();
    else had.set(child.dataset.key, child);
  }
  let at = box.firstElementChild;
  for (const { key, build } of items) {
    let node = had.get(key);
    if (node) {
      had.delete(key);
    } else {
      node = build();
      node.dataset.key = key;
    }
    if (node === at) at = at.nextElementSibling;
    else box.insertBefore(node, at);
  }
  for (const node of had.values()) node.remove();
}

/**
 * els: formulaPanelElements(); handlers.onSeek(p) when a step of the history is clicked; batchSource for the
 * matrix view's batch line (createMatrixView).
 */
export function createFormulaPanel(els, handlers = {}) {
  const matrix = createMatrixView(els, { batchSource: handlers.batchSource });
  const renderMatrix = (ctx) => matrix.render(ctx);
  let last = null;
  // Math drawn before KaTeX arrived is typeset on arrival; the panel is drawn once more so it is fitted at its size.
  onKatex((ok) => ok && last && render(last));

  function render(ctx) {
    last = ctx;
    const { state: st, trace, network } = ctx;
    const ev = st.current;
    els.root.dataset.eventId = ev ? String(ev.id) : "";
    els.root.dataset.phase = ev ? ev.phase : "";
    // the one live region of the panel: the step counter and the computation in words, said once per change
    const said = trace && network ? stepWords(trace, st, network.layers.length) : "";
    if (els.spoken && els.spoken.textContent !== said) els.spoken.textContent = said;
    if (!trace || !ev) {
      keyed(els.deps, []);
      keyed(els.history, []);
    }
    if (!trace) {
      els.phase.textContent = "";
      els.title.textContent = ctx.title || "No trace yet";
      els.math.textContent = "";
      els.words.textContent = ctx.message || "Load a network to step through its computations.";
      renderMatrix(ctx);
      return;
    }
    if (!ev) {
      els.phase.textContent = "Ready";
      els.phase.className = "phase-chip";
      els.title.textContent = `Sample ${ctx.sample + 1}: x = (${trace.input.map((v) => fmt(v, 2)).join(", ")})`;
      const how = touchOnly() ? "\\text{Tap next to compute }" : "\\text{Press } \\rightarrow \\text{ to compute }";
      tex(els.math, `${how} ${trace.events[0] ? trace.events[0].symbol : ""}`);
      fitMathSoon(els.math, 75);
      els.words.textContent = `${trace.events.length} elementary computations: the forward pass, the loss, the backward pass and the update.`;
      renderMatrix(ctx);
      return;
    }
    const L = network.layers.length;
    const [title, words] = describe(ev, L, network);
    els.phase.textContent = PHASE_LABEL[ev.phase] || ev.phase;
    els.phase.className = `phase-chip phase-${ev.phase}`;
    els.title.textContent = title;
    if (ev.optional) {
      // ∂L/∂x of the inputs: shown for completeness, training never needs it.
      const tag = document.createElement("span");
      tag.className = "optional-tag";
      tag.textContent = "optional";
      tag.title = "Training does not need this value: the inputs have no weights below them.";
      els.title.append(" ", tag);
    }
    tex(els.math, ev.latex);
    mixed(els.words, words);

    // The values this step reads, and the steps just before it: consecutive steps share most of them, so the
    // elements already there stay (keyed), and only what changed is added or taken away.
    const chips = [];
    if (st.deps.length) {
      chips.push({ key: "reads", build: () => label("reads") });
      for (const d of st.deps.slice(0, 24)) {
        const latex = chipTex(d);
        chips.push({ key: `d${latex}`, build: () => {
          const chip = document.createElement("span");
          chip.className = "dep-chip";
          tex(chip, latex);
          return chip;
        } });
      }
      if (st.deps.length > 24) {
        const more = `and ${st.deps.length - 24} more`;
        chips.push({ key: more, build: () => label(more) });
      }
    }
    keyed(els.deps, chips);

    const past = [];
    for (let k = st.p - 2; k >= Math.max(0, st.p - 5); k -= 1) {
      const h = trace.events[k];
      past.push({ key: `${k} ${h.latex}`, build: () => {
        const item = document.createElement("button");
        item.type = "button";
        item.className = h.optional ? "history-item optional" : "history-item";
        // named by the words it starts with and the formula it shows, so voice control can say what it sees
        const say = document.createElement("span");
        say.className = "visually-hidden";
        say.textContent = `Back to step ${k + 1}: `;
        const math = document.createElement("span");
        item.title = `Go back to step ${k + 1}`;
        item.append(say, math);
        tex(math, h.latex);
        item.addEventListener("click", () => handlers.onSeek && handlers.onSeek(k + 1));
        return item;
      } });
    }
    keyed(els.history, past);
    renderMatrix(ctx);
    // A long formula shrinks a little rather than hide its end behind a scroll bar (KaTeX cannot break inside
    // brackets). Measured after the frame's layout, and again if KaTeX's fonts arrive and change its width.
    fitMathSoon(els.math, 75);
    // the next step's formula, words and chips are typeset while the page waits for it
    const next = trace.events[st.p];
    if (next) {
      const reads = (next.depends_on || []).slice(0, 24).map((id) => trace.byId.get(id)).filter(Boolean);
      typesetSoon([next.latex, ...reads.map(chipTex)], [describe(next, L, network)[1]]);
    }
  }

  return { render };
}
