// "Predict, then reveal" on screen: the presenter's live panel (answers arriving, a histogram around the true
// value that can be hidden from the projector, Reveal), the follower's card on a phone (the formula with "?",
// a decimal keypad, big buttons, then their answer beside the true value) and the solo "predict" card. Draws only.

import { fmt } from "../models/format.js";
import { answeredText, histogramBars, percentText, verdictText } from "../models/quiz.js";
import { texWords } from "../models/spoken.js";
import { tex } from "./tex.js";

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (k === "hidden") node.hidden = !!v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

/** Bars of a histogram into `host`; with a rule, the bar within it is marked (and named for screen readers). */
export function drawHistogram(host, histogram, rule = null) {
  const bars = histogramBars(histogram, rule);
  host.textContent = "";
  host.hidden = bars.length === 0;
  for (const bar of bars) {
    const fill = el("span", { class: "quiz-bar-fill" });
    fill.style.height = `${Math.round(bar.share * 100)}%`; // CSSOM, not a style attribute: allowed by the CSP
    const item = el("div", { class: `quiz-bar${bar.within ? " within" : ""} ${bar.kind}`, role: "listitem",
      "aria-label": `${bar.count} answers${bar.within ? ` within ${percentText(rule)}` : bar.edge ? ` ${bar.label === "less" ? "below" : "above"} ${bar.edge}` : ""}` },
    el("span", { class: "quiz-bar-count", text: String(bar.count) }),
    el("span", { class: "quiz-bar-track" }, fill),
    el("span", { class: "quiz-bar-label", text: bar.label }));
    host.append(item);
  }
}

function answerField(prefix, label) {
  const input = el("input", { id: `${prefix}-answer`, class: "quiz-input", type: "text", inputmode: "decimal",
    enterkeyhint: "send", autocomplete: "off", spellcheck: "false", placeholder: "e.g. 0.42", "aria-label": label });
  const sign = el("button", { type: "button", id: `${prefix}-sign`, class: "btn quiz-sign", "aria-label": "Change the sign", text: "±" });
  return { input, sign };
}

/** The presenter's live panel. handlers: {onReveal, onClose, onToggleHistogram(shown)}. */
export function createPresenterPanel(handlers) {
  const prompt = el("div", { id: "quiz-prompt", class: "quiz-formula" });
  const countLine = el("p", { id: "quiz-count", class: "quiz-count", "aria-live": "polite" });
  const histogram = el("div", { id: "quiz-histogram", class: "quiz-histogram", role: "list", "aria-label": "The class's answers" });
  const result = el("p", { id: "quiz-result", class: "quiz-result", hidden: true });
  const toggle = el("button", { type: "button", id: "quiz-toggle-histogram", class: "btn", "aria-pressed": "true", text: "Hide answers" });
  const reveal = el("button", { type: "button", id: "quiz-reveal", class: "btn primary quiz-big", text: "Reveal" });
  const close = el("button", { type: "button", id: "quiz-close", class: "btn", text: "Close" });
  const panel = el("section", { id: "quiz-panel", class: "quiz-panel", "aria-label": "Ask the class", hidden: true },
    el("h2", { class: "quiz-title", text: "Ask the class: predict" }), prompt, countLine, histogram, result,
    el("div", { class: "quiz-actions" }, toggle, reveal, close));
  document.body.append(panel);
  let shown = true;
  let last = null;
  const conceal = (on) => {
    shown = !on;
    toggle.setAttribute("aria-pressed", String(shown));
    toggle.textContent = shown ? "Hide answers" : "Show answers";
    histogram.classList.toggle("concealed", !shown);
  };
  toggle.addEventListener("click", () => {
    conceal(shown);
    if (handlers.onToggleHistogram) handlers.onToggleHistogram(shown);
  });
  reveal.addEventListener("click", () => handlers.onReveal());
  close.addEventListener("click", () => handlers.onClose());
  return {
    element: panel,
    asked(question) {
      panel.hidden = false;
      panel.dataset.state = "open";
      panel.dataset.question = question.id;
      prompt.dataset.latex = question.prompt_latex;
      tex(prompt, question.prompt_latex); // inline: KaTeX breaks long sums after = and +
      result.hidden = true;
      reveal.hidden = false;
      reveal.disabled = false;
      toggle.hidden = false;
      countLine.textContent = answeredText(0, null);
      drawHistogram(histogram, null);
    },
    progress(status, followers, rule) {
      countLine.textContent = answeredText(status.answers, followers);
      panel.dataset.answers = String(status.answers);
      if (JSON.stringify(status.histogram) !== last) drawHistogram(histogram, status.histogram, rule);
      last = JSON.stringify(status.histogram);
    },
    revealing(on) {
      reveal.disabled = on;
    },
    revealed(res, followers, rule) {
      panel.dataset.state = "revealed";
      reveal.hidden = true;
      if (prompt.dataset.latex) tex(prompt, prompt.dataset.latex.replace(/\?$/, fmt(res.value, 4).replace("−", "-")));
      countLine.textContent = answeredText(res.answers, followers);
      result.hidden = false;
      result.textContent = "";
      result.append(el("span", { class: "quiz-value", text: `= ${fmt(res.value, 4)}` }));
      if (rule) result.append(el("span", { text: ` · ${res.within_10_percent} of ${res.answers} within ${percentText(rule)}` }));
      drawHistogram(histogram, res.histogram, rule);
      conceal(false); // the reveal shows the distribution on every screen
      toggle.hidden = true;
    },
    hide() {
      panel.hidden = true;
      panel.dataset.state = "closed";
    },
  };
}

/** The follower's card. handlers: {onSubmit(text), onDismiss}. */
export function createFollowerCard(handlers) {
  const prompt = el("div", { id: "quiz-card-prompt", class: "quiz-formula" });
  const { input, sign } = answerField("quiz", "Your prediction");
  const send = el("button", { type: "submit", id: "quiz-send", class: "btn primary quiz-big", text: "Send" });
  const form = el("form", { class: "quiz-form", autocomplete: "off" }, sign, input, send);
  const status = el("p", { id: "quiz-card-status", class: "quiz-status", "aria-live": "polite" });
  const mine = el("div", { id: "quiz-mine", class: "quiz-mine", hidden: true });
  const histogram = el("div", { id: "quiz-card-histogram", class: "quiz-histogram small", role: "list", "aria-label": "The class's answers", hidden: true });
  const dismiss = el("button", { type: "button", id: "quiz-dismiss", class: "btn quiz-big", text: "OK", hidden: true });
  const card = el("section", { id: "quiz-card", class: "quiz-card", "aria-label": "Predict the next value", hidden: true },
    el("h2", { class: "quiz-title", text: "Predict the next value" }), prompt, form, status, mine, histogram, dismiss);
  // on the page before any question, so a screen reader hears a question open (a region shown with it is not read)
  const announce = el("p", { id: "quiz-announce", class: "visually-hidden", role: "alert" });
  input.setAttribute("aria-describedby", status.id);
  document.body.append(card, announce);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    handlers.onSubmit(input.value);
  });
  sign.addEventListener("click", () => handlers.onSign());
  dismiss.addEventListener("click", () => handlers.onDismiss());
  return {
    element: card,
    input,
    question(q) {
      card.hidden = false;
      card.dataset.state = "open";
      card.dataset.question = q.id;
      document.body.classList.add("quiz-open");
      tex(prompt, q.prompt_latex);
      announce.textContent = `A question from the presenter: predict ${texWords(q.symbol || "the next value")}. `
        + "Type your prediction and send it.";
      form.hidden = false;
      input.value = "";
      send.disabled = false;
      status.textContent = "Type your prediction and send it. You can change it until the reveal.";
      status.className = "quiz-status";
      mine.hidden = true;
      histogram.hidden = true;
      dismiss.hidden = true;
    },
    sent(value) {
      card.dataset.state = "sent";
      status.textContent = `Sent: ${fmt(value, 4)}. Change it and send again until the reveal.`;
      status.className = "quiz-status ok";
    },
    error(message) {
      status.textContent = message;
      status.className = "quiz-status error";
    },
    revealed(q, answer, verdict, rule) {
      card.hidden = false;
      card.dataset.state = "revealed";
      document.body.classList.add("quiz-open");
      tex(prompt, q.prompt_latex.replace(/\?$/, fmt(q.value, 4).replace("−", "-")));
      form.hidden = true;
      status.textContent = rule ? `${q.within_10_percent} of ${q.answers} in the class were within ${percentText(rule)}.` : "";
      status.className = "quiz-status";
      mine.hidden = false;
      mine.textContent = "";
      const you = answer == null ? "You did not answer" : `You: ${fmt(answer, 4)}`;
      const judged = rule && verdict ? (verdict.within ? " good" : " off") : answer == null ? " off" : "";
      mine.append(el("span", { id: "quiz-mine-answer", class: `quiz-you${judged}`, text: you }),
        el("span", { id: "quiz-mine-true", class: "quiz-true", text: `True: ${fmt(q.value, 4)}` }),
        el("span", { class: "quiz-verdict", text: verdictText(verdict, rule) }));
      drawHistogram(histogram, q.histogram, rule);
      dismiss.hidden = false;
    },
    hide() {
      announce.textContent = "";
      card.hidden = true;
      card.dataset.state = "closed";
      document.body.classList.remove("quiz-open");
    },
  };
}

/** The solo "predict" card on the main page. handlers: {onCheck(text), onSign, onContinue, onSkip}. */
export function createSoloCard(handlers) {
  const prompt = el("div", { id: "predict-prompt", class: "quiz-formula" });
  const { input, sign } = answerField("predict", "Your prediction");
  const check = el("button", { type: "submit", id: "predict-check", class: "btn primary quiz-big", text: "Check" });
  const skip = el("button", { type: "button", id: "predict-skip", class: "btn", text: "Show it" });
  const form = el("form", { class: "quiz-form", autocomplete: "off" }, sign, input, check, skip);
  const status = el("p", { id: "predict-status", class: "quiz-status", "aria-live": "polite" });
  const go = el("button", { type: "button", id: "predict-continue", class: "btn primary quiz-big", text: "Continue →", hidden: true });
  const scoreLine = el("p", { id: "predict-score", class: "quiz-score" });
  input.setAttribute("aria-describedby", status.id);
  const card = el("section", { id: "predict-card", class: "quiz-card solo", "aria-label": "Predict the next value", hidden: true },
    el("h2", { class: "quiz-title", text: "Predict the next value" }), prompt, form, status, go, scoreLine);
  document.body.append(card);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    handlers.onCheck(input.value);
  });
  sign.addEventListener("click", () => handlers.onSign());
  skip.addEventListener("click", () => handlers.onSkip());
  go.addEventListener("click", () => handlers.onContinue());
  return {
    element: card,
    input,
    get open() {
      return !card.hidden;
    },
    ask(latex, event, score) {
      card.hidden = false;
      card.dataset.state = "open";
      card.dataset.event = String(event);
      tex(prompt, latex);
      form.hidden = false;
      go.hidden = true;
      input.value = "";
      status.textContent = "What will it be? Type a guess and check it.";
      status.className = "quiz-status";
      scoreLine.textContent = score;
      input.focus({ preventScroll: true });
    },
    result(value, guess, verdict, score, rule) {
      card.dataset.state = "checked";
      form.hidden = true;
      go.hidden = false;
      const words = verdictText(verdict, rule);
      status.className = `quiz-status${words ? (verdict.within ? " ok" : " error") : guess == null ? " error" : ""}`;
      status.textContent = guess == null ? `It is ${fmt(value, 4)}.` : `You: ${fmt(guess, 4)} · true: ${fmt(value, 4)}${words ? ` · ${words}` : ""}`;
      scoreLine.textContent = score;
      go.focus({ preventScroll: true });
    },
    error(message) {
      status.textContent = message;
      status.className = "quiz-status error";
    },
    hide() {
      card.hidden = true;
      card.dataset.state = "closed";
    },
  };
}
