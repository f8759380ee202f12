"""Bodies of the analyses of one network beyond a pass: the loss landscape over two parameters and the
gradient check against finite differences."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.schemas.common import Int, Matrix, Num, Strict, Vector


class ParamRef(Strict):
    """A weight w_ji^l (l, j, i) or, without i, a bias b_j^l; the lecture's 1-based numbers."""

    l: Int = Field(ge=2)
    j: Int = Field(ge=1)
    i: Int | None = Field(None, ge=1)


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


class LandscapeResult(BaseModel):
    """loss[row][col] is the loss at y_values[row], x_values[col]; the centre is the network's own loss."""

    x_values: Vector
    y_values: Vector
    loss: Matrix


class ParamCheck(BaseModel):
    """One parameter's backprop gradient beside its central difference and the two losses it came from."""

    l: int
    j: int
    i: int | None
    backprop: Num
    numeric: Num
    loss_plus: Num
    loss_minus: Num
    rel_error: Num


class GradCheckResult(BaseModel):
    """Backprop against central finite differences over every weight and bias."""

    max_abs_error: Num
    max_rel_error: Num
    ok: bool
    h: Num = Field(description="the step of the central difference (L(θ + h) − L(θ − h)) / 2h")
    parameters: list[ParamCheck] = Field(description="every weight (i given) and bias (i null), in the stored order")
