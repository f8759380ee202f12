import { test } from "node:test";
import assert from "node:assert/strict";
import {
  answeredText, createScore, flipSign, heldEvent, histogramBars, isWithin, judge, parseAnswer, percentText, promptLatex,
  tolerance, verdictText, withhold,
} from "../../static/js/models/quiz.js";
import { createMeta } from "../../static/js/models/meta.js";
import { tinyTrace } from "./fixtures.mjs";

// the tolerance as GET /api/meta serves it
const RULE = createMeta({ quiz: { relative_tolerance: 0.1, absolute_tolerance: 0.0005 } }).quizTolerance();

test("the tolerance comes from meta, and is null when meta has none or a broken one", () => {
  assert.deepEqual(RULE, { relative: 0.1, absolute: 0.0005 });
  assert.equal(createMeta(null).quizTolerance(), null);
  assert.equal(createMeta({ quiz: { relative_tolerance: "0.1", absolute_tolerance: 0.0005 } }).quizTolerance(), null);
  assert.equal(percentText(RULE), "10%");
  assert.equal(percentText({ relative: 0.05, absolute: 0 }), "5%");
});

test("within the tolerance follows the server's rule, with a floor for a true 0", () => {
  assert.equal(tolerance(RULE, 2), 0.2);
  assert.ok(isWithin(RULE, 2, 2.2) && isWithin(RULE, 2, 1.8) && !isWithin(RULE, 2, 2.21));
  assert.ok(isWithin(RULE, -0.5, -0.45) && !isWithin(RULE, -0.5, 0.5));
  assert.ok(isWithin(RULE, 0, 0.0004) && !isWithin(RULE, 0, 0.002));
  assert.equal(verdictText(judge(1, 1.05, RULE), RULE), "✓ within 10%");
  assert.equal(verdictText(judge(1, 2, RULE), RULE), "✗ more than 10% off");
});

test("the prompt replaces only the last result by ?", () => {
  assert.equal(promptLatex({ latex: "a = \\sigma(0.5) = 0.6225", symbol: "a" }), "a = \\sigma(0.5) = ?");
  assert.equal(promptLatex({ latex: "", symbol: "z" }), "z = ?");
});

test("answers typed on phones parse; junk does not", () => {
  assert.equal(parseAnswer("0,25"), 0.25);
  assert.equal(parseAnswer("\u22120.3"), -0.3);
  assert.equal(parseAnswer(" .5 "), 0.5);
  assert.equal(parseAnswer("1e-3"), 0.001);
  for (const bad of ["", "-", "abc", "1.2.3", "1e999", "NaN", null]) assert.equal(parseAnswer(bad), null, bad);
  assert.equal(flipSign("0.5"), "-0.5");
  assert.equal(flipSign("-0.5"), "0.5");
  assert.equal(flipSign(""), "-");
});

test("histogram bars mark the within-10% bin and add outer bars only when used", () => {
  const edges = Array.from({ length: 10 }, (_, k) => 1 + (k - 4.5) * 0.2);
  const h = { around: "value", edges, counts: [0, 0, 0, 1, 3, 1, 0, 0, 0], below: 2, above: 0 };
  const bars = histogramBars(h, RULE);
  assert.equal(bars.length, 10);
  assert.equal(bars[0].kind, "below");
  assert.equal(bars[0].count, 2);
  const within = bars.filter((b) => b.within);
  assert.equal(within.length, 1);
  assert.equal(within[0].count, 3);
  assert.equal(within[0].share, 1);
  assert.equal(within[0].label, "±10%");
  assert.equal(bars[0].label, "less");
  assert.equal(bars[0].edge, "0.1");
  assert.equal(bars[2].label, "");
  assert.equal(bars[1].label, "0.1");
  assert.equal(bars[9].label, "1.9");
  const spread = histogramBars({ around: "answers", edges: Array.from({ length: 10 }, (_, k) => 0.086 + k * 0.004),
    counts: [1, 0, 0, 0, 0, 0, 2, 0, 1], below: 0, above: 0 }, RULE);
  assert.deepEqual(spread.map((b) => b.label), ["0.086", "", "", "", "0.104", "", "", "", "0.122"]);
  assert.equal(spread.filter((b) => b.within).length, 0); // no true value is marked before the reveal
  assert.deepEqual(histogramBars({ around: "hidden", edges: [], counts: [] }, RULE), []);
  // without the server's rule no bin is called within, and none is labelled with a percentage
  const plain = histogramBars(h, null);
  assert.equal(plain.length, 10);
  assert.ok(plain.every((b) => !b.within && !b.label.includes("%")));
  assert.equal(answeredText(12, 27), "12 of 27 answered");
  assert.equal(answeredText(3, null), "3 answered");
});

test("the solo score counts guesses within the tolerance and streaks", () => {
  const score = createScore(RULE);
  assert.equal(score.text(), "no guesses yet");
  assert.ok(score.record(1, 1.05).within);
  assert.ok(score.record(-2, -2.1).within);
  assert.equal(score.record(0.5, -0.5).within, false);
  assert.deepEqual(score.value, { asked: 3, within: 2, streak: 0, best: 2 });
  assert.equal(score.text(), "2 of 3 within 10%");
  assert.equal(judge(0, 0.1, RULE).relative, null);
});

test("without the server's rule guesses are counted but not judged", () => {
  const score = createScore(null);
  const verdict = score.record(1, 1.05);
  assert.equal(verdict.within, null);
  assert.equal(verdictText(verdict, null), "");
  assert.equal(score.text(), "1 guess");
  score.record(2, 7);
  assert.deepEqual(score.value, { asked: 2, within: 0, streak: 0, best: 0 });
  assert.equal(score.text(), "2 guesses");
});

test("an open question withholds its event and all after it from the trace; a revealed one nothing", () => {
  const trace = tinyTrace();
  const open = { event: 4, sample: 1, revealed: false };
  assert.equal(heldEvent(open, 1), 4);
  assert.equal(heldEvent(open, 0), null);
  assert.equal(heldEvent({ ...open, revealed: true }, 1), null);
  assert.equal(heldEvent(null, 1), null);
  const cut = withhold(trace, 4);
  assert.equal(cut.events.length, 4);
  assert.equal(cut.loss, null);
  assert.ok(!JSON.stringify(cut).includes("0.1,") && !JSON.stringify(cut).includes("0.52"));
  assert.equal(withhold(trace, 7).loss, 0.12); // the loss event is before the asked one: already shown
  assert.equal(withhold(trace, null), trace);
});
