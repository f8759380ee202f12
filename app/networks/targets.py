"""Warnings for targets the output layer cannot reach (a sigmoid output lies in (0, 1)); the range of each
activation is its registry record's, and the request still succeeds: an unreachable target is legal mathematics."""

from __future__ import annotations

import numpy as np

from app.engine.functions import ACTIVATIONS

MAX_WARNINGS = 10  # a 100,000-row data set answers the first few and a count, not megabytes


def _num(v: float) -> str:
    return f"{v:g}"


def target_warnings(targets: list[list[float]], activation: str) -> list[str]:
    """One sentence per unreachable target (row and column named, rows from 1), the first MAX_WARNINGS and a count."""
    act = ACTIVATIONS[activation]
    t = np.asarray(targets, dtype=float)
    bad = (t < act.reach[0]) | (t > act.reach[1])
    # softmax outputs of a row always sum to 1, so targets summing elsewhere are out of reach too
    sums = t.sum(axis=1)
    off_sum = np.abs(sums - 1.0) > 1e-9 if act.sums_to_one else np.zeros(len(t), dtype=bool)
    found: list[str] = []
    for r, k in np.argwhere(np.concatenate([bad, off_sum[:, None]], axis=1))[: MAX_WARNINGS + 1]:
        if k < t.shape[1]:
            column = "y" if t.shape[1] == 1 else f"y{k + 1}"
            found.append(f"row {r + 1}, {column} = {_num(t[r, k])}: a {act.name} output lies in {act.reach_text}")
        else:
            found.append(f"row {r + 1}, y1 + … + y{t.shape[1]} = {_num(sums[r])}: {act.name} outputs sum to 1")
    total = int(bad.sum() + off_sum.sum())
    if total > MAX_WARNINGS:
        found[MAX_WARNINGS:] = [f"and {total - MAX_WARNINGS} more"]
    return found
