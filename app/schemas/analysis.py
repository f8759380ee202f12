"""Bodies of the analyses of one network beyond a pass: the loss landscape over two parameters, the gradient
check against finite differences, the operation graph of one sample and the nudge of one parameter."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, field_validator

from app.schemas.common import Count, Int, Matrix, Num, Reply, Strict, Vector


class ParamRef(Strict):
    """A weight w_ji^l (l, j, i) or, without i, a bias b_j^l; the lecture's 1-based numbers."""

    l: Int = Field(ge=2)
    j: Int = Field(ge=1)
    i: Count | None = None


class LandscapeRequest(Strict):
    """POST /landscape: the loss over the data set as two parameters move around their current values."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, json_schema_extra={"examples": [
        {"x": {"l": 2, "j": 1, "i": 1}, "y": {"l": 3, "j": 1, "i": 2}, "span": 2.0, "resolution": 21}]})

    x: ParamRef
    y: ParamRef
    span: float = Field(2.0, strict=True, gt=0, le=1e6, allow_inf_nan=False)
    resolution: Int = Field(21, ge=3, description="points per axis, odd so that the current value is the centre")

    @field_validator("resolution")
    @classmethod
    def _odd(cls, v: int) -> int:
        if v % 2 == 0:
            raise ValueError("resolution must be odd, so that the current values are the centre point")
        return v


class LandscapeResult(Reply):
    """loss[row][col] is the loss at y_values[row], x_values[col]; the centre is the network's own loss."""

    x_values: Vector
    y_values: Vector
    loss: Matrix


class ParamCheck(Reply):
    """One parameter's backprop gradient beside its central difference and the two losses it came from."""

    l: int
    j: int
    i: int | None
    backprop: Num
    numeric: Num
    loss_plus: Num
    loss_minus: Num
    rel_error: Num


class GradCheckResult(Reply):
    """Backprop against central finite differences over every weight and bias."""

    max_abs_error: Num
    max_rel_error: Num
    ok: bool
    h: Num = Field(description="the step of the central difference (L(θ + h) − L(θ − h)) / 2h")
    parameters: list[ParamCheck] = Field(description="every weight (i given) and bias (i null), in the stored order")


class GraphRequest(Strict):
    """POST /graph: one sample, an explicit input with its target or a data set row."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, json_schema_extra={"examples": [
        {"sample": 0}, {"input": [0.05, 0.1], "target": [0.01, 0.99]}]})

    input: Vector | None = None
    target: Vector | None = None
    sample: Int | None = Field(None, ge=0)
    samples: None = Field(None, description="never allowed: a graph shows one sample")

    @field_validator("samples", mode="before")
    @classmethod
    def _one_sample(cls, value: object) -> None:
        if value is not None:
            raise ValueError("a graph shows one sample: give sample or input, not samples")
        return None


OpName = Literal["input", "weight", "bias", "mul", "sum", "activation", "loss", "target"]


class GraphNode(Reply):
    """One operation of the graph: its value, ∂L/∂value, the nodes it reads and ∂value/∂input for each."""

    id: int
    op: OpName
    label: str = Field(description="LaTeX in the lecture's notation, e.g. w_{12}^{2}\\,x_{2} or z_{1}^{2}")
    l: int | None = Field(description="the lecture's 1-based layer (inputs 1, targets L); null for the loss")
    j: int | None
    i: int | None = Field(description="the source node of a weight or product; null otherwise")
    value: Num
    grad: Num = Field(description="∂L/∂value; for every node the sum over its readers of reader.grad × local")
    inputs: list[int] = Field(description="ids of the nodes this one reads (always smaller than its own id)")
    local: list[Num] = Field(description="∂value/∂input, one per entry of inputs")


class GraphResult(Reply):
    """One sample's computation as operations: products, sums, biases, activations, targets and the loss."""

    nodes: list[GraphNode]


class NudgeRequest(Strict):
    """POST /nudge: move one weight w_ji^l (or, without i, one bias b_j^l) by epsilon; the network is unchanged."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, json_schema_extra={"examples": [
        {"l": 2, "j": 1, "i": 1, "epsilon": 0.1, "sample": 0}, {"l": 3, "j": 1, "epsilon": -0.05, "samples": "all"}]})

    l: Int = Field(ge=2)
    j: Int = Field(ge=1)
    i: Int | None = Field(None, ge=1, description="omit for the bias b_j^l")
    epsilon: Num = Field(ge=-1e6, le=1e6, description="how far the parameter moves: θ + ε")
    input: Vector | None = None
    target: Vector | None = None
    sample: Int | None = Field(None, ge=0)
    samples: Literal["all"] | list[Annotated[Int, Field(ge=0)]] | None = None


class NudgeResult(Reply):
    """The loss before and after the nudge beside the first-order prediction ∂L/∂θ · ε."""

    loss_before: Num
    loss_after: Num = Field(description="L(θ + ε), one-sided, reduced over the samples as the network reduces")
    delta_loss: Num = Field(description="loss_after − loss_before")
    gradient: Num = Field(description="∂L/∂θ as /backward gives it")
    predicted: Num = Field(description="gradient × epsilon")
