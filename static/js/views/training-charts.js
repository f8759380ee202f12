// The training panel's views: the loss curve (Plotly), the lecture's snapshot table, the decision boundary for 2-D
// data sets, and the progress bar. It draws what it is handed; the chunked training loop is controllers/training-run.js.

import { snapshotsCsv } from "../models/csv.js";
import { two } from "../models/format.js";
import { argmax, referenceColumns } from "../models/insights.js";
import { GRID, shownIterations } from "../models/snapshots.js";
import { plotlyScale, stopsFor } from "./colors.js";
import { FONT } from "./network-traces.js";

const MAX_ROWS = 8; // the table shows the first samples only, like the lecture's four XOR rows
const MAX_COLUMNS = 5; // snapshot columns kept on screen; the CSV export has them all
const OUTPUT_SCALE = plotlyScale(stopsFor("diverging")); // outputs around the 0.5 boundary, blue below, red above
// One colour per class for several outputs (Okabe–Ito: told apart with the common colour-vision deficiencies).
const CLASS_COLORS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"];
const classColor = (k) => CLASS_COLORS[k % CLASS_COLORS.length];
const signed = (v) => (v >= 0.005 ? "+" : "") + two(v);

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
  let reference = null; // the lecture's table ({iterations, outputs}) for the xor preset, else null

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
    const refCols = reference && reference.outputs[0].length === dataset.inputs.length ? referenceColumns(reference, snapshots) : null;
    if (refCols) {
      // Between or past the lecture's iterations: one more column with where the network is now.
      const latest = Math.max(...snapshots.keys());
      if (snapshots.size && !reference.iterations.includes(latest)) {
        refCols.push({ iteration: latest, lecture: null, ours: snapshots.get(latest), diff: null });
        refCols.sort((a, b) => a.iteration - b.iteration);
      }
    }
    const its = refCols ? refCols.map((c) => c.iteration) : shownIterations(snapshots.keys(), MAX_COLUMNS);
    table.classList.toggle("with-reference", !!refCols);
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
    if (its.length) {
      const head = refCols ? "o after iteration: ours · lecture · Δ" : "output o after iteration";
      th(h1, head, { colspan: String(its.length), scope: "colgroup", class: "out-head" });
    }
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
      if (refCols) {
        refCols.forEach((c) => tr.append(referenceCell(c, r)));
        continue;
      }
      its.forEach((it, k) => {
        const out = snapshots.get(it)[r] || [];
        const cell = tr.insertCell();
        cell.className = k === its.length - 1 ? "num latest" : "num";
        cell.textContent = out.map(two).join(", ");
      });
    }
    const have = refCols ? refCols.filter((c) => c.ours).map((c) => c.iteration) : its;
    els.table.dataset.columns = String(its.length);
    els.table.dataset.lastIteration = have.length ? String(have[have.length - 1]) : "";
    let note = dataset.inputs.length > MAX_ROWS ? `First ${MAX_ROWS} of ${dataset.inputs.length} samples; the CSV export has all of them.` : "";
    if (refCols) {
      note = "Each cell: our output o (bold), the lecture's value below it and the difference ours − lecture. "
        + "A run here is cut at exactly the lecture's iterations; other initial weights give other numbers on the way, "
        + "the same end.";
    }
    els.tableNote.textContent = note;
  }

  /** One sample's cell at one of the lecture's iterations: ours, the lecture's, the difference. */
  function referenceCell(col, r) {
    const cell = document.createElement("td");
    cell.className = "num ref-cell";
    const ours = document.createElement("span");
    ours.className = "ref-ours";
    ours.textContent = col.ours ? col.ours[r].map(two).join(", ") : "·";
    const lecture = document.createElement("span");
    lecture.className = "ref-lecture";
    lecture.textContent = col.lecture ? col.lecture[r].map(two).join(", ") : "–";
    lecture.title = col.lecture ? "the lecture's value" : "not in the lecture's table";
    cell.append(ours, lecture);
    if (col.diff) {
      const d = document.createElement("span");
      d.className = "ref-diff";
      d.textContent = col.diff[r].map(signed).join(", ");
      d.title = "ours − lecture";
      cell.append(d);
    }
    return cell;
  }

  function caption(text) {
    const hint = els.boundaryWrap.querySelector("figcaption .hint-inline");
    if (hint) hint.textContent = text;
  }

  /** Several outputs: the plane in the colour of the class with the largest output, probabilities on hover. */
  function drawClasses(grid, outputs) {
    const n = outputs[0].length;
    const z = [];
    const text = [];
    for (let r = 0; r < GRID; r += 1) {
      const row = outputs.slice(r * GRID, (r + 1) * GRID);
      z.push(row.map(argmax));
      text.push(row.map((o) => o.map((p, k) => `o${k + 1} = ${p.toFixed(3)}`).join("<br>")));
    }
    // A stepped scale: class k owns the band around k, so neighbouring classes never blend.
    const scale = [];
    for (let k = 0; k < n; k += 1) scale.push([k / n, classColor(k)], [(k + 1) / n, classColor(k)]);
    const pts = dataset.inputs;
    const data = [
      {
        type: "heatmap", x: grid.xs, y: grid.ys, z, text, zmin: -0.5, zmax: n - 0.5, colorscale: scale, opacity: 0.55,
        colorbar: { thickness: 10, len: 0.9, tickvals: [...Array(n).keys()], ticktext: [...Array(n).keys()].map((k) => `class ${k + 1}`) },
        hovertemplate: "x₁ %{x:.2f}, x₂ %{y:.2f}<br>largest: class %{z}<br>%{text}<extra></extra>",
      },
      {
        type: "scatter", mode: "markers", x: pts.map((p) => p[0]), y: pts.map((p) => p[1]),
        marker: { size: pts.length > 60 ? 7 : 13, color: dataset.targets.map((t) => classColor(argmax(t))), line: { color: "#ffffff", width: 1.2 } },
        text: dataset.targets.map((t) => `class ${argmax(t) + 1}`),
        hovertemplate: "x = (%{x}, %{y})<br>target: %{text}<extra></extra>",
      },
    ];
    // Plotly's hover shows %{z} 0-based; name the classes 1-based in the hover as in the colour bar.
    data[0].z = z.map((row) => row.map((k) => k + 1));
    data[0].zmin = 0.5;
    data[0].zmax = n + 0.5;
    data[0].colorbar.tickvals = data[0].colorbar.tickvals.map((k) => k + 1);
    const layout = {
      uirevision: "boundary",
      margin: { l: 46, r: 8, t: 8, b: 44 },
      font: { family: FONT, size: 12 },
      xaxis: { title: { text: "x₁" }, range: [grid.xs[0], grid.xs[GRID - 1]], zeroline: false },
      yaxis: { title: { text: "x₂" }, range: [grid.ys[0], grid.ys[GRID - 1]], zeroline: false, scaleanchor: "x" },
      showlegend: false,
    };
    els.boundary.dataset.classes = String(n);
    caption("(each class in its colour where its output is the largest; hover for all outputs)");
    const draw = boundaryPlotted ? Plotly.react : Plotly.newPlot;
    boundaryPlotted = true;
    return draw(els.boundary, data, layout, config);
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
    /** The lecture's table to show beside ours (the xor preset's reference), or null. */
    setReference(ref) {
      reference = ref || null;
      drawTable();
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
      if (outputs.length && outputs[0].length > 1) return drawClasses(grid, outputs);
      els.boundary.dataset.classes = "1";
      caption("(black line: o = 0.5)");
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
