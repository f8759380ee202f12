// Classroom rooms from the browser: open a room, publish the presenter's position, follow a room's live
// stream, fork its network. No DOM here; the pages decide what to show.

import { ApiError, describeDetail, rememberToken, tokenOf } from "./api.js";

const room = (code) => `/api/rooms/${encodeURIComponent(code)}`;

async function call(method, path, body, token) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(0, null, `Cannot reach the server (${err.message}).`);
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = data && typeof data === "object" ? data.detail : null;
    throw new ApiError(response.status, detail, `${response.status}: ${describeDetail(detail) || response.statusText}`);
  }
  return data;
}

// Tokens this browser holds for rooms (the presenter's, a follower's identity) survive a reload or a phone
// waking from sleep: the same presenter, the same student.
function kept(key) {
  try {
    const raw = globalThis.localStorage?.getItem(key);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

function keep(key, value) {
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(value));
  } catch {
    // private mode: it lasts as long as the page
  }
}

/**
 * Opens a room on a network this browser created (its token is sent): resolves to
 * {code, presenter_token, join_url, qr_url, state}; the presenter token is kept in this browser.
 */
async function openRoom(networkId) {
  const opened = await call("POST", "/api/rooms", { network_id: networkId }, tokenOf(networkId));
  keep(`deltaflow-presenter:${opened.code}`, opened.presenter_token);
  keep(`deltaflow-room-links:${opened.code}`, { join_url: opened.join_url, qr_url: opened.qr_url });
  return opened;
}

/** The presenter token this browser keeps for a room it opened, or null. */
export const presenterToken = (code) => kept(`deltaflow-presenter:${code}`);

/**
 * This browser's follower identity in a room, {follower, token, name}: the kept one, else a new one from the
 * server (fresh: true asks for a new one, e.g. when the server no longer knows the kept one).
 */
export async function joinRoom(code, { name = null, fresh = false } = {}) {
  // name: what the student typed on the join form (the presenter sees it); null lets the server pick one
  const key = `deltaflow-follower:${code}`;
  const old = fresh ? null : kept(key);
  if (old && old.token) return old;
  const joined = await call("POST", `${room(code)}/followers`, { name });
  keep(key, joined);
  return joined;
}

/**
 * Moves the room (presenter only). `state` holds any of: network_id, sample, position, phase, iteration,
 * training ({done, total, running, loss} or null). Resolves to the room's new state.
 */
export const publishState = (code, token, state) => call("POST", `${room(code)}/state`, state, token);

/**
 * "Try it myself" with the follower's token: resolves to {network, sample, position, open_url} for a protected
 * copy whose token this browser keeps, so the copy can be changed here and in the full editor.
 */
export async function forkRoom(code, followerToken) {
  const fork = await call("POST", `${room(code)}/fork`, undefined, followerToken);
  rememberToken(fork.network.id, fork.network.token);
  return fork;
}

// The class quiz: the presenter asks about one trace event and reveals or closes it; followers answer (docs/rooms.md).
const questions = (code) => `${room(code)}/questions`;
export const askQuestion = (code, token, sample, event) => call("POST", questions(code), { sample, event }, token);
export const answerQuestion = (code, qid, followerToken, value) =>
  call("POST", `${questions(code)}/${encodeURIComponent(qid)}/answers`, { value }, followerToken);
export const readQuestion = (code, qid, token) =>
  call("GET", `${questions(code)}/${encodeURIComponent(qid)}`, undefined, token);
export const revealQuestion = (code, qid, token) =>
  call("POST", `${questions(code)}/${encodeURIComponent(qid)}/reveal`, undefined, token);
export const closeQuestion = (code, qid, token) =>
  call("POST", `${questions(code)}/${encodeURIComponent(qid)}/close`, undefined, token);

// Running the class (docs/rooms.md, "Run the class"): presenter calls with the presenter token, except that a
// student renames themself and reports their own place with their follower token.
const followerPath = (code, follower) => `${room(code)}/followers/${encodeURIComponent(follower)}`;
export const readDashboard = (code, token) => call("GET", `${room(code)}/dashboard`, undefined, token);
export const readResults = (code, token) => call("GET", `${room(code)}/results`, undefined, token);
export const setPacing = (code, token, pacing) => call("PUT", `${room(code)}/pacing`, pacing, token);
export const renameFollower = (code, token, follower, name) =>
  call("PATCH", followerPath(code, follower), { name }, token);
export const removeFollower = (code, token, follower) => call("DELETE", followerPath(code, follower), undefined, token);
export const endRoom = (code, token) => call("DELETE", room(code), undefined, token);

/** The results as CSV text (one row per student × question). */
export async function readResultsCsv(code, token) {
  const response = await fetch(`${room(code)}/results.csv`, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new ApiError(response.status, null, `${response.status}: the results could not be read`);
  return response.text();
}

/** Keeps a renamed identity's new name in this browser. */
export function keepName(code, name) {
  const key = `deltaflow-follower:${code}`;
  const old = kept(key);
  if (old) keep(key, { ...old, name });
}

/**
 * A student's place on their own copy for the presenter's dashboard: report(where) as often as you like; one
 * request at a time, and only the latest `where` goes next (the server keeps only the latest anyway).
 */
export function createPositionReporter(code, me) {
  let pending = null;
  let running = false;
  async function drain() {
    running = true;
    while (pending) {
      const where = pending;
      pending = null;
      await call("PUT", `${followerPath(code, me.follower)}/position`, where, me.token).catch(() => {});
    }
    running = false;
  }
  return {
    report(where) {
      pending = where;
      if (!running) drain();
    },
  };
}

/**
 * A presenter's publisher: call publish(fields) as often as you like (every key press); at most one request
 * is in flight and the fields given meanwhile are merged, so the room gets the latest position, in order.
 * onError(err) is called for failures; returns {publish, flush}.
 */
export function createPublisher(code, token, { onError } = {}) {
  let pending = null;
  let running = null;

  async function drain() {
    while (pending) {
      const fields = pending;
      pending = null;
      try {
        await publishState(code, token, fields);
      } catch (err) {
        if (onError) onError(err);
      }
    }
    running = null;
  }

  function publish(fields) {
    pending = { ...(pending || {}), ...fields };
    if (!running) running = drain();
    return running;
  }

  return { publish, flush: () => running || Promise.resolve() };
}

/**
 * Follows a room over Server-Sent Events: onState(state) for the current state and every change, in order
 * (duplicates after a reconnection are dropped by `seq`); onTally({followers, ...}) for the room's counts, which
 * travel apart as `tally` events (newest by `v`); onStatus("live" | "connecting" | "closed").
 * count: false watches without being counted as a follower (the presenter's own view of its room); token: the
 * follower's token from joinRoom, so the count knows who is connected.
 * Returns a function that stops following.
 */
export function followRoom(code, onState, { onStatus, onTally, count = true, token = null } = {}) {
  let lastSeq = 0;
  let lastTally = -1;
  // an EventSource cannot send headers: the follower token rides in the query string (never logged)
  const query = new URLSearchParams();
  if (!count) query.set("count", "false");
  if (token) query.set("token", token);
  const source = new EventSource(`${room(code)}/events${query.size ? `?${query}` : ""}`);
  const status = (s) => onStatus && onStatus(s);
  status("connecting");
  source.onopen = () => status("live");
  source.onmessage = (e) => {
    const state = JSON.parse(e.data);
    if (state.seq <= lastSeq) return;
    lastSeq = state.seq;
    onState(state);
  };
  source.onerror = () => status(source.readyState === EventSource.CLOSED ? "closed" : "connecting");
  source.addEventListener("tally", (e) => {
    const tally = JSON.parse(e.data);
    if (tally.v <= lastTally) return;
    lastTally = tally.v;
    if (onTally) onTally(tally);
  });
  source.addEventListener("closed", () => {
    source.close();
    status("closed");
  });
  return () => source.close();
}

/**
 * Everything a page needs to present a network: opens the room, then
 *   publish({sample, position, phase, network_id, training})  (call freely; merged and sent in order),
 *   onFollowers(n) is called whenever the number of followers changes,
 *   stop() stops watching the room (the room itself expires when idle).
 * Resolves to {code, joinUrl (absolute), qrUrl, token, publish, flush, stop}.
 */
export async function startPresenting(networkId, options = {}) {
  return presentingIn(await openRoom(networkId), options);
}

/**
 * Presents again a room this browser opened (a reloaded page): null when this browser holds no presenter token for
 * it or the room is gone; else what startPresenting gives, with the room's `state` as the server has it.
 */
export async function resumePresenting(code, options = {}) {
  const token = presenterToken(code);
  if (!token) return null;
  let state;
  try {
    state = await call("GET", room(code));
  } catch (err) {
    if (err.status === 404) return null;
    throw err;
  }
  const links = kept(`deltaflow-room-links:${code}`) || { join_url: `/join/${code}`, qr_url: `${room(code)}/qr.svg` };
  return { ...presentingIn({ code: state.code, presenter_token: token, ...links }, options), state };
}

function presentingIn(opened, { onFollowers, onError } = {}) {
  const publisher = createPublisher(opened.code, opened.presenter_token, { onError });
  let followers = -1;
  let tallied = false; // once tallies come, they are the count: a state's copy may be older
  const seen = (n) => {
    if (n == null || n === followers) return;
    followers = n;
    if (onFollowers) onFollowers(followers);
  };
  const stop = followRoom(opened.code, (state) => tallied || seen(state.followers), {
    count: false,
    onTally: (tally) => {
      tallied = true;
      seen(tally.followers);
    },
  });
  return {
    code: opened.code,
    token: opened.presenter_token,
    // join_url is absolute with DELTAFLOW_PUBLIC_URL set and may be relative otherwise: this form takes both
    joinUrl: new URL(opened.join_url, window.location.origin).href,
    qrUrl: opened.qr_url,
    publish: publisher.publish,
    flush: publisher.flush,
    stop,
  };
}
