// The server's rules (GET /api/meta), which the page asks instead of keeping its own lists: the activations, losses,
// optimizers, quantities, limits and the quiz's tolerance. Pure lookups over the JSON; no DOM, no fetch.

const nameOf = (x) => (typeof x === "string" ? x : x && x.name);

/** Wraps the /api/meta answer (null when it could not be loaded: every list is empty and no limit applies). */
export function createMeta(raw) {
  const m = raw || {};
  const activations = m.activations || [];
  const losses = m.losses || [];
  const quantities = new Map((m.quantities || []).map((q) => [q.name, q]));
  const limits = m.limits || {};
  const limit = (name) => (Number.isFinite(limits[name]) ? limits[name] : Infinity);

  return {
    loaded: !!raw,
    limit,
    /** Activation names a layer may use: output-only ones (softmax) are offered on the output layer only. */
    activationNames(output) {
      return activations.filter((a) => output || !a.output_only).map((a) => a.name);
    },
    activation: (name) => activations.find((a) => a.name === name) || null,
    isOutputOnly: (name) => !!(activations.find((a) => a.name === name) || {}).output_only,
    lossNames: () => losses.map((l) => l.name),
    loss: (name) => losses.find((l) => l.name === name) || null,
    /** Whether loss `name` accepts output activation `act` (a loss without an `outputs` list takes any). */
    lossAccepts(name, act) {
      const loss = losses.find((l) => l.name === name);
      return !loss || loss.outputs == null || loss.outputs.includes(act);
    },
    optimizer: (name) => (m.optimizers || []).find((o) => o.name === name) || (m.optimizers || [])[0] || null,
    quantity: (name) => quantities.get(name) || null,
    /** "diverging" or "sequential": how a quantity's colour is read; signed quantities default to diverging. */
    scaleOf(name) {
      const q = quantities.get(name);
      return q && q.scale ? q.scale : "diverging";
    },
    initSchemes: () => (m.init_schemes || []).map(nameOf).filter(Boolean),
    trainModes: () => (m.train_modes || []).map(nameOf).filter(Boolean),
    reductions: () => (m.reductions || []).map(nameOf).filter(Boolean),
    /** The quiz's tolerance {relative, absolute} from `quiz`, or null when the server gives none. */
    quizTolerance() {
      const q = m.quiz || {};
      const ok = Number.isFinite(q.relative_tolerance) && Number.isFinite(q.absolute_tolerance);
      return ok ? { relative: q.relative_tolerance, absolute: q.absolute_tolerance } : null;
    },
  };
}
