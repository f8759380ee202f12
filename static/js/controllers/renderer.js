// Shows every move of the position on the player bar, the formula panel and the network figure, with at most one
// drawing of the figure per animation frame. Reads the session model; draws only through the views it is given.

import { stateAt, sweptPhase } from "../models/trace-model.js";

/**
 * deps: {session (models/session.js), position, player, figure, formula, stepper, say, isTraining(),
 *        onMoved(p, st, how) (the URL; the room too, unless st is null: only the view changed; how as position's)}.
 * Returns {redraw, setProjector(on), lastDraw (settles when the last queued drawing is on screen)}.
 */
export function createRenderer(deps) {
  const { session, position, player, figure, formula, stepper, say } = deps;
  const state = session.state;
  let queued = null;
  let lastDraw = Promise.resolve();

  function draw(st, animate = 0, wave = null) {
    if (!state.network) return lastDraw;
    const training = deps.isTraining();
    const model = {
      wave,
      network: state.network,
      trace: training ? null : position.trace,
      state: training ? stateAt(null, 0) : st,
      projector: state.projector,
      animate,
    };
    // Coalesce bursts (holding →, dragging the scrubber) into one Plotly call per frame; a merged burst has no pulses.
    if (queued) {
      queued.model = { ...model, animate: 0 };
      return lastDraw;
    }
    queued = { model };
    lastDraw = new Promise((resolve) => {
      requestAnimationFrame(() => {
        const { model: m } = queued;
        queued = null;
        figure.render(m).catch((err) => say(`Drawing the network failed: ${err.message}`)).then(resolve);
      });
    });
    return lastDraw;
  }

  const redraw = () => draw(stateAt(deps.isTraining() ? null : position.trace, position.p));

  position.onChange((p, how, from) => {
    const trace = position.trace;
    const st = stateAt(trace, p);
    stepper.show(trace, p, st);
    formula.render({ state: st, trace, network: state.network, sample: state.sample, meta: state.meta });
    const wave = how === "jump" ? sweptPhase(trace, from, p) : null;
    draw(st, how === "step" || how === "play" ? player.stepDuration() : 0, wave);
    deps.onMoved(p, st, how);
  });

  function setProjector(on) {
    state.projector = on;
    stepper.projector(on);
    deps.onMoved(position.p, null);
    // The layout changes size; the ResizeObserver redraws with projector-sized nodes and lines.
    redraw();
  }

  return {
    redraw,
    setProjector,
    get lastDraw() {
      return lastDraw;
    },
  };
}
