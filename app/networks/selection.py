"""Which samples a request computes on: an explicit input (and target), one data set row, or a batch of rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.errors import invalid
from app.networks.model import NetworkModel
from app.networks.shapes import check_vector
from app.schemas import SampleRequest


@dataclass
class Selection:
    """The inputs and targets a request picked; `indices` is None for an explicit input."""

    x: np.ndarray
    t: np.ndarray | None
    indices: list[int] | None
    batch: bool


def select(model: NetworkModel, req: SampleRequest, need_target: bool) -> Selection:
    """The selection a request names, or a 422 naming the field that is missing, extra or out of range."""
    chosen = [name for name in ("input", "sample", "samples") if getattr(req, name) is not None]
    if len(chosen) != 1:
        raise invalid((), "give exactly one of input (with target), sample (a row number) or samples ('all' or a list)")
    n_in, n_out = model.layers[0], model.layers[-1]
    if req.input is not None:
        check_vector(req.input, n_in, ("input",), "input")
        if req.target is None and need_target:
            raise invalid(("target",), "target is required here: the loss and gradients depend on it")
        t = None
        if req.target is not None:
            check_vector(req.target, n_out, ("target",), "target")
            t = np.asarray([req.target], dtype=np.float64)
        return Selection(np.asarray([req.input], dtype=np.float64), t, None, False)
    if req.target is not None:
        raise invalid(("target",), "target goes with input; a data set row brings its own target")
    data = model.dataset
    if not data:
        raise invalid(("sample",) if req.sample is not None else ("samples",),
                      "this network has no data set: give input and target, or PATCH a dataset first")
    rows = data.rows
    if req.sample is not None:
        if req.sample >= rows:
            raise invalid(("sample",), f"sample {req.sample} does not exist: the data set has rows 0..{rows - 1}")
        indices, batch = [req.sample], False
    else:
        indices = list(range(rows)) if req.samples == "all" else list(req.samples or [])
        if not indices:
            raise invalid(("samples",), "samples must name at least one row")
        for n, k in enumerate(indices):
            if k >= rows:
                raise invalid(("samples", n), f"sample {k} does not exist: the data set has rows 0..{rows - 1}")
        batch = True
    x = np.asarray([data.inputs[k] for k in indices], dtype=np.float64)
    t = np.asarray([data.targets[k] for k in indices], dtype=np.float64)
    return Selection(x, t, indices, batch)
