// The nudge: pick a weight or bias (from the list, or by clicking it on the figure), move it by ε with a slider,
// and see the loss before and after beside the prediction ∂L/∂θ · ε, with a small plot of L against that
// parameter and the tangent line at its current value. Draws what the controller hands it; never fetches.

import { fmt } from "../models/format.js";
import { allParams, paramLabel, parseRef, refKey } from "../models/insights.js";
import { nudgeWords, tangentLine } from "../models/nudge.js";
import { FONT } from "./network-traces.js";

const projector = () => document.body.classList.contains("projector");
const config = { displaylogo: false, responsive: true, displayModeBar: false };
const sub = (s) => s.replace(/\^(\d+)/, "⁽$1⁾");

export function nudgeElements(doc = document) {
  const el = (id) => doc.getElementById(id);
  return {
    card: el("nudge-card"), param: el("nudge-param"), eps: el("nudge-eps"), epsOut: el("nudge-eps-out"),
    all: el("nudge-all"), table: el("nudge-table"), chart: el("nudge-chart"), note: el("nudge-note"),
  };
}

/** handlers: {onParam(ref), onEpsilon(eps), onSamples(all)}. */
export function createNudgeView(els, { onParam, onEpsilon, onSamples }) {
  let shape = "";
  let plotted = false;
  const epsilon = () => Number(els.eps.value);
  els.param.addEventListener("change", () => onParam(parseRef(els.param.value)));
  els.eps.addEventListener("input", () => {
    els.epsOut.textContent = fmt(epsilon(), 2);
    onEpsilon(epsilon());
  });
  els.all.addEventListener("change", () => onSamples(els.all.checked));
  // A plot drawn while its box was hidden (the lesson's projector parts, a closed tab) takes Plotly's default
  // width: fit it to its box once the box is shown or changes width.
  let chartWidth = 0;
  if (typeof ResizeObserver !== "undefined") {
    new ResizeObserver(() => {
      const w = els.chart.clientWidth;
      if (plotted && w > 0 && Math.abs(w - chartWidth) > 2) Plotly.Plots.resize(els.chart);
      chartWidth = w;
    }).observe(els.chart);
  }

  function cell(tr, tag, text) {
    const c = document.createElement(tag);
    c.textContent = text;
    tr.append(c);
  }

  return {
    epsilon,
    allSamples: () => els.all.checked,
    /** Offers every weight and bias of a network with these layer sizes; keeps the choice when it still exists. */
    setLayers(layers) {
      const key = layers.join("-");
      if (key === shape) return parseRef(els.param.value);
      shape = key;
      const keep = els.param.value;
      els.param.replaceChildren(...allParams(layers).map((r) => new Option(sub(paramLabel(r)), refKey(r))));
      if ([...els.param.options].some((o) => o.value === keep)) els.param.value = keep;
      return parseRef(els.param.value);
    },
    choose(ref) {
      els.param.value = refKey(ref);
    },
    current: () => parseRef(els.param.value),
    open(on) {
      els.card.hidden = !on;
    },
    /** One /nudge answer for parameter ref at ε. */
    show(res, ref, eps) {
      const name = sub(paramLabel(ref));
      const rows = [
        ["ℒ before", fmt(res.loss_before, 6)],
        [`ℒ after (${name} + ε)`, fmt(res.loss_after, 6)],
        ["change Δℒ", fmt(res.delta_loss, 6)],
        [`predicted ∂ℒ/∂${name} · ε`, fmt(res.predicted, 6)],
        ["Δℒ − predicted", fmt(res.delta_loss - res.predicted, 6)],
      ];
      els.table.replaceChildren(...rows.map(([k, v]) => {
        const tr = document.createElement("tr");
        cell(tr, "th", k);
        cell(tr, "td", v);
        return tr;
      }));
      els.note.textContent = `∂ℒ/∂${name} = ${fmt(res.gradient, 5)}. ${nudgeWords(res, eps)}`;
      els.card.dataset.epsilon = String(eps);
    },
    say(text) {
      els.note.textContent = text;
    },
    /** The curve: {ref, theta0, loss0, gradient, xs, losses (L at θ0 + each offset), span, nudged: {x, loss}}. */
    draw({ ref, theta0, loss0, gradient, xs, losses, span, nudged }) {
      const name = sub(paramLabel(ref));
      const line = tangentLine(theta0, loss0, gradient, span);
      const size = projector() ? 24 : 12;
      const data = [
        { type: "scatter", mode: "lines+markers", name: "ℒ", x: xs, y: losses, line: { color: "#1d4ed8", width: 3 },
          marker: { size: 6 }, hovertemplate: `${name} = %{x:.3f}<br>ℒ = %{y:.5f}<extra></extra>` },
        { type: "scatter", mode: "lines", name: "tangent", x: line.x, y: line.y, line: { color: "#e11d48", width: 2, dash: "dash" },
          hovertemplate: "tangent: %{y:.5f}<extra></extra>" },
        { type: "scatter", mode: "markers", name: "now", x: [theta0], y: [loss0], marker: { size: 11, color: "#111827" },
          hovertemplate: `now: ℒ = ${fmt(loss0, 5)}<extra></extra>` },
        { type: "scatter", mode: "markers", name: "nudged", x: [nudged.x], y: [nudged.loss],
          marker: { size: 12, color: "#f59e0b", line: { color: "#111827", width: 1.5 } },
          hovertemplate: `θ + ε: ℒ = ${fmt(nudged.loss, 5)}<extra></extra>` },
      ];
      // ℒ, one letter, reads upright at the left edge (an axis title would turn it on its side), clear of the ticks
      const layout = {
        margin: { l: size * 5, r: 8, t: 6, b: size * 3.2 },
        font: { family: FONT, size, color: "#111827" },
        xaxis: { title: { text: name }, nticks: 4, zeroline: false },
        yaxis: { nticks: 4, zeroline: false },
        annotations: [{ text: "ℒ", textangle: 0, showarrow: false, xref: "paper", yref: "paper", x: 0, y: 0.5,
          xanchor: "left", yanchor: "middle", xshift: -size * 5 }],
        showlegend: false, paper_bgcolor: "#ffffff", uirevision: "nudge",
      };
      els.chart.dataset.drawn = refKey(ref);
      const drawFn = plotted ? Plotly.react : Plotly.newPlot;
      plotted = true;
      return drawFn(els.chart, data, layout, config);
    },
  };
}
