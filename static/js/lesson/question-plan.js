// A presenter's plan of class questions in the lesson: which computations (stage key, computation number) the
// class is asked about when a presented lesson reaches them, and the plan as a JSON file. Pure: no DOM, no
// storage; the page keeps the plan in localStorage and wires the buttons (plan-panel.js).

export const PLAN_KIND = "deltaflow-question-plan";
export const PLAN_VERSION = 1;
/** The only lesson today: the plan's file and its storage key name it, so a second lesson gets its own. */
export const LESSON_ID = "backprop";
export const MAX_QUESTIONS = 200;
export const MAX_COMPUTATION = 100000;
/** A plan file is a few kilobytes; anything past this is not one. */
export const MAX_FILE_BYTES = 100000;

/** The localStorage key of a lesson's plan. */
export const storageKey = (lesson = LESSON_ID) => `deltaflow.questionPlan.${lesson}`;

const same = (q, stage, computation) => q.stage === stage && q.computation === computation;

/**
 * An empty plan, or one holding `questions` ({stage, computation}), duplicates dropped; ordered by `stages` (the
 * lesson's stage keys) when given, else by each stage's first appearance, then by computation.
 */
export function createPlan(questions = [], stages = null) {
  const kept = [];
  for (const q of questions) if (!kept.some((k) => same(k, q.stage, q.computation))) kept.push({ stage: q.stage, computation: q.computation });
  const rank = stages || [...new Set(kept.map((q) => q.stage))];
  return { questions: kept.sort((a, b) => rank.indexOf(a.stage) - rank.indexOf(b.stage) || a.computation - b.computation) };
}

export const hasQuestion = (plan, stage, computation) => plan.questions.some((q) => same(q, stage, computation));

export const addQuestion = (plan, stage, computation, stages = null) => createPlan([...plan.questions, { stage, computation }], stages);

export const removeQuestion = (plan, stage, computation) => createPlan(plan.questions.filter((q) => !same(q, stage, computation)));

/** The plan with the question at (stage, computation) added if absent, removed if present. */
export const toggleQuestion = (plan, stage, computation, stages = null) =>
  (hasQuestion(plan, stage, computation) ? removeQuestion(plan, stage, computation) : addQuestion(plan, stage, computation, stages));

/** The stage keys that hold at least one planned question. */
export const plannedStages = (plan) => new Set(plan.questions.map((q) => q.stage));

/** A planned question's identity, for the set of those already asked. */
export const questionKey = (stage, computation) => `${stage}#${computation}`;

/**
 * Where a presented stage should open so its first planned question is still ahead: the computation before the
 * first planned one in (lo, at] that is not done, else `at` (the stage's own opening). done: a Set of questionKey.
 */
export function openingPosition(plan, stage, { lo, at }, done = new Set()) {
  const ahead = plan.questions.filter((q) => q.stage === stage && q.computation > lo && q.computation <= at && !done.has(questionKey(stage, q.computation)));
  return ahead.length ? Math.min(...ahead.map((q) => q.computation)) - 1 : at;
}

/** The planned question a presented lesson standing at position p of `stage` asks next (computation p + 1), or null. */
export function questionAhead(plan, stage, p, hi, done = new Set()) {
  const k = p + 1;
  if (k > hi || !hasQuestion(plan, stage, k) || done.has(questionKey(stage, k))) return null;
  return { stage, computation: k };
}

/** The plan as the text of a JSON file. */
export function exportPlan(plan, lesson = LESSON_ID) {
  return `${JSON.stringify({ kind: PLAN_KIND, version: PLAN_VERSION, lesson, questions: plan.questions }, null, 2)}\n`;
}

const fail = (error) => ({ plan: null, error });

/**
 * Reads a plan file's text. stages: the lesson's stage keys (in order). Returns {plan, error: null} or
 * {plan: null, error} where error says in words which field breaks which rule.
 */
export function importPlan(text, { stages, lesson = LESSON_ID } = {}) {
  if (typeof text !== "string" || !text.trim()) return fail("The file is empty: a question plan is a JSON file exported from this lesson.");
  if (text.length > MAX_FILE_BYTES) return fail(`The file is too large for a question plan (more than ${MAX_FILE_BYTES} characters).`);
  let data;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return fail(`The file is not JSON (${err.message}): a question plan is a JSON file exported from this lesson.`);
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) return fail("The file holds no JSON object: a question plan is an object with \"kind\", \"version\", \"lesson\" and \"questions\".");
  if (data.kind !== PLAN_KIND) return fail(`This is not a question plan: its "kind" must be "${PLAN_KIND}".`);
  if (data.version !== PLAN_VERSION) return fail(`"version" must be ${PLAN_VERSION}; this file says ${JSON.stringify(data.version)}.`);
  if (data.lesson !== lesson) return fail(`"lesson" must be "${lesson}" (this lesson); this file says ${JSON.stringify(data.lesson)}.`);
  if (!Array.isArray(data.questions)) return fail("\"questions\" must be a list of {\"stage\", \"computation\"}.");
  if (data.questions.length > MAX_QUESTIONS) return fail(`"questions" holds ${data.questions.length} questions; a plan holds at most ${MAX_QUESTIONS}.`);
  const known = new Set(stages || []);
  for (const [n, q] of data.questions.entries()) {
    const at = `questions[${n}]`;
    if (!q || typeof q !== "object" || Array.isArray(q)) return fail(`${at} must be an object {"stage", "computation"}.`);
    if (typeof q.stage !== "string" || (stages && !known.has(q.stage))) {
      return fail(`${at}.stage ${JSON.stringify(q.stage)} is not a stage of this lesson${stages ? ` (one of: ${[...known].join(", ")})` : ""}.`);
    }
    if (!Number.isInteger(q.computation) || q.computation < 1 || q.computation > MAX_COMPUTATION) {
      return fail(`${at}.computation must be a whole number from 1 to ${MAX_COMPUTATION}; it is ${JSON.stringify(q.computation)}.`);
    }
  }
  return { plan: createPlan(data.questions, stages || null), error: null };
}
