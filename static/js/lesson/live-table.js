// The live table stage's view: a batch/online switch, a slider over the recorded iterations, the XOR truth table
// with the outputs at the slider's iteration, the loss curves of both modes with a marker, and the lecture's table
// beside the batch run's. Built once per box and then updated in place, so a slider being dragged keeps its grip.
// It draws only: moves go to the handlers.

import { count, fmt, two } from "../models/format.js";

const SVG = "http://www.w3.org/2000/svg";
const W = 320;
const H = 150;
const PAD = { l: 56, r: 10, t: 12, b: 28 };

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** The polyline points of a loss curve [[iteration, loss], ...] in a box of iterations 0..xMax and losses 0..yMax. */
export function curvePoints(history, xMax, yMax) {
  const x = (it) => PAD.l + (it / xMax) * (W - PAD.l - PAD.r);
  const y = (v) => H - PAD.b - (Math.min(v, yMax) / yMax) * (H - PAD.t - PAD.b);
  return history.map(([it, v]) => `${x(it).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
}

/** handlers: {onMode(mode), onIndex(k)} — k indexes the shown run's snapshots. */
export function createLiveTable(box, { onMode, onIndex } = {}) {
  let built = null;

  function build() {
    box.textContent = "";
    const controls = el("div", "live-controls");
    const modes = el("div", "live-modes");
    modes.setAttribute("role", "group");
    modes.setAttribute("aria-label", "Training mode");
    const buttons = {};
    for (const [mode, label] of [["batch", "Batch"], ["online", "Online"]]) {
      const b = el("button", "btn small live-mode", label);
      b.type = "button";
      b.dataset.mode = mode;
      b.addEventListener("click", () => onMode && onMode(mode));
      buttons[mode] = b;
      modes.append(b);
    }
    const label = el("label", "live-slider-label");
    const readout = el("span", "live-iteration");
    readout.id = "lesson-live-iteration";
    const slider = el("input", "live-slider");
    slider.type = "range";
    slider.id = "lesson-live-slider";
    slider.min = "0";
    slider.step = "1";
    slider.setAttribute("aria-label", "Iteration");
    slider.addEventListener("input", () => onIndex && onIndex(Number(slider.value)));
    label.append(readout, slider);
    controls.append(modes, label);

    const row = el("div", "live-row");
    const truth = el("table", "lesson-live-truth");
    truth.id = "lesson-live-truth";
    const curve = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "live-curve", role: "img", "aria-label": "Loss against iteration" });
    curve.id = "lesson-live-curve";
    row.append(truth, curve);
    // the slider and the table it moves stay in one block: a projector's parts never split them
    const main = el("div", "live-main");
    main.append(controls, row);
    const note = el("p", "live-note");
    const lecture = el("div", "live-lecture");
    // its own block, so a projector's part holds the table and the next one this line
    const worst = el("p", "lesson-worst");
    worst.id = "lesson-worst";
    worst.hidden = true;
    box.append(main, note, lecture, worst);
    built = { buttons, slider, readout, truth, curve, note, lecture, worst };
  }

  function drawTruth(inputs, targets, outputs, lectureRow) {
    const t = built.truth;
    t.textContent = "";
    const head = el("tr");
    ["x₁", "x₂", "t", "o", "lecture"].forEach((h) => head.append(el("th", null, h)));
    t.append(head);
    inputs.forEach((x, n) => {
      const tr = el("tr");
      tr.dataset.sample = String(n);
      [x[0], x[1], targets[n][0]].forEach((v) => tr.append(el("td", null, String(v))));
      const o = el("td", "live-o", outputs ? two(outputs[n][0]) : "…");
      o.dataset.value = outputs ? String(outputs[n][0]) : "";
      tr.append(o, el("td", "live-ref", lectureRow ? two(lectureRow[n][0]) : "—"));
      t.append(tr);
    });
  }

  function drawCurve(runs, mode, iteration) {
    const c = built.curve;
    c.textContent = "";
    const shown = Object.values(runs).filter(Boolean);
    const xMax = Math.max(...shown.map((r) => r.iteration), 1);
    const yMax = Math.max(...shown.flatMap((r) => r.loss_history.map(([, v]) => v)), 1e-9);
    c.append(svg("line", { x1: PAD.l, y1: H - PAD.b, x2: W - PAD.r, y2: H - PAD.b, class: "live-axis" }));
    c.append(svg("line", { x1: PAD.l, y1: PAD.t, x2: PAD.l, y2: H - PAD.b, class: "live-axis" }));
    const tick = (x, y, text, anchor) => {
      const e = svg("text", { x, y, "text-anchor": anchor, class: "live-tick" });
      e.textContent = text;
      c.append(e);
    };
    tick(PAD.l - 4, PAD.t + 10, fmt(yMax, 2), "end");
    tick(PAD.l - 4, H - PAD.b, "0", "end");
    tick(PAD.l, H - 6, "0", "start");
    tick(W - PAD.r, H - 6, count(xMax), "end");
    for (const [name, run] of Object.entries(runs)) {
      if (!run) continue;
      c.append(svg("polyline", { points: curvePoints(run.loss_history, xMax, yMax), class: `live-line live-${name}${name === mode ? " live-current" : ""}` }));
    }
    const x = PAD.l + (iteration / xMax) * (W - PAD.l - PAD.r);
    c.append(svg("line", { x1: x, y1: PAD.t, x2: x, y2: H - PAD.b, class: "live-marker" }));
  }

  function drawLecture(compared, inputs) {
    const box2 = built.lecture;
    box2.textContent = "";
    if (!compared) return;
    const t = el("table", "lesson-xor");
    const head = el("tr");
    head.append(el("th", null, "iteration"));
    inputs.forEach((x) => head.append(el("th", null, `x = (${x.join(", ")})`)));
    t.append(head);
    for (const row of compared.rows) {
      const tr = el("tr");
      tr.dataset.iteration = String(row.iteration);
      tr.append(el("th", null, count(row.iteration)));
      for (const c of row.cells) {
        const td = el("td");
        td.append(el("span", "xor-ours", two(c.ours)));
        const ref = el("span", "xor-ref");
        ref.append(el("span", "xor-word", "lecture "), two(c.lecture));
        td.append(ref, el("span", "xor-diff", `${c.diff >= 0 ? "+" : "−"}${Math.abs(c.diff).toFixed(2)}`));
        tr.append(td);
      }
      t.append(tr);
    }
    built.worst.textContent = `Largest difference from the lecture's table (batch): ${fmt(compared.worst, 3)} over all ${compared.rows.length * inputs.length} entries.`;
    built.worst.hidden = false;
    box2.append(t);
  }

  /**
   * live: {mode, index, runs: {batch, online} (POST /train answers with record_weights, null while loading),
   * compared (compareTable of the batch run), lecture (the reference's outputs by iteration)}; dataset: the network's;
   * following: a follower's page, whose switch and slider show the presenter's place and take no moves.
   */
  function render(live, dataset, following = false) {
    if (!built || !box.contains(built.slider)) build();
    const run = live.runs[live.mode];
    for (const [mode, b] of Object.entries(built.buttons)) {
      b.setAttribute("aria-pressed", String(mode === live.mode));
      b.disabled = following;
    }
    const snaps = run ? run.snapshots : [];
    const index = Math.max(0, Math.min(snaps.length - 1, live.index));
    const snap = snaps[index] || null;
    built.slider.max = String(Math.max(snaps.length - 1, 0));
    built.slider.disabled = !run || following;
    if (Number(built.slider.value) !== index) built.slider.value = String(index);
    const iteration = snap ? snap.iteration : 0;
    built.readout.textContent = run ? `iteration ${count(iteration)} of ${count(run.iteration)} (${live.mode})` : `training ${live.mode}…`;
    box.dataset.iteration = String(iteration);
    box.dataset.mode = live.mode;
    drawTruth(dataset.inputs, dataset.targets, snap ? snap.outputs : null, live.mode === "batch" ? live.lecture.get(iteration) : null);
    if (run) drawCurve(live.runs, live.mode, iteration);
    built.note.textContent = live.mode === "batch"
      ? "Batch: one update per iteration on the sum over the four samples, as the lecture trained (the solid curve). The starting weights were chosen to reproduce the lecture's table: the lecture does not give its own, so the seed was searched for the closest match."
      : "Online, from the same starting weights: one update after each sample, four per iteration (the dashed curve). It takes another path and can settle elsewhere: compare its curve and outputs with batch's.";
    drawLecture(live.compared, dataset.inputs);
  }

  return { render };
}
