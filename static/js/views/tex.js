// KaTeX on the page, the one innerHTML path (KaTeX escapes its own markup): typesets LaTeX and text with $math$
// parts, holding math asked for before KaTeX loads (loadKatex) until it arrives, or showing its source without it.

// The vendored script, beside this module under the same content-hashed static prefix.
const KATEX_SRC = new URL("../../vendor/katex/katex.min.js", import.meta.url).href;
const pending = new Map(); // element -> [latex, display, fit least or null], typeset when KaTeX arrives
const ready = []; // callbacks to run once KaTeX has arrived
let loading = null;
let expected = false; // the page will load KaTeX later (expectKatex), so math waits instead of showing its source
let failed = false;

/** Says that this page loads KaTeX after its first drawing: until then math waits, empty, instead of showing source. */
export function expectKatex() {
  expected = !window.katex;
}

/** Loads KaTeX once (a no-op where the page already has it); resolves true when window.katex is there. */
export function loadKatex(doc = document) {
  if (window.katex) return Promise.resolve(true);
  if (!loading) {
    loading = new Promise((resolve) => {
      const script = doc.createElement("script");
      script.src = KATEX_SRC;
      script.onload = () => resolve(!!window.katex);
      script.onerror = () => resolve(false);
      doc.head.append(script);
    }).then((ok) => {
      failed = !ok;
      const waiting = [...pending];
      pending.clear();
      waiting.forEach(([el, [latex, display, least]]) => {
        tex(el, latex, display);
        if (least != null) fitMath(el, least);
      });
      ready.splice(0).forEach((fn) => fn(ok));
      return ok;
    });
  }
  return loading;
}

/** Runs fn(ok) once KaTeX has been loaded (at once if it is there), e.g. to typeset a panel again at its size. */
export function onKatex(fn) {
  if (window.katex) fn(true);
  else ready.push(fn);
}

/** Renders LaTeX into an element; KaTeX writes its own escaped markup, so this is the one innerHTML path. */
export function tex(el, latex, display = false) {
  if (!window.katex) {
    // Still on its way: leave the box empty rather than flash the LaTeX source, and typeset it on arrival.
    if ((expected || loading) && !failed) {
      el.textContent = "";
      pending.set(el, [latex, display, null]);
    } else {
      el.textContent = latex;
    }
    return;
  }
  pending.delete(el);
  el.replaceChildren(...Array.from(typeset(latex, display).childNodes, (n) => n.cloneNode(true)));
}

/** KaTeX's output for latex, from the cache or typeset now into a detached element. */
function typeset(latex, display) {
  const key = `${display ? "D" : "T"}${latex}`;
  let out = typesetCache.get(key);
  if (out) {
    typesetCache.delete(key); // most recently used last
  } else {
    out = document.createElement("span");
    window.katex.render(latex, out, { throwOnError: false, displayMode: display, output: "htmlAndMathml", strict: "ignore" });
  }
  typesetCache.set(key, out);
  if (typesetCache.size > CACHE_SIZE) typesetCache.delete(typesetCache.keys().next().value);
  return out;
}

/**
 * Typesets formulas that are likely to be shown next (the next step's), when the page is idle, so that showing
 * them is a copy from the cache; texts may hold $...$ parts, as for mixed().
 */
export function typesetSoon(latexes = [], texts = []) {
  if (!window.katex) return;
  // after the frame that shows this step has been presented (an idle moment inside a slow frame is still part of
  // it), then in an idle moment
  const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 0));
  setTimeout(() => idle(() => warm(latexes, texts), { timeout: 500 }), 200);
}

function warm(latexes, texts) {
  if (!window.katex) return;
  for (const latex of latexes) typeset(latex, false);
  for (const text of texts) for (const { math } of mathParts(text)) if (math != null) typeset(math, false);
}

/** The parts of a text with $...$ math: [{math: LaTeX}] or [{words}] in order, empty parts left out. */
function mathParts(text) {
  return text.split(/(\$[^$]+\$)/).filter(Boolean)
    .map((part) => (part.startsWith("$") && part.endsWith("$") ? { math: part.slice(1, -1) } : { words: part }));
}

// KaTeX's output for the formulas shown lately: a step shows again most of what the steps before it showed (the
// history, the values it reads), and copying typeset nodes costs a fraction of typesetting them again.
const CACHE_SIZE = 400;
const typesetCache = new Map(); // "D" or "T" + LaTeX -> an element holding KaTeX's output

/** Writes text in which $...$ parts are LaTeX: words stay text nodes, math goes through KaTeX. */
export function mixed(el, text) {
  el.textContent = "";
  for (const { math, words } of mathParts(text)) {
    if (math != null) {
      const span = document.createElement("span");
      tex(span, math);
      el.append(span);
    } else {
      el.append(document.createTextNode(words));
    }
  }
}

/**
 * Shrinks typeset math until it fits its box without a scroll bar, down to `least` per cent (measured again after
 * each shrink: rules and margins do not scale with the type); true if it fits.
 */
export function fitMath(el, least) {
  if (pending.has(el)) {
    pending.get(el)[2] = least; // measured once the math is there
    return true;
  }
  el.style.fontSize = "";
  let pct = 100;
  for (let k = 0; k < 4 && el.clientWidth > 0 && el.scrollWidth > el.clientWidth; k += 1) {
    pct = Math.max(least, Math.floor((pct * el.clientWidth) / el.scrollWidth) - 2);
    el.style.fontSize = `${pct}%`;
    if (pct === least) break;
  }
  return el.scrollWidth <= el.clientWidth;
}

// Fitting after the browser's own layout: the observer's callback runs once the frame has laid the page out, so the
// box is measured without forcing a layout of everything a step changed (the shrink, when needed, lays out the box
// again before the frame is painted). The typeset content stays observed until it is replaced, so KaTeX's fonts
// arriving later, which change its size, fit it again.
const watched = new Map(); // box -> the typeset content element observed for it
const fitting = new WeakMap(); // that content element -> [box, least]
let fitObserver = null;

/** fitMath(el, least) once the frame has been laid out, and again when its content changes size. */
export function fitMathSoon(el, least) {
  const content = el.firstElementChild;
  if (fitObserver && watched.has(el)) fitObserver.unobserve(watched.get(el));
  watched.delete(el);
  if (pending.has(el) || !content || typeof ResizeObserver === "undefined") {
    fitMath(el, least);
    return;
  }
  el.style.fontSize = "";
  fitObserver ||= new ResizeObserver((entries) => {
    for (const { target } of entries) {
      const job = fitting.get(target);
      if (job && watched.get(job[0]) === target) fitMath(job[0], job[1]);
    }
  });
  watched.set(el, content);
  fitting.set(content, [el, least]);
  fitObserver.observe(content);
}
