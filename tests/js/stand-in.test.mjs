// The stand-in for objects built after the first drawing: fallbacks answer at once, other calls wait in order.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createStandIn } from "../../static/js/models/stand-in.js";

test("calls without a fallback wait for the real object and run in order", async () => {
  const seen = [];
  const { proxy, adopt } = createStandIn(["add", "total"]);
  const first = proxy.add(2);
  const second = proxy.add(3);
  assert.equal(seen.length, 0);
  let sum = 0;
  adopt({ add: (n) => { seen.push(n); sum += n; return sum; }, total: () => sum });
  assert.deepEqual(seen, [2, 3]);
  assert.equal(await first, 2);
  assert.equal(await second, 5);
  assert.equal(proxy.total(), 5); // once adopted, calls go straight through and answer synchronously
});

test("fallbacks answer while the object is missing, and only then", () => {
  const { proxy, adopt } = createStandIn(["picked"], { picked: () => false });
  assert.equal(proxy.picked({ l: 2 }), false);
  adopt({ picked: (edge) => edge.l === 2 });
  assert.equal(proxy.picked({ l: 2 }), true);
});

test("a waiting call that throws rejects its own promise, not the others", async () => {
  const stand = createStandIn(["go"]);
  const bad = stand.proxy.go(0);
  const good = stand.proxy.go(1);
  assert.equal(stand.ready, false);
  stand.adopt({ go: (n) => { if (!n) throw new Error("no"); return n; } });
  assert.equal(stand.ready, true);
  await assert.rejects(bad, /no/);
  assert.equal(await good, 1);
});
