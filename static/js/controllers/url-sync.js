// The address bar as a link to what is on screen: ?net=ID&sample=S&step=P[&projector=1][&room=CODE], kept current
// with replaceState (a moment after each change; after the player stops) and read once at start-up. The room is the
// one this page presents: reloaded, the page presents it again when this browser holds its presenter token.

/** Parses a query string into {net, sample, step, projector, room}; numbers not whole and >= 0 become null. */
export function parseQuery(search) {
  const q = new URLSearchParams(search);
  const int = (name) => {
    const raw = q.get(name) ?? "";
    const v = /^\d+$/.test(raw.trim()) ? Number.parseInt(raw, 10) : NaN;
    return Number.isFinite(v) && v >= 0 ? v : null;
  };
  return { net: q.get("net"), sample: int("sample"), step: int("step"), projector: q.get("projector") === "1", room: q.get("room") };
}

/** The query string for a view {net, sample, step, projector, room}. */
export function formatQuery({ net, sample, step, projector, room = null }) {
  const q = new URLSearchParams();
  q.set("net", net);
  q.set("sample", String(sample));
  q.set("step", String(step));
  if (projector) q.set("projector", "1");
  if (room) q.set("room", room);
  return q.toString();
}

export const readUrl = () => parseQuery(location.search);

// history.replaceState is slow in Chromium, which a step of the player cannot spare, and Chromium refuses it when called hundreds of times in a few seconds (a held arrow key): the
// address is written at most every WRITE_EVERY ms, and a change asked for in between is written at the end of that
// time, so it always ends on the last view asked for. While the player runs, the address waits until it has been
// still for PLAYING_QUIET ms (it stops, or steps slower than that), so playing never writes it between steps.
const WRITE_EVERY = 250;
const PLAYING_QUIET = 1500;
let queued = null;
let timer = null;
let deferred = false; // the pending write waits for the player to be still
let lastWrite = -Infinity;

function flush() {
  timer = null;
  deferred = false;
  const url = queued;
  queued = null;
  if (!url) return;
  lastWrite = performance.now();
  if (url !== `${location.pathname}${location.search}`) history.replaceState(null, "", url);
}

/**
 * Replaces the address with the view's link (no history entry per step): at once, unless it was written moments
 * ago (then shortly after), or, with defer (a step of the player), once the view has been still for a while.
 */
export function writeUrl(view, { defer = false } = {}) {
  if (!view.net) return;
  queued = `${location.pathname}?${formatQuery(view)}`;
  if (defer) {
    clearTimeout(timer);
    deferred = true;
    timer = setTimeout(flush, PLAYING_QUIET);
    return;
  }
  if (timer !== null && !deferred) return;
  clearTimeout(timer);
  deferred = false;
  timer = null;
  const wait = lastWrite + WRITE_EVERY - performance.now();
  if (wait <= 0) flush();
  else timer = setTimeout(flush, wait);
}
