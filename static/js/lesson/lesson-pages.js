// A stage's text in parts that each fit the panel without scrolling (projector mode): the blocks (words, the
// computation, each formula, the table, each note) are measured and dealt out in order; → shows the next part.

const OFF = "off-page";

// The operation graph and the nudge (.ops) are dealt row by row: a node's operations or the nudge's table and plot
// are taller than a part, so they go on over the next parts like the stage's text.
const NESTS = ".ops, .ops-card, .op-list, .op-node";

/** The panel's blocks in reading order: a box's children count one by one, so formulas and notes split apart. */
function blocksOf(panel) {
  const out = [];
  const open = (box) => {
    for (const c of box.children) {
      if (!c.matches(NESTS)) out.push(c);
      else if (!c.hidden) open(c);
    }
  };
  for (const child of panel.children) {
    if (child.matches(".lesson-kicker, .lesson-title")) continue;
    if (child.matches(".lesson-formulas, .lesson-notes, .lesson-table-wrap")) out.push(...child.children);
    else if (child.matches(".ops") && !child.hidden) open(child);
    else out.push(child);
  }
  return out;
}

/** A box of the graph or the nudge whose rows are all on other parts takes no room (nor draws its frame) here. */
function foldNests(panel, active) {
  for (const box of [...panel.querySelectorAll(NESTS)].reverse()) {
    const kept = active ? box.querySelector(`:scope > :not(.${OFF}):not([hidden])`) : true;
    box.classList.toggle(OFF, !kept);
  }
}

/**
 * Splits the blocks' tops and bottoms (pixels, in flow) into pages of at most `room` pixels each, from `start`
 * (where the first block begins): [[first block, last block], ...]. A block taller than a page gets one alone.
 */
export function dealPages(boxes, start, room) {
  const pages = [];
  let from = 0;
  while (from < boxes.length) {
    let to = from;
    const top = boxes[from].top;
    while (to + 1 < boxes.length && start + boxes[to + 1].bottom - top <= room) to += 1;
    pages.push([from, to]);
    from = to + 1;
  }
  return pages;
}

/** The pager of one panel: lay(on, keepPage) deals the current content, turn(by) moves a part, part() reads it. */
export function createPager(panel, kicker) {
  let pages = [[0, Infinity]];
  let page = 0;
  let active = false;

  function show() {
    let [lo, hi] = pages[page] || [0, Infinity];
    blocksOf(panel).forEach((b, k) => b.classList.toggle(OFF, k < lo || k > hi));
    foldNests(panel, active);
    // margins the measure missed: a part that still scrolls hands its last block on to a part of its own
    while (active && hi > lo && panel.scrollHeight > panel.clientHeight) {
      pages.splice(page, 1, [lo, hi - 1], [hi, hi]);
      hi -= 1;
      blocksOf(panel).forEach((b, k) => b.classList.toggle(OFF, k < lo || k > hi));
      foldNests(panel, active);
    }
    panel.dataset.part = `${page + 1}/${pages.length}`;
    const note = kicker.querySelector(".lesson-part-of") || kicker.appendChild(document.createElement("span"));
    note.className = "lesson-part-of";
    note.textContent = pages.length > 1 ? ` · part ${page + 1} of ${pages.length}${page + 1 < pages.length ? " →" : ""}` : "";
  }

  const pager = {
    /** Deals the panel's blocks into parts when `on` (else one part, all shown); keepPage: stay on the same part. */
    lay(on, keepPage) {
      active = on;
      for (const b of blocksOf(panel)) b.classList.remove(OFF);
      foldNests(panel, false);
      const shown = blocksOf(panel).filter((b) => b.offsetParent !== null);
      if (!on || !shown.length) {
        pages = [[0, Infinity]];
        page = 0;
        return show();
      }
      const all = blocksOf(panel);
      const base = panel.getBoundingClientRect().top - panel.scrollTop;
      const boxes = all.map((b) => {
        const r = b.getBoundingClientRect();
        // a hidden block takes no room: it sits where the next one starts
        return b.offsetParent === null ? null : { top: r.top - base, bottom: r.bottom - base + parseFloat(getComputedStyle(b).marginBottom || "0") };
      });
      // hidden blocks ride along with the block before them (or the first shown one)
      let last = boxes.find(Boolean);
      const filled = boxes.map((b) => (b ? (last = b) : { top: last.bottom, bottom: last.bottom }));
      const pad = parseFloat(getComputedStyle(panel).paddingBottom || "0");
      const room = panel.clientHeight - pad;
      pages = dealPages(filled, filled[0].top, room);
      page = keepPage ? Math.min(page, pages.length - 1) : 0;
      return show();
    },
    /** Moves by ±1 part; false when there is no such part in this stage (the caller changes the stage). */
    turn(by) {
      const next = page + by;
      if (next < 0 || next >= pages.length) return false;
      page = next;
      show();
      return true;
    },
    /** Whether there is a part after (by = 1) or before (by = −1) this one. */
    has: (by) => page + by >= 0 && page + by < pages.length,
    /** Shows the last part (going back into a stage reads it from its end). */
    toEnd() {
      page = pages.length - 1;
      show();
    },
  };
  // the graph and the nudge arrive after the stage is laid out (fetched, then typeset): deal again as they change
  const ops = panel.querySelector(".ops");
  let queued = false;
  if (ops && typeof MutationObserver !== "undefined") {
    new MutationObserver(() => {
      if (queued || !active) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        if (active) pager.lay(true, true);
      });
    }).observe(ops, { childList: true, subtree: true, attributes: true, attributeFilter: ["hidden"] });
  }
  return pager;
}
