// The lesson page's composition root (/lesson): builds the figure, the text view and the controller, binds the keys
// and buttons, and starts either a lesson of its own (?stage=N) or a follower of a presenter's lesson
// (?room=CODE&follow=1). body[data-ready] says when the first stage is on screen.

import * as api from "../api.js";
import { createMeta } from "../models/meta.js";
import { createPosition } from "../models/position.js";
import { pacingOf } from "../models/classroom.js";
import { createQuizFollower, createQuizPresenter, createSoloPredict } from "../controllers/quiz.js";
import { createPlayer } from "../models/player.js";
import { HELD_WORDS } from "../models/quiz.js";
import * as room from "../room.js";
import { createFollowerCard, createPresenterPanel, createSoloCard } from "../views/quiz.js";
import { createPauseScreen } from "../views/pause-screen.js";
import { showHostWarning } from "../views/dialogs.js";
import { catchStrays, createMessages, onResize, plotlyReady } from "../views/messages.js";
import { createNetworkView } from "../views/network-view.js";
import { createOperations } from "../controllers/operations.js";
import { stateAt } from "../models/trace-model.js";
import { createNudgeView, nudgeElements } from "../views/nudge.js";
import { createOpGraphView, opGraphElements } from "../views/op-graph.js";
import { createLesson } from "./lesson-controller.js";
import { createCallouts, createLessonView, lessonElements } from "./lesson-view.js";
import { createPlanPanel } from "./plan-panel.js";
import { STAGES, parseStage } from "./stages.js";

const $ = (id) => document.getElementById(id);
const { say } = createMessages($("messages"));
let meta = createMeta(null);
const position = createPosition();
const figure = createNetworkView($("network-figure"), { scaleOf: (q) => meta.scaleOf(q) });
const callouts = createCallouts($("network-figure"));
const els = lessonElements();
const view = createLessonView(els, {
  onDot: (n) => lesson.state.following || lesson.goStageHeld(n),
  onMode: (mode) => lesson.setLiveMode(mode),
  onIndex: (k) => lesson.setLiveIndex(k),
});

const share = {
  show(p) {
    // The room's short join link, as the main page's Share gives it: /join sends a student to this lesson.
    const link = new URL(p.joinUrl, window.location.origin).href;
    showHostWarning($("lesson-share-warning"), link);
    $("lesson-share-link").href = link;
    $("lesson-share-link").textContent = link;
    $("lesson-share-code").textContent = p.code;
    $("lesson-share-qr").src = p.qrUrl;
    $("lesson-share").hidden = false;
    share.badge(p);
  },
  /** The room's badge in the header (a reloaded presenter's page shows it without the dialog). */
  badge(p) {
    const badge = $("lesson-room");
    badge.hidden = false;
    document.body.dataset.roomCode = p.code;
    badge.textContent = `Room ${p.code}${share.count == null ? "" : ` · ${share.count} following`}`;
  },
  count: null,
  followers(n) {
    share.count = n;
    $("lesson-share-count").textContent = `${n} following`;
    if (document.body.dataset.roomCode) $("lesson-room").textContent = `Room ${document.body.dataset.roomCode} · ${n} following`;
  },
};

// ?room=CODE names the room this page presents: reloaded, it presents that room again (lesson.resume).
function setUrl({ stage, projector, room: code }) {
  const q = new URLSearchParams();
  q.set("stage", String(stage));
  if (projector) q.set("projector", "1");
  if (code) q.set("room", code);
  const url = `${location.pathname}?${q}`;
  if (url !== `${location.pathname}${location.search}`) history.replaceState(null, "", url);
}

const pause = createPauseScreen();
// ---------- predicting: alone (Predict), and the class (Ask the class) when presenting ----------

const player = createPlayer(position);
const rule = () => meta.quizTolerance();
const held = () => say(HELD_WORDS, "info");
// A follower's stage blocks that may write an asked value; emptied while a question is open (the next state the
// room sends draws them again).
const ASIDE = ".lesson-formulas, .lesson-callouts, .lesson-table-wrap, .lesson-notes";
let questionOpen = false;
const stepAside = () => {
  if (questionOpen) for (const el of document.querySelectorAll(ASIDE)) el.replaceChildren();
};
// the quiz moves the lesson's way: a step shows its value and tells the room; the hold is the player's own
const steps = {
  pause() {},
  next: () => lesson.stepForward(),
  hold: (to, onHeld) => {
    player.hold(to, onHeld);
    planned.held(to); // a planned question is done once its hold lifts (Reveal or Close)
  },
  get held() {
    return player.held;
  },
};
const solo = createSoloPredict({
  position, player: steps, rule,
  card: createSoloCard({ onCheck: (text) => solo.check(text), onSign: () => solo.sign(), onSkip: () => solo.skip(), onContinue: () => solo.proceed() }),
});
let predicting = false;
const presenter = createQuizPresenter({
  player: steps, say, rule, askButton: $("lesson-ask"),
  // the class is asked about the next computation of this stage only: the reveal steps onto it
  current: () => {
    const c = lesson.current();
    return c.p + 1 > c.hi ? { ...c, trace: null } : c;
  },
  panel: createPresenterPanel({ onReveal: () => presenter.reveal(), onClose: () => presenter.close() }),
});
const query = new URLSearchParams(location.search);
const followCode = query.get("follow") === "1" ? query.get("room") : null;
const classQuiz = followCode
  ? createQuizFollower({
    code: followCode, rule, member: { get: (fresh = false) => room.joinRoom(followCode, { fresh }) },
    card: createFollowerCard({ onSubmit: (text) => classQuiz.submit(text), onSign: () => classQuiz.sign(), onDismiss: () => classQuiz.dismiss() }),
  })
  : null;
const roomModule = classQuiz ? classQuiz.tap(presenter.tap(room)) : presenter.tap(room);

const planned = createPlanPanel({
  stages: STAGES.map((s) => s.key), say, following: !!followCode,
  where: () => lesson.current(),
  presenting: () => lesson.presenting,
  published: () => lesson.published(),
  // a question already open (a reloaded page took it back) is answered first
  ask: () => (player.held == null ? presenter.ask() : null),
});

const lesson = createLesson({
  api, room: roomModule, position, player, onHeld: held, figure, callouts, view, say, share, setUrl,
  beforeNext: (go) => (predicting ? solo.beforeNext(go) : go()),
  onMoved: () => planned.moved(),
  openAt: (key, span) => planned.openAt(key, span),
  onProjector: (on) => {
    document.body.classList.toggle("projector", on);
    document.documentElement.classList.toggle("projector", on);
    $("lesson-projector").setAttribute("aria-pressed", String(on));
  },
  onSample: (sample, inputs, why) => {
    const box = $("lesson-sample");
    box.textContent = `sample ${sample + 1} of ${inputs.length}: x = (${inputs[sample].join(", ")})`;
    box.title = why || "";
    if (why) {
      // why this sample, left out in projector mode where the line must stay one line
      const note = document.createElement("span");
      note.className = "lesson-sample-why";
      note.textContent = ` · ${why.includes("largest loss") ? "the largest loss" : "inputs non-zero"}`;
      box.append(note);
    }
  },
  onRoomStatus: (s) => {
    const badge = $("lesson-room");
    badge.hidden = false;
    badge.dataset.state = s;
    badge.textContent = `Following room ${lesson.state.following} · ${s}`;
  },
  onMainView: (code) => location.replace(`/join/${encodeURIComponent(code)}`),
  // a student who arrives during the lesson hears what the join page says: the presenter sees their name
  onJoined: (me) => {
    document.body.dataset.myName = me.name;
    const q = new URLSearchParams(location.search);
    if (q.has("name")) {
      // the name typed on the join form is used once, then dropped from the address
      q.delete("name");
      history.replaceState(null, "", `${location.pathname}?${q}`);
    }
    say(`You are “${me.name}” in this class: the presenter sees your name and your answers; other students never see them.`, "info", { timeout: 15000 });
  },
  onFollowed: (rs) => {
    pause(pacingOf(rs)); // "eyes up here" covers a follower's lesson too
    document.body.dataset.followedStage = String(rs.stage || "");
    // until Reveal, nothing on a follower's page may show the asked value: the stage's formulas step aside, and
    // leave the page itself (not only the eye), so no student reads the value in the page's source
    questionOpen = !!(rs.question && !rs.question.revealed);
    document.body.classList.toggle("question-open", questionOpen);
    stepAside();
    lesson.drawn.then(() => {
      stepAside(); // the callouts are drawn with the figure
      document.body.dataset.ready = "true";
    });
  },
});

// The operation graph and the nudge, on the stages that name them (`ops` in stages.js), on the stage's network.
const ops = createOperations({
  api, say, isTraining: () => false,
  network: () => lesson.state.network, sample: () => lesson.state.sample, current: () => ({ trace: position.trace, p: position.p }),
  views: {
    graph: createOpGraphView(opGraphElements(), { onScope: (s) => ops.setScope(s), onLayer: (step) => ops.stepLayer(step) }),
    nudge: createNudgeView(nudgeElements(), { onParam: () => ops.nudge(), onEpsilon: () => ops.nudge(), onSamples: () => ops.nudge() }),
  },
});
position.onChange((p) => {
  const want = STAGES[lesson.state.stage - 1].ops || null;
  $("ops").hidden = !want;
  ops.show(want, stateAt(position.trace, p));
});

// ---------- keys and buttons ----------

const KEYS = {
  ArrowRight: lesson.nextStage,
  ArrowLeft: lesson.prevStage,
  ArrowDown: lesson.stepNext,
  ArrowUp: lesson.stepPrev,
  Home: lesson.first,
  End: lesson.last,
  p: lesson.toggleProjector,
  P: lesson.toggleProjector,
  Escape: () => {
    $("lesson-share").hidden = true;
  },
};

document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || e.shiftKey) return;
  const t = e.target;
  // typing goes to the field; a switch just ticked (Predict) leaves the arrows to the lesson
  const typing = t instanceof HTMLInputElement ? !["checkbox", "radio"].includes(t.type) : t instanceof HTMLElement && (t.tagName === "TEXTAREA" || t.tagName === "SELECT");
  if (typing) return;
  const fn = KEYS[e.key];
  if (!fn) return;
  e.preventDefault();
  fn();
});
const click = (id, fn) => $(id).addEventListener("click", () => fn());
click("lesson-next", lesson.nextStage);
click("lesson-prev", lesson.prevStage);
click("lesson-step-next", lesson.stepNext);
click("lesson-step-prev", lesson.stepPrev);
click("lesson-projector", lesson.toggleProjector);
// the room must hold this stage's network before the class is asked about it
click("lesson-ask", () => lesson.published().then(() => presenter.ask()));
$("lesson-predict").addEventListener("change", (e) => {
  predicting = e.target.checked;
  solo.set(predicting);
});
click("lesson-present", lesson.present);
click("lesson-share-close", () => {
  $("lesson-share").hidden = true;
});
catchStrays(say);

// ---------- start-up ----------

async function main() {
  const q = new URLSearchParams(location.search);
  const projector = q.get("projector") === "1";
  const metaReq = api.meta().catch(() => null);
  const presetsReq = api.listPresets().catch(() => []);
  if (!(await plotlyReady())) {
    say("plotly.js did not load (/vendor/plotly.min.js); the figure cannot be drawn.");
    return;
  }
  const rules = await metaReq;
  if (rules) meta = createMeta(rules);
  onResize($("network-figure"), () => figure.resize().then(() => lesson.redrawCallouts()));
  const code = q.get("room");
  if (code && q.get("follow") === "1") {
    document.body.classList.add("following");
    $("lesson-present").hidden = true;
    lesson.follow(code, { projector, presets: await presetsReq, name: q.get("name") });
    return; // ready once the presenter's stage is shown (onFollowed)
  }
  const options = { stage: parseStage(q.get("stage")), projector, presets: await presetsReq };
  if (code && room.presenterToken(code)) await lesson.resume(code, options);
  else await lesson.start(options);
  await lesson.drawn;
  document.body.dataset.ready = "true";
}

main().catch((err) => say(`Starting the lesson failed: ${err.message}`));
