import assert from "node:assert/strict";
import { test } from "node:test";

import { figureColumns, moveChoice } from "../../static/js/models/figure-choice.js";
import { choiceWords, litWords, stepWords } from "../../static/js/models/spoken.js";
import { prepareTrace, stateAt } from "../../static/js/models/trace-model.js";
import { tinyNetwork, tinyTrace } from "./fixtures.mjs";

const LAYERS = [2, 1, 1];

test("the figure's columns hold each node, then its bias and incoming weights, and the loss last", () => {
  const cols = figureColumns(LAYERS);
  assert.equal(cols.length, 4);
  assert.deepEqual(cols[0], [{ kind: "node", l: 1, j: 1 }, { kind: "node", l: 1, j: 2 }]);
  assert.deepEqual(cols[1].map((x) => x.kind), ["node", "bias", "weight", "weight"]);
  assert.deepEqual(cols[1][3], { kind: "weight", l: 2, j: 1, i: 2 });
  assert.deepEqual(cols[3], [{ kind: "loss" }]);
});

test("arrows move within a layer and across layers, and stop at the ends", () => {
  let at = moveChoice(LAYERS, null, "ArrowRight");
  assert.deepEqual(at, { kind: "node", l: 1, j: 1 });
  at = moveChoice(LAYERS, at, "ArrowDown");
  assert.deepEqual(at, { kind: "node", l: 1, j: 2 });
  assert.deepEqual(moveChoice(LAYERS, at, "ArrowDown"), at);
  at = moveChoice(LAYERS, at, "ArrowRight"); // layer 2 has one node: the nearest
  assert.deepEqual(at, { kind: "node", l: 2, j: 1 });
  at = moveChoice(LAYERS, moveChoice(LAYERS, at, "ArrowDown"), "ArrowDown");
  assert.deepEqual(at, { kind: "weight", l: 2, j: 1, i: 1 });
  assert.deepEqual(moveChoice(LAYERS, at, "ArrowUp"), { kind: "bias", l: 2, j: 1 });
  assert.deepEqual(moveChoice(LAYERS, at, "ArrowLeft"), { kind: "node", l: 1, j: 1 });
  assert.deepEqual(moveChoice(LAYERS, at, "End"), { kind: "loss" });
  assert.deepEqual(moveChoice(LAYERS, { kind: "loss" }, "ArrowRight"), { kind: "loss" });
  assert.deepEqual(moveChoice(LAYERS, { kind: "loss" }, "ArrowLeft"), { kind: "node", l: 3, j: 1 });
  assert.equal(moveChoice(LAYERS, at, "x"), null);
  // a choice from a network of another shape starts again at the first node
  assert.deepEqual(moveChoice(LAYERS, { kind: "node", l: 9, j: 1 }, "ArrowUp"), { kind: "node", l: 1, j: 1 });
});

test("a step is said with its counter, phase, rule and value", () => {
  const trace = prepareTrace(tinyTrace());
  assert.equal(stepWords(trace, stateAt(trace, 0), 3), "Step 0 of 21: nothing computed yet.");
  const words = stepWords(trace, stateAt(trace, 9), 3);
  assert.equal(words, "Step 9 of 21, backward: error delta 1 of layer 3 = the activation's slope times dL by d a 1 "
    + "of layer 3 = −0.1200.");
  assert.match(stepWords(trace, stateAt(trace, 10), 3), /dL by d weight w 1 1 of layer 3 = a 1 of layer 2 times delta 1/);
});

test("the figure says what it has lit and what a keyboard choice is worth", () => {
  const trace = prepareTrace(tinyTrace());
  assert.equal(litWords(stateAt(trace, 0)), "Nothing is lit yet: step 0.");
  assert.equal(litWords(stateAt(trace, 4)), "Lit: node a 1 of layer 2, a = 0.5700.");
  assert.equal(litWords(stateAt(trace, 7)), "Lit: the loss node, L = 0.1200.");
  assert.equal(litWords(stateAt(trace, 10)), "Lit: the edge of weight w 1 1 of layer 3, dL by dw = −0.0684.");
  const st = stateAt(trace, 4);
  const net = tinyNetwork();
  assert.equal(choiceWords({ kind: "weight", l: 2, j: 1, i: 2 }, net, st),
    "weight w 1 2 of layer 2, from x 2 to a 1 of layer 2, = −0.4000. Enter edits it.");
  assert.equal(choiceWords({ kind: "bias", l: 2, j: 1 }, net, st), "bias b 1 of layer 2 = 0.1000. Enter edits it.");
  assert.match(choiceWords({ kind: "node", l: 2, j: 1 }, net, st), /^Node a 1 of layer 2, a = 0.5700\./);
  assert.match(choiceWords({ kind: "node", l: 3, j: 1 }, net, st), /a = not computed yet/);
});

test("a quiz symbol's LaTeX is said in words", async () => {
  const { texWords } = await import("../../static/js/models/spoken.js");
  assert.equal(texWords("z_{1}^{2}"), "z 1 of layer 2");
  assert.equal(texWords("\\delta_{1}^{3}"), "delta 1 of layer 3");
  assert.equal(texWords("\\frac{\\partial \\mathcal{L}}{\\partial w_{21}^{3}}"), "dL by d w 21 of layer 3");
  assert.equal(texWords("\\mathcal{L}"), "L");
});
