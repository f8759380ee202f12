"""How numbers and symbols are written in formulas: one place for the trace, the registries and the lesson."""

from __future__ import annotations

import math

DL = r"\frac{\partial \mathcal{L}}{\partial "  # ∂L/∂ — close the brace after the symbol
MAX_TERMS = 4  # longer sums show their first terms, an ellipsis and the last term


def num(x: float) -> str:
    """A number as the formulas show it: 4 decimals, or scientific notation when very small or large."""
    # the common range first: this runs for every value of a trace
    if 1e-3 <= x < 1e5 or -1e5 < x <= -1e-3:
        text = f"{x:.4f}"
        return text.rstrip("0").rstrip(".") if float(text) == x else text
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else r"\infty"
    mantissa, exp = f"{x:.3e}".split("e")
    # braced, so a power or index written after it applies to the whole number and KaTeX parses it
    return rf"{{{mantissa}\times 10^{{{int(exp)}}}}}"


def par(x: float) -> str:
    """A number that may stand inside a product: negatives get parentheses."""
    return f"({num(x)})" if x < 0 else num(x)


def pars(nums: list[str], values: list[float]) -> list[str]:
    """`par` of each value from its already formatted `num`."""
    return [f"({s})" if v < 0 else s for s, v in zip(nums, values, strict=True)]


def shown(n: int) -> list[int]:
    """Indices of the terms a sum of n terms shows, so that terms never shown are never formatted."""
    return list(range(n)) if n <= MAX_TERMS else [*range(MAX_TERMS - 1), n - 1]


def elide(terms: list[str], n: int) -> str:
    """The sum of n terms given only the `shown(n)` ones: an ellipsis stands for the rest."""
    if n > MAX_TERMS:
        terms = terms[:-1] + [r"\cdots", terms[-1]]
    return " + ".join(terms)


def a_sym(l: int, i: int | str) -> str:
    """a_i^l, or x_i on the input layer as in the lecture."""
    return f"x_{{{i}}}" if l == 1 else f"a_{{{i}}}^{{{l}}}"


def grad_sym(symbol: str) -> str:
    """∂L/∂(symbol)."""
    return f"{DL}{symbol}}}"
