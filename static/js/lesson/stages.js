// The guided lesson's stages, in the lecture's order: for each, the network it walks on (a preset's name), a short
// text of our own, where the step player stands (and which computations ↓/↑ walk through), what is pointed at on
// the figure, which formulas with the live network's numbers show, and the notes on the lecture's notation, slips
// and order. Pure: no DOM, no fetch.

import {
  batchGradient, caseOne, caseTwo, gradASum, hiddenDelta, lossSum, matrixForm, multiplicationCounts, nestedLoss, num,
  positionOf, sigmoidSlope, transposeForm, valueOf,
} from "./formulas.js";
import { DEEP_NOTES, ORDER, SUM_DROPPED, OUTPUT_NAMES } from "./stage-notes.js";

/** The convention behind the counts (30 against 14 on XOR): what is counted, for which network, and how. */
export const COUNTING = [
  "Multiplications only, for all the weight gradients of one sample, on the network of each row: 30 against 14 is the XOR network, 2-2-1. Additions, subtractions and the biases are left out of both counts.",
  "Each weight's derivative on its own: one product per path from the weight to an output, $3 + 3(L - l)$ multiplications for a weight into layer $l$ (the factors: its input, its node's slope, a weight and a slope per layer above, $o - t$).",
  "2 per output δ, $n_{l+1} + 2$ per hidden δ ($n_{l+1}$ products, then the slope), 1 per weight gradient.",
];

/** The deep network the multiplication count is compared on: the deep_sigmoid preset's shape. */
export const DEEP_LAYERS = [2, 8, 8, 8, 8, 1];

const first = (q) => (t) => positionOf(t, q);
const lastOf = (phase) => (t) => t.events.reduce((p, e, k) => (e.phase === phase ? k + 1 : p), 0);
const firstOf = (phase) => (t) => t.events.findIndex((e) => e.phase === phase) + 1;

/** The networks the lesson walks on, by preset name: what the figure head calls them. */
export const NETWORKS = {
  xor: "XOR, 2-2-1",
  half_adder: "half adder, 2-3-2",
  half_adder_deep: "deep half adder, 2-3-3-2",
};

/** The δ computed last at position p (the one a formula is about), or null before the backward pass. */
export function focusDelta(trace, p) {
  for (let k = Math.min(p, trace.events.length) - 1; k >= 0; k -= 1) if (trace.events[k].quantity === "delta") return trace.events[k];
  return null;
}

/** Rings and labels on every δ of layer l + 1 that the hidden δ_j^l reads. */
export function readDeltas(trace, l) {
  const up = l + 1;
  const n = trace.layers[up - 1];
  return Array.from({ length: n }, (_, k) => ({
    // the first above its node, the last below, any between to the right: labels of a column never overlap
    node: [up, k + 1], side: k === 0 ? "above" : k === n - 1 ? "below" : "right", kind: "reused",
    tex: `\\delta_{${k + 1}}^{${up}} = ${num(valueOf(trace, { quantity: "delta", l: up, j: k + 1 }))}`,
  }));
}

/** The hidden δ a stage's formula is about: the last one computed, else the first of layer l. */
const hiddenFocus = (trace, p, L) => {
  const f = focusDelta(trace, p);
  return f && f.l < L ? f : { l: L - 1, j: 1 };
};

/** Bridges to the lecture's worked example and corrections of its slides. kind: "bridge" | "slip". */
const BRIDGE_OUT = { kind: "bridge", text: "The worked example writes $net_k$ for $z_k^3$ and $o_k$ for $a_k^3$; its loss is $\\tfrac{1}{2}(t_k - o_k)^2$, the same number as $\\tfrac{1}{2}(o_k - t_k)^2$." };
const BRIDGE_HIDDEN = { kind: "bridge", text: "In the worked example the hidden outputs are $h_j = a_j^2$, their sums $net_j = z_j^2$, and the biases are weights $w_{j0}$, $w_{k0}$ on a constant input 1." };

export const STAGES = [
  {
    key: "overview",
    net: "xor",
    part: "Overview",
    title: "Forward, then backward",
    text: () => "Training repeats two sweeps. Forward: the inputs go through the layers to a prediction, and the loss says how wrong it is. Backward: from the loss, each weight learns its share of the blame and takes a small step against it. This is the lecture's XOR network; later stages add a second output where sums need two terms. ↓ walks the computations.",
    at: first({ quantity: "loss", l: 3 }),
    lo: () => 0,
    hi: (t) => t.events.length,
  },
  {
    key: "notation",
    net: "xor",
    part: "Notation",
    title: "Names for every number",
    text: () => "Layers count from the input: layer 1 holds the inputs $x_i$, layer 2 the hidden nodes, layer 3 the output. $w_{ji}^l$ is the weight into node $j$ of layer $l$ from node $i$ of layer $l-1$ (target first, then source). Each node adds its bias $b_j^l$ to the weighted sum, giving $z_j^l$, and passes it through the activation to output $a_j^l = \\sigma(z_j^l)$.",
    at: first({ quantity: "a", l: 2, j: 1 }),
    // short names beside the figure's own labels: the values are written on the figure already
    callouts: () => [
      { node: [1, 1], side: "left", tex: "x_1" },
      { edge: [2, 1, 1], side: "above", tex: "w_{11}^{2}" },
      { node: [2, 1], side: "above", tex: "b_1^2,\\ z_1^2 \\to a_1^2" },
      { node: [3, 1], side: "above", tex: "a_1^3 = o_1" },
    ],
    formulas: ({ network, trace }) => [
      { label: "the first hidden node", tex: `z_1^2 = w_{11}^2 x_1 + w_{12}^2 x_2 + b_1^2 = ${num(valueOf(trace, { quantity: "z", l: 2, j: 1 }))}, \\quad a_1^2 = \\sigma(z_1^2) = ${num(valueOf(trace, { quantity: "a", l: 2, j: 1 }))}` },
      { label: "this network", tex: `\\text{layers } ${network.layers.join("\\text{–}")}: \\ ${network.weights.flat(2).length} \\text{ weights}, ${network.biases.flat().length} \\text{ biases}` },
    ],
  },
  {
    key: "matrix",
    net: "xor",
    part: "Forward",
    title: "A layer is one matrix product",
    text: () => "Writing the weights of a layer as a matrix $W^l$ (row $j$, column $i$ holds $w_{ji}^l$) turns all of a layer's weighted sums into one line. Here are both layers of the XOR network with this sample's numbers. ↓ walks the forward pass node by node.",
    at: first({ quantity: "z", l: 2, j: 1 }),
    lo: () => 1,
    hi: lastOf("forward"),
    formulas: ({ network, trace }) => matrixForm(network, trace),
  },
  {
    key: "loss",
    net: "xor",
    part: "Loss",
    title: "The loss: one sample, then all",
    text: () => "With squared error, one sample's loss is half the squared distance between outputs $o_k$ and targets $t_k$. The loss we minimise adds this up over all samples of the data set.",
    at: first({ quantity: "loss", l: 3 }),
    formulas: ({ forwardAll }) => [
      { label: "one sample", tex: "\\mathcal{L}_n = \\tfrac{1}{2} \\sum_{k} (o_k - t_k)^2" },
      ...(forwardAll ? [{ label: "all four samples (the current weights)", tex: lossSum(forwardAll) }] : []),
    ],
    notes: [{ kind: "bridge", text: "The lecture numbers the samples with $i$ ($\\mathcal{L}_i$); we use $n$, because $i$ already names an input node." }],
  },
  {
    key: "closed-form",
    net: "xor",
    part: "Why backprop",
    title: "Why not differentiate the formula directly?",
    text: () => "The loss is a single closed formula of all nine parameters: the output's sigmoid wraps the hidden sigmoids, which wrap the inputs. We could differentiate it by hand for every parameter, but each derivative would unpack the same nested terms again. The chain rule, applied from the outside in, lets every inner piece be computed once.",
    at: first({ quantity: "loss", l: 3 }),
    formulas: ({ network, trace }) => {
      const f = nestedLoss(network, trace);
      return f ? [{ label: "in symbols", tex: f.symbols }, { label: "with this sample's numbers", tex: f.numbers }, { label: "", tex: f.sigma }] : [];
    },
    notes: [BRIDGE_HIDDEN, ORDER.closedForm],
  },
  {
    key: "delta",
    net: "xor",
    part: "Backward",
    title: "δ: the error at a node's input",
    text: () => "Backpropagation keeps one number per node: $\\delta_j^l = \\partial\\mathcal{L}/\\partial z_j^l$, how the loss changes when the node's weighted sum changes. The chain rule splits it into the activation's slope and how the loss changes with the node's output. The backward pass starts at the output with $\\partial\\mathcal{L}/\\partial a = o - t$.",
    at: first({ quantity: "grad_a", l: 3, j: 1 }),
    lo: first({ quantity: "grad_a", l: 3, j: 1 }),
    hi: first({ quantity: "delta", l: 3, j: 1 }),
    formulas: () => [{ label: "definition", tex: "\\delta_j^l = \\frac{\\partial \\mathcal{L}}{\\partial z_j^l} = \\frac{\\partial a_j^l}{\\partial z_j^l}\\,\\frac{\\partial \\mathcal{L}}{\\partial a_j^l} \\qquad (l = 2, 3)" }],
  },
  {
    key: "output-delta",
    net: "xor",
    part: "Backward",
    title: "The output δ in closed form",
    text: () => "For a sigmoid, the slope needs no new exponential: $\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$, which is the node's own output times one minus it. So the output's δ is the error $o - t$ times $o(1 - o)$.",
    at: first({ quantity: "delta", l: 3, j: 1 }),
    formulas: ({ trace }) => [{ label: "the sigmoid's slope at the output", tex: sigmoidSlope(trace) }],
    notes: [BRIDGE_OUT, OUTPUT_NAMES],
  },
  {
    key: "case-one",
    net: "xor",
    part: "Backward",
    title: "Case 1 written out: an output weight",
    text: () => "The lecture's Case 1 takes a weight $w_{kj}$ from hidden node $j$ to output $k$ and differentiates the loss through $o_k$. The first factor is where the sign comes from: $\\tfrac{1}{2}(t - o)^2$ falls as $o$ moves towards $t$, so its slope in $o$ is $-(t - o)$, which is $o - t$. The lecture's $\\Delta w_{kj}$ is this gradient, not the step: the step is $-\\eta\\,\\Delta w_{kj}$.",
    at: first({ quantity: "grad_w", l: 3, j: 1, i: 1 }),
    formulas: ({ network, trace }) => {
      const c = caseOne(network, trace, 1, 1);
      return [
        { label: "the loss's slope in the output", tex: c.dLdo },
        { label: "the gradient the lecture calls $\\Delta w_{11}$ (our $w_{11}^3$)", tex: c.delta },
        { label: "the step: against the gradient, scaled by η", tex: c.step },
        { label: "the bias the lecture's sums leave out", tex: c.biasTex },
      ];
    },
    notes: [SUM_DROPPED, { kind: "bridge", text: "Case 1 and Case 2 write $net_k = \\sum_j h_j w_{kj}$ and $net_j = \\sum_i x_i w_{ji}$ without a bias. With one, $\\partial net_k / \\partial b_k = 1$, so a bias's gradient is the δ of its node: $\\delta_k$ for $b_k$, $\\delta_j$ for $b_j$. The worked example keeps the biases as weights $w_{k0}$, $w_{j0}$ on a constant input 1, which gives the same." }, ORDER.caseOne],
  },
  {
    key: "weight-gradient",
    net: "xor",
    part: "Backward",
    title: "From δ to the weights: input times δ",
    text: () => "A weight $w_{ji}^l$ enters $z_j^l$ multiplied by $a_i^{l-1}$, so $\\partial z_j^l/\\partial w_{ji}^l = a_i^{l-1}$ and its gradient is that input times the δ at the weight's end. The bias enters with factor 1: its gradient is δ itself. ↓ walks through the output layer's three gradients.",
    at: first({ quantity: "grad_w", l: 3, j: 1, i: 1 }),
    lo: first({ quantity: "grad_w", l: 3, j: 1, i: 1 }),
    hi: first({ quantity: "grad_b", l: 3, j: 1 }),
    formulas: () => [
      { label: "weights", tex: "\\frac{\\partial \\mathcal{L}}{\\partial w_{ji}^l} = \\frac{\\partial z_j^l}{\\partial w_{ji}^l}\\,\\frac{\\partial \\mathcal{L}}{\\partial z_j^l} = a_i^{l-1}\\,\\delta_j^l" },
      { label: "biases", tex: "\\frac{\\partial \\mathcal{L}}{\\partial b_j^l} = \\frac{\\partial z_j^l}{\\partial b_j^l}\\,\\frac{\\partial \\mathcal{L}}{\\partial z_j^l} = \\delta_j^l" },
    ],
    notes: [
      { kind: "slip", text: "The summary slide writes \"$w_{ji}^l = a_i^{l-1}\\delta_j^l$\" and \"$b_j^l = \\delta_j^l$\": the left sides are the gradients $\\partial\\mathcal{L}/\\partial w_{ji}^l$ and $\\partial\\mathcal{L}/\\partial b_j^l$, not the parameters." },
      { kind: "slip", text: "On the slides for $w_{21}^3$ and $w_{22}^3$ the sum is headed $z_1^3$; the sum that holds $w_{2i}^3$ is $z_2^3 = \\sum_i w_{2i}^3 a_i^2$ (and its δ is $\\delta_2^3$)." },
    ],
  },
  {
    key: "grad-a",
    net: "half_adder",
    part: "Backward",
    title: "Sending the error back: (Wˡ)ᵀ δˡ",
    text: () => "From here the lesson uses a half adder, 2-3-2: the lecture's own 3 hidden nodes and 2 outputs (the sum and the carry bit). With one output every sum below would have one term; with two, each hidden output $a_i^2$ feeds both outputs, and the loss feels it along both weights: $\\partial\\mathcal{L}/\\partial a_i^2$ adds weight times δ over the two. For the whole layer that is the transposed weight matrix times the δ vector. ↓ walks the three nodes.",
    at: first({ quantity: "grad_a", l: 2, j: 1 }),
    lo: first({ quantity: "grad_a", l: 2, j: 1 }),
    hi: (t) => positionOf(t, { quantity: "grad_a", l: 2, j: t.layers[1] }),
    callouts: ({ trace }) => readDeltas(trace, 2),
    formulas: ({ network, trace, ev }) => {
      const i = ev && ev.quantity === "grad_a" && ev.l === 2 ? ev.j : 1;
      return [
        { label: "one node", tex: "\\frac{\\partial \\mathcal{L}}{\\partial a_i^{l-1}} = \\sum_{j} \\frac{\\partial z_j^l}{\\partial a_i^{l-1}}\\,\\delta_j^l = \\sum_{j} w_{ji}^l\\,\\delta_j^l" },
        { label: `node ${i}, every term with its numbers`, tex: gradASum(network, trace, 3, i).tex },
        { label: "the layer, with the numbers", tex: transposeForm(network, trace, 3, true) },
      ];
    },
    notes: [{ kind: "slip", text: "The slide writes $\\frac{\\partial\\mathcal{L}}{\\partial a_j^{l-1}} = \\sum_j \\cdots = \\sum_i w_{ji}^l\\delta_j^l$, using $j$ for both the node and the summation and then summing over $i$. The node below is $i$ and the sum runs over $j$: $\\frac{\\partial\\mathcal{L}}{\\partial a_i^{l-1}} = \\sum_j w_{ji}^l\\delta_j^l$." }],
  },
  {
    key: "reuse",
    net: "half_adder",
    part: "Backward",
    title: "Hidden δ: reuse the δ from above",
    text: () => "The moment the lecture celebrates: a hidden δ needs nothing new from the loss. On the half adder it reads both output δ, already computed (ringed), sends them back along its two weights, adds, and multiplies by its own slope $a(1 - a)$. Each layer's δ comes from the layer above, so the work grows with the weights, not with the paths. ↓ walks the three hidden δ.",
    at: first({ quantity: "delta", l: 2, j: 1 }),
    lo: first({ quantity: "delta", l: 2, j: 1 }),
    hi: (t) => positionOf(t, { quantity: "delta", l: 2, j: t.layers[1] }),
    callouts: ({ trace }) => readDeltas(trace, 2),
    formulas: ({ network, trace, p }) => {
      const f = hiddenFocus(trace, p, 3);
      return [{ label: `$\\delta_j^2 = \\big(\\sum_k w_{kj}^3\\delta_k^3\\big)\\,a_j^2(1 - a_j^2)$, node ${f.j}, term by term`, tex: hiddenDelta(network, trace, 2, f.j).tex }];
    },
    notes: [BRIDGE_HIDDEN],
  },
  {
    key: "case-two",
    net: "xor",
    part: "Backward",
    title: "The chain rule in full, against reuse",
    text: () => "Back on XOR: the lecture's Case 2 differentiates a first-layer weight by writing every factor of the chain out. With this sample's numbers it gives exactly what backpropagation gets from $x_i\\,\\delta_j^2$. The difference is the cost: written out, every weight repeats the factors of every path above it.",
    at: first({ quantity: "grad_w", l: 2, j: 1, i: 1 }),
    formulas: ({ network, trace }) => {
      const c = caseTwo(network, trace, 1, 1);
      if (!c) return [];
      return [
        { label: "written out (Case 2)", tex: `${c.symbols}` },
        { label: "", tex: c.numbers },
        { label: "with reuse", tex: c.reuseTex },
      ];
    },
    notes: [
      { kind: "slip", text: "Case 2's slides are headed \"between output and hidden layer\", as Case 1; the weight $w_{ji}$ sits between the hidden and the input layer, as the list before them says." },
      BRIDGE_HIDDEN,
    ],
  },
  {
    key: "counting",
    net: "xor",
    part: "Why backprop",
    title: "Counting the work: 30 against 14",
    event: false,
    text: () => "How much does reuse save? Count the multiplications for all weight gradients of one sample, written out as Case 2 does against backpropagation's reuse. Then try other layer sizes: the written-out count grows with the number of paths, reuse with the number of weights.",
    at: first({ quantity: "grad_w", l: 2, j: 1, i: 1 }),
    formulas: ({ network }) => {
      const here = multiplicationCounts(network.layers);
      const deep = multiplicationCounts(DEEP_LAYERS);
      return [
        { label: "multiplications for all weight gradients of one sample", counts: [
          { net: network.layers.join("–"), weights: here.weights, written: here.written, reuse: here.reuse },
          { net: DEEP_LAYERS.join("–"), weights: deep.weights, written: deep.written, reuse: deep.reuse },
        ] },
        { label: "what is counted", text: COUNTING[0] },
        { label: "written out", text: COUNTING[1] },
        { label: "with reuse", text: COUNTING[2] },
        { label: "try a network: layer sizes from the input to the output", counter: network.layers },
      ];
    },
  },
  {
    key: "deep",
    net: "half_adder_deep",
    part: "Backward",
    title: "Deeper layers: δₖ → δⱼ → δᵢ",
    text: () => "The lecture's \"how to update deep layers\" on a half adder with two hidden layers, 2-3-3-2: the same rule at every depth. The output δ come from the loss; each δ of the second hidden layer reads both output δ; each δ of the first hidden layer reads all three δ of the layer above it. No layer looks further up than the next one. ↓ walks the backward pass down to the first hidden layer.",
    at: first({ quantity: "delta", l: 3, j: 1 }),
    lo: first({ quantity: "delta", l: 4, j: 1 }),
    hi: (t) => positionOf(t, { quantity: "delta", l: 2, j: t.layers[1] }),
    callouts: ({ trace, p }) => {
      const f = focusDelta(trace, p);
      return f && f.l < trace.layers.length ? readDeltas(trace, f.l) : [];
    },
    formulas: ({ network, trace, p }) => {
      const f = hiddenFocus(trace, p, 4);
      return [
        { label: "the lecture's three lines, in our layers (k: layer 4, j: layer 3, i: layer 2)", tex: "\\begin{aligned} \\delta_k^4 &= (o_k - t_k)\\, o_k(1 - o_k) \\\\ \\delta_j^3 &= \\Big(\\sum_k w_{kj}^4\\,\\delta_k^4\\Big)\\, a_j^3(1 - a_j^3) \\\\ \\delta_i^2 &= \\Big(\\sum_j w_{ji}^3\\,\\delta_j^3\\Big)\\, a_i^2(1 - a_i^2) \\end{aligned}" },
        { label: `layer ${f.l}, node ${f.j}, with its numbers`, tex: hiddenDelta(network, trace, f.l, f.j).tex },
      ];
    },
    notes: DEEP_NOTES,
  },
  {
    key: "update",
    net: "xor",
    part: "Update",
    title: "The update, with η = 0.5",
    text: ({ network }) => `Back on XOR. Only now do the weights change: each moves against its gradient, scaled by the learning rate η = ${network.learning_rate}. All gradients were computed with the old weights, so the order of the updates does not matter. ↓ walks through all of them.`,
    at: firstOf("update"),
    lo: firstOf("update"),
    hi: lastOf("update"),
    formulas: ({ network }) => [{ label: "gradient descent", tex: `w_{ji}^l \\leftarrow w_{ji}^l - \\eta\\,\\frac{\\partial \\mathcal{L}}{\\partial w_{ji}^l}, \\qquad b_j^l \\leftarrow b_j^l - \\eta\\,\\frac{\\partial \\mathcal{L}}{\\partial b_j^l}, \\qquad \\eta = ${network.learning_rate}` }],
    notes: [ORDER.update],
  },
  {
    key: "graph",
    net: "half_adder",
    part: "Update",
    title: "The computational graph: local × upstream",
    text: () => "Backpropagation is one rule on small operations: products $w_{ji}^l a_i^{l-1}$, a sum $z_j^l$, the activation, the loss. Each gradient is local × upstream: its own derivative times the gradient of what reads it, added over readers, as both outputs read each hidden $a_j^2$ here. ↓ walks the backward pass.",
    at: first({ quantity: "grad_a", l: 2 }),
    lo: firstOf("backward"),
    hi: lastOf("backward"),
    ops: "graph",
    formulas: () => [{ label: "downstream = local × upstream, summed where branches meet", tex: "\\frac{\\partial \\mathcal{L}}{\\partial v} = \\sum_{r \\text{ reads } v} \\frac{\\partial r}{\\partial v}\\,\\frac{\\partial \\mathcal{L}}{\\partial r}" }],
  },
  {
    key: "nudge",
    net: "xor",
    part: "Update",
    title: "Nudge a weight, watch the loss",
    text: () => "Why a step against the gradient lowers the loss: move one weight by ε and watch. For small ε the loss moves by almost exactly $\\frac{\\partial\\mathcal{L}}{\\partial w}\\,\\varepsilon$, the red tangent's slope; the gap shrinks like $\\varepsilon^2$. It starts on $w_{11}^3$ with this sample's numbers; then try any weight or bias. Nothing is stored.",
    at: first({ quantity: "loss" }),
    event: false,
    ops: "nudge",
    formulas: () => [{ label: "the gradient as a sensitivity", tex: "\\mathcal{L}(w + \\varepsilon) - \\mathcal{L}(w) \\approx \\frac{\\partial \\mathcal{L}}{\\partial w}\\,\\varepsilon" }],
  },
  {
    key: "batch",
    net: "xor",
    part: "Update",
    title: "Batch or one sample at a time",
    text: () => "Because $\\mathcal{L} = \\sum_n \\mathcal{L}_n$, its gradient is the sum of the samples' gradients. Batch training runs the backward pass on every sample, adds the gradients and updates once (how the table on the next stage was trained). Online training updates after each sample, as the walk-through does.",
    at: lastOf("update"),
    event: false,
    formulas: ({ backwardAll, network }) => {
      if (!backwardAll) return [];
      const g = batchGradient(backwardAll, 3, 1, 1);
      return [
        { label: "sum over the four samples", tex: "\\frac{\\partial \\mathcal{L}}{\\partial w_{ji}^l} = \\sum_{n} \\frac{\\partial \\mathcal{L}_n}{\\partial w_{ji}^l}" },
        { label: "for $w_{11}^3$, with the current weights", tex: g.tex },
        { label: "one batch update", tex: `w_{11}^3 \\leftarrow ${num(network.weights[1][0][0])} - ${network.learning_rate} \\times ${num(g.batch)} = ${num(network.weights[1][0][0] - network.learning_rate * g.batch)}` },
      ];
    },
  },
  {
    key: "table",
    net: "xor",
    part: "Result",
    title: "The XOR table, live",
    // a follower's slider follows the presenter's, so the words say who moves it
    text: ({ following }) => `The XOR network trained from the same starting weights, recorded every 100 iterations. ${following ? "As the presenter moves the slider, the figure's weights and the outputs in the table move together." : "Move the slider: the figure's weights and the outputs in the table move together."} In batch mode every output sits near 0.5 for a long while, a plateau; between 2,000 and 3,000 iterations it breaks, and by 10,000 the outputs are close to the targets 0, 1, 1, 0. ${following ? "The presenter can switch to online, which trains from the same start one sample at a time." : "Switch to online to train from the same start one sample at a time."}`,
    at: () => 0,
    event: false,
    table: true,
    notes: [ORDER.table],
  },
];

/** The stage's positions on a trace: where it opens (at) and the computations ↓/↑ may visit (lo..hi). */
export function stageSpan(stage, trace) {
  const total = trace ? trace.events.length : 0;
  const clamp = (v) => Math.max(0, Math.min(total, Number.isFinite(v) ? v : 0));
  if (!trace) return { at: 0, lo: 0, hi: 0 };
  const at = clamp(stage.at(trace));
  const lo = stage.lo ? clamp(stage.lo(trace)) : at;
  const hi = stage.hi ? clamp(stage.hi(trace)) : at;
  return { at, lo: Math.min(lo, at), hi: Math.max(hi, at) };
}

/** A stage number (1-based) from a query value (a number, clamped to 1..n, or a stage's key); null otherwise. */
export function parseStage(raw, n = STAGES.length) {
  const byKey = STAGES.findIndex((s) => s.key === String(raw ?? "").trim());
  if (byKey >= 0) return byKey + 1;
  if (raw == null || !/^\s*\d+\s*$/.test(String(raw))) return null;
  return Math.max(1, Math.min(n, Number.parseInt(raw, 10)));
}
