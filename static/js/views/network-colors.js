// Quantity to colour for the network figure: what each node and edge shows at a step, on which scale (from the
// quantity's scale in GET /api/meta), and the two colour keys under the figure. Pure: no DOM, no Plotly.

import { parameterShown } from "../models/figure-labels.js";
import { fmt } from "../models/format.js";
import { PENDING, colorKey, colorOn, css, rgbAt, textOn } from "./colors.js";

export const BUCKETS = 4; // signed width/colour classes per sign; edges are grouped into 2*BUCKETS+2 line traces
export const PENDING_BUCKET = 2 * BUCKETS + 1;
const PENDING_EDGE = "#d5d9e0";

/** Node fills, text colours and value labels at step st; scaleOf(quantity) is the meta's scale name. */
export function nodeColors(g, st, trace, scaleOf) {
  const backwardView = st.phase === "backward" || st.phase === "update";
  let aMin = 0;
  let aMax = 1;
  st.nodes.forEach((rec) => {
    if (rec.a != null) {
      aMin = Math.min(aMin, rec.a);
      aMax = Math.max(aMax, rec.a);
    }
  });
  const maxAbs = (q) => (trace && trace.maxAbs[q]) || 1;
  const keys = {
    a: colorKey(scaleOf("a"), "node", aMin, aMax, "node a"),
    delta: colorKey(scaleOf("delta"), "node", -maxAbs("delta"), maxAbs("delta"), "node δ = ∂L/∂z"),
    grad_a: colorKey(scaleOf("grad_a"), "node", -maxAbs("grad_a"), maxAbs("grad_a"), "node ∂L/∂a"),
  };
  const fills = [];
  const textColors = [];
  const values = [];
  for (const { l, key } of g.nodes) {
    const rec = st.nodes.get(key) || {};
    let fill = PENDING;
    let value = "";
    const aText = () => `${l === 1 ? "x" : "a"} = ${fmt(rec.a)}`;
    if (backwardView) {
      if (rec.delta != null) {
        fill = colorOn(keys.delta, rec.delta);
        value = `δ = ${fmt(rec.delta)}`;
      } else if (rec.grad_a != null) {
        fill = colorOn(keys.grad_a, rec.grad_a);
        value = `∂L/∂a = ${fmt(rec.grad_a)}`;
      } else if (rec.a != null) {
        value = aText();
      }
    } else if (rec.a != null) {
      fill = colorOn(keys.a, rec.a);
      value = aText();
    } else if (rec.z != null) {
      value = `z = ${fmt(rec.z)}`;
    }
    fills.push(fill);
    textColors.push(fill === PENDING ? "#4b5563" : textOn(fill));
    values.push(value);
  }
  return { fills, textColors, values, key: backwardView ? keys.delta : keys.a };
}

/** The quantity each edge shows at step st (null: not computed yet), its colour key and its signed class. */
export function edgeColors(g, st, network, trace, scaleOf) {
  const values = new Map();
  let m = 0;
  for (const e of g.edges) {
    const v = parameterShown(st, network, e).value;
    values.set(e.key, v);
    if (v != null) m = Math.max(m, Math.abs(v));
  }
  let key;
  if (st.phase === "backward") {
    const top = (trace && trace.maxAbs.grad_w) || 1;
    key = colorKey(scaleOf("grad_w"), "edge", -top, top, "edge ∂L/∂w");
  } else {
    key = colorKey(scaleOf("w"), "edge", -(m || 1), m || 1, st.phase === "update" ? "edge w (updated)" : "edge w");
  }
  const bucketOf = g.edges.map((e) => {
    const v = values.get(e.key);
    if (v == null) return PENDING_BUCKET;
    return Math.max(-BUCKETS, Math.min(BUCKETS, Math.round((v / key.max) * BUCKETS))) + BUCKETS;
  });
  return { values, key, bucketOf };
}

/** The line colour of an edge class n (0..2*BUCKETS; PENDING_BUCKET for edges not computed yet). */
export function bucketColor(key, n) {
  if (n === PENDING_BUCKET) return PENDING_EDGE;
  return key.scale === "sequential" ? css(rgbAt(key.stops, n / (2 * BUCKETS))) : colorOn(key, ((n - BUCKETS) / BUCKETS) * key.max);
}
