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
