// KaTeX on the page: typesets LaTeX into an element, and text with $math$ parts. The one innerHTML path (KaTeX
// escapes its own markup); without KaTeX the source is shown as text.

/** Renders LaTeX into an element; KaTeX writes its own escaped markup, so this is the one innerHTML path. */
export function tex(el, latex, display = false) {
  if (!window.katex) {
    el.textContent = latex;
    return;
  }
  window.katex.render(latex, el, { throwOnError: false, displayMode: display, output: "htmlAndMathml", strict: "ignore" });
}

/** Writes text in which $...$ parts are LaTeX: words stay text nodes, math goes through KaTeX. */
export function mixed(el, text) {
  el.textContent = "";
  text.split(/(\$[^$]+\$)/).forEach((part) => {
    if (!part) return;
    if (part.startsWith("$") && part.endsWith("$")) {
      const span = document.createElement("span");
      tex(span, part.slice(1, -1));
      el.append(span);
    } else {
      el.append(document.createTextNode(part));
    }
  });
}

/**
 * Shrinks typeset math until it fits its box without a scroll bar, down to `least` per cent (measured again after
 * each shrink: rules and margins do not scale with the type); true if it fits.
 */
export function fitMath(el, least) {
  el.style.fontSize = "";
  let pct = 100;
  for (let k = 0; k < 4 && el.clientWidth > 0 && el.scrollWidth > el.clientWidth; k += 1) {
    pct = Math.max(least, Math.floor((pct * el.clientWidth) / el.scrollWidth) - 2);
    el.style.fontSize = `${pct}%`;
    if (pct === least) break;
  }
  return el.scrollWidth <= el.clientWidth;
}
