// The exports: the network figure as PNG, the trace as JSON, the snapshot table as CSV; and the network's whole
// state as a JSON file, which Import turns back into an equal network (POST /api/networks takes GET's answer).

import { plainTrace } from "../models/trace-model.js";
import { download } from "../views/download.js";


/**
 * deps: {figure, charts, say, guarded, current() -> {network, sample, p, trace}, api, isBusy() (a training run or
 * an open question), open(net) (shows a network just created)}.
 */
export function createExports({ figure, charts, say, guarded, current, api, isBusy, open }) {
  return {
    state: () => guarded("Exporting the network", async () => {
      const { network } = current();
      if (!network) return;
      const state = await api.getNetwork(network.id); // the stored state, optimizer state and iteration included
      download(`deltaflow-network-${network.id}.json`, JSON.stringify(state), "application/json");
    }),
    async importFile(file) {
      if (!file || isBusy()) return;
      let state;
      try {
        state = JSON.parse(await file.text());
      } catch (err) {
        say(`“${file.name}” is not a network file: ${err.message}`);
        return;
      }
      await guarded("Importing the network", async () => {
        // this page's own copy, protected by a token kept in this browser, whatever the file says
        const net = await api.createNetwork({ ...state, protected: true });
        await open(net);
        say(`Imported “${file.name}” as a new network (iteration ${net.iteration}).`, "info");
      });
    },
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
