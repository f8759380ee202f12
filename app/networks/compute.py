"""Running the engine on a selection and refusing results that are not finite: JSON has no infinity or NaN,
and a lesson should say which quantity overflowed rather than show a wrong number."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from app.engine import network as nn
from app.errors import ApiError
from app.networks.selection import Selection


class Overflow(Exception):
    """A computation produced infinity or NaN; the message names the first such quantity."""


def overflow_error(what: str) -> ApiError:
    return ApiError(422, ("body",), f"the computation overflowed float64 ({what} is not finite): "
                    "the input or the weights are too large for this network")


def update_overflow_error(what: str, learning_rate: float) -> ApiError:
    return ApiError(422, ("body",), f"the computation overflowed float64 ({what} is not finite): "
                    f"the update with learning rate {learning_rate:g} is too large; lower the learning rate")


def finite_list(a: np.ndarray, what: str) -> Any:
    if not np.isfinite(a).all():
        raise overflow_error(what)
    return a.tolist()


def first_non_finite(net: nn.Network, cache: nn.Cache, grads: nn.Gradients | None) -> str | None:
    """The name of the first quantity holding infinity or NaN, checking each whole array once."""
    arrays = cache.z + cache.a
    if grads is not None:
        arrays = arrays + grads.grad_a + grads.delta + grads.grad_w + grads.grad_b + [grads.losses]
    # the common case first: one pass over every value; names are only needed when something overflowed
    if np.isfinite(np.concatenate([a.ravel() for a in arrays])).all():
        return None
    named: list[tuple[str, np.ndarray]] = [("x", cache.a[0])]
    for l in range(2, net.depth + 1):
        named += [(f"z^{l}", cache.z[l - 2]), (f"a^{l}", cache.a[l - 1])]
    if grads is not None:
        named.append(("the loss", grads.losses))
        for l in range(net.depth, 1, -1):
            k = l - 2
            named += [(f"∂L/∂a^{l}", grads.grad_a[l - 1]), (f"δ^{l}", grads.delta[k]),
                      (f"∂L/∂w^{l}", grads.grad_w[k]), (f"∂L/∂b^{l}", grads.grad_b[k])]
        named.append(("∂L/∂x", grads.grad_a[0]))
    for name, arr in named:
        if not np.isfinite(arr).all():
            return name
    return None


def check_pass(net: nn.Network, sel: Selection, cache: nn.Cache, grads: nn.Gradients | None) -> None:
    """Overflow naming the first quantity of this forward (and backward) pass that is not finite."""
    bad = first_non_finite(net, cache, grads)
    if bad is None and grads is None and sel.t is not None:
        with np.errstate(all="ignore"):
            if not np.isfinite(nn.sample_losses(net, cache, sel.t)).all():
                bad = "the loss"
    if bad is not None:
        raise Overflow(bad)


def run(net: nn.Network, sel: Selection, with_grads: bool) -> tuple[nn.Cache, nn.Gradients | None]:
    """Forward (and backward) on the selection; Overflow names the first quantity that is not finite."""
    with np.errstate(all="ignore"):
        cache = nn.forward(net, sel.x)
        grads = nn.backward(net, cache, sel.t) if with_grads and sel.t is not None else None
    check_pass(net, sel, cache, grads)
    return cache, grads


def check_trace_events(events: list[dict[str, Any]], learning_rate: float) -> None:
    """The first event that is not finite refuses the trace: an update overflow asks for a lower learning rate,
    any earlier one for smaller inputs or weights."""
    for event in events:
        if not math.isfinite(event["value"]):
            if event["phase"] == "update":
                raise update_overflow_error(event["symbol"], learning_rate)
            raise overflow_error(event["symbol"])
