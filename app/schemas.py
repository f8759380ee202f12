"""Every request and response body of the REST API; numpy arrays become lists here and nowhere else."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Num = Annotated[float, Field(allow_inf_nan=False)]
Vector = list[Num]
Matrix = list[list[Num]]
ActivationName = Literal["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"]


class Strict(BaseModel):
    """Base: unknown fields are refused and NaN or infinity never pass."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class InitSpec(Strict):
    """How initial weights are drawn; the same seed gives the same weights, bit for bit."""

    scheme: Literal["uniform", "xavier", "he"] = "uniform"
    scale: float = Field(1.0, gt=0, le=100, allow_inf_nan=False)
    seed: int = Field(0, ge=0, le=2**63 - 1)


class Dataset(Strict):
    """Inputs and targets, one row per sample."""

    inputs: Matrix = Field(min_length=1)
    targets: Matrix = Field(min_length=1)


class NetworkCreate(Strict):
    """POST /api/networks: a preset name, or a spec; fields given with a preset override the preset's."""

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False,
        json_schema_extra={"examples": [{"preset": "xor"}, {
            "layers": [2, 3, 2], "activations": "sigmoid", "loss": "mse", "learning_rate": 0.5,
            "init": {"scheme": "uniform", "scale": 1.0, "seed": 0},
            "dataset": {"inputs": [[0.05, 0.1]], "targets": [[0.01, 0.99]]},
        }]},
    )

    preset: str | None = Field(None, max_length=40)
    layers: list[Annotated[int, Field(ge=1)]] | None = Field(None, min_length=2)
    activations: ActivationName | list[ActivationName] | None = None
    loss: Literal["mse", "cross_entropy"] | None = None
    reduction: Literal["sum", "mean"] | None = None
    learning_rate: float | None = Field(None, gt=0, le=100, allow_inf_nan=False)
    init: InitSpec | None = None
    weights: list[Matrix] | None = None
    biases: list[Vector] | None = None
    train_biases: bool | None = None
    dataset: Dataset | None = None
    protected: bool = False


class WeightEdit(Strict):
    """A new value for one weight w_ji^l (1-based l, j, i as in the lecture)."""

    l: int = Field(ge=2)
    j: int = Field(ge=1)
    i: int = Field(ge=1)
    value: Num


class BiasEdit(Strict):
    """A new value for one bias b_j^l."""

    l: int = Field(ge=2)
    j: int = Field(ge=1)
    value: Num


class NetworkPatch(Strict):
    """PATCH /api/networks/{id}: change the learning rate, single weights or biases, or the data set."""

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False,
        json_schema_extra={"examples": [{"learning_rate": 0.3, "weights": [{"l": 2, "j": 1, "i": 2, "value": 0.25}]}]},
    )

    learning_rate: float | None = Field(None, gt=0, le=100, allow_inf_nan=False)
    weights: list[WeightEdit] | None = Field(None, max_length=100_000)
    biases: list[BiasEdit] | None = Field(None, max_length=100_000)
    dataset: Dataset | None = None


class NetworkState(BaseModel):
    """A network as stored: spec, parameters, training progress and divergence status."""

    id: str
    preset: str | None = None
    layers: list[int]
    activations: list[str]
    loss: str
    reduction: str
    learning_rate: float
    init: InitSpec
    train_biases: bool
    weights: list[Matrix]
    biases: list[Vector]
    iteration: int
    dataset: Dataset | None = None
    diverged: bool = False
    message: str | None = None
    protected: bool = False


class CreatedNetwork(NetworkState):
    """The state of a new network; `token` is present only for protected networks and shown only once."""

    token: str | None = None


class SampleRequest(Strict):
    """Which sample(s) to compute on: an explicit input (and target), a data set row, or a batch of rows."""

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False,
        json_schema_extra={"examples": [{"sample": 0}, {"input": [0.0, 1.0], "target": [1.0]}, {"samples": "all"}]},
    )

    input: Vector | None = None
    target: Vector | None = None
    sample: int | None = Field(None, ge=0)
    samples: Literal["all"] | list[Annotated[int, Field(ge=0)]] | None = None


class TrainRequest(Strict):
    """POST /train: how many iterations, batch or online, and how often to record outputs."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"iterations": 10000, "mode": "batch", "record_every": 1000}]}
    )

    iterations: int = Field(ge=1)
    mode: Literal["batch", "online"] = "batch"
    record_every: int | None = Field(None, ge=1)
    loss_every: int | None = Field(None, ge=1)


class PredictRequest(Strict):
    """POST /predict: outputs for many inputs at once (for decision-boundary maps); no loss, no gradients."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False,
                              json_schema_extra={"examples": [{"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]]}]})

    inputs: Matrix = Field(min_length=1)


class PredictResult(BaseModel):
    """The output a^L for each input row."""

    outputs: Matrix


class LayerValues(BaseModel):
    """One layer's numbers for one sample; lists are indexed by node j-1."""

    l: int
    z: Vector | None = None
    a: Vector
    delta: Vector | None = None
    grad_a: Vector | None = None
    grad_w: Matrix | None = None
    grad_b: Vector | None = None


class SampleResult(BaseModel):
    """Forward (and backward) quantities of one sample."""

    layers: list[LayerValues]
    output: Vector
    target: Vector | None = None
    loss: Num | None = None


class LayerGradients(BaseModel):
    """∂L/∂w^l and ∂L/∂b^l reduced over a batch."""

    l: int
    grad_w: Matrix
    grad_b: Vector


class BatchResult(BaseModel):
    """Per-sample values of a batch and the reduced loss and gradients."""

    samples: list[int]
    per_sample: list[SampleResult]
    outputs: Matrix
    loss: Num | None = None
    gradients: list[LayerGradients] | None = None


class StepResult(BaseModel):
    """What a gradient step computed before the update, and the parameters after it."""

    backward: SampleResult | BatchResult
    weights: list[Matrix]
    biases: list[Vector]
    iteration: int
    loss_after: Num | None = None
    diverged: bool
    message: str | None = None


class Snapshot(BaseModel):
    """The outputs for every sample of the data set at one iteration (the lecture's XOR table)."""

    iteration: int
    outputs: Matrix


class TrainResult(BaseModel):
    """The loss curve and output snapshots of a training run, and the parameters it ended with."""

    iteration: int
    loss_history: list[tuple[int, Num]]
    snapshots: list[Snapshot]
    weights: list[Matrix]
    biases: list[Vector]
    diverged: bool
    message: str | None = None


class TraceEvent(BaseModel):
    """One elementary computation: what, where (1-based l, j, i), its value, formula and inputs."""

    id: int
    phase: Literal["forward", "loss", "backward", "update"]
    quantity: Literal["z", "a", "loss", "grad_a", "delta", "grad_w", "grad_b", "w", "b"]
    l: int
    j: int | None
    i: int | None
    value: Num
    symbol: str
    latex: str
    depends_on: list[int]


class TraceResult(BaseModel):
    """The ordered computations of one sample's forward pass, loss, backward pass and update."""

    layers: list[int]
    input: Vector
    target: Vector
    loss: Num
    events: list[TraceEvent]


class GradCheckResult(BaseModel):
    """Backprop against central finite differences over every weight and bias."""

    max_abs_error: Num
    max_rel_error: Num
    ok: bool


class Preset(BaseModel):
    """A ready-made network and data set."""

    name: str
    description: str
    layers: list[int]
    activations: str | list[str]
    loss: str
    learning_rate: float
    samples: int


class Health(BaseModel):
    """Liveness."""

    status: Literal["ok"]


class ErrorItem(BaseModel):
    """One broken rule: where (`loc`, the path to the field) and what (`msg`)."""

    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorBody(BaseModel):
    """422: the request broke one or more rules, each named with its field."""

    detail: list[ErrorItem]


class ErrorBody(BaseModel):
    """4xx other than 422: a readable message."""

    detail: str


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations of the error statuses a route can answer with."""
    descriptions = {
        400: "Malformed request", 403: "Missing or wrong edit token", 404: "No network with this id",
        409: "Too many concurrent changes; retry", 413: "Request body too large", 415: "Body is not JSON",
    }
    out: dict[int | str, dict[str, Any]] = {
        code: {"model": ErrorBody, "description": descriptions[code]} for code in codes
    }
    out[422] = {"model": ValidationErrorBody, "description": "A field breaks a rule; each item names field and rule"}
    return out


# ---------------------------------------------------------------------------------------------------------------
# Classroom rooms (app/routes/rooms.py): a presenter's position, broadcast to followers.
# ---------------------------------------------------------------------------------------------------------------

Phase = Literal["forward", "loss", "backward", "update"]


class TrainingProgress(BaseModel):
    """How far the presenter's training run has got."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    done: int = Field(ge=0, le=10**9)
    total: int = Field(ge=0, le=10**9)
    running: bool = True
    loss: float | None = Field(None, allow_inf_nan=False)


class RoomCreate(Strict):
    """POST /api/rooms: the network the presenter shows."""

    network_id: str = Field(min_length=1, max_length=64)


class RoomState(BaseModel):
    """What followers see: the presenter's network, sample, step position, phase and training progress."""

    code: str
    network_id: str
    sample: int = 0
    position: int = Field(0, description="number of trace events shown (0 = none yet)")
    phase: Phase | None = None
    iteration: int = Field(0, description="the network's iteration, read from the network at each change")
    network_version: int = Field(1, description="the network's stored version; followers reload the network when "
                                 "it moves (a step, a training chunk, an edited weight)")
    training: TrainingProgress | None = None
    followers: int = Field(0, description="event streams open on this room right now")
    seq: int = Field(description="increases with every change; the SSE `id:` of this state")
    updated: float = Field(description="server time of the change, seconds since the epoch")


class RoomStateUpdate(Strict):
    """POST /api/rooms/{code}/state: the fields that changed (any subset); `training: null` clears the run.

    The network's iteration and version are read from the store at each change, so a follower reloads the
    network whenever it changed, whoever changed it.
    """

    network_id: str | None = Field(None, min_length=1, max_length=64)
    sample: int | None = Field(None, ge=0, le=10**6)
    position: int | None = Field(None, ge=0, le=10**7)
    phase: Phase | None = None
    training: TrainingProgress | None = None


class RoomCreated(BaseModel):
    """A new room: its code, the presenter's token (shown once) and where followers go."""

    code: str = Field(description="6 characters, no look-alikes (no 0/O, 1/I/L)")
    presenter_token: str
    join_url: str
    qr_url: str
    state: RoomState


class RoomFork(BaseModel):
    """'Try it myself': a private copy of the room's network, and where to continue with it."""

    network: CreatedNetwork
    sample: int
    position: int
    open_url: str = Field(description="the main page on the copy, at the presenter's sample and step")


def room_error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI error declarations for room routes (404 names rooms too, 403 the presenter token)."""
    out = error_responses(*codes)
    if 403 in out:
        out[403] = {"model": ErrorBody, "description": "Missing or wrong presenter token"}
    if 404 in out:
        out[404] = {"model": ErrorBody, "description": "No room with this code, or its network is gone"}
    return out
