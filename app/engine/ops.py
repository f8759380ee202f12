"""Building blocks of the compiled fast path: a step becomes a flat list of numpy calls on preallocated arrays.

The registries in functions.py describe each rule's fast-path operations with these helpers; compiled.py
replays the lists. Nothing here knows about layers or about any particular rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

Array = np.ndarray
Op = Callable[[], object]

SMALL = 4096  # below this many elements numpy's call overhead dominates: constants become full arrays


def const(shape: tuple[int, ...], value: float) -> Array | float:
    """A constant operand: a full array for small shapes (cheaper per call), the plain number for large ones."""
    return np.full(shape, value) if math.prod(shape) <= SMALL else value


class Lazy:
    """An array argument computed when numpy asks for it: lets a registry function stand in a list of calls."""

    def __init__(self, fn: Callable[..., Array], *args: Any) -> None:
        self.fn, self.args = fn, args

    def __array__(self, dtype: Any = None, copy: Any = None) -> Array:
        return self.fn(*self.args)
