// The walk-through's requests: loading a network and its trace into the session and the position model, the
// editor's and the weight popup's changes, undo and redo, and the lecturer's health notes. Draws through the views given.

import { fmt } from "../models/format.js";
import { saturationAdvice } from "../models/health.js";
import { restoreBody } from "../models/history.js";
import { parameterName, parameterPatch, parameterValue } from "../models/session.js";
import { prepareTrace } from "../models/trace-model.js";

/**
 * deps: {api, session (models/session.js), position, player, stepper, editor, weightPopup, say, guarded,
 *        showDiverged(net), isTraining(), onFreshNetwork(net) (the training panel), health (createHealthNote)}.
 */
export function createWalkthrough(deps) {
  const { api, session, position, player, stepper, editor, say, guarded } = deps;
  const state = session.state;
  const showHistory = () => stepper.history && stepper.history(session.history);

  // ---------- network and trace ----------

  /**
   * Makes net the current network; fresh=true when it is a different network (resets the training panel).
   * label names the change that led to net, for undo ("the edit of w₁₂²"); record=false for an undo's own restore.
   */
  async function setNetwork(net, { fresh = true, training = true, label = "the last change", record = true } = {}) {
    session.commit(net, { label, record, fresh });
    showHistory();
    stepper.network(net);
    deps.showDiverged(net);
    if (fresh && deps.health) deps.health.show("jump", null);
    if (fresh) {
      editor.fill(net);
      stepper.samples(net, state.sample);
      if (training) await deps.onFreshNetwork(net);
    }
  }

  /** Loads the trace of the current network and sample at `at`; traceReq: a settle()d trace request under way. */
  async function loadTrace(at = 0, traceReq = null) {
    const net = state.network;
    let trace = null;
    try {
      const got = traceReq ? await traceReq : null;
      trace = prepareTrace(got && got.ok ? got.value : await api.trace(net.id, { sample: state.sample }));
    } catch (err) {
      say(`Computing the trace failed: ${err.message}`);
    }
    player.pause();
    position.load(trace, at);
    if (deps.health) deps.health.show("saturation", saturationAdvice(trace, net));
  }

  /** A training run's published progress: a loss that jumps gets the lecturer's attention while it stays up. */
  function trainingProgress(t) {
    if (!t || !deps.health) return;
    deps.health.show("jump", session.trainingProgress(t).advice);
  }

  async function loadPreset(name) {
    if (deps.isTraining()) return;
    await guarded("Creating the network", async () => {
      const net = await api.createNetwork({ preset: name });
      state.sample = 0;
      await setNetwork(net);
      await loadTrace(0);
      say(`New network from the “${name}” preset.`, "info");
    });
  }

  async function applyEditor(spec, structural) {
    if (deps.isTraining()) return;
    try {
      const net = structural
        ? await api.createNetwork(spec)
        : await api.patchNetwork(state.network.id, { learning_rate: spec.learning_rate, dataset: spec.dataset });
      if (structural) state.sample = 0;
      const keep = structural ? 0 : position.p;
      await setNetwork(net);
      editor.showWarnings(net.warnings || []);
      await loadTrace(keep);
      const unreachable = net.warnings && net.warnings.length ? " Some targets cannot be reached: see the editor." : "";
      say(`${structural ? "Built a new network from the editor." : "Updated the learning rate and the data set."}${unreachable}`, "info");
    } catch (err) {
      if (err.status === 422 || err.status === 413) editor.showServerError(err);
      else say(`Applying the editor failed: ${err.message}`);
    }
  }

  /** Opens the popup on a weight {l, j, i} or, with bias: true, on the bias b_j^l. */
  function editWeight({ l, j, i, bias = false, clientX, clientY }) {
    if (!state.network || deps.isTraining()) return;
    player.pause();
    const value = parameterValue(state.network, { l, j, i, bias });
    deps.weightPopup.open({ l, j, i, bias, value, clientX, clientY });
  }

  async function submitWeight(param, raw) {
    const name = parameterName(param);
    try {
      const net = await api.patchNetwork(state.network.id, parameterPatch(param, raw));
      deps.weightPopup.close();
      await setNetwork(net, { fresh: false, label: `the edit of ${name}` });
      await deps.onFreshNetwork(net);
      await loadTrace(position.p);
      say(`${name} is now ${fmt(parameterValue(net, param), 4)}; the trace was recomputed.`, "info");
    } catch (err) {
      deps.weightPopup.showError(err);
    }
  }

  /** Online SGD by hand: applies the shown sample's update (POST /step), then shows the next sample's trace. */
  async function applyAndNextSample() {
    const net = state.network;
    if (!net || deps.isTraining()) return null;
    return guarded("Applying the update", async () => {
      const res = await api.step(net.id, { sample: state.sample });
      const updated = await api.getNetwork(net.id);
      await setNetwork(updated, { fresh: false, label: "the update step" });
      session.nextSample();
      stepper.samples(updated, state.sample);
      await deps.onFreshNetwork(updated);
      await loadTrace(0);
      return res;
    });
  }

  /** Undo ("undo") or redo ("redo") of edits, steps and training runs: the server puts the parameters back. */
  async function undoRedo(kind) {
    if (!state.network || deps.isTraining()) return;
    const target = session.travel(kind);
    if (!target) {
      say(kind === "undo" ? "Nothing to undo." : "Nothing to redo.", "info");
      return;
    }
    player.pause();
    try {
      const net = await api.patchNetwork(target.id, restoreBody(target));
      await setNetwork(net, { fresh: false, record: false });
      await deps.onFreshNetwork(net);
      await loadTrace(position.p);
      say(`${kind === "undo" ? "Undid" : "Redid"} ${target.label}: back at iteration ${net.iteration}.`, "info");
    } catch (err) {
      session.revert(kind);
      showHistory();
      say(`${kind === "undo" ? "Undoing" : "Redoing"} failed: ${err.message}`);
    }
  }

  /** Draws the initial weights again (same init and seed), iteration 0; undo brings the trained ones back. */
  async function resetWeights() {
    if (!state.network || deps.isTraining()) return;
    player.pause();
    await guarded("Resetting the weights", async () => {
      const net = await api.patchNetwork(state.network.id, { reset: true });
      await setNetwork(net, { fresh: false, label: "the reset" });
      await deps.onFreshNetwork(net);
      await loadTrace(0);
      say("Back to the initial weights, iteration 0 (Ctrl+Z brings the previous ones back).", "info");
    });
  }

  function setSample(sample) {
    state.sample = sample;
    // Same step, other sample: the class can compare the two sets of numbers directly.
    return guarded("Loading the sample", () => loadTrace(position.p));
  }

  return {
    setNetwork,
    loadTrace,
    loadPreset,
    applyEditor,
    editWeight,
    submitWeight,
    setSample,
    applyAndNextSample,
    trainingProgress,
    undo: () => undoRedo("undo"),
    redo: () => undoRedo("redo"),
    resetWeights,
  };
}
