import assert from "node:assert/strict";
import { test } from "node:test";

import { createHistory, restoreBody, sameSnapshot, snapshotOf } from "../../static/js/models/history.js";

const net = (id, w, iteration = 0) => ({ id, weights: [[[w]]], biases: [[0]], iteration, optimizer_state: {} });

test("an edit pushes the state before it; undo gives it back and redo the edit", () => {
  const h = createHistory();
  h.seen(net("a", 1));
  assert.equal(h.canUndo, false);
  h.seen(net("a", 2), "edit w");
  assert.equal(h.canUndo, true);
  assert.equal(h.nextUndo, "edit w");
  const back = h.undo();
  assert.deepEqual(back.weights, [[[1]]]);
  assert.equal(h.canRedo, true);
  const again = h.redo();
  assert.deepEqual(again.weights, [[[2]]]);
  assert.equal(h.canRedo, false);
});

test("the same parameters again push nothing; a new change drops the redo branch", () => {
  const h = createHistory();
  h.seen(net("a", 1));
  h.seen(net("a", 1));
  assert.equal(h.canUndo, false);
  h.seen(net("a", 2));
  h.seen(net("a", 3, 1000), "training");
  h.undo();
  assert.equal(h.canRedo, true);
  h.seen(net("a", 4));
  assert.equal(h.canRedo, false);
  assert.deepEqual(h.undo().weights, [[[2]]]);
});

test("another network starts a new history", () => {
  const h = createHistory();
  h.seen(net("a", 1));
  h.seen(net("a", 2));
  h.seen(net("b", 5));
  assert.equal(h.canUndo, false);
  assert.equal(h.undo(), null);
});

test("adopting the restored state pushes nothing; revert undoes a refused undo", () => {
  const h = createHistory();
  h.seen(net("a", 1));
  h.seen(net("a", 2));
  const back = h.undo();
  h.adopt({ ...net("a", 1), id: back.id });
  assert.equal(h.canUndo, false);
  h.redo();
  h.revert("redo");
  assert.equal(h.canRedo, true);
  assert.equal(h.canUndo, false);
});

test("the limit keeps the newest states", () => {
  const h = createHistory(3);
  for (let w = 0; w < 10; w += 1) h.seen(net("a", w));
  let n = 0;
  while (h.undo()) n += 1;
  assert.equal(n, 3);
});

test("snapshots compare by value and restore with iteration and optimizer state", () => {
  const a = snapshotOf({ ...net("a", 1, 7), optimizer_state: { m: [0.1] } });
  assert.ok(sameSnapshot(a, snapshotOf({ ...net("a", 1, 7), optimizer_state: { m: [0.1] } })));
  assert.ok(!sameSnapshot(a, snapshotOf(net("a", 1, 8))));
  assert.deepEqual(restoreBody(a), { restore: { weights: [[[1]]], biases: [[0]], iteration: 7, optimizer_state: { m: [0.1] } } });
});

test("a clicked node leads to its next computation, wrapping to the start", async () => {
  const { nextPositionOfNode } = await import("../../static/js/models/trace-model.js");
  const trace = {
    events: [
      { quantity: "a", l: 1, j: 1 }, { quantity: "z", l: 2, j: 1 }, { quantity: "a", l: 2, j: 1 },
      { quantity: "loss", l: 2 }, { quantity: "delta", l: 2, j: 1 }, { quantity: "grad_w", l: 2, j: 1, i: 1 },
    ],
  };
  assert.equal(nextPositionOfNode(trace, 0, 2, 1), 2); // z of node (2, 1) becomes the current event
  assert.equal(nextPositionOfNode(trace, 2, 2, 1), 3);
  assert.equal(nextPositionOfNode(trace, 3, 2, 1), 5); // the weight gradient is the edge's, not the node's
  assert.equal(nextPositionOfNode(trace, 5, 2, 1), 2); // past its last computation: back to its first
  assert.equal(nextPositionOfNode(trace, 0, "loss"), 4);
  assert.equal(nextPositionOfNode(trace, 0, 3, 1), null);
  assert.equal(nextPositionOfNode(null, 0, 1, 1), null);
});
