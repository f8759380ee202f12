// The gradient check: every parameter's backprop ∂L/∂w beside the central difference with its relative error, a
// small map of the network with each edge coloured by that error, and the difference quotient with its numbers
// for the parameter in focus. Clicking an edge or a row focuses it.

import { fmt, texNum } from "../models/format.js";
import { buildGeometry, toPixel } from "../models/layout.js";
import { checkOf, errorLevel, isBias, paramLabel, paramTex } from "../models/insights.js";
import { nodeKey } from "../models/trace-model.js";
import { svg } from "./network-overlays.js";
import { tex } from "./tex.js";

const LEVEL_COLOR = { good: "#1a9850", fair: "#e08214", bad: "#d73027" };
const LEVEL_WORDS = { good: "agrees (≤ 10⁻⁷)", fair: "close (≤ 10⁻⁴)", bad: "differs" };
// each level in a word beside its colour, so the check reads without telling green from red
const STATUS = { good: "pass", fair: "warn", bad: "fail" };
const LEGEND = [["good", "pass: ≤ 10⁻⁷"], ["fair", "warn: ≤ 10⁻⁴"], ["bad", "fail: more"]];
const MAX_ROWS = 400;

export function gradcheckElements(doc = document) {
  const el = (id) => doc.getElementById(id);
  return { run: el("gradcheck-run"), map: el("gradcheck-map"), formula: el("gradcheck-formula"), table: el("gradcheck-table"), note: el("gradcheck-note") };
}

/** handlers: {onRun(), onFocus(ref)}. */
export function createGradcheckView(els, { onRun, onFocus }) {
  let result = null;
  let layers = null;
  let focus = null;
  // what drawMap and drawTable made, so a new focus restyles two edges and two rows instead of drawing them again
  const edgeEls = new Map();
  const rowEls = new Map();
  let thin = 3.5;
  const refKey = (r) => `${r.l}-${r.j}-${r.i ?? "b"}`;

  els.run.addEventListener("click", () => onRun());
  // The map is drawn in pixels: draw it again when its box changes width (a hidden panel shown, a rotation).
  let mapWidth = 0;
  new ResizeObserver(() => {
    const w = els.map.clientWidth;
    if (w > 0 && Math.abs(w - mapWidth) > 2) {
      mapWidth = w;
      drawMap();
    }
  }).observe(els.map);

  function drawMap() {
    els.map.textContent = "";
    edgeEls.clear();
    if (!layers) return;
    const g = buildGeometry(layers);
    const width = Math.max(200, els.map.clientWidth || 300);
    const height = Math.min(220, Math.max(120, 34 * g.M));
    const px = {
      margin: { l: 16, r: 16, t: 12, b: 12 }, width, height,
      pxPerX: (width - 32) / Math.max(1, g.L - 1), pxPerY: (height - 24) / Math.max(1, g.M - 1),
    };
    const geo = { ...g, xRange: [0, g.L - 1], yRange: [-(g.M - 1) / 2, (g.M - 1) / 2] };
    const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "edges coloured by relative error" }, els.map);
    const key = document.createElement("p");
    key.className = "gc-legend";
    for (const [level, words] of LEGEND) {
      const item = document.createElement("span");
      item.className = "gc-key";
      const swatch = document.createElement("span");
      swatch.className = "gc-swatch";
      swatch.style.background = LEVEL_COLOR[level];
      item.append(swatch, words);
      key.append(item);
    }
    els.map.append(key);
    const many = g.edges.length > 120;
    thin = many ? 1.5 : 3.5;
    for (const e of g.edges) {
      const ref = { l: e.l, j: e.j, i: e.i };
      const row = result ? checkOf(result, ref) : null;
      const level = row ? errorLevel(row.rel_error).cls : null;
      const [x1, y1] = toPixel(geo, e.a, px);
      const [x2, y2] = toPixel(geo, e.b, px);
      const on = focus && !isBias(focus) && focus.l === e.l && focus.j === e.j && focus.i === e.i;
      const line = svg("line", {
        x1, y1, x2, y2, class: `gc-edge${on ? " is-focus" : ""}`, "data-edge": `${e.l}-${e.j}-${e.i}`,
        "data-level": level || "", stroke: level ? LEVEL_COLOR[level] : "#c8c8c8", "stroke-width": on ? 6 : thin,
      }, root);
      edgeEls.set(refKey(ref), line);
      const title = svg("title", {}, line);
      title.textContent = row ? `${paramLabel(ref)}: relative error ${fmt(row.rel_error, 2)}` : paramLabel(ref);
      line.addEventListener("click", () => onFocus(ref));
    }
    for (let l = 1; l <= g.L; l += 1) {
      for (let j = 1; j <= layers[l - 1]; j += 1) {
        const [cx, cy] = toPixel(geo, g.pos.get(nodeKey(l, j)), px);
        svg("circle", { cx, cy, r: many ? 4 : 7, class: "gc-node" }, root);
      }
    }
  }

  function drawTable() {
    els.table.textContent = "";
    rowEls.clear();
    if (!result) return;
    const head = els.table.createTHead().insertRow();
    for (const t of ["", "backprop", "(ℒ₊ − ℒ₋)/2h", "rel. error", "status"]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = t;
      head.append(th);
    }
    const body = els.table.createTBody();
    for (const p of result.parameters.slice(0, MAX_ROWS)) {
      const tr = body.insertRow();
      const ref = { l: p.l, j: p.j, i: p.i };
      const level = errorLevel(p.rel_error).cls;
      tr.dataset.level = level;
      rowEls.set(refKey(ref), tr);
      tr.tabIndex = 0;
      if (focus && focus.l === p.l && focus.j === p.j && (focus.i ?? null) === (p.i ?? null)) tr.classList.add("is-focus");
      const name = tr.insertCell();
      name.className = "param";
      name.textContent = paramLabel(ref).replace(/\^(\d+)/, "⁽$1⁾");
      tr.insertCell().textContent = fmt(p.backprop, 6);
      tr.insertCell().textContent = fmt(p.numeric, 6);
      const rel = tr.insertCell();
      rel.className = `rel ${level}`;
      rel.textContent = fmt(p.rel_error, 2);
      rel.title = LEVEL_WORDS[level];
      const word = tr.insertCell();
      word.className = `status ${level}`;
      word.textContent = STATUS[level];
      tr.addEventListener("click", () => onFocus(ref));
      tr.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter" || ev.key === " ") {
          ev.preventDefault();
          onFocus(ref);
        }
      });
    }
  }

  function drawFormula() {
    els.formula.textContent = "";
    if (!result || !focus) return;
    const p = checkOf(result, focus);
    if (!p) return;
    const name = paramTex(focus);
    const h = texNum(result.h, 6);
    // One step per line, so the numbers fit a phone's width without scrolling.
    const latex = String.raw`\begin{aligned}\frac{\partial \mathcal{L}}{\partial ${name}} &\approx \frac{\mathcal{L}(${name}+h)-\mathcal{L}(${name}-h)}{2h} \\ &= \frac{${texNum(p.loss_plus, 10)} - ${texNum(p.loss_minus, 10)}}{2 \cdot ${h}} \\ &= ${texNum(p.numeric, 8)} = n\end{aligned}`;
    const back = String.raw`\begin{aligned}\text{backprop } a &= ${texNum(p.backprop, 8)} \\ \tfrac{|a-n|}{|a|+|n|} &= ${texNum(p.rel_error, 3)}\end{aligned}`;
    const a = document.createElement("div");
    const b = document.createElement("div");
    tex(a, latex, true);
    tex(b, back, true);
    els.formula.append(a, b);
    els.formula.dataset.focus = paramLabel(focus);
  }

  return {
    setLayers(ls) {
      if (layers && ls.join("-") === layers.join("-")) return;
      layers = ls;
      result = null;
      drawMap();
      drawTable();
      drawFormula();
      els.note.textContent = "Backprop's ∂ℒ/∂w beside the slope measured by nudging each parameter up and down.";
      els.table.dataset.rows = "0";
    },
    /** Forgets a result that no longer matches the network's weights. */
    stale() {
      if (!result) return;
      result = null;
      drawMap();
      drawTable();
      drawFormula();
      els.table.dataset.rows = "0";
      els.note.textContent = "The weights changed: check again.";
    },
    show(res) {
      result = res;
      drawMap();
      drawTable();
      drawFormula();
      const counts = { good: 0, fair: 0, bad: 0 };
      for (const p of res.parameters) counts[errorLevel(p.rel_error).cls] += 1;
      els.table.dataset.rows = String(res.parameters.length);
      els.note.textContent = `${res.ok ? "Pass" : counts.bad ? "Fail" : "Warn"}: ${res.parameters.length} parameters, h = ${res.h}: ${counts.good} agree to 10⁻⁷, ${counts.fair} to 10⁻⁴, ${counts.bad} differ more. `
        + `Largest relative error ${fmt(res.max_rel_error, 2)}${res.ok ? " — backprop is right." : "."} `
        + "Edges: green pass (≤ 10⁻⁷), orange warn (≤ 10⁻⁴), red fail. Click an edge or a row for its numbers.";
    },
    focus(ref) {
      // restyle the edge and the row that lose the focus and those that gain it; the formula is drawn again
      const before = focus;
      focus = ref;
      for (const [r, on] of [[before, false], [ref, true]]) {
        if (!r) continue;
        const line = isBias(r) ? null : edgeEls.get(refKey(r));
        if (line) {
          line.classList.toggle("is-focus", on);
          line.setAttribute("stroke-width", on ? 6 : thin);
        }
        const row = rowEls.get(refKey(r));
        if (row) row.classList.toggle("is-focus", on);
      }
      drawFormula();
    },
    resize: drawMap,
    busy(on) {
      els.run.disabled = on;
    },
  };
}
