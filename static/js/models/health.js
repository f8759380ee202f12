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
 * Watches a training run's published losses: add(loss) returns advice once the loss climbs to `factor` times the
 * lowest loss of the run so far (a step too large), else null; start() begins a new run.
 */
export function createLossWatch(factor = 3) {
  let low = Infinity;
  let told = false;
  return {
    start() {
      low = Infinity;
      told = false;
    },
    add(loss, net) {
      if (!Number.isFinite(loss)) return null;
      const jumped = low < Infinity && loss > factor * Math.max(low, 1e-12) && loss - low > 1e-3;
      low = Math.min(low, loss);
      if (!jumped || told) return null;
      told = true;
      return `The loss jumped from ${fmt(low, 3)} to ${fmt(loss, 3)} during training: the steps overshoot. Try ${remedies(net)}.`;
    },
  };
}
