// The training panel's views: the loss curve (Plotly), the lecture's snapshot table, the decision boundary for 2-D
// data sets, and the progress bar. It draws what main.js hands it; the chunked training loop lives in main.js.

import { DIVERGING, plotlyScale } from "./colors.js";
/** Two decimals, as in the lecture's table (0.52), with a true minus sign. */
const two = (v) => (Math.abs(v) < 0.005 ? 0 : v).toFixed(2).replace("-", "−");

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
const MAX_ROWS = 8; // the table shows the first samples only, like the lecture's four XOR rows
const MAX_COLUMNS = 5; // snapshot columns kept on screen; the CSV export has them all
export const GRID = 41; // decision-boundary grid is GRID x GRID points

const config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d"] };

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

  function shownIterations() {
    const its = [...snapshots.keys()].sort((a, b) => a - b);
    if (its.length <= MAX_COLUMNS) return its;
    // The first, the last, and those nearest to even steps between, like the lecture's 0, 1,000, ..., 10,000.
    const first = its[0];
    const last = its[its.length - 1];
    const out = [];
    for (let k = 0; k < MAX_COLUMNS; k += 1) {
      const goal = first + ((last - first) * k) / (MAX_COLUMNS - 1);
      out.push(its.reduce((best, it) => (Math.abs(it - goal) < Math.abs(best - goal) ? it : best), first));
    }
    return [...new Set(out)];
  }

  function drawTable() {
    const table = els.table;
    table.textContent = "";
    if (!dataset || !dataset.inputs || !dataset.inputs.length) return;
    const nIn = dataset.inputs[0].length;
    const nOut = dataset.targets[0].length;
    const its = shownIterations();
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
          type: "heatmap", x: grid.xs, y: grid.ys, z, zmin: 0, zmax: 1, zmid: 0.5, colorscale: plotlyScale(DIVERGING), opacity: 0.78,
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
            colorscale: plotlyScale(DIVERGING), line: { color: "#ffffff", width: 1.2 },
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
    /** The grid the boundary needs for a 2-input data set, or null. */
    boundaryGrid(network) {
      const ds = network.dataset;
      if (network.layers[0] !== 2 || !ds || !ds.inputs || !ds.inputs.length) return null;
      const xs0 = ds.inputs.map((p) => p[0]);
      const ys0 = ds.inputs.map((p) => p[1]);
      const pad = (lo, hi) => {
        const m = Math.max(0.25, 0.15 * (hi - lo));
        return [lo - m, hi + m];
      };
      const [x0, x1] = pad(Math.min(...xs0), Math.max(...xs0));
      const [y0, y1] = pad(Math.min(...ys0), Math.max(...ys0));
      const lin = (a, b) => Array.from({ length: GRID }, (_, k) => a + ((b - a) * k) / (GRID - 1));
      const xs = lin(x0, x1);
      const ys = lin(y0, y1);
      const inputs = [];
      for (const y of ys) for (const x of xs) inputs.push([x, y]);
      return { xs, ys, inputs };
    },
    hideBoundary(note) {
      els.boundaryWrap.hidden = true;
      els.boundaryNote.textContent = note || "";
    },
    /** The snapshots in the lecture's long form: iteration, inputs, targets, outputs. */
    csv() {
      if (!dataset) return "";
      const nIn = dataset.inputs[0].length;
      const nOut = dataset.targets[0].length;
      const head = ["iteration", ...Array.from({ length: nIn }, (_, k) => `x${k + 1}`)];
      for (let k = 1; k <= nOut; k += 1) head.push(nOut === 1 ? "y" : `y${k}`);
      for (let k = 1; k <= nOut; k += 1) head.push(nOut === 1 ? "o" : `o${k}`);
      const lines = [head.join(",")];
      for (const it of [...snapshots.keys()].sort((a, b) => a - b)) {
        snapshots.get(it).forEach((out, r) => {
          lines.push([it, ...dataset.inputs[r], ...dataset.targets[r], ...out].join(","));
        });
      }
      return `${lines.join("\n")}\n`;
    },
    get lossCount() {
      return losses.length;
    },
  };
}
