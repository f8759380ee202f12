// The training insights' controller: the optimizer choice (PATCH), the gradient norms and the two parameters' path
// that a training run records, the loss landscape (with picking two edges on the network figure), the gradient
// check, and batch versus one sample (per-sample gradients from /backward, online steps through the walk-through).

import { settle } from "../api.js";
import { eventEdge } from "../models/trace-model.js";
import {
  batchGradient, createPathRecorder, isBias, mergeNorms, normsFromBackward, paramLabel, paramValue, sampleBreakdown,
} from "../models/insights.js";

/**
 * deps: {api, say, guarded, network() (the current state), sample() (the sample the walk-through shows),
 *        isTraining(), held() (true, after saying so, while a class question is open: nothing changes the network),
 *        maxLimit(name), applyNetwork(net) (redraw with a changed network and reload its trace),
 *        nextSample() (walk.applyAndNextSample), charts (training-charts: setReference),
 *        views: {picker, norms, landscape, gradcheck, batch}}.
 */
export function createInsights(deps) {
  const { api, say, views } = deps;
  const held = deps.held || (() => false);
  const path = createPathRecorder();
  let rules = null; // the raw GET /api/meta answer
  let presets = [];
  let norms = [];
  let shown = { id: null, iteration: -1, shape: "" };
  let focus = null; // the parameter the gradcheck formula and the batch table show
  let picking = null; // [] or [ref] while the user picks two edges on the figure
  let backward = null; // the last /backward {samples: "all"} of the current weights
  let batchReq = 0;

  async function start() {
    const [m, p] = await Promise.all([settle(api.meta()), settle(api.listPresets())]);
    if (m.ok) {
      rules = m.value;
      views.picker.setOptimizers(rules.optimizers || []);
    }
    if (p.ok) presets = p.value;
    const net = deps.network();
    if (net) await network(net);
  }

  const presetOf = (net) => presets.find((p) => p.name === net.preset) || null;
  const limit = (name) => (rules && rules.limits && Number.isFinite(rules.limits[name]) ? rules.limits[name] : Infinity);

  // ---------- the network changed ----------

  /** Shows a (new or changed) network; a new network, or one set back to an earlier iteration, starts a new record. */
  async function network(net) {
    const shape = net.layers.join("-");
    const fresh = net.id !== shown.id || net.iteration < shown.iteration || shape !== shown.shape;
    shown = { id: net.id, iteration: net.iteration, shape };
    views.picker.show(net.optimizer);
    views.picker.setSamples(net.dataset && net.dataset.inputs ? net.dataset.inputs.length : 0);
    views.landscape.setLayers(net.layers);
    views.gradcheck.setLayers(net.layers);
    views.gradcheck.stale();
    views.batch.setLayers(net.layers);
    const preset = presetOf(net);
    deps.charts.setReference(preset && preset.reference ? preset.reference : null);
    if (fresh) {
      norms = [];
      path.reset();
      views.norms.draw(norms, net, presetNote(net));
      focus = focus && fits(focus, net) ? focus : { l: 2, j: 1, i: 1 };
    }
    path.add(net.iteration, net.weights, net.biases);
    showNextSample();
    await refreshBatch(net);
    if (!deps.isTraining()) await drawLandscape();
  }

  const fits = (ref, net) => ref.l <= net.layers.length && ref.j <= net.layers[ref.l - 1] && (isBias(ref) || ref.i <= net.layers[ref.l - 2]);

  function presetNote(net) {
    const p = presetOf(net);
    return p && /vanish|σ′/.test(p.description || "") ? `Preset “${p.name}”: ${p.description}` : "";
  }

  // ---------- training runs ----------

  /** Extra /train fields: gradient norms always, mini-batch size and seed for mode minibatch. */
  const trainExtras = (mode) => ({ gradient_norms: true, ...views.picker.trainExtras(mode) });

  /** The iterations a run must stop at so the table has the lecture's columns (xor), else none. */
  function marks(net) {
    const p = presetOf(net);
    return p && p.reference ? p.reference.iterations : [];
  }

  /** One /train chunk's answer: its gradient norms and the parameters it ended with. */
  function onChunk(res, net) {
    norms = mergeNorms(norms, res.gradient_norms);
    views.norms.draw(norms, net, presetNote(net));
    path.add(res.iteration, res.weights, res.biases);
    shown.iteration = res.iteration;
  }

  // ---------- optimizer ----------

  // one change at a time: a change still being applied must not redraw the picker over a later refusal
  let optimizerChange = Promise.resolve();
  function setOptimizer(spec) {
    optimizerChange = optimizerChange.catch(() => {}).then(() => changeOptimizer(spec));
    return optimizerChange;
  }

  async function changeOptimizer(spec) {
    const net = deps.network();
    if (!net || deps.isTraining() || held()) {
      if (net) views.picker.show(net.optimizer);
      return;
    }
    try {
      const updated = await api.patchNetwork(net.id, { optimizer: spec });
      views.picker.clearError();
      await deps.applyNetwork(updated);
      const { name, ...hp } = updated.optimizer;
      const values = Object.entries(hp).map(([k, v]) => `${k} = ${v}`).join(", ");
      say(`The update rule is now ${name}${values ? ` (${values})` : ""}; the trace's update steps show its formula.`, "info");
    } catch (err) {
      views.picker.show(net.optimizer);
      views.picker.showError(err.status === 422 ? `Not accepted: ${err.message.replace(/^422: /, "")}` : err.message);
    }
  }

  // ---------- focus: the parameter the gradcheck formula and the batch table show ----------

  function setFocus(ref) {
    const net = deps.network();
    if (!net || !fits(ref, net)) return;
    focus = ref;
    views.gradcheck.focus(ref);
    showBatch();
  }

  /** The walk-through moved: a step on a weight focuses that weight; the update phase readies the next sample. */
  function onPosition(st) {
    const edge = st && st.current ? eventEdge(st.current) : null;
    if (edge && (!focus || focus.l !== edge.l || focus.j !== edge.j || focus.i !== edge.i)) setFocus(edge);
    views.batch.ready(!!st && st.phase === "update");
  }

  // ---------- batch versus one sample ----------

  async function refreshBatch(net) {
    const n = net.dataset && net.dataset.inputs ? net.dataset.inputs.length : 0;
    backward = null;
    if (!n || n > limit("max_batch_detail")) {
      views.batch.say(n ? `The data set has ${n} samples; per-sample gradients are shown for up to ${limit("max_batch_detail")}.` : "");
      return;
    }
    const ask = (batchReq += 1);
    const res = await settle(api.backward(net.id, { samples: "all" }));
    if (ask !== batchReq) return;
    if (!res.ok) {
      say(`Reading the per-sample gradients failed: ${res.error.message}`);
      return;
    }
    backward = res.value;
    if (!norms.some((r) => r.iteration === net.iteration)) {
      // Before (or between) runs: this iteration's norms from the same numbers /train would record.
      norms = mergeNorms(norms, [normsFromBackward(backward, net.iteration)]);
      views.norms.draw(norms, net, presetNote(net));
    }
    if (focus) {
      views.gradcheck.focus(focus);
      showBatch();
    }
  }

  function showBatch() {
    const net = deps.network();
    if (!backward || !focus || !net) return;
    const b = sampleBreakdown(backward, focus, net.reduction);
    views.batch.show(focus, b, { reduction: net.reduction, inputs: net.dataset.inputs, current: deps.sample(), learningRate: net.learning_rate });
  }

  function showNextSample() {
    const net = deps.network();
    const count = net && net.dataset ? net.dataset.inputs.length : 0;
    views.batch.nextSample({ sample: deps.sample(), count, enabled: !!net && !deps.isTraining() });
  }

  async function nextSample() {
    const net = deps.network();
    if (!net || deps.isTraining() || held()) return;
    const was = deps.sample();
    const before = focus ? paramValue(net, focus) : null;
    const res = await deps.nextSample();
    if (!res) return;
    const after = deps.network();
    if (focus && before != null) {
      views.batch.say(`Sample #${was + 1}'s update moved ${paramLabel(focus)} from ${before.toFixed(5)} to ${paramValue(after, focus).toFixed(5)} (iteration ${after.iteration}); now the trace of sample #${deps.sample() + 1}.`);
    }
  }

  // ---------- the loss landscape ----------

  function pick(on) {
    picking = on ? [] : null;
    views.landscape.picking(on, on ? "Click the first edge of the network (its weight becomes x)." : null);
  }

  /** An edge click on the network figure; true when the landscape took it (else the weight editor opens). */
  function edgeClicked(edge) {
    if (!picking) return false;
    picking.push({ l: edge.l, j: edge.j, i: edge.i });
    if (picking.length === 1) {
      views.landscape.picking(true, `x = ${paramLabel(picking[0])}. Now click the second edge (y).`);
      return true;
    }
    const [x, y] = picking;
    picking = null;
    if (x.l === y.l && x.j === y.j && x.i === y.i) {
      views.landscape.picking(false, "That was the same edge twice: pick two different ones.");
      return true;
    }
    views.landscape.choose(x, y);
    views.landscape.picking(false, `x = ${paramLabel(x)}, y = ${paramLabel(y)}.`);
    drawLandscape();
    return true;
  }

  async function drawLandscape() {
    const net = deps.network();
    if (!net) return;
    const req = views.landscape.request(limit("max_landscape_resolution"));
    if (req.x.l === req.y.l && req.x.j === req.y.j && (req.x.i ?? null) === (req.y.i ?? null)) {
      views.landscape.say("Choose two different parameters.");
      return;
    }
    const body = { x: strip(req.x), y: strip(req.y), span: req.span, resolution: req.resolution };
    const [land, back] = await Promise.all([settle(api.landscape(net.id, body)), backward ? Promise.resolve({ ok: true, value: backward }) : settle(api.backward(net.id, { samples: "all" }))]);
    if (!land.ok) {
      views.landscape.say(`The landscape could not be computed: ${land.error.message}`);
      return;
    }
    const centre = (req.resolution - 1) / 2;
    const current = { x: paramValue(net, req.x), y: paramValue(net, req.y), loss: land.value.loss[centre][centre] };
    const grad = back.ok ? { x: batchGradient(back.value, req.x), y: batchGradient(back.value, req.y) } : null;
    await views.landscape.draw(land.value, { x: req.x, y: req.y }, path.path(req.x, req.y), current, grad);
  }

  const strip = (ref) => (isBias(ref) ? { l: ref.l, j: ref.j } : { l: ref.l, j: ref.j, i: ref.i });

  // ---------- gradient check ----------

  async function runGradcheck() {
    const net = deps.network();
    if (!net) return;
    views.gradcheck.busy(true);
    try {
      const res = await api.gradcheck(net.id, { samples: "all" });
      views.gradcheck.show(res);
      if (focus) views.gradcheck.focus(focus);
    } catch (err) {
      say(`The gradient check failed: ${err.message}`);
    } finally {
      views.gradcheck.busy(false);
    }
  }

  /** The current weights' per-sample gradients of one weight beside the batch's, or null before they are known. */
  function breakdown(ref) {
    const net = deps.network();
    if (!backward || !net || !fits(ref, net)) return null;
    return sampleBreakdown(backward, ref, net.reduction);
  }

  /** {optimizer: {...}} for a network created from the editor, or {} for plain SGD (the server's default). */
  function optimizerField() {
    const opt = views.picker.current;
    return opt && opt.name !== "sgd" ? { optimizer: opt } : {};
  }

  return {
    start, network, breakdown, optimizerField, trainExtras, marks, onChunk, setOptimizer, setFocus, onPosition, nextSample, pick,
    edgeClicked, drawLandscape, runGradcheck, showNextSample,
  };
}
