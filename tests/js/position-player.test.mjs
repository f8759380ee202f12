import assert from "node:assert/strict";
import { test } from "node:test";

import { SPEEDS, createPlayer } from "../../static/js/models/player.js";
import { createPosition } from "../../static/js/models/position.js";
import { prepareTrace } from "../../static/js/models/trace-model.js";
import { tinyTrace } from "./fixtures.mjs";

function setup() {
  const position = createPosition();
  const moves = [];
  position.onChange((p, how, from) => moves.push([p, how, from]));
  return { position, moves };
}

/** Timers a test runs by hand: run() fires the pending callback. */
function fakeTimers() {
  let pending = null;
  return {
    setTimeout: (fn, ms) => {
      pending = { fn, ms };
      return 1;
    },
    clearTimeout: () => {
      pending = null;
    },
    get pending() {
      return pending;
    },
    run() {
      const p = pending;
      pending = null;
      p.fn();
    },
  };
}

test("position.load clamps and always reports, with where it came from", () => {
  const { position, moves } = setup();
  position.load(prepareTrace(tinyTrace()), 50);
  position.load(position.trace, 50);
  assert.equal(position.p, 21);
  assert.deepEqual(moves, [[21, "load", 0], [21, "load", 21]]);
});

test("position.moveTo reports real moves only", () => {
  const { position, moves } = setup();
  position.load(prepareTrace(tinyTrace()), 3);
  assert.equal(position.moveTo(4, "step"), true);
  assert.equal(position.moveTo(4, "step"), false);
  assert.equal(position.moveTo(-9, "seek"), true);
  assert.deepEqual(moves.slice(1), [[4, "step", 3], [0, "seek", 4]]);
});

test("a position without a trace stays at 0", () => {
  const { position } = setup();
  position.load(null, 7);
  assert.equal(position.p, 0);
  assert.equal(position.total, 0);
  assert.equal(position.moveTo(1), false);
});

test("onChange returns a function that stops the calls", () => {
  const position = createPosition();
  let calls = 0;
  const stop = position.onChange(() => {
    calls += 1;
  });
  position.load(null);
  stop();
  position.load(null);
  assert.equal(calls, 1);
});

test("the player moves the position model and holds none of its own", () => {
  const { position, moves } = setup();
  const player = createPlayer(position, { timers: fakeTimers() });
  position.load(prepareTrace(tinyTrace()), 0);
  player.next();
  player.nextPhase();
  player.prevLayer(); // back to the start of layer 3's forward block
  player.toPhase("backward");
  player.last();
  assert.deepEqual(moves.slice(1).map(([p, how]) => [p, how]), [[1, "step"], [6, "jump"], [4, "back"], [8, "jump"], [21, "seek"]]);
  assert.equal(position.p, 21);
});

test("play steps on every tick and stops itself at the end", () => {
  const { position } = setup();
  const timers = fakeTimers();
  const states = [];
  const player = createPlayer(position, { timers, onPlayState: (on) => states.push(on) });
  position.load(prepareTrace(tinyTrace()), 19);
  player.play();
  assert.equal(player.playing, true);
  timers.run();
  timers.run();
  assert.equal(position.p, 21);
  timers.run(); // at the end: pauses
  assert.equal(player.playing, false);
  assert.deepEqual(states, [true, false]);
});

test("play at the end starts over from the first step", () => {
  const { position } = setup();
  const player = createPlayer(position, { timers: fakeTimers() });
  position.load(prepareTrace(tinyTrace()), 21);
  player.play();
  assert.equal(position.p, 0);
});

test("faster and slower walk the speed list and stop at its ends", () => {
  const player = createPlayer(createPosition(), { timers: fakeTimers() });
  assert.equal(player.faster(), 2);
  for (let k = 0; k < 10; k += 1) player.faster();
  assert.equal(player.speed, SPEEDS.at(-1));
  for (let k = 0; k < 10; k += 1) player.slower();
  assert.equal(player.speed, SPEEDS[0]);
  assert.equal(player.stepDuration(), 700);
});

test("a hold refuses every move past it, tells why, and lets the steps go once lifted", () => {
  const { position } = setup();
  position.load(prepareTrace(tinyTrace()), 4);
  const timers = fakeTimers();
  const player = createPlayer(position, { timers });
  let told = 0;
  player.hold(4, () => {
    told += 1;
  });
  for (const move of [player.next, player.last, player.nextLayer, player.nextPhase, () => player.seek(9)]) {
    assert.equal(move(), false);
  }
  player.toPhase("backward");
  assert.equal(position.p, 4);
  assert.equal(told, 6);
  player.play();
  timers.run();
  assert.equal(position.p, 4);
  assert.equal(player.playing, false);
  assert.equal(player.prev(), true);
  assert.equal(player.next(), true);
  player.hold(null);
  assert.equal(player.next(), true);
  assert.equal(position.p, 5);
});
