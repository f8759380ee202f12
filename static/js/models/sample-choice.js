// Which sample a walk-through opens on when no link names one: the one with the largest loss when the losses are
// known, else the first whose inputs are all non-zero (so no weight's gradient is 0 for lack of input), else 0.
// Pure: no DOM, no fetch.

/** inputs: the data set's input rows; losses: each sample's loss, or null. Returns {sample, reason}. */
export function chooseSample(inputs, losses = null) {
  const rows = Array.isArray(inputs) ? inputs : [];
  if (Array.isArray(losses) && losses.length === rows.length && losses.length > 0 && losses.every(Number.isFinite)) {
    let best = 0;
    losses.forEach((v, k) => {
      if (v > losses[best]) best = k;
    });
    return { sample: best, reason: "largest loss" };
  }
  const k = rows.findIndex((row) => row.length > 0 && row.every((v) => v !== 0));
  if (k >= 0) return { sample: k, reason: "all inputs non-zero" };
  return { sample: 0, reason: "first sample" };
}

/** The sentence that tells the user which sample the walk-through starts on and why (sample is 0-based). */
export function describeChoice({ sample, reason }, inputs) {
  const x = inputs && inputs[sample] ? ` x = (${inputs[sample].join(", ")})` : "";
  if (reason === "largest loss") return `Starting on sample ${sample + 1},${x}: the one with the largest loss.`;
  if (reason === "all inputs non-zero") return `Starting on sample ${sample + 1},${x}: its inputs are all non-zero, so every weight gets a gradient.`;
  return `Starting on sample ${sample + 1}.`;
}
