// What a figure label shows for a weight or a bias at a position: its value, its updated value, or its gradient.
// The one rule for the main page, the follower page and the lesson; pure, so node tests read it.

import { labelNum } from "./format.js";
import { edgeKey, nodeKey } from "./trace-model.js";

/**
 * The quantity shown for parameter {l, j, i} (i null: the bias b_j^l) at state st: {quantity, value, updated}.
 * Backward shows the gradient (value null until computed); otherwise the update event's new value once it has
 * run, else the network's value.
 */
export function parameterShown(st, network, { l, j, i = null }) {
  const bias = i == null;
  const rec = (bias ? st.biases.get(nodeKey(l, j)) : st.edges.get(edgeKey(l, j, i))) || {};
  if (st.phase === "backward") {
    const quantity = bias ? "grad_b" : "grad_w";
    return { quantity, value: rec[quantity] ?? null, updated: false };
  }
  const quantity = bias ? "b" : "w";
  if (rec[quantity] != null) return { quantity, value: rec[quantity], updated: true };
  const value = bias ? (network.biases[l - 2] ? network.biases[l - 2][j - 1] : null) : network.weights[l - 2][j - 1][i - 1];
  return { quantity, value: value ?? null, updated: false };
}

const PREFIX = { w: "", grad_w: "", b: "b ", grad_b: "∂L/∂b " };

/** A label's text for a shown quantity (null when nothing is computed yet); biases say which quantity they are. */
export function labelText(shown) {
  return shown.value == null ? null : `${PREFIX[shown.quantity]}${labelNum(shown.value)}`;
}
