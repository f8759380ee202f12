// What a step changes on the node plot, set in place on the markers and texts Plotly drew (hover texts reach Plotly
// only when a pointer asks for them), because Plotly redraws the whole plot for a new colour array.

/**
 * The painter of a node plot: paint({fills, texts}) sets each trace's marker fills and text colours (arrays per
 * trace; null leaves a trace alone) on the elements Plotly drew; redrawn() says Plotly drew them afresh.
 */
export function createPainter(plot) {
  let shown = []; // the colours on screen, per trace and element, so a step touches only what changed

  function apply(els, colors, t, kind) {
    if (!colors || els.length !== colors.length) return;
    const had = (shown[t] ||= {})[kind] || [];
    els.forEach((el, n) => {
      if (had[n] !== colors[n]) el.style.fill = colors[n];
    });
    shown[t][kind] = colors;
  }

  function paint({ fills, texts }) {
    const traces = plot.querySelectorAll(".scatterlayer .trace");
    fills.forEach((colors, t) => {
      if (!colors || !traces[t]) return;
      apply(traces[t].querySelectorAll(".points path.point"), colors, t, "fill");
      // Plotly leaves out the text elements of empty labels (small dots carry no symbol): nothing to recolour then.
      apply(traces[t].querySelectorAll(".textpoint text"), texts[t], t, "text");
    });
  }

  return { paint, redrawn: () => { shown = []; } };
}

/**
 * Hover texts on demand: textsNow() returns the texts per trace for the step on screen. Before Plotly looks for the
 * point under the pointer (plotly_beforehover) they are written into its calculated points, where its hover
 * reads them; stale() after every step, which also rewrites a label that is open.
 */
export function createLazyHover(plot, textsNow) {
  let fresh = false;
  let written = null; // the calculated points the texts went into: a redraw by Plotly makes new ones

  function fill() {
    const cd = plot.calcdata;
    if (!cd) return;
    if (fresh && written && written.length === cd.length && written.every((c, t) => c === cd[t])) return;
    textsNow().forEach((texts, t) => {
      const points = cd[t];
      if (!points || points.length !== texts.length) return;
      texts.forEach((s, n) => {
        points[n].htx = s;
      });
    });
    fresh = true;
    written = [...cd];
  }

  function stale() {
    fresh = false;
    const open = plot._hoverdata && plot._hoverdata.length && plot.querySelector(".hoverlayer .hovertext");
    if (!open) return;
    fill();
    Plotly.Fx.hover(plot, plot._hoverdata.map((p) => ({ curveNumber: p.curveNumber, pointNumber: p.pointNumber })));
  }

  return { fill, stale };
}
