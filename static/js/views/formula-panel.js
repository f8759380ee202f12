// The formula panel (the current computation typeset with KaTeX, in words, with what it reads) and the matrix view
// (the current layer in the lecture's matrix form with numbers). It only draws; the step comes from main.js.

import { eventNode, fmt, nodeKey, edgeKey } from "./trace-model.js";

const MAX_MATRIX = 8; // larger layers make matrices unreadable on a projector

const planFor = (net) => String.raw`\begin{aligned}
\text{forward: } & z^{l} = W^{l} a^{l-1} + b^{l},\quad a^{l} = f(z^{l}) \\
\text{loss: } & ${net.loss === "mse" ? String.raw`\mathcal{L} = \tfrac{1}{2}\textstyle\sum_k (o_k - t_k)^2` : (net.activations.at(-1) === "softmax" ? String.raw`\mathcal{L} = -\textstyle\sum_k t_k \ln o_k` : String.raw`\mathcal{L} = -\textstyle\sum_k \left[t_k \ln o_k + (1 - t_k) \ln (1 - o_k)\right]`)} \\
\text{backward: } & \delta^{l} = f'(z^{l}) \odot \frac{\partial \mathcal{L}}{\partial a^{l}},\quad \frac{\partial \mathcal{L}}{\partial a^{l-1}} = (W^{l})^{\top} \delta^{l} \\
\text{gradients: } & \frac{\partial \mathcal{L}}{\partial w_{ji}^{l}} = a_i^{l-1} \delta_j^{l},\quad \frac{\partial \mathcal{L}}{\partial b_j^{l}} = \delta_j^{l} \\
\text{update: } & w \leftarrow w - \eta\, \frac{\partial \mathcal{L}}{\partial w}
\end{aligned}`;

const PHASE_LABEL = { forward: "Forward", loss: "Loss", backward: "Backward", update: "Update" };

/** Renders LaTeX into an element; KaTeX writes its own escaped markup, so this is the one innerHTML path. */
export function tex(el, latex, display = false) {
  if (!window.katex) {
    el.textContent = latex;
    return;
  }
  window.katex.render(latex, el, { throwOnError: false, displayMode: display, output: "htmlAndMathml", strict: "ignore" });
}

/** A number for LaTeX: fixed decimals, or a power of ten for tiny and huge values. */
export function texNum(v, digits = 3) {
  if (v == null || Number.isNaN(v)) return "\\cdot";
  if (!Number.isFinite(v)) return v > 0 ? "\\infty" : "-\\infty";
  const a = Math.abs(v);
  if (a !== 0 && (a < 10 ** -digits || a >= 1e5)) {
    const [m, e] = v.toExponential(2).split("e");
    return `${m}\\times 10^{${Number(e)}}`;
  }
  return v.toFixed(digits);
}

/** Writes text in which $...$ parts are LaTeX: words stay text nodes, math goes through KaTeX. */
export function mixed(el, text) {
  el.textContent = "";
  text.split(/(\$[^$]+\$)/).forEach((part) => {
    if (!part) return;
    if (part.startsWith("$") && part.endsWith("$")) {
      const span = document.createElement("span");
      tex(span, part.slice(1, -1));
      el.append(span);
    } else {
      el.append(document.createTextNode(part));
    }
  });
}

/** The title and the explanation (text with $math$) of an event, in the lecture's words. */
function describe(ev, L, activations) {
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
      return ["Weight update", "Gradient descent: the weight moves against its gradient, scaled by the learning rate $\\eta$."];
    case "b":
      return ["Bias update", "Gradient descent on the bias, with the same learning rate $\\eta$."];
    default:
      return [ev.quantity, ""];
  }
}

/** Shrinks typeset math until it fits its box (down to 55 %), so wide matrices need no scrolling. */
function fitWidth(el) {
  el.style.fontSize = "";
  const room = el.clientWidth;
  const need = el.scrollWidth;
  if (room > 0 && need > room) el.style.fontSize = `${Math.max(55, Math.floor((100 * room) / need) - 2)}%`;
}

function bmatrix(rows) {
  return `\\begin{bmatrix}${rows.map((r) => r.join(" & ")).join(" \\\\ ")}\\end{bmatrix}`;
}

const column = (values) => bmatrix(values.map((v) => [v]));

/** Marks the entry being computed. */
const mark = (s, on) => (on ? `\\colorbox{#fde2a7}{$${s}$}` : s);

// The panel's elements by the ids of templates/formula_panel.html, which both pages include.
export function formulaPanelElements(doc = document) {
  const el = (id) => doc.getElementById(id);
  return {
    root: el("formula"),
    phase: el("formula-phase"),
    title: el("formula-title"),
    math: el("formula-math"),
    words: el("formula-words"),
    deps: el("formula-deps"),
    history: el("formula-history"),
    matrixTitle: el("matrix-title"),
    matrixMath: el("matrix-math"),
    matrixNote: el("matrix-note"),
  };
}

export function createFormulaPanel(els, handlers = {}) {
  function renderMatrix(ctx) {
    const { state: st, network: net, trace } = ctx;
    const ev = st.current;
    els.matrixMath.textContent = "";
    els.matrixNote.textContent = "";
    if (!ev || !net) {
      // Before the first step: the whole algorithm at a glance, in the lecture's notation.
      els.matrixTitle.textContent = net ? "The plan, layer by layer" : "";
      if (net) tex(els.matrixMath, planFor(net), true);
      els.matrixNote.textContent = net ? "Each → computes one of these for one node or one weight, with the numbers." : "";
      return;
    }
    const layers = net.layers;
    const L = layers.length;
    const A = (l, j) => (st.nodes.get(nodeKey(l, j)) || {}).a;
    const Z = (l, j) => (st.nodes.get(nodeKey(l, j)) || {}).z;
    const D = (l, j) => (st.nodes.get(nodeKey(l, j)) || {}).delta;
    const GA = (l, j) => (st.nodes.get(nodeKey(l, j)) || {}).grad_a;
    const W = (l, j, i) => net.weights[l - 2][j - 1][i - 1];
    const B = (l, j) => net.biases[l - 2][j - 1];
    const E = (l, j, i) => st.edges.get(edgeKey(l, j, i)) || {};
    const range = (n) => Array.from({ length: n }, (_, k) => k + 1);
    const node = eventNode(ev);
    const tooBig = (l) => layers[l - 1] > MAX_MATRIX || (l >= 2 && layers[l - 2] > MAX_MATRIX);
    const n2 = (v) => texNum(v, 2);

    let title = "";
    let latex = "";
    if (ev.phase === "forward" && ev.l >= 2) {
      const l = ev.l;
      title = `Layer ${l}: $z^{${l}} = W^{${l}} a^{${l - 1}} + b^{${l}}$`;
      if (!tooBig(l)) {
        const rows = range(layers[l - 1]);
        const cols = range(layers[l - 2]);
        const zVec = column(rows.map((j) => mark(n2(Z(l, j)), node && node.j === j && ev.quantity === "z")));
        const wMat = bmatrix(rows.map((j) => cols.map((i) => n2(W(l, j, i)))));
        const aVec = column(cols.map((i) => n2(A(l - 1, i))));
        const bVec = column(rows.map((j) => n2(B(l, j))));
        latex = `\\underbrace{${zVec}}_{z^{${l}}} = \\underbrace{${wMat}}_{W^{${l}}}\\underbrace{${aVec}}_{a^{${l - 1}}} + \\underbrace{${bVec}}_{b^{${l}}}`;
        if (ev.quantity === "a") {
          const act = net.activations[l - 2];
          title = `Layer ${l}: $a^{${l}} = f(z^{${l}})$, applied node by node`;
          const aOut = column(rows.map((j) => mark(n2(A(l, j)), node && node.j === j)));
          latex = `\\underbrace{${aOut}}_{a^{${l}}} = \\mathrm{${act.replace("_", "\\_")}}\\left(${column(rows.map((j) => n2(Z(l, j))))}\\right)`;
        }
      }
    } else if (ev.phase === "forward") {
      title = "Layer 1: the input, $a^{1} = x$";
      latex = `a^{1} = x = ${column(range(layers[0]).map((i) => n2(A(1, i))))}`;
    } else if (ev.phase === "loss") {
      title = "The loss over the outputs";
      const rows = range(layers[L - 1]);
      const t = trace.target || [];
      latex = `o = a^{${L}} = ${column(rows.map((j) => n2(A(L, j))))},\\quad t = ${column(rows.map((j) => n2(t[j - 1])))},\\quad \\mathcal{L} = ${texNum(st.loss, 4)}`;
    } else if (ev.phase === "backward" && ev.quantity === "grad_a" && ev.l < L) {
      const m = ev.l;
      title = `Back to layer ${m}: $\\partial\\mathcal{L}/\\partial a^{${m}} = (W^{${m + 1}})^{\\top} \\delta^{${m + 1}}$`;
      if (!tooBig(m + 1)) {
        const rows = range(layers[m - 1]);
        const cols = range(layers[m]);
        const g = column(rows.map((i) => mark(n2(GA(m, i)), node && node.j === i)));
        const wt = bmatrix(rows.map((i) => cols.map((j) => n2(W(m + 1, j, i)))));
        const d = column(cols.map((j) => n2(D(m + 1, j))));
        latex = `\\underbrace{${g}}_{\\partial\\mathcal{L}/\\partial a^{${m}}} = \\underbrace{${wt}}_{(W^{${m + 1}})^{\\top}}\\underbrace{${d}}_{\\delta^{${m + 1}}}`;
      }
    } else if (ev.phase === "backward") {
      const l = ev.l;
      if (l < 2) {
        title = "Layer 1 has no weights";
      } else {
        title = `Layer ${l}: $\\partial\\mathcal{L}/\\partial W^{${l}} = \\delta^{${l}} (a^{${l - 1}})^{\\top}$`;
        if (!tooBig(l)) {
          const rows = range(layers[l - 1]);
          const cols = range(layers[l - 2]);
          const gw = bmatrix(rows.map((j) => cols.map((i) => mark(n2(E(l, j, i).grad_w), ev.quantity === "grad_w" && ev.j === j && ev.i === i))));
          const d = column(rows.map((j) => mark(n2(D(l, j)), ev.quantity === "delta" && node && node.j === j)));
          const aRow = bmatrix([cols.map((i) => n2(A(l - 1, i)))]);
          latex = `\\underbrace{${gw}}_{\\partial\\mathcal{L}/\\partial W^{${l}}} = \\underbrace{${d}}_{\\delta^{${l}}}\\underbrace{${aRow}}_{(a^{${l - 1}})^{\\top}}`;
        }
      }
    } else if (ev.phase === "update") {
      const l = ev.l;
      title = `Layer ${l}: $W^{${l}} \\leftarrow W^{${l}} - \\eta\\, \\partial\\mathcal{L}/\\partial W^{${l}}$ with $\\eta = ${net.learning_rate}$`;
      if (!tooBig(l)) {
        const rows = range(layers[l - 1]);
        const cols = range(layers[l - 2]);
        const wNew = bmatrix(rows.map((j) => cols.map((i) => mark(n2(E(l, j, i).w), ev.quantity === "w" && ev.j === j && ev.i === i))));
        const wOld = bmatrix(rows.map((j) => cols.map((i) => n2(W(l, j, i)))));
        const gw = bmatrix(rows.map((j) => cols.map((i) => n2(E(l, j, i).grad_w))));
        latex = `${wNew} = ${wOld} - ${net.learning_rate}\\,${gw}`;
      }
    }
    mixed(els.matrixTitle, title);
    if (latex) {
      tex(els.matrixMath, latex, true);
      fitWidth(els.matrixMath);
    } else if (title) {
      els.matrixNote.textContent = "This layer has more than 8 nodes: the matrix form is shown for layers of up to 8 nodes.";
    }
  }

  function render(ctx) {
    const { state: st, trace, network } = ctx;
    const ev = st.current;
    els.root.dataset.eventId = ev ? String(ev.id) : "";
    els.root.dataset.phase = ev ? ev.phase : "";
    els.deps.textContent = "";
    els.history.textContent = "";
    if (!trace) {
      els.phase.textContent = "";
      els.title.textContent = "No trace yet";
      els.math.textContent = "";
      els.words.textContent = ctx.message || "Load a network to step through its computations.";
      renderMatrix(ctx);
      return;
    }
    if (!ev) {
      els.phase.textContent = "Ready";
      els.phase.className = "phase-chip";
      els.title.textContent = `Sample ${ctx.sample + 1}: x = (${trace.input.map((v) => fmt(v, 2)).join(", ")})`;
      tex(els.math, `\\text{Press } \\rightarrow \\text{ to compute } ${trace.events[0] ? trace.events[0].symbol : ""}`);
      els.words.textContent = `${trace.events.length} elementary computations: the forward pass, the loss, the backward pass and the update.`;
      renderMatrix(ctx);
      return;
    }
    const L = network.layers.length;
    const [title, words] = describe(ev, L, network.activations);
    els.phase.textContent = PHASE_LABEL[ev.phase] || ev.phase;
    els.phase.className = `phase-chip phase-${ev.phase}`;
    els.title.textContent = title;
    tex(els.math, ev.latex);
    mixed(els.words, words);

    if (st.deps.length) {
      const label = document.createElement("span");
      label.className = "deps-label";
      label.textContent = "reads";
      els.deps.append(label);
      for (const d of st.deps.slice(0, 24)) {
        const chip = document.createElement("span");
        chip.className = "dep-chip";
        tex(chip, `${d.symbol} = ${texNum(d.value)}`);
        els.deps.append(chip);
      }
      if (st.deps.length > 24) {
        const more = document.createElement("span");
        more.className = "deps-label";
        more.textContent = `and ${st.deps.length - 24} more`;
        els.deps.append(more);
      }
    }

    const p = st.p;
    for (let k = p - 2; k >= Math.max(0, p - 5); k -= 1) {
      const h = trace.events[k];
      const item = document.createElement("button");
      item.type = "button";
      item.className = "history-item";
      item.setAttribute("aria-label", `Go back to step ${k + 1}`);
      tex(item, h.latex);
      item.addEventListener("click", () => handlers.onSeek && handlers.onSeek(k + 1));
      els.history.append(item);
    }
    renderMatrix(ctx);
  }

  return { render };
}
