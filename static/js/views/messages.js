// Messages in the page, for both the main and the follower page: errors stay until dismissed, notes fade; they
// sit in a strip in the page's flow, so they never cover what the class reads.

/** Creates the message area in `box`; returns {say, guarded}. */
export function createMessages(box) {
  /** Shows a readable message; kind "error" (role=alert, stays) or "info" (role=status, fades after 4 s). */
  function say(text, kind = "error", { timeout } = {}) {
    const ms = timeout ?? (kind === "error" ? 0 : 4000);
    // the same note again (a refused key held down) is the one on screen, refreshed: never a second copy
    const same = [...box.querySelectorAll(`.message-${kind}`)].find((m) => m.firstElementChild.textContent === text);
    if (same) {
      clearTimeout(same.fade);
      if (ms) same.fade = setTimeout(() => same.remove(), ms);
      return same;
    }
    const item = document.createElement("div");
    item.className = `message message-${kind}`;
    item.setAttribute("role", kind === "error" ? "alert" : "status");
    const span = document.createElement("span");
    span.textContent = text;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "icon-btn";
    close.textContent = "×";
    close.setAttribute("aria-label", "Dismiss message");
    close.addEventListener("click", () => item.remove());
    item.append(span, close);
    // one note at a time: a newer one replaces it, so the strip stays one line deep for passing news
    if (kind !== "error") for (const old of box.querySelectorAll(".message-info")) old.remove();
    box.append(item);
    while (box.children.length > 3) box.firstElementChild.remove();
    if (ms) item.fade = setTimeout(() => item.remove(), ms);
    return item;
  }

  /** Runs an async action and turns any failure into a page message instead of a console error. */
  async function guarded(what, fn) {
    try {
      return await fn();
    } catch (err) {
      say(`${what}: ${err.message || err}`);
      return undefined;
    }
  }

  return { say, guarded };
}

/** Turns unhandled promise rejections into page messages: the last line of defence. */
export function catchStrays(say) {
  window.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    say(`Unexpected error: ${e.reason && e.reason.message ? e.reason.message : e.reason}`);
  });
}

/** Redraws a figure after its box changed size, once the resizing settles. */
export function onResize(el, redraw) {
  let timer = null;
  new ResizeObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(redraw, 60);
  }).observe(el);
}

/** Resolves true once plotly.min.js (loaded async, see the page's template) has run, false if it failed to load. */
export function plotlyReady() {
  if (window.Plotly) return Promise.resolve(true);
  const el = document.getElementById("plotly-js");
  // An async script holds back the window's load event, so a complete document without Plotly means it failed.
  if (!el || document.readyState === "complete") return Promise.resolve(false);
  return new Promise((resolve) => {
    el.addEventListener("load", () => resolve(!!window.Plotly), { once: true });
    el.addEventListener("error", () => resolve(false), { once: true });
  });
}
