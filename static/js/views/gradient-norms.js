// The gradient-norm chart: ‖∂L/∂W^l‖_F (solid) and ‖δ^l‖_F (dotted) per weight layer over a run, on a log axis,
// so vanishing (the first layers far below the last) and exploding gradients are seen; and a sentence that reads it.

import { fmt } from "../models/format.js";
import { firstToLastRatio, normSeries } from "../models/insights.js";
import { FONT } from "./network-traces.js";

// Layer colours: a sequential ramp from the first weight layer (light) to the output layer (dark).
const RAMP = ["#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b", "#041f4a", "#02122b", "#010a18"];
// Projector mode (body.projector): chart text large enough for the back row.
const projector = () => document.body.classList.contains("projector");
const config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d"] };

export function createNormsChart(els) {
  let plotted = false;

  function colorOf(k, n) {
    const idx = n <= 1 ? RAMP.length - 1 : Math.round((k * (Math.min(RAMP.length, n + 2) - 1)) / (n - 1));
    return RAMP[Math.min(RAMP.length - 1, idx)];
  }

  function note(records, network, presetNote) {
    const first = records[0];
    const last = records[records.length - 1];
    const r0 = firstToLastRatio(first);
    const parts = [];
    if (r0 != null && first.layers.length > 1) {
      const l0 = Math.min(...first.layers.map((x) => x.l));
      const lL = Math.max(...first.layers.map((x) => x.l));
      parts.push(r0 >= 10
        ? `At iteration ${first.iteration.toLocaleString("en-US")} layer ${lL}'s ‖∂ℒ/∂W‖ is ${fmt(r0, 0)} times layer ${l0}'s: the gradient vanishes on its way back.`
        : `At iteration ${first.iteration.toLocaleString("en-US")} the layers' gradient norms are within a factor ${fmt(Math.max(r0, 1 / r0), 1)} of each other.`);
      if (last !== first) {
        const r1 = firstToLastRatio(last);
        if (r1 != null) parts.push(`At ${last.iteration.toLocaleString("en-US")}: a factor ${fmt(r1, 1)}.`);
      }
    }
    const sigmoidHidden = network && network.activations.slice(0, -1).some((a) => a === "sigmoid");
    if (sigmoidHidden && r0 != null && r0 >= 10 && !presetNote) {
      parts.push("Each sigmoid layer multiplies δ by σ′(z) = σ(z)(1 − σ(z)) ≤ 0.25 on the way back, so k layers shrink it by at least 4ᵏ unless the weights are large; the same small factor keeps XOR on its plateau.");
    }
    if (presetNote) parts.push(presetNote);
    return parts.join(" ");
  }

  return {
    /** Draws a run's records ([{iteration, layers: [{l, grad_w, delta}]}]); network: for the note's words. */
    draw(records, network, presetNote = "") {
      if (!records.length) {
        els.chart.dataset.points = "0";
        els.note.textContent = "Train to see how large each layer's gradient is, iteration by iteration.";
        if (plotted) Plotly.purge(els.chart);
        plotted = false;
        return Promise.resolve();
      }
      const series = normSeries(records);
      const data = [];
      series.forEach((s, k) => {
        const color = colorOf(k, series.length);
        data.push({
          type: "scatter", mode: "lines+markers", name: `‖∂ℒ/∂W${s.l}‖`, x: s.iterations, y: s.gradW,
          line: { color, width: 2.5 }, marker: { size: 5, color }, legendgroup: String(s.l),
          hovertemplate: `layer ${s.l}: ‖∂ℒ/∂W‖ = %{y:.3e}<br>iteration %{x}<extra></extra>`,
        });
        data.push({
          type: "scatter", mode: "lines", name: `‖δ${s.l}‖`, x: s.iterations, y: s.delta, showlegend: false,
          line: { color, width: 1.5, dash: "dot" }, legendgroup: String(s.l),
          hovertemplate: `layer ${s.l}: ‖δ‖ = %{y:.3e}<br>iteration %{x}<extra></extra>`,
        });
      });
      const layout = {
        uirevision: "norms",
        margin: { l: 58, r: 8, t: 8, b: 44 },
        font: { family: FONT, size: projector() ? 22 : 12, color: "#111827" },
        xaxis: { title: { text: "iteration" }, zeroline: false, gridcolor: "#eef0f3" },
        yaxis: { title: { text: "norm (log)" }, type: "log", exponentformat: "power", gridcolor: "#eef0f3" },
        legend: { orientation: "h", y: -0.28, x: 0, font: { size: 11 } },
        paper_bgcolor: "#ffffff",
        plot_bgcolor: "#ffffff",
      };
      els.chart.dataset.points = String(records.length);
      els.chart.dataset.layers = String(series.length);
      els.note.textContent = note(records, network, presetNote);
      const draw = plotted ? Plotly.react : Plotly.newPlot;
      plotted = true;
      return draw(els.chart, data, layout, config);
    },
  };
}
