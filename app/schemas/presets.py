"""The ready-made networks as GET /api/presets lists them."""

from __future__ import annotations

from pydantic import Field

from app.schemas.common import ActivationName, LossName, Matrix, Reply


class ReferenceTable(Reply):
    """Published outputs to compare a run with: outputs[k][n] is sample n's output vector after iterations[k]."""

    source: str
    iterations: list[int]
    outputs: list[Matrix]


class Preset(Reply):
    """A ready-made network and data set, as GET /api/presets lists it."""

    name: str
    description: str
    layers: list[int]
    activations: ActivationName | list[ActivationName]
    loss: LossName
    learning_rate: float
    samples: int
    reference: ReferenceTable | None = Field(None, description="e.g. the lecture's XOR table, for the xor preset")
