// The main page's composition root: builds the models, views and controllers and wires them together; the one
// module that knows every other one. Behaviour lives in the modules; here are only the connections and start-up.

import * as api from "./api.js";
import { bindControls, renderKeyLegend } from "./controllers/keys.js";
import { createExports } from "./controllers/exports.js";
import { createWalkthrough } from "./controllers/walkthrough.js";
import { createPresenting } from "./controllers/presenting.js";
import { createTrainingRun } from "./controllers/training-run.js";
import { startPage } from "./controllers/start-up.js";
import { readUrl, writeUrl } from "./controllers/url-sync.js";
import { createMeta } from "./models/meta.js";
import { SPEEDS, createPlayer } from "./models/player.js";
import { createPosition } from "./models/position.js";
import { createStandIn } from "./models/stand-in.js";
import { nextPositionOfNode } from "./models/trace-model.js";
import * as room from "./room.js";
import { createHealthNote, createKeyLegend, createRoomDialog, createWeightPopup, showDiverged } from "./views/dialogs.js";
import { createEditor, editorElements } from "./views/editor.js";
import { createFormulaPanel, formulaPanelElements } from "./views/formula-panel.js";
import { catchStrays, createMessages, onResize, plotlyReady } from "./views/messages.js";
import { createNetworkView } from "./views/network-view.js";
import { createStepper } from "./views/stepper.js";
import { expectKatex, loadKatex } from "./views/tex.js";
import { createTrainingView, trainingElements } from "./views/training-charts.js";

const $ = (id) => document.getElementById(id);
let meta = createMeta(null); // replaced by the server's rules at start-up

// ---------- models and views ----------

const { say, guarded } = createMessages($("messages"));
const position = createPosition();
const stepper = createStepper();
const player = createPlayer(position, { onPlayState: (on) => stepper.playing(on) });
const figure = createNetworkView($("network-figure"), {
  onEdgeClick: (edge) => insights.edgeClicked(edge) || walk.editWeight(edge),
  onBiasClick: (b) => walk.editWeight({ ...b, bias: true }),
  onNodeClick: ({ l, j }) => {
    const to = training.running ? null : nextPositionOfNode(position.trace, position.p, l, j);
    if (to != null) player.seek(to);
  },
  scaleOf: (quantity) => meta.scaleOf(quantity),
});
const formula = createFormulaPanel(formulaPanelElements(), {
  onSeek: (p) => player.seek(p),
  batchSource: (ref) => insights.breakdown(ref),
});
const charts = createTrainingView(trainingElements());
const editor = createEditor(editorElements(), {
  onPreset: (name) => walk.loadPreset(name),
  // A new network from the editor keeps the update rule chosen in the training options.
  onApply: (spec, structural) => walk.applyEditor(structural ? { ...spec, ...insights.optimizerField() } : spec, structural),
});
const weightPopup = createWeightPopup({ onSubmit: (edge, raw) => walk.submitWeight(edge, raw) });
const roomDialog = createRoomDialog();
const keyLegend = createKeyLegend();

// ---------- controllers ----------

const current = () => ({ network: walk.state.network, sample: walk.state.sample, p: position.p, trace: position.trace });
const walk = createWalkthrough({
  api, position, player, figure, formula, stepper, editor, weightPopup, say, guarded, showDiverged, health: createHealthNote(),
  isTraining: () => training.running,
  onFreshNetwork: (net) => Promise.all([training.refresh(net), insights.network(net)]),
  onMoved: (p, st, how) => {
    const { network, sample, projector } = walk.state;
    // while playing, the address catches up between steps rather than inside them
    if (network) writeUrl({ net: network.id, sample, step: p, projector }, { defer: how === "play" });
    if (st) presenting.publishPosition(st);
    if (st) insights.onPosition(st);
  },
});
const training = createTrainingRun({
  api, charts, stepper, say,
  maxIterations: () => meta.limit("max_iterations"),
  network: () => walk.state.network,
  beforeStart: () => player.pause(),
  onProgress: (net) => {
    walk.state.network = net;
    stepper.network(net);
    walk.redraw();
  },
  onDiverged: showDiverged,
  extras: (mode) => insights.trainExtras(mode),
  marks: (net) => insights.marks(net),
  onChunk: (res, net) => insights.onChunk(res, net),
  publish: (fields) => {
    presenting.publish(fields);
    walk.trainingProgress(fields.training);
  },
  onDone: async (net) => {
    await guarded("Reloading the network", async () => walk.setNetwork(await api.getNetwork(net.id), { fresh: false, label: "the training run" }));
    await walk.loadTrace(position.p);
    await insights.network(walk.state.network);
  },
});
// The insights and the quiz are built once their modules arrive, after the first drawing (main-later.js); until
// then their stand-ins answer what must be answered at once and hold the rest.
const insightsLater = createStandIn(
  ["start", "network", "breakdown", "optimizerField", "trainExtras", "marks", "onChunk", "onPosition", "edgeClicked"],
  {
    network: () => Promise.resolve(), // start() shows the network of that moment
    onPosition: () => {},
    breakdown: () => null,
    optimizerField: () => ({}),
    trainExtras: () => ({}),
    marks: () => [],
    onChunk: () => {},
    edgeClicked: () => false,
  },
);
const insights = insightsLater.proxy;
const quizLater = createStandIn(["ask"]);
const soloLater = createStandIn(["set", "beforeNext"], { beforeNext: (next) => next() });
const quiz = quizLater.proxy;
const solo = soloLater.proxy;
let laterModule = null;
const later = () => (laterModule ||= import("./main-later.js"));
// Presenting learns the room through the quiz, which needs to know its code, token and followers.
let presentRoom = room; // the quiz's tap of room.js, once the quiz is built
let quizBuilt;
const quizReady = new Promise((resolve) => {
  quizBuilt = resolve;
});
const quizRoom = {
  ...room,
  async startPresenting(...args) {
    await quizReady;
    return presentRoom.startPresenting(...args);
  },
};

async function buildLater() {
  let mod;
  try {
    mod = await later();
  } catch (err) {
    quizBuilt(); // presenting still works, without the quiz
    say(`Loading the training insights and the quiz failed: ${err.message}`);
    return;
  }
  const { buildInsights, buildQuiz } = mod;
  const built = buildQuiz({ player, position, current, say });
  presentRoom = built.presenter.tap(room);
  quizBuilt();
  quizLater.adopt(built.presenter);
  soloLater.adopt(built.solo);
  insightsLater.adopt(buildInsights({
    api, say, guarded, charts,
    network: () => walk.state.network,
    sample: () => walk.state.sample,
    isTraining: () => training.running,
    nextSample: () => walk.applyAndNextSample(),
    applyNetwork: async (net) => {
      await walk.setNetwork(net, { fresh: false });
      await walk.loadTrace(position.p);
      await insights.network(net);
    },
  }));
  await insights.start();
}
const presenting = createPresenting({ room: quizRoom, dialog: roomDialog, say, current });
const exporter = createExports({ figure, charts, say, guarded, current });

// ---------- controls ----------

const unlessTraining = (fn) => () => !training.running && fn();
const handlers = {
  next: unlessTraining(() => solo.beforeNext(player.next)),
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
  toggleProjector: () => walk.setProjector(!walk.state.projector),
  toggleProjectorView: () => {
    if (!walk.state.projector) walk.setProjector(true);
    stepper.projectorView(document.body.classList.contains("show-training") ? "network" : "training");
  },
  toggleKeys: () => keyLegend.toggle(),
  undo: () => walk.undo(),
  redo: () => walk.redo(),
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
      "btn-projector": handlers.toggleProjector, "btn-undo": handlers.undo, "btn-redo": handlers.redo, "btn-reset": () => walk.resetWeights(),
      "btn-show-network": () => stepper.projectorView("network"), "btn-show-training": () => stepper.projectorView("training"), "btn-keys": handlers.toggleKeys, "btn-keys-close": () => keyLegend.toggle(false),
      "btn-share": () => presenting.toggle(), "room-close": () => presenting.toggle(false), "room-stop": presenting.stop,
      "btn-ask-class": quiz.ask,
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
  $("sample-select").addEventListener("change", (e) => walk.setSample(Number(e.target.value)));
  $("loss-log").addEventListener("change", (e) => charts.setLogScale(e.target.checked));
  $("predict-switch").addEventListener("change", (e) => solo.set(e.target.checked));
  renderKeyLegend($("key-list"));
  onResize($("network-figure"), () => figure.resize().catch((err) => say(`Redrawing the network failed: ${err.message}`)));
  catchStrays(say);
}

// ---------- start-up ----------

expectKatex();
startPage({
  api, url: readUrl(), plotly: plotlyReady(), wire, walk, training, editor, stepper, say,
  onMeta: (rules) => {
    meta = rules;
  },
  // What the first drawing does not need comes after it: KaTeX (the formula panel waits for it), then the rest.
  afterFirstDraw: () => {
    loadKatex();
    later();
  },
}).then(buildLater);
