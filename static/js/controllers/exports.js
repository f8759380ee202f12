// The three exports: the network figure as PNG, the trace as JSON, the snapshot table as CSV.

import { plainTrace } from "../models/trace-model.js";

function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** deps: {figure, charts, say, guarded, current() -> {network, sample, p, trace}}. */
export function createExports({ figure, charts, say, guarded, current }) {
  return {
    png: () => guarded("Exporting the figure", () => figure.downloadPNG()),
    trace() {
      const { network, sample, p, trace } = current();
      if (!trace) {
        say("There is no trace to export yet.");
        return;
      }
      const payload = { network, sample, position: p, trace: plainTrace(trace) };
      download(`deltaflow-trace-${network.id}-sample${sample + 1}.json`, JSON.stringify(payload, null, 2), "application/json");
    },
    csv() {
      const csv = charts.csv();
      if (!csv) {
        say("There is no snapshot table to export yet.");
        return;
      }
      download(`deltaflow-snapshots-${current().network.id}.csv`, csv, "text/csv");
    },
  };
}
