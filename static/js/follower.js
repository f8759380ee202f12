// The follower page's composition root (/join/CODE): the same network view and formula panel as the main page,
// driven by the room's live stream (controllers/following.js); "Try it myself" steps a private copy here.

import * as api from "./api.js";
import { settle } from "./api.js";
import { createFollowing } from "./controllers/following.js";
import { createQuizFollower, followerId } from "./controllers/quiz.js";
import { count, describeNetwork, fmt } from "./models/format.js";
import { createMeta } from "./models/meta.js";
import { createPosition } from "./models/position.js";
import { stateAt } from "./models/trace-model.js";
import * as room from "./room.js";
import { createFormulaPanel, formulaPanelElements } from "./views/formula-panel.js";
import { createMessages, onResize } from "./views/messages.js";
import { createNetworkView } from "./views/network-view.js";
import { createFollowerCard } from "./views/quiz.js";
import { showPhases } from "./views/stepper.js";

const $ = (id) => document.getElementById(id);
const body = document.body;
const { say } = createMessages($("messages"));
// The server's rules (each quantity's colour scale), asked at once, in parallel with the room's stream.
let meta = createMeta(null);
const metaReady = settle(api.meta()).then((got) => {
  if (got.ok) meta = createMeta(got.value);
});
const figure = createNetworkView($("network-figure"), { scaleOf: (quantity) => meta.scaleOf(quantity) });
const formula = createFormulaPanel(formulaPanelElements());
const position = createPosition();

/** Draws a network at a trace position, with the labels around the figure. */
async function show(network, trace, p, sample, animate) {
  await metaReady;
  const st = stateAt(trace, p);
  $("step-label").textContent = `${st.p} / ${trace ? trace.events.length : 0}`;
  $("sample-label").textContent = network.dataset ? `sample ${sample + 1}` : "";
  $("net-info").textContent = describeNetwork(network);
  showPhases(null, st.p, st.phase);
  formula.render({ state: st, trace, network, sample, message: "Waiting for the presenter's trace…" });
  return figure.render({ network, trace, state: st, projector: false, animate });
}

function showTraining(t) {
  $("training-box").hidden = !t;
  if (!t) return;
  const bar = $("train-progress");
  bar.max = Math.max(1, t.total);
  bar.value = Math.min(t.done, t.total);
  const loss = t.loss != null ? ` · loss ${fmt(t.loss, 4)}` : "";
  $("train-text").textContent = `${t.running ? "Training" : "Trained"}: ${count(t.done)} / ${count(t.total)} iterations${loss}`;
}

function onMode(mode, fork) {
  const own = mode === "own";
  body.classList.toggle("own", own);
  if (own) body.dataset.ownNetworkId = fork.network.id;
  if (own) $("own-open").href = fork.open_url;
  $("mode-label").textContent = own ? "Your copy" : "Live";
  $("own-controls").hidden = !own;
  $("btn-follow").hidden = !own;
  $("btn-fork").hidden = own;
}

const quiz = createQuizFollower({
  code: body.dataset.code, follower: followerId(),
  card: createFollowerCard({ onSubmit: (text) => quiz.submit(text), onSign: () => quiz.sign(), onDismiss: () => quiz.dismiss() }),
});

const following = createFollowing({
  api, room: quiz.tap(room), code: body.dataset.code, position, show, showTraining, onMode, say,
  onFollowers: (n) => {
    $("followers").textContent = `${n} following`;
  },
  onStatus: (status) => {
    const dot = $("live");
    dot.dataset.state = status === "live" ? "live" : status === "closed" ? "lost" : "connecting";
    dot.textContent = status === "live" ? "live" : status === "closed" ? "room closed" : "reconnecting…";
    body.dataset.stream = status;
  },
  // what a test (or a curious student) can read: the state now on screen
  onShown: (state, p) => {
    body.dataset.seq = String(state.seq);
    body.dataset.position = String(p);
    body.dataset.networkId = state.network_id;
  },
});

async function tryItMyself() {
  const button = $("btn-fork");
  button.disabled = true;
  try {
    await following.tryItMyself();
    say("This is your own copy now: step through it here, or open it in the full editor.", "info");
  } catch (err) {
    say(`Copying the network failed: ${err.message}`);
  } finally {
    button.disabled = false;
  }
}

function start() {
  if (!window.Plotly) {
    say("plotly.js did not load (/vendor/plotly.min.js); the network cannot be drawn.");
    return;
  }
  $("btn-fork").addEventListener("click", tryItMyself);
  $("btn-follow").addEventListener("click", following.followAgain);
  $("own-prev").addEventListener("click", () => following.stepOwn(-1));
  $("own-next").addEventListener("click", () => following.stepOwn(1));
  document.addEventListener("keydown", (e) => {
    if (e.target.closest && e.target.closest("input, textarea, select")) return;
    if (e.key === "ArrowRight") following.stepOwn(1);
    if (e.key === "ArrowLeft") following.stepOwn(-1);
  });
  onResize($("network-figure"), () => figure.resize().catch(() => {}));
  following.start();
  body.dataset.ready = "true";
}

start();
