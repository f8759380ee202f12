// The lesson's notes on the lecture that more than one stage needs, or that are long: its changes of notation,
// its typos, and where the lesson walks in another order than the slides. kind: "bridge" (the lecture's names),
// "notation" (a change of names between slides, not an error), "slip" (an error on a slide), "order". Pure data.

/** The output δ with h_k: the deep-layer slides name every layer's output h, the output layer's too. */
export const OUTPUT_NAMES = {
  kind: "notation",
  text: "The \"how to update deep layers\" slides write the output's $\\delta_k = \\frac{\\partial \\mathcal{L}_n}{\\partial h_k}\\frac{\\partial h_k}{\\partial net_k}$ with $h$: there $h$ names the output of a node in any layer, the output layer included, so $h_k$ is the $o_k$ of the worked example and $\\delta_k = \\frac{\\partial \\mathcal{L}_n}{\\partial o_k}\\frac{\\partial o_k}{\\partial net_k} = (o_k - t_k)\\,o_k(1 - o_k)$. A change of names between slides, not an error.",
};

/** Where Case 1 drops the Σ over the outputs, and what k is from there on. */
export const SUM_DROPPED = {
  kind: "bridge",
  text: "$\\mathcal{L}_n = \\tfrac{1}{2}\\sum_{k'=1}^{m} (t_{k'} - o_{k'})^2$ sums over every output $k'$. The weight $w_{kj}$ reaches only one output, the node $k$ it points into, so only the term with $k' = k$ changes with it: the derivative drops the Σ, and from there $k$ is that one output node, fixed, not a summation index.",
};

export const ORDER = {
  closedForm: { kind: "order", text: "The lecture shows this closed formula after the δ slides, to open its worked example; the lesson shows it first, as the reason to want δ." },
  caseOne: { kind: "order", text: "The lecture works Case 1 after the hidden δ and its reuse; the lesson puts it beside the output δ it writes out." },
  update: { kind: "order", text: "The lecture states the update in its overview (\"update the weights using gradients\") and shows no update slide; the lesson shows it here, after every gradient, where it happens." },
  table: { kind: "order", text: "The lecture's table trains in batch mode; the online run beside it is the lesson's own, to show that the mode matters." },
};

/** The "how to update deep layers" slides: their letters for the layers, and the typo of the third slide. */
export const DEEP_NOTES = [
  { kind: "bridge", text: "The slides name nodes by layer: $k$ in the output layer, $j$ in the layer below, $i$ below that, and $p$ for the inputs of $i$'s layer; $h$ is any node's output and $net$ its weighted sum. Here $k$ is layer 4, $j$ layer 3, $i$ layer 2, and $h_p$ is the input $x_p$." },
  { kind: "slip", text: "The third \"how to update deep layers\" slide writes $\\frac{\\partial \\mathcal{L}_n}{\\partial w_{ji}} = \\frac{\\partial \\mathcal{L}_n}{\\partial net_{nj}} \\frac{\\partial net_{nj}}{\\partial w_{ji}}$; $net_{nj}$ is a typo for $net_j$, as the slides before and after it write: $\\frac{\\partial \\mathcal{L}_n}{\\partial net_j} \\frac{\\partial net_j}{\\partial w_{ji}} = \\delta_j h_i$." },
  OUTPUT_NAMES,
];
