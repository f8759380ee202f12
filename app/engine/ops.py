"""The array type of the engine and the one constant helper of the compiled fast path (compiled.py)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

Array = np.ndarray
Op = Callable[[], object]

SMALL = 4096  # below this many elements numpy's call overhead dominates: constants become full arrays


def const(shape: tuple[int, ...], value: float) -> Array | float:
    """A constant operand: a full array for small shapes (cheaper per call), the plain number for large ones."""
    return np.full(shape, value) if math.prod(shape) <= SMALL else value
