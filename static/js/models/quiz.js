// The arithmetic of "predict, then reveal": whether a guess is within the server's tolerance, the prompt with "?"
// for the result, reading a typed number, a histogram's bars and the solo score. No DOM, no fetch.

/** What a presenter reads when a move would pass the open question's asked value (a step, training, an update). */
export const HELD_WORDS = "Reveal or close the question first.";

/**
 * `rule` is the server's tolerance {relative, absolute} (models/meta.js quizTolerance), or null: then no guess is
 * judged. A guess is within when it is off by at most `relative` of the value, and never less than `absolute`.
 */
export const tolerance = (rule, value) => Math.max(rule.relative * Math.abs(value), rule.absolute);
export const isWithin = (rule, value, guess) => Math.abs(guess - value) <= tolerance(rule, value) * (1 + 1e-9);

/** The rule's relative tolerance as the page writes it ("10%"). */
export const percentText = (rule) => `${Number((rule.relative * 100).toPrecision(3))}%`;

/** A verdict in words ("✓ within 10%"), or "" when nothing was judged. */
export function verdictText(verdict, rule) {
  if (!rule || !verdict || verdict.within == null) return "";
  return verdict.within ? `✓ within ${percentText(rule)}` : `✗ more than ${percentText(rule)} off`;
}

/** An event's formula with its result replaced by "?" (the result is the last " = number"). */
export function promptLatex(event) {
  const latex = String(event.latex || "");
  const at = latex.lastIndexOf(" = ");
  return at < 0 ? `${event.symbol} = ?` : `${latex.slice(0, at)} = ?`;
}

/** The event a room's open question holds back on `sample`'s trace; null when none is open on it. */
export function heldEvent(question, sample) {
  return question && !question.revealed && question.sample === sample ? question.event : null;
}

/** The trace cut before the held event, so the asked value (and all after it, the loss too) never reaches a view. */
export function withhold(trace, event) {
  if (event == null) return trace;
  const events = trace.events.slice(0, event);
  return { ...trace, events, loss: events.some((ev) => ev.quantity === "loss") ? trace.loss : null };
}

/**
 * A number as a student types it on a phone or a laptop: "0,25", "−0.3" (the typographic minus), ".5", "1e-3";
 * null for anything else (empty, text, not finite).
 */
export function parseAnswer(text) {
  const s = String(text ?? "").trim().replace(/[\u2212\u2013]/g, "-").replace(/\s+/g, "").replace(",", ".");
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return null;
  const v = Number(s);
  return Number.isFinite(v) && Math.abs(v) <= 1e12 ? v : null;
}

/** Flips the sign of what is typed (inputmode="decimal" keypads often lack a minus key). */
export function flipSign(text) {
  const s = String(text ?? "").trim();
  if (s.startsWith("-") || s.startsWith("\u2212")) return s.slice(1);
  return s ? `-${s}` : "-";
}

const short = (v) => {
  if (v === 0) return "0";
  const a = Math.abs(v);
  const text = a >= 1e4 || a < 1e-3 ? v.toExponential(1) : v.toPrecision(3).replace(/\.?0+$/, "");
  return text.replace("-", "\u2212");
};

/**
 * The bars of a histogram {around, edges, counts, below, above}: [{label, count, share, within, kind}], the
 * outer "below"/"above" bars only when some answer landed there; bins are labelled with values at both ends.
 * `share` is the count over the tallest bar; the middle bin is marked within only with a rule.
 */
export function histogramBars(histogram, rule = null) {
  if (!histogram || !histogram.counts || !histogram.counts.length) return [];
  const { edges, counts } = histogram;
  const centre = Math.floor(counts.length / 2);
  const around = histogram.around === "value";
  // a value axis with few labels, so they stay legible on a phone: both ends, and the middle bin ("±10%" around
  // the value after the reveal, else the middle of the answers' span)
  const within = (k) => !!rule && around && k === centre;
  const last = counts.length - 1;
  const label = (k) => {
    if (k === 0) return short(edges[0]);
    if (k === last) return short(edges[last + 1]);
    if (k !== centre) return "";
    if (around) return within(k) ? `±${percentText(rule)}` : "";
    return short((edges[k] + edges[k + 1]) / 2);
  };
  const bars = counts.map((count, k) => ({ label: label(k), count, within: within(k), kind: "bin" }));
  if (histogram.below) bars.unshift({ label: "less", count: histogram.below, within: false, kind: "below", edge: short(edges[0]) });
  if (histogram.above) bars.push({ label: "more", count: histogram.above, within: false, kind: "above", edge: short(edges[edges.length - 1]) });
  const top = Math.max(1, ...bars.map((b) => b.count));
  return bars.map((b) => ({ ...b, share: b.count / top }));
}

/** "12 of 27 answered" (the followers count may lag the answers by a tally). */
export function answeredText(answers, followers) {
  const n = Number(answers) || 0;
  if (followers == null || followers < n) return `${n} answered`;
  return `${n} of ${followers} answered`;
}

/** How one guess went: {within (null without a rule), error (guess − value), relative (|error| / |value|, null for 0)}. */
export function judge(value, guess, rule) {
  const error = guess - value;
  const within = rule ? isWithin(rule, value, guess) : null;
  return { within, error, relative: value === 0 ? null : Math.abs(error) / Math.abs(value) };
}

/** The solo "predict" score under `rule`: record(value, guess) after each guess; {asked, within, streak, best}. */
export function createScore(rule = null) {
  const score = { asked: 0, within: 0, streak: 0, best: 0 };
  return {
    record(value, guess) {
      const verdict = judge(value, guess, rule);
      score.asked += 1;
      if (verdict.within) {
        score.within += 1;
        score.streak += 1;
        score.best = Math.max(score.best, score.streak);
      } else {
        score.streak = 0;
      }
      return verdict;
    },
    reset() {
      Object.assign(score, { asked: 0, within: 0, streak: 0, best: 0 });
    },
    get value() {
      return { ...score };
    },
    text() {
      if (!score.asked) return "no guesses yet";
      if (!rule) return score.asked === 1 ? "1 guess" : `${score.asked} guesses`;
      return `${score.within} of ${score.asked} within ${percentText(rule)}` + (score.streak > 1 ? ` · ${score.streak} in a row` : "");
    },
  };
}
