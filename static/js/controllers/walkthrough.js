// The walk-through: which network and sample the page shows, loading their trace into the position model, and showing
// every move of the position on the figure, the formula panel and the player bar. Also the editor's and the
// weight popup's requests. Reads and writes through api.js; draws only through the views it is given.

import { fmt } from "../models/format.js";
import { createLossWatch, saturationAdvice } from "../models/health.js";
import { createHistory, restoreBody } from "../models/history.js";
import { prepareTrace, stateAt, sweptPhase } from "../models/trace-model.js";

/**
 * deps: {api, position, player, figure, formula, stepper, editor, weightPopup, say, guarded,
 *        showDiverged(net), isTraining(), onFreshNetwork(net) (the training panel), health (createHealthNote),
 *        onMoved(p, st, how) (the URL; the room too, unless st is null: only the view changed; how as position's)}.
 */
export function createWalkthrough(deps) {
  const { api, position, player, figure, formula, stepper, editor, say, guarded } = deps;
  const state = { network: null, sample: 0, projector: false, meta: null };
  const history = createHistory();
  const showHistory = () => stepper.history && stepper.history(history);

  // ---------- drawing the current position ----------

  let queued = null;
  let lastDraw = Promise.resolve(); // settles when the last queued network drawing is on screen

  function draw(st, animate = 0, wave = null) {
    if (!state.network) return lastDraw;
    const training = deps.isTraining();
    const model = {
      wave,
      network: state.network,
      trace: training ? null : position.trace,
      state: training ? stateAt(null, 0) : st,
      projector: state.projector,
      animate,
    };
    // Coalesce bursts (holding →, dragging the scrubber) into one Plotly call per frame; a merged burst has no pulses.
    if (queued) {
      queued.model = { ...model, animate: 0 };
      return lastDraw;
    }
    queued = { model };
    lastDraw = new Promise((resolve) => {
      requestAnimationFrame(() => {
        const { model: m } = queued;
        queued = null;
        figure.render(m).catch((err) => say(`Drawing the network failed: ${err.message}`)).then(resolve);
      });
    });
    return lastDraw;
  }

  const redraw = () => draw(stateAt(deps.isTraining() ? null : position.trace, position.p));

  position.onChange((p, how, from) => {
    const trace = position.trace;
    const st = stateAt(trace, p);
    stepper.show(trace, p, st);
    formula.render({ state: st, trace, network: state.network, sample: state.sample, meta: state.meta });
    const wave = how === "jump" ? sweptPhase(trace, from, p) : null;
    draw(st, how === "step" || how === "play" ? player.stepDuration() : 0, wave);
    deps.onMoved(p, st, how);
  });

  // ---------- network and trace ----------

  /**
   * Makes net the current network; fresh=true when it is a different network (resets the training panel).
   * label names the change that led to net, for undo ("the edit of w₁₂²"); record=false for an undo's own restore.
   */
  async function setNetwork(net, { fresh = true, training = true, label = "the last change", record = true } = {}) {
    if (record) history.seen(net, label);
    else history.adopt(net);
    showHistory();
    state.network = net;
    stepper.network(net);
    deps.showDiverged(net);
    if (fresh) {
      editor.fill(net);
      state.sample = stepper.samples(net, state.sample);
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

  const lossWatch = createLossWatch();
  /** A training run's published progress: a loss that jumps gets the lecturer's attention, once per run. */
  function trainingProgress(t) {
    if (!t || !deps.health) return;
    if (t.done <= 0 || !t.running) lossWatch.start();
    if (t.done <= 0) deps.health.show("jump", null);
    if (t.running && t.loss != null) {
      const advice = lossWatch.add(t.loss, state.network);
      if (advice) deps.health.show("jump", advice);
    }
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
      await loadTrace(keep);
      say(structural ? "Built a new network from the editor." : "Updated the learning rate and the data set.", "info");
    } catch (err) {
      if (err.status === 422 || err.status === 413) editor.showServerError(err);
      else say(`Applying the editor failed: ${err.message}`);
    }
  }

  /** Opens the popup on a weight {l, j, i} or, with bias: true, on the bias b_j^l. */
  function editWeight({ l, j, i, bias = false, clientX, clientY }) {
    if (!state.network || deps.isTraining()) return;
    player.pause();
    const value = bias ? state.network.biases[l - 2][j - 1] : state.network.weights[l - 2][j - 1][i - 1];
    deps.weightPopup.open({ l, j, i, bias, value, clientX, clientY });
  }

  async function submitWeight({ l, j, i, bias = false }, raw) {
    const value = raw === "" ? NaN : Number(raw);
    // A non-number goes as null on purpose: the server's message names the rule.
    const v = Number.isFinite(value) ? value : null;
    const name = bias ? `b${j} in layer ${l}` : `w${j}${i} in layer ${l}`;
    try {
      const net = await api.patchNetwork(state.network.id, bias ? { biases: [{ l, j, value: v }] } : { weights: [{ l, j, i, value: v }] });
      deps.weightPopup.close();
      await setNetwork(net, { fresh: false, label: `the edit of ${name}` });
      await deps.onFreshNetwork(net);
      await loadTrace(position.p);
      const now = bias ? net.biases[l - 2][j - 1] : net.weights[l - 2][j - 1][i - 1];
      say(`${name} is now ${fmt(now, 4)}; the trace was recomputed.`, "info");
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
      const count = net.dataset && net.dataset.inputs ? net.dataset.inputs.length : 1;
      const updated = await api.getNetwork(net.id);
      await setNetwork(updated, { fresh: false, label: "the update step" });
      state.sample = stepper.samples(updated, (state.sample + 1) % count);
      await deps.onFreshNetwork(updated);
      await loadTrace(0);
      return res;
    });
  }

  /** Undo ("undo") or redo ("redo") of edits, steps and training runs: the server puts the parameters back. */
  async function undoRedo(kind) {
    if (!state.network || deps.isTraining()) return;
    const target = kind === "undo" ? history.undo() : history.redo();
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
      history.revert(kind);
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

  function setProjector(on) {
    state.projector = on;
    stepper.projector(on);
    deps.onMoved(position.p, null);
    // The layout changes size; the ResizeObserver redraws with projector-sized nodes and lines.
    redraw();
  }

  return {
    state,
    get lastDraw() {
      return lastDraw;
    },
    redraw,
    setNetwork,
    loadTrace,
    loadPreset,
    applyEditor,
    editWeight,
    submitWeight,
    setSample,
    applyAndNextSample,
    setProjector,
    trainingProgress,
    undo: () => undoRedo("undo"),
    redo: () => undoRedo("redo"),
    resetWeights,
  };
}
