// The operation graph of one sample (POST /graph) read for the page: which operations make up one node of the
// figure, which operation the walk-through's current step is about, and the chain rule of each operation written
// with its numbers (downstream = local × upstream, summed where branches meet). Pure: no DOM, no fetch; every
// number is the server's.

import { texNum } from "./format.js";

const MAX_TERMS = 4; // longer sums show their first terms, an ellipsis and the last term

export const opKey = (op, l, j, i = null) => `${op}:${l ?? ""}:${j ?? ""}:${i ?? ""}`;

/** Lookup tables over the nodes: by (op, l, j, i), and each node's readers with the local derivative they use. */
export function indexGraph(nodes) {
  const byKey = new Map();
  const readers = new Map(nodes.map((n) => [n.id, []]));
  for (const n of nodes) {
    byKey.set(opKey(n.op, n.l, n.j, n.i), n);
    n.inputs.forEach((src, k) => readers.get(src).push({ reader: n, local: n.local[k] }));
  }
  const depth = Math.max(...nodes.map((n) => n.l ?? 0));
  return { nodes, byKey, readers, depth, loss: nodes[nodes.length - 1] };
}

export const find = (g, op, l, j, i = null) => g.byKey.get(opKey(op, l, j, i)) || null;

/**
 * The operations of one node of the figure in the order they are computed: for a node (l ≥ 2, j) each product
 * w_ji a_i (after its weight), the bias, the sum z_j, the activation a_j and, on the output layer, the target
 * and the loss; for an input x_j the input alone; for `l == null` the loss with every output and target.
 */
export function expansion(g, l, j) {
  if (l == null) {
    const outs = g.nodes.filter((n) => n.op === "activation" && n.l === g.depth);
    const targets = g.nodes.filter((n) => n.op === "target");
    return [...outs, ...targets, g.loss];
  }
  if (l === 1) return [find(g, "input", 1, j)].filter(Boolean);
  const ops = [];
  for (const n of g.nodes) {
    if (n.l === l && n.j === j && (n.op === "weight" || n.op === "mul")) ops.push(n);
  }
  ops.push(find(g, "bias", l, j), find(g, "sum", l, j), find(g, "activation", l, j));
  if (l === g.depth) ops.push(find(g, "target", l, j), g.loss);
  return ops.filter(Boolean);
}

/** Every node of a layer, expanded one after another (the whole network one layer at a time). */
export function layerExpansion(g, l, sizes) {
  const out = [];
  for (let j = 1; j <= sizes[l - 1]; j += 1) out.push({ l, j, ops: expansion(g, l, j) });
  return out;
}

/**
 * Where a trace event (POST /trace) sits in the graph: the node of the figure to expand ({l, j}; l null for the
 * loss) and the operation it computes. Forward steps compute values, backward steps gradients, the update
 * steps move a weight or a bias.
 */
export function focusOf(g, ev) {
  if (!ev) return null;
  const { quantity: q, l, j, i } = ev;
  const node = (op, ll, jj, ii = null) => ({ l: ll, j: jj, op: find(g, op, ll, jj, ii) });
  if (q === "loss") return { l: null, j: null, op: g.loss };
  if (q === "a" || q === "grad_a") {
    const jj = j ?? i;
    return l === 1 ? node("input", 1, jj) : node("activation", l, jj);
  }
  if (q === "z" || q === "delta") return node("sum", l, j);
  if (q === "grad_w" || q === "w") return node("weight", l, j, i);
  if (q === "grad_b" || q === "b") return node("bias", l, j);
  return null;
}

/** The terms of a node's gradient: one per reader, its local derivative times the reader's own gradient. */
export function chainTerms(g, node) {
  return g.readers.get(node.id).map(({ reader, local }) => ({ reader, local, upstream: reader.grad }));
}

const par = (v) => (v < 0 ? `(${texNum(v)})` : texNum(v));

function elide(parts) {
  if (parts.length <= MAX_TERMS) return parts.join(" + ");
  return [...parts.slice(0, MAX_TERMS - 1), "\\cdots", parts[parts.length - 1]].join(" + ");
}

/** LaTeX of a node's forward value from its inputs, with the numbers. */
export function forwardTex(g, node) {
  const ins = node.inputs.map((id) => g.nodes[id]);
  const v = texNum(node.value);
  switch (node.op) {
    case "mul":
      return `${node.label} = ${texNum(ins[0].value)} \\cdot ${par(ins[1].value)} = ${v}`;
    case "sum":
      return `${node.label} = ${elide(ins.map((n) => par(n.value)))} = ${v}`;
    case "activation":
      return `${node.label} = f(${ins.length === 1 ? ins[0].label : `z^{${node.l}}`}) = ${v}`;
    case "loss":
      return `\\mathcal{L}(${elide(ins.filter((n) => n.op === "activation").map((n) => n.label))}) = ${v}`;
    default:
      return `${node.label} = ${v}`;
  }
}

/** LaTeX of a node's gradient by the chain rule: Σ over its readers of local × upstream, with the numbers. */
export function backwardTex(g, node) {
  const lhs = node.op === "loss" ? "\\frac{\\partial \\mathcal{L}}{\\partial \\mathcal{L}}" : `\\frac{\\partial \\mathcal{L}}{\\partial ${node.label}}`;
  const terms = chainTerms(g, node);
  if (!terms.length) return `${lhs} = ${texNum(node.grad)}`;
  const products = terms.map((t) => `${par(t.local)} \\cdot ${par(t.upstream)}`);
  return `${lhs} = ${elide(products)} = ${texNum(node.grad)}`;
}

/** One sentence saying which rule gives the node's gradient. */
export function ruleWords(g, node) {
  const n = g.readers.get(node.id).length;
  if (node.op === "loss") return "The loss's gradient with respect to itself is 1: where the backward pass starts.";
  if (n === 0) return "Nothing reads this value.";
  if (n === 1) return "downstream = local × upstream: the local derivative times the gradient of the one operation that reads it.";
  return `downstream = local × upstream, summed where branches meet: ${n} operations read this value, so their contributions add.`;
}

/** The sum of a node's chain-rule terms (equals node.grad up to rounding: the identity the server guarantees). */
export const chainSum = (g, node) => chainTerms(g, node).reduce((s, t) => s + t.local * t.upstream, 0);

/**
 * Which of a node's numbers the walk-through has computed by its state st (models/trace-model.js stateAt): its
 * value and its gradient. Nothing shows before its own step, so Predict and a class question keep their answer.
 */
export function revealed(node, st) {
  if (!st) return { value: false, grad: false };
  const at = (l, j) => st.nodes.get(`${l}:${j}`) || {};
  const back = st.phase === "backward" || st.phase === "update";
  const has = (v) => v !== undefined && v !== null;
  switch (node.op) {
    case "input":
      return { value: true, grad: has(at(1, node.j).grad_a) };
    case "weight":
      return { value: true, grad: has((st.edges.get(`${node.l}:${node.j}:${node.i}`) || {}).grad_w) };
    case "bias":
      return { value: true, grad: has((st.biases.get(`${node.l}:${node.j}`) || {}).grad_b) };
    case "mul":
    case "sum":
      return { value: has(at(node.l, node.j).z), grad: has(at(node.l, node.j).delta) };
    case "activation":
      return { value: has(at(node.l, node.j).a), grad: has(at(node.l, node.j).grad_a) };
    case "loss":
      return { value: has(st.loss), grad: back };
    default: // a target is given, and its gradient is not a step of the walk-through: shown once it goes backward
      return { value: true, grad: back };
  }
}
