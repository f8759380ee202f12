// The step player: a position p in 0..N over the trace (p events computed) and the moves a lesson needs.
// It keeps time for play/pause; it draws nothing and reports every move through onChange(p, how).

import { nextLayerPosition, nextPhasePosition, prevLayerPosition, prevPhasePosition } from "./trace-model.js";

export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8];
const BASE_INTERVAL_MS = 1100; // one step per 1.1 s at 1x: time to read a formula aloud

export function createPlayer({ onChange, onPlayState }) {
  let trace = null;
  let p = 0;
  let speed = 1;
  let timer = null;

  const total = () => (trace ? trace.events.length : 0);

  function go(next, how) {
    const q = Math.max(0, Math.min(total(), next));
    if (q === p && how !== "load") return;
    p = q;
    onChange(p, how);
  }

  function tick() {
    if (p >= total()) {
      pause();
      return;
    }
    go(p + 1, "play");
    timer = setTimeout(tick, interval());
  }

  function interval() {
    return BASE_INTERVAL_MS / speed;
  }

  function play() {
    if (timer || !trace) return;
    if (p >= total()) go(0, "seek");
    timer = setTimeout(tick, 150);
    onPlayState(true);
  }

  function pause() {
    if (timer) clearTimeout(timer);
    const was = timer != null;
    timer = null;
    if (was) onPlayState(false);
  }

  return {
    /** Loads a prepared trace and moves to position p (clamped). */
    load(newTrace, position = 0) {
      pause();
      trace = newTrace;
      p = Math.max(0, Math.min(total(), position));
      onChange(p, "load");
    },
    get position() {
      return p;
    },
    get total() {
      return total();
    },
    get playing() {
      return timer != null;
    },
    get speed() {
      return speed;
    },
    /** Milliseconds one step lasts while playing: the pulse animation fits inside it. */
    stepDuration() {
      return Math.min(700, interval() * 0.75);
    },
    next: () => go(p + 1, "step"),
    prev: () => go(p - 1, "back"),
    first: () => go(0, "seek"),
    last: () => go(total(), "seek"),
    seek: (q) => go(q, "seek"),
    nextLayer: () => trace && go(nextLayerPosition(trace, p), "jump"),
    prevLayer: () => trace && go(prevLayerPosition(trace, p), "back"),
    nextPhase: () => trace && go(nextPhasePosition(trace, p), "jump"),
    prevPhase: () => trace && go(prevPhasePosition(trace, p), "back"),
    /** Shows the first computation of a phase. */
    toPhase(phase) {
      if (!trace || !(phase in trace.phaseStart)) return;
      go(trace.phaseStart[phase] + 1, "jump");
    },
    play,
    pause,
    toggle: () => (timer ? pause() : play()),
    setSpeed(s) {
      speed = s;
      if (timer) {
        clearTimeout(timer);
        timer = setTimeout(tick, interval());
      }
    },
    faster() {
      const k = SPEEDS.indexOf(speed);
      this.setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, (k < 0 ? 2 : k) + 1)]);
      return speed;
    },
    slower() {
      const k = SPEEDS.indexOf(speed);
      this.setSpeed(SPEEDS[Math.max(0, (k < 0 ? 2 : k) - 1)]);
      return speed;
    },
  };
}
