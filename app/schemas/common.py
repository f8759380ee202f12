"""Pieces every request and response schema shares: strict numbers, the names allowed by the engine's
registries, the trace's phases, and the error bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model
from pydantic_core import PydanticCustomError

from app.engine.functions import ACTIVATIONS, INIT_SCHEMES, LOSSES, OPTIMIZERS, REDUCTIONS, TRAIN_MODES
from app.engine.quantities import TRACE_ORDER


def whole(value: Any) -> Any:
    """A JSON integer (3 or 3.0), never true or a quoted number (the validator before every integer field)."""
    # JSON Schema's integer admits 3.0 but never true or "3"; pydantic's lax int would take both
    if isinstance(value, bool | str | bytes):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


# a boolean or a quoted number is never a number; an integer is a valid float, and 3.0 a valid integer
Num = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Int = Annotated[int, BeforeValidator(whole)]
# bounds before the validator, so that the schema says minimum (a bound on Int inside a union or list would leak
# as pydantic's own `ge` keyword, which JSON Schema and client generators do not know)
Index = Annotated[int, Field(ge=0), BeforeValidator(whole)]
Count = Annotated[int, Field(ge=1), BeforeValidator(whole)]
Vector = list[Num]
Matrix = list[list[Num]]

# the names a request may use are the registries' keys: adding a record to the engine adds it here
if TYPE_CHECKING:
    ActivationName: TypeAlias = str
    LossName: TypeAlias = str
    OptimizerName: TypeAlias = str
    ReductionName: TypeAlias = str
    InitScheme: TypeAlias = str
    TrainMode: TypeAlias = str
    Phase: TypeAlias = str
    QuantityName: TypeAlias = str
else:
    ActivationName = Literal[tuple(ACTIVATIONS)]
    LossName = Literal[tuple(LOSSES)]
    OptimizerName = Literal[tuple(OPTIMIZERS)]
    ReductionName = Literal[tuple(REDUCTIONS)]
    InitScheme = Literal[tuple(INIT_SCHEMES)]
    TrainMode = Literal[tuple(TRAIN_MODES)]
    Phase = Literal[tuple(dict.fromkeys(phase for phase, _ in TRACE_ORDER))]
    QuantityName = Literal[tuple(dict.fromkeys(quantity for _, quantity in TRACE_ORDER))]


class Reply(BaseModel):
    """Base of response bodies: every field is always sent (null or false rather than left out), so the schema
    lists every field as required in responses, which client generators turn into plain attributes."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


class Strict(Reply):
    """Base of request bodies: unknown fields are refused and NaN or infinity never pass (some also appear in
    responses, e.g. a network's init and data set, and are always complete there)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


def _optimizer_spec() -> Any:
    """{"name": ..., <hyper-parameter>: value, ...}: every hyper-parameter any registry record has; the engine
    checks which ones the named optimizer takes and their ranges (a 422 naming the field)."""
    hyper: dict[str, Any] = {}
    for opt in OPTIMIZERS.values():
        for key, h in opt.hyper.items():
            hyper.setdefault(key, (Num | None,
                                   Field(None, description=f"{opt.name}: {h.words} (default {h.default:g})")))
    return create_model(
        "OptimizerSpec", __base__=Strict,
        __doc__="An update rule by name, with its hyper-parameters (defaults if absent).",
        name=(OptimizerName, Field(description="a name from GET /api/meta's optimizers")), **hyper,
    )


OptimizerSpec = _optimizer_spec()


class Health(Reply):
    """Liveness."""

    status: Literal["ok"]


class Ready(Reply):
    """Readiness: the network store answered a write and a read just now; and how full the admission gate of heavy
    computations is (busy is not a failure)."""

    status: Literal["ready"]
    store: Literal["sqlite", "redis"] = Field(description="the backend that answered")
    busy: bool
    heavy_in_flight: int
    heavy_waiting: int


class ErrorItem(Reply):
    """One broken rule: where (`loc`, the path to the field) and what (`msg`)."""

    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorBody(Reply):
    """422: the request broke one or more rules, each named with its field."""

    detail: list[ErrorItem]


class ErrorBody(Reply):
    """4xx other than 422: a readable message."""

    detail: str


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations of the error statuses a route can answer with."""
    descriptions = {
        400: "Malformed request", 403: "Missing or wrong edit token", 404: "No network with this id",
        409: "Too many concurrent changes; retry", 413: "Request body too large", 415: "Body is not JSON",
        429: "Over this address's budget (see Retry-After)",
        503: "Busy with other large computations; retry after Retry-After seconds",
    }
    out: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorBody, "description": descriptions[code]} for code in codes
    }
    out[422] = {"model": ValidationErrorBody, "description": "A field breaks a rule; each item names field and rule"}
    return out
