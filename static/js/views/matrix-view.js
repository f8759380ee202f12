// The matrix view: the current layer in the lecture's matrix form with the numbers of the step (and, before the
// first step, the whole algorithm at a glance). Numbers come from the trace state; rules' LaTeX from GET /api/meta.

import { fmt, texNum } from "../models/format.js";
import { edgeKey, eventNode, nodeKey } from "../models/trace-model.js";
import { optimizerName, plainDescent } from "../models/update-words.js";
import { fitMath, mixed, tex } from "./tex.js";

const MAX_MATRIX = 8; // larger layers make matrices unreadable on a projector

/**
 * The algorithm in the lecture's notation; the loss and the update rule as the server's registries write them.
 * compact: each pair of formulas on two lines, for a narrow panel.
 */
function planFor(net, meta, compact = false) {
  const loss = meta && meta.loss(net.loss);
  const opt = meta && meta.optimizer(net.optimizer && typeof net.optimizer === "object" ? net.optimizer.name : net.optimizer);
  const lines = [
    String.raw`\text{forward: } & z^{l} = W^{l} a^{l-1} + b^{l},\quad a^{l} = f(z^{l})`,
    String.raw`\text{loss: } & ${loss ? loss.latex : String.raw`\mathcal{L}`}`,
    String.raw`\text{backward: } & \delta^{l} = f'(z^{l}) \odot \frac{\partial \mathcal{L}}{\partial a^{l}},\quad \frac{\partial \mathcal{L}}{\partial a^{l-1}} = (W^{l})^{\top} \delta^{l}`,
    String.raw`\text{gradients: } & \frac{\partial \mathcal{L}}{\partial w_{ji}^{l}} = a_i^{l-1} \delta_j^{l},\quad \frac{\partial \mathcal{L}}{\partial b_j^{l}} = \delta_j^{l}`,
  ];
  if (opt) lines.push(String.raw`\text{update: } & ${opt.latex}`);
  const rows = compact ? lines.map((line) => line.replaceAll(",\\quad ", ", \\\\ & ")) : lines;
  return `\\begin{aligned}\n${rows.join(" \\\\\n")}\n\\end{aligned}`;
}

/**
 * Typesets pieces of an equation on one line if they fit at 70 % or more; otherwise one piece per line (the
 * compact form of wide layers), shrunk to fit, so the matrix view never needs a scroll bar.
 */
function typesetFitting(el, pieces) {
  tex(el, pieces.join(" "), true);
  if (pieces.length < 2 || fitMath(el, 70)) return;
  tex(el, `\\begin{aligned} ${pieces.map((p) => `& ${p}`).join(" \\\\ ")} \\end{aligned}`, true);
  if (!fitMath(el, 45)) el.style.fontSize = "45%";
}

function bmatrix(rows) {
  return `\\begin{bmatrix}${rows.map((r) => r.join(" & ")).join(" \\\\ ")}\\end{bmatrix}`;
}

const column = (values) => bmatrix(values.map((v) => [v]));

/** Marks the entry being computed. */
const mark = (s, on) => (on ? `\\colorbox{#fde2a7}{$${s}$}` : s);

/**
 * Under a ∂L/∂w step: every sample's a_i δ_j for this weight and their sum or mean, the batch's gradient.
 * batchSource({l, j, i}) gives models/insights.js sampleBreakdown() for the weight, or null.
 */
function batchLine(note, ev, sample, batchSource) {
  if (!batchSource || !ev || ev.phase !== "backward" || ev.quantity !== "grad_w" || ev.i == null) return;
  const b = batchSource({ l: ev.l, j: ev.j, i: ev.i });
  if (!b || b.values.length < 2) return;
  const terms = b.values.map((v, k) => `${fmt(v, 4)} (#${b.samples[k] + 1}${b.samples[k] === sample ? ", this trace" : ""})`);
  const shown = terms.length > 6 ? [...terms.slice(0, 5), `… ${terms.length - 5} more`] : terms;
  const how = b.reduction === "mean" ? `mean over ${b.values.length}` : `sum over ${b.values.length}`;
  const line = document.createElement("span");
  line.className = "batch-line";
  const sup = (n) => String(n).replace(/\d/g, (d) => "⁰¹²³⁴⁵⁶⁷⁸⁹"[d]);
  line.textContent = `Whole batch: ∂ℒ/∂w${ev.j}${ev.i}⁽${sup(ev.l)}⁾ = ${how} of a·δ per sample = ${shown.join(" + ")} → ${fmt(b.reduced, 5)}. `
    + "A batch update uses that total; this trace's sample alone gives only its own term.";
  note.append(line);
}

/**
 * els: {matrixTitle, matrixMath, matrixNote}; render(ctx) with ctx {state, network, trace, meta}.
 * batchSource: where the whole data set's per-sample ∂L/∂w come from (see batchLine); null shows none.
 */
export function createMatrixView(els, { batchSource = null } = {}) {
  function renderMatrix(ctx) {
    const { state: st, network: net, trace } = ctx;
    const ev = st.current;
    els.matrixMath.textContent = "";
    els.matrixNote.textContent = "";
    if (!ev || !net) {
      // Before the first step: the whole algorithm at a glance, in the lecture's notation.
      els.matrixTitle.textContent = net ? "The plan, layer by layer" : "";
      if (net) {
        tex(els.matrixMath, planFor(net, ctx.meta), true);
        if (!fitMath(els.matrixMath, 80)) {
          tex(els.matrixMath, planFor(net, ctx.meta, true), true);
          if (!fitMath(els.matrixMath, 45)) els.matrixMath.style.fontSize = "45%";
        }
      }
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
    let latex = null; // the equation's pieces: on one line if it fits, else one per line
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
        latex = [`\\underbrace{${zVec}}_{z^{${l}}}`, `= \\underbrace{${wMat}}_{W^{${l}}}\\underbrace{${aVec}}_{a^{${l - 1}}}`, `+ \\underbrace{${bVec}}_{b^{${l}}}`];
        if (ev.quantity === "a") {
          const act = net.activations[l - 2];
          title = `Layer ${l}: $a^{${l}} = f(z^{${l}})$, applied node by node`;
          const aOut = column(rows.map((j) => mark(n2(A(l, j)), node && node.j === j)));
          latex = [`\\underbrace{${aOut}}_{a^{${l}}}`, `= \\mathrm{${act.replace("_", "\\_")}}\\left(${column(rows.map((j) => n2(Z(l, j))))}\\right)`];
        }
      }
    } else if (ev.phase === "forward") {
      title = "Layer 1: the input, $a^{1} = x$";
      latex = [`a^{1} = x = ${column(range(layers[0]).map((i) => n2(A(1, i))))}`];
    } else if (ev.phase === "loss") {
      title = "The loss over the outputs";
      const rows = range(layers[L - 1]);
      const t = trace.target || [];
      latex = [`o = a^{${L}} = ${column(rows.map((j) => n2(A(L, j))))},`, `t = ${column(rows.map((j) => n2(t[j - 1])))},`, `\\mathcal{L} = ${texNum(st.loss, 4)}`];
    } else if (ev.phase === "backward" && ev.quantity === "grad_a" && ev.l < L) {
      const m = ev.l;
      title = `Back to layer ${m}: $\\partial\\mathcal{L}/\\partial a^{${m}} = (W^{${m + 1}})^{\\top} \\delta^{${m + 1}}$`;
      if (!tooBig(m + 1)) {
        const rows = range(layers[m - 1]);
        const cols = range(layers[m]);
        const g = column(rows.map((i) => mark(n2(GA(m, i)), node && node.j === i)));
        const wt = bmatrix(rows.map((i) => cols.map((j) => n2(W(m + 1, j, i)))));
        const d = column(cols.map((j) => n2(D(m + 1, j))));
        latex = [`\\underbrace{${g}}_{\\partial\\mathcal{L}/\\partial a^{${m}}}`, `= \\underbrace{${wt}}_{(W^{${m + 1}})^{\\top}}\\underbrace{${d}}_{\\delta^{${m + 1}}}`];
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
          latex = [`\\underbrace{${gw}}_{\\partial\\mathcal{L}/\\partial W^{${l}}}`, `= \\underbrace{${d}}_{\\delta^{${l}}}\\underbrace{${aRow}}_{(a^{${l - 1}})^{\\top}}`];
        }
      }
    } else if (ev.phase === "update") {
      const l = ev.l;
      const plain = plainDescent(net);
      // Momentum and Adam move a weight by more than η ∂L/∂w: their step is shown as old minus new, which holds.
      title = plain
        ? `Layer ${l}: $W^{${l}} \\leftarrow W^{${l}} - \\eta\\, \\partial\\mathcal{L}/\\partial W^{${l}}$ with $\\eta = ${net.learning_rate}$`
        : `Layer ${l}: $W^{${l}} \\leftarrow W^{${l}} - \\Delta W^{${l}}$, the step of ${optimizerName(net)} (formula above)`;
      if (!tooBig(l)) {
        const rows = range(layers[l - 1]);
        const cols = range(layers[l - 2]);
        const wNew = bmatrix(rows.map((j) => cols.map((i) => mark(n2(E(l, j, i).w), ev.quantity === "w" && ev.j === j && ev.i === i))));
        const wOld = bmatrix(rows.map((j) => cols.map((i) => n2(W(l, j, i)))));
        if (plain) {
          const gw = bmatrix(rows.map((j) => cols.map((i) => n2(E(l, j, i).grad_w))));
          latex = [wNew, `= ${wOld}`, `- ${net.learning_rate}\\,${gw}`];
        } else {
          const moved = (j, i) => (E(l, j, i).w == null ? null : W(l, j, i) - E(l, j, i).w);
          const step = bmatrix(rows.map((j) => cols.map((i) => n2(moved(j, i)))));
          latex = [wNew, `= ${wOld}`, `- \\underbrace{${step}}_{\\Delta W^{${l}}}`];
        }
      }
    }
    mixed(els.matrixTitle, title);
    if (latex) {
      typesetFitting(els.matrixMath, latex);
    } else if (title) {
      els.matrixNote.textContent = "This layer has more than 8 nodes: the matrix form is shown for layers of up to 8 nodes.";
    }
    batchLine(els.matrixNote, ev, ctx.sample, batchSource);
  }

  // A new panel width (projector mode, a rotated tablet) fits the math again. The width comes from the observer,
  // which reads it after the browser's own layout: a step never forces one to learn it.
  let last = null;
  let width = 0;
  if (typeof ResizeObserver !== "undefined") {
    new ResizeObserver((entries) => {
      const now = entries[entries.length - 1].contentRect.width;
      if (now <= 0 || Math.abs(now - width) <= 4) return;
      width = now;
      if (last) renderMatrix(last);
    }).observe(els.matrixMath.parentElement);
  }
  return {
    render(ctx) {
      last = ctx;
      renderMatrix(ctx);
      // KaTeX's fonts change the math's width when they arrive: measure again then (fitting has laid the math out,
      // so a font it needs that is not there yet is loading by now)
      if (document.fonts && document.fonts.status === "loading") document.fonts.ready.then(() => last === ctx && renderMatrix(ctx));
    },
  };
}
