// The class list and pacing as the dashboard and the follower pages read them (static/js/models/classroom.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { classRows, forkLocked, pacingOf, pauseText, seenText, share, totalsText, wrongText } from "../../static/js/models/classroom.js";

test("a room without pacing is free, and only a presenter lock closes forks", () => {
  assert.deepEqual(pacingOf({}), { lock: "free", paused: false, message: null });
  assert.equal(forkLocked(pacingOf({ pacing: { lock: "presenter" } })), true);
  assert.equal(forkLocked(pacingOf({ pacing: { lock: "stage" } })), false);
  assert.equal(pauseText({ message: "Look at δ" }), "Look at δ");
  assert.match(pauseText({ message: "  " }), /paused/);
});

test("last seen reads in words", () => {
  const now = Date.parse("2026-12-06T23:00:00Z");
  assert.equal(seenText("2026-12-06T23:00:00Z", now), "now");
  assert.equal(seenText("2026-12-06T22:59:48Z", now), "12 s ago");
  assert.equal(seenText("2026-12-06T22:57:00Z", now), "3 min ago");
  assert.equal(seenText("2026-12-06T20:59:00Z", now), "2 h ago");
  assert.equal(seenText("never", now), "");
});

test("anonymous rows hide names behind numbers and keep the rest", () => {
  const dashboard = { followers: [
    { follower: "a1", name: "Ada", mode: "own_copy", view: "lesson", stage: 3, position: 17, answers: 2, correct: 1, last_seen: "2026-12-06T23:00:00Z" },
    { follower: "b2", name: "Bob", mode: "following", view: "main", stage: null, position: 4, answers: 0, correct: 0, last_seen: "2026-12-06T23:00:00Z" },
  ] };
  const now = Date.parse("2026-12-06T23:00:00Z");
  const shown = classRows(dashboard, { now });
  assert.deepEqual(shown.map((r) => [r.label, r.mode, r.place]), [["Ada", "own copy", "lesson · stage 3 · step 17"], ["Bob", "following", "step 4"]]);
  const hidden = classRows(dashboard, { anonymous: true, now });
  assert.deepEqual(hidden.map((r) => r.label), ["Student 1", "Student 2"]);
  assert.ok(!JSON.stringify(hidden.map((r) => r.label)).includes("Ada"));
});

test("totals, shares and wrong answers in words", () => {
  assert.equal(totalsText({ following: 24, own_copy: 6, answered: 19 }), "24 following · 6 on their own copy · 19 answered the question");
  assert.equal(share({ answers: 4, within_10_percent: 1 }), "25 %");
  assert.equal(share({ answers: 0, within_10_percent: 0 }), "–");
  assert.equal(wrongText({ common_wrong: [{ value: 0.5, count: 2, likely: "z given for a" }, { value: -1, count: 1, likely: null }] }),
    "0.5 ×2 (z given for a); -1 ×1");
});
