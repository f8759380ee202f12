// The presenter's class dashboard (/dashboard/CODE#token=…), the composition root of its page: polls the class
// list and the results with the presenter token of the URL's fragment (never sent to a server), follows the
// room's pacing live, and sends pacing, renames, removals and the end of the room.

import { classRows, pacingOf, totalsText } from "./models/classroom.js";
import * as room from "./room.js";
import { createDashboardView } from "./views/dashboard-view.js";
import { createMessages } from "./views/messages.js";
import { loadKatex } from "./views/tex.js";

const $ = (id) => document.getElementById(id);
const body = document.body;
const code = body.dataset.code;
const { say } = createMessages($("messages"));
const token = new URLSearchParams(location.hash.slice(1)).get("token") || room.presenterToken(code);
const anonymousKey = `deltaflow-anonymous:${code}`;
const LIST_EVERY = 2000; // ms: the class list
const RESULTS_EVERY = 5000; // ms: the results

let anonymous = false;
try {
  anonymous = localStorage.getItem(anonymousKey) === "1";
} catch {
  // private mode: names show until hidden
}
let last = null; // the latest dashboard
let ended = false;
let pacing = pacingOf(null);

const view = createDashboardView({
  rename: async (row) => {
    const name = window.prompt(`New name for ${row.name}`, row.name);
    if (!name || !name.trim() || name.trim() === row.name) return;
    await act(() => room.renameFollower(code, token, row.follower, name.trim()), `Renamed to ${name.trim()}.`);
    refreshList();
  },
  remove: async (row) => {
    if (!window.confirm(`Remove ${row.name} from the class? Their answers go with them.`)) return;
    await act(() => room.removeFollower(code, token, row.follower), `${row.label} was removed.`);
    refreshList();
    refreshResults();
  },
  lock: (lock) => sendPacing({ ...pacing, lock }),
  pause: (paused, message) => sendPacing({ ...pacing, paused, message: paused ? message : pacing.message }),
  names: (hide) => {
    anonymous = hide;
    try {
      localStorage.setItem(anonymousKey, hide ? "1" : "0");
    } catch {
      // private mode
    }
    view.names(anonymous);
    if (last) showList(last);
  },
  csv: downloadCsv,
  end: async () => {
    if (!window.confirm("End the room now? Every student's name, answers and results are deleted, and the class stops following.")) return;
    if (await act(() => room.endRoom(code, token), "The room has ended: names, answers and results are deleted.")) {
      ended = true;
      body.dataset.ended = "true";
    }
  },
});

/** Runs a presenter call; says what happened; false if it failed. */
async function act(call, done) {
  try {
    await call();
    if (done) say(done, "info");
    return true;
  } catch (err) {
    say(err.message);
    return false;
  }
}

async function sendPacing(next) {
  const before = pacing;
  pacing = next;
  view.pacing(pacing);
  if (!(await act(() => room.setPacing(code, token, next)))) {
    pacing = before;
    view.pacing(pacing);
  }
}

function showList(dashboard) {
  view.rows(classRows(dashboard, { anonymous }), totalsText(dashboard.totals));
  body.dataset.students = String(dashboard.followers.length);
}

function stopOn(err) {
  if (err.status === 401 || err.status === 403 || err.status === 404) {
    ended = true;
    say(err.status === 404 ? "This room has ended or expired." : "This link has no valid presenter token: open the dashboard from the presenter's Share dialog.");
    return true;
  }
  say(err.message, "info");
  return false;
}

async function refreshList() {
  try {
    last = await room.readDashboard(code, token);
    showList(last);
    body.dataset.ready = "true";
  } catch (err) {
    stopOn(err);
  }
}

async function refreshResults() {
  try {
    view.results(await room.readResults(code, token));
  } catch (err) {
    stopOn(err);
  }
}

async function downloadCsv() {
  try {
    const text = await room.readResultsCsv(code, token);
    const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `deltaflow-${code}-results.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (err) {
    say(err.message);
  }
}

function every(ms, fn) {
  const tick = async () => {
    if (ended) return;
    if (!document.hidden) await fn();
    setTimeout(tick, ms);
  };
  tick();
}

function start() {
  view.names(anonymous);
  view.pacing(pacing);
  if (!token) {
    say("This link has no presenter token: open the dashboard from the presenter's Share dialog.");
    return;
  }
  loadKatex();
  // the room's pacing as every student gets it (the presenter's own view: not counted as a follower)
  room.followRoom(code, (state) => {
    pacing = pacingOf(state);
    view.pacing(pacing);
  }, { count: false, onStatus: (s) => (body.dataset.stream = s) });
  every(LIST_EVERY, refreshList);
  every(RESULTS_EVERY, refreshResults);
}

start();
