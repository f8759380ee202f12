// The training panel's views: the loss curve (Plotly), the lecture's snapshot table, the decision boundary for 2-D
// data sets, and the progress bar. It draws what it is handed; the chunked training loop is controllers/training-run.js.

import { snapshotsCsv } from "../models/csv.js";
import { two } from "../models/format.js";
import { GRID, shownIterations } from "../models/snapshots.js";
import { plotlyScale, stopsFor } from "./colors.js";
import { FONT } from "./network-traces.js";

const MAX_ROWS = 8; // the table shows the first samples only, like the lecture's four XOR rows
const MAX_COLUMNS = 5; // snapshot columns kept on screen; the CSV export has them all
const OUTPUT_SCALE = plotlyScale(stopsFor("diverging")); // outputs around the 0.5 boundary, blue below, red above

const config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d"] };

/** The training panel's elements by the ids of templates/index.html. */
export function trainingElements(doc = document) {
  const el = (id) => doc.getElementById(id);
  return {
    lossChart: el("loss-chart"), lossEmpty: el("loss-empty"), table: el("snapshot-table"), tableNote: el("snapshot-note"),
    progress: el("train-progress"), progressText: el("train-progress-text"), boundary: el("boundary-chart"),
    boundaryWrap: el("boundary-wrap"), boundaryNote: el("boundary-note"),
  };
}

export function createTrainingView(els) {
  let losses = [];
  let snapshots = new Map(); // iteration -> outputs per sample
  let dataset = null;
  let lossPlotted = false;
  let boundaryPlotted = false;
  let logScale = false;

  function lossLayout() {
    return {
      uirevision: "loss",
      datarevision: losses.length,
      margin: { l: 60, r: 12, t: 8, b: 46 },
      font: { family: FONT, size: 12, color: "#111827" },
      xaxis: { title: { text: "iteration" }, zeroline: false, gridcolor: "#eef0f3" },
      yaxis: logScale
        ? { title: { text: "loss ℒ (log)" }, type: "log", zeroline: false, gridcolor: "#eef0f3" }
        : { title: { text: "loss ℒ" }, type: "linear", rangemode: "tozero", zeroline: false, gridcolor: "#eef0f3" },
      paper_bgcolor: "#ffffff",
      plot_bgcolor: "#ffffff",
      showlegend: false,
    };
  }

  function drawLoss() {
    const data = [{
      type: "scatter", mode: "lines", x: losses.map((p) => p[0]), y: losses.map((p) => p[1]),
      line: { color: "#2166ac", width: 2.5 }, hovertemplate: "iteration %{x}<br>ℒ = %{y:.4f}<extra></extra>",
    }];
    const draw = lossPlotted ? Plotly.react : Plotly.newPlot;
    lossPlotted = true;
    els.lossChart.dataset.points = String(losses.length);
    els.lossEmpty.hidden = losses.length > 0;
    return draw(els.lossChart, data, lossLayout(), config);
  }

  function drawTable() {
    const table = els.table;
    table.textContent = "";
    if (!dataset || !dataset.inputs || !dataset.inputs.length) return;
    const nIn = dataset.inputs[0].length;
    const nOut = dataset.targets[0].length;
    const its = shownIterations(snapshots.keys(), MAX_COLUMNS);
    const thead = table.createTHead();
    const h1 = thead.insertRow();
    const th = (row, text, attrs = {}) => {
      const c = document.createElement("th");
      c.textContent = text;
      Object.entries(attrs).forEach(([k, v]) => c.setAttribute(k, v));
      row.append(c);
      return c;
    };
    th(h1, "inputs", { colspan: String(nIn), scope: "colgroup" });
    th(h1, "target", { colspan: String(nOut), scope: "colgroup" });
    if (its.length) th(h1, "output o after iteration", { colspan: String(its.length), scope: "colgroup", class: "out-head" });
    const h2 = thead.insertRow();
    for (let k = 1; k <= nIn; k += 1) th(h2, `x${k}`, { scope: "col" });
    for (let k = 1; k <= nOut; k += 1) th(h2, nOut === 1 ? "y" : `y${k}`, { scope: "col" });
    for (const it of its) th(h2, it.toLocaleString("en-US"), { scope: "col", class: "num" });
    const body = table.createTBody();
    const rows = Math.min(MAX_ROWS, dataset.inputs.length);
    for (let r = 0; r < rows; r += 1) {
      const tr = body.insertRow();
      dataset.inputs[r].forEach((v) => {
        tr.insertCell().textContent = two(v);
      });
      dataset.targets[r].forEach((v) => {
        tr.insertCell().textContent = two(v);
      });
      its.forEach((it, k) => {
        const out = snapshots.get(it)[r] || [];
        const cell = tr.insertCell();
        cell.className = k === its.length - 1 ? "num latest" : "num";
        cell.textContent = out.map(two).join(", ");
      });
    }
    els.table.dataset.columns = String(its.length);
    els.table.dataset.lastIteration = its.length ? String(its[its.length - 1]) : "";
    els.tableNote.textContent =
      dataset.inputs.length > MAX_ROWS ? `First ${MAX_ROWS} of ${dataset.inputs.length} samples; the CSV export has all of them.` : "";
  }

  return {
    /** Starts over for a (new) network: empty curve, the table with the network's current outputs. */
    reset(network, outputs, loss) {
      dataset = network.dataset;
      losses = loss != null ? [[network.iteration || 0, loss]] : [];
      snapshots = new Map();
      if (outputs) snapshots.set(network.iteration || 0, outputs);
      drawTable();
      this.setProgress(0, 0, "");
      return drawLoss();
    },
    /** Adds one /train answer: its loss history and its last snapshot. */
    addChunk(result) {
      for (const pt of result.loss_history || []) {
        if (!losses.length || pt[0] > losses[losses.length - 1][0]) losses.push(pt);
      }
      for (const s of result.snapshots || []) snapshots.set(s.iteration, s.outputs);
      drawTable();
      return drawLoss();
    },
    /** A log axis shows the slow end of training, where the lecture's table goes from 0.05 to 0.02. */
    setLogScale(on) {
      logScale = on;
      return drawLoss();
    },
    setProgress(done, total, text) {
      els.progress.max = Math.max(1, total);
      els.progress.value = done;
      els.progressText.textContent = text;
    },
    /** Draws the network's output over the input plane, the 0.5 contour and the samples. */
    drawBoundary(grid, outputs) {
      if (!grid) {
        els.boundaryWrap.hidden = true;
        return Promise.resolve();
      }
      els.boundaryWrap.hidden = false;
      const z = [];
      for (let r = 0; r < GRID; r += 1) z.push(outputs.slice(r * GRID, (r + 1) * GRID).map((o) => o[0]));
      const pts = dataset.inputs;
      const data = [
        {
          type: "heatmap", x: grid.xs, y: grid.ys, z, zmin: 0, zmax: 1, zmid: 0.5, colorscale: OUTPUT_SCALE, opacity: 0.78,
          colorbar: { thickness: 10, len: 0.9, title: { text: "o", side: "top" } }, hovertemplate: "x₁ %{x:.2f}, x₂ %{y:.2f}<br>o = %{z:.3f}<extra></extra>",
        },
        {
          type: "contour", x: grid.xs, y: grid.ys, z, showscale: false, hoverinfo: "skip",
          contours: { start: 0.5, end: 0.5, size: 1, coloring: "none" }, line: { color: "#111827", width: 2.5 },
        },
        {
          type: "scatter", mode: "markers", x: pts.map((p) => p[0]), y: pts.map((p) => p[1]),
          marker: {
            size: pts.length > 60 ? 7 : 13, color: dataset.targets.map((t) => t[0]), cmin: 0, cmax: 1,
            colorscale: OUTPUT_SCALE, line: { color: "#ffffff", width: 1.2 },
          },
          hovertemplate: "x = (%{x}, %{y})<extra></extra>",
        },
      ];
      const layout = {
        uirevision: "boundary",
        margin: { l: 46, r: 8, t: 8, b: 44 },
        font: { family: FONT, size: 12 },
        xaxis: { title: { text: "x₁" }, range: [grid.xs[0], grid.xs[GRID - 1]], zeroline: false },
        yaxis: { title: { text: "x₂" }, range: [grid.ys[0], grid.ys[GRID - 1]], zeroline: false, scaleanchor: "x" },
        showlegend: false,
      };
      const draw = boundaryPlotted ? Plotly.react : Plotly.newPlot;
      boundaryPlotted = true;
      return draw(els.boundary, data, layout, config);
    },
    hideBoundary(note) {
      els.boundaryWrap.hidden = true;
      els.boundaryNote.textContent = note || "";
    },
    /** The snapshots as CSV (all columns, all samples), or "" before there is a data set. */
    csv: () => snapshotsCsv(dataset, snapshots),
  };
}
