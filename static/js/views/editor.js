// The network editor: preset picker, layer list, hyper-parameters and a pasted CSV data set. It reads and shows the
// form (including the server's 422 messages next to the right control); creating or patching is main.js's job.

const ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"];
const OUTPUT_ONLY = ["softmax"]; // softmax couples the nodes of a layer, so the engine allows it on the output only
const MAX_NODES = 16;
const MAX_LAYERS = 8;

/** Parses CSV/whitespace text into rows of numbers; a non-numeric first line is taken as a header. */
export function parseCsv(text, nIn, nOut) {
  const lines = text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith("#"));
  const rows = lines.map((s) => s.split(/[,;\s]+/).filter((c) => c !== ""));
  if (rows.length && rows[0].some((c) => Number.isNaN(Number(c)))) rows.shift();
  if (!rows.length) return { error: "Paste at least one row of numbers." };
  const inputs = [];
  const targets = [];
  for (let r = 0; r < rows.length; r += 1) {
    const nums = rows[r].map(Number);
    if (nums.some((v) => !Number.isFinite(v))) return { error: `Row ${r + 1} has a value that is not a number.` };
    if (nums.length !== nIn + nOut) {
      return { error: `Row ${r + 1} has ${nums.length} columns; expected ${nIn} inputs + ${nOut} targets = ${nIn + nOut}.` };
    }
    inputs.push(nums.slice(0, nIn));
    targets.push(nums.slice(nIn));
  }
  return { inputs, targets };
}

/** Formats a data set as the CSV the editor accepts. */
export function toCsv(dataset, nIn, nOut) {
  if (!dataset || !dataset.inputs) return "";
  const head = [...Array.from({ length: nIn }, (_, k) => `x${k + 1}`), ...Array.from({ length: nOut }, (_, k) => (nOut === 1 ? "y" : `y${k + 1}`))];
  const rows = dataset.inputs.map((x, r) => [...x, ...dataset.targets[r]].map((v) => String(Math.round(v * 1e6) / 1e6)).join(","));
  return [head.join(","), ...rows].join("\n");
}

export function createEditor(els, handlers) {
  let layers = [];
  let presets = [];
  let original = null;

  function errorSlot(field) {
    return els.root.querySelector(`[data-error-for="${field}"]`);
  }

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
      const count = document.createElement("output");
      count.className = "node-count";
      count.textContent = String(layer.n);
      count.setAttribute("aria-label", `Layer ${l} has ${layer.n} nodes`);
      const plus = button("+", `Add a node to layer ${l}`, () => setNodes(k, layer.n + 1));
      minus.disabled = layer.n <= 1;
      plus.disabled = layer.n >= MAX_NODES;
      row.append(name, minus, count, plus);
      if (l > 1) {
        const sel = document.createElement("select");
        sel.setAttribute("aria-label", `Activation of layer ${l}`);
        const base = role === "output" ? [...ACTIVATIONS, ...OUTPUT_ONLY] : ACTIVATIONS;
        const names = base.includes(layer.activation) ? base : [...base, layer.activation];
        for (const a of names) sel.append(new Option(a, a, false, a === layer.activation));
        sel.addEventListener("change", () => {
          layer.activation = sel.value;
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
    els.addLayer.disabled = layers.length >= MAX_LAYERS;
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

  function setNodes(k, n) {
    layers[k].n = Math.max(1, Math.min(MAX_NODES, n));
    renderLayers();
  }

  function removeLayer(k) {
    layers.splice(k, 1);
    renderLayers();
  }

  function addLayer() {
    const before = layers.length - 1;
    const template = layers[before - 1] && before - 1 > 0 ? layers[before - 1] : { n: 3, activation: layers[before].activation };
    layers.splice(before, 0, { n: template.n, activation: template.activation });
    renderLayers();
  }

  function updateCsvHint() {
    const nIn = layers.length ? layers[0].n : 0;
    const nOut = layers.length ? layers[layers.length - 1].n : 0;
    els.csvHint.textContent = `One sample per line: the first ${nIn} column${nIn === 1 ? "" : "s"} are the inputs x, the last ${nOut} column${nOut === 1 ? " is the target" : "s are the targets"} y. A header line is optional.`;
  }

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
    const lr = els.lr.value.trim() === "" ? NaN : Number(els.lr.value);
    const spec = {
      layers: layers.map((x) => x.n),
      activations: layers.slice(1).map((x) => x.activation),
      loss: els.loss.value,
      reduction: els.reduction.value,
      // A non-number is sent as null on purpose: the server's message then explains the rule.
      learning_rate: Number.isFinite(lr) ? lr : null,
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
      renderLayers();
      els.loss.value = net.loss;
      els.reduction.value = net.reduction || "sum";
      els.lr.value = String(net.learning_rate);
      els.initScheme.value = (net.init && net.init.scheme) || "uniform";
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
    },
    showServerError,
    clearErrors,
  };
}
