// Numbers and one-line descriptions as the page writes them (true minus signs, the lecture's decimals).
// Pure string work: no DOM, so both pages and the node tests import it.

/** A number for the screen: three decimals, or scientific for tiny and huge values, with a true minus sign. */
export function fmt(v, digits = 3) {
  if (v == null || Number.isNaN(v)) return "–";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  const a = Math.abs(v);
  if (a !== 0 && (a < 10 ** -digits || a >= 1e5)) return v.toExponential(2).replaceAll("-", "−");
  return v.toFixed(digits).replaceAll("-", "−");
}

/** A number for LaTeX: fixed decimals, or a braced power of ten for tiny and huge values. */
export function texNum(v, digits = 3) {
  if (v == null || Number.isNaN(v)) return "\\cdot";
  if (!Number.isFinite(v)) return v > 0 ? "\\infty" : "-\\infty";
  const a = Math.abs(v);
  if (a !== 0 && (a < 10 ** -digits || a >= 1e5)) {
    const [m, e] = v.toExponential(2).split("e");
    // braced, so a power written after it applies to the whole number and KaTeX parses it
    return `{${m}\\times 10^{${Number(e)}}}`;
  }
  return v.toFixed(digits);
}

/** A short number for an edge label: two decimals, or two significant digits for small values. */
export function labelNum(v) {
  const a = Math.abs(v);
  let text;
  if (a === 0) text = "0";
  else if (a >= 1000) text = v.toExponential(1).replace("e+", "e");
  else if (a >= 0.095) text = v.toFixed(2);
  else if (a >= 1e-4) text = v.toPrecision(2);
  else text = v.toExponential(0);
  return text.replaceAll("-", "−");
}

/** Two decimals, as in the lecture's table (0.52), with a true minus sign. */
export const two = (v) => (Math.abs(v) < 0.005 ? 0 : v).toFixed(2).replace("-", "−");

/** Thousands with commas, as the lecture writes iteration counts. */
export const count = (n) => n.toLocaleString("en-US");

const LOSS_WORDS = { mse: "squared error", cross_entropy: "cross-entropy" };
const WORDS = { ...LOSS_WORDS, xavier: "Xavier", he: "He", batch: "batch (all samples)", online: "online (one sample at a time)" };

/** The network in one line for the top bar of both pages. */
export function describeNetwork(net) {
  const acts = [...new Set(net.activations)].join("/");
  const name = net.preset ? net.preset.toUpperCase() : "custom";
  const loss = LOSS_WORDS[net.loss] || net.loss;
  return `${name} · ${net.layers.join("–")} · ${acts} · ${loss} · η = ${net.learning_rate} · iteration ${count(net.iteration)}`;
}

/** The label of a rule's name (a loss, an init scheme, a training mode) in a select. */
export const ruleLabel = (name) => WORDS[name] || name.replaceAll("_", " ");

/** A vector of targets in brackets: whole numbers as they are ("(1, 0, 0)", a one-hot class), others to 2 decimals. */
export function targetText(values, sep = ", ") {
  const whole = values.every((v) => Number.isInteger(v));
  return `(${values.map((v) => (whole ? String(v) : fmt(v, 2))).join(sep)})`;
}
