// Batch versus one sample: for the parameter in focus, each sample's own ∂L/∂w = a_i^{l−1} δ_j^l beside their
// sum or mean (the batch gradient), with a sentence on why a batch update and the per-sample steps differ; and the
// button that applies the shown sample's update and goes on with the next sample.

import { fmt } from "../models/format.js";
import { allParams, disagreement, isBias, paramLabel, parseRef, refKey } from "../models/insights.js";

const MAX_ROWS = 12;
const sup = (s) => s.replace(/\^(\d+)/, "⁽$1⁾");

export function batchElements(doc = document) {
  const el = (id) => doc.getElementById(id);
  return { param: el("batch-param"), table: el("batch-table"), why: el("batch-why"), next: el("next-sample"), nextNote: el("next-sample-note") };
}

/** handlers: {onFocus(ref), onNextSample()}. */
export function createBatchView(els, { onFocus, onNextSample }) {
  let shape = "";
  els.param.addEventListener("change", () => onFocus(parseRef(els.param.value)));
  els.next.addEventListener("click", () => onNextSample());

  return {
    setLayers(layers) {
      const key = layers.join("-");
      if (key === shape) return;
      shape = key;
      els.param.textContent = "";
      for (const r of allParams(layers)) els.param.append(new Option(sup(paramLabel(r)), refKey(r)));
    },
    /** b: sampleBreakdown(); inputs: the data set's inputs; current: the sample the walk-through shows. */
    show(ref, b, { reduction, inputs, current, learningRate }) {
      els.param.value = refKey(ref);
      els.table.textContent = "";
      const name = sup(paramLabel(ref));
      const head = els.table.createTHead().insertRow();
      for (const t of ["sample", "x", isBias(ref) ? `δ = ∂ℒ/∂${name}` : `a·δ = ∂ℒ/∂${name}`]) {
        const th = document.createElement("th");
        th.scope = "col";
        th.textContent = t;
        head.append(th);
      }
      const body = els.table.createTBody();
      const n = b.values.length;
      b.values.slice(0, MAX_ROWS).forEach((v, k) => {
        const tr = body.insertRow();
        if (b.samples[k] === current) tr.classList.add("is-current");
        tr.insertCell().textContent = `#${b.samples[k] + 1}`;
        tr.insertCell().textContent = (inputs[b.samples[k]] || []).map((x) => fmt(x, 2)).join(", ");
        const c = tr.insertCell();
        c.className = `num ${v < 0 ? "neg" : v > 0 ? "pos" : ""}`;
        c.textContent = fmt(v, 5);
      });
      if (n > MAX_ROWS) {
        const tr = body.insertRow();
        const c = tr.insertCell();
        c.colSpan = 3;
        c.className = "hint";
        c.textContent = `… and ${n - MAX_ROWS} more samples`;
      }
      const foot = els.table.createTFoot();
      const row = (label, value, cls) => {
        const tr = foot.insertRow();
        tr.className = cls;
        const a = tr.insertCell();
        a.colSpan = 2;
        a.textContent = label;
        const c = tr.insertCell();
        c.className = "num";
        c.textContent = fmt(value, 5);
      };
      row(`sum over ${n}`, b.sum, reduction === "sum" ? "is-batch" : "");
      row(`mean over ${n}`, b.mean, reduction === "mean" ? "is-batch" : "");
      if (b.batch != null) row(`batch gradient (server, ${reduction})`, b.batch, "is-server");
      els.table.dataset.samples = String(n);
      els.table.dataset.reduced = String(b.reduced);
      const d = disagreement(b.values);
      const mine = b.values[b.samples.indexOf(current)];
      const parts = [
        `A batch update moves ${name} once by −η × ${reduction} = ${fmt(-learningRate * b.reduced, 5)}, using every sample's gradient at the same weights.`,
      ];
      if (mine != null) parts.push(`Sample #${current + 1} alone would move it by ${fmt(-learningRate * mine, 5)}.`);
      parts.push("Online training takes one such step per sample, and each later sample's gradient is computed at weights the earlier steps already moved, so the two end in different places.");
      if (d.mixedSigns) parts.push(`Here the samples pull ${name} in opposite directions; sample #${b.samples[d.largest] + 1} pulls hardest.`);
      els.why.textContent = parts.join(" ");
    },
    nextSample({ sample, count, enabled }) {
      els.next.disabled = !enabled;
      const next = count ? ((sample + 1) % count) + 1 : 1;
      els.next.textContent = `Apply sample #${sample + 1}'s update, go on with #${next}`;
    },
    say(text) {
      els.nextNote.textContent = text;
    },
    /** After the update phase the button is the natural next move: it stands out. */
    ready(on) {
      els.next.classList.toggle("primary", on);
    },
  };
}
