// The follower page (/join/CODE): shows the presenter's network, sample and step as they move, with the same
// network view and formula panel as the main page. "Try it myself" forks the network and steps it here alone;
// "Follow again" returns to the live view.

import * as api from "./api.js";
import { createFormulaPanel, formulaPanelElements } from "./formula.js";
import { createNetworkView } from "./network-view.js";
import { followRoom, forkRoom } from "./room.js";
import { fmt, prepareTrace, stateAt } from "./trace-model.js";

const $ = (id) => document.getElementById(id);
const code = document.body.dataset.code;

const page = {
  room: null, // the latest room state from the stream
  mode: "live", // "live" | "own"
  network: null,
  networkKey: null, // network_id:network_version of `network`
  trace: null,
  traceKey: null, // networkKey:sample of `trace`
  position: 0,
  sample: 0,
  own: null, // {network, trace, position, url} after "Try it myself"
  revision: 0,
};

function say(text, kind = "error") {
  const box = $("messages");
  const item = document.createElement("div");
  item.className = `message message-${kind}`;
  item.setAttribute("role", kind === "error" ? "alert" : "status");
  item.textContent = text;
  box.append(item);
  while (box.children.length > 3) box.firstElementChild.remove();
  setTimeout(() => item.remove(), kind === "error" ? 8000 : 4000);
}

const view = createNetworkView($("network-figure"));
const formula = createFormulaPanel(formulaPanelElements());

function describe(net) {
  const name = net.preset ? net.preset.toUpperCase() : "custom";
  return `${name} · ${net.layers.join("–")} · η = ${net.learning_rate} · iteration ${net.iteration.toLocaleString("en-US")}`;
}

/** Draws a network at a trace position, with the labels around the figure. */
async function draw(network, trace, position, sample, animate) {
  const st = stateAt(trace, position);
  const total = trace ? trace.events.length : 0;
  $("step-label").textContent = `${st.p} / ${total}`;
  $("sample-label").textContent = network.dataset ? `sample ${sample + 1}` : "";
  $("net-info").textContent = describe(network);
  document.querySelectorAll(".phase-btn").forEach((b) => b.classList.toggle("active", st.phase === b.dataset.phase));
  formula.render({ state: st, trace, network, sample, message: "Waiting for the presenter's trace…" });
  page.revision += 1;
  await view.render({ network, trace, state: st, projector: false, revision: page.revision, animate });
}

// ---------- live ----------

let syncing = false;
let again = false;

/** Brings the view to the latest room state; runs one at a time, and once more if states came meanwhile. */
async function sync() {
  if (syncing) {
    again = true;
    return;
  }
  syncing = true;
  try {
    do {
      again = false;
      await syncOnce();
    } while (again);
  } catch (err) {
    say(`Following the presenter failed: ${err.message}`);
  } finally {
    syncing = false;
  }
}

async function syncOnce() {
  const room = page.room;
  if (!room || page.mode !== "live") return;
  const training = room.training && room.training.running;
  const netKey = `${room.network_id}:${room.network_version}`;
  if (netKey !== page.networkKey) {
    page.network = await api.getNetwork(room.network_id);
    page.networkKey = netKey;
  }
  const traceKey = `${netKey}:${room.sample}`;
  if (!training && traceKey !== page.traceKey) {
    page.trace = prepareTrace(await api.trace(room.network_id, { sample: room.sample }));
    page.traceKey = traceKey;
  }
  const trace = training ? null : page.trace;
  const position = training ? 0 : room.position;
  const stepped = position === page.position + 1;
  page.position = position;
  page.sample = room.sample;
  showTraining(room.training);
  await draw(page.network, trace, position, room.sample, stepped ? 300 : 0);
  if (page.room === room) {
    // what a test (or a curious student) can read: the state now on screen
    document.body.dataset.seq = String(room.seq);
    document.body.dataset.position = String(position);
    document.body.dataset.networkId = room.network_id;
  }
}

function showTraining(t) {
  const box = $("training-box");
  if (!t) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const bar = $("train-progress");
  bar.max = Math.max(1, t.total);
  bar.value = Math.min(t.done, t.total);
  const loss = t.loss != null ? ` · loss ${fmt(t.loss, 4)}` : "";
  $("train-text").textContent = `${t.running ? "Training" : "Trained"}: ${t.done.toLocaleString("en-US")} / ${t.total.toLocaleString("en-US")} iterations${loss}`;
}

function onRoom(room) {
  page.room = room;
  const n = room.followers;
  $("followers").textContent = `${n} following`;
  if (page.mode === "live") sync();
}

function onStatus(status) {
  const dot = $("live");
  dot.dataset.state = status === "live" ? "live" : status === "closed" ? "lost" : "connecting";
  dot.textContent = status === "live" ? "live" : status === "closed" ? "room closed" : "reconnecting…";
  document.body.dataset.stream = status;
}

// ---------- own copy ----------

async function tryItMyself() {
  const button = $("btn-fork");
  button.disabled = true;
  try {
    const fork = await forkRoom(code);
    const trace = prepareTrace(await api.trace(fork.network.id, { sample: fork.sample }));
    page.own = { network: fork.network, trace, position: Math.min(fork.position, trace.events.length), sample: fork.sample };
    page.mode = "own";
    document.body.classList.add("own");
    document.body.dataset.ownNetworkId = fork.network.id;
    $("mode-label").textContent = "Your copy";
    $("own-open").href = fork.open_url;
    $("own-controls").hidden = false;
    $("btn-follow").hidden = false;
    button.hidden = true;
    await drawOwn(0);
    say("This is your own copy now: step through it here, or open it in the full editor.", "info");
  } catch (err) {
    say(`Copying the network failed: ${err.message}`);
  } finally {
    button.disabled = false;
  }
}

async function drawOwn(animate) {
  const own = page.own;
  await draw(own.network, own.trace, own.position, own.sample, animate);
}

function stepOwn(delta) {
  if (page.mode !== "own") return;
  const own = page.own;
  const next = Math.max(0, Math.min(own.trace.events.length, own.position + delta));
  if (next === own.position) return;
  own.position = next;
  drawOwn(delta === 1 ? 300 : 0).catch((err) => say(err.message));
}

function followAgain() {
  page.mode = "live";
  document.body.classList.remove("own");
  $("mode-label").textContent = "Live";
  $("own-controls").hidden = true;
  $("btn-follow").hidden = true;
  $("btn-fork").hidden = false;
  page.position = -1;
  sync();
}

// ---------- start ----------

function start() {
  if (!window.Plotly) {
    say("plotly.js did not load (/vendor/plotly.min.js); the network cannot be drawn.");
    return;
  }
  $("btn-fork").addEventListener("click", tryItMyself);
  $("btn-follow").addEventListener("click", followAgain);
  $("own-prev").addEventListener("click", () => stepOwn(-1));
  $("own-next").addEventListener("click", () => stepOwn(1));
  document.addEventListener("keydown", (e) => {
    if (e.target.closest && e.target.closest("input, textarea, select")) return;
    if (e.key === "ArrowRight") stepOwn(1);
    if (e.key === "ArrowLeft") stepOwn(-1);
  });
  let resizeTimer = null;
  new ResizeObserver(() => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => view.resize().catch(() => {}), 60);
  }).observe($("network-figure"));
  followRoom(code, onRoom, { onStatus });
  document.body.dataset.ready = "true";
}

start();
