// The presenter's plan of class questions in the lesson (static/js/lesson/question-plan.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  LESSON_ID, MAX_QUESTIONS, PLAN_KIND, addQuestion, createPlan, exportPlan, hasQuestion, importPlan, openingPosition,
  plannedStages, questionAhead, questionKey, removeQuestion, storageKey, toggleQuestion,
} from "../../static/js/lesson/question-plan.js";

const STAGES = ["overview", "notation", "output-delta", "case-two"];

test("questions are added once, removed, toggled and listed by stage", () => {
  let plan = createPlan();
  plan = addQuestion(plan, "case-two", 30, STAGES);
  plan = addQuestion(plan, "output-delta", 12, STAGES);
  plan = addQuestion(plan, "output-delta", 12, STAGES);
  plan = addQuestion(plan, "output-delta", 9, STAGES);
  assert.deepEqual(plan.questions, [
    { stage: "output-delta", computation: 9 }, { stage: "output-delta", computation: 12 }, { stage: "case-two", computation: 30 },
  ]);
  assert.equal(hasQuestion(plan, "output-delta", 12), true);
  assert.equal(hasQuestion(plan, "output-delta", 13), false);
  assert.deepEqual([...plannedStages(plan)], ["output-delta", "case-two"]);
  plan = removeQuestion(plan, "output-delta", 12);
  assert.equal(hasQuestion(plan, "output-delta", 12), false);
  plan = toggleQuestion(plan, "case-two", 30);
  assert.deepEqual(plannedStages(plan), new Set(["output-delta"]));
  plan = toggleQuestion(plan, "notation", 3, STAGES);
  assert.equal(hasQuestion(plan, "notation", 3), true);
  assert.equal(plan.questions[0].stage, "notation");
});

test("the class is asked the planned computation from the one before it, once", () => {
  const plan = createPlan([{ stage: "output-delta", computation: 12 }]);
  assert.deepEqual(questionAhead(plan, "output-delta", 11, 20), { stage: "output-delta", computation: 12 });
  assert.equal(questionAhead(plan, "output-delta", 12, 20), null);
  assert.equal(questionAhead(plan, "case-two", 11, 20), null);
  assert.equal(questionAhead(plan, "output-delta", 11, 11), null); // past the stage's last computation
  assert.equal(questionAhead(plan, "output-delta", 11, 20, new Set([questionKey("output-delta", 12)])), null);
});

test("a presented stage opens before its first planned question not yet asked", () => {
  const plan = createPlan([{ stage: "output-delta", computation: 12 }, { stage: "output-delta", computation: 10 }]);
  assert.equal(openingPosition(plan, "output-delta", { lo: 8, at: 12 }), 9);
  assert.equal(openingPosition(plan, "output-delta", { lo: 8, at: 12 }, new Set([questionKey("output-delta", 10)])), 11);
  assert.equal(openingPosition(plan, "output-delta", { lo: 8, at: 12 }, new Set(["output-delta#10", "output-delta#12"])), 12);
  assert.equal(openingPosition(plan, "output-delta", { lo: 10, at: 11 }), 11); // 10 is the stage's first: never ahead
  assert.equal(openingPosition(plan, "notation", { lo: 0, at: 5 }), 5);
});

test("a plan survives export and import", () => {
  const plan = createPlan([{ stage: "case-two", computation: 30 }, { stage: "notation", computation: 3 }], STAGES);
  const text = exportPlan(plan);
  const data = JSON.parse(text);
  assert.equal(data.kind, PLAN_KIND);
  assert.equal(data.lesson, LESSON_ID);
  const back = importPlan(text, { stages: STAGES });
  assert.equal(back.error, null);
  assert.deepEqual(back.plan, plan);
  assert.equal(storageKey(), "deltaflow.questionPlan.backprop");
});

test("a bad file is refused with the field and the rule", () => {
  const good = { kind: PLAN_KIND, version: 1, lesson: LESSON_ID, questions: [{ stage: "notation", computation: 3 }] };
  const bad = (change) => importPlan(JSON.stringify({ ...good, ...change }), { stages: STAGES });
  const cases = [
    [importPlan("", { stages: STAGES }), /empty/],
    [importPlan("{not json", { stages: STAGES }), /not JSON/],
    [importPlan("[1, 2]", { stages: STAGES }), /no JSON object/],
    [bad({ kind: "something-else" }), /"kind" must be "deltaflow-question-plan"/],
    [bad({ version: 2 }), /"version" must be 1/],
    [bad({ lesson: "other" }), /"lesson" must be "backprop"/],
    [bad({ questions: "all" }), /"questions" must be a list/],
    [bad({ questions: Array.from({ length: MAX_QUESTIONS + 1 }, (_, k) => ({ stage: "notation", computation: k + 1 })) }), /at most 200/],
    [bad({ questions: [{ stage: "notation", computation: 3 }, 7] }), /questions\[1\] must be an object/],
    [bad({ questions: [{ stage: "nowhere", computation: 3 }] }), /questions\[0\]\.stage "nowhere" is not a stage of this lesson \(one of: overview/],
    [bad({ questions: [{ stage: "notation", computation: 0 }] }), /questions\[0\]\.computation must be a whole number from 1/],
    [bad({ questions: [{ stage: "notation", computation: 2.5 }] }), /computation must be a whole number/],
    [bad({ questions: [{ stage: "notation", computation: "3" }] }), /computation must be a whole number/],
  ];
  for (const [result, words] of cases) {
    assert.equal(result.plan, null);
    assert.match(result.error, words);
  }
});
