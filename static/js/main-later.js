// The parts of the main page built after its first drawing: the training insights, the class quiz, and the
// operation graph and nudge beside the formula, with their views. main.js imports this module once the network is on screen, so their code is not parsed before it.

import { createInsights } from "./controllers/insights.js";
import { createOperations } from "./controllers/operations.js";
import { createQuizPresenter, createSoloPredict } from "./controllers/quiz.js";
import { batchElements, createBatchView } from "./views/batch-compare.js";
import { createGradcheckView, gradcheckElements } from "./views/gradcheck.js";
import { createNormsChart } from "./views/gradient-norms.js";
import { createLandscapeView, landscapeElements } from "./views/landscape.js";
import { createNudgeView, nudgeElements } from "./views/nudge.js";
import { createOpGraphView, opGraphElements } from "./views/op-graph.js";
import { createOptimizerPicker, optionElements } from "./views/optimizer-picker.js";
import { createPresenterPanel, createSoloCard } from "./views/quiz.js";

const $ = (id) => document.getElementById(id);

/** The insights' controller and views; deps are createInsights' without `views`. */
export function buildInsights(deps) {
  const insights = createInsights({
    ...deps,
    views: {
      picker: createOptimizerPicker(optionElements(), { onChange: (spec) => insights.setOptimizer(spec) }),
      norms: createNormsChart({ chart: $("norms-chart"), note: $("norms-note") }),
      landscape: createLandscapeView(landscapeElements(), { onDraw: () => insights.drawLandscape(), onPick: (on) => insights.pick(on) }),
      gradcheck: createGradcheckView(gradcheckElements(), { onRun: () => insights.runGradcheck(), onFocus: (ref) => insights.setFocus(ref) }),
      batch: createBatchView(batchElements(), { onFocus: (ref) => insights.setFocus(ref), onNextSample: () => insights.nextSample() }),
    },
  });
  return insights;
}

/** The presenter's quiz (asking the class) and the solo predict switch; deps: {player, position, current, say, rule}. */
export function buildQuiz({ player, position, current, say, rule }) {
  const presenter = createQuizPresenter({
    player, current, say, rule, askButton: $("btn-ask-class"),
    panel: createPresenterPanel({ onReveal: () => presenter.reveal(), onClose: () => presenter.close() }),
  });
  const solo = createSoloPredict({
    position, player, rule,
    card: createSoloCard({ onCheck: (text) => solo.check(text), onSign: () => solo.sign(), onSkip: () => solo.skip(), onContinue: () => solo.proceed() }),
  });
  return { presenter, solo };
}

/** The operation graph and the nudge; deps are createOperations' without `views` and `buttons`. */
export function buildOperations(deps) {
  const ops = createOperations({
    ...deps,
    buttons: { graph: $("btn-ops-graph"), nudge: $("btn-ops-nudge") },
    views: {
      graph: createOpGraphView(opGraphElements(), { onScope: (s) => ops.setScope(s), onLayer: (step) => ops.stepLayer(step) }),
      nudge: createNudgeView(nudgeElements(), { onParam: () => ops.nudge(), onEpsilon: () => ops.nudge(), onSamples: () => ops.nudge() }),
    },
  });
  return ops;
}
