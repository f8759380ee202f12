"""The arithmetic of a class question: how near an answer must be to count, the histogram, the prompt (pure)."""

from __future__ import annotations

import math
from typing import Any

BINS = 9  # the middle bin is exactly "within 10%"; four bins of the same width on either side
CENTRE = BINS // 2
RELATIVE_TOLERANCE = 0.1  # "within 10%"
ABSOLUTE_TOLERANCE = 5e-4  # a true value of 0 (or nearly): within 10% means within half a unit of the 3rd decimal


def tolerances() -> dict[str, float]:
    """The rule of tolerance() as /api/meta serves it, so the page scores a prediction the same way."""
    return {"relative_tolerance": RELATIVE_TOLERANCE, "absolute_tolerance": ABSOLUTE_TOLERANCE}


def tolerance(value: float) -> float:
    """How far an answer may be from the true value and still count as within 10%."""
    return max(RELATIVE_TOLERANCE * abs(value), ABSOLUTE_TOLERANCE)


def within_10_percent(value: float, answers: list[float]) -> int:
    tol = tolerance(value) * (1 + 1e-9)  # an answer typed as exactly ±10% counts
    return sum(1 for a in answers if abs(a - value) <= tol)


def _bin(edges: list[float], width: float, a: float) -> int:
    return min(len(edges) - 2, max(0, math.floor((a - edges[0]) / width)))


def histogram_around(value: float, answers: list[float]) -> dict[str, Any]:
    """BINS bins of width 2 x tolerance centred on the true value (the middle one is within 10%), and the
    answers below and above them."""
    tol = tolerance(value)
    width = 2 * tol
    edges = [value + (k - BINS / 2) * width for k in range(BINS + 1)]
    counts = [0] * BINS
    below = above = 0
    for a in answers:
        if abs(a - value) <= tol * (1 + 1e-9):
            counts[CENTRE] += 1
        elif a < edges[0]:
            below += 1
        elif a > edges[-1]:
            above += 1
        else:
            counts[_bin(edges, width, a)] += 1
    return {"around": "value", "edges": edges, "counts": counts, "below": below, "above": above}


def histogram_of_answers(answers: list[float]) -> dict[str, Any]:
    """What the presenter sees before the reveal: BINS equal bins from the lowest answer to the highest, so the
    axis says where the class is and nothing of the true value (no bins without answers)."""
    if not answers:
        return {"around": "answers", "edges": [], "counts": [], "below": 0, "above": 0}
    lo, hi = min(answers), max(answers)
    if hi - lo < 1e-12:  # one value answered: a bin of ±10% around it, like a true value's
        pad = tolerance(lo)
        lo, hi = lo - pad, hi + pad
    width = (hi - lo) / BINS
    edges = [lo + k * width for k in range(BINS)] + [hi]
    counts = [0] * BINS
    for a in answers:
        counts[_bin(edges, width, a)] += 1
    return {"around": "answers", "edges": edges, "counts": counts, "below": 0, "above": 0}


def hidden_histogram() -> dict[str, Any]:
    """What anyone but the presenter gets before the reveal: no bins, so no answer can be copied from it."""
    return {"around": "hidden", "edges": [], "counts": [], "below": 0, "above": 0}


def prompt_latex(event: dict[str, Any]) -> str:
    """The event's formula with its result replaced by "?" (the result is the last "= number")."""
    head, sep, _ = str(event["latex"]).rpartition(" = ")
    return f"{head} = ?" if sep else f"{event['symbol']} = ?"
