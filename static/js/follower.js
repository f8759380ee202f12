// The follower page's composition root (/join/CODE): the same network view and formula panel as the main page,
// driven by the room's live stream (controllers/following.js); "Try it myself" steps a private copy here.

import * as api from "./api.js";
import { settle } from "./api.js";
import { createFollowing } from "./controllers/following.js";
import { createQuizFollower } from "./controllers/quiz.js";
import { forkLocked, pacingOf } from "./models/classroom.js";
import { count, describeNetwork, fmt } from "./models/format.js";
import { createMeta } from "./models/meta.js";
import { createPosition } from "./models/position.js";
import { stateAt } from "./models/trace-model.js";
import * as room from "./room.js";
import { createFormulaPanel, formulaPanelElements } from "./views/formula-panel.js";
import { createMessages, onResize, plotlyReady } from "./views/messages.js";
import { createNetworkView } from "./views/network-view.js";
import { createPauseScreen } from "./views/pause-screen.js";
import { createFollowerCard } from "./views/quiz.js";
import { showPhases } from "./views/stepper.js";
import { expectKatex, loadKatex } from "./views/tex.js";

const $ = (id) => document.getElementById(id);
const body = document.body;
const { say } = createMessages($("messages"));
// The server's rules (each quantity's colour scale), asked at once, in parallel with the room's stream.
let meta = createMeta(null);
const metaReady = settle(api.meta()).then((got) => {
  if (got.ok) meta = createMeta(got.value);
});
const figure = createNetworkView($("network-figure"), { scaleOf: (quantity) => meta.scaleOf(quantity) });
// The figure waits for plotly.js (async in the template); KaTeX comes after the first drawing.
const plotlyLoaded = plotlyReady().then((ok) => {
  if (!ok) say("plotly.js did not load (/vendor/plotly.min.js); the network cannot be drawn.");
  return ok;
});
expectKatex();
const formula = createFormulaPanel(formulaPanelElements());
const position = createPosition();

/** Draws a network at a trace position, with the labels around the figure. */
async function show(network, trace, p, sample, animate) {
  await metaReady;
  if (!(await plotlyLoaded)) return;
  const st = stateAt(trace, p);
  $("step-label").textContent = `${st.p} / ${trace ? trace.events.length : 0}`;
  $("sample-label").textContent = network.dataset ? `sample ${sample + 1}` : "";
  $("net-info").textContent = describeNetwork(network);
  showPhases(null, st.p, st.phase);
  const training = body.classList.contains("training-live");
  const message = training
    ? "The presenter is training the network: watch the loss fall on the curve under the figure; the steps come back when the run ends."
    : "Waiting for the presenter's trace…";
  formula.render({ state: st, trace, network, sample, message, meta, title: training ? "Training" : undefined });
  await figure.render({ network, trace, state: st, projector: false, animate });
  loadKatex(); // once: after the first drawing
}

// The presenter's training run as it is published: its losses, accumulated here into a small curve.
const run = { total: 0, done: -1, points: [] };

function showTraining(t) {
  $("training-box").hidden = !t;
  body.classList.toggle("training-live", !!(t && t.running));
  if (!t) return;
  const bar = $("train-progress");
  bar.max = Math.max(1, t.total);
  bar.value = Math.min(t.done, t.total);
  const loss = t.loss != null ? ` · loss ${fmt(t.loss, 4)}` : "";
  $("train-text").textContent = `${t.running ? "Training" : "Trained"}: ${count(t.done)} / ${count(t.total)} iterations${loss}`;
  if (t.total !== run.total || t.done < run.done) Object.assign(run, { total: t.total, done: -1, points: [] });
  if (t.loss != null && Number.isFinite(t.loss) && t.done > run.done) run.points.push([t.done, t.loss]);
  run.done = Math.max(run.done, t.done);
  drawRunLoss();
}

function drawRunLoss() {
  const el = $("follow-loss");
  el.hidden = run.points.length < 2 || !window.Plotly;
  if (el.hidden) return;
  const data = [{ x: run.points.map((q) => q[0]), y: run.points.map((q) => q[1]), mode: "lines+markers", line: { color: "#1f3a68", width: 2 }, marker: { size: 4 }, hovertemplate: "iteration %{x}<br>loss %{y:.4g}<extra></extra>" }];
  const layout = {
    height: el.clientHeight || 160, margin: { l: 48, r: 10, t: 6, b: 30 }, showlegend: false,
    xaxis: { title: { text: "iteration", standoff: 2 }, range: [0, Math.max(1, run.total)], fixedrange: true },
    yaxis: { type: "log", fixedrange: true, automargin: true },
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", font: { size: 11 },
  };
  Plotly.react(el, data, layout, { displayModeBar: false, responsive: true });
}

let streamStatus = "connecting";

/** The header's badge: the live stream's state, or "your copy" while the student steps a fork. */
function showBadge() {
  const dot = $("live");
  if (body.classList.contains("own")) {
    dot.dataset.state = "own";
    dot.textContent = "your copy";
    return;
  }
  dot.dataset.state = streamStatus === "live" ? "live" : streamStatus === "closed" ? "lost" : "connecting";
  dot.textContent = streamStatus === "live" ? "live" : streamStatus === "closed" ? "room closed" : "reconnecting…";
}

function onMode(mode, fork) {
  const own = mode === "own";
  report(own ? "own_copy" : "following", own ? fork.position : Number(body.dataset.position || 0));
  body.classList.toggle("own", own);
  showBadge();
  if (own) body.dataset.ownNetworkId = fork.network.id;
  if (own) $("own-open").href = fork.open_url;
  $("mode-label").textContent = own ? "Your copy" : "Live";
  $("own-controls").hidden = !own;
  $("own-prev").hidden = !own;
  $("own-next").hidden = !own;
  $("btn-follow").hidden = !own;
  $("btn-fork").hidden = own;
}

// The name typed on the join form (/join?code=…&name=…), used for a first join and then dropped from the URL.
const wantedName = new URLSearchParams(location.search).get("name");
let reporter = null; // this student's place on their own copy, for the presenter's dashboard

// This student's identity in the room, issued by the server on joining and kept in this browser.
// One request at a time: the stream and a first answer asking together share it.
const member = {
  pending: null,
  get(fresh = false) {
    if (fresh || !this.pending) {
      this.pending = room.joinRoom(body.dataset.code, { fresh, name: wantedName }).then((me) => {
        reporter = room.createPositionReporter(body.dataset.code, me);
        showNameCard(me);
        if (wantedName) history.replaceState(null, "", location.pathname);
        return me;
      });
      this.pending.catch(() => {
        this.pending = null; // a failed join is tried again next time
      });
    }
    return this.pending;
  },
};

// The name card: says plainly that the presenter sees the student's name and answers, and lets them change it.
const namedKey = `deltaflow-named:${body.dataset.code}`;

function showNameCard(me) {
  $("my-name").textContent = me.name;
  $("my-name-input").value = wantedName ? me.name : "";
  let acknowledged = null;
  try {
    acknowledged = localStorage.getItem(namedKey);
  } catch {
    // private mode: the card shows on each visit
  }
  $("name-card").hidden = acknowledged === me.follower;
  const done = () => {
    $("name-card").hidden = true;
    try {
      localStorage.setItem(namedKey, me.follower);
    } catch {
      // private mode
    }
  };
  $("name-ok").onclick = done;
  $("name-form").onsubmit = async (e) => {
    e.preventDefault();
    const name = $("my-name-input").value.trim();
    if (!name) return done();
    try {
      await room.renameFollower(body.dataset.code, me.token, me.follower, name);
      room.keepName(body.dataset.code, name);
      me.name = name;
      $("my-name").textContent = name;
      done();
    } catch (err) {
      say(`That name was not taken: ${err.message}`);
    }
  };
}

// Pacing from the room state: a paused screen with the presenter's message; "Try it myself" closed while locked.
const pause = createPauseScreen();
let pacing = pacingOf(null);
let forking = false;

function showLock() {
  const locked = forkLocked(pacing);
  const button = $("btn-fork");
  button.disabled = locked || forking;
  button.textContent = locked ? "Locked by the presenter" : "Try it myself";
  // the spoken name keeps the visible words, so voice control finds the button by what it shows
  button.setAttribute("aria-label", locked ? "Locked by the presenter" : "Copy this network and try it myself");
  button.title = locked ? "The presenter keeps the class on the presenter's screen for now" : "";
}

function onRoom(state) {
  pacing = pacingOf(state);
  pause(pacing);
  showLock();
  body.dataset.lock = pacing.lock;
  body.dataset.paused = String(pacing.paused);
  if (forkLocked(pacing) && following.mode === "own") {
    following.followAgain();
    say("The presenter locked the class to the presenter's screen: you follow it again.", "info");
  }
}

function report(mode, p) {
  if (reporter) reporter.report({ mode, view: "main", stage: null, position: p });
}

const quiz = createQuizFollower({
  code: body.dataset.code, member, rule: () => meta.quizTolerance(),
  card: createFollowerCard({ onSubmit: (text) => quiz.submit(text), onSign: () => quiz.sign(), onDismiss: () => quiz.dismiss() }),
});

const following = createFollowing({
  api, room: quiz.tap(room), code: body.dataset.code, member, position, show, showTraining, onMode, say, onRoom,
  onOwnStep: (p) => report("own_copy", p),
  onLesson: () => location.replace(`/lesson?room=${encodeURIComponent(body.dataset.code)}&follow=1`),
  onFollowers: (n) => {
    $("followers").textContent = `${n} following`;
  },
  onStatus: (status) => {
    streamStatus = status;
    showBadge();
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
  forking = true;
  showLock();
  try {
    await following.tryItMyself();
    say("This is your own copy now: step through it here, or open it in the full editor.", "info");
  } catch (err) {
    say(`Copying the network failed: ${err.message}`);
  } finally {
    forking = false;
    showLock();
  }
}

function start() {
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
