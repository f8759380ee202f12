// The training panel's numbers: which snapshot columns the table shows, and the input grid the decision boundary
// is evaluated on. Pure; the charts view draws them.

export const GRID = 41; // decision-boundary grid is GRID x GRID points

/** The iterations to show as columns: all of them up to `max`, else the first, the last and those nearest to
 *  even steps between (like the lecture's 0, 1,000, ..., 10,000). */
export function shownIterations(iterations, max) {
  const its = [...iterations].sort((a, b) => a - b);
  if (its.length <= max) return its;
  const first = its[0];
  const last = its[its.length - 1];
  const out = [];
  for (let k = 0; k < max; k += 1) {
    const goal = first + ((last - first) * k) / (max - 1);
    out.push(its.reduce((best, it) => (Math.abs(it - goal) < Math.abs(best - goal) ? it : best), first));
  }
  return [...new Set(out)];
}

/** The grid the boundary needs for a 2-input data set ({xs, ys, inputs} row by row), or null. */
export function boundaryGrid(network) {
  const ds = network.dataset;
  if (network.layers[0] !== 2 || !ds || !ds.inputs || !ds.inputs.length) return null;
  const xs0 = ds.inputs.map((p) => p[0]);
  const ys0 = ds.inputs.map((p) => p[1]);
  const pad = (lo, hi) => {
    const m = Math.max(0.25, 0.15 * (hi - lo));
    return [lo - m, hi + m];
  };
  const [x0, x1] = pad(Math.min(...xs0), Math.max(...xs0));
  const [y0, y1] = pad(Math.min(...ys0), Math.max(...ys0));
  const lin = (a, b) => Array.from({ length: GRID }, (_, k) => a + ((b - a) * k) / (GRID - 1));
  const xs = lin(x0, x1);
  const ys = lin(y0, y1);
  const inputs = [];
  for (const y of ys) for (const x of xs) inputs.push([x, y]);
  return { xs, ys, inputs };
}
