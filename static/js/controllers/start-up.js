// The main page's start-up: every request at once while plotly.js loads, the figure drawn first, then KaTeX, the
// training panel and the parts of main-later.js, which wait behind stand-ins; body[data-ready] marks the trace shown.

import { settle } from "../api.js";
import { ruleLabel } from "../models/format.js";
import { createMeta } from "../models/meta.js";
import { chooseSample, describeChoice } from "../models/sample-choice.js";
import { createStandIn } from "../models/stand-in.js";

/**
 * deps: {api, url (readUrl()), plotly (plotlyReady()), wire() (binds the controls, called once requests are out),
 *        session, render, walk, training, editor, stepper, say, afterFirstDraw() (starts loading what the first
 *        drawing did not need)}.
 */
export async function startPage({ api, url, plotly, wire, session, render, walk, training, editor, stepper, say, afterFirstDraw }) {
  const wantSample = url.sample ?? 0;
  const metaReq = settle(api.meta());
  const presetsReq = settle(api.listPresets());
  const linkedReq = url.net ? settle(api.getNetwork(url.net)) : null;
  const linkedTraceReq = url.net ? settle(api.trace(url.net, { sample: wantSample })) : null;
  const xorReq = url.net ? null : settle(api.createNetwork({ preset: "xor" }));
  wire();
  if (!(await plotly)) {
    say("plotly.js did not load (/vendor/plotly.min.js); the figures cannot be drawn.");
    return;
  }
  if (url.projector) render.setProjector(true);
  const [rules, presets] = await Promise.all([metaReq, presetsReq]); // long back by now; the editor needs both
  if (!rules.ok) say(`Loading the rules (/api/meta): ${rules.error.message || rules.error}`);
  const meta = createMeta(rules.ok ? rules.value : null);
  session.state.meta = meta;
  editor.setMeta(meta);
  stepper.trainLimits(meta.limit("max_iterations"), meta.trainModes(), ruleLabel);
  if (presets.ok) editor.setPresets(presets.value);
  else say(`Loading the presets: ${presets.error.message || presets.error}`);
  let net = null;
  let traceReq = null;
  let copied = false;
  if (url.net) {
    const got = await linkedReq;
    if (got.ok) [net, traceReq] = [got.value, linkedTraceReq];
    else say(got.error.status === 404 ? "The network in this link no longer exists; here is a fresh XOR network instead." : `Loading the linked network failed: ${got.error.message}`);
  }
  if (net && net.protected && !api.tokenOf(net.id)) {
    // Someone else's protected network: this visitor gets a protected copy of their own to step, train and edit;
    // the original stays as it is (the same weights, so the trace already asked for is the copy's too).
    const copy = await settle(api.createNetwork(copySpec(net)));
    if (copy.ok) {
      say(`This is your own copy of the ${net.preset ? `${net.preset.toUpperCase()} ` : ""}network in the link: step, train and edit it here; the original stays as it was.`, "info", { timeout: 15000 });
      net = copy.value;
      copied = true;
    } else {
      say(`Copying the linked network failed (${copy.error.message}): it can be stepped through but not changed here.`);
    }
  }
  if (!net) {
    const created = await (xorReq || settle(api.createNetwork({ preset: "xor" })));
    if (!created.ok) return say(`Creating the XOR network: ${created.error.message || created.error}`);
    net = created.value;
  }
  const linked = url.net && (net.id === url.net || copied);
  // Unlinked, start where every gradient is non-zero (XOR's (0, 0) would leave the first layer's unchanged).
  const choice = linked && url.sample != null ? null : chooseSample(net.dataset ? net.dataset.inputs : []);
  session.state.sample = choice ? choice.sample : url.sample;
  if (choice && choice.sample) say(describeChoice(choice, net.dataset.inputs), "info");
  const forwardReq = settle(api.forward(net.id, { samples: "all" }));
  if (!traceReq) traceReq = settle(api.trace(net.id, { sample: session.state.sample }));
  await walk.setNetwork(net, { training: false });
  // setNetwork clamps the sample to the data set: a trace asked for another sample is asked again.
  const sampleAsked = linked ? wantSample : session.state.sample;
  let traceDone = false;
  traceReq.then(() => {
    traceDone = true;
  });
  await Promise.resolve();
  if (!traceDone) await render.redraw(); // the network now, its trace when it comes
  await walk.loadTrace(linked && url.step != null ? url.step : 0, session.state.sample === sampleAsked ? traceReq : null);
  await render.lastDraw;
  if (afterFirstDraw) afterFirstDraw();
  await training.refresh(net, forwardReq);
  document.body.dataset.ready = "true";
}

/** What POST /api/networks needs to build a network equal to `net` (its spec and parameters; a fresh iteration count). */
export function copySpec(net) {
  const spec = {
    layers: net.layers, activations: net.activations, loss: net.loss, reduction: net.reduction,
    learning_rate: net.learning_rate, optimizer: net.optimizer, init: net.init, train_biases: net.train_biases,
    weights: net.weights, biases: net.biases,
  };
  if (net.preset) spec.preset = net.preset;
  if (net.dataset) spec.dataset = net.dataset;
  return spec;
}

/**
 * The insights and the quiz, built once main-later.js arrives after the first drawing; until then their stand-ins
 * answer what must be answered at once and hold the rest. deps: {room (room.js), say}.
 * Returns {insights, quiz, solo, operations, room, load(), build(parts)}: room is room.js whose startPresenting waits for the
 * quiz (presenting learns the room through it); build(parts) takes buildInsights' and buildQuiz's deps.
 */
export function createLaterParts({ room, say }) {
  const insights = createStandIn(
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
  const operations = createStandIn(["open", "onPosition", "edgeClicked"], { onPosition: () => {}, edgeClicked: () => false });
  const quiz = createStandIn(["ask"]);
  const solo = createStandIn(["set", "beforeNext"], { beforeNext: (next) => next() });
  let loading = null;
  const load = () => (loading ||= import("../main-later.js"));
  let presentRoom = room; // the quiz's tap of room.js, once the quiz is built
  let quizBuilt;
  const quizReady = new Promise((resolve) => {
    quizBuilt = resolve;
  });
  const roomForPresenting = {
    ...room,
    async startPresenting(...args) {
      await quizReady;
      return presentRoom.startPresenting(...args);
    },
    async resumePresenting(...args) {
      await quizReady;
      return presentRoom.resumePresenting(...args);
    },
  };

  async function build(parts) {
    let mod;
    try {
      mod = await load();
    } catch (err) {
      quizBuilt(); // presenting still works, without the quiz
      say(`Loading the training insights and the quiz failed: ${err.message}`);
      return;
    }
    const built = mod.buildQuiz(parts.quiz);
    presentRoom = built.presenter.tap(room);
    quizBuilt();
    quiz.adopt(built.presenter);
    solo.adopt(built.solo);
    insights.adopt(mod.buildInsights(parts.insights));
    if (parts.operations) operations.adopt(mod.buildOperations(parts.operations));
    await insights.proxy.start();
  }

  return { insights: insights.proxy, quiz: quiz.proxy, solo: solo.proxy, operations: operations.proxy, room: roomForPresenting, load, build };
}
