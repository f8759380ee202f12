// The network editor: preset picker, layer list, hyper-parameters and a CSV data set (pasted, picked or dropped). It
// offers what the server's rules allow (GET /api/meta: activations, losses, ranges, limits), reads and shows the form
// (the server's 422 messages and warnings next to the right control); creating or patching is the walk-through's job.

import { fileSizeError, parseCsv, toCsv } from "../models/csv.js";
import { ruleLabel } from "../models/format.js";

/** Replaces a select's options by names (keeping the chosen value when it is still offered). */
function fillSelect(select, names, label = ruleLabel) {
  if (!names.length) return;
  const value = select.value;
  select.textContent = "";
  for (const n of names) select.append(new Option(label(n), n));
  if (names.includes(value)) select.value = value;
}

/** Makes sure a select offers value (a network may use a rule this page was not told about) and picks it. */
function choose(select, value, label) {
  if (value == null) return;
  if (![...select.options].some((o) => o.value === value)) select.append(new Option(label(value), value));
  select.value = value;
}

/** The editor's elements by the ids of templates/index.html. */
export function editorElements(doc = document) {
  const el = (id) => doc.getElementById(id);
  return {
    root: el("editor"), form: el("editor-form"), presetSelect: el("preset-select"), presetDesc: el("preset-desc"),
    presetLoad: el("preset-load"), layers: el("layer-list"), addLayer: el("add-layer"), loss: el("loss-select"),
    reduction: el("reduction-select"), lr: el("lr-input"), initScheme: el("init-select"), initScale: el("init-scale"),
    initScaleRow: el("init-scale-row"), seed: el("seed-input"), dataset: el("dataset-input"), csvHint: el("csv-hint"),
    drop: el("dataset-drop"), file: el("dataset-file"), warnings: el("dataset-warnings"),
  };
}

export function createEditor(els, handlers) {
  let meta = null; // models/meta.js, once GET /api/meta answered
  let layers = [];
  let presets = [];
  let original = null;

  function errorSlot(field) {
    return els.root.querySelector(`[data-error-for="${field}"]`);
  }

  // each error is announced when it appears and read again with the control it belongs to
  els.root.querySelectorAll("[data-error-for]").forEach((slot) => {
    slot.id ||= `${slot.dataset.errorFor}-error`;
    slot.setAttribute("role", "alert");
    const control = els.root.querySelector(`[data-field="${slot.dataset.errorFor}"]`);
    if (!control) return;
    const ids = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    control.setAttribute("aria-describedby", [...ids, slot.id].join(" "));
  });

  function clearErrors() {
    els.root.querySelectorAll("[data-error-for]").forEach((el) => {
      el.textContent = "";
      el.hidden = true;
    });
    els.root.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  }

  function showError(field, message) {
    const slot = errorSlot(field) || errorSlot("general");
    slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
    slot.hidden = false;
    const control = els.root.querySelector(`[data-field="${field}"]`);
    if (control) control.setAttribute("aria-invalid", "true");
  }

  const FIELD_OF = {
    layers: "layers", activations: "layers", loss: "loss", reduction: "loss", learning_rate: "learning_rate",
    init: "init", dataset: "dataset", preset: "preset",
  };

  /** Shows a server error: a 422 list goes next to the controls it names, anything else under the form. */
  function showServerError(err) {
    clearErrors();
    if (Array.isArray(err.detail)) {
      for (const d of err.detail) {
        const loc = (d.loc || []).filter((p) => p !== "body");
        const field = FIELD_OF[loc[0]] || "general";
        const where = loc.length > 1 ? ` (${loc.join(".")})` : "";
        showError(field, `${d.msg}${where}`);
      }
    } else {
      showError("general", err.message);
    }
  }

  function renderLayers() {
    els.layers.textContent = "";
    const L = layers.length;
    layers.forEach((layer, k) => {
      const l = k + 1;
      const role = l === 1 ? "input" : l === L ? "output" : "hidden";
      const row = document.createElement("div");
      row.className = `layer-row layer-${role}`;
      const name = document.createElement("span");
      name.className = "layer-name";
      const num = document.createElement("b");
      num.textContent = String(l);
      name.append(num, role);
      const minus = button("−", `Remove a node from layer ${l}`, () => setNodes(k, layer.n - 1));
      // Typed up to the server's limit (GET /api/meta max_nodes); − and + for small changes.
      const count = document.createElement("input");
      count.type = "number";
      count.inputMode = "numeric";
      count.className = "node-count";
      count.min = "1";
      if (Number.isFinite(maxNodes())) count.max = String(maxNodes());
      count.step = "1";
      count.value = String(layer.n);
      count.setAttribute("aria-label", `Nodes in layer ${l} (1 to ${maxNodes()})`);
      count.addEventListener("change", () => {
        const n = Number.parseInt(count.value, 10);
        setNodes(k, Number.isFinite(n) ? n : layer.n);
      });
      const plus = button("+", `Add a node to layer ${l}`, () => setNodes(k, layer.n + 1));
      minus.disabled = layer.n <= 1;
      plus.disabled = layer.n >= maxNodes();
      row.append(name, minus, count, plus);
      if (l > 1) {
        const sel = document.createElement("select");
        sel.setAttribute("aria-label", `Activation of layer ${l}`);
        const base = meta ? meta.activationNames(true) : [];
        const names = base.includes(layer.activation) ? base : [...base, layer.activation];
        for (const a of names) {
          const opt = new Option(a, a, false, a === layer.activation);
          // Output-only activations (softmax couples the nodes of a layer) stay visible but cannot be picked here.
          if (role === "hidden" && meta && meta.isOutputOnly(a)) {
            opt.disabled = true;
            opt.title = "only on the output layer";
          }
          sel.append(opt);
        }
        sel.addEventListener("change", () => {
          layer.activation = sel.value;
          if (role === "output") updateCsvHint();
        });
        row.append(sel);
      } else {
        const spacer = document.createElement("span");
        spacer.className = "act-spacer";
        spacer.textContent = "x";
        row.append(spacer);
      }
      if (role === "hidden") {
        row.append(button("×", `Remove hidden layer ${l}`, () => removeLayer(k), "icon-btn remove"));
      } else {
        row.append(document.createElement("span"));
      }
      els.layers.append(row);
    });
    els.addLayer.disabled = layers.length >= maxLayers();
    updateCsvHint();
  }

  function button(text, label, onClick, cls = "icon-btn") {
    const b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.title = label;
    b.addEventListener("click", onClick);
    return b;
  }

  const maxNodes = () => (meta ? meta.limit("max_nodes") : Infinity);
  const maxLayers = () => (meta ? meta.limit("max_layers") : Infinity);

  function setNodes(k, n) {
    layers[k].n = Math.max(1, Math.min(maxNodes(), n));
    renderLayers();
  }

  function removeLayer(k) {
    layers.splice(k, 1);
    renderLayers();
  }

  function addLayer() {
    const before = layers.length - 1;
    const template = layers[before - 1] && before - 1 > 0 ? layers[before - 1] : { n: 3, activation: layers[before].activation };
    let activation = template.activation;
    // A new hidden layer copies its neighbour, but never an output-only activation.
    if (meta && meta.isOutputOnly(activation)) activation = meta.activationNames(false)[0] || activation;
    layers.splice(before, 0, { n: Math.min(template.n, maxNodes()), activation });
    renderLayers();
  }

  let classNote = ""; // what the last Apply did with class labels, said once under the data set
  let fileNote = ""; // which file the box was last filled from

  /** The output activation's range in the registry's words, said before Apply (null before /api/meta answered). */
  function reachNote() {
    const out = layers.length > 1 ? layers[layers.length - 1].activation : null;
    const act = meta && out ? meta.activation(out) : null;
    if (!act || !act.reach_text || act.reach_text === "(−∞, ∞)") return "";
    const sum = act.sums_to_one ? " and each row sums to 1" : "";
    return `A ${act.name} output lies in ${act.reach_text}${sum}: a target outside it is kept but cannot be reached.`;
  }

  function updateCsvHint() {
    const nIn = layers.length ? layers[0].n : 0;
    const nOut = layers.length ? layers[layers.length - 1].n : 0;
    const labels = nOut > 1 ? ` Or one class label in the last column (0…${nOut - 1}, 1…${nOut} or names): it becomes a one-hot target.` : "";
    els.csvHint.textContent = `One sample per line: the first ${nIn} column${nIn === 1 ? "" : "s"} are the inputs x, the last ${nOut} column${nOut === 1 ? " is the target" : "s are the targets"} y.${labels} A header line is optional.${[reachNote(), fileNote, classNote].filter(Boolean).map((n) => ` ${n}`).join("")}`;
  }

  /** Fills the box from a picked or dropped file, read here in the browser, and checks it with the paste's parser. */
  async function loadFile(file) {
    clearErrors();
    const tooBig = fileSizeError(file.name, file.size, meta ? meta.limit("max_body_bytes") : Infinity);
    if (tooBig) {
      showError("dataset", tooBig);
      return;
    }
    let text;
    try {
      text = await file.text();
    } catch (err) {
      showError("dataset", `${file.name} could not be read: ${err.message}`);
      return;
    }
    els.dataset.value = text;
    const csv = parseCsv(text, layers[0].n, layers[layers.length - 1].n);
    fileNote = csv.error ? "" : `Read ${file.name}: ${csv.inputs.length} row${csv.inputs.length === 1 ? "" : "s"}; Apply sends them.`;
    if (csv.error) showError("dataset", `${file.name}: ${csv.error}`);
    updateCsvHint();
  }

  /** The server's warnings about the data set just applied (an empty list hides the box). */
  function showWarnings(list) {
    els.warnings.textContent = "";
    els.warnings.hidden = !list.length;
    if (!list.length) return;
    const head = document.createElement("p");
    head.textContent = "Applied, but the output cannot reach these targets:";
    const items = document.createElement("ul");
    for (const w of list) items.append(Object.assign(document.createElement("li"), { textContent: w }));
    els.warnings.append(head, items);
  }

  els.file.addEventListener("change", () => {
    if (els.file.files.length) loadFile(els.file.files[0]);
    els.file.value = ""; // choosing the same file again reads it again
  });
  const dragging = (on) => (e) => {
    e.preventDefault(); // without it the browser opens a dropped file instead of handing it over
    els.drop.classList.toggle("dragging", on);
  };
  els.drop.addEventListener("dragenter", dragging(true));
  els.drop.addEventListener("dragover", dragging(true));
  els.drop.addEventListener("dragleave", dragging(false));
  els.drop.addEventListener("drop", (e) => {
    dragging(false)(e);
    const file = e.dataTransfer && e.dataTransfer.files[0];
    if (file) loadFile(file);
  });

  function onInitChange() {
    els.initScaleRow.hidden = els.initScheme.value !== "uniform";
  }

  els.addLayer.addEventListener("click", addLayer);
  els.initScheme.addEventListener("change", onInitChange);
  els.presetSelect.addEventListener("change", () => {
    const p = presets.find((x) => x.name === els.presetSelect.value);
    els.presetDesc.textContent = p ? p.description || "" : "";
  });
  els.presetLoad.addEventListener("click", () => {
    clearErrors();
    if (els.presetSelect.value) handlers.onPreset(els.presetSelect.value);
    else showError("preset", "Choose a preset first.");
  });
  els.form.addEventListener("submit", (e) => {
    e.preventDefault();
    clearErrors();
    const read = readSpec();
    if (read.error) {
      showError(read.error.field, read.error.message);
      return;
    }
    handlers.onApply(read.spec, read.structural);
  });

  /** The form as a create spec; structural tells whether the network must be rebuilt rather than patched. */
  function readSpec() {
    const nIn = layers[0].n;
    const nOut = layers[layers.length - 1].n;
    const csv = parseCsv(els.dataset.value, nIn, nOut);
    if (csv.error) return { error: { field: "dataset", message: csv.error } };
    classNote = csv.classes
      ? `Read ${csv.inputs.length} rows with class labels: ${csv.classes.map((c, k) => `${c} → output ${k + 1}`).join(", ")}; the box now shows them as one-hot targets.`
      : "";
    const out = layers[layers.length - 1].activation;
    if (meta && !meta.lossAccepts(els.loss.value, out)) {
      const allowed = meta.loss(els.loss.value).outputs.join(" or ");
      return { error: { field: "loss", message: `${ruleLabel(els.loss.value)} needs a ${allowed} output layer, not ${out}.` } };
    }
    const lr = els.lr.value.trim() === "" ? NaN : Number(els.lr.value);
    // a PATCH reads a missing learning rate as "unchanged", so a word typed there would be dropped without a word
    if (!Number.isFinite(lr)) return { error: { field: "learning_rate", message: "The learning rate η must be a number, e.g. 0.5." } };
    const spec = {
      layers: layers.map((x) => x.n),
      activations: layers.slice(1).map((x) => x.activation),
      loss: els.loss.value,
      reduction: els.reduction.value,
      learning_rate: lr,
      init: { scheme: els.initScheme.value, seed: Number.parseInt(els.seed.value, 10) || 0 },
      dataset: { inputs: csv.inputs, targets: csv.targets },
    };
    if (spec.init.scheme === "uniform") spec.init.scale = Number(els.initScale.value);
    const o = original;
    const structural =
      !o ||
      o.layers.join() !== spec.layers.join() ||
      o.activations.join() !== spec.activations.join() ||
      o.loss !== spec.loss ||
      o.reduction !== spec.reduction ||
      o.init.scheme !== spec.init.scheme ||
      Number(o.init.seed) !== spec.init.seed ||
      (spec.init.scheme === "uniform" && Number(o.init.scale) !== spec.init.scale);
    return { spec, structural };
  }

  return {
    /** The server's rules: the activations and losses to offer, and the limits on layers and nodes. */
    setMeta(m) {
      meta = m;
      fillSelect(els.loss, m.lossNames(), ruleLabel);
      fillSelect(els.reduction, m.reductions());
      fillSelect(els.initScheme, m.initSchemes());
      if (layers.length) renderLayers();
    },
    setPresets(list) {
      presets = list;
      els.presetSelect.textContent = "";
      for (const p of list) els.presetSelect.append(new Option(`${p.name}  (${p.layers.join("-")})`, p.name));
      els.presetSelect.dispatchEvent(new Event("change"));
    },
    /** Fills the form from a network state. */
    fill(net) {
      original = net;
      layers = net.layers.map((n, k) => ({ n, activation: k === 0 ? null : net.activations[k - 1] }));
      fileNote = "";
      renderLayers();
      choose(els.loss, net.loss, ruleLabel);
      choose(els.reduction, net.reduction || "sum", (n) => n);
      els.lr.value = String(net.learning_rate);
      choose(els.initScheme, (net.init && net.init.scheme) || "uniform", ruleLabel);
      els.initScale.value = String((net.init && net.init.scale) ?? 1);
      els.seed.value = String((net.init && net.init.seed) ?? 0);
      onInitChange();
      els.dataset.value = toCsv(net.dataset, net.layers[0], net.layers[net.layers.length - 1]);
      // A custom network shows no preset, so the select does not claim one it is not.
      els.presetSelect.querySelectorAll("option[data-custom]").forEach((o) => o.remove());
      if (net.preset && presets.some((p) => p.name === net.preset)) {
        els.presetSelect.value = net.preset;
      } else {
        const custom = new Option("custom network (choose a preset…)", "", true, true);
        custom.dataset.custom = "true";
        custom.disabled = true;
        els.presetSelect.prepend(custom);
      }
      els.presetSelect.dispatchEvent(new Event("change"));
      clearErrors();
      showWarnings([]);
      classNote = "";
    },
    showServerError,
    showWarnings,
    clearErrors,
  };
}
