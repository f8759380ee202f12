// The loss landscape: a Plotly contour of ℒ over two parameters (every other one fixed), the path the two took
// while training, the current point and an arrow along −∇ℒ; and the two selects and the pick button above it.

import { fmt } from "../models/format.js";
import { allParams, descentArrow, gridMinimum, paramLabel, parseRef, refKey } from "../models/insights.js";
import { FONT } from "./network-traces.js";

// Projector mode (body.projector): chart text large enough for the back row.
const projector = () => document.body.classList.contains("projector");
const config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d", "zoomIn2d", "zoomOut2d"] };
const sub = (s) => s.replace(/\^(\d+)/, "⁽$1⁾");

export function landscapeElements(doc = document) {
  const el = (id) => doc.getElementById(id);
  return {
    x: el("land-x"), y: el("land-y"), span: el("land-span"), pick: el("land-pick"), draw: el("land-draw"),
    chart: el("landscape-chart"), note: el("landscape-note"),
  };
}

/** handlers: {onDraw(), onPick(on)}. */
export function createLandscapeView(els, { onDraw, onPick }) {
  let plotted = false;
  let shape = "";

  els.draw.addEventListener("click", () => onDraw());
  els.pick.addEventListener("click", () => onPick(els.pick.getAttribute("aria-pressed") !== "true"));

  function fill(select, refs, keep) {
    select.textContent = "";
    for (const r of refs) select.append(new Option(sub(paramLabel(r)).replace(/^w(\d)(\d)/, "w$1$2 "), refKey(r)));
    if (keep && refs.some((r) => refKey(r) === keep)) select.value = keep;
  }

  return {
    /** Offers every weight and bias of a network with these layer sizes; first two weights chosen by default. */
    setLayers(layers) {
      const key = layers.join("-");
      if (key === shape) return;
      shape = key;
      const refs = allParams(layers);
      fill(els.x, refs, null);
      fill(els.y, refs, null);
      els.x.value = refKey(refs[0]);
      // y: the first weight of the next layer (the example pairs w11 of layer 2 with w12 of layer 3)
      const other = refs.find((r) => r.i != null && r.l === 3 && r.i === 2) || refs.find((r) => r.i != null && r.l > 2) || refs[1];
      els.y.value = refKey(other);
      if (plotted) Plotly.purge(els.chart);
      plotted = false;
      els.chart.dataset.drawn = "";
    },
    /** The chosen parameters, span and (from the server's limit) resolution. */
    request(maxResolution) {
      const span = Number(els.span.value);
      const res = Math.min(41, Number.isFinite(maxResolution) ? maxResolution : 41);
      return { x: parseRef(els.x.value), y: parseRef(els.y.value), span: Number.isFinite(span) && span > 0 ? span : 2, resolution: res % 2 ? res : res - 1 };
    },
    choose(x, y) {
      els.x.value = refKey(x);
      els.y.value = refKey(y);
    },
    picking(on, text) {
      els.pick.setAttribute("aria-pressed", String(on));
      els.pick.classList.toggle("primary", on);
      if (text != null) els.note.textContent = text;
    },
    say(text) {
      els.note.textContent = text;
    },
    /**
     * Draws land ({x_values, y_values, loss}) for refs {x, y}; path {iterations, xs, ys} (may be empty);
     * current {x, y, loss}; grad {x, y}: ∂ℒ/∂x and ∂ℒ/∂y at the current point.
     */
    draw(land, refs, path, current, grad) {
      const xl = sub(paramLabel(refs.x));
      const yl = sub(paramLabel(refs.y));
      const spanX = land.x_values[land.x_values.length - 1] - land.x_values[0];
      const spanY = land.y_values[land.y_values.length - 1] - land.y_values[0];
      // −∇ℒ in the parameters' own units, a quarter of the box long whatever the gradient's size.
      const arrow = grad ? descentArrow(current.x, current.y, grad.x, grad.y, spanX, spanY, 0.25) : null;
      const data = [
        {
          type: "contour", x: land.x_values, y: land.y_values, z: land.loss, colorscale: "Viridis", reversescale: true,
          ncontours: 18, contours: { coloring: "heatmap", showlines: true }, line: { width: 0.6, color: "rgba(255,255,255,0.55)" },
          colorbar: { thickness: 10, len: 0.9, title: { text: "ℒ", side: "top" } },
          hovertemplate: `${xl} = %{x:.3f}<br>${yl} = %{y:.3f}<br>ℒ = %{z:.4f}<extra></extra>`,
        },
        {
          type: "scatter", mode: "lines+markers", name: "training path", x: path.xs, y: path.ys, text: path.iterations,
          line: { color: "#ffffff", width: 3 }, marker: { size: 6, color: "#111827", line: { color: "#ffffff", width: 1 } },
          hovertemplate: "iteration %{text}<br>(%{x:.3f}, %{y:.3f})<extra>path</extra>",
        },
        {
          type: "scatter", mode: "markers", name: "now", x: [current.x], y: [current.y],
          marker: { size: 15, color: "#e11d48", symbol: "circle", line: { color: "#ffffff", width: 2.5 } },
          hovertemplate: `now: ℒ = ${fmt(current.loss, 4)}<extra></extra>`,
        },
      ];
      const annotations = [];
      if (arrow) {
        const ax = arrow.x1;
        const ay = arrow.y1;
        annotations.push({
          x: ax, y: ay, ax: current.x, ay: current.y, xref: "x", yref: "y", axref: "x", ayref: "y", text: "",
          showarrow: true, arrowhead: 2, arrowsize: 1.4, arrowwidth: 3, arrowcolor: "#e11d48",
        });
        annotations.push({
          x: ax, y: ay, xref: "x", yref: "y", text: "−∇ℒ", showarrow: false, xanchor: "left", xshift: 10,
          font: { color: "#e11d48", size: 15 }, bgcolor: "rgba(255,255,255,0.8)",
        });
      }
      const layout = {
        margin: { l: 56, r: 8, t: 8, b: 46 },
        font: { family: FONT, size: projector() ? 22 : 12, color: "#111827" },
        xaxis: { title: { text: xl }, range: [land.x_values[0], land.x_values[land.x_values.length - 1]], zeroline: false },
        yaxis: { title: { text: yl }, range: [land.y_values[0], land.y_values[land.y_values.length - 1]], zeroline: false },
        annotations,
        showlegend: false,
        paper_bgcolor: "#ffffff",
      };
      const min = gridMinimum(land);
      els.chart.dataset.drawn = `${refKey(refs.x)}|${refKey(refs.y)}`;
      els.chart.dataset.pathPoints = String(path.xs.length);
      els.note.textContent = `ℒ = ${fmt(current.loss, 4)} now (red dot); the arrow points down the slope, −∇ℒ = (${fmt(-grad.x, 4)}, ${fmt(-grad.y, 4)}). `
        + `Lowest on this grid: ${fmt(min.loss, 4)} at (${fmt(min.x, 2)}, ${fmt(min.y, 2)}). `
        + (path.xs.length > 1
          ? "The white line is the path the two took while training; the map is drawn with the other parameters as they are now, so the path may cross its contours."
          : "Train to see the path the two parameters take.");
      const draw = plotted ? Plotly.react : Plotly.newPlot;
      plotted = true;
      return draw(els.chart, data, layout, config);
    },
  };
}
