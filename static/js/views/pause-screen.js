// The paused screen of a follower page ("eyes up here"): a cover over the whole page with the presenter's message,
// shown while the room's pacing says paused. Built on first use; no fetch here.

import { pauseText } from "../models/classroom.js";

/** Returns show(pacing): covers the page while pacing.paused, with its message; uncovers it otherwise. */
export function createPauseScreen(doc = document) {
  let el = null;
  return function show(pacing) {
    if (!el && !pacing.paused) return;
    if (!el) {
      el = doc.createElement("div");
      el.id = "pause-screen";
      el.className = "pause-screen";
      el.setAttribute("role", "alertdialog");
      el.setAttribute("aria-modal", "true");
      el.setAttribute("aria-labelledby", "pause-title");
      const box = doc.createElement("div");
      box.className = "pause-box";
      const title = doc.createElement("p");
      title.id = "pause-title";
      title.className = "pause-title";
      title.textContent = "Paused by the presenter";
      const text = doc.createElement("p");
      text.id = "pause-message";
      text.className = "pause-message";
      box.append(title, text);
      el.append(box);
      doc.body.append(el);
    }
    el.hidden = !pacing.paused;
    doc.body.classList.toggle("paused", pacing.paused);
    doc.getElementById("pause-message").textContent = pauseText(pacing);
  };
}
