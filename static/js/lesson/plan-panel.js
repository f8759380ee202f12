// The presenter's planned questions on the lesson page: the "Plan a question here" switch on a computation, the
// plan kept in localStorage and as a JSON file (export, import), the stage dots marked, and, while presenting,
// the class asked each planned computation when the lesson reaches the one before it. The rules are
// question-plan.js's; asking (and holding the steps until Reveal or Close) is the quiz's own.

import {
  LESSON_ID, MAX_FILE_BYTES, createPlan, exportPlan, importPlan, openingPosition, questionAhead,
  questionKey, storageKey, toggleQuestion,
} from "./question-plan.js";
import { download } from "../views/download.js";

const $ = (id) => document.getElementById(id);

function readStored(key, stages) {
  try {
    const text = localStorage.getItem(key);
    return text ? importPlan(text, { stages }).plan : null;
  } catch {
    return null; // storage refused (private mode): the plan lives for this page only
  }
}

function store(key, text) {
  try {
    localStorage.setItem(key, text);
  } catch {
    // as above
  }
}


/**
 * deps: {stages (the lesson's stage keys, in order), where() -> {stage (key), p, lo, hi}, presenting() -> room
 * code or null, published() (resolves once the room holds the lesson's latest move), ask() (the quiz's Ask the
 * class: it holds the steps until Reveal or Close), say, following}.
 * Returns {moved(), held(to), openAt(stageKey, span), get plan}.
 */
export function createPlanPanel(deps) {
  // a follower's page never plans nor shows a plan
  if (deps.following) return { moved() {}, held() {}, render() {}, openAt: (stage, span) => span.at, plan: createPlan() };
  const key = storageKey(LESSON_ID);
  let plan = readStored(key, deps.stages) || createPlan();
  let done = new Set();
  let doneRoom = null;
  let asking = null; // the planned question being asked: {key, at} until the hold lifts
  const box = $("lesson-plan");
  const here = $("lesson-plan-here");
  const status = $("lesson-plan-status");

  const doneKey = (code) => `deltaflow.questionPlan.done.${code}`;
  // which planned questions a room was asked, kept for the session so a reloaded presenter's page does not ask again
  function doneFor(code) {
    if (code === doneRoom) return done;
    doneRoom = code;
    let kept = [];
    try {
      kept = code ? JSON.parse(sessionStorage.getItem(doneKey(code)) || "[]") : [];
    } catch {
      kept = [];
    }
    done = new Set(Array.isArray(kept) ? kept : []);
    return done;
  }

  function save() {
    store(key, exportPlan(plan));
    render();
  }

  function render() {
    const w = deps.where();
    const code = deps.presenting();
    const asked = doneFor(code);
    // computation p can be asked only from the one before it inside the stage
    const reachable = w.p - 1 >= w.lo && w.p >= 1;
    here.checked = plan.questions.some((q) => q.stage === w.stage && q.computation === w.p);
    here.disabled = !reachable;
    here.parentElement.title = reachable
      ? "The class is asked this computation when the presented lesson reaches the one before it"
      : "The stage opens on this computation: plan one that ↓ steps onto";
    const n = plan.questions.length;
    const nAsked = plan.questions.filter((q) => asked.has(questionKey(q.stage, q.computation))).length;
    status.textContent = n === 0 ? "No planned questions" : `${n} planned${code ? ` · ${nAsked} asked` : ""}`;
    document.querySelectorAll("#lesson-dots .lesson-dot").forEach((b, k) => {
      const stage = deps.stages[k];
      const mine = plan.questions.filter((q) => q.stage === stage);
      if (!mine.length) {
        delete b.dataset.plan;
        b.setAttribute("aria-label", `Stage ${k + 1}`);
        return;
      }
      const open = mine.filter((q) => !asked.has(questionKey(stage, q.computation))).length;
      b.dataset.plan = open ? "open" : "done";
      b.setAttribute("aria-label", `Stage ${k + 1}: ${mine.length} planned question${mine.length > 1 ? "s" : ""}${code ? `, ${mine.length - open} asked` : ""}`);
    });
  }

  /** After every move of the presenter's lesson: the switch and, presenting, the planned question ahead asked. */
  function moved() {
    render();
    const code = deps.presenting();
    if (!code || asking) return;
    const w = deps.where();
    const q = questionAhead(plan, w.stage, w.p, w.hi, doneFor(code));
    if (!q) return;
    asking = { key: questionKey(q.stage, q.computation), at: w.p, held: false };
    let stayed = true;
    // the room must hold this stage's network and position first, or the server would ask about another's
    Promise.resolve(deps.published())
      .then(() => {
        const now = deps.where();
        stayed = now.stage === w.stage && now.p === w.p;
        return stayed ? deps.ask() : null;
      })
      .finally(() => {
        if (!asking || asking.held) return;
        asking = null; // not asked (moved on, or the room refused): tried again on the next arrival
        if (!stayed) moved();
      });
  }

  /** The quiz's hold: set when a question opens, lifted (null) on Reveal or Close; a planned one is then done. */
  function held(to) {
    if (to != null) {
      if (asking && asking.at === to) asking.held = true;
      return;
    }
    if (!asking || !asking.held) return;
    done.add(asking.key);
    asking = null;
    try {
      sessionStorage.setItem(doneKey(doneRoom), JSON.stringify([...done]));
    } catch {
      // kept in memory
    }
    render();
  }

  here.addEventListener("change", () => {
    const w = deps.where();
    plan = toggleQuestion(plan, w.stage, w.p, deps.stages);
    save();
  });
  $("lesson-plan-export").addEventListener("click", () => download(`deltaflow-question-plan-${LESSON_ID}.json`, exportPlan(plan)));
  $("lesson-plan-file").addEventListener("change", async (e) => {
    const file = e.target.files && e.target.files[0];
    e.target.value = ""; // the same file may be chosen again after a fix
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      deps.say(`${file.name} is not a question plan: a plan file is under ${MAX_FILE_BYTES / 1000} kB.`, "error");
      return;
    }
    const read = importPlan(await file.text(), { stages: deps.stages });
    if (read.error) {
      deps.say(`${file.name} was not imported. ${read.error}`, "error");
      return;
    }
    plan = read.plan;
    save();
    deps.say(`Imported ${plan.questions.length} planned question${plan.questions.length === 1 ? "" : "s"} from ${file.name}.`, "info");
  });
  box.hidden = false;

  return {
    moved,
    held,
    render,
    /** Where a presented stage opens: before its first planned question not yet asked. */
    openAt(stage, span) {
      const code = deps.presenting();
      return code ? openingPosition(plan, stage, span, doneFor(code)) : span.at;
    },
    get plan() {
      return plan;
    },
  };
}
