// Running the class, as pure state: a room's pacing with its defaults, and the presenter's class list and results
// as the dashboard shows them (names hidden for the projector, places and "last seen" in words). No DOM here.

export const FREE = Object.freeze({ lock: "free", paused: false, message: null });

/** The room state's pacing, with the defaults of a room that never had one. */
export function pacingOf(state) {
  const p = (state && state.pacing) || {};
  return { lock: p.lock || "free", paused: !!p.paused, message: p.message ?? null };
}

/** Whether "Try it myself" is closed: the presenter keeps everyone on the presenter's screen. */
export const forkLocked = (pacing) => pacing.lock === "presenter";

/** What a paused screen says. */
export const pauseText = (pacing) => (pacing.message && pacing.message.trim()) || "Eyes up here: the presenter has paused the class.";

/** "now", "12 s ago", "3 min ago", "2 h ago" from an ISO 8601 time and now (ms since the epoch). */
export function seenText(iso, now) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return "";
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 5) return "now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}

/** Where a student is, in words: "lesson · stage 3 · step 17" or "step 17". */
export function placeText(row) {
  const step = `step ${row.position}`;
  return row.view === "lesson" ? `lesson · stage ${row.stage ?? "?"} · ${step}` : step;
}

/**
 * The class list as rows to show: {follower, label, mode, place, answers, correct, seen, name}. With `anonymous`,
 * each label is "Student N" by the list's order (the projector shows no names); `name` stays for the laptop.
 */
export function classRows(dashboard, { anonymous = false, now = Date.now() } = {}) {
  return (dashboard.followers || []).map((row, k) => ({
    follower: row.follower,
    name: row.name,
    label: anonymous ? `Student ${k + 1}` : row.name,
    mode: row.mode === "own_copy" ? "own copy" : "following",
    place: placeText(row),
    answers: row.answers,
    correct: row.correct,
    seen: seenText(row.last_seen, now),
  }));
}

/** The totals line: "24 following · 6 on their own copy · 19 answered the question". */
export function totalsText(totals) {
  const t = totals || { following: 0, own_copy: 0, answered: 0 };
  return `${t.following} following · ${t.own_copy} on their own copy · ${t.answered} answered the question`;
}

/** A question's share within 10 % as a percentage of its answers ("–" without answers). */
export function share(question) {
  return question.answers ? `${Math.round((100 * question.within_10_percent) / question.answers)} %` : "–";
}

/** The commonest wrong answers in words: "0.731 ×4 (z given for a); −0.2 ×2". */
export function wrongText(question, fmt = (v) => String(v)) {
  return (question.common_wrong || [])
    .map((w) => `${fmt(w.value)} ×${w.count}${w.likely ? ` (${w.likely})` : ""}`)
    .join("; ");
}
