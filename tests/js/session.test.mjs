// The walk-through's session model: the network and sample shown, the undo history of its changes, the parameter
// edits' names and bodies, and the advice on a training run's losses.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  clampSample, createSession, parameterName, parameterPatch, parameterValue, sampleCount,
} from "../../static/js/models/session.js";

// a 2-2-1 network with a four-sample data set, as GET /api/networks/{id} returns it
const network = (id, w11, iteration = 0) => ({
  id,
  iteration,
  layers: [2, 2, 1],
  weights: [[[w11, 0.2], [0.3, 0.4]], [[0.5, 0.6]]],
  biases: [[0.1, -0.1], [0.05]],
  learning_rate: 0.5,
  reduction: "sum",
  dataset: { inputs: [[0, 0], [0, 1], [1, 0], [1, 1]], targets: [[0], [1], [1], [0]] },
});

test("a fresh network keeps the sample inside its data set; a kept one leaves it alone", () => {
  const session = createSession();
  session.state.sample = 7;
  session.commit(network("a", 0.1), { fresh: false });
  assert.equal(session.state.sample, 7);
  session.commit(network("b", 0.1), { fresh: true });
  assert.equal(session.state.network.id, "b");
  assert.equal(session.state.sample, 3);
  assert.equal(sampleCount(network("c", 0)), 4);
  assert.equal(clampSample({ id: "no data" }, 5), 0);
});

test("the next sample wraps round to the first", () => {
  const session = createSession();
  session.commit(network("a", 0.1), { fresh: true });
  session.state.sample = 2;
  session.nextSample();
  assert.equal(session.state.sample, 3);
  session.nextSample();
  assert.equal(session.state.sample, 0);
});

test("undo and redo travel the committed changes; a training run's progress is not one", () => {
  const session = createSession();
  session.commit(network("a", 0.1));
  session.commit(network("a", 0.9), { label: "the edit of w11 in layer 2" });
  session.progress(network("a", 5, 40));
  assert.equal(session.state.network.iteration, 40);
  assert.equal(session.history.nextUndo, "the edit of w11 in layer 2");
  const back = session.travel("undo");
  assert.equal(back.weights[0][0][0], 0.1);
  session.commit(network("a", 0.1), { record: false }); // the server's answer to the restore
  assert.equal(session.history.canUndo, false);
  assert.equal(session.travel("redo").weights[0][0][0], 0.9);
  session.revert("redo"); // the server refused it: the redo is there again
  assert.equal(session.history.canRedo, true);
  assert.equal(session.travel("undo"), null);
});

test("a parameter's value, name and PATCH body; what is not a number goes as null", () => {
  const net = network("a", 0.1);
  assert.equal(parameterValue(net, { l: 2, j: 2, i: 1 }), 0.3);
  assert.equal(parameterValue(net, { l: 3, j: 1, bias: true }), 0.05);
  assert.equal(parameterName({ l: 2, j: 1, i: 2 }), "w12 in layer 2");
  assert.equal(parameterName({ l: 3, j: 1, bias: true }), "b1 in layer 3");
  assert.deepEqual(parameterPatch({ l: 2, j: 1, i: 2 }, "-0.25"), { weights: [{ l: 2, j: 1, i: 2, value: -0.25 }] });
  assert.deepEqual(parameterPatch({ l: 3, j: 1, bias: true }, "abc"), { biases: [{ l: 3, j: 1, value: null }] });
  assert.deepEqual(parameterPatch({ l: 2, j: 1, i: 1 }, ""), { weights: [{ l: 2, j: 1, i: 1, value: null }] });
});

test("the jump note lasts while the loss stays up, and each run and network starts afresh", () => {
  const session = createSession();
  session.commit(network("a", 0.1));
  assert.deepEqual(session.trainingProgress({ done: 0, running: true, loss: 0.5 }), { advice: null });
  assert.equal(session.trainingProgress({ done: 10, running: true, loss: 0.1 }).advice, null);
  const jump = session.trainingProgress({ done: 20, running: true, loss: 3 });
  assert.match(jump.advice, /jumped from 0\.1.* to 3.*now 0\.5\)/);
  assert.match(session.trainingProgress({ done: 30, running: true, loss: 9 }).advice, /jumped/);
  // a new run starts afresh
  session.trainingProgress({ done: 0, running: true, loss: 0.2 });
  assert.match(session.trainingProgress({ done: 5, running: true, loss: 4 }).advice, /jumped/);
  // a different network's run is measured against its own losses only, with its own η
  session.trainingProgress({ done: 6, running: true, loss: 0.001 });
  session.commit({ ...network("b", 0.7), learning_rate: 0.7 }, { fresh: true });
  assert.equal(session.trainingProgress({ done: 5, running: true, loss: 2.6 }).advice, null);
  assert.equal(session.trainingProgress({ done: 9, running: true, loss: 1.7 }).advice, null);
  assert.match(session.trainingProgress({ done: 12, running: true, loss: 9 }).advice, /now 0\.7\)/);
});
