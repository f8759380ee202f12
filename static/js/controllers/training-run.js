// A training run: /train in about 20 short chunks so the curve, the table and the boundary move while it runs,
// with pause, resume and stop; and the training panel of a network (its outputs, loss and decision boundary).

import { count, ruleLabel } from "../models/format.js";
import { chunkPlan } from "../models/insights.js";
import { boundaryGrid } from "../models/snapshots.js";
import { settle } from "../api.js";

/**
 * deps: {api, charts (views/training-charts.js), stepper, say, guarded, maxIterations(),
 *        network() (the current network), onProgress(net) (figure and top bar), publish(fields) (the room),
 *        onDone(net) (reload network and trace), onDiverged(net), beforeStart(),
 *        extras(mode) (more /train fields: mini-batch size, gradient norms), marks(net) (iterations a chunk must
 *        end at, e.g. the lecture's table's), onChunk(res, net) (the insights' records)}.
 */
export function createTrainingRun(deps) {
  const { api, charts, stepper, say } = deps;
  let run = null; // {total, done, paused, stop, resume} while a run is going

  async function updateBoundary(net) {
    const grid = boundaryGrid(net);
    if (!grid) {
      charts.hideBoundary(net.layers[0] === 2 ? "" : "The decision boundary is drawn for data sets with 2 inputs.");
      return;
    }
    try {
      // One /predict call for the whole grid (41 x 41 rows), not one request per point.
      const res = await api.predict(net.id, grid.inputs);
      await charts.drawBoundary(grid, res.outputs);
    } catch (err) {
      charts.hideBoundary("");
      say(`Drawing the decision boundary failed: ${err.message}`);
    }
  }

  /** Redraws the training panel for net; forwardReq: a settle()d forward request already under way, if any. */
  async function refresh(net, forwardReq = null) {
    let outputs = null;
    let loss = null;
    const res = await (forwardReq || settle(api.forward(net.id, { samples: "all" })));
    if (res.ok) {
      outputs = res.value.outputs;
      loss = res.value.loss;
    } else {
      say(`Reading the network's outputs failed: ${res.error.message}`);
    }
    await charts.reset(net, outputs, loss);
    await updateBoundary(net);
  }

  function wake() {
    if (run && run.resume) {
      const r = run.resume;
      run.resume = null;
      r();
    }
  }

  async function start() {
    let net = deps.network();
    if (!net || run) return;
    const { total, mode } = stepper.trainRequest(deps.maxIterations());
    deps.beforeStart();
    // About 20 chunks: the curve, table and boundary move visibly, and every call stays short.
    const chunk = Math.max(10, Math.min(500, Math.round(total / 20)));
    const plan = chunkPlan(net.iteration, total, chunk, deps.marks ? deps.marks(net) : []);
    const extras = deps.extras ? deps.extras(mode) : {};
    run = { total, done: 0, paused: false, stop: false, resume: null };
    const current = run;
    stepper.training(true);
    deps.onProgress(net);
    const first = net.iteration;
    try {
      while (current.done < total && !current.stop) {
        if (current.paused) {
          await new Promise((resolve) => {
            current.resume = resolve;
          });
          continue;
        }
        const n = plan.shift() || Math.min(chunk, total - current.done);
        const res = await api.train(net.id, { iterations: n, mode, record_every: n, ...extras });
        current.done += n;
        net = { ...net, weights: res.weights, biases: res.biases, iteration: res.iteration, diverged: res.diverged, message: res.message };
        await charts.addChunk(res);
        if (deps.onChunk) deps.onChunk(res, net);
        const unit = mode === "batch" ? "iterations" : "epochs";
        charts.setProgress(current.done, total, `${count(current.done)} / ${count(total)} ${unit} · ${ruleLabel(mode)}`);
        const lastLoss = (res.loss_history || []).at(-1);
        deps.publish({ training: { done: current.done, total, running: true, loss: lastLoss ? lastLoss[1] : null } });
        deps.onProgress(net);
        await updateBoundary(net);
        if (res.diverged) {
          deps.onDiverged(net);
          break;
        }
      }
      charts.setProgress(current.done, total, `Trained ${count(net.iteration - first)} iterations; the network is at iteration ${count(net.iteration)}.`);
    } catch (err) {
      say(`Training failed: ${err.message}`);
    } finally {
      run = null;
      deps.publish({ training: null });
      try {
        await deps.onDone(net);
      } finally {
        stepper.training(false); // only once the run's network is shown: what is on screen is the trained one
      }
    }
  }

  function togglePause() {
    if (!run) return;
    run.paused = !run.paused;
    stepper.training(true, run.paused);
    if (!run.paused) wake();
    charts.setProgress(run.done, run.total, run.paused ? `Paused at ${count(run.done)} / ${count(run.total)}` : "Resuming…");
  }

  function stop() {
    if (!run) return;
    run.stop = true;
    wake();
  }

  return {
    get running() {
      return run != null;
    },
    start,
    togglePause,
    stop,
    refresh,
  };
}
