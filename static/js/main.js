// The composition root: owns the page state (network, trace, position, modes), talks to api.js and hands the
// results to the views. Only this module knows every other one.

import * as api from "./api.js";
import { bindControls, renderKeyLegend } from "./controls.js";
import { createEditor } from "./editor.js";
import { createFormulaPanel, formulaPanelElements, tex } from "./formula.js";
import { createNetworkView } from "./network-view.js";
import { SPEEDS, createPlayer } from "./player.js";
import { createPublisher, followRoom, openRoom } from "./room.js";
import { fmt, prepareTrace, stateAt } from "./trace-model.js";
import { createTrainingView } from "./training.js";

const $ = (id) => document.getElementById(id);

const state = {
  network: null,
  trace: null,
  sample: 0,
  projector: false,
  training: null, // {total, done, paused, stop, resume} while a training run is going
  room: null, // {code, joinUrl, qrUrl, publisher, stop} while this page presents to a classroom room
};

// ---------- messages ----------

/** Shows a readable message in the page; errors stay until dismissed, notes fade. */
function say(text, kind = "error", { timeout } = {}) {
  const box = $("messages");
  const item = document.createElement("div");
  item.className = `message message-${kind}`;
  item.setAttribute("role", kind === "error" ? "alert" : "status");
  const span = document.createElement("span");
  span.textContent = text;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "icon-btn";
  close.textContent = "×";
  close.setAttribute("aria-label", "Dismiss message");
  close.addEventListener("click", () => item.remove());
  item.append(span, close);
  box.append(item);
  while (box.children.length > 3) box.firstElementChild.remove();
  const ms = timeout ?? (kind === "error" ? 0 : 4000);
  if (ms) setTimeout(() => item.remove(), ms);
  return item;
}

/** Runs an async action and turns any failure into a page message instead of a console error. */
async function guarded(what, fn) {
  try {
    return await fn();
  } catch (err) {
    say(`${what}: ${err.message || err}`);
    return undefined;
  }
}

function showDiverged(net) {
  const banner = $("diverged");
  if (net && net.diverged) {
    // The server's message already says what to do; only a bare flag needs our advice.
    banner.textContent = net.message
      ? `This network has diverged: ${net.message}`
      : "This network has diverged. Lower the learning rate, or rebuild it.";
    banner.hidden = false;
  } else {
    banner.hidden = true;
  }
}

// ---------- views ----------

const view = createNetworkView($("network-figure"), { onEdgeClick: openWeightEditor });
const formula = createFormulaPanel(formulaPanelElements(), { onSeek: (p) => player.seek(p) });
const training = createTrainingView({
  lossChart: $("loss-chart"),
  lossEmpty: $("loss-empty"),
  table: $("snapshot-table"),
  tableNote: $("snapshot-note"),
  progress: $("train-progress"),
  progressText: $("train-progress-text"),
  boundary: $("boundary-chart"),
  boundaryWrap: $("boundary-wrap"),
  boundaryNote: $("boundary-note"),
});
const editor = createEditor(
  {
    root: $("editor"),
    form: $("editor-form"),
    presetSelect: $("preset-select"),
    presetDesc: $("preset-desc"),
    presetLoad: $("preset-load"),
    layers: $("layer-list"),
    addLayer: $("add-layer"),
    loss: $("loss-select"),
    reduction: $("reduction-select"),
    lr: $("lr-input"),
    initScheme: $("init-select"),
    initScale: $("init-scale"),
    initScaleRow: $("init-scale-row"),
    seed: $("seed-input"),
    dataset: $("dataset-input"),
    csvHint: $("csv-hint"),
  },
  { onPreset: loadPreset, onApply: applyEditor },
);

const player = createPlayer({
  onChange: (p, how) => showPosition(p, how),
  onPlayState: (playing) => {
    const b = $("btn-play");
    b.setAttribute("aria-label", playing ? "Pause (Space)" : "Play (Space)");
    b.setAttribute("aria-pressed", String(playing));
  },
});

// ---------- drawing the current position ----------

let drawQueued = null;
let lastDraw = Promise.resolve(); // settles when the last queued network drawing is on screen

let shownP = 0;

/** The phase whose whole sweep a jump just computed (so the figure can replay it as a wave), else null. */
function sweptPhase(from, to) {
  const t = state.trace;
  if (!t || to <= from) return null;
  for (const phase of ["backward", "forward"]) {
    if (t.phaseStart[phase] != null && from <= t.phaseStart[phase] && to > t.phaseEnd[phase]) return phase;
  }
  return null;
}

function showPosition(p, how) {
  const wave = how === "jump" ? sweptPhase(shownP, p) : null;
  shownP = p;
  const st = stateAt(state.trace, p);
  const total = state.trace ? state.trace.events.length : 0;
  const scrub = $("scrubber");
  scrub.max = String(total);
  scrub.value = String(p);
  scrub.setAttribute("aria-valuetext", `step ${p} of ${total}`);
  $("step-label").textContent = `${p} / ${total}`;
  document.querySelectorAll(".phase-btn").forEach((b) => {
    const ph = b.dataset.phase;
    const active = st.phase === ph;
    const done = state.trace && p > 0 && state.trace.phaseEnd[ph] != null && state.trace.phaseEnd[ph] < p;
    b.classList.toggle("active", active);
    b.classList.toggle("done", !!done && !active);
    b.setAttribute("aria-current", active ? "step" : "false");
  });
  $("loss-readout").textContent = st.loss != null ? `ℒ = ${fmt(st.loss, 4)}` : state.trace ? "ℒ = ?" : "";
  formula.render({ state: st, trace: state.trace, network: state.network, sample: state.sample });
  const animate = how === "step" || how === "play" ? player.stepDuration() : 0;
  drawNetwork(st, animate, wave);
  updateUrl();
  if (state.network) publishRoom({ network_id: state.network.id, sample: state.sample, position: p, ...(st.phase ? { phase: st.phase } : {}) });
}

function drawNetwork(st, animate = 0, wave = null) {
  if (!state.network) return;
  const model = {
    wave,
    network: state.network,
    trace: state.training ? null : state.trace,
    state: state.training ? stateAt(null, 0) : st,
    projector: state.projector,
    animate,
  };
  // Coalesce bursts (holding →, dragging the scrubber) into one Plotly call per frame.
  if (drawQueued) {
    drawQueued.model = model;
    return lastDraw;
  }
  drawQueued = { model };
  lastDraw = new Promise((resolve) => {
    requestAnimationFrame(() => {
      const { model: m } = drawQueued;
      drawQueued = null;
      view.render(m).catch((err) => say(`Drawing the network failed: ${err.message}`)).then(resolve);
    });
  });
  return lastDraw;
}

function redraw() {
  return drawNetwork(stateAt(state.training ? null : state.trace, player.position));
}

// ---------- URL ----------

function updateUrl() {
  if (!state.network) return;
  const q = new URLSearchParams();
  q.set("net", state.network.id);
  q.set("sample", String(state.sample));
  q.set("step", String(player.position));
  if (state.projector) q.set("projector", "1");
  const url = `${location.pathname}?${q.toString()}`;
  if (url !== `${location.pathname}${location.search}`) history.replaceState(null, "", url);
}

function readUrl() {
  const q = new URLSearchParams(location.search);
  const int = (name) => {
    const v = Number.parseInt(q.get(name) ?? "", 10);
    return Number.isFinite(v) && v >= 0 ? v : null;
  };
  return { net: q.get("net"), sample: int("sample"), step: int("step"), projector: q.get("projector") === "1" };
}

// ---------- network and trace ----------

function describeNetwork(net) {
  const acts = [...new Set(net.activations)].join("/");
  const name = net.preset ? net.preset.toUpperCase() : "custom";
  return `${name} · ${net.layers.join("–")} · ${acts} · ${net.loss === "mse" ? "squared error" : "cross-entropy"} · η = ${net.learning_rate} · iteration ${net.iteration.toLocaleString("en-US")}`;
}

function fillSamples(net) {
  const sel = $("sample-select");
  sel.textContent = "";
  const ds = net.dataset;
  const n = ds && ds.inputs ? ds.inputs.length : 0;
  for (let k = 0; k < Math.min(n, 200); k += 1) {
    const x = ds.inputs[k].map((v) => fmt(v, 2)).join(", ");
    const t = ds.targets[k].map((v) => fmt(v, 2)).join(", ");
    sel.append(new Option(`#${k + 1}: x = (${x}) → t = (${t})`, String(k)));
  }
  state.sample = Math.min(state.sample, Math.max(0, n - 1));
  sel.value = String(state.sample);
}

/** Makes net the current network; fresh=true when it is a different network (resets the training panel). */
async function setNetwork(net, { fresh = true, training: withTraining = true } = {}) {
  state.network = net;
  $("net-info").textContent = describeNetwork(net);
  showDiverged(net);
  if (fresh) {
    editor.fill(net);
    fillSamples(net);
    if (withTraining) await refreshTrainingPanel(net);
  }
}

/** Redraws the training panel for net; forwardReq: a settle()d forward request already under way, if any. */
async function refreshTrainingPanel(net, forwardReq = null) {
  let outputs = null;
  let loss = null;
  const res = await (forwardReq || settle(api.forward(net.id, { samples: "all" })));
  if (res.ok) {
    outputs = res.value.outputs;
    loss = res.value.loss;
  } else {
    say(`Reading the network's outputs failed: ${res.error.message}`);
  }
  await training.reset(net, outputs, loss);
  await updateBoundary();
}

async function updateBoundary() {
  const net = state.network;
  const grid = training.boundaryGrid(net);
  if (!grid) {
    training.hideBoundary(net.layers[0] === 2 ? "" : "The decision boundary is drawn for data sets with 2 inputs.");
    return;
  }
  try {
    // One /predict call for the whole grid (41 x 41 rows), not one request per point.
    const res = await api.predict(net.id, grid.inputs);
    await training.drawBoundary(grid, res.outputs);
  } catch (err) {
    training.hideBoundary("");
    say(`Drawing the decision boundary failed: ${err.message}`);
  }
}

/** Loads the trace of the current network and sample; traceReq: a settle()d trace request already under way. */
async function loadTrace(position = 0, traceReq = null) {
  const net = state.network;
  try {
    const got = traceReq ? await traceReq : null;
    const raw = got && got.ok ? got.value : await api.trace(net.id, { sample: state.sample });
    state.trace = prepareTrace(raw);
  } catch (err) {
    state.trace = null;
    say(`Computing the trace failed: ${err.message}`);
  }
  player.load(state.trace, position);
}

async function loadPreset(name) {
  if (state.training) return;
  await guarded("Creating the network", async () => {
    const net = await api.createNetwork({ preset: name });
    state.sample = 0;
    await setNetwork(net);
    await loadTrace(0);
    say(`New network from the “${name}” preset.`, "info");
  });
}

async function applyEditor(spec, structural) {
  if (state.training) return;
  try {
    let net;
    if (structural) {
      net = await api.createNetwork(spec);
      state.sample = 0;
    } else {
      net = await api.patchNetwork(state.network.id, { learning_rate: spec.learning_rate, dataset: spec.dataset });
    }
    const keep = structural ? 0 : player.position;
    await setNetwork(net);
    await loadTrace(keep);
    say(structural ? "Built a new network from the editor." : "Updated the learning rate and the data set.", "info");
  } catch (err) {
    if (err.status === 422 || err.status === 413) editor.showServerError(err);
    else say(`Applying the editor failed: ${err.message}`);
  }
}

// ---------- editing one weight ----------

let editing = null;

function openWeightEditor({ l, j, i, clientX, clientY }) {
  if (!state.network || state.training) return;
  player.pause();
  editing = { l, j, i };
  const pop = $("weight-editor");
  const input = $("weight-input");
  tex($("weight-symbol"), `w_{${j}${i}}^{${l}}`);
  tex($("weight-label"), `\\text{from } ${l - 1 === 1 ? `x_{${i}}` : `a_{${i}}^{${l - 1}}`} \\text{ to } a_{${j}}^{${l}}`);
  $("weight-error").textContent = "";
  $("weight-error").hidden = true;
  input.value = String(state.network.weights[l - 2][j - 1][i - 1]);
  input.removeAttribute("aria-invalid");
  pop.hidden = false;
  const box = pop.getBoundingClientRect();
  const x = Math.min(window.innerWidth - box.width - 12, Math.max(12, (clientX ?? window.innerWidth / 2) + 12));
  const y = Math.min(window.innerHeight - box.height - 12, Math.max(12, (clientY ?? window.innerHeight / 2) + 12));
  pop.style.left = `${x}px`;
  pop.style.top = `${y}px`;
  input.focus();
  input.select();
}

function closeWeightEditor() {
  $("weight-editor").hidden = true;
  editing = null;
}

async function submitWeight(e) {
  e.preventDefault();
  if (!editing) return;
  const raw = $("weight-input").value.trim();
  const value = raw === "" ? NaN : Number(raw);
  const { l, j, i } = editing;
  try {
    // A non-number goes as null on purpose: the server's message names the rule.
    const net = await api.patchNetwork(state.network.id, { weights: [{ l, j, i, value: Number.isFinite(value) ? value : null }] });
    closeWeightEditor();
    await setNetwork(net, { fresh: false });
    await refreshTrainingPanel(net);
    await loadTrace(player.position);
    say(`w${j}${i} of layer ${l} is now ${fmt(net.weights[l - 2][j - 1][i - 1], 4)}; the trace was recomputed.`, "info");
  } catch (err) {
    const box = $("weight-error");
    box.textContent = Array.isArray(err.detail) ? err.detail.map((d) => d.msg).join("; ") : err.message;
    box.hidden = false;
    $("weight-input").setAttribute("aria-invalid", "true");
  }
}

// ---------- training ----------

function setTrainingUi(running, paused = false) {
  $("train-start").disabled = running;
  $("train-pause").disabled = !running;
  $("train-stop").disabled = !running;
  $("train-pause").textContent = paused ? "Resume" : "Pause";
  $("train-pause").setAttribute("aria-label", paused ? "Resume training" : "Pause training");
  document.body.classList.toggle("is-training", running);
  document.querySelectorAll(".player button, #scrubber, #sample-select").forEach((b) => {
    b.disabled = running;
  });
}

async function runTraining() {
  if (!state.network || state.training) return;
  const total = Math.max(1, Math.min(100000, Number.parseInt($("train-iterations").value, 10) || 1000));
  const mode = $("train-mode").value;
  player.pause();
  // About 20 chunks: the curve, table and boundary move visibly, and every call stays short.
  const chunk = Math.max(10, Math.min(500, Math.round(total / 20)));
  const run = { total, done: 0, paused: false, stop: false, resume: null };
  state.training = run;
  setTrainingUi(true);
  redraw();
  const start = state.network.iteration;
  try {
    while (run.done < total && !run.stop) {
      if (run.paused) {
        await new Promise((resolve) => {
          run.resume = resolve;
        });
        continue;
      }
      const n = Math.min(chunk, total - run.done);
      const res = await api.train(state.network.id, { iterations: n, mode, record_every: n });
      run.done += n;
      state.network = { ...state.network, weights: res.weights, biases: res.biases, iteration: res.iteration, diverged: res.diverged, message: res.message };
      $("net-info").textContent = describeNetwork(state.network);
      await training.addChunk(res);
      training.setProgress(run.done, total, `${run.done.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} iterations · ${mode}`);
      const lastLoss = (res.loss_history || []).at(-1);
      publishRoom({ training: { done: run.done, total, running: true, loss: lastLoss ? lastLoss[1] : null } });
      redraw();
      await updateBoundary();
      if (res.diverged) {
        showDiverged(state.network);
        break;
      }
    }
    training.setProgress(run.done, total, `Trained ${(state.network.iteration - start).toLocaleString("en-US")} iterations; the network is at iteration ${state.network.iteration.toLocaleString("en-US")}.`);
  } catch (err) {
    say(`Training failed: ${err.message}`);
  } finally {
    state.training = null;
    setTrainingUi(false);
    publishRoom({ training: null });
    await guarded("Reloading the network", async () => {
      const net = await api.getNetwork(state.network.id);
      await setNetwork(net, { fresh: false });
    });
    await loadTrace(Math.min(player.position, Number.MAX_SAFE_INTEGER));
  }
}

function togglePause() {
  const run = state.training;
  if (!run) return;
  run.paused = !run.paused;
  setTrainingUi(true, run.paused);
  if (!run.paused && run.resume) {
    const r = run.resume;
    run.resume = null;
    r();
  }
  training.setProgress(run.done, run.total, run.paused ? `Paused at ${run.done.toLocaleString("en-US")} / ${run.total.toLocaleString("en-US")}` : "Resuming…");
}

function stopTraining() {
  const run = state.training;
  if (!run) return;
  run.stop = true;
  if (run.resume) {
    const r = run.resume;
    run.resume = null;
    r();
  }
}

// ---------- classroom room ----------

/** Sends the presenter's position to the room's followers; a no-op when not presenting. */
function publishRoom(fields) {
  if (state.room) state.room.publisher.publish(fields);
}

async function startRoom() {
  const created = await openRoom(state.network.id);
  const publisher = createPublisher(created.code, created.presenter_token, {
    onError: (err) => say(`The room did not get the last move: ${err.message}`),
  });
  const badge = $("room-badge");
  // Watch our own room without counting as a follower, to show how many students follow.
  const stop = followRoom(created.code, (s) => {
    badge.textContent = `Room ${created.code} · ${s.followers} following`;
  }, { count: false });
  state.room = { code: created.code, joinUrl: new URL(created.join_url, location.href).href, qrUrl: created.qr_url, publisher, stop };
  badge.textContent = `Room ${created.code}`;
  badge.hidden = false;
  $("btn-share").setAttribute("aria-pressed", "true");
  $("btn-share").textContent = "Sharing";
  publishRoom({ network_id: state.network.id, sample: state.sample, position: player.position });
}

function fillRoomDialog() {
  const r = state.room;
  $("room-code").textContent = r.code;
  $("room-link").textContent = r.joinUrl;
  $("room-link").href = r.joinUrl;
  $("room-qr").src = r.qrUrl;
}

async function toggleRoomDialog(force) {
  const dialog = $("room-dialog");
  const open = force === undefined ? dialog.hidden : force;
  if (!open) {
    dialog.hidden = true;
    return;
  }
  if (!state.network) return;
  if (!state.room) {
    try {
      await startRoom();
    } catch (err) {
      say(`Opening a room failed: ${err.message}`);
      return;
    }
  }
  fillRoomDialog();
  dialog.hidden = false;
}

function stopRoom() {
  if (state.room) state.room.stop();
  state.room = null;
  $("room-badge").hidden = true;
  $("btn-share").setAttribute("aria-pressed", "false");
  $("btn-share").textContent = "Share";
  $("room-dialog").hidden = true;
  say("Stopped sharing: followers keep the last position.", "info");
}

// ---------- projector, keys, exports ----------

function setProjector(on) {
  state.projector = on;
  document.body.classList.toggle("projector", on);
  // On the root too, so every rem in the style sheet grows with the projector's type size.
  document.documentElement.classList.toggle("projector", on);
  const b = $("btn-projector");
  b.setAttribute("aria-pressed", String(on));
  b.textContent = on ? "Exit projector" : "Projector";
  updateUrl();
  // The layout changes size; the ResizeObserver redraws with projector-sized nodes and lines.
  redraw();
}

function toggleKeys(force) {
  const legend = $("key-legend");
  legend.hidden = force === undefined ? !legend.hidden : !force;
  $("btn-keys").setAttribute("aria-expanded", String(!legend.hidden));
}

function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function exportTrace() {
  if (!state.trace) {
    say("There is no trace to export yet.");
    return;
  }
  const { byId, phaseStart, phaseEnd, maxAbs, ...plain } = state.trace;
  const payload = { network: state.network, sample: state.sample, position: player.position, trace: plain };
  download(`deltaflow-trace-${state.network.id}-sample${state.sample + 1}.json`, JSON.stringify(payload, null, 2), "application/json");
}

function exportCsv() {
  const csv = training.csv();
  if (!csv) {
    say("There is no snapshot table to export yet.");
    return;
  }
  download(`deltaflow-snapshots-${state.network.id}.csv`, csv, "text/csv");
}

// ---------- wiring ----------

function stepGuard(fn) {
  return () => {
    if (state.training) return;
    fn();
  };
}

const handlers = {
  next: stepGuard(() => player.next()),
  prev: stepGuard(() => player.prev()),
  nextLayer: stepGuard(() => player.nextLayer()),
  prevLayer: stepGuard(() => player.prevLayer()),
  nextPhase: stepGuard(() => player.nextPhase()),
  prevPhase: stepGuard(() => player.prevPhase()),
  first: stepGuard(() => player.first()),
  last: stepGuard(() => player.last()),
  togglePlay: stepGuard(() => player.toggle()),
  seek: (p) => player.seek(p),
  setSpeed: (s) => player.setSpeed(s),
  faster: () => {
    $("speed-select").value = String(player.faster());
  },
  slower: () => {
    $("speed-select").value = String(player.slower());
  },
  toggleProjector: () => setProjector(!state.projector),
  toggleKeys: () => toggleKeys(),
  escape: () => {
    closeWeightEditor();
    toggleKeys(false);
    toggleRoomDialog(false);
  },
};

function wire() {
  const speed = $("speed-select");
  for (const s of SPEEDS) speed.append(new Option(`${s}×`, String(s), false, s === 1));
  bindControls({
    buttons: {
      "btn-first": handlers.first,
      "btn-prev-phase": handlers.prevPhase,
      "btn-prev-layer": handlers.prevLayer,
      "btn-prev": handlers.prev,
      "btn-play": handlers.togglePlay,
      "btn-next": handlers.next,
      "btn-next-layer": handlers.nextLayer,
      "btn-next-phase": handlers.nextPhase,
      "btn-last": handlers.last,
      "btn-projector": handlers.toggleProjector,
      "btn-keys": handlers.toggleKeys,
      "btn-keys-close": () => toggleKeys(false),
      "btn-share": () => toggleRoomDialog(),
      "room-close": () => toggleRoomDialog(false),
      "room-stop": stopRoom,
      "btn-export-png": () => guarded("Exporting the figure", () => view.downloadPNG()),
      "btn-export-trace": exportTrace,
      "btn-export-csv": exportCsv,
      "train-start": () => runTraining(),
      "train-pause": togglePause,
      "train-stop": stopTraining,
      "weight-cancel": closeWeightEditor,
    },
    scrubber: $("scrubber"),
    speed,
    handlers,
  });
  document.querySelectorAll(".phase-btn").forEach((b) => {
    b.addEventListener("click", () => !state.training && player.toPhase(b.dataset.phase));
  });
  $("sample-select").addEventListener("change", (e) => {
    state.sample = Number(e.target.value);
    // Same step, other sample: the class can compare the two sets of numbers directly.
    guarded("Loading the sample", () => loadTrace(player.position));
  });
  $("weight-form").addEventListener("submit", submitWeight);
  $("loss-log").addEventListener("change", (e) => training.setLogScale(e.target.checked));
  renderKeyLegend($("key-list"));
  let resizeTimer = null;
  new ResizeObserver(() => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => view.resize().catch((err) => say(`Redrawing the network failed: ${err.message}`)), 60);
  }).observe($("network-figure"));
  // Last line of defence: anything unexpected is shown in the page, not only in the console.
  window.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    say(`Unexpected error: ${e.reason && e.reason.message ? e.reason.message : e.reason}`);
  });
}

/** Resolves true once plotly.min.js (loaded async, see base.html) has run, false if it failed to load. */
function plotlyReady() {
  if (window.Plotly) return Promise.resolve(true);
  const el = document.getElementById("plotly-js");
  // An async script holds back the window's load event, so a complete document without Plotly means it failed.
  if (!el || document.readyState === "complete") return Promise.resolve(false);
  return new Promise((resolve) => {
    el.addEventListener("load", () => resolve(!!window.Plotly), { once: true });
    el.addEventListener("error", () => resolve(false), { once: true });
  });
}

/** A promise that never rejects: {ok, value} or {ok: false, error}, so a request can start before anyone awaits it. */
const settle = (promise) => promise.then((value) => ({ ok: true, value }), (error) => ({ ok: false, error }));

async function start() {
  // Start-up requests go out at once and in parallel, while plotly.min.js is still downloading and evaluating:
  // presets, the network, then its trace and outputs. The network figure is drawn first, the training panel after.
  const url = readUrl();
  const wantSample = url.sample ?? 0;
  const presetsReq = settle(api.listPresets());
  const linkedReq = url.net ? settle(api.getNetwork(url.net)) : null;
  const linkedTraceReq = url.net ? settle(api.trace(url.net, { sample: wantSample })) : null;
  const xorReq = url.net ? null : settle(api.createNetwork({ preset: "xor" }));
  const plotly = plotlyReady();
  wire();
  if (!(await plotly)) {
    say("plotly.js did not load (/vendor/plotly.min.js); the figures cannot be drawn.");
    return;
  }
  if (url.projector) setProjector(true);
  const presets = await presetsReq; // long back by now; the editor needs them before it is filled
  if (presets.ok) editor.setPresets(presets.value);
  else say(`Loading the presets: ${presets.error.message || presets.error}`);
  let net = null;
  let traceReq = null;
  if (url.net) {
    const got = await linkedReq;
    if (got.ok) {
      net = got.value;
      traceReq = linkedTraceReq;
    } else {
      const err = got.error;
      say(err.status === 404 ? "The network in this link no longer exists; here is a fresh XOR network instead." : `Loading the linked network failed: ${err.message}`);
    }
  }
  if (!net) {
    const created = await (xorReq || settle(api.createNetwork({ preset: "xor" })));
    if (!created.ok) {
      say(`Creating the XOR network: ${created.error.message || created.error}`);
      return;
    }
    net = created.value;
  }
  state.sample = url.net && net.id === url.net && url.sample != null ? url.sample : 0;
  const forwardReq = settle(api.forward(net.id, { samples: "all" }));
  if (!traceReq) traceReq = settle(api.trace(net.id, { sample: state.sample }));
  await setNetwork(net, { training: false });
  // fillSamples clamps the sample to the data set: a trace asked for another sample is asked again.
  const sampleAsked = net.id === url.net ? wantSample : 0;
  let traceDone = false;
  traceReq.then(() => {
    traceDone = true;
  });
  await Promise.resolve();
  if (!traceDone) await redraw(); // the network now, its trace when it comes
  await loadTrace(url.net && net.id === url.net && url.step != null ? url.step : 0, state.sample === sampleAsked ? traceReq : null);
  await lastDraw;
  await refreshTrainingPanel(net, forwardReq);
  document.body.dataset.ready = "true";
}

start();
