"""GET /api/meta: what the engine's registries allow and how the page should show it, and the limits."""

from __future__ import annotations

from dataclasses import fields
from typing import Literal

from pydantic import ConfigDict, create_model

from app.config import Settings
from app.schemas.common import Reply


class ActivationInfo(Reply):
    """One activation: its name, its symbol in formulas, f and f' in LaTeX, whether only outputs may use it, and the
    range its outputs lie in (targets outside it draw a warning)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    symbol: str
    f_latex: str
    df_latex: str
    output_only: bool
    reach_text: str
    sums_to_one: bool


class LossInfo(Reply):
    """One loss: its name, its LaTeX, and the output activations it needs (None: any)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    latex: str
    outputs: list[str] | None


class OptimizerInfo(Reply):
    """One update rule: its name, its LaTeX and the hyper-parameters it reads."""

    model_config = ConfigDict(extra="forbid")

    name: str
    latex: str
    hyperparameters: list[str]


class QuantityInfo(Reply):
    """One quantity the figure shows: symbol, words, colour scale and whether it sits on nodes, edges or biases."""

    model_config = ConfigDict(extra="forbid")

    name: str
    symbol: str
    latex: str
    words: str
    scale: Literal["diverging", "sequential"]
    on: Literal["node", "edge", "bias"]


# every Settings field named max_*, so the schema lists exactly the limits the server enforces
Limits = create_model(  # type: ignore[call-overload]
    "Limits",
    __doc__="The most one request may ask for (bytes, layers, nodes, samples, iterations, numbers, ns of work).",
    **{f.name: (int, ...) for f in fields(Settings) if f.name.startswith("max_")},
)


class QuizTolerance(Reply):
    """How near a prediction must be to count as right: |answer − value| ≤ max(relative × |value|, absolute)."""

    model_config = ConfigDict(extra="forbid")

    relative_tolerance: float
    absolute_tolerance: float


class Meta(Reply):
    """Everything the page needs to offer choices and explain them, read from the engine's registries."""

    activations: list[ActivationInfo]
    losses: list[LossInfo]
    optimizers: list[OptimizerInfo]
    quantities: list[QuantityInfo]
    init_schemes: list[str]
    train_modes: list[str]
    reductions: list[str]
    limits: Limits  # type: ignore[valid-type]
    quiz: QuizTolerance
