// Pure reading of a trace (POST /trace): what is known at step p, which events a step reads, the layer/phase blocks,
// and the new weights the update events carry. No DOM; the numbers are the server's, never recomputed here.

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

// The last state read from each trace: playing forward reads p, p + 1, ..., so each state starts from the one
// before it instead of replaying the whole trace (a 6 × 16 network's trace has thousands of events).
const lastState = new WeakMap();

/** Everything computed by the first p events, plus the current event (events[p-1]) and its dependencies. */
export function stateAt(trace, p) {
  const events = trace ? trace.events : [];
  const upto = Math.max(0, Math.min(p, events.length));
  const before = trace ? lastState.get(trace) : null;
  const from = before && before.p <= upto ? before : null;
  // the earlier state's maps and records are left as they were: whoever holds that state still reads it
  const nodes = new Map(from ? from.nodes : []);
  const edges = new Map(from ? from.edges : []);
  const biases = new Map(from ? from.biases : []);
  let loss = from ? from.loss : null;
  const put = (map, key, quantity, value) => map.set(key, { ...map.get(key), [quantity]: value });
  for (let k = from ? from.p : 0; k < upto; k += 1) {
    const ev = events[k];
    const edge = eventEdge(ev);
    if (edge) {
      put(edges, edgeKey(edge.l, edge.j, edge.i), ev.quantity, ev.value);
      continue;
    }
    if (ev.quantity === "loss") {
      loss = ev.value;
      continue;
    }
    if (ev.quantity === "grad_b" || ev.quantity === "b") {
      put(biases, nodeKey(ev.l, ev.j), ev.quantity, ev.value);
      continue;
    }
    const node = eventNode(ev);
    if (node) put(nodes, nodeKey(node.l, node.j), ev.quantity, ev.value);
  }
  const current = upto > 0 ? events[upto - 1] : null;
  const deps = current ? (current.depends_on || []).map((id) => trace.byId.get(id)).filter(Boolean) : [];
  const state = { p: upto, current, deps, nodes, edges, biases, loss, phase: current ? current.phase : null };
  if (trace) lastState.set(trace, state);
  return state;
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
  // The weight update events' values are the new weights (w − η ∂L/∂w, computed once by the server).
  const updated = new Map();
  for (const ev of trace.events) {
    if (ev.quantity in maxAbs && Number.isFinite(ev.value)) {
      maxAbs[ev.quantity] = Math.max(maxAbs[ev.quantity], Math.abs(ev.value));
    }
    if (ev.phase === "update" && ev.quantity === "w") updated.set(edgeKey(ev.l, ev.j, ev.i), ev.value);
  }
  return { ...trace, byId, phaseStart, phaseEnd, maxAbs, updated };
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

/**
 * The position that shows the next computation of node (l, j) after position p ("loss" for the loss node): the
 * first such event from p on, else the first from the start; null if the trace never computes it.
 */
export function nextPositionOfNode(trace, p, l, j) {
  const ev = trace ? trace.events : [];
  const hit = (e) => {
    if (l === "loss") return e.quantity === "loss";
    const n = eventNode(e);
    return !!n && n.l === l && n.j === j;
  };
  for (let k = Math.max(0, p); k < ev.length; k += 1) if (hit(ev[k])) return k + 1;
  for (let k = 0; k < Math.min(p, ev.length); k += 1) if (hit(ev[k])) return k + 1;
  return null;
}

/** Position at the start of the phase of the current event (or of the phase before). */
export function prevPhasePosition(trace, p) {
  const ev = trace.events;
  if (p <= 0) return 0;
  return trace.phaseStart[ev[p - 1].phase];
}

/** The new value of w_ji^l after this trace's update (from its update event), or null without one. */
export function updatedWeight(trace, l, j, i) {
  const v = trace && trace.updated ? trace.updated.get(edgeKey(l, j, i)) : undefined;
  return v === undefined ? null : v;
}

/** The phase whose whole sweep a jump from `from` to `to` just computed (the figure replays it as a wave), else null. */
export function sweptPhase(trace, from, to) {
  if (!trace || to <= from) return null;
  for (const phase of ["backward", "forward"]) {
    if (trace.phaseStart[phase] != null && from <= trace.phaseStart[phase] && to > trace.phaseEnd[phase]) return phase;
  }
  return null;
}

/** The trace without its lookup tables, as the JSON export writes it. */
export function plainTrace(trace) {
  const { byId, phaseStart, phaseEnd, maxAbs, updated, ...plain } = trace;
  return plain;
}
