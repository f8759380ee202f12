import assert from "node:assert/strict";
import { test } from "node:test";

import {
  edgeKey, eventEdge, eventNode, nextLayerPosition, nextPhasePosition, nodeKey, plainTrace, prepareTrace,
  prevLayerPosition, prevPhasePosition, stateAt, sweptPhase, updatedWeight,
} from "../../static/js/models/trace-model.js";
import { tinyTrace } from "./fixtures.mjs";

const trace = () => prepareTrace(tinyTrace());

test("prepareTrace finds where each phase starts and ends", () => {
  const t = trace();
  assert.deepEqual(t.phaseStart, { forward: 0, loss: 6, backward: 7, update: 16 });
  assert.deepEqual(t.phaseEnd, { forward: 5, loss: 6, backward: 15, update: 20 });
});

test("prepareTrace keeps the largest magnitudes for the colour scales", () => {
  const t = trace();
  assert.equal(t.maxAbs.delta, 0.12);
  assert.equal(t.maxAbs.grad_w, 0.0684);
  assert.equal(t.maxAbs.grad_a, 0.48);
});

test("the updated weights are the update events' values, not recomputed", () => {
  const t = trace();
  assert.equal(updatedWeight(t, 2, 1, 2), -0.4062);
  assert.equal(updatedWeight(t, 3, 1, 1), 0.8342);
  assert.equal(t.updated.size, 3); // the bias updates are not weights
  assert.equal(updatedWeight(t, 2, 1, 3), null);
  assert.equal(updatedWeight(null, 2, 1, 1), null);
});

test("stateAt(0) knows nothing and has no current event", () => {
  const st = stateAt(trace(), 0);
  assert.equal(st.p, 0);
  assert.equal(st.current, null);
  assert.equal(st.phase, null);
  assert.equal(st.nodes.size, 0);
  assert.equal(st.loss, null);
});

test("stateAt collects node values up to p and the current event's dependencies", () => {
  const st = stateAt(trace(), 4);
  assert.deepEqual(st.nodes.get(nodeKey(2, 1)), { z: 0.3, a: 0.57 });
  assert.equal(st.current.quantity, "a");
  assert.deepEqual(st.deps.map((d) => d.id), [2]);
  assert.equal(st.phase, "forward");
});

test("stateAt files weight gradients and updates under their edge, biases apart", () => {
  const st = stateAt(trace(), 21);
  assert.deepEqual(st.edges.get(edgeKey(2, 1, 2)), { grad_w: 0.0123, w: -0.4062 });
  assert.deepEqual(st.biases.get(nodeKey(3, 1)), { grad_b: -0.12, b: 0.06 });
  assert.equal(st.loss, 0.12);
  assert.equal(st.phase, "update");
});

test("stateAt clamps p to the trace and accepts no trace at all", () => {
  assert.equal(stateAt(trace(), 999).p, 21);
  assert.equal(stateAt(trace(), -3).p, 0);
  assert.equal(stateAt(null, 5).p, 0);
});

test("eventNode and eventEdge: grad_a may name its node by i; weights are edges", () => {
  const t = trace();
  assert.deepEqual(eventNode(t.events[11]), { l: 2, j: 1 });
  assert.equal(eventNode(t.events[6]), null);
  assert.deepEqual(eventEdge(t.events[13]), { l: 2, j: 1, i: 1 });
  assert.equal(eventEdge(t.events[12]), null);
});

test("layer jumps go to the end of the block and back to its start", () => {
  const t = trace();
  assert.equal(nextLayerPosition(t, 0), 2); // the two inputs
  assert.equal(nextLayerPosition(t, 2), 4); // z and a of layer 2
  assert.equal(prevLayerPosition(t, 4), 2);
  assert.equal(prevLayerPosition(t, 2), 0);
  assert.equal(nextLayerPosition(t, 21), 21);
});

test("phase jumps finish the phase, or go back to its start", () => {
  const t = trace();
  assert.equal(nextPhasePosition(t, 0), 6);
  assert.equal(nextPhasePosition(t, 6), 7);
  assert.equal(prevPhasePosition(t, 10), 7);
  assert.equal(prevPhasePosition(t, 0), 0);
});

test("sweptPhase names the phase a jump computed whole", () => {
  const t = trace();
  assert.equal(sweptPhase(t, 0, 6), "forward");
  assert.equal(sweptPhase(t, 7, 16), "backward");
  assert.equal(sweptPhase(t, 2, 6), null); // started inside the forward pass
  assert.equal(sweptPhase(t, 6, 3), null);
});

test("plainTrace drops the lookup tables for the export", () => {
  const plain = plainTrace(trace());
  assert.deepEqual(Object.keys(plain).sort(), ["events", "input", "loss", "target"]);
  assert.doesNotThrow(() => JSON.stringify(plain));
});

// the state a fresh trace gives at p, replayed from the start (stateAt continues from the last state it read)
const fromScratch = (p) => stateAt(trace(), p);
const plain = (st) => structuredClone({ ...st, nodes: [...st.nodes], edges: [...st.edges], biases: [...st.biases] });

test("stateAt read in any order equals the state replayed from the start, and leaves earlier states as they were", () => {
  const t = trace();
  const total = t.events.length;
  const order = [0, 1, 2, 3, 7, 8, 15, 16, total, 4, 5, 5, 20, 9, 0, total, 12, 13, 14, 19];
  const held = [];
  for (const p of order) {
    const st = stateAt(t, p);
    assert.deepEqual(plain(st), plain(fromScratch(p)), `p = ${p}`);
    held.push([p, plain(st), st]);
  }
  // every state handed out still reads as it did, although later reads continued from it
  for (const [p, copy, st] of held) assert.deepEqual(plain(st), copy, `p = ${p} changed after later reads`);
  // and a later state has the values an earlier one had not yet seen
  const late = stateAt(t, total);
  const early = stateAt(t, 7);
  assert.ok(late.edges.size > early.edges.size);
  assert.equal(early.loss != null, true);
});
