"""The loss over the data set as one or two parameters move and every other one stays: the loss landscape's
slice, and the nudge of one parameter beside its first-order prediction."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.engine.network import Array, Network, SpecError, backward, dataset_loss, forward, reduce_losses


@dataclass(frozen=True)
class Param:
    """A weight w_ji^l (i given) or a bias b_j^l (i None), in the lecture's 1-based numbers."""

    l: int
    j: int
    i: int | None = None

    def array(self, net: Network) -> tuple[Array, tuple[int, ...]]:
        """The array that holds this parameter and its index there."""
        if self.i is None:
            return net.biases[self.l - 2], (self.j - 1,)
        return net.weights[self.l - 2], (self.j - 1, self.i - 1)

    def check(self, net: Network, field: str | None) -> None:
        """SpecError naming (field, "l"/"j"/"i"), or just the index when `field` is None, if it does not exist."""
        at = (field,) if field else ()
        if not 2 <= self.l <= net.depth:
            raise SpecError((*at, "l"), f"l must be a layer from 2 to {net.depth}")
        if not 1 <= self.j <= net.layers[self.l - 1]:
            raise SpecError((*at, "j"), f"j must be a node of layer {self.l}: 1 to {net.layers[self.l - 1]}")
        if self.i is not None and not 1 <= self.i <= net.layers[self.l - 2]:
            raise SpecError((*at, "i"), f"i must be a node of layer {self.l - 1}: 1 to {net.layers[self.l - 2]}")


def offsets(span: float, resolution: int) -> Array:
    """`resolution` points from −span to +span whose middle one is exactly 0 (resolution is odd)."""
    half = (resolution - 1) // 2
    return span * (np.arange(resolution) - half) / half


def landscape(net: Network, x: Array, t: Array, px: Param, py: Param, span: float, resolution: int
              ) -> tuple[list[float], list[float], list[list[float]]]:
    """x_values, y_values and loss[row][col] at (y_values[row], x_values[col]), every other parameter fixed.

    Each point is the network's own dataset_loss with the two parameters set, so the centre, where both keep
    their current values, equals the network's loss bit for bit.
    """
    px.check(net, "x")
    py.check(net, "y")
    if px == py:
        raise SpecError(("y",), "x and y must be two different parameters")
    trial = net.copy()
    ax, ix = px.array(trial)
    ay, iy = py.array(trial)
    xs = float(ax[ix]) + offsets(span, resolution)
    ys = float(ay[iy]) + offsets(span, resolution)
    grid = np.empty((resolution, resolution))
    with np.errstate(all="ignore"):
        for row, yv in enumerate(ys):
            ay[iy] = yv
            for col, xv in enumerate(xs):
                ax[ix] = xv
                grid[row, col] = dataset_loss(trial, x, t)
    # an overflowing corner is shown as the largest finite loss rather than breaking the JSON
    grid[~np.isfinite(grid)] = np.finfo(np.float64).max
    return xs.tolist(), ys.tolist(), grid.tolist()


def nudge(net: Network, x: Array, t: Array, p: Param, epsilon: float) -> dict[str, float]:
    """The loss before and after moving one parameter by epsilon (one-sided), beside the first-order prediction
    ∂L/∂θ · ε; the loss is reduced over the samples as the network reduces it. `net` is left as it was."""
    p.check(net, None)
    with np.errstate(all="ignore"):
        grads = backward(net, forward(net, x), t, with_input_grad=False)
        before = reduce_losses(net, grads.losses)
        trial = net.copy()
        arr, at = p.array(trial)
        arr[at] += epsilon
        after = dataset_loss(trial, x, t)
    # ∂L/∂θ as backprop gives it, reduced like the loss
    gradient = float(grads.grad_b[p.l - 2][p.j - 1] if p.i is None else grads.grad_w[p.l - 2][p.j - 1, p.i - 1])
    return {"loss_before": before, "loss_after": after, "delta_loss": after - before, "gradient": gradient,
            "predicted": gradient * epsilon}
