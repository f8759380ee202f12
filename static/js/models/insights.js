// The training insights' numbers: per-sample ∂L/∂w beside the batch's, gradient norms over a run, a parameter's
// value and name, the path two parameters took while training, the lecture's XOR table beside ours, the chunks a
// run is cut into, and how far backprop is from the difference quotient. Pure: no DOM, no fetch.

/** A weight {l, j, i} or a bias {l, j} (i null or missing), as the API names them. */
export const isBias = (ref) => ref.i == null;

/** The parameter's current value in a network state. */
export function paramValue(net, ref) {
  return isBias(ref) ? net.biases[ref.l - 2][ref.j - 1] : net.weights[ref.l - 2][ref.j - 1][ref.i - 1];
}

/** "w_ji^l" in plain text (w₁₂ of layer 3 is "w12^3"), or b_j^l. */
export function paramLabel(ref) {
  return isBias(ref) ? `b${ref.j}^${ref.l}` : `w${ref.j}${ref.i}^${ref.l}`;
}

/** The same name in LaTeX. */
export function paramTex(ref) {
  return isBias(ref) ? `b_{${ref.j}}^{${ref.l}}` : `w_{${ref.j}${ref.i}}^{${ref.l}}`;
}

export const refKey = (ref) => (isBias(ref) ? `b:${ref.l}:${ref.j}` : `w:${ref.l}:${ref.j}:${ref.i}`);

export function parseRef(key) {
  const [kind, l, j, i] = key.split(":");
  return kind === "b" ? { l: Number(l), j: Number(j), i: null } : { l: Number(l), j: Number(j), i: Number(i) };
}

/** Every weight, then every bias, in the API's order (layer by layer, row j, column i). */
export function allParams(layers, withBiases = true) {
  const out = [];
  for (let l = 2; l <= layers.length; l += 1) {
    for (let j = 1; j <= layers[l - 1]; j += 1) for (let i = 1; i <= layers[l - 2]; i += 1) out.push({ l, j, i });
  }
  if (withBiases) for (let l = 2; l <= layers.length; l += 1) for (let j = 1; j <= layers[l - 1]; j += 1) out.push({ l, j, i: null });
  return out;
}

// ---------- batch versus one sample ----------

/** One sample's layer record by its number l. */
const layerOf = (sample, l) => sample.layers.find((x) => x.l === l);

/**
 * Each sample's ∂L/∂w_ji^l = a_i^{l−1} δ_j^l (∂L/∂b_j^l = δ_j^l) from a /backward {samples: "all"} answer, beside
 * the batch's reduced value, which is their sum (reduction "sum") or their mean ("mean").
 */
export function sampleBreakdown(backward, ref, reduction) {
  const values = backward.per_sample.map((s) => {
    const delta = layerOf(s, ref.l).delta[ref.j - 1];
    return isBias(ref) ? delta : layerOf(s, ref.l - 1).a[ref.i - 1] * delta;
  });
  const sum = values.reduce((acc, v) => acc + v, 0);
  const mean = values.length ? sum / values.length : 0;
  const g = (backward.gradients || []).find((x) => x.l === ref.l);
  const batch = g ? (isBias(ref) ? g.grad_b[ref.j - 1] : g.grad_w[ref.j - 1][ref.i - 1]) : null;
  return { samples: backward.samples || values.map((_, n) => n), values, sum, mean, reduction, reduced: reduction === "mean" ? mean : sum, batch };
}

/** The batch's gradient of one parameter from a /backward answer's "gradients". */
export function batchGradient(backward, ref) {
  const g = (backward.gradients || []).find((x) => x.l === ref.l);
  if (!g) return null;
  return isBias(ref) ? g.grad_b[ref.j - 1] : g.grad_w[ref.j - 1][ref.i - 1];
}

/**
 * Where online training (one sample's update after another) ends compared with one batch update, for plain
 * gradient descent on the linearisation: the online updates each use the gradient at weights already moved,
 * the batch update uses all gradients at the same weights. Returns the sample whose gradient has the largest
 * share and whether the samples disagree in sign (then a single sample's step can point the other way).
 */
export function disagreement(values) {
  const pos = values.filter((v) => v > 0).length;
  const neg = values.filter((v) => v < 0).length;
  let largest = 0;
  values.forEach((v, n) => {
    if (Math.abs(v) > Math.abs(values[largest])) largest = n;
  });
  return { mixedSigns: pos > 0 && neg > 0, largest };
}

// ---------- gradient norms ----------

/** Adds a /train answer's gradient_norms to a run's records (sorted by iteration, one record per iteration). */
export function mergeNorms(records, incoming) {
  const byIt = new Map(records.map((r) => [r.iteration, r]));
  for (const r of incoming || []) byIt.set(r.iteration, r);
  return [...byIt.values()].sort((a, b) => a.iteration - b.iteration);
}

/** One series per layer for a chart: [{l, iterations, gradW, delta}], positive values only (log axis). */
export function normSeries(records) {
  const layers = new Map();
  for (const r of records) {
    for (const x of r.layers) {
      if (!layers.has(x.l)) layers.set(x.l, { l: x.l, iterations: [], gradW: [], delta: [] });
      const s = layers.get(x.l);
      s.iterations.push(r.iteration);
      s.gradW.push(x.grad_w > 0 ? x.grad_w : null);
      s.delta.push(x.delta > 0 ? x.delta : null);
    }
  }
  return [...layers.values()].sort((a, b) => a.l - b.l);
}

/**
 * The gradient norms of the weights a /backward {samples: "all"} answer was computed on: ‖∂L/∂W^l‖_F of the batch's
 * gradient and ‖δ^l‖_F over all samples and nodes, as /train records them (before training has run).
 */
export function normsFromBackward(backward, iteration) {
  const layers = (backward.gradients || []).map((g) => {
    const gw = Math.hypot(...g.grad_w.flat());
    let d2 = 0;
    for (const s of backward.per_sample) for (const v of layerOf(s, g.l).delta) d2 += v * v;
    return { l: g.l, grad_w: gw, delta: Math.sqrt(d2) };
  });
  return { iteration, layers };
}

/** How many times smaller the first weight layer's ‖∂L/∂W‖ is than the last's in one record (Infinity if 0). */
export function firstToLastRatio(record) {
  if (!record || record.layers.length < 2) return null;
  const ls = [...record.layers].sort((a, b) => a.l - b.l);
  const first = ls[0].grad_w;
  const last = ls[ls.length - 1].grad_w;
  if (first === 0) return Infinity;
  return last / first;
}

// ---------- the path of two parameters ----------

/** A run's recorded parameters: add(iteration, weights, biases) once per chunk; path(x, y) for two of them. */
export function createPathRecorder(maxPoints = 400) {
  let points = [];
  return {
    reset() {
      points = [];
    },
    add(iteration, weights, biases) {
      if (points.length && points[points.length - 1].iteration >= iteration) points = points.filter((p) => p.iteration < iteration);
      points.push({ iteration, weights, biases });
      if (points.length > maxPoints) points = points.filter((_, k) => k % 2 === 0 || k === points.length - 1);
    },
    get size() {
      return points.length;
    },
    /** The two parameters' values along the run: {iterations, xs, ys}. */
    path(x, y) {
      const val = (p, ref) => paramValue(p, ref);
      return { iterations: points.map((p) => p.iteration), xs: points.map((p) => val(p, x)), ys: points.map((p) => val(p, y)) };
    },
  };
}

/**
 * The −∇ arrow at the current point (cx, cy) along (−gx, −gy) in the parameters' own units, `frac` of a plot box
 * spanX wide and spanY high long (null when the gradient is 0).
 */
export function descentArrow(cx, cy, gx, gy, spanX = 1, spanY = 1, frac = 1) {
  const n = Math.hypot(gx / spanX, gy / spanY);
  if (!(n > 0) || !Number.isFinite(n)) return null;
  return { x0: cx, y0: cy, x1: cx - (frac * gx) / n, y1: cy - (frac * gy) / n };
}

/** The landscape's lowest point {x, y, loss} on the grid. */
export function gridMinimum(land) {
  let best = null;
  land.loss.forEach((row, r) => row.forEach((v, c) => {
    if (Number.isFinite(v) && (!best || v < best.loss)) best = { x: land.x_values[c], y: land.y_values[r], loss: v };
  }));
  return best;
}

// ---------- training chunks and the lecture's table ----------

/**
 * The sizes of a run's chunks from iteration `start` for `total` iterations, about `chunk` each, cut so that
 * every iteration in `marks` inside the run is the end of a chunk (so a snapshot is recorded exactly there).
 */
export function chunkPlan(start, total, chunk, marks = []) {
  const end = start + total;
  const stops = new Set(marks.filter((m) => m > start && m < end));
  for (let at = start + chunk; at < end; at += chunk) stops.add(at);
  stops.add(end);
  const sorted = [...stops].sort((a, b) => a - b);
  const sizes = [];
  let at = start;
  for (const s of sorted) {
    sizes.push(s - at);
    at = s;
  }
  return sizes;
}

/**
 * The lecture's table beside ours: one column per reference iteration with the lecture's outputs, ours where a
 * snapshot exists (else null) and ours − lecture. snapshots: Map iteration → outputs per sample.
 */
export function referenceColumns(reference, snapshots) {
  return reference.iterations.map((it, k) => {
    const lecture = reference.outputs[k];
    const ours = snapshots.has(it) ? snapshots.get(it) : null;
    const diff = ours ? lecture.map((row, n) => row.map((v, m) => ours[n][m] - v)) : null;
    return { iteration: it, lecture, ours, diff };
  });
}

// ---------- gradient check ----------

/** A relative error's class: "good" (≤ 1e-7), "fair" (≤ 1e-4) or "bad"; its place 0..1 on a log scale 1e-12..1. */
export function errorLevel(rel) {
  const cls = rel <= 1e-7 ? "good" : rel <= 1e-4 ? "fair" : "bad";
  const lg = rel > 0 ? Math.log10(rel) : -12;
  const t = Math.min(1, Math.max(0, (lg + 12) / 12));
  return { cls, t };
}

/** The gradcheck row of one parameter. */
export function checkOf(result, ref) {
  return result.parameters.find((p) => p.l === ref.l && p.j === ref.j && (p.i ?? null) === (ref.i ?? null)) || null;
}

// ---------- several classes ----------

/** The class (0-based) with the largest output, per output vector. */
export const argmax = (o) => o.reduce((best, v, k) => (v > o[best] ? k : best), 0);
