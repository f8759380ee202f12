// The main page's small boxes: the weight popup, the sharing dialog, the key legend and the divergence banner.
// They show and read their elements; what a submitted weight or an opened room does is a controller's job.

import { tex } from "./tex.js";

const $ = (id) => document.getElementById(id);

const FOCUSABLE = "button, [href], input, select, textarea, [tabindex]:not([tabindex='-1'])";
const focusables = (box) => [...box.querySelectorAll(FOCUSABLE)].filter((e) => !e.disabled && e.checkVisibility());

/**
 * Makes a box a modal dialog for the keyboard and for screen readers: aria-modal, focus moved into it when it opens,
 * Tab and Shift+Tab kept inside, Escape calls onEscape, and focus returned to what had it before. A mouse may still
 * use the page behind it. opened(first) takes the element to focus first (default: the box's first control).
 */
export function modal(box, { onEscape }) {
  box.setAttribute("aria-modal", "true");
  if (!box.hasAttribute("tabindex")) box.tabIndex = -1;
  let opener = null;
  box.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      onEscape();
      return;
    }
    if (e.key !== "Tab") return;
    const items = focusables(box);
    const first = items[0];
    const last = items[items.length - 1];
    if (!first) {
      e.preventDefault();
    } else if (e.shiftKey && (document.activeElement === first || document.activeElement === box)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  });
  return {
    opened(first = null) {
      if (!box.contains(document.activeElement)) opener = document.activeElement;
      (first || focusables(box)[0] || box).focus();
    },
    closed() {
      const back = opener;
      opener = null;
      // only when focus was in the box (or fell to the page with it): a click elsewhere keeps its own focus
      const lost = box.contains(document.activeElement) || document.activeElement === document.body;
      if (lost && back && back.isConnected && back !== document.body) back.focus();
    },
  };
}

/** The popup that edits one weight; onSubmit({l, j, i}, rawText) when the form is sent. */
export function createWeightPopup({ onSubmit }) {
  const pop = $("weight-editor");
  const input = $("weight-input");
  const error = $("weight-error");
  let editing = null;
  const dialog = modal(pop, { onEscape: () => close() });
  // the error is read with the field it belongs to
  input.setAttribute("aria-describedby", "weight-error");

  function open({ l, j, i, bias = false, value, clientX, clientY }) {
    editing = { l, j, i, bias };
    if (bias) {
      tex($("weight-symbol"), `b_{${j}}^{${l}}`);
      tex($("weight-label"), `\\text{the bias of } a_{${j}}^{${l}}`);
    } else {
      tex($("weight-symbol"), `w_{${j}${i}}^{${l}}`);
      tex($("weight-label"), `\\text{from } ${l - 1 === 1 ? `x_{${i}}` : `a_{${i}}^{${l - 1}}`} \\text{ to } a_{${j}}^{${l}}`);
    }
    $("weight-save").textContent = bias ? "Set bias" : "Set weight";
    pop.setAttribute("aria-label", bias ? "Edit a bias" : "Edit a weight");
    error.textContent = "";
    error.hidden = true;
    input.value = String(value);
    input.removeAttribute("aria-invalid");
    pop.hidden = false;
    const box = pop.getBoundingClientRect();
    const x = Math.min(window.innerWidth - box.width - 12, Math.max(12, (clientX ?? window.innerWidth / 2) + 12));
    const y = Math.min(window.innerHeight - box.height - 12, Math.max(12, (clientY ?? window.innerHeight / 2) + 12));
    pop.style.left = `${x}px`;
    pop.style.top = `${y}px`;
    dialog.opened(input);
    input.select();
  }

  function close() {
    if (pop.hidden) return;
    pop.hidden = true;
    editing = null;
    dialog.closed();
  }

  /** Shows the server's refusal under the input. */
  function showError(err) {
    error.textContent = Array.isArray(err.detail) ? err.detail.map((d) => d.msg).join("; ") : err.message;
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
  }

  $("weight-form").addEventListener("submit", (e) => {
    e.preventDefault();
    if (editing) onSubmit(editing, input.value.trim());
  });
  $("weight-cancel").addEventListener("click", close);
  return { open, close, showError };
}

/** True for a host only this computer can reach (a student's phone cannot open it). */
export function isLoopback(host) {
  const h = String(host || "").replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h.endsWith(".localhost") || /^127(\.\d{1,3}){3}$/.test(h) || h === "::1" || h === "0.0.0.0" || h === "::";
}

/** Fills warn with why students cannot open joinUrl when its host is this computer only; hides it otherwise. */
export function showHostWarning(warn, joinUrl) {
  const url = new URL(joinUrl, window.location.href);
  warn.hidden = !isLoopback(url.hostname);
  warn.textContent = "";
  if (warn.hidden) return;
  const head = document.createElement("strong");
  head.textContent = `Students cannot reach ${url.host}: `;
  const port = url.port ? `:${url.port}` : "";
  warn.append(
    head,
    `that address means “this computer”. Open DeltaFlow by this machine's address on the classroom network ` +
      `(for example http://192.168.1.20${port}; \`hostname -I\` or your network settings show it), or start ` +
      `the server with DELTAFLOW_PUBLIC_URL set to that address; the link and the QR code then carry it.`,
  );
}

/** The sharing dialog and the room badge in the top bar. */
export function createRoomDialog() {
  const dialog = $("room-dialog");
  const badge = $("room-badge");
  const share = $("btn-share");
  const focus = modal(dialog, { onEscape: () => $("room-close").click() });
  const hide = () => {
    if (dialog.hidden) return;
    dialog.hidden = true;
    focus.closed();
  };
  return {
    get open() {
      return !dialog.hidden;
    },
    /** room: {code, joinUrl, qrUrl}; the link students open, with a warning when its host is this computer only. */
    show(room) {
      $("room-code").textContent = room.code;
      $("room-link").textContent = room.joinUrl;
      $("room-link").href = room.joinUrl;
      $("room-qr").src = room.qrUrl;
      // the presenter token rides in the fragment, which the browser never sends to the server
      $("room-dashboard").href = `/dashboard/${encodeURIComponent(room.code)}#token=${encodeURIComponent(room.token || "")}`;
      showHostWarning($("room-host-warning"), room.joinUrl);
      const was = dialog.hidden;
      dialog.hidden = false;
      if (was) focus.opened();
    },
    hide,
    /** The top bar while sharing: the badge with the room code (and followers), the Share button pressed. */
    sharing(code, followers = null) {
      badge.hidden = !code;
      badge.textContent = "";
      if (code) {
        const name = document.createElement("span");
        name.className = "badge-code";
        name.textContent = `Room ${code}`;
        badge.append(name);
        if (followers != null) {
          const n = document.createElement("span");
          n.className = "badge-count";
          // "following" may give way on a crowded projector bar; the number stays
          const words = document.createElement("span");
          words.className = "badge-words";
          words.textContent = " following";
          n.append(` · ${followers}`, words);
          badge.append(n);
        }
      }
      share.setAttribute("aria-pressed", String(!!code));
      share.textContent = code ? "Sharing" : "Share";
      if (!code) hide();
    },
  };
}

/** The keyboard legend: toggle(force) shows or hides it. */
export function createKeyLegend() {
  const legend = $("key-legend");
  const focus = modal(legend, { onEscape: () => toggle(false) });
  function toggle(force) {
    const show = force === undefined ? legend.hidden : force;
    if (show === !legend.hidden) return;
    legend.hidden = !show;
    $("btn-keys").setAttribute("aria-expanded", String(show));
    if (show) focus.opened();
    else focus.closed();
  }
  return { toggle };
}

/** The banner over the page when a network has diverged. */
export function showDiverged(net) {
  const banner = $("diverged");
  if (net && net.diverged) {
    // The server's message already says what to do; only a bare flag needs our advice.
    banner.textContent = net.message
      ? `This network has diverged: ${net.message}`
      : "This network has diverged. Lower the learning rate, or rebuild it.";
    banner.hidden = false;
  } else {
    banner.hidden = true;
  }
}

/** The saturation and loss-jump advice (models/health.js) over the page; show(source, text or null); it closes. */
export function createHealthNote() {
  const box = $("health-note");
  const notes = new Map();
  let closed = "";
  const text = document.createElement("span");
  const close = document.createElement("button");
  close.type = "button";
  close.className = "icon-btn";
  close.textContent = "×";
  close.setAttribute("aria-label", "Dismiss the note");
  box.textContent = "";
  box.append(text, close);
  const draw = () => {
    const now = [...notes.values()].join(" ");
    text.textContent = now;
    // a closed note stays closed until what it says changes
    box.hidden = !now || now === closed;
  };
  close.addEventListener("click", () => {
    closed = text.textContent;
    draw();
  });
  return {
    show(source, value) {
      if (value) notes.set(source, value);
      else notes.delete(source);
      draw();
    },
  };
}
