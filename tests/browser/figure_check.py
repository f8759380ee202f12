"""What the network figure writes, read from the page: each label's kind (weight, bias, node value, title, or one
of the lesson's callouts over it), its parameter or node, its text and its box on screen, and the edges as segments
between node centres. Used to check that every label that should show is there, readable (over no other label and
no edge it does not belong to), and equal to the engine's value at the precision shown."""

from __future__ import annotations

import re
from typing import Any

# Node centres follow models/layout.js buildGeometry: layer l at x = l - 1, node j at y = (n + 1) / 2 - j.
READ_FIGURE = """(layers) => {
  const el = document.getElementById('network-figure-plot');
  const lay = el.layout; const ann = lay.annotations || [];
  const rect = el.getBoundingClientRect();
  const m = lay.margin; const [x0, x1] = lay.xaxis.range; const [y0, y1] = lay.yaxis.range;
  const px = (x, y) => [rect.left + m.l + (x - x0) * (lay.width - m.l - m.r) / (x1 - x0),
                        rect.top + m.t + (y1 - y) * (lay.height - m.t - m.b) / (y1 - y0)];
  const labels = [];
  for (const g of el.querySelectorAll('g.annotation')) {
    const a = ann[Number(g.dataset.index)];
    if (!a || a.visible === false) continue;
    const r = (g.querySelector('.bg') || g).getBoundingClientRect();
    const h = a.hovertext || '';
    let kind = 'value'; let key = null; let hit;
    if (a.yref === 'paper') kind = 'title';
    else if ((hit = h.match(/^<b>w<sub>(\\d)(\\d)<\\/sub><sup>(\\d+)<\\/sup>/))) {
      kind = 'w'; key = [+hit[3], +hit[1], +hit[2]];
    } else if (a.captureevents && (hit = h.match(/b<sub>(\\d+)<\\/sub><sup>(\\d+)<\\/sup>/))) {
      kind = 'b'; key = [+hit[2], +hit[1]];
    }
    else {
      const l = Math.round(a.x) + 1; const n = layers[l - 1];
      key = n ? [l, Math.round((n + 1) / 2 - a.y)] : ['loss'];
    }
    labels.push({ kind, key, text: g.textContent, box: [r.left, r.top, r.right, r.bottom] });
  }
  // the lesson's callouts are HTML over the figure, not Plotly's annotations, yet labels of it all the same
  for (const c of document.querySelectorAll('#network-figure .lesson-callouts .callout')) {
    if (!c.checkVisibility()) continue;
    const r = c.getBoundingClientRect();
    const tex = c.querySelector('annotation');
    labels.push({ kind: 'callout', key: null, text: tex ? tex.textContent : c.textContent,
                  box: [r.left, r.top, r.right, r.bottom] });
  }
  const centre = (l, j) => px(l - 1, (layers[l - 1] + 1) / 2 - j);
  const edges = [];
  for (let l = 2; l <= layers.length; l += 1)
    for (let j = 1; j <= layers[l - 1]; j += 1)
      for (let i = 1; i <= layers[l - 2]; i += 1) edges.push({ l, j, i, a: centre(l - 1, i), b: centre(l, j) });
  return { labels, edges };
}"""


def read_figure(page: Any, layers: list[int]) -> dict[str, Any]:
    figure: dict[str, Any] = page.evaluate(READ_FIGURE, layers)
    return figure


def _overlap(p: list[float], q: list[float], slack: float = 1.0) -> bool:
    return min(p[2], q[2]) - max(p[0], q[0]) > slack and min(p[3], q[3]) - max(p[1], q[1]) > slack


def _crosses(box: list[float], a: list[float], b: list[float], inset: float = 2.0) -> bool:
    """Whether the segment a-b passes through the box (shrunk by `inset`, so a line grazing a frame passes)."""
    left, top, right, bottom = box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset
    lo, hi = 0.0, 1.0
    dx, dy = b[0] - a[0], b[1] - a[1]
    for p, q in ((-dx, a[0] - left), (dx, right - a[0]), (-dy, a[1] - top), (dy, bottom - a[1])):
        if p == 0:
            if q < 0:
                return False
        elif p < 0:
            lo = max(lo, q / p)
        else:
            hi = min(hi, q / p)
        if lo > hi:
            return False
    return True


def label_problems(figure: dict[str, Any], want_w: set[tuple[int, int, int]],
                   want_b: set[tuple[int, int]]) -> list[str]:
    """Labels missing (want_w / want_b: the weights and biases that have a value to show), over another label, or
    over an edge they do not belong to (a bias on any edge, a weight on another layer's edge)."""
    labels = figure["labels"]
    problems = []
    have_w = {tuple(lb["key"]) for lb in labels if lb["kind"] == "w"}
    have_b = {tuple(lb["key"]) for lb in labels if lb["kind"] == "b"}
    problems += [f"weight label w{k} missing" for k in sorted(want_w - have_w)]
    problems += [f"bias label b{k} missing" for k in sorted(want_b - have_b)]
    for n, p in enumerate(labels):
        for q in labels[n + 1:]:
            if _overlap(p["box"], q["box"]):
                problems.append(f"{p['kind']} {p['text']!r} over {q['kind']} {q['text']!r}")
        if p["kind"] not in ("w", "b"):
            continue
        for e in figure["edges"]:
            if p["kind"] == "w" and e["l"] == p["key"][0]:
                continue
            if _crosses(p["box"], e["a"], e["b"]):
                problems.append(f"{p['kind']} label {p['text']!r} over edge w{(e['l'], e['j'], e['i'])}")
    return problems


NUMBER = re.compile(r"[−-]?\d+(?:\.\d+)?(?:e[−-]?\d+)?")


def numbers(text: str) -> list[str]:
    """The numbers a label writes, as written (with the typographic minus)."""
    return NUMBER.findall(text)


def _number(text: str) -> float:
    return float(text.replace("\u2212", "-"))


def _agrees(written: str, value: float) -> bool:
    """Whether a number as written equals `value` at the precision shown (half a unit of its last digit)."""
    mantissa, _, exponent = written.replace("\u2212", "-").partition("e")
    decimals = len(mantissa.partition(".")[2])
    unit = 10.0 ** (-decimals) * (10.0 ** int(exponent) if exponent else 1.0)
    return abs(_number(written) - value) <= 0.5 * unit * (1 + 1e-9) + 1e-12


SYMBOLS = {"x": "a", "a": "a", "z": "z", "δ": "delta", "∂L/∂a": "grad_a"}


def value_problems(figure: dict[str, Any], network: dict[str, Any], events: list[dict[str, Any]], p: int) -> list[str]:
    """Every number a label writes against the engine's value at position p (the trace's events before p, else the
    network's parameters): weights and biases (their value, updated value or gradient), node values and the loss."""
    latest: dict[tuple[Any, ...], float] = {}
    for ev in events[:p]:
        latest[(ev["quantity"], ev["l"], ev["j"], ev.get("i"))] = ev["value"]
    backward = bool(p) and events[p - 1]["phase"] == "backward"
    problems = []
    for label in figure["labels"]:
        kind, key, text = label["kind"], label["key"], label["text"]
        found = numbers(text)
        if kind in ("w", "b"):
            l, j, *rest = key
            i = rest[0] if rest else None
            if backward:
                want = latest.get(("grad_w" if i else "grad_b", l, j, i))
            else:
                stored = network["weights"][l - 2][j - 1][i - 1] if i else network["biases"][l - 2][j - 1]
                want = latest.get(("w" if i else "b", l, j, i), stored)
            if want is None or len(found) != 1 or not _agrees(found[-1], want):
                problems.append(f"{kind}{tuple(key)} writes {text!r}, the engine has {want}")
        elif kind == "value" and key == ["loss"]:
            loss = re.search(r"ℒ = (\S+?)(?:t|$)", text)
            want = latest.get(("loss", len(network["layers"]), None, None))
            if loss and (want is None or not _agrees(loss.group(1), want)):
                problems.append(f"the loss label writes {text!r}, the engine has {want}")
        elif kind == "value":
            symbol, _, written = text.partition("=")
            quantity = SYMBOLS.get(symbol.strip())
            want = latest.get((quantity, key[0], key[1], None))
            if quantity is None or want is None or len(found) != 1 or not _agrees(found[0], want):
                problems.append(f"node {tuple(key)} writes {text!r}, the engine has {quantity} = {want}")
    return problems
