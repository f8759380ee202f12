// The lesson's controller: which stage is shown and where the step player stands inside it; the keys (← → stages,
// ↑ ↓ computations, Home/End, P); the link (?stage=N); the network each stage walks on (created once per preset and
// kept for the session) and the data it needs (a trace, the passes over all samples, the XOR table); presenting the
// lesson to a room and following a presenter's lesson.

import { chooseSample, describeChoice } from "../models/sample-choice.js";
import { prepareTrace, stateAt } from "../models/trace-model.js";
import { compareTable } from "./formulas.js";
import { STAGES, stageSpan } from "./stages.js";

/**
 * The live table's runs from the lesson's XOR network, never stored (store false) and cached by the server, so a
 * class costs one run per mode: batch to the lecture's 10,000; online to 5,000 (four updates each, and one request's
 * limit), every 100th iteration with its weights for the slider.
 */
const LIVE_RUNS = {
  batch: { iterations: 10000, mode: "batch", record_every: 100, store: false, record_weights: true },
  online: { iterations: 5000, mode: "online", record_every: 100, store: false, record_weights: true },
};

/**
 * deps: {api, room (room.js), position, player (models/player.js over position: its hold keeps a class question's
 *        value unshown), beforeNext(step) (Predict, alone), onHeld(), figure (network-view), callouts, view
 *        (lesson-view), share (the room dialog's elements), say, setUrl(view), onProjector(on), onMoved() (after each
 *        move of a lesson of its own), openAt(stageKey, span) (where a stage opens: the planned questions')}.
 */
export function createLesson(deps) {
  const { api, room, position, figure, callouts, view, say } = deps;
  const state = {
    network: null, trace: null, sample: 0, stage: 1, projector: false, following: null,
    forwardAll: null, backwardAll: null, reference: null, choice: null, netKey: null,
    live: { mode: "batch", index: 0, runs: { batch: null, online: null }, compared: null, lecture: new Map() },
  };
  const runLoading = new Set();
  // preset name -> a promise of {network, trace, forwardAll, backwardAll, sample, choice}: one network per preset
  const nets = new Map();
  let going = 0; // the latest goStage call: an older one that finds its network late gives way
  let presenting = null;
  let drawn = Promise.resolve();

  const total = STAGES.length;
  const stage = () => STAGES[state.stage - 1];
  const span = () => stageSpan(stage(), state.trace);
  const ctx = () => ({
    network: state.network, sample: state.sample, trace: state.trace, forwardAll: state.forwardAll,
    backwardAll: state.backwardAll, live: state.live, p: position.p, ev: stateAt(state.trace, position.p).current,
  });

  /** The network the figure draws: on the live table, the lesson's XOR network at the slider's weights. */
  function figureNetwork() {
    const run = stage().table && state.live.runs[state.live.mode];
    const snap = run && run.snapshots[Math.min(state.live.index, run.snapshots.length - 1)];
    return snap && snap.weights ? { ...state.network, weights: snap.weights, biases: snap.biases } : state.network;
  }

  function show(animate = 0) {
    if (!state.network || !state.trace) return drawn;
    const p = position.p;
    const st = stateAt(state.trace, p);
    view.render({ stage: stage(), n: state.stage, total, ctx: ctx(), span: span(), p, ev: st.current, following: !!state.following, projector: state.projector });
    // The figure keeps its classroom sizes in projector mode (beside the lesson's text it has half the screen),
    // but its labels grow to 16 px, readable beside the text's 24.
    const model = { network: figureNetwork(), trace: state.trace, state: st, projector: false, minFont: state.projector ? 16 : null, animate, wave: null };
    const callouts = stage().callouts ? stage().callouts(ctx()) : [];
    drawn = figure.render(model).then(() => deps.callouts.draw(state.network, callouts, false)).catch((err) => say(`Drawing the network failed: ${err.message}`));
    return drawn;
  }

  /**
   * The live table's place as the room carries it, {mode, iteration} (the iteration the slider shows), or null off
   * that stage; before its run lands, the iteration the slider's index will show.
   */
  function livePlace() {
    if (!stage().table) return null;
    const { mode, index, runs } = state.live;
    const every = LIVE_RUNS[mode].record_every;
    const run = runs[mode];
    const snap = run && run.snapshots[Math.min(index, run.snapshots.length - 1)];
    return { mode, iteration: snap ? snap.iteration : Math.min(index * every, LIVE_RUNS[mode].iterations) };
  }

  /** A follower's (or a reloaded presenter's) live table at the room's place; a null place leaves it as it is. */
  function placeLive(place) {
    if (!place || !LIVE_RUNS[place.mode]) return;
    const every = LIVE_RUNS[place.mode].record_every;
    state.live.mode = place.mode;
    state.live.index = Math.max(0, Math.min(Math.round(place.iteration / every), LIVE_RUNS[place.mode].iterations / every));
  }

  function moved() {
    if (!state.following) deps.setUrl({ stage: state.stage, projector: state.projector, room: presenting ? presenting.code : null });
    // the live table's place rides with every move (null off its stage), so merged moves never keep a stale one
    if (presenting) presenting.publish({ view: "lesson", stage: state.stage, sample: state.sample, position: position.p, network_id: state.network.id, live_table: livePlace() });
    if (!state.following && deps.onMoved) deps.onMoved(); // the planned questions: the switch, and one to ask
  }

  /** Opens stage n (1-based, clamped) at position p (default: where the stage opens), on the stage's network. */
  async function goStage(n, p = null) {
    const next = Math.max(1, Math.min(total, Math.trunc(n) || 1));
    const mine = ++going;
    // a follower shows the network the presenter publishes; a lesson of its own switches to the stage's
    if (!state.following) {
      const ok = await useNet(STAGES[next - 1].net || "xor");
      if (!ok || mine !== going) return;
    }
    state.stage = next;
    const s = span();
    // a presented stage opens before a planned question it would otherwise show (deps.openAt)
    const at = p == null && deps.openAt && !state.following ? deps.openAt(stage().key, s) : s.at;
    position.load(state.trace, p == null ? at : Math.max(s.lo, Math.min(s.hi, p)));
    show();
    if (stage().table) ensureRun(state.live.mode);
    moved();
  }

  /**
   * One computation forward (+1) or back (−1) inside the stage's range, through the step player: while a class
   * question is open it refuses to pass the asked value, by the main page's rule (player.hold).
   */
  function step(by) {
    const s = span();
    const q = position.p + by;
    if (q < s.lo || q > s.hi) return false;
    if (!(by > 0 ? deps.player.next() : deps.player.prev())) return false;
    show(by > 0 ? 450 : 0);
    moved();
    return true;
  }

  const local = (fn) => (...args) => !state.following && fn(...args);
  // another stage would show other values: it waits for Reveal or Close too
  const unheld = (fn) => local((...args) => {
    if (deps.player.held == null) return fn(...args);
    if (deps.onHeld) deps.onHeld();
    return undefined;
  });
  // → reads a long stage's next part first (projector mode), ← its part before; then the stage changes.
  const nextStage = unheld(() => view.turn(1) || goStage(state.stage + 1));
  const prevStage = unheld(async () => {
    if (view.turn(-1) || state.stage <= 1) return;
    await goStage(state.stage - 1);
    view.toEnd();
  });

  function setProjector(on) {
    state.projector = on;
    deps.onProjector(on);
    show();
    if (!state.following) moved();
  }

  /** Starts (once) the live table's run in `mode` from the network on screen; the stage redraws when it lands. */
  async function ensureRun(mode) {
    if (state.live.runs[mode] || runLoading.has(mode) || !state.network) return;
    runLoading.add(mode);
    try {
      const run = await api.train(state.network.id, LIVE_RUNS[mode]);
      state.live.runs[mode] = run;
      if (mode === "batch" && state.reference) state.live.compared = compareTable(state.reference, run.snapshots);
      if (stage().table) show();
    } catch (err) {
      say(`Training for the live table failed: ${err.message}`);
    } finally {
      runLoading.delete(mode);
    }
  }

  /** The room follows the live table's slider and switch through the presenter's merged publishing. */
  function publishLive() {
    if (presenting) presenting.publish({ live_table: livePlace() });
  }

  /** The live table's mode: the slider keeps its iteration where the other run recorded it. */
  const setLiveMode = local((mode) => {
    const live = state.live;
    if (!LIVE_RUNS[mode] || live.mode === mode) return;
    const from = live.runs[live.mode];
    const iteration = from ? from.snapshots[Math.min(live.index, from.snapshots.length - 1)].iteration : 0;
    live.mode = mode;
    const every = LIVE_RUNS[mode].record_every;
    live.index = Math.min(Math.round(iteration / every), LIVE_RUNS[mode].iterations / every);
    ensureRun(mode);
    show();
    publishLive();
  });

  // a follower's table shows the presenter's place: its own switch and slider are off (live-table.js)
  const setLiveIndex = local((k) => {
    state.live.index = Math.max(0, Math.trunc(k) || 0);
    show();
    publishLive();
  });

  /** The lecture's outputs by iteration, for the live table's lecture column. */
  function setReference(presets) {
    const xor = (presets || []).find((p) => p.name === "xor");
    state.reference = xor && xor.reference ? xor.reference : null;
    state.live.lecture = new Map(state.reference ? state.reference.iterations.map((it, r) => [it, state.reference.outputs[r]]) : []);
  }

  /** A network's passes over all samples and one sample's trace; chooses the sample when none is given. */
  async function loadNetwork(net, sample = null) {
    const [fw, bw] = await Promise.all([api.forward(net.id, { samples: "all" }), api.backward(net.id, { samples: "all" })]);
    const choice = sample == null ? chooseSample(net.dataset.inputs, fw.per_sample.map((s) => s.loss)) : null;
    const chosen = choice ? choice.sample : sample;
    const trace = prepareTrace(await api.trace(net.id, { sample: chosen }));
    return { network: net, forwardAll: fw, backwardAll: bw, sample: chosen, choice, trace };
  }

  /** Puts a loaded network on screen (the figure redraws on the next show). */
  function install(loaded) {
    Object.assign(state, loaded);
    deps.onSample(state.sample, loaded.network.dataset.inputs, state.choice ? describeChoice(state.choice, loaded.network.dataset.inputs) : null);
  }

  /** Switches to a preset's network: created (protected) the first time, then taken from this session's cache. */
  async function useNet(key) {
    if (state.netKey === key && state.network) return true;
    if (!nets.has(key)) {
      const loading = api.createNetwork({ preset: key }).then((net) => loadNetwork(net));
      loading.catch(() => nets.delete(key)); // a failed load is tried again on the next visit
      nets.set(key, loading);
    }
    try {
      const loaded = await nets.get(key);
      if (state.netKey !== key) {
        install(loaded);
        state.netKey = key;
      }
      return true;
    } catch (err) {
      say(`Loading the ${key} network failed: ${err.message}`);
      return false;
    }
  }

  async function start({ stage: linked, projector, presets }) {
    setReference(presets);
    if (projector) setProjector(true);
    await goStage(linked || 1);
  }

  // ---------- rooms ----------

  const presentOptions = {
    onError: (err) => say(`The room did not get the last move: ${err.message}`),
    onFollowers: (n) => deps.share.followers(n),
  };

  /**
   * A reloaded presenter's lesson (?room=CODE, this browser holding its presenter token): the room's network, stage
   * and step again, presenting to the same followers; otherwise a fresh lesson as start() gives it.
   */
  async function resume(code, options) {
    let again = null;
    try {
      again = await room.resumePresenting(code, presentOptions);
    } catch (err) {
      say(`Presenting room ${code} again failed: ${err.message}`);
    }
    const rs = again && again.state;
    if (!rs || rs.view !== "lesson" || !rs.network_id) {
      if (again) again.stop();
      return start(options);
    }
    deps.share.badge(again);
    setReference(options.presets);
    if (options.projector) setProjector(true);
    // the room's network is the stage's: kept as its preset's network for this session
    const net = await api.getNetwork(rs.network_id);
    const loaded = await loadNetwork(net, rs.sample ?? 0);
    const key = net.preset || "xor";
    nets.set(key, Promise.resolve(loaded));
    install(loaded);
    state.netKey = key;
    presenting = again;
    placeLive(rs.live_table);
    await goStage(rs.stage || options.stage || 1, rs.position);
    return undefined;
  }

  async function present() {
    if (presenting) return deps.share.show(presenting);
    try {
      presenting = await room.startPresenting(state.network.id, presentOptions);
    } catch (err) {
      say(`Opening a room failed: ${err.message}`);
      presenting = null;
      return undefined;
    }
    // The room opens on the main view: the lesson's stage is in it before its link and QR code are shown, or a
    // student quick to join would be sent to the main page first.
    moved();
    await presenting.flush();
    deps.share.show(presenting);
    return presenting;
  }

  /** Follows a presenter's lesson in room `code`: every state with view "lesson" moves this page to its stage. */
  function follow(code, { projector, presets, name = null } = {}) {
    state.following = code;
    setReference(presets);
    if (projector) setProjector(true);
    let busy = Promise.resolve();
    // As on the main follower page: a server-issued identity, kept per room in this browser, rides on the stream
    // so the room counts this student once (a kept one the server no longer knows is replaced once).
    const listen = async (fresh) => {
      const me = await room.joinRoom(code, { fresh, name }).catch(() => null);
      if (me && deps.onJoined) deps.onJoined(me);
      let seen = false;
      const stop = room.followRoom(code, (rs) => {
        seen = true;
        onState(rs);
      }, {
        token: me && me.token,
        onStatus: (s) => {
          if (s === "closed" && !seen && me && !fresh) {
            stop();
            listen(true);
            return;
          }
          deps.onRoomStatus(s);
        },
      });
    };
    const onState = (rs) => {
      busy = busy.then(async () => {
        if (rs.view === "main" && deps.onMainView) {
          deps.onMainView(code); // the presenter went back to the main page: so does the follower
          return;
        }
        if (rs.view !== "lesson" || !rs.network_id) return;
        const key = `${rs.network_id}:${rs.network_version}:${rs.sample}`;
        if (key !== state.followKey) {
          install(await loadNetwork(await api.getNetwork(rs.network_id), rs.sample ?? 0));
          state.followKey = key;
        }
        placeLive(rs.live_table); // the first state of a late join or a reconnection places it too
        await goStage(rs.stage || 1, rs.position);
        deps.onFollowed(rs);
      }).catch((err) => say(`Following the presenter failed: ${err.message}`));
    };
    listen(false);
  }

  return {
    state, start, resume, follow, present, goStage, nextStage, prevStage, setLiveMode, setLiveIndex,
    // Predict (alone) may ask for the next value before the step shows it
    stepNext: local(() => (position.p + 1 > span().hi ? false : deps.beforeNext ? deps.beforeNext(() => step(1)) : step(1))),
    stepPrev: local(() => step(-1)),
    /** The step itself, for the quiz: it shows the value once it is guessed or revealed. */
    stepForward: () => step(1),
    /** Where the lesson stands, for a class question: the sample, the position and the trace. */
    current: () => ({ sample: state.sample, p: position.p, trace: state.trace, hi: span().hi, lo: span().lo, stage: stage().key }),
    /** Resolves once the room holds this lesson's latest move (its stage, network and position). */
    published: () => (presenting ? presenting.flush() : Promise.resolve()),
    /** The code of the room this lesson presents to, or null. */
    get presenting() {
      return presenting ? presenting.code : null;
    },
    goStageHeld: unheld((n) => goStage(n)),
    first: unheld(() => goStage(1)),
    last: unheld(() => goStage(total)),
    toggleProjector: () => setProjector(!state.projector),
    redrawCallouts: () => drawn.then(() => callouts.redraw()),
    get drawn() {
      return drawn;
    },
  };
}
