// The lesson's text panel: the stage's title and words, the computation the step player stands on (the trace's own
// formula), the extra formulas, the multiplication counts, the live table (live-table.js) and the notes; the stage
// dots; and the callouts pinned to nodes and edges over the network figure. It draws only.

import { count } from "../models/format.js";
import { buildGeometry, figureSizes, toPixel } from "../models/layout.js";
import { nodeKey } from "../models/trace-model.js";
import { mixed, tex } from "../views/tex.js";
import { createPager } from "./lesson-pages.js";
import { multiplicationCounts } from "./formulas.js";
import { createLiveTable } from "./live-table.js";
import { NETWORKS } from "./stages.js";

const $ = (id) => document.getElementById(id);

export function lessonElements() {
  return {
    root: $("lesson"),
    panel: document.querySelector(".lesson-panel"),
    kicker: document.querySelector(".lesson-kicker"),
    count: $("lesson-count"),
    part: $("lesson-part"),
    title: $("lesson-title"),
    status: $("lesson-status"),
    text: $("lesson-text"),
    event: $("lesson-event"),
    eventLabel: $("lesson-event-label"),
    eventMath: $("lesson-event-math"),
    eventPos: $("lesson-event-pos"),
    stepPrev: $("lesson-step-prev"),
    stepNext: $("lesson-step-next"),
    formulas: $("lesson-formulas"),
    table: $("lesson-table"),
    notes: $("lesson-notes"),
    dots: $("lesson-dots"),
    prev: $("lesson-prev"),
    next: $("lesson-next"),
    sample: $("lesson-sample"),
    networkName: $("lesson-network-name"),
  };
}

const QUANTITY_WORDS = {
  a: "activation", z: "weighted sum", loss: "loss", grad_a: "∂L/∂a", delta: "δ", grad_w: "weight gradient",
  grad_b: "bias gradient", w: "weight update", b: "bias update",
};

// A sentence naming a key ("Press ↓ …", "↓ walks …") is a key hint: hidden on touch screens by the page's one rule.
const KEY_SENTENCE = /\bPress\b|[↓↑]/;

/** A stage's words (text with $math$), each sentence that names a key marked as a key hint. */
function keyedWords(box, text) {
  box.textContent = "";
  for (const sentence of text.split(/(?<=[.!?])\s+/)) {
    const span = document.createElement("span");
    if (KEY_SENTENCE.test(sentence)) span.className = "key-only";
    mixed(span, sentence);
    box.append(span, " ");
  }
}

const NOTE_HEADS = { slip: "On the slide: ", bridge: "The lecture's names: ", notation: "A change of notation: ", order: "The lesson's order: " };

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

function countsTable(rows) {
  const table = el("table", "lesson-counts");
  const head = el("tr");
  ["network", "weights", "written out", "with reuse"].forEach((h) => head.append(el("th", null, h)));
  table.append(head);
  for (const r of rows) {
    const tr = el("tr");
    tr.dataset.net = r.net;
    [r.net, count(r.weights), count(r.written), count(r.reuse)].forEach((v) => tr.append(el("td", null, v)));
    table.append(tr);
  }
  return table;
}

let tried = null; // the layer sizes last typed into the counter, kept while the stage redraws

/** Fields for layer sizes ("2-3-2") and both multiplication counts for them, worked out as the student types. */
function counter(layers) {
  const form = el("form", "lesson-counter");
  form.addEventListener("submit", (e) => e.preventDefault());
  const input = el("input", "lesson-counter-input");
  input.id = "lesson-counter-layers";
  input.type = "text";
  input.inputMode = "numeric";
  input.autocomplete = "off";
  input.setAttribute("aria-label", "Layer sizes, from the input to the output, e.g. 2-3-2");
  input.value = tried || layers.join("-");
  const out = el("output", "lesson-counter-out");
  out.id = "lesson-counter-out";
  out.setAttribute("aria-live", "polite");
  const update = () => {
    tried = input.value;
    const sizes = input.value.split(/[^0-9]+/).filter(Boolean).map(Number);
    if (sizes.length < 2 || sizes.length > 12 || sizes.some((n) => n < 1 || n > 1000)) {
      out.textContent = "Give 2 to 12 layer sizes of 1 to 1,000 each, e.g. 2-3-2.";
      out.dataset.written = "";
      return;
    }
    const c = multiplicationCounts(sizes);
    out.dataset.written = String(c.written);
    out.dataset.reuse = String(c.reuse);
    out.textContent = `${sizes.join("–")}: ${count(c.weights)} weights · written out ${count(c.written)} · with reuse ${count(c.reuse)} multiplications`;
  };
  input.addEventListener("input", update);
  update();
  form.append(input, out);
  return form;
}

/** els: lessonElements(); onDot(n) when a stage dot is clicked (1-based); onMode, onIndex: the live table's moves. */
export function createLessonView(els, { onDot, onMode, onIndex } = {}) {
  const live = createLiveTable(els.table, { onMode, onIndex });
  let dotsFor = 0;
  // In projector mode a stage longer than the panel is shown in parts, never with a scroll bar inside.
  const pager = createPager(els.panel, els.kicker);
  let laid = { n: 0, projector: false };
  const relay = () => pager.lay(laid.projector, true);
  if (typeof ResizeObserver !== "undefined") new ResizeObserver(relay).observe(els.panel);
  // KaTeX's fonts change the formulas' heights when they arrive
  if (document.fonts) document.fonts.ready.then(relay);

  function dots(total, current) {
    if (dotsFor !== total) {
      els.dots.textContent = "";
      for (let n = 1; n <= total; n += 1) {
        const li = el("li");
        const b = el("button", "lesson-dot", String(n));
        b.type = "button";
        b.setAttribute("aria-label", `Stage ${n}`);
        b.addEventListener("click", () => onDot && onDot(n));
        li.append(b);
        els.dots.append(li);
      }
      dotsFor = total;
    }
    els.dots.querySelectorAll(".lesson-dot").forEach((b, k) => {
      if (k + 1 === current) b.setAttribute("aria-current", "step");
      else b.removeAttribute("aria-current");
    });
  }

  /**
   * Shows stage number n of total: stage (from STAGES), ctx {network, trace, forwardAll, backwardAll, table},
   * span {lo, hi} and the current position p; ev is the trace event at p (or null).
   */
  function render({ stage, n, total, ctx, span, p, ev, following, projector = false }) {
    els.root.dataset.lessonStep = String(n);
    els.root.dataset.lessonTotal = String(total);
    els.root.dataset.stageKey = stage.key;
    els.root.dataset.networkId = ctx.network.id;
    els.root.dataset.lessonNetwork = ctx.network.layers.join("-");
    els.networkName.textContent = NETWORKS[ctx.network.preset] || ctx.network.layers.join("-");
    els.root.dataset.sample = String(ctx.sample);
    els.root.dataset.position = String(p);
    els.count.textContent = `Stage ${n} of ${total}`;
    els.part.textContent = stage.part;
    els.title.textContent = stage.title;
    keyedWords(els.text, stage.text({ ...ctx, following }));
    dots(total, n);

    const stepping = span.hi > span.lo;
    els.root.dataset.stepping = String(stepping); // Predict and Ask the class only where ↓ has a next value
    els.event.hidden = !ev || stage.event === false;
    els.event.dataset.eventId = ev ? String(ev.id) : "";
    if (ev) {
      const optional = ev.optional ? " · optional, not needed for training" : "";
      els.eventLabel.textContent = `Computation ${p} of ${ctx.trace.events.length}: ${QUANTITY_WORDS[ev.quantity] || ev.quantity}${optional}`;
      // Inline with \displaystyle: full-size fractions, and KaTeX may break the line after = on a narrow screen.
      tex(els.eventMath, `\\displaystyle ${ev.latex}`);
    }
    // One short line for screen readers (the panel itself is not live: it would read the whole stage each step).
    const said = `Stage ${n} of ${total}: ${stage.title}.${ev && stage.event !== false ? ` ${els.eventLabel.textContent}.` : ""}`;
    if (els.status.textContent !== said) els.status.textContent = said;
    els.stepPrev.hidden = !stepping;
    els.stepNext.hidden = !stepping;
    els.stepPrev.disabled = following || p <= span.lo;
    els.stepNext.disabled = following || p >= span.hi;

    els.formulas.textContent = "";
    for (const f of stage.formulas ? stage.formulas(ctx) : []) {
      const box = el("figure", "lesson-formula");
      if (f.label) {
        const cap = el("figcaption");
        mixed(cap, f.label);
        box.append(cap);
      }
      if (f.counts) box.append(countsTable(f.counts));
      else if (f.text) {
        const p3 = el("p", "lesson-formula-text");
        mixed(p3, f.text);
        box.append(p3);
      } else if (f.counter) box.append(counter(f.counter));
      else {
        const math = el("div", "lesson-math");
        tex(math, `\\displaystyle ${f.tex}`);
        box.append(math);
      }
      els.formulas.append(box);
    }

    els.table.hidden = !stage.table;
    if (stage.table) live.render(ctx.live, ctx.network.dataset, following);

    els.notes.textContent = "";
    for (const note of stage.notes || []) {
      const p2 = el("p", `lesson-note note-${note.kind}`);
      p2.append(el("strong", null, NOTE_HEADS[note.kind] || ""));
      const span2 = el("span");
      mixed(span2, note.text);
      p2.append(span2);
      els.notes.append(p2);
    }
    const same = laid.n === n;
    laid = { n, projector };
    pager.lay(projector, same);
    setNav(n, total, following);
  }

  // Back and Next also walk a stage's parts: Next stays on at the last stage while a part follows.
  function setNav(n, total, following) {
    els.prev.disabled = following || (n <= 1 && !pager.has(-1));
    els.next.disabled = following || (n >= total && !pager.has(1));
  }

  function turn(by) {
    if (!pager.turn(by)) return false;
    setNav(Number(els.root.dataset.lessonStep), Number(els.root.dataset.lessonTotal), false);
    return true;
  }

  return {
    render,
    turn,
    toEnd() {
      pager.toEnd();
      setNav(Number(els.root.dataset.lessonStep), Number(els.root.dataset.lessonTotal), false);
    },
  };
}

/** The figure's own labels (weights, biases, node values, titles) as boxes in the stack's pixels. */
function figureLabels(stack) {
  const at = stack.getBoundingClientRect();
  return [...stack.querySelectorAll("g.annotation")].map((a) => {
    const b = (a.querySelector(".bg") || a).getBoundingClientRect();
    return { l: b.left - at.left, t: b.top - at.top, r: b.right - at.left, b: b.bottom - at.top };
  }).filter((b) => b.r > b.l && b.b > b.t);
}

/**
 * Where a callout of size w x h, wanted at (left, top) on `side` of its pin, sits inside the stack over none of the
 * `taken` boxes (3 px apart): where it is, else moved on out past what it covers, else slid sideways clear of it,
 * else the free place nearest to where it was wanted that is clear of the node `discs` too (a cramped figure); if
 * there is none, where it was wanted.
 */
function clearOf(taken, discs, { left, top, w, h }, side, stack) {
  const fit = ([x, y]) => [Math.max(2, Math.min(stack.clientWidth - w - 2, x)), Math.max(2, Math.min(stack.clientHeight - h - 2, y))];
  const among = (boxes, [x, y]) => boxes.filter((o) => x < o.r + 3 && o.l - 3 < x + w && y < o.b + 3 && o.t - 3 < y + h);
  const hits = (at) => among(taken, at);
  const first = fit([left, top]);
  let at = first;
  for (let n = 0; n < 6; n += 1) {
    const over = hits(at);
    if (!over.length) return at;
    const o = over[0];
    const out = { above: [at[0], o.t - 3 - h], below: [at[0], o.b + 3], left: [o.l - 3 - w, at[1]], right: [o.r + 3, at[1]] }[side];
    const tries = [out, [o.r + 3, at[1]], [o.l - 3 - w, at[1]]].map(fit);
    at = tries.find((p) => !hits(p).length) || fit(out);
  }
  if (!hits(at).length) return at;
  let best = null;
  const step = 4;
  for (let y = 2; y <= stack.clientHeight - h - 2; y += step) {
    for (let x = 2; x <= stack.clientWidth - w - 2; x += step) {
      const d = (x - first[0]) ** 2 + (y - first[1]) ** 2;
      if ((!best || d < best.d) && !hits([x, y]).length && !among(discs, [x, y]).length) best = { d, at: [x, y] };
    }
  }
  return best ? best.at : first;
}

/** The point of edge [a, b] nearest to p, outside the discs of radius r at its two ends. */
function nearestOnEdge([a, b], p, r) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const length = Math.hypot(dx, dy) || 1;
  const u = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (length * length);
  const margin = Math.min(0.5, (r + 4) / length);
  const t = Math.max(margin, Math.min(1 - margin, u));
  return [a[0] + t * dx, a[1] + t * dy];
}

const MOVED_FAR = 48; // px a callout may move past a label or two and still read as its pin's

/**
 * A line from the edge of a callout's box to its pin [x, y] (stopping `rim` px short, at a node's edge), or null when
 * the box sits by its pin anyway.
 */
function leaderOf(box, [x, y], rim) {
  const sx = Math.max(box.l, Math.min(box.r, x));
  const sy = Math.max(box.t, Math.min(box.b, y));
  const length = Math.hypot(x - sx, y - sy) - rim;
  if (length < 14) return null;
  const line = el("div", "callout-leader");
  line.style.left = `${sx}px`;
  line.style.top = `${sy - 1}px`;
  line.style.width = `${length}px`;
  line.style.transform = `rotate(${Math.atan2(y - sy, x - sx)}rad)`;
  return line;
}

/**
 * Callouts over the network figure: labels pinned to nodes ({node: [l, j]}) and edges ({edge: [l, j, i]}), with
 * kind "reused" drawing a ring around the node. Uses the figure's own geometry and sizes (models/layout.js), so
 * the pins land where network-view.js drew the nodes.
 */
export function createCallouts(container) {
  const layer = el("div", "lesson-callouts");
  layer.setAttribute("aria-hidden", "true");
  let last = null;

  function draw(network, callouts, projector) {
    last = { network, callouts, projector };
    const stack = container.querySelector(".network-stack");
    if (!stack) return;
    if (layer.parentElement !== stack) stack.append(layer);
    layer.textContent = "";
    if (!network || !callouts || !callouts.length) return;
    const g = buildGeometry(network.layers);
    const sizes = figureSizes(g, stack.clientWidth, stack.clientHeight, !!projector);
    const r = sizes.nodeSize / 2;
    const taken = figureLabels(stack);
    // the node discs, kept clear by a callout that must look further afield (its own node included)
    const discs = [...g.pos.values(), ...(g.lossPos ? [g.lossPos] : [])].map((at) => {
      const [nx, ny] = toPixel(g, at, sizes.px);
      return { l: nx - r, t: ny - r, r: nx + r, b: ny + r };
    });
    for (const c of callouts) {
      let x;
      let y;
      let span = null; // an edge's ends, between the node discs
      if (c.node) {
        [x, y] = toPixel(g, g.pos.get(nodeKey(c.node[0], c.node[1])), sizes.px);
      } else {
        const [l, j, i] = c.edge;
        const a = toPixel(g, g.pos.get(nodeKey(l - 1, i)), sizes.px);
        const b = toPixel(g, g.pos.get(nodeKey(l, j)), sizes.px);
        [x, y] = [a[0] + 0.58 * (b[0] - a[0]), a[1] + 0.58 * (b[1] - a[1])];
        span = [a, b];
      }
      if (c.kind === "reused") {
        const ring = el("div", "callout-ring");
        ring.style.left = `${x - r - 9}px`;
        ring.style.top = `${y - r - 9}px`;
        ring.style.width = `${2 * r + 18}px`;
        ring.style.height = `${2 * r + 18}px`;
        layer.append(ring);
      }
      const tag = el("div", `callout callout-${c.side || "above"}${c.kind ? ` callout-${c.kind}` : ""}`);
      tex(tag, c.tex);
      layer.append(tag);
      // Measured, then placed beside its pin and kept inside the figure, so no label hangs off the edge.
      const w = tag.offsetWidth;
      const h = tag.offsetHeight;
      // below a node sits its value label, above a ringed δ its bias gradient's: a callout there clears them
      const side = c.side || "above";
      const clear = side === "below" ? 30 : side === "above" && c.kind === "reused" ? 22 : 8;
      const gap = c.node ? r + clear : 8;
      let left = side === "left" ? x - gap - w : side === "right" ? x + gap : x - w / 2;
      let top = side === "above" ? y - gap - h : side === "below" ? y + gap : y - h / 2;
      const wanted = [left, top];
      [left, top] = clearOf(taken, discs, { left, top, w, h }, side, stack);
      taken.push({ l: left, t: top, r: left + w, b: top + h });
      tag.style.left = `${left}px`;
      tag.style.top = `${top}px`;
      // a callout that had to move well away from its place (a cramped figure) is tied to its pin by a line
      if (Math.hypot(left - wanted[0], top - wanted[1]) > MOVED_FAR) {
        const box = { l: left, t: top, r: left + w, b: top + h };
        // an edge's line is met where it comes nearest the callout, not across a node on the way
        const pin = span ? nearestOnEdge(span, [(box.l + box.r) / 2, (box.t + box.b) / 2], r) : [x, y];
        const leader = leaderOf(box, pin, c.node ? r : 0);
        if (leader) layer.prepend(leader);
      }
    }
  }

  return { draw, redraw: () => last && draw(last.network, last.callouts, last.projector) };
}
