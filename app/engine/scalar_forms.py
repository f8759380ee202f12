"""The shapes of a rule's scalar form: the Python source lines scalar.py writes for it, one float at a time.

An activation's registry record (functions.py) may carry a forward and a vjp emitter, an optimizer's record
(optimizers.py) a `ScalarUpdate`; scalar.py assembles one training step from them. Each form does the same
operations as the record's numpy ops in the same order. This module imports nothing of the engine, so the
registries can import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Lines = list[str]
# (z names, a names) -> lines setting each a_j = f(z_j)
ForwardEmitter = Callable[[list[str], list[str]], Lines]
# (z names, a names, ∂L/∂a names, δ names) -> lines setting each δ_j = ∂L/∂z_j
VjpEmitter = Callable[[list[str], list[str], list[str], list[str]], Lines]
ScalarActivation = tuple[ForwardEmitter, VjpEmitter]


def elementwise(forward: str, vjp: str) -> ScalarActivation:
    """Emitters for an activation that acts node by node; the templates name {z}, {a}, {g} and {d}."""

    def f(zs: list[str], avs: list[str]) -> Lines:
        return [forward.format(z=z, a=a) for z, a in zip(zs, avs, strict=True)]

    def df(zs: list[str], avs: list[str], gs: list[str], ds: list[str]) -> Lines:
        return [vjp.format(z=z, a=a, g=g, d=d) for z, a, g, d in zip(zs, avs, gs, ds, strict=True)]

    return f, df


@dataclass(frozen=True)
class ScalarUpdate:
    """An optimizer's update as Python lines for one parameter q, whose gradient is the local g{q}.

    The generated step holds the learning rate as `lr` and the hyper-parameters dictionary as `hp`; a shared
    step count (Adam's t) is the local `t`, carried between runs by scalar.py beside the per-parameter state.
    """

    parameter: Callable[[str], Lines]  # the update of q and of its state
    # the per-parameter state arrays, in the order the optimizer keeps them; state s of q is the local s_{q}
    state: tuple[str, ...] = ()
    setup: tuple[str, ...] = ()  # once per run, before the loop: read the hyper-parameters from hp
    per_step: tuple[str, ...] = ()  # once per step, before the parameters' updates
