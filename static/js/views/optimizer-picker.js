// The training options beside the training controls: the optimizer (names, hyper-parameters and formula from GET
// /api/meta, values from the network's state) and, for mini-batch training, the batch size and shuffle seed.

import { tex } from "./tex.js";

// How the lecture-style page writes each hyper-parameter; a name not listed here is shown as it is.
const SYMBOLS = { momentum: "μ", beta1: "β₁", beta2: "β₂", eps: "ε" };

/** The options' elements by the ids of templates/insights_panel.html. */
export function optionElements(doc = document) {
  const el = (id) => doc.getElementById(id);
  return {
    select: el("opt-select"), params: el("opt-params"), formula: el("opt-formula"), mode: el("train-mode"),
    batchField: el("batch-size-field"), batchSize: el("train-batch-size"), seedField: el("shuffle-seed-field"),
    seed: el("train-shuffle-seed"),
  };
}

/** handlers: onChange(spec) with spec {name, ...hyper-parameters} when the user picks another rule or value. */
export function createOptimizerPicker(els, { onChange }) {
  let optimizers = [];
  let shown = null; // the optimizer object of the network on screen

  function showMode() {
    const mini = els.mode.value === "minibatch";
    els.batchField.hidden = !mini;
    els.seedField.hidden = !mini;
  }

  function inputs() {
    return [...els.params.querySelectorAll("input[data-hp]")];
  }

  function renderParams(opt) {
    const rule = optimizers.find((o) => o.name === opt.name);
    els.params.textContent = "";
    const names = rule ? rule.hyperparameters.filter((h) => h !== "learning_rate") : [];
    for (const name of names) {
      const wrap = document.createElement("div");
      wrap.className = "opt-field";
      const label = document.createElement("label");
      label.htmlFor = `opt-${name}`;
      label.textContent = SYMBOLS[name] || name;
      label.title = name;
      const input = document.createElement("input");
      input.id = `opt-${name}`;
      input.type = "text";
      input.inputMode = "decimal";
      input.autocomplete = "off";
      input.dataset.hp = name;
      input.value = opt[name] != null ? String(opt[name]) : "";
      input.setAttribute("aria-label", `${name} of ${opt.name}`);
      input.addEventListener("change", () => onChange(spec()));
      wrap.append(label, input);
      els.params.append(wrap);
    }
    els.formula.textContent = "";
    if (rule && rule.latex) {
      const math = document.createElement("span");
      tex(math, rule.latex);
      const note = document.createElement("span");
      note.className = "hint-inline";
      note.textContent = " η in the editor";
      els.formula.append(math, note);
    }
  }

  /** What the form asks for now: {name, hyper-parameter: number, ...}; blank fields are left to the server. */
  function spec() {
    const out = { name: els.select.value };
    for (const input of inputs()) {
      const raw = input.value.trim();
      if (raw === "") continue;
      const v = Number(raw);
      out[input.dataset.hp] = Number.isFinite(v) ? v : raw; // the server names what is wrong with a non-number
    }
    return out;
  }

  els.select.addEventListener("change", () => onChange({ name: els.select.value }));
  els.mode.addEventListener("change", showMode);
  showMode();

  return {
    /** The rules from GET /api/meta's optimizers. */
    setOptimizers(list) {
      optimizers = list || [];
      const value = els.select.value;
      els.select.textContent = "";
      for (const o of optimizers) els.select.append(new Option(o.name === "sgd" ? "SGD (plain gradient descent)" : o.name, o.name));
      if (value) els.select.value = value;
    },
    /** Shows the network's optimizer ({name, hyper-parameters}). */
    show(optimizer) {
      shown = optimizer || { name: "sgd" };
      els.select.value = shown.name;
      renderParams(shown);
    },
    get current() {
      return shown;
    },
    showMode,
    /** A mini-batch holds at most the whole data set. */
    setSamples(n) {
      if (n > 0) {
        els.batchSize.max = String(n);
        if (Number(els.batchSize.value) > n) els.batchSize.value = String(n);
      }
    },
    /** The mini-batch fields for a /train request, or {} for batch and online. */
    trainExtras(mode) {
      if (mode !== "minibatch") return {};
      const size = Math.max(1, Number.parseInt(els.batchSize.value, 10) || 1);
      const seed = Math.max(0, Number.parseInt(els.seed.value, 10) || 0);
      return { batch_size: size, seed };
    },
    /** Marks the field the server's 422 names. */
    showError(message) {
      els.formula.textContent = message;
      els.formula.classList.add("is-error");
    },
    clearError() {
      els.formula.classList.remove("is-error");
    },
  };
}
