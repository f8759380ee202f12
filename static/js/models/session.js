// The walk-through's session: the network and sample the page shows, projector mode, the undo history of the
// network's parameters and the watch over a training run's losses. Pure: no DOM, no fetch.

import { createLossWatch } from "./health.js";
import { createHistory } from "./history.js";
import { createMeta } from "./meta.js";

/** How many samples net's data set holds (0 without one). */
export const sampleCount = (net) => (net && net.dataset && net.dataset.inputs ? net.dataset.inputs.length : 0);

/** sample kept inside net's data set. */
export const clampSample = (net, sample) => Math.min(sample, Math.max(0, sampleCount(net) - 1));

/** A weight {l, j, i} or, with bias: true, the bias b_j^l: its value in net. */
export const parameterValue = (net, { l, j, i, bias = false }) => (bias ? net.biases[l - 2][j - 1] : net.weights[l - 2][j - 1][i - 1]);

/** The parameter's name in the page's messages ("w12 in layer 2"). */
export const parameterName = ({ l, j, i, bias = false }) => (bias ? `b${j} in layer ${l}` : `w${j}${i} in layer ${l}`);

/**
 * The PATCH body that sets the parameter to what was typed: a non-number goes as null on purpose, so the server's
 * message names the rule.
 */
export function parameterPatch({ l, j, i, bias = false }, raw) {
  const typed = raw === "" ? NaN : Number(raw);
  const value = Number.isFinite(typed) ? typed : null;
  return bias ? { biases: [{ l, j, value }] } : { weights: [{ l, j, i, value }] };
}

/** The session of one page; `state` {network, sample, projector, meta} is read by the page's controllers. */
export function createSession() {
  const state = { network: null, sample: 0, projector: false, meta: createMeta(null) };
  const history = createHistory();
  const lossWatch = createLossWatch();

  return {
    state,
    history,
    /**
     * Makes net the current network. label names the change that led to it, for undo ("the edit of w12 in
     * layer 2"); record=false for an undo's own restore; fresh=true for a different network (the sample is kept
     * inside its data set).
     */
    commit(net, { label = "the last change", record = true, fresh = false } = {}) {
      if (record) history.seen(net, label);
      else history.adopt(net);
      state.network = net;
      if (fresh) state.sample = clampSample(net, state.sample);
      // a different network's losses are no measure for this one's
      if (fresh) lossWatch.start();
    },
    /** net as a training run reports it: shown, but not a change the history records. */
    progress(net) {
      state.network = net;
    },
    /** Goes on with the next sample of the data set, after the last one the first. */
    nextSample() {
      const count = sampleCount(state.network) || 1;
      state.sample = clampSample(state.network, (state.sample + 1) % count);
    },
    /** The snapshot an "undo" or "redo" restores, or null; revert(kind) puts it back if the server refuses. */
    travel: (kind) => (kind === "undo" ? history.undo() : history.redo()),
    revert: (kind) => history.revert(kind),
    /**
     * A training run's published progress {done, running, loss}: advice is the lecturer's note while the loss
     * stands jumped in this run, else null (the note goes with its cause, a new run or a new network).
     */
    trainingProgress(t) {
      if (t.done <= 0) lossWatch.start();
      const advice = t.running && t.loss != null ? lossWatch.add(t.loss, state.network) : null;
      return { advice };
    },
  };
}
