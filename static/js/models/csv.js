// CSV in and out: the editor's data set (pasted, picked or dropped as a file), and the snapshot table's export.
// Pure text work, no DOM.

const numeric = (c) => c !== "" && Number.isFinite(Number(c));

/**
 * Class labels (one column, for an output layer of nOut > 1 nodes) as one-hot targets: whole numbers 0…nOut−1 or
 * 1…nOut, or names (classes in order of first appearance). Returns {targets, classes, base} or {error}.
 */
function oneHot(labels, nOut) {
  const hot = (k) => Array.from({ length: nOut }, (_, c) => (c === k ? 1 : 0));
  if (labels.every(numeric)) {
    const nums = labels.map(Number);
    if (!nums.every(Number.isInteger)) return { error: "Class labels must be whole numbers or names." };
    const lo = Math.min(...nums);
    const hi = Math.max(...nums);
    const base = lo >= 0 && hi <= nOut - 1 ? 0 : lo >= 1 && hi <= nOut ? 1 : null;
    if (base == null) return { error: `Class labels run from ${lo} to ${hi}; the output layer has ${nOut} nodes (labels 0…${nOut - 1} or 1…${nOut}).` };
    return { targets: nums.map((v) => hot(v - base)), classes: Array.from({ length: nOut }, (_, k) => String(k + base)), base };
  }
  const classes = [...new Set(labels)];
  if (classes.length > nOut) return { error: `${classes.length} class names (${classes.join(", ")}), but the output layer has ${nOut} nodes.` };
  return { targets: labels.map((c) => hot(classes.indexOf(c))), classes, base: null };
}

/**
 * Parses CSV/whitespace text into inputs and targets; a first line whose inputs are not numbers is a header.
 * With nOut > 1 outputs, rows of nIn + 1 columns carry a class label, turned into one-hot targets; the result then
 * has `classes` (the label of each output node) for the editor to say so.
 */
export function parseCsv(text, nIn, nOut) {
  const lines = text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s && !s.startsWith("#"));
  const rows = lines.map((s) => s.split(/[,;\s]+/).filter((c) => c !== ""));
  if (rows.length && !rows[0].slice(0, Math.max(1, nIn)).every(numeric)) rows.shift();
  if (!rows.length) return { error: "Paste at least one row of numbers." };
  const labelled = nOut > 1 && rows.every((r) => r.length === nIn + 1);
  const inputs = [];
  const targets = [];
  for (let r = 0; r < rows.length; r += 1) {
    const cells = labelled ? rows[r].slice(0, nIn) : rows[r];
    if (!cells.every(numeric)) return { error: `Row ${r + 1} has a value that is not a number.` };
    if (!labelled && cells.length !== nIn + nOut) {
      const or = nOut > 1 ? `, or ${nIn} inputs + 1 class label = ${nIn + 1} on every row` : "";
      return { error: `Row ${r + 1} has ${cells.length} columns; expected ${nIn} inputs + ${nOut} targets = ${nIn + nOut}${or}.` };
    }
    const nums = cells.map(Number);
    inputs.push(nums.slice(0, nIn));
    if (!labelled) targets.push(nums.slice(nIn));
  }
  if (!labelled) return { inputs, targets };
  const hot = oneHot(rows.map((r) => r[nIn]), nOut);
  if (hot.error) return { error: hot.error };
  return { inputs, targets: hot.targets, classes: hot.classes };
}

const megabytes = (n) => `${(n / 1e6).toFixed(n < 1e7 ? 2 : 0)} MB`;

/**
 * Why a file of `size` bytes cannot be sent (its JSON would pass the server's body limit of `limit` bytes), or null.
 * The JSON of a data set is about as long as its CSV, so the file's own size is the measure.
 */
export function fileSizeError(name, size, limit) {
  if (!Number.isFinite(limit) || size <= limit) return null;
  return `${name} is ${megabytes(size)}; the server takes at most ${megabytes(limit)} per request. Use fewer rows.`;
}

const names = (prefix, n, single) => Array.from({ length: n }, (_, k) => (n === 1 && single ? single : `${prefix}${k + 1}`));

/** Formats a data set as the CSV the editor accepts. */
export function toCsv(dataset, nIn, nOut) {
  if (!dataset || !dataset.inputs) return "";
  const head = [...names("x", nIn), ...names("y", nOut, "y")];
  const rows = dataset.inputs.map((x, r) => [...x, ...dataset.targets[r]].map((v) => String(Math.round(v * 1e6) / 1e6)).join(","));
  return [head.join(","), ...rows].join("\n");
}

/** The snapshots (iteration -> outputs per sample) in the lecture's long form: iteration, inputs, targets, outputs. */
export function snapshotsCsv(dataset, snapshots) {
  if (!dataset || !dataset.inputs || !dataset.inputs.length) return "";
  const nIn = dataset.inputs[0].length;
  const nOut = dataset.targets[0].length;
  const head = ["iteration", ...names("x", nIn), ...names("y", nOut, "y"), ...names("o", nOut, "o")];
  const lines = [head.join(",")];
  for (const it of [...snapshots.keys()].sort((a, b) => a - b)) {
    snapshots.get(it).forEach((out, r) => {
      lines.push([it, ...dataset.inputs[r], ...dataset.targets[r], ...out].join(","));
    });
  }
  return `${lines.join("\n")}\n`;
}
