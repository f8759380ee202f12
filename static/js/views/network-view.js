// The network figure: puts the geometry (models/layout.js), the colours, the Plotly traces, the SVG overlays and the
// legend together in one container and reports clicks; it never fetches and never decides what step comes next.

import { buildGeometry, figureSizes, highlightsAt, waveFlows } from "../models/layout.js";
import { edgeKey, eventEdge, eventNode, nodeKey } from "../models/trace-model.js";
import { edgeColors, nodeColors } from "./network-colors.js";
import { drawLegend, legendTraces } from "./network-legend.js";
import { createPulses, drawHighlights, svg } from "./network-overlays.js";
import { createLazyHover, createPainter } from "./network-paint.js";
import { buildTraces, hoverTexts } from "./network-traces.js";
import { createEdgeLayer } from "./network-edges.js";
import { createChoiceLayer } from "./network-choice.js";

const config = { displaylogo: false, displayModeBar: false, responsive: false, scrollZoom: false };

/**
 * Layers, back to front, sharing one box and one pair of axis ranges: an SVG "under" layer (rings, the edges of the
 * current step), the SVG edge layer (network-edges.js), a Plotly plot of the nodes, labels and hover handles, and
 * an SVG "over" layer for the pulses. Plotly redraws the node plot only for a new shape, size, handles or value
 * labels; a step's colours are set in place (network-paint.js).
 *
 * Creates the view in a container element. handlers: onEdgeClick({l, j, i, clientX, clientY}), onNodeClick({l, j})
 * (l is "loss" for the loss square), onBiasClick({l, j, clientX, clientY});
 * scaleOf(quantity): "diverging" | "sequential", the quantity's colour scale from GET /api/meta.
 */
export function createNetworkView(container, { onEdgeClick, onNodeClick, onBiasClick, scaleOf = () => "diverging" } = {}) {
  const stack = document.createElement("div");
  stack.className = "network-stack";
  const under = svg("svg", { class: "network-under", "aria-hidden": "true" });
  // The edge layer takes no pointer events at all: hover and clicks belong to the node plot's handles.
  const edgeLayer = svg("svg", { class: "network-edges", id: `${container.id}-edges`, "aria-hidden": "true" });
  const plot = document.createElement("div");
  plot.className = "network-plot";
  plot.id = `${container.id}-plot`;
  const over = svg("svg", { class: "network-over", "aria-hidden": "true" });
  stack.append(under, edgeLayer, plot, over);
  const legend = document.createElement("div");
  legend.className = "network-legend";
  container.append(stack, legend);
  const pulses = createPulses(over);
  const edges = createEdgeLayer(edgeLayer);
  const choice = createChoiceLayer(container, stack);

  let geometry = null;
  let cache = {};
  let lastModel = null; // the model on screen, redrawn on resize
  let lastFigure = null; // its figure: the node traces with this step's colours, for the PNG
  let drawn = null; // {projector, shape, edgeKey, nodeKey, notes, data, labelled, titleCount, keys} of the plots on screen
  let renderQueue = Promise.resolve();
  const painter = createPainter(plot);
  // The stack's size as of its last layout, kept by a ResizeObserver: a step reads no layout (which would force
  // the browser to lay the page out again in the middle of the step's script). Redrawing at a new size is the
  // page's call (resize(), debounced), as before.
  let box = null;
  const readBox = () => ({ width: stack.clientWidth, height: stack.clientHeight });
  new ResizeObserver(() => {
    box = readBox(); // the observer runs after layout: this read costs nothing
  }).observe(stack);
  const hover = createLazyHover(plot, () => hoverTexts(geometry, lastModel));

  /** Everything one drawing needs, computed from the model; reads the box's size only when it is not known. */
  function figureFor(model) {
    const st = model.state;
    box ||= readBox();
    const sizes = figureSizes(geometry, box.width, box.height, !!model.projector, model.minFont);
    const nodes = nodeColors(geometry, st, model.trace, scaleOf);
    const edges = edgeColors(geometry, st, model.network, model.trace, scaleOf);
    const traces = buildTraces(geometry, model, sizes, nodes, edges, cache);
    return { ...traces, sizes, keys: [nodes.key, edges.key], highlights: highlightsAt(geometry, st) };
  }

  function exposeForTests(st, figure) {
    const d = container.dataset;
    d.nodeCount = String(geometry.nodes.length);
    d.edgeCount = String(geometry.edges.length);
    d.position = String(st.p);
    d.phase = st.phase || "";
    const cn = st.current ? eventNode(st.current) : null;
    const ce = st.current ? eventEdge(st.current) : null;
    d.currentEvent = st.current ? String(st.current.id) : "";
    d.highlightNode = cn ? nodeKey(cn.l, cn.j) : "";
    d.highlightEdge = ce ? edgeKey(ce.l, ce.j, ce.i) : "";
    d.flowEdges = String(figure.highlights.flows.length);
  }

  function clicked(edge, ev) {
    const mouse = ev.event || {};
    if (edge && edge.bias) {
      if (onBiasClick) onBiasClick({ l: edge.l, j: edge.j, clientX: mouse.clientX, clientY: mouse.clientY });
      return;
    }
    if (!edge || !onEdgeClick) return;
    onEdgeClick({ l: edge.l, j: edge.j, i: edge.i, clientX: mouse.clientX, clientY: mouse.clientY });
  }

  function bindEvents() {
    // newPlot may or may not keep listeners, so start clean to never handle a click twice.
    if (plot.removeAllListeners) {
      plot.removeAllListeners("plotly_click");
      plot.removeAllListeners("plotly_clickannotation");
      plot.removeAllListeners("plotly_beforehover");
    }
    plot.on("plotly_beforehover", () => {
      hover.fill();
    });
    plot.on("plotly_click", (ev) => {
      const pt = ev.points && ev.points[0];
      if (!pt) return;
      // A node (or the loss square) asks for its next computation; an edge handle for the weight popup.
      if (pt.curveNumber === drawn.handlesIndex + 1 && onNodeClick) {
        const nd = geometry.nodes[pt.pointIndex];
        if (nd) onNodeClick({ l: nd.l, j: nd.j });
        return;
      }
      if (pt.curveNumber === drawn.handlesIndex + 2 && onNodeClick) {
        onNodeClick({ l: "loss", j: null });
        return;
      }
      if (pt.curveNumber !== drawn.handlesIndex) return;
      const [l, j, i] = pt.customdata;
      clicked({ l, j, i }, ev);
    });
    plot.on("plotly_clickannotation", (ev) => clicked(drawn.labelled[ev.index - drawn.titleCount], ev));
  }

  /**
   * Brings the edge layer and the node plot up to the figure; returns what was redrawn, for the step's performance
   * measure: {plotly: "new" | "nodes" | "annotations" | "none", edges: whether the edge layer changed}.
   */
  async function plotFigure(figure, fresh, shape, model) {
    const notes = JSON.stringify(figure.layout.annotations);
    const edgesNow = fresh || figure.edgeKeyNow !== drawn.edgeKey;
    if (edgesNow) edges.draw(figure.edgeData, figure.sizes, geometry);
    let redrawn = "none";
    if (fresh) {
      await Plotly.newPlot(plot, figure.data, figure.layout, config);
      redrawn = "new";
    } else if (figure.nodeKeyNow !== drawn.nodeKey) {
      await Plotly.react(plot, figure.data, figure.layout, config);
      redrawn = "nodes";
    } else if (notes !== drawn.notes) {
      // The same traces (the very arrays on screen) with new annotations: Plotly redraws only those.
      await Plotly.react(plot, drawn.data, figure.layout, config);
      redrawn = "annotations";
    }
    const replot = redrawn === "new" || redrawn === "nodes";
    // Any react restyles the markers from the traces' own colours: the painter starts again.
    if (redrawn !== "none") painter.redrawn();
    const { labelled, titleCount, handlesIndex, keys } = figure;
    drawn = {
      projector: !!model.projector, shape, edgeKey: figure.edgeKeyNow, nodeKey: figure.nodeKeyNow, notes,
      data: replot ? figure.data : drawn.data, labelled, titleCount, handlesIndex, keys, legend: drawn && drawn.legend,
    };
    return { plotly: redrawn, edges: edgesNow };
  }

  async function draw(model) {
    const shape = model.network.layers.join("-");
    if (!geometry || geometry.layers.join("-") !== shape) {
      geometry = buildGeometry(model.network.layers);
      cache = {};
    }
    // A new shape or mode redraws from scratch: react across very different layouts left stale pieces behind.
    const fresh = !drawn || drawn.projector !== !!model.projector || drawn.shape !== shape;
    if (fresh) box = null; // a new mode has just changed the page's layout
    const figure = figureFor(model);
    const redrawn = await plotFigure(figure, fresh, shape, model);
    if (fresh) bindEvents();
    lastModel = model;
    lastFigure = figure;
    painter.paint(figure.paint);
    hover.stale();
    drawHighlights(under, geometry, figure.highlights, figure.sizes);
    const legendKey = JSON.stringify(figure.keys);
    if (legendKey !== drawn.legend) {
      drawLegend(legend, figure.keys);
      box = readBox();
    }
    drawn.legend = legendKey;
    // The legend's first drawing takes room from the plots' box: draw once more at the box's new size.
    const { px } = figure.sizes;
    if (!model.refit && (Math.abs(Math.max(200, box.height) - px.height) > 2 || Math.abs(Math.max(320, box.width) - px.width) > 2)) {
      return draw({ ...model, refit: true, animate: 0, wave: null });
    }
    exposeForTests(model.state, figure);
    choice.drawn(geometry, figure.sizes, model.state);
    if (model.wave) pulses(waveFlows(geometry, model.wave, 450), 650, figure.sizes, geometry);
    else pulses(model.animate ? figure.highlights.flows : [], model.animate, figure.sizes, geometry);
    return redrawn;
  }

  /**
   * Draws the model: {network, trace (prepared, or null), state (stateAt), projector, animate: ms of pulses along
   * this step's edges (0: none), wave: "forward" | "backward" | null (a whole phase was just computed)}.
   * Calls are queued, so one Plotly update never starts while another is still running.
   */
  function render(model) {
    const done = renderQueue.then(async () => {
      // The bench attributes script time to steps by these (in the trace's blink.user_timing category).
      performance.mark("deltaflow:step");
      const redrawn = await draw(model);
      performance.measure("deltaflow:step-render", { start: "deltaflow:step", detail: { position: model.state.p, ...redrawn } });
      performance.clearMarks("deltaflow:step");
    });
    renderQueue = done.catch(() => {});
    return done;
  }

  /** Redraws at the new container size (node sizes are in pixels), without pulses. */
  function resize() {
    if (!drawn || !lastModel) return Promise.resolve();
    box = null; // asked from outside (a new mode or window size): measure the box again
    return render({ ...lastModel, animate: 0, wave: null });
  }

  /** A PNG of the figure with its colour bars, twice the screen size, on white. */
  async function downloadPNG() {
    const extra = 90;
    const layout = {
      ...plot.layout,
      height: plot.layout.height + extra,
      margin: { ...plot.layout.margin, b: plot.layout.margin.b + extra },
      paper_bgcolor: "#ffffff",
      plot_bgcolor: "#ffffff",
    };
    const bars = drawn ? legendTraces(drawn.keys, geometry) : [];
    // The node traces with this step's colours: the plot's own data keeps those of its last full redraw.
    const nodes = lastFigure ? lastFigure.data : plot.data;
    const edgeTraces = lastFigure ? lastFigure.edgeData : [];
    const url = await Plotly.toImage({ data: [...edgeTraces, ...nodes, ...bars], layout }, { format: "png", width: layout.width, height: layout.height, scale: 2 });
    const a = document.createElement("a");
    a.href = url;
    a.download = "deltaflow-network.png";
    document.body.append(a);
    a.click();
    a.remove();
  }

  return { render, resize, downloadPNG, choose: choice.choose, clientPoint: choice.clientPoint };
}
