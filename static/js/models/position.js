// The current position: which trace is shown and how many of its events are computed (p in 0..N). The one place
// that holds it; the player moves it, the views and the URL read it through onChange(p, how, from).

export function createPosition() {
  let trace = null;
  let p = 0;
  const listeners = [];

  const total = () => (trace ? trace.events.length : 0);
  const clamp = (q) => Math.max(0, Math.min(total(), Number.isFinite(q) ? Math.trunc(q) : 0));

  function emit(from, how) {
    for (const fn of listeners) fn(p, how, from);
  }

  return {
    get p() {
      return p;
    },
    get trace() {
      return trace;
    },
    get total() {
      return total();
    },
    /** Shows a (new) trace at position q, clamped; always reported, with how = "load". */
    load(newTrace, q = 0) {
      const from = p;
      trace = newTrace;
      p = clamp(q);
      emit(from, "load");
    },
    /** Moves to q (clamped); how says why: "step" | "back" | "seek" | "jump" | "play". False when nothing moved. */
    moveTo(q, how = "seek") {
      const next = clamp(q);
      if (next === p) return false;
      const from = p;
      p = next;
      emit(from, how);
      return true;
    },
    /** Calls fn(p, how, from) after every move; returns a function that stops the calls. */
    onChange(fn) {
      listeners.push(fn);
      return () => listeners.splice(listeners.indexOf(fn), 1);
    },
  };
}
