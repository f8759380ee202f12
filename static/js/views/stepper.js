// The main page's chrome around the figure: the step player bar (scrubber, step label, play button, speed), the
// phase buttons, the loss readout, the sample picker, the network line, projector mode and the training lock.

import { describeNetwork, fmt, targetText } from "../models/format.js";

const $ = (id) => document.getElementById(id);

let phaseButtons = null; // in the page's markup from the start: looked up once, not by a search of every step's DOM

/** Marks the phase buttons: the current phase, and the phases already done at position p. */
export function showPhases(trace, p, phase) {
  if (!phaseButtons || !phaseButtons.every((b) => b.isConnected)) phaseButtons = [...document.querySelectorAll(".phase-btn")];
  phaseButtons.forEach((b) => {
    const ph = b.dataset.phase;
    const active = phase === ph;
    const done = !!(trace && p > 0 && trace.phaseEnd[ph] != null && trace.phaseEnd[ph] < p) && !active;
    if (b.classList.contains("active") !== active) b.classList.toggle("active", active);
    if (b.classList.contains("done") !== done) b.classList.toggle("done", done);
    setAttr(b, "aria-current", active ? "step" : "false");
  });
}

// A step rewrites only what changed: even an unchanged value written to the scrubber or an attribute makes the
// browser restyle it, and while pulses are moving that restyle runs inside the step.
function setAttr(el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

export function createStepper() {
  const scrub = $("scrubber");
  return {
    /** Shows position p of the trace; st: its stateAt. */
    show(trace, p, st) {
      const total = trace ? trace.events.length : 0;
      if (scrub.max !== String(total)) scrub.max = String(total);
      if (scrub.value !== String(p)) scrub.value = String(p);
      setAttr(scrub, "aria-valuetext", `step ${p} of ${total}`);
      setText($("step-label"), `${p} / ${total}`);
      showPhases(trace, p, st.phase);
      setText($("loss-readout"), st.loss != null ? `ℒ = ${fmt(st.loss, 4)}` : trace ? "ℒ = ?" : "");
    },
    playing(on) {
      const b = $("btn-play");
      b.setAttribute("aria-label", on ? "Pause (Space)" : "Play (Space)");
      b.setAttribute("aria-pressed", String(on));
    },
    speeds(list, chosen) {
      const speed = $("speed-select");
      for (const s of list) speed.append(new Option(`${s}×`, String(s), false, s === chosen));
    },
    speed(s) {
      $("speed-select").value = String(s);
    },
    network(net) {
      $("net-info").textContent = describeNetwork(net);
    },
    /** Fills the sample picker from the data set (at most 200 entries) with `sample` chosen. */
    samples(net, sample) {
      const sel = $("sample-select");
      sel.textContent = "";
      const ds = net.dataset;
      const n = ds && ds.inputs ? ds.inputs.length : 0;
      for (let k = 0; k < Math.min(n, 200); k += 1) {
        const x = ds.inputs[k].map((v) => fmt(v, 2)).join(", ");
        sel.append(new Option(`#${k + 1}: x = (${x}) → t = ${targetText(ds.targets[k])}`, String(k)));
      }
      sel.value = String(sample);
    },
    projector(on) {
      document.body.classList.toggle("projector", on);
      // On the root too, so every rem in the style sheet grows with the projector's type size.
      document.documentElement.classList.toggle("projector", on);
      const b = $("btn-projector");
      b.setAttribute("aria-pressed", String(on));
      b.textContent = on ? "Exit projector" : "Projector";
      // the spoken name starts with the visible words, so voice control finds the button by what it shows
      b.setAttribute("aria-label", `${b.textContent} (P)`);
      if (!on) this.projectorView("network");
    },
    /** What the projector shows: "network" (the figure and the formula) or "training" (the training panel). */
    projectorView(which) {
      const training = which === "training";
      document.body.classList.toggle("show-training", training);
      $("btn-show-network").setAttribute("aria-pressed", String(!training));
      $("btn-show-training").setAttribute("aria-pressed", String(training));
      // The charts follow the window's size: tell them their box has changed.
      window.dispatchEvent(new Event("resize"));
    },
    /** The undo and redo buttons: enabled when there is something to undo or redo, titled with what it is. */
    history(h) {
      const set = (id, can, what, key) => {
        const b = $(id);
        if (!b) return;
        b.disabled = !can;
        b.title = can ? `${id === "btn-undo" ? "Undo" : "Redo"} ${what} (${key})` : `Nothing to ${id === "btn-undo" ? "undo" : "redo"}`;
      };
      set("btn-undo", h.canUndo, h.nextUndo, "Ctrl+Z");
      set("btn-redo", h.canRedo, h.nextRedo, "Ctrl+Shift+Z");
    },
    /** Locks the player while a training run owns the network. */
    training(running, paused = false) {
      $("train-start").disabled = running;
      $("train-pause").disabled = !running;
      $("train-stop").disabled = !running;
      $("train-pause").textContent = paused ? "Resume" : "Pause";
      $("train-pause").setAttribute("aria-label", paused ? "Resume training" : "Pause training");
      document.body.classList.toggle("is-training", running);
      document.querySelectorAll(".player button, #scrubber, #sample-select").forEach((b) => {
        b.disabled = running;
      });
    },
    /** What the training form asks for: iterations (capped at max) and the mode. */
    trainRequest(max) {
      const total = Math.max(1, Math.min(max, Number.parseInt($("train-iterations").value, 10) || 1000));
      return { total, mode: $("train-mode").value };
    },
    /** The training form's limits and modes from the server's rules. */
    trainLimits(max, modes, label) {
      const input = $("train-iterations");
      if (Number.isFinite(max)) input.max = String(max);
      const sel = $("train-mode");
      if (!modes.length) return;
      const value = sel.value;
      sel.textContent = "";
      for (const m of modes) sel.append(new Option(label(m), m));
      if (modes.includes(value)) sel.value = value;
    },
  };
}
