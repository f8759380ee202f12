// Undo and redo of a network's parameters: a stack of snapshots (weights, biases, iteration, optimizer state) of
// one network, taken before each edit, step or training run. Pure: restoring goes through the API elsewhere.

/** The part of a network state that an undo puts back (what PATCH {"restore": ...} accepts), with its id. */
export function snapshotOf(net) {
  return {
    id: net.id,
    weights: net.weights,
    biases: net.biases,
    iteration: net.iteration ?? 0,
    optimizer_state: net.optimizer_state || {},
  };
}

/** True if two snapshots hold the same parameters and progress. */
export function sameSnapshot(a, b) {
  if (!a || !b || a.id !== b.id || a.iteration !== b.iteration) return false;
  return JSON.stringify([a.weights, a.biases, a.optimizer_state]) === JSON.stringify([b.weights, b.biases, b.optimizer_state]);
}

/** The body of PATCH /api/networks/{id} that puts a snapshot back. */
export function restoreBody(s) {
  return { restore: { weights: s.weights, biases: s.biases, iteration: s.iteration, optimizer_state: s.optimizer_state } };
}

/**
 * The undo history of the network on screen. seen(net) is called with every committed network state: a change of
 * parameters pushes the state before it (and drops the redo branch); another network starts a new history.
 * undo()/redo() return the snapshot to restore (or null) and move it across; `limit` caps the stack.
 */
export function createHistory(limit = 100) {
  let past = [];
  let future = [];
  let now = null; // the snapshot on screen

  return {
    seen(net, label = "") {
      const s = snapshotOf(net);
      if (!now || now.id !== s.id) {
        past = [];
        future = [];
      } else if (!sameSnapshot(now, s)) {
        past.push({ ...now, label });
        if (past.length > limit) past.shift();
        future = [];
      }
      now = s;
    },
    /** The snapshot an undo restores, or null; the state on screen goes to the redo stack. */
    undo() {
      if (!past.length || !now) return null;
      const back = past.pop();
      future.push({ ...now, label: back.label });
      now = back;
      return back;
    },
    redo() {
      if (!future.length || !now) return null;
      const ahead = future.pop();
      past.push({ ...now, label: ahead.label });
      now = ahead;
      return ahead;
    },
    /** Puts the stacks back as they were before an undo or redo the server refused. */
    revert(kind) {
      if (kind === "undo" && future.length) {
        past.push(now);
        now = future.pop();
      } else if (kind === "redo" && past.length) {
        future.push(now);
        now = past.pop();
      }
    },
    /** After a restore the server answers with the restored state: it is the state on screen, nothing is pushed. */
    adopt(net) {
      now = snapshotOf(net);
    },
    get canUndo() {
      return past.length > 0;
    },
    get canRedo() {
      return future.length > 0;
    },
    get nextUndo() {
      return past.length ? past[past.length - 1].label : "";
    },
    get nextRedo() {
      return future.length ? future[future.length - 1].label : "";
    },
  };
}
