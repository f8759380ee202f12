// The main page's composition root: builds the models, views and controllers and wires them together; the one
// module that knows every other one. Behaviour lives in the modules; here are only the connections and start-up.

import * as api from "./api.js";
import { settle } from "./api.js";
import { bindControls, renderKeyLegend } from "./controllers/keys.js";
import { createExports } from "./controllers/exports.js";
import { createLesson } from "./controllers/lesson.js";
import { createPresenting } from "./controllers/presenting.js";
import { createTrainingRun } from "./controllers/training-run.js";
import { readUrl, writeUrl } from "./controllers/url-sync.js";
import { ruleLabel } from "./models/format.js";
import { createMeta } from "./models/meta.js";
import { SPEEDS, createPlayer } from "./models/player.js";
import { createPosition } from "./models/position.js";
import * as room from "./room.js";
import { createKeyLegend, createRoomDialog, createWeightPopup, showDiverged } from "./views/dialogs.js";
import { createEditor, editorElements } from "./views/editor.js";
import { createFormulaPanel, formulaPanelElements } from "./views/formula-panel.js";
import { catchStrays, createMessages, onResize, plotlyReady } from "./views/messages.js";
import { createNetworkView } from "./views/network-view.js";
import { createStepper } from "./views/stepper.js";
import { createTrainingView, trainingElements } from "./views/training-charts.js";

const $ = (id) => document.getElementById(id);
let meta = createMeta(null); // replaced by the server's rules at start-up

// ---------- models and views ----------

const { say, guarded } = createMessages($("messages"));
const position = createPosition();
const stepper = createStepper();
const player = createPlayer(position, { onPlayState: (on) => stepper.playing(on) });
const figure = createNetworkView($("network-figure"), {
  onEdgeClick: (edge) => lesson.editWeight(edge),
  scaleOf: (quantity) => meta.scaleOf(quantity),
});
const formula = createFormulaPanel(formulaPanelElements(), { onSeek: (p) => player.seek(p) });
const charts = createTrainingView(trainingElements());
const editor = createEditor(editorElements(), {
  onPreset: (name) => lesson.loadPreset(name),
  onApply: (spec, structural) => lesson.applyEditor(spec, structural),
});
const weightPopup = createWeightPopup({ onSubmit: (edge, raw) => lesson.submitWeight(edge, raw) });
const roomDialog = createRoomDialog();
const keyLegend = createKeyLegend();

// ---------- controllers ----------

const current = () => ({ network: lesson.state.network, sample: lesson.state.sample, p: position.p, trace: position.trace });
const lesson = createLesson({
  api, position, player, figure, formula, stepper, editor, weightPopup, say, guarded, showDiverged,
  isTraining: () => training.running,
  onFreshNetwork: (net) => training.refresh(net),
  onMoved: (p, st) => {
    const { network, sample, projector } = lesson.state;
    if (network) writeUrl({ net: network.id, sample, step: p, projector });
    if (st) presenting.publishPosition(st);
  },
});
const training = createTrainingRun({
  api, charts, stepper, say,
  maxIterations: () => meta.limit("max_iterations"),
  network: () => lesson.state.network,
  beforeStart: () => player.pause(),
  onProgress: (net) => {
    lesson.state.network = net;
    stepper.network(net);
    lesson.redraw();
  },
  onDiverged: showDiverged,
  publish: (fields) => presenting.publish(fields),
  onDone: async (net) => {
    await guarded("Reloading the network", async () => lesson.setNetwork(await api.getNetwork(net.id), { fresh: false }));
    await lesson.loadTrace(position.p);
  },
});
const presenting = createPresenting({ room, dialog: roomDialog, say, current });
const exporter = createExports({ figure, charts, say, guarded, current });

// ---------- controls ----------

const unlessTraining = (fn) => () => !training.running && fn();
const handlers = {
  next: unlessTraining(player.next),
  prev: unlessTraining(player.prev),
  nextLayer: unlessTraining(player.nextLayer),
  prevLayer: unlessTraining(player.prevLayer),
  nextPhase: unlessTraining(player.nextPhase),
  prevPhase: unlessTraining(player.prevPhase),
  first: unlessTraining(player.first),
  last: unlessTraining(player.last),
  togglePlay: unlessTraining(player.toggle),
  seek: (p) => player.seek(p),
  setSpeed: (s) => player.setSpeed(s),
  faster: () => stepper.speed(player.faster()),
  slower: () => stepper.speed(player.slower()),
  toggleProjector: () => lesson.setProjector(!lesson.state.projector),
  toggleKeys: () => keyLegend.toggle(),
  escape: () => {
    weightPopup.close();
    keyLegend.toggle(false);
    presenting.toggle(false);
  },
};

function wire() {
  stepper.speeds(SPEEDS, player.speed);
  bindControls({
    buttons: {
      "btn-first": handlers.first, "btn-prev-phase": handlers.prevPhase, "btn-prev-layer": handlers.prevLayer,
      "btn-prev": handlers.prev, "btn-play": handlers.togglePlay, "btn-next": handlers.next,
      "btn-next-layer": handlers.nextLayer, "btn-next-phase": handlers.nextPhase, "btn-last": handlers.last,
      "btn-projector": handlers.toggleProjector, "btn-keys": handlers.toggleKeys, "btn-keys-close": () => keyLegend.toggle(false),
      "btn-share": () => presenting.toggle(), "room-close": () => presenting.toggle(false), "room-stop": presenting.stop,
      "btn-export-png": exporter.png, "btn-export-trace": exporter.trace, "btn-export-csv": exporter.csv,
      "train-start": training.start, "train-pause": training.togglePause, "train-stop": training.stop,
    },
    scrubber: $("scrubber"),
    speed: $("speed-select"),
    handlers,
  });
  document.querySelectorAll(".phase-btn").forEach((b) => {
    b.addEventListener("click", () => !training.running && player.toPhase(b.dataset.phase));
  });
  $("sample-select").addEventListener("change", (e) => lesson.setSample(Number(e.target.value)));
  $("loss-log").addEventListener("change", (e) => charts.setLogScale(e.target.checked));
  renderKeyLegend($("key-list"));
  onResize($("network-figure"), () => figure.resize().catch((err) => say(`Redrawing the network failed: ${err.message}`)));
  catchStrays(say);
}

// ---------- start-up ----------

async function start() {
  // Every start-up request goes out at once, in parallel, while plotly.min.js is still downloading and evaluating:
  // the rules, the presets, the network, its trace and outputs. The figure is drawn first, the training panel after.
  const url = readUrl();
  const wantSample = url.sample ?? 0;
  const metaReq = settle(api.meta());
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
  if (url.projector) lesson.setProjector(true);
  const [rules, presets] = await Promise.all([metaReq, presetsReq]); // long back by now; the editor needs both
  if (rules.ok) meta = createMeta(rules.value);
  else say(`Loading the rules (/api/meta): ${rules.error.message || rules.error}`);
  lesson.state.meta = meta;
  editor.setMeta(meta);
  stepper.trainLimits(meta.limit("max_iterations"), meta.trainModes(), ruleLabel);
  if (presets.ok) editor.setPresets(presets.value);
  else say(`Loading the presets: ${presets.error.message || presets.error}`);
  let net = null;
  let traceReq = null;
  if (url.net) {
    const got = await linkedReq;
    if (got.ok) [net, traceReq] = [got.value, linkedTraceReq];
    else say(got.error.status === 404 ? "The network in this link no longer exists; here is a fresh XOR network instead." : `Loading the linked network failed: ${got.error.message}`);
  }
  if (!net) {
    const created = await (xorReq || settle(api.createNetwork({ preset: "xor" })));
    if (!created.ok) return say(`Creating the XOR network: ${created.error.message || created.error}`);
    net = created.value;
  }
  const linked = url.net && net.id === url.net;
  lesson.state.sample = linked && url.sample != null ? url.sample : 0;
  const forwardReq = settle(api.forward(net.id, { samples: "all" }));
  if (!traceReq) traceReq = settle(api.trace(net.id, { sample: lesson.state.sample }));
  await lesson.setNetwork(net, { training: false });
  // setNetwork clamps the sample to the data set: a trace asked for another sample is asked again.
  const sampleAsked = linked ? wantSample : 0;
  let traceDone = false;
  traceReq.then(() => {
    traceDone = true;
  });
  await Promise.resolve();
  if (!traceDone) await lesson.redraw(); // the network now, its trace when it comes
  await lesson.loadTrace(linked && url.step != null ? url.step : 0, lesson.state.sample === sampleAsked ? traceReq : null);
  await lesson.lastDraw;
  await training.refresh(net, forwardReq);
  document.body.dataset.ready = "true";
}

start();
