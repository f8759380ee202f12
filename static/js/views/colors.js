// The page's two colour scales (diverging for signed quantities, sequential for activations) and the one mapping
// from a quantity's scale (GET /api/meta) and value to a colour. Pure: the node tests import it too.

/** Blue-white-red (ColorBrewer RdBu, reversed): safe for the common colour-vision deficiencies; 0 is the middle. */
export const DIVERGING = [
  [0.0, "#2166ac"],
  [0.2, "#4393c3"],
  [0.35, "#92c5de"],
  [0.5, "#f7f7f7"],
  [0.65, "#f4a582"],
  [0.8, "#d6604d"],
  [1.0, "#b2182b"],
];

/** The same scale with a grey middle, for edges, which would vanish on white paper otherwise. */
export const DIVERGING_EDGE = [
  [0.0, "#2166ac"],
  [0.2, "#4393c3"],
  [0.38, "#a6c8de"],
  [0.5, "#c8c8c8"],
  [0.62, "#efb59c"],
  [0.8, "#d6604d"],
  [1.0, "#b2182b"],
];

/** Viridis: perceptually uniform and colour-blind safe, for activations a_j^l. */
export const SEQUENTIAL = [
  [0.0, "#440154"],
  [0.25, "#3b528b"],
  [0.5, "#21918c"],
  [0.75, "#5ec962"],
  [1.0, "#fde725"],
];

/** Fill for a node whose value is not computed yet at the current step. */
export const PENDING = "#eef0f3";

function hexToRgb(hex) {
  const h = hex.replace("#", "");
  return [0, 2, 4].map((k) => parseInt(h.slice(k, k + 2), 16));
}

/** The colour at t in [0, 1] of a list of [t, "#rrggbb"] stops, as [r, g, b]. */
export function rgbAt(stops, t) {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0.5));
  for (let k = 1; k < stops.length; k += 1) {
    if (x <= stops[k][0]) {
      const [t0, c0] = stops[k - 1];
      const [t1, c1] = stops[k];
      const f = t1 === t0 ? 0 : (x - t0) / (t1 - t0);
      const a = hexToRgb(c0);
      const b = hexToRgb(c1);
      return a.map((v, n) => Math.round(v + f * (b[n] - v)));
    }
  }
  return hexToRgb(stops[stops.length - 1][1]);
}

export const css = ([r, g, b]) => `rgb(${r}, ${g}, ${b})`;

/** Colour of a signed value v on a scale symmetric around 0 with half-width m. */
export function signedColor(v, m, stops = DIVERGING) {
  return css(rgbAt(stops, 0.5 + 0.5 * (m > 0 ? v / m : 0)));
}

/** Black or white text, whichever reads better on the given fill. */
export function textOn(rgbString) {
  const m = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(rgbString);
  if (!m) return "#111111";
  const [r, g, b] = m.slice(1).map((v) => Number(v) / 255);
  const lin = (c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const lum = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  return lum > 0.36 ? "#111111" : "#ffffff";
}

/** A Plotly colorscale from stops. */
export const plotlyScale = (stops) => stops.map(([t, c]) => [t, c]);

/** The stops of a scale by its name; signed values drawn as lines (edges) get the grey-middle variant. */
export function stopsFor(scale, on = "node") {
  if (scale === "sequential") return SEQUENTIAL;
  return on === "edge" ? DIVERGING_EDGE : DIVERGING;
}

/** The colour key of a quantity on a scale over [min, max]: diverging keys are symmetric around 0. */
export function colorKey(scale, on, min, max, title) {
  const m = Math.max(Math.abs(min), Math.abs(max));
  return scale === "sequential"
    ? { scale, stops: stopsFor(scale, on), min, max, title }
    : { scale, stops: stopsFor(scale, on), min: -m, max: m, title };
}

/** The colour of value v on a key from colorKey: sequential from min to max, diverging with 0 in the middle. */
export function colorOn(key, v) {
  if (key.scale === "sequential") return css(rgbAt(key.stops, (v - key.min) / (key.max - key.min || 1)));
  return signedColor(v, key.max, key.stops);
}
