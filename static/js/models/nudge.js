// The nudge of one parameter read for the page: the ε at which the loss curve is sampled, the tangent line
// L(θ) + ∂L/∂θ · ε beside it, and the sentence comparing the loss's change with its prediction. Pure: no DOM, no
// fetch; the losses are the server's (POST /nudge).

import { fmt } from "./format.js";

/** `count` offsets from −span to +span (count odd, so 0, the current value, is one of them). */
export function curveOffsets(span, count = 9) {
  const half = (count - 1) / 2;
  return Array.from({ length: count }, (_, k) => (span * (k - half)) / half);
}

/** The tangent at θ0: two points at θ0 ± span on the line through (θ0, loss) with slope `gradient`. */
export function tangentLine(theta0, loss, gradient, span) {
  return { x: [theta0 - span, theta0 + span], y: [loss - gradient * span, loss + gradient * span] };
}

/** How far the first-order prediction is off, in words, from a /nudge answer and its ε. */
export function nudgeWords(res, epsilon) {
  const off = res.delta_loss - res.predicted;
  if (epsilon === 0) return "ε = 0: nothing moves. Drag the slider to nudge the parameter.";
  const rel = Math.abs(res.delta_loss) > 0 ? Math.abs(off / res.delta_loss) : 0;
  const how = rel < 0.01 ? "almost exactly" : rel < 0.1 ? "closely" : "only roughly";
  return `The loss moved by ${fmt(res.delta_loss, 5)}; the gradient predicted ${fmt(res.predicted, 5)}: it ${how} `
    + `matches (off by ${fmt(off, 5)}). The error shrinks like ε²: halve ε and it falls to about a quarter.`;
}
