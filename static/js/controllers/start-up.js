// The main page's start-up: every request goes out at once, in parallel, while plotly.min.js is still downloading
// and evaluating (the rules, the presets, the linked or a new XOR network, its trace and outputs); the figure is
// drawn first, and KaTeX, the training panel and the insights after it. body[data-ready] says when the trace is on
// screen.

import { settle } from "../api.js";
import { ruleLabel } from "../models/format.js";
import { createMeta } from "../models/meta.js";
import { chooseSample, describeChoice } from "../models/sample-choice.js";

/**
 * deps: {api, url (readUrl()), plotly (plotlyReady()), wire() (binds the controls, called once requests are out),
 *        walk, training, editor, stepper, say, onMeta(meta), afterFirstDraw() (starts loading what the first drawing
 *        did not need)}.
 */
export async function startPage({ api, url, plotly, wire, walk, training, editor, stepper, say, onMeta, afterFirstDraw }) {
  const wantSample = url.sample ?? 0;
  const metaReq = settle(api.meta());
  const presetsReq = settle(api.listPresets());
  const linkedReq = url.net ? settle(api.getNetwork(url.net)) : null;
  const linkedTraceReq = url.net ? settle(api.trace(url.net, { sample: wantSample })) : null;
  const xorReq = url.net ? null : settle(api.createNetwork({ preset: "xor" }));
  wire();
  if (!(await plotly)) {
    say("plotly.js did not load (/vendor/plotly.min.js); the figures cannot be drawn.");
    return;
  }
  if (url.projector) walk.setProjector(true);
  const [rules, presets] = await Promise.all([metaReq, presetsReq]); // long back by now; the editor needs both
  if (!rules.ok) say(`Loading the rules (/api/meta): ${rules.error.message || rules.error}`);
  const meta = createMeta(rules.ok ? rules.value : null);
  onMeta(meta);
  walk.state.meta = meta;
  editor.setMeta(meta);
  stepper.trainLimits(meta.limit("max_iterations"), meta.trainModes(), ruleLabel);
  if (presets.ok) editor.setPresets(presets.value);
  else say(`Loading the presets: ${presets.error.message || presets.error}`);
  let net = null;
  let traceReq = null;
  if (url.net) {
    const got = await linkedReq;
    if (got.ok) [net, traceReq] = [got.value, linkedTraceReq];
    else say(got.error.status === 404 ? "The network in this link no longer exists; here is a fresh XOR network instead." : `Loading the linked network failed: ${got.error.message}`);
  }
  if (!net) {
    const created = await (xorReq || settle(api.createNetwork({ preset: "xor" })));
    if (!created.ok) return say(`Creating the XOR network: ${created.error.message || created.error}`);
    net = created.value;
  }
  const linked = url.net && net.id === url.net;
  // Unlinked, start where every gradient is non-zero (XOR's (0, 0) would leave the first layer's unchanged).
  const choice = linked && url.sample != null ? null : chooseSample(net.dataset ? net.dataset.inputs : []);
  walk.state.sample = choice ? choice.sample : url.sample;
  if (choice && choice.sample) say(describeChoice(choice, net.dataset.inputs), "info");
  const forwardReq = settle(api.forward(net.id, { samples: "all" }));
  if (!traceReq) traceReq = settle(api.trace(net.id, { sample: walk.state.sample }));
  await walk.setNetwork(net, { training: false });
  // setNetwork clamps the sample to the data set: a trace asked for another sample is asked again.
  const sampleAsked = linked ? wantSample : walk.state.sample;
  let traceDone = false;
  traceReq.then(() => {
    traceDone = true;
  });
  await Promise.resolve();
  if (!traceDone) await walk.redraw(); // the network now, its trace when it comes
  await walk.loadTrace(linked && url.step != null ? url.step : 0, walk.state.sample === sampleAsked ? traceReq : null);
  await walk.lastDraw;
  if (afterFirstDraw) afterFirstDraw();
  await training.refresh(net, forwardReq);
  document.body.dataset.ready = "true";
}
