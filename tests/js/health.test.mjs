import assert from "node:assert/strict";
import { test } from "node:test";

import { createLossWatch, deltaScales, gradientScale, saturationAdvice } from "../../static/js/models/health.js";

// a 2-2-3 network: the output layer's δ are large, the hidden layer's are `grad`
const trace = (grad, loss) => ({
  events: [
    { quantity: "z", l: 2, j: 1, value: 40 }, { quantity: "loss", l: 3, value: loss },
    { quantity: "delta", l: 3, j: 1, value: -0.99 }, { quantity: "delta", l: 3, j: 2, value: 0.99 },
    { quantity: "grad_w", l: 3, j: 1, i: 1, value: 0 },
    { quantity: "delta", l: 2, j: 1, value: grad }, { quantity: "delta", l: 2, j: 2, value: -grad / 2 },
    { quantity: "grad_b", l: 2, j: 1, value: grad },
  ],
});
const net = { reduction: "sum", learning_rate: 0.5 };

test("vanished gradients with a large loss are a saturated network, with what to try", () => {
  assert.equal(gradientScale(trace(2e-12, 190)), 0.99);
  assert.deepEqual([...deltaScales(trace(2e-12, 190))], [[3, 0.99], [2, 2e-12]]);
  const advice = saturationAdvice(trace(2e-12, 190), net);
  assert.match(advice, /^Saturated: in layer 2 every δ is below 2.00e−12/);
  assert.match(advice, /mean over samples/);
  assert.match(advice, /smaller learning rate η \(now 0.5\)/);
  assert.doesNotMatch(saturationAdvice(trace(2e-12, 190), { reduction: "mean", learning_rate: 0.1 }), /mean over samples/);
});

test("healthy gradients, a learnt sample or no trace give no advice", () => {
  assert.equal(saturationAdvice(trace(0.05, 0.3), net), null);
  assert.equal(saturationAdvice(trace(1e-12, 1e-6), net), null); // learnt: small loss, small gradients
  assert.equal(saturationAdvice(null, net), null);
  assert.equal(gradientScale({ events: [{ quantity: "z", value: 1 }] }), null);
  assert.equal(saturationAdvice(trace(0, 4.9), net) !== null, true); // δ exactly 0: a dead layer is saturated too
});

test("a loss that climbs to three times the run's lowest and past its start is reported while it stays up", () => {
  const watch = createLossWatch();
  assert.equal(watch.add(1.0, net), null);
  assert.equal(watch.add(0.5, net), null);
  assert.equal(watch.add(1.4, net), /* above the start, under three times the lowest */ null);
  assert.match(watch.add(6, net), /jumped from 0.500 to 6.00/);
  assert.match(watch.add(60, net), /to 60\.0/);
  assert.equal(watch.add(0.4, net), null); // back down: the note ends with its cause
  watch.start();
  assert.equal(watch.add(60, net), null);
});

test("a noisy loss that falls below where the run began is no jump", () => {
  const watch = createLossWatch();
  for (const loss of [2.6, 0.0008, 1.716, 1.0]) assert.equal(watch.add(loss, net), null, String(loss));
});
