// CSV in and out: the editor's pasted data set, and the snapshot table's export. Pure text work, no DOM.

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
