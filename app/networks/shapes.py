"""Shape checks of lists against a network's layer sizes: each refusal names the field and the size it needs."""

from __future__ import annotations

from typing import Any

from app.errors import Loc, invalid
from app.networks.model import DataSet, Matrix


def check_count(items: list[Any], count: int, loc: Loc, what: str) -> list[Any]:
    if len(items) != count:
        raise invalid(loc, f"expected {count} {what} (one per layer l = 2..{count + 1}), got {len(items)}")
    return items


def check_vector(v: list[float], n: int, loc: Loc, name: str) -> list[float]:
    if len(v) != n:
        raise invalid(loc, f"{name} must have {n} entries, got {len(v)}")
    return v


def check_matrix(m: Matrix, shape: tuple[int, int], loc: Loc, name: str) -> Matrix:
    if len(m) != shape[0]:
        raise invalid(loc, f"{name} must have {shape[0]} rows (one per node j of its layer), got {len(m)}")
    for r, row in enumerate(m):
        if len(row) != shape[1]:
            raise invalid((*loc, r),
                          f"row {r} of {name} must have {shape[1]} entries (one per node i below), got {len(row)}")
    return m


def check_dataset(inputs: Matrix, targets: Matrix, layers: list[int], loss: str) -> DataSet:
    """A data set whose rows fit the input and output layers (and cross-entropy's [0, 1] targets)."""
    n_in, n_out = layers[0], layers[-1]
    if len(inputs) != len(targets):
        raise invalid(("dataset", "targets"),
                      f"need one target row per input row: {len(inputs)} inputs, {len(targets)} targets")
    for r, row in enumerate(inputs):
        if len(row) != n_in:
            raise invalid(("dataset", "inputs", r),
                          f"each input row needs {n_in} values (layer 1 has {n_in} nodes), got {len(row)}")
    for r, row in enumerate(targets):
        if len(row) != n_out:
            raise invalid(("dataset", "targets", r),
                          f"each target row needs {n_out} values (the output layer has {n_out} nodes), got {len(row)}")
        if loss == "cross_entropy" and any(not 0.0 <= v <= 1.0 for v in row):
            raise invalid(("dataset", "targets", r), "cross_entropy targets must lie in [0, 1]")
    return DataSet(inputs, targets)
