// Binds the page's buttons, scrubber and keyboard shortcuts to the handlers main.js gives it.
// No fetch and no Plotly here: a control only says what the user asked for.

/** True when a key press belongs to a text field, so shortcuts must not steal it. */
function typing(target) {
  if (!target || !(target instanceof Element)) return false;
  if (target.closest("[contenteditable=true]")) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag !== "INPUT") return false;
  return !["button", "checkbox", "radio", "range"].includes(target.type);
}

/** True for a control that Space and Enter act on by themselves: a button presses, a checkbox ticks, a link opens. */
function ownsSpace(target) {
  if (!target || !(target instanceof Element)) return false;
  return !!target.closest("button, input, select, textarea, a[href], summary, [role=button], [role=checkbox], [role=switch]");
}

/** The keyboard map shown in the key legend; `run` receives the handlers object. */
export const KEYS = [
  { keys: ["→"], what: "next computation", match: (e) => e.key === "ArrowRight" && !e.shiftKey, run: (h) => h.next() },
  { keys: ["←"], what: "previous computation", match: (e) => e.key === "ArrowLeft" && !e.shiftKey, run: (h) => h.prev() },
  { keys: ["Shift →", "]"], what: "finish this layer", match: (e) => (e.key === "ArrowRight" && e.shiftKey) || e.key === "]", run: (h) => h.nextLayer() },
  { keys: ["Shift ←", "["], what: "back to layer start", match: (e) => (e.key === "ArrowLeft" && e.shiftKey) || e.key === "[", run: (h) => h.prevLayer() },
  { keys: ["N", "PgDn"], what: "finish this phase", match: (e) => (e.key === "n" && !e.shiftKey) || e.key === "PageDown", run: (h) => h.nextPhase() },
  { keys: ["Shift N", "PgUp"], what: "back to phase start", match: (e) => e.key === "N" || e.key === "PageUp", run: (h) => h.prevPhase() },
  { keys: ["Space"], what: "play / pause", match: (e) => e.key === " ", run: (h) => h.togglePlay() },
  { keys: ["Home", "End"], what: "first / last step", match: (e) => e.key === "Home" || e.key === "End", run: (h, e) => (e.key === "Home" ? h.first() : h.last()) },
  { keys: ["+", "−"], what: "faster / slower", match: (e) => ["+", "=", "-", "_"].includes(e.key), run: (h, e) => (e.key === "+" || e.key === "=" ? h.faster() : h.slower()) },
  { keys: ["P"], what: "projector mode", match: (e) => e.key === "p" || e.key === "P", run: (h) => h.toggleProjector() },
  { keys: ["T"], what: "projector: network or training", match: (e) => e.key === "t" || e.key === "T", run: (h) => h.toggleProjectorView() },
  { keys: ["?"], what: "show these keys", match: (e) => e.key === "?", run: (h) => h.toggleKeys() },
  { keys: ["Esc"], what: "close a dialog", match: (e) => e.key === "Escape", run: (h) => h.escape() },
];

/** Shortcuts with Ctrl (or ⌘): undo and redo of edits, steps and training; text fields keep their own undo. */
export const CTRL_KEYS = [
  { keys: ["Ctrl Z"], what: "undo an edit, a step or a training run", match: (e) => e.key.toLowerCase() === "z" && !e.shiftKey, run: (h) => h.undo && h.undo() },
  { keys: ["Ctrl Shift Z", "Ctrl Y"], what: "redo", match: (e) => (e.key.toLowerCase() === "z" && e.shiftKey) || e.key.toLowerCase() === "y", run: (h) => h.redo && h.redo() },
];

/** Wires buttons (by id -> handler), the scrubber, the speed select and the keys. */
export function bindControls({ buttons, scrubber, speed, handlers }) {
  for (const [id, fn] of Object.entries(buttons)) {
    const el = document.getElementById(id);
    if (el) el.addEventListener("click", () => fn());
  }
  if (scrubber) scrubber.addEventListener("input", () => handlers.seek(Number(scrubber.value)));
  if (speed) speed.addEventListener("change", () => handlers.setSpeed(Number(speed.value)));
  document.addEventListener("keydown", (e) => {
    // a part of the page that handled the key itself (a dialog's Escape, the figure's arrows) has the last word
    if (e.defaultPrevented) return;
    if ((e.ctrlKey || e.metaKey) && !e.altKey) {
      const ctrl = CTRL_KEYS.find((k) => k.match(e));
      if (!ctrl || typing(e.target)) return;
      e.preventDefault();
      ctrl.run(handlers, e);
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key !== "Escape" && typing(e.target)) return;
    // Controls keep Space and Enter for themselves; every other shortcut still works while one has focus.
    if ((e.key === " " || e.key === "Enter") && ownsSpace(e.target)) return;
    const hit = KEYS.find((k) => k.match(e));
    if (!hit) return;
    e.preventDefault();
    hit.run(handlers, e);
  });
}

// Keys the network figure handles itself while it has focus (controllers/figure-keys.js), listed in the legend too.
const FIGURE_KEYS = [
  { keys: ["Tab"], what: "to the network figure, then:" },
  { keys: ["← → ↑ ↓"], what: "choose a node, bias or weight in it" },
  { keys: ["Enter"], what: "go to the node's next computation, or edit the weight" },
];

/** Fills the key legend from KEYS, so the legend and the behaviour cannot drift apart. */
export function renderKeyLegend(list) {
  list.textContent = "";
  for (const k of [...KEYS, ...CTRL_KEYS, ...FIGURE_KEYS]) {
    const dt = document.createElement("dt");
    k.keys.forEach((name, n) => {
      if (n) dt.append(" or ");
      const kbd = document.createElement("kbd");
      kbd.textContent = name;
      dt.append(kbd);
    });
    const dd = document.createElement("dd");
    dd.textContent = k.what;
    list.append(dt, dd);
  }
}
