// The step player: the moves a lesson needs (step, layer, phase, first/last) over the position model, and the
// clock for play/pause. It holds no position of its own and draws nothing.

import { nextLayerPosition, nextPhasePosition, prevLayerPosition, prevPhasePosition } from "./trace-model.js";

export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8];
const BASE_INTERVAL_MS = 1100; // one step per 1.1 s at 1x: time to read a formula aloud

/** position: a createPosition() model; onPlayState(playing); timers: injectable for tests. */
export function createPlayer(position, { onPlayState = () => {}, timers = globalThis } = {}) {
  let speed = 1;
  let timer = null;
  let limit = null; // while a class question is open: the furthest position, which does not yet show its value
  let onHeld = () => {};

  const interval = () => BASE_INTERVAL_MS / speed;
  function go(q, how) {
    if (limit != null && q > limit && q > position.p) {
      pause();
      onHeld();
      return false;
    }
    return position.moveTo(q, how);
  }
  const withTrace = (fn, how) => () => position.trace && go(fn(position.trace, position.p), how);

  function tick() {
    if (position.p >= position.total || !go(position.p + 1, "play")) {
      pause();
      return;
    }
    timer = timers.setTimeout(tick, interval());
  }

  function play() {
    if (timer || !position.trace) return;
    if (position.p >= position.total) go(0, "seek");
    timer = timers.setTimeout(tick, 150);
    onPlayState(true);
  }

  function pause() {
    if (timer) timers.clearTimeout(timer);
    const was = timer != null;
    timer = null;
    if (was) onPlayState(false);
  }

  function setSpeed(s) {
    speed = s;
    if (timer) {
      timers.clearTimeout(timer);
      timer = timers.setTimeout(tick, interval());
    }
  }

  const shift = (by) => {
    const k = SPEEDS.indexOf(speed);
    setSpeed(SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, (k < 0 ? 2 : k) + by))]);
    return speed;
  };

  return {
    get playing() {
      return timer != null;
    },
    get speed() {
      return speed;
    },
    /** Milliseconds one step lasts while playing: the pulse animation fits inside it. */
    stepDuration: () => Math.min(700, interval() * 0.75),
    next: () => go(position.p + 1, "step"),
    prev: () => go(position.p - 1, "back"),
    first: () => go(0, "seek"),
    last: () => go(position.total, "seek"),
    seek: (q) => go(q, "seek"),
    nextLayer: withTrace(nextLayerPosition, "jump"),
    prevLayer: withTrace(prevLayerPosition, "back"),
    nextPhase: withTrace(nextPhasePosition, "jump"),
    prevPhase: withTrace(prevPhasePosition, "back"),
    /** Shows the first computation of a phase. */
    toPhase(phase) {
      const t = position.trace;
      if (!t || !(phase in t.phaseStart)) return;
      go(t.phaseStart[phase] + 1, "jump");
    },
    /** Refuses every move past `to` (null lifts it), calling `held()` instead; the quiz holds the asked value. */
    hold(to, held = () => {}) {
      limit = to;
      onHeld = held;
      if (to != null && position.p > to) go(to, "back");
    },
    get held() {
      return limit;
    },
    play,
    pause,
    toggle: () => (timer ? pause() : play()),
    setSpeed,
    faster: () => shift(1),
    slower: () => shift(-1),
  };
}
