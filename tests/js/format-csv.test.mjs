import assert from "node:assert/strict";
import { test } from "node:test";

import { fileSizeError, parseCsv, snapshotsCsv, toCsv } from "../../static/js/models/csv.js";
import { describeNetwork, fmt, labelNum, ruleLabel, texNum, two } from "../../static/js/models/format.js";
import { tinyNetwork } from "./fixtures.mjs";

test("fmt writes true minus signs and switches to exponents for tiny and huge values", () => {
  assert.equal(fmt(-0.5), "−0.500");
  assert.equal(fmt(0.00001), "1.00e−5");
  assert.equal(fmt(123456), "1.23e+5");
  assert.equal(fmt(null), "–");
  assert.equal(fmt(-Infinity), "−∞");
  assert.equal(fmt(0), "0.000");
});

test("texNum writes powers of ten for LaTeX", () => {
  assert.equal(texNum(0.00012), "{1.20\\times 10^{-4}}");
  assert.equal(texNum(-0.25, 2), "-0.25");
  assert.equal(texNum(undefined), "\\cdot");
  assert.equal(texNum(Infinity), "\\infty");
});

test("labelNum keeps edge labels short", () => {
  assert.equal(labelNum(0.456), "0.46");
  assert.equal(labelNum(-0.0123), "−0.012");
  assert.equal(labelNum(2500), "2.5e3");
  assert.equal(labelNum(0), "0");
});

test("two rounds like the lecture's table and hides −0.00", () => {
  assert.equal(two(0.519), "0.52");
  assert.equal(two(-0.001), "0.00");
  assert.equal(two(-0.25), "−0.25");
});

test("describeNetwork is the one line both pages show", () => {
  assert.equal(describeNetwork(tinyNetwork()), "XOR · 2–1–1 · sigmoid · squared error · η = 0.5 · iteration 12,000");
  assert.match(describeNetwork({ ...tinyNetwork(), preset: null, loss: "cross_entropy" }), /^custom · .* cross-entropy ·/);
  assert.equal(ruleLabel("some_new_rule"), "some new rule");
});

test("parseCsv splits inputs from targets and skips a header and comments", () => {
  const got = parseCsv("x1,x2,y\n# the XOR table\n0,0,0\n0 1 1\n1;0;1\n", 2, 1);
  assert.deepEqual(got, { inputs: [[0, 0], [0, 1], [1, 0]], targets: [[0], [1], [1]] });
});

test("parseCsv names the row and the rule it breaks", () => {
  assert.equal(parseCsv("", 2, 1).error, "Paste at least one row of numbers.");
  assert.match(parseCsv("0,0,0\n1,1", 2, 1).error, /^Row 2 has 2 columns; expected 2 inputs \+ 1 targets = 3/);
  assert.match(parseCsv("0,0,0\n1,x,1", 2, 1).error, /^Row 2 has a value that is not a number/);
});

test("toCsv and parseCsv round-trip a data set", () => {
  const ds = tinyNetwork().dataset;
  const text = toCsv(ds, 2, 1);
  assert.equal(text.split("\n")[0], "x1,x2,y");
  assert.deepEqual(parseCsv(text, 2, 1), ds);
  assert.equal(toCsv(null, 2, 1), "");
});

test("snapshotsCsv writes every snapshot in iteration order, one row per sample", () => {
  const ds = { inputs: [[0, 1], [1, 1]], targets: [[1], [0]] };
  const snaps = new Map([[1000, [[0.9], [0.2]]], [0, [[0.5], [0.5]]]]);
  const lines = snapshotsCsv(ds, snaps).trim().split("\n");
  assert.deepEqual(lines, ["iteration,x1,x2,y,o", "0,0,1,1,0.5", "0,1,1,0,0.5", "1000,0,1,1,0.9", "1000,1,1,0,0.2"]);
  assert.equal(snapshotsCsv(null, snaps), "");
});

test("parseCsv turns a class-label column into one-hot targets for a multi-output layer", () => {
  const zero = parseCsv("x1,x2,class\n0.1,0.2,0\n0.3,0.4,2\n0.5,0.6,1\n", 2, 3);
  assert.deepEqual(zero.targets, [[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
  assert.deepEqual(zero.classes, ["0", "1", "2"]);
  const one = parseCsv("0,0,1\n1,1,3\n", 2, 3);
  assert.deepEqual(one.targets, [[1, 0, 0], [0, 0, 1]]);
  assert.deepEqual(one.classes, ["1", "2", "3"]);
  const named = parseCsv("5.1 3.5 setosa\n6.2 2.9 versicolor\n5.0 3.4 setosa\n", 2, 3);
  assert.deepEqual(named.inputs, [[5.1, 3.5], [6.2, 2.9], [5.0, 3.4]]);
  assert.deepEqual(named.targets, [[1, 0, 0], [0, 1, 0], [1, 0, 0]]);
  assert.deepEqual(named.classes, ["setosa", "versicolor"]);
  // one-hot rows keep working, and a single output takes its column as the target itself
  assert.deepEqual(parseCsv("0,0,0,1,0\n", 2, 3).targets, [[0, 1, 0]]);
  assert.deepEqual(parseCsv("0,0,1\n", 2, 1).targets, [[1]]);
});

test("parseCsv names what is wrong with class labels", () => {
  assert.match(parseCsv("0,0,0\n1,1,7\n", 2, 3).error, /run from 0 to 7; the output layer has 3 nodes/);
  assert.match(parseCsv("0,0,a\n1,1,b\n0,1,c\n1,0,d\n", 2, 3).error, /^4 class names/);
  assert.match(parseCsv("0,0,0.5\n", 2, 3).error, /whole numbers or names/);
  assert.match(parseCsv("0,0,1\n1,1,0,1,0\n", 2, 3).error, /or 2 inputs \+ 1 class label = 3 on every row/);
});

test("fileSizeError names the file, its size and the server's limit, and passes files within it", () => {
  assert.equal(fileSizeError("big.csv", 2_500_000, 1_000_000), "big.csv is 2.50 MB; the server takes at most 1.00 MB per request. Use fewer rows.");
  assert.equal(fileSizeError("small.csv", 1_000_000, 1_000_000), null);
  assert.equal(fileSizeError("any.csv", 5e9, Infinity), null);
});
