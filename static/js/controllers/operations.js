// The operation graph and the nudge beside the formula: which one is open, the graph of the current sample (one
// POST /graph per network state and sample), the operation the walk-through's step is about, and the nudge's
// requests (one per ε, a few more for the curve when the parameter changes). Views draw; this module fetches.

import { settle } from "../api.js";
import { paramValue } from "../models/insights.js";
import { curveOffsets } from "../models/nudge.js";
import { focusOf, indexGraph } from "../models/op-graph.js";
import { eventEdge, stateAt } from "../models/trace-model.js";

const CURVE_SPAN = 1; // the curve and the slider cover θ ± 1

/**
 * deps: {api, say, network() (the current state), sample() (the walk-through's sample), isTraining(),
 *        current() ({trace, p}: where the walk-through is, for a panel opened before any step),
 *        views: {graph (views/op-graph.js), nudge (views/nudge.js)}, buttons: {graph, nudge} (the two tabs; the
 *        lesson has none: its stages choose with show())}.
 */
export function createOperations(deps) {
  const { api, views, buttons } = deps;
  let tab = null;
  let st = null; // the walk-through's last state (models/trace-model.js stateAt)
  let graph = { net: null, sample: null, g: null, asked: null };
  let scope = "node";
  let layer = 2;
  let curveFor = null; // the network state and parameter the drawn curve belongs to
  let nudgeAsk = 0;
  let pickFromStep = false; // the nudge, when opened, starts on the current step's weight or bias

  function open(which) {
    tab = tab === which ? null : which;
    pickFromStep = tab === "nudge";
    views.graph.open(tab === "graph");
    views.nudge.open(tab === "nudge");
    if (buttons) {
      buttons.graph.setAttribute("aria-pressed", String(tab === "graph"));
      buttons.nudge.setAttribute("aria-pressed", String(tab === "nudge"));
    }
    return refresh();
  }

  /** Shows exactly `which` ("graph", "nudge" or null) at the walk-through's state st (the lesson's stages). */
  function show(which, state) {
    if (which !== tab) {
      tab = which;
      pickFromStep = tab === "nudge";
      views.graph.open(tab === "graph");
      views.nudge.open(tab === "nudge");
    }
    st = state;
    return refresh();
  }

  /** The walk-through moved (or the network changed under it). */
  function onPosition(state) {
    st = state;
    return refresh();
  }

  function refresh() {
    if (!st && deps.current) {
      const { trace, p } = deps.current();
      if (trace) st = stateAt(trace, p);
    }
    if (tab === "graph") return showGraph();
    if (tab === "nudge") return startNudge();
    return Promise.resolve();
  }

  // ---------- the operation graph ----------

  async function loadGraph(net, sample) {
    if (graph.net === net && graph.sample === sample && graph.g) return graph.g;
    if (!(graph.asked && graph.net === net && graph.sample === sample)) {
      graph = { net, sample, g: null, asked: settle(api.graph(net.id, { sample })) };
    }
    const asked = graph.asked;
    const res = await asked;
    if (graph.asked !== asked) return null; // a newer request took over
    if (!res.ok) {
      views.graph.say(`The operation graph could not be computed: ${res.error.message}`);
      return null;
    }
    graph.g = indexGraph(res.value.nodes);
    return graph.g;
  }

  async function showGraph() {
    const net = deps.network();
    if (!net || deps.isTraining()) return;
    if (!net.dataset || !net.dataset.inputs.length) {
      views.graph.say("This network has no data set: the graph needs a sample.");
      return;
    }
    const g = await loadGraph(net, deps.sample());
    if (!g || tab !== "graph") return;
    const focus = st ? focusOf(g, st.current) : null;
    if (focus && scope === "layer") layer = focus.l ?? net.layers.length;
    drawGraph(g, net);
  }

  /** The graph g of net at the walk-through's current computation, in the scope and layer chosen. */
  function drawGraph(g, net) {
    const focus = st ? focusOf(g, st.current) : null;
    const backward = !!st && (st.phase === "backward" || st.phase === "update");
    views.graph.show({ g, sizes: net.layers, focus, backward, scope, layer, st });
  }

  function setScope(which) {
    scope = which;
    return showGraph();
  }

  function stepLayer(step) {
    const net = deps.network();
    if (!net) return null;
    layer = Math.min(net.layers.length, Math.max(1, layer + step));
    if (graph.g) drawGraph(graph.g, net);
    return null;
  }

  // ---------- the nudge ----------

  const body = (ref, epsilon) => ({
    l: ref.l, j: ref.j, ...(ref.i == null ? {} : { i: ref.i }), epsilon,
    ...(views.nudge.allSamples() ? { samples: "all" } : { sample: deps.sample() }),
  });

  async function startNudge() {
    const net = deps.network();
    if (!net || deps.isTraining()) return;
    if (!net.dataset || !net.dataset.inputs.length) {
      views.nudge.say("This network has no data set: a nudge needs samples.");
      return;
    }
    let ref = views.nudge.setLayers(net.layers);
    if (pickFromStep) {
      pickFromStep = false;
      ref = stepParam() || { l: net.layers.length, j: 1, i: 1 };
      views.nudge.choose(ref);
    }
    const key = `${views.nudge.allSamples()}|${deps.sample()}`;
    if (!curveFor || curveFor.net !== net || curveFor.key !== key || !same(curveFor.ref, ref)) await nudge();
  }

  /** The weight or bias the walk-through's current step is about, or null. */
  function stepParam() {
    const ev = st ? st.current : null;
    if (!ev) return null;
    if (ev.quantity === "grad_b" || ev.quantity === "b") return { l: ev.l, j: ev.j, i: null };
    return eventEdge(ev);
  }

  const same = (a, b) => a.l === b.l && a.j === b.j && (a.i ?? null) === (b.i ?? null);

  /** Asks /nudge at the slider's ε; with `curve` (a new parameter or state) also the curve's points. */
  async function nudge() {
    const net = deps.network();
    if (!net || tab !== "nudge") return;
    const ref = views.nudge.current();
    const eps = views.nudge.epsilon();
    const ask = (nudgeAsk += 1);
    const key = `${views.nudge.allSamples()}|${deps.sample()}`;
    const fresh = !curveFor || curveFor.net !== net || curveFor.key !== key || !same(curveFor.ref, ref);
    const offsets = fresh ? curveOffsets(CURVE_SPAN, 9) : [];
    const answers = await Promise.all([eps, ...offsets].map((e) => settle(api.nudge(net.id, body(ref, e)))));
    if (ask !== nudgeAsk) return;
    const failed = answers.find((a) => !a.ok);
    if (failed) {
      views.nudge.say(`The nudge could not be computed: ${failed.error.message}`);
      return;
    }
    const now = answers[0].value;
    views.nudge.show(now, ref, eps);
    const theta0 = paramValue(net, ref);
    if (fresh) curveFor = { net, key, ref, xs: offsets.map((o) => theta0 + o), losses: answers.slice(1).map((a) => a.value.loss_after) };
    await views.nudge.draw({
      ref, theta0, loss0: now.loss_before, gradient: now.gradient, xs: curveFor.xs, losses: curveFor.losses, span: CURVE_SPAN,
      nudged: { x: theta0 + eps, loss: now.loss_after },
    });
  }

  /** A weight (or bias, i null) clicked on the figure: taken by the nudge while it is open. */
  function edgeClicked(edge) {
    if (tab !== "nudge") return false;
    views.nudge.choose({ l: edge.l, j: edge.j, i: edge.i ?? null });
    nudge();
    return true;
  }

  return { open, show, onPosition, setScope, stepLayer, nudge, edgeClicked };
}
