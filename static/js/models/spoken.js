// The network's symbols and the current step in plain words, for screen readers: what the step's live region says,
// what the figure says it has lit, and what a node or weight chosen by keyboard is. No DOM.

import { fmt } from "./format.js";

const num = (v) => (v == null ? "not computed yet" : fmt(v, 4));

/** a_j^l (x_j in the input layer), w_ji^l and b_j^l in words. */
export const nodeWords = (l, j) => (l === 1 ? `x ${j}` : `a ${j} of layer ${l}`);
export const weightWords = (l, j, i) => `weight w ${j} ${i} of layer ${l}`;
export const biasWords = (l, j) => `bias b ${j} of layer ${l}`;

/** A symbol's LaTeX as the trace writes it (z_{1}^{2}, \delta_{1}^{3}, \frac{\partial \mathcal{L}}{\partial w_{21}^{3}})
 * in words: "z 1 of layer 2", "delta 1 of layer 3", "dL by d w 21 of layer 3". */
export function texWords(latex) {
  return String(latex)
    .replace(/\\frac\{\\partial\s*\\mathcal\{L\}\}\{\\partial\s*([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}/g, "dL by d $1")
    .replace(/\\mathcal\{L\}/g, "L")
    .replace(/\\([a-zA-Z]+)/g, "$1")
    .replace(/_\{([^}]*)\}/g, " $1")
    .replace(/\^\{([^}]*)\}/g, " of layer $1")
    .replace(/[{}]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** What an event computes, its rule in words, and its value: "delta 1 of layer 3 = ... = 0.1317". */
export function eventWords(ev, L) {
  const { l, j, i } = ev;
  const prev = (k) => nodeWords(l - 1, k);
  const v = num(ev.value);
  switch (ev.quantity) {
    case "a":
      return l === 1 ? `input ${nodeWords(1, j)} = ${v}` : `activation ${nodeWords(l, j)} = f of z ${j} = ${v}`;
    case "z":
      return `weighted sum z ${j} of layer ${l} = the sum of the weights times the outputs of layer ${l - 1}, plus b ${j}, = ${v}`;
    case "loss":
      return `loss L of the outputs against the targets = ${v}`;
    case "grad_a":
      return l === L
        ? `dL by d ${nodeWords(l, j ?? i)}, the error at the output, = ${v}`
        : `dL by d ${nodeWords(l, j ?? i)} = the deltas of layer ${l + 1} sent back along their weights = ${v}`;
    case "delta":
      return `error delta ${j} of layer ${l} = the activation's slope times dL by d ${nodeWords(l, j)} = ${v}`;
    case "grad_w":
      return `dL by d ${weightWords(l, j, i)} = ${prev(i)} times delta ${j} = ${v}`;
    case "grad_b":
      return `dL by d ${biasWords(l, j)} = delta ${j} = ${v}`;
    case "w":
      return `new ${weightWords(l, j, i)} = ${v}`;
    case "b":
      return `new ${biasWords(l, j)} = ${v}`;
    default:
      return `${ev.quantity} = ${v}`;
  }
}

/** The live region's sentence at a step of a trace of a network of L layers: the counter, phase and computation. */
export function stepWords(trace, st, L) {
  const total = trace ? trace.events.length : 0;
  const ev = st.current;
  if (!ev) return `Step 0 of ${total}: nothing computed yet.`;
  return `Step ${st.p} of ${total}, ${ev.phase}: ${eventWords(ev, L)}.`;
}

/** What the figure has lit at a step, for its description: the node, weight, bias or loss and its value. */
export function litWords(st) {
  const ev = st.current;
  if (!ev) return "Nothing is lit yet: step 0.";
  const v = num(ev.value);
  if (ev.quantity === "loss") return `Lit: the loss node, L = ${v}.`;
  if (ev.quantity === "grad_w" || ev.quantity === "w") {
    return `Lit: the edge of ${weightWords(ev.l, ev.j, ev.i)}, ${ev.quantity === "w" ? "new value" : "dL by dw"} = ${v}.`;
  }
  if (ev.quantity === "grad_b" || ev.quantity === "b") {
    return `Lit: node ${nodeWords(ev.l, ev.j)}, its ${ev.quantity === "b" ? "new bias" : "bias gradient"} = ${v}.`;
  }
  const what = { a: "a", z: "z", delta: "delta", grad_a: "dL by da" }[ev.quantity] || ev.quantity;
  return `Lit: node ${nodeWords(ev.l, ev.j ?? ev.i)}, ${what} = ${v}.`;
}

/** A node, weight, bias or the loss chosen in the figure by keyboard, with its value and what Enter does. */
export function choiceWords(item, network, st) {
  if (item.kind === "loss") return `The loss node, L = ${num(st && st.loss)}. Enter goes to its computation.`;
  if (item.kind === "node") {
    const rec = (st && st.nodes.get(`${item.l}:${item.j}`)) || {};
    return `Node ${nodeWords(item.l, item.j)}, a = ${num(rec.a)}. Enter goes to its next computation.`;
  }
  if (item.kind === "bias") {
    return `${biasWords(item.l, item.j)} = ${num(network.biases[item.l - 2][item.j - 1])}. Enter edits it.`;
  }
  const w = network.weights[item.l - 2][item.j - 1][item.i - 1];
  return `${weightWords(item.l, item.j, item.i)}, from ${nodeWords(item.l - 1, item.i)} to ${nodeWords(item.l, item.j)}, `
    + `= ${num(w)}. Enter edits it.`;
}
