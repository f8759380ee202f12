// The main page's composition root: builds the models, views and controllers and wires them together; the one
// module that knows every other one, holding only the connections.

import * as api from "./api.js";
import { bindControls, renderKeyLegend } from "./controllers/keys.js";
import { createExports } from "./controllers/exports.js";
import { bindFigureKeys } from "./controllers/figure-keys.js";
import { createWalkthrough } from "./controllers/walkthrough.js";
import { createPresenting } from "./controllers/presenting.js";
import { createRenderer } from "./controllers/renderer.js";
import { createTrainingRun } from "./controllers/training-run.js";
import { createLaterParts, startPage } from "./controllers/start-up.js";
import { readUrl, writeUrl } from "./controllers/url-sync.js";
import { SPEEDS, createPlayer } from "./models/player.js";
import { createPosition } from "./models/position.js";
import { HELD_WORDS } from "./models/quiz.js";
import { createSession } from "./models/session.js";
import { nextPositionOfNode, stateAt } from "./models/trace-model.js";
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
const url = readUrl();
let roomShown = url.room; // the room the address names: kept until a reloaded page has presented it again, or not

// ---------- models and views ----------

const { say, guarded } = createMessages($("messages"));
const session = createSession();
const later = createLaterParts({ room, say });
const { insights, quiz, solo, operations } = later;
const position = createPosition();
const stepper = createStepper();
const player = createPlayer(position, { onPlayState: (on) => stepper.playing(on) });
const figureActions = {
  onEdgeClick: (edge) => insights.edgeClicked(edge) || operations.edgeClicked(edge) || unlessAsking(walk.editWeight)(edge),
  onBiasClick: (b) => operations.edgeClicked({ ...b, i: null }) || unlessAsking(walk.editWeight)({ ...b, bias: true }),
  onNodeClick: ({ l, j }) => {
    const to = training.running ? null : nextPositionOfNode(position.trace, position.p, l, j);
    if (to != null) player.seek(to);
  },
};
const figure = createNetworkView($("network-figure"), {
  ...figureActions,
  scaleOf: (quantity) => session.state.meta.scaleOf(quantity),
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

const current = () => ({ network: session.state.network, sample: session.state.sample, p: position.p, trace: position.trace });
const render = createRenderer({
  session, position, player, figure, formula, stepper, say,
  isTraining: () => training.running,
  onMoved: (p, st, how) => {
    const { network, sample, projector } = session.state;
    // while playing, the address catches up between steps rather than inside them
    if (network) writeUrl({ net: network.id, sample, step: p, projector, room: roomShown }, { defer: how === "play" });
    if (st) presenting.publishPosition(st);
    if (st) insights.onPosition(st);
    if (st) operations.onPosition(st);
  },
});
const walk = createWalkthrough({
  api, session, position, player, stepper, editor, weightPopup, say, guarded, showDiverged, health: createHealthNote(),
  isTraining: () => training.running,
  onFreshNetwork: (net) => Promise.all([training.refresh(net), insights.network(net)]),
});
const training = createTrainingRun({
  api, charts, stepper, say,
  maxIterations: () => session.state.meta.limit("max_iterations"),
  network: () => session.state.network,
  beforeStart: () => player.pause(),
  onProgress: (net) => {
    session.progress(net);
    stepper.network(net);
    render.redraw();
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
    await insights.network(session.state.network);
  },
});
const presenting = createPresenting({
  room: later.room, dialog: roomDialog, say, current,
  onRoom: (code) => {
    roomShown = code;
    const { network, sample, projector } = session.state;
    if (network) writeUrl({ net: network.id, sample, step: position.p, projector, room: code });
  },
});
const exporter = createExports({
  figure, charts, say, guarded, current, api,
  isBusy: () => training.running || asking(),
  open: async (net) => {
    session.state.sample = 0;
    await walk.setNetwork(net);
    await walk.loadTrace(0);
    writeUrl({ net: net.id, sample: 0, step: 0, projector: session.state.projector, room: roomShown });
  },
});

// ---------- controls ----------

const unlessTraining = (fn) => () => !training.running && fn();
// While a class question is open nothing passes its asked value: the player holds the steps, and this the changes
// of the network (a training run, an update rule, a weight, a sample's update), with the same words.
const asking = () => player.held != null && (say(HELD_WORDS, "info"), true);
const unlessAsking = (fn) => (...args) => !asking() && fn(...args);
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
  toggleProjector: () => render.setProjector(!session.state.projector),
  toggleProjectorView: () => {
    if (!session.state.projector) render.setProjector(true);
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
      "btn-export-state": exporter.state,
      "btn-ops-graph": () => operations.open("graph"), "btn-ops-nudge": () => operations.open("nudge"),
      "train-start": unlessAsking(training.start), "train-pause": training.togglePause, "train-stop": training.stop,
    },
    scrubber: $("scrubber"),
    speed: $("speed-select"),
    handlers,
  });
  document.querySelectorAll(".phase-btn").forEach((b) => {
    b.addEventListener("click", () => !training.running && player.toPhase(b.dataset.phase));
  });
  $("sample-select").addEventListener("change", (e) => walk.setSample(Number(e.target.value)));
  $("state-file").addEventListener("change", async (e) => {
    await exporter.importFile(e.target.files[0]);
    e.target.value = ""; // the same file may be imported again
  });
  $("loss-log").addEventListener("change", (e) => charts.setLogScale(e.target.checked));
  $("predict-switch").addEventListener("change", (e) => solo.set(e.target.checked));
  bindFigureKeys($("network-figure"), {
    figure, network: () => session.state.network, state: () => stateAt(position.trace, position.p),
    onNode: figureActions.onNodeClick, onEdge: figureActions.onEdgeClick, onBias: figureActions.onBiasClick,
  });
  renderKeyLegend($("key-list"));
  onResize($("network-figure"), () => figure.resize().catch((err) => say(`Redrawing the network failed: ${err.message}`)));
  catchStrays(say);
}

// ---------- start-up ----------

expectKatex();
startPage({
  api, url, plotly: plotlyReady(), wire, session, render, walk, training, editor, stepper, say,
  // What the first drawing does not need comes after it: KaTeX (the formula panel waits for it), then the rest.
  afterFirstDraw: () => {
    loadKatex();
    later.load();
  },
}).then(() => {
  presenting.resume(url.room); // a reloaded presenter's page: the same room, its followers still following
  return later.build({
    quiz: { player, position, current, say, rule: () => session.state.meta.quizTolerance() },
    operations: {
      api, say, current, network: () => session.state.network, sample: () => session.state.sample, isTraining: () => training.running,
    },
    insights: {
      api, say, guarded, charts,
      network: () => session.state.network,
      sample: () => session.state.sample,
      isTraining: () => training.running,
      held: asking,
      nextSample: () => walk.applyAndNextSample(),
      applyNetwork: async (net) => {
        await walk.setNetwork(net, { fresh: false });
        await walk.loadTrace(position.p);
        await insights.network(net);
      },
    },
  });
});
