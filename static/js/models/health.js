// Saturation and loss jumps: what a lecturer should hear about before a class stares at a network that no longer
// learns. Pure: reads a prepared trace or a stream of losses and returns advice text (or null).

import { fmt } from "./format.js";

/** The largest |value| among a trace's gradients (δ, ∂L/∂w, ∂L/∂b), or null without any. */
export function gradientScale(trace) {
  let max = null;
  for (const ev of (trace && trace.events) || []) {
    if (ev.quantity !== "delta" && ev.quantity !== "grad_w" && ev.quantity !== "grad_b") continue;
    if (!Number.isFinite(ev.value)) continue;
    max = Math.max(max ?? 0, Math.abs(ev.value));
  }
  return max;
}

/** What to try, for a network {reduction, learning_rate}: the mean over samples, a smaller η, smaller weights. */
export function remedies(net) {
  const tries = [];
  if (net && net.reduction === "sum") tries.push("the mean over samples instead of the sum (Over samples: mean)");
  tries.push(`a smaller learning rate η (now ${net ? net.learning_rate : "?"})`);
  tries.push("smaller initial weights (Scale), then Reset weights or Apply");
  return tries.join(", ");
}

/** The largest |δ| of each layer in a trace: Map l -> max |δ_j^l|. */
export function deltaScales(trace) {
  const out = new Map();
  for (const ev of (trace && trace.events) || []) {
    if (ev.quantity !== "delta" || !Number.isFinite(ev.value)) continue;
    out.set(ev.l, Math.max(out.get(ev.l) ?? 0, Math.abs(ev.value)));
  }
  return out;
}

/**
 * Advice when a layer's errors δ have vanished (all below `tiny`) while the shown sample's loss is not small: its
 * units sit in the flat ends of their activations and the updates below it no longer move anything. null if well.
 */
export function saturationAdvice(trace, net, tiny = 1e-7) {
  const loss = trace && trace.events ? trace.events.find((ev) => ev.quantity === "loss") : null;
  if (!loss || !(loss.value > 0.05)) return null;
  const flat = [...deltaScales(trace)].filter(([, d]) => d < tiny).sort((a, b) => a[0] - b[0]);
  if (!flat.length) return null;
  const [l, d] = flat[0];
  return `Saturated: in layer ${l} every δ is below ${fmt(Math.max(d, 1e-300), 1)} while this sample's loss is ${fmt(loss.value, loss.value >= 10 ? 1 : 3)}, so its units sit in the flat ends of their activation and the updates no longer change anything. Try ${remedies(net)}.`;
}

/**
 * Watches a training run's published losses: add(loss, net) returns advice while the loss stands at `factor` times
 * the run's lowest and above where the run began (a step too large), else null, so the note ends with its cause;
 * start() begins a new run or a new network.
 */
export function createLossWatch(factor = 3) {
  let first = null;
  let low = Infinity;
  return {
    start() {
      first = null;
      low = Infinity;
    },
    add(loss, net) {
      if (!Number.isFinite(loss)) return null;
      if (first == null) first = loss;
      // A loss still under the run's first one is training going on, however noisy: no note.
      const jumped = loss > first && loss > factor * Math.max(low, 1e-12) && loss - low > 1e-3;
      low = Math.min(low, loss);
      if (!jumped) return null;
      return `The loss jumped from ${fmt(low, 3)} to ${fmt(loss, 3)} during training: the steps overshoot. Try ${remedies(net)}.`;
    },
  };
}
