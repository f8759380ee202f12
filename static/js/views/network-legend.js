// The two colour keys of the network figure (node quantity, edge quantity): as HTML under the figure on every step
// (cheaper than Plotly colour bars), and as Plotly colour bars for the PNG export.

import { labelNum } from "../models/format.js";
import { plotlyScale } from "./colors.js";

/** Draws keys [{stops, min, max, title}] into the legend element. */
export function drawLegend(legend, keys) {
  legend.textContent = "";
  for (const b of keys) {
    const item = document.createElement("div");
    item.className = "legend-item";
    const title = document.createElement("span");
    title.className = "legend-title";
    title.textContent = b.title;
    const bar = document.createElement("span");
    bar.className = "legend-bar";
    bar.style.background = `linear-gradient(to right, ${b.stops.map(([t, c]) => `${c} ${Math.round(t * 100)}%`).join(", ")})`;
    const ticks = document.createElement("span");
    ticks.className = "legend-ticks";
    for (const v of [b.min, (b.min + b.max) / 2, b.max]) {
      const t = document.createElement("span");
      // the edge labels' short numbers: three of them fit a phone's bar side by side
      t.textContent = labelNum(v);
      ticks.append(t);
    }
    item.append(title, bar, ticks);
    legend.append(item);
  }
}

/** Invisible marker traces whose colour bars show the keys side by side under an exported figure. */
export function legendTraces(keys, g) {
  return keys.map((b, n) => ({
    type: "scatter", mode: "markers", x: [g.xRange[0]], y: [g.yRange[0]], hoverinfo: "skip", showlegend: false,
    marker: {
      size: 0.1, opacity: 0, color: [b.min], cmin: b.min, cmax: b.max, colorscale: plotlyScale(b.stops), showscale: true,
      colorbar: { orientation: "h", x: n ? 0.75 : 0.25, xanchor: "center", y: -0.02, yanchor: "top", len: 0.36, thickness: 12, title: { text: b.title, side: "top" } },
    },
  }));
}
