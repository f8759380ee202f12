"""Every screen a class uses, measured in Chromium: no sideways scrolling, no text cut by its box or hidden under
another, the phone and tablet rules (network at most about half the screen, formula in view, a fixed Prev/Next bar
with 44 px targets, touch hints, the room code in the header), and 24 px type on a 720p projector."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.conftest import SCREENSHOTS, settle

pytestmark = pytest.mark.browser

SIZES: dict[str, dict[str, Any]] = {
    "phone": {
        "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2,
    },
    "tablet": {"viewport": {"width": 768, "height": 1024}, "is_mobile": True, "has_touch": True},
    "laptop": {"viewport": {"width": 1366, "height": 768}},
    "projector": {"viewport": {"width": 1280, "height": 720}},
    "fullhd": {"viewport": {"width": 1920, "height": 1080}},
}
STEPS = (0, 11, 35)

# Runs in the page: every text box (a text node's line boxes, a whole KaTeX formula, a figure's SVG text) and
# what is wrong with it. Scroll containers by design (overflow auto/scroll) may hide text; nothing else may.
AUDIT = r"""
() => {
  const W = innerWidth, H = innerHeight;
  const out = {
    scrollWidth: document.scrollingElement.scrollWidth, innerWidth: W, cut: [], covered: [], overlap: [], offscreen: [],
  };
  // text kept off screen for assistive technology (.visually-hidden) is clipped by design
  const skip = (el) => el.closest('.katex-mathml, script, style, option, select, .messages, .hoverlayer, '
    + '[aria-hidden="true"]:not(svg), #weight-editor, .network-edges, .visually-hidden');
  const shown = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
  const pinned = (e) => {
    for (; e && e !== document.body; e = e.parentElement) {
      const p = getComputedStyle(e).position;
      if (p === 'fixed' || p === 'sticky') return e;
    }
    return null;
  };
  const name = (el) => {
    if (el instanceof SVGElement) return `svg text in #${(el.closest('[id]') || {}).id}`;
    const id = el.id ? '#' + el.id : '';
    const cls = typeof el.className === 'string' && el.className
      ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    return el.tagName.toLowerCase() + id + cls;
  };
  const boxes = [];
  // a box a scroll container has scrolled out of its view is not on screen: it is neither cut nor covered
  const scrolledAway = (el, r) => {
    const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a);
      if (![o.overflowX, o.overflowY].some((v) => v === 'auto' || v === 'scroll')) continue;
      const ar = a.getBoundingClientRect();
      if (x < ar.left || x > ar.right || y < ar.top || y > ar.bottom) return true;
    }
    return false;
  };
  const add = (el, rects, text) => {
    for (const r of rects) {
      if (r.width > 1 && r.height > 1 && !scrolledAway(el, r)) boxes.push({ el, r, text: text.trim().slice(0, 40) });
    }
  };
  document.querySelectorAll('.katex').forEach((k) => {
    // a formula may break across lines: one box per line
    if (!skip(k.parentElement) && shown(k)) add(k, k.getClientRects(), k.textContent);
  });
  document.querySelectorAll('svg text').forEach((t) => {
    if (t.textContent.trim() && !skip(t) && shown(t)) add(t, [t.getBoundingClientRect()], t.textContent);
  });
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || el.closest('.katex, svg') || skip(el) || !shown(el)) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    add(el, range.getClientRects(), n.textContent);
  }
  const sx = scrollX, sy = scrollY;
  for (const b of boxes) {
    const r = b.r;
    const scrolled = (e) => {
      for (; e && e !== document.body; e = e.parentElement) {
        const o = getComputedStyle(e).overflowX;
        if (o === 'auto' || o === 'scroll') return true;
      }
      return false;
    };
    if ((r.left < -1 || r.right > W + 1) && !scrolled(b.el)) {
      out.offscreen.push(`${name(b.el)} "${b.text}" x ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
    const first = b.el instanceof SVGElement ? b.el.parentElement : b.el;
    for (let a = first; a && a !== document.body; a = a.parentElement) {
      const cs = getComputedStyle(a);
      const scrolls = (v) => v === 'auto' || v === 'scroll';
      const ar = a.getBoundingClientRect();
      const xcut = cs.overflowX !== 'visible' && !scrolls(cs.overflowX)
        && (r.left < ar.left - 1 || r.right > ar.right + 1);
      const ycut = cs.overflowY !== 'visible' && !scrolls(cs.overflowY)
        && (r.top < ar.top - 1 || r.bottom > ar.bottom + 1);
      if (xcut || ycut) {
        out.cut.push(`${name(b.el)} "${b.text}" cut by ${name(a)}`);
        break;
      }
    }
  }
  // two text boxes on one another (their ink boxes, a little inset: line boxes of one paragraph may touch)
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const p = boxes[i], q = boxes[j];
      if (p.el === q.el) continue;
      // content scrolls under the sticky header and the fixed bar by design
      if (pinned(p.el) !== pinned(q.el)) continue;
      // tick labels inside the training charts are Plotly's own layout (the charts' module, not the page's)
      if (p.el.closest('#training .chart') && q.el.closest('#training .chart')) continue;
      if (p.el.contains(q.el) || q.el.contains(p.el)) continue;
      const w = Math.min(p.r.right, q.r.right) - Math.max(p.r.left, q.r.left);
      const h = Math.min(p.r.bottom, q.r.bottom) - Math.max(p.r.top, q.r.top);
      if (w > 3 && h > Math.min(p.r.height, q.r.height) * 0.3) {
        out.overlap.push(`${name(p.el)} "${p.text}" / ${name(q.el)} "${q.text}"`);
      }
    }
  }
  // text under another box: hit-test the middle of every HTML text box in view (figures are checked by overlap)
  for (const b of boxes) {
    if (b.el.closest('svg') || b.el.closest('.katex')) continue;
    const r = b.r;
    const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
    if (y < 0 || y >= H || x < 0 || x >= W) continue;
    const hit = document.elementFromPoint(x, y);
    if (!hit || hit === b.el || b.el.contains(hit) || hit.contains(b.el)) continue;
    if (b.el.closest('label') && b.el.closest('label').contains(hit)) continue;
    // scrolled under a fixed or sticky bar is fine; a box that is not fixed on top of text is not
    const f = pinned(hit);
    if (f && !f.contains(b.el)) continue;
    out.covered.push(`${name(b.el)} "${b.text}" under ${name(hit)}`);
  }
  return out;
}
"""

FONTS = r"""
() => {
  const px = (el) => parseFloat(getComputedStyle(el).fontSize);
  const min = (els) => els.length ? Math.min(...els.map(px)) : null;
  const q = (s) => [...document.querySelectorAll(s)].filter((e) => e.checkVisibility() && e.textContent.trim());
  return {
    formula: min(q('#formula-math .katex')),
    words: min(q('#formula-words')),
    phases: min(q('.phase-btn')),
    figure: min(q('#network-figure-plot svg text')),
    player: min(q('#step-label, #loss-readout')),
    // every text the header writes itself (the network's line, the room's code, the buttons)
    header: min([...document.querySelectorAll('.topbar *')].filter((e) => e.checkVisibility()
      && [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim()))),
  };
}
"""


def audit(page: Any) -> dict[str, Any]:
    """The audit at the top of the page and then a screen further down each time, to its end."""
    found: dict[str, Any] = {"cut": set(), "covered": set(), "overlap": set(), "offscreen": set()}
    height = page.evaluate("document.scrollingElement.scrollHeight")
    step = page.evaluate("innerHeight") - 100
    y = 0
    while True:
        page.evaluate("y => window.scrollTo(0, y)", y)
        got = page.evaluate(AUDIT)
        found["scrollWidth"], found["innerWidth"] = got["scrollWidth"], got["innerWidth"]
        for key in ("cut", "covered", "overlap", "offscreen"):
            found[key].update(got[key])
        y += step
        if y >= height - step / 2:
            break
    page.evaluate("window.scrollTo(0, 0)")
    return found


def assert_clean(page: Any, what: str) -> None:
    got = audit(page)
    width = page.evaluate("innerWidth")
    assert width == page.viewport_size["width"], f"{what}: the layout viewport is {width} px wide"
    wide = got["scrollWidth"]
    assert wide <= got["innerWidth"], f"{what}: scrolls sideways ({wide} > {got['innerWidth']})"
    for key in ("offscreen", "cut", "covered", "overlap"):
        assert not got[key], f"{what}: text {key}: {sorted(got[key])[:8]}"


@pytest.fixture(scope="module")
def contexts(browser: Any, base_url: str) -> Iterator[dict[str, Any]]:
    made: dict[str, Any] = {}

    class Lazy(dict):  # type: ignore[type-arg]
        def __missing__(self, size: str) -> Any:
            ctx = browser.new_context(base_url=base_url, **SIZES[size])
            made[size] = ctx
            self[size] = ctx
            return ctx

    yield Lazy()
    for ctx in made.values():
        ctx.close()


@pytest.fixture(scope="module")
def xor(base_url: str) -> dict[str, Any]:
    r = httpx.post(f"{base_url}/api/networks", json={"preset": "xor"})
    assert r.status_code == 201, r.text
    return dict(r.json())


def main_url(net: str, step: int, size: str) -> str:
    return f"/?net={net}&sample=0&step={step}" + ("&projector=1" if size == "projector" else "")


def open_main(ctx: Any, url: str) -> Any:
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=60_000)
    settle(page)
    page.errors = errors
    return page


def phone_rules(page: Any, size: str, what: str) -> None:
    """On a phone or tablet: the network at most about half the screen, the formula in view with it, a fixed
    Prev/Next bar of 44 px targets, touch hints instead of keyboard hints."""
    if size not in ("phone", "tablet"):
        return
    geo = page.evaluate(
        """() => {
        const r = (s) => { const e = document.querySelector(s); return e ? e.getBoundingClientRect().toJSON() : null; };
        const bar = document.querySelector('.touch-bar');
        return {
          h: innerHeight, fig: r('#network-figure'), formula: r('#formula-math'),
          bar: bar && bar.checkVisibility() ? getComputedStyle(bar).position : null,
          buttons: [...document.querySelectorAll('.touch-bar button')].filter(b => b.checkVisibility())
                   .map(b => [b.id, b.getBoundingClientRect().width, b.getBoundingClientRect().height]),
          keyHints: [...document.querySelectorAll('.key-hint')].filter(e => e.checkVisibility()).length,
          touchHints: [...document.querySelectorAll('.touch-hint')].filter(e => e.checkVisibility()).length,
        };
    }"""
    )
    assert geo["fig"]["height"] <= geo["h"] * 0.55, f"{what}: the network takes {geo['fig']['height']} of {geo['h']} px"
    assert geo["formula"]["top"] < geo["h"] - 140, f"{what}: the formula starts at {geo['formula']['top']} px"
    assert geo["bar"] == "fixed", f"{what}: no fixed Prev/Next bar"
    assert len(geo["buttons"]) >= (2 if "main" in what else 1), geo["buttons"]
    for bid, w, h in geo["buttons"]:
        assert w >= 44 and h >= 44, f"{what}: #{bid} is {w}x{h}"
    assert geo["keyHints"] == 0 and geo["touchHints"] >= 1, f"{what}: hints {geo}"


def projector_rules(page: Any, size: str, what: str) -> None:
    if size != "projector":
        return
    fonts = page.evaluate(FONTS)
    for part, px in fonts.items():
        # a crowded figure's labels shrink, down to 16 px, before a weight or a bias is left out (network-traces.js)
        least = 16 if part == "figure" else 24
        assert px is not None and px >= least, f"{what}: {part} text is {px} px in projector mode"


def legend_ticks_apart(page: Any, what: str) -> None:
    """Each colour bar shows its numbers, side by side with room between them."""
    bars = page.evaluate(
        """() => [...document.querySelectorAll('.legend-ticks')].map(t => [...t.children]
            .map(c => ({text: c.textContent, shown: c.checkVisibility(), ...c.getBoundingClientRect().toJSON()})))"""
    )
    assert bars, f"{what}: no colour bars"
    for every in bars:
        ticks = [t for t in every if t["shown"]]
        # the ends at least (a projector's one-line key leaves out the middle)
        assert every[0] in ticks and every[-1] in ticks and all(t["text"] for t in ticks), f"{what}: {every}"
        for a, b in zip(ticks, ticks[1:], strict=False):
            assert b["left"] - a["right"] >= 4, f"{what}: colour-bar numbers run together: {a['text']}{b['text']}"


NOTICE_RECTS = """() => {
  const r = (e) => e.getBoundingClientRect().toJSON();
  const shown = (s) => [...document.querySelectorAll(s)].filter((e) => e.checkVisibility()).map(r);
  return { notices: shown('.message, .health-note'), parts: shown('#formula, .phases, .player, .touch-bar') };
}"""


@pytest.mark.parametrize("size", ["phone", "projector", "laptop"])
def test_notices_never_cover_the_formula_the_phases_or_the_player(contexts: dict[str, Any], size: str) -> None:
    projector = "&projector=1" if size == "projector" else ""
    page = open_main(contexts[size], f"/?net=doesnotexist000000000&step=3{projector}")
    page.wait_for_selector(".message-error")
    got = page.evaluate(NOTICE_RECTS)
    page.screenshot(path=str(SCREENSHOTS / f"screen-notice-{size}.png"))
    assert got["notices"] and got["parts"]
    for n in got["notices"]:
        for part in got["parts"]:
            beside = min(n["right"], part["right"]) <= max(n["left"], part["left"])
            apart = beside or min(n["bottom"], part["bottom"]) <= max(n["top"], part["top"])
            assert apart, f"{size}: a notice {n} covers {part}"
    page.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_main_page_fits_every_screen(contexts: dict[str, Any], xor: dict[str, Any], size: str) -> None:
    for step in STEPS:
        page = open_main(contexts[size], main_url(xor["id"], step, size))
        what = f"main page, {size}, step {step}"
        assert page.eval_on_selector("#network-figure", "e => e.dataset.position") == str(step)
        page.screenshot(path=str(SCREENSHOTS / f"screen-main-{size}-step{step}.png"))
        if step == STEPS[0]:
            page.screenshot(path=str(SCREENSHOTS / f"screen-main-{size}-full.png"), full_page=True)
        assert_clean(page, what)
        phone_rules(page, size, what)
        projector_rules(page, size, what)
        # the matrix view never hides a scroll; the snapshot table shows its last column
        fit = page.evaluate(
            """() => {
            const m = document.getElementById('matrix-math');
            const t = document.getElementById('snapshot-table');
            const cells = t ? [...t.querySelectorAll('tr')].map(r => r.lastElementChild).filter(Boolean) : [];
            const box = t && t.parentElement.getBoundingClientRect();
            return {
              matrix: m.checkVisibility() ? [m.scrollWidth, m.clientWidth] : [0, 0],
              lastColumn: cells.every(c => !c.checkVisibility() || c.getBoundingClientRect().right <= box.right + 1),
            };
        }"""
        )
        assert fit["matrix"][0] <= fit["matrix"][1] + 1, f"{what}: the matrix view scrolls {fit['matrix']}"
        legend_ticks_apart(page, what)
        assert fit["lastColumn"], f"{what}: the snapshot table cuts its last column"
        assert page.errors == []
        page.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_follower_page_fits_every_screen(contexts: dict[str, Any], base_url: str, size: str) -> None:
    net = httpx.post(f"{base_url}/api/networks", json={"preset": "xor", "protected": True}).json()
    room = httpx.post(f"{base_url}/api/rooms", json={"network_id": net["id"]},
                      headers={"Authorization": f"Bearer {net['token']}"})
    assert room.status_code == 201, room.text
    code, token = room.json()["code"], room.json()["presenter_token"]
    r = httpx.post(
        f"{base_url}/api/rooms/{code}/state", headers={"Authorization": f"Bearer {token}"},
        json={"position": 11, "phase": "forward"},
    )
    assert r.status_code == 200, r.text
    page = contexts[size].new_page()
    page.goto(f"/join/{code}" + ("?projector=1" if size == "projector" else ""))
    page.wait_for_selector("body[data-ready='true'][data-position='11']", timeout=60_000)
    page.wait_for_selector("#network-figure .main-svg")
    settle(page)
    what = f"follower page, {size}"
    page.screenshot(path=str(SCREENSHOTS / f"screen-follower-{size}.png"))
    assert_clean(page, what)
    phone_rules(page, size, what)
    # the room code is in the header at every size
    code_box = page.eval_on_selector("#room-code", "e => e.checkVisibility() && e.closest('header') !== null")
    assert code_box, f"{what}: no room code in the header"
    page.close()


def test_lesson_page_fits_every_screen_if_there_is_one(contexts: dict[str, Any], base_url: str) -> None:
    if httpx.get(f"{base_url}/lesson").status_code != 200:
        pytest.skip("no /lesson page in this build")
    for size in SIZES:
        page = contexts[size].new_page()
        page.goto("/lesson" + ("?projector=1" if size == "projector" else ""))
        page.wait_for_load_state("networkidle")
        page.wait_for_selector("body[data-ready='true']")
        settle(page)
        page.screenshot(path=str(SCREENSHOTS / f"screen-lesson-{size}.png"))
        got = audit(page)
        assert got["scrollWidth"] <= got["innerWidth"], f"lesson, {size}: scrolls sideways"
        page.close()


@pytest.mark.parametrize("size", ["phone", "laptop", "projector"])
def test_share_dialog_leaves_the_formula_in_view_and_warns_of_a_loopback_link(
    contexts: dict[str, Any], base_url: str, size: str
) -> None:
    # a room presents only a protected network, shared by the browser that holds its token
    mine = httpx.post(f"{base_url}/api/networks", json={"preset": "xor", "protected": True}).json()
    page = open_main(contexts[size], main_url(mine["id"], 11, size))
    page.evaluate("([id, token]) => localStorage.setItem(`deltaflow-token:${id}`, token)", [mine["id"], mine["token"]])
    page.click("#btn-share")
    page.wait_for_selector("#room-dialog:not([hidden]) #room-code:not(:empty)")
    page.wait_for_selector("#room-badge:not([hidden])")
    settle(page)
    page.screenshot(path=str(SCREENSHOTS / f"screen-share-{size}.png"))
    # the test server is on 127.0.0.1: the page says students cannot reach it, and how to fix that
    warning = page.locator("#room-host-warning")
    assert warning.is_visible()
    assert "127.0.0.1" in warning.inner_text() and "DELTAFLOW_PUBLIC_URL" in warning.inner_text()
    boxes = page.evaluate(
        """() => {
        const r = (s) => document.querySelector(s).getBoundingClientRect().toJSON();
        return { dialog: r('#room-dialog'), formula: r('#formula-math'), badge: r('#room-badge'), w: innerWidth };
    }"""
    )
    d, f, b = boxes["dialog"], boxes["formula"], boxes["badge"]
    if size != "phone":  # a phone has no room beside the dialog; there it is closed with × after scanning
        apart = d["right"] <= f["left"] or f["right"] <= d["left"] or d["bottom"] <= f["top"] or f["bottom"] <= d["top"]
        assert apart, f"{size}: the sharing dialog covers the formula: {d} / {f}"
    # the room code is in the header, inside the screen
    assert page.locator("#room-badge").inner_text().startswith("Room ")
    assert 0 <= b["left"] and b["right"] <= boxes["w"], f"{size}: the room badge is off screen: {b}"
    page.click("#room-close")
    settle(page)
    assert_clean(page, f"main page sharing, {size}")
    projector_rules(page, size, f"main page sharing, {size}")  # the header with the room's code beside the rest
    page.close()


@pytest.mark.parametrize("size", ["phone", "laptop", "projector"])
def test_three_class_network_fits_every_screen(contexts: dict[str, Any], base_url: str, size: str) -> None:
    lines = (SCREENSHOTS.parents[1] / "tests" / "browser" / "three_classes.csv").read_text().splitlines()[1:]
    rows = [line.split(",") for line in lines]
    spec = {
        "layers": [2, 2, 3], "activations": ["sigmoid", "softmax"], "loss": "cross_entropy", "learning_rate": 0.5,
        "dataset": {
            "inputs": [[float(r[0]), float(r[1])] for r in rows],
            "targets": [[1.0 if int(r[2]) == c else 0.0 for c in range(3)] for r in rows],
        },
    }
    made = httpx.post(f"{base_url}/api/networks", json=spec)
    assert made.status_code == 201, made.text
    net = made.json()["id"]
    events = httpx.post(f"{base_url}/api/networks/{net}/trace", json={"sample": 0}).json()["events"]
    loss_at = next(k for k, ev in enumerate(events) if ev["quantity"] == "loss") + 1
    for step in (loss_at, len(events)):
        page = open_main(contexts[size], main_url(net, step, size))
        page.screenshot(path=str(SCREENSHOTS / f"screen-three-classes-{size}-step{step}.png"))
        assert_clean(page, f"three classes, {size}, step {step}")
        # the target is written whole: t = (1, 0, 0)
        texts = page.evaluate(
            "() => [...document.querySelectorAll('#network-figure-plot svg text')].map(t => t.textContent)"
        )
        assert any("t = (1, 0, 0)" in t for t in texts), texts
        page.close()


def test_projector_shows_the_training_panel_on_t(contexts: dict[str, Any], xor: dict[str, Any]) -> None:
    page = open_main(contexts["projector"], main_url(xor["id"], 0, "projector"))
    assert not page.is_visible("#training")
    page.keyboard.press("t")
    page.wait_for_selector("#training", state="visible")
    assert not page.is_visible("#network-figure") and not page.is_visible("#formula")
    assert page.get_attribute("#btn-show-training", "aria-pressed") == "true"
    page.fill("#train-iterations", "500")
    page.click("#train-start")
    page.wait_for_function("() => !document.getElementById('train-start').disabled && "
                           "document.getElementById('net-info').textContent.includes('iteration 500')", timeout=60_000)
    settle(page)
    page.screenshot(path=str(SCREENSHOTS / "screen-projector-training.png"))
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('#training .chart-card figcaption, #training-controls h2, #train-start')]"
        ".filter(e => e.checkVisibility()).map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert sizes and min(sizes) >= 24, sizes
    got = audit(page)
    assert got["scrollWidth"] <= got["innerWidth"]
    page.click("#btn-show-network")
    page.wait_for_selector("#network-figure", state="visible")
    assert not page.is_visible("#training")
    page.close()
