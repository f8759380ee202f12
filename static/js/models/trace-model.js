// Pure reading of a trace (POST /trace): what is known at step p, which events a step reads, and the layer/phase blocks.

export const PHASES = ["forward", "loss", "backward", "update"];

export const nodeKey = (l, j) => `${l}:${j}`;
export const edgeKey = (l, j, i) => `${l}:${j}:${i}`;

/** The node an event is about; grad_a events may name their node by j or by i. */
export function eventNode(ev) {
  if (ev.quantity === "grad_w" || ev.quantity === "w") return null;
  if (ev.quantity === "loss") return null;
  const j = ev.j ?? ev.i;
  return j == null ? null : { l: ev.l, j };
}

/** The edge an event is about (weight gradient or weight update), else null. */
export function eventEdge(ev) {
  if ((ev.quantity === "grad_w" || ev.quantity === "w") && ev.i != null) return { l: ev.l, j: ev.j, i: ev.i };
  return null;
}

/** The block a step belongs to: the same phase and the same layer. */
export const blockOf = (ev) => `${ev.phase}:${ev.l}`;

/** Everything computed by the first p events, plus the current event (events[p-1]) and its dependencies. */
export function stateAt(trace, p) {
  const nodes = new Map();
  const edges = new Map();
  const biases = new Map();
  let loss = null;
  const events = trace ? trace.events : [];
  const upto = Math.max(0, Math.min(p, events.length));
  for (let k = 0; k < upto; k += 1) {
    const ev = events[k];
    const edge = eventEdge(ev);
    if (edge) {
      const key = edgeKey(edge.l, edge.j, edge.i);
      const rec = edges.get(key) || {};
      rec[ev.quantity] = ev.value;
      edges.set(key, rec);
      continue;
    }
    if (ev.quantity === "loss") {
      loss = ev.value;
      continue;
    }
    if (ev.quantity === "grad_b" || ev.quantity === "b") {
      const key = nodeKey(ev.l, ev.j);
      const rec = biases.get(key) || {};
      rec[ev.quantity] = ev.value;
      biases.set(key, rec);
      continue;
    }
    const node = eventNode(ev);
    if (node) {
      const key = nodeKey(node.l, node.j);
      const rec = nodes.get(key) || {};
      rec[ev.quantity] = ev.value;
      nodes.set(key, rec);
    }
  }
  const current = upto > 0 ? events[upto - 1] : null;
  const deps = current ? (current.depends_on || []).map((id) => trace.byId.get(id)).filter(Boolean) : [];
  return { p: upto, current, deps, nodes, edges, biases, loss, phase: current ? current.phase : null };
}

/** Adds lookup tables to a trace once, so steps are cheap. */
export function prepareTrace(trace) {
  const byId = new Map();
  trace.events.forEach((ev) => byId.set(ev.id, ev));
  const phaseStart = {};
  const phaseEnd = {};
  trace.events.forEach((ev, k) => {
    if (!(ev.phase in phaseStart)) phaseStart[ev.phase] = k;
    phaseEnd[ev.phase] = k;
  });
  // Largest magnitudes over the whole trace, so colours keep their meaning from step to step.
  const maxAbs = { delta: 0, grad_w: 0, grad_a: 0 };
  for (const ev of trace.events) {
    if (ev.quantity in maxAbs && Number.isFinite(ev.value)) {
      maxAbs[ev.quantity] = Math.max(maxAbs[ev.quantity], Math.abs(ev.value));
    }
  }
  return { ...trace, byId, phaseStart, phaseEnd, maxAbs };
}

/** Position after finishing the block that holds the next event (p -> end of that layer's work). */
export function nextLayerPosition(trace, p) {
  const ev = trace.events;
  if (p >= ev.length) return ev.length;
  const key = blockOf(ev[p]);
  let k = p;
  while (k + 1 < ev.length && blockOf(ev[k + 1]) === key) k += 1;
  return k + 1;
}

/** Position at the start of the block of the current event (or of the block before, if already there). */
export function prevLayerPosition(trace, p) {
  const ev = trace.events;
  if (p <= 0) return 0;
  const key = blockOf(ev[p - 1]);
  let k = p - 1;
  while (k > 0 && blockOf(ev[k - 1]) === key) k -= 1;
  return k;
}

/** Position after finishing the phase that holds the next event. */
export function nextPhasePosition(trace, p) {
  const ev = trace.events;
  if (p >= ev.length) return ev.length;
  return trace.phaseEnd[ev[p].phase] + 1;
}

/** Position at the start of the phase of the current event (or of the phase before). */
export function prevPhasePosition(trace, p) {
  const ev = trace.events;
  if (p <= 0) return 0;
  return trace.phaseStart[ev[p - 1].phase];
}

/** A number for the screen: three decimals, or scientific for tiny and huge values, with a true minus sign. */
export function fmt(v, digits = 3) {
  if (v == null || Number.isNaN(v)) return "–";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  const a = Math.abs(v);
  if (a !== 0 && (a < 10 ** -digits || a >= 1e5)) return v.toExponential(2).replaceAll("-", "−");
  return v.toFixed(digits).replaceAll("-", "−");
}

/** Same as fmt but with an ASCII minus, for LaTeX and CSV. */
export function fmtPlain(v, digits = 3) {
  return fmt(v, digits).replaceAll("−", "-").replace("∞", "\\infty");
}
