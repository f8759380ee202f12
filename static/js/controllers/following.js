// Following a room on the follower page: every room state from the stream brings the view to the presenter's
// network, sample and step ("live"); "Try it myself" forks the network and steps the copy here ("own");
// "Follow again" returns to live. The position shown is held in the position model.

import { heldEvent, withhold } from "../models/quiz.js";
import { prepareTrace } from "../models/trace-model.js";

/**
 * deps: {api, room (room.js), code, member (the follower's identity: get(fresh) resolves to {follower, token,
 *        name}), position, show(network, trace, p, sample, animate), showTraining(t), onFollowers(n),
 *        onStatus(status), onShown(room, p), onMode(mode, fork), say; optional onRoom(state) for every state,
 *        onOwnStep(p) after each step of the private copy}.
 */
export function createFollowing(deps) {
  const { api, position, say } = deps;
  let latest = null; // the latest room state from the stream
  let mode = "live"; // "live" | "own"
  let network = null;
  let networkKey = null; // network_id:network_version of `network`
  let trace = null;
  let traceKey = null; // networkKey:sample of `trace`
  let own = null; // {network, sample, held} of the private copy
  let fresh = true; // the next live drawing is a jump, never a pulse along one step
  let syncing = false;
  let again = false;
  let tallied = false; // once tallies come, they are the followers count: a state's copy may be older

  async function syncOnce() {
    const room = latest;
    if (!room || mode !== "live") return;
    const training = room.training && room.training.running;
    const netKey = `${room.network_id}:${room.network_version}`;
    if (netKey !== networkKey) {
      network = await api.getNetwork(room.network_id);
      networkKey = netKey;
    }
    // while a question is open, the trace stops before the asked value: no label, hover or formula can show it
    const held = heldEvent(room.question, room.sample);
    const tKey = `${netKey}:${room.sample}:${held}`;
    if (!training && tKey !== traceKey) {
      trace = prepareTrace(withhold(await api.trace(room.network_id, { sample: room.sample }), held));
      traceKey = tKey;
    }
    const from = fresh ? -1 : position.p;
    fresh = false;
    position.load(training ? null : trace, training ? 0 : room.position);
    deps.showTraining(room.training);
    // The room's position as sent (a trace may be shorter while it loads): what a test can compare with.
    const p = training ? 0 : room.position;
    await deps.show(network, position.trace, position.p, room.sample, p === from + 1 ? 300 : 0);
    if (latest === room) deps.onShown(room, p);
  }

  /** Brings the view to the latest room state; runs one at a time, and once more if states came meanwhile. */
  async function sync() {
    if (syncing) {
      again = true;
      return;
    }
    syncing = true;
    try {
      do {
        again = false;
        await syncOnce();
      } while (again);
    } catch (err) {
      say(`Following the presenter failed: ${err.message}`);
    } finally {
      syncing = false;
    }
  }

  async function tryItMyself() {
    const me = await deps.member.get();
    const fork = await deps.room.forkRoom(deps.code, me.token);
    const held = heldEvent(latest && latest.question, fork.sample);
    const ownTrace = prepareTrace(withhold(await api.trace(fork.network.id, { sample: fork.sample }), held));
    own = { network: fork.network, sample: fork.sample, held };
    mode = "own";
    position.load(ownTrace, fork.position);
    deps.onMode("own", fork);
    await deps.show(own.network, ownTrace, position.p, own.sample, 0);
  }

  function stepOwn(delta) {
    if (mode !== "own") return;
    if (delta > 0 && own.held != null && position.p >= own.held) {
      say("The class question is open: the next value comes with the reveal.", "info");
      return;
    }
    if (!position.moveTo(position.p + delta, delta === 1 ? "step" : "back")) return;
    if (deps.onOwnStep) deps.onOwnStep(position.p);
    deps.show(own.network, position.trace, position.p, own.sample, delta === 1 ? 300 : 0).catch((err) => say(err.message));
  }

  /** After the reveal (or close), the private copy's trace comes whole, at the same position. */
  async function releaseOwn() {
    const { network: net, sample } = own;
    own.held = null;
    const full = prepareTrace(await api.trace(net.id, { sample }));
    if (mode !== "own" || own.network !== net) return;
    position.load(full, position.p);
    await deps.show(net, full, position.p, sample, 0);
  }

  function followAgain() {
    mode = "live";
    fresh = true;
    deps.onMode("live", null);
    sync();
  }

  /** Follows with this student's identity; a kept one the server no longer knows is replaced once. */
  async function start(fresh = false) {
    const me = await deps.member.get(fresh).catch(() => null); // without one, the stream still follows
    let seen = false;
    const stop = deps.room.followRoom(deps.code, (room) => {
      seen = true;
      latest = room;
      if (deps.onRoom) deps.onRoom(room); // pacing: a pause, a lock
      // the presenter opened the guided lesson: follow it there (the lesson page comes back here for "main")
      if (room.view === "lesson" && mode === "live" && deps.onLesson) {
        deps.onLesson();
        return;
      }
      if (!tallied && room.followers != null) deps.onFollowers(room.followers);
      if (mode === "live") sync();
      else if (own.held != null && heldEvent(room.question, own.sample) == null) releaseOwn().catch((err) => say(err.message));
    }, {
      token: me && me.token,
      onStatus: (status) => {
        if (status === "closed" && !seen && me && !fresh) {
          stop();
          start(true);
          return;
        }
        deps.onStatus(status);
      },
      onTally: (tally) => {
        tallied = true;
        deps.onFollowers(tally.followers);
      },
    });
  }

  return { start, tryItMyself, stepOwn, followAgain, get mode() { return mode; } };
}
