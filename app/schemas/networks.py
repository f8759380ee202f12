"""Request and response bodies of the network resource and its computations (lists, never numpy arrays)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, field_validator

from app.schemas.common import (
    ActivationName,
    Count,
    Index,
    InitScheme,
    Int,
    LossName,
    Matrix,
    Num,
    OptimizerName,
    OptimizerSpec,
    Phase,
    QuantityName,
    ReductionName,
    Reply,
    Strict,
    TrainMode,
    Vector,
)

Rate = Annotated[float, Field(strict=True, gt=0, le=100, allow_inf_nan=False)]


# the fields of a PATCH that may be left out but not sent as null
NOT_NULL = ("learning_rate", "optimizer", "weights", "biases", "dataset", "restore")


def _patch_schema(schema: dict[str, Any]) -> None:
    """The PATCH body's schema as the server checks it: an example, and no null (nor null default) offered for
    the fields of NOT_NULL."""
    schema["examples"] = [{"learning_rate": 0.3, "weights": [{"l": 2, "j": 1, "i": 2, "value": 0.25}]}]
    for name in NOT_NULL:
        prop = schema["properties"][name]
        prop.pop("default", None)
        kinds = [k for k in prop.pop("anyOf", []) if k != {"type": "null"}]
        if len(kinds) == 1:
            prop.update(kinds[0])
        elif kinds:
            prop["anyOf"] = kinds


class InitSpec(Strict):
    """How initial weights are drawn; the same seed gives the same weights, bit for bit."""

    scheme: InitScheme = "uniform"
    scale: float = Field(1.0, strict=True, gt=0, le=100, allow_inf_nan=False)
    seed: Int = Field(0, ge=0, le=2**63 - 1)


class Dataset(Strict):
    """Inputs and targets, one row per sample."""

    inputs: Matrix = Field(min_length=1)
    targets: Matrix = Field(min_length=1)


class NetworkCreate(Strict):
    """POST /api/networks: a preset name, or a spec; fields given with a preset override the preset's. A network's
    state as GET /api/networks/{id} answers it is a spec too: posted back, it makes an equal network."""

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False,
        json_schema_extra={"examples": [{"preset": "xor"}, {
            "layers": [2, 3, 2], "activations": "sigmoid", "loss": "mse", "learning_rate": 0.5,
            "init": {"scheme": "uniform", "scale": 1.0, "seed": 0},
            "dataset": {"inputs": [[0.05, 0.1]], "targets": [[0.01, 0.99]]},
        }]},
    )

    preset: str | None = Field(None, max_length=40)
    layers: list[Count] | None = Field(None, min_length=2)
    activations: ActivationName | list[ActivationName] | None = None
    loss: LossName | None = None
    reduction: ReductionName | None = None
    learning_rate: Rate | None = None
    optimizer: OptimizerName | OptimizerSpec | None = Field(
        None, description='the update rule, e.g. {"name": "momentum", "momentum": 0.9}, or just its name; '
                          'sgd when not given')
    init: InitSpec | None = None
    weights: list[Matrix] | None = None
    biases: list[Vector] | None = None
    train_biases: bool | None = Field(None, strict=True)
    dataset: Dataset | None = None
    protected: bool = Field(False, strict=True)
    iteration: Int | None = Field(None, ge=0, le=2**53, description="training progress to carry over (0 if absent)")
    optimizer_state: dict[str, Vector] | None = Field(None, max_length=8, description="the optimizer's state to "
                                                      "carry over, as GET gives it (fresh if absent)")
    # the rest of GET /api/networks/{id}'s answer, accepted so that the answer can be posted back as it is
    id: str | None = Field(None, max_length=64, description="ignored: the new network gets an id of its own")
    diverged: bool | None = Field(None, strict=True, description="ignored: a copy starts undiverged")
    message: str | None = Field(None, max_length=2000, description="ignored, as diverged")


class WeightEdit(Strict):
    """A new value for one weight w_ji^l (1-based l, j, i as in the lecture)."""

    l: Int = Field(ge=2)
    j: Int = Field(ge=1)
    i: Int = Field(ge=1)
    value: Num


class BiasEdit(Strict):
    """A new value for one bias b_j^l."""

    l: Int = Field(ge=2)
    j: Int = Field(ge=1)
    value: Num


class Restore(Strict):
    """A network's parameters and progress as an earlier GET showed them (the page's undo)."""

    weights: list[Matrix]
    biases: list[Vector]
    iteration: Int = Field(ge=0, le=2**53)
    optimizer_state: dict[str, Vector] = Field(default_factory=dict, max_length=8)


class NetworkPatch(Strict):
    """PATCH /api/networks/{id}: change the learning rate, optimizer, single weights or biases, or the data set."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, json_schema_extra=_patch_schema)

    learning_rate: Rate | None = None
    optimizer: OptimizerName | OptimizerSpec | None = Field(
        None, description="a new rule (its state starts afresh) or new hyper-parameters for the same rule")
    weights: list[WeightEdit] | None = Field(None, max_length=100_000)
    biases: list[BiasEdit] | None = Field(None, max_length=100_000)
    dataset: Dataset | None = None
    reset: bool = Field(False, strict=True, description="draw the initial weights again from init (same seed), "
                        "iteration 0, the optimizer's state cleared")
    restore: Restore | None = Field(None, description="put back parameters and progress from an earlier state")

    # every field may be left out (it keeps its value) but none may be null: a script sending
    # "learning_rate": null would otherwise get 200 and no change
    @field_validator(*NOT_NULL, mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("null is not a value here: leave the field out to keep it as it is")
        return value


class OptimizerState(Reply):
    """The network's update rule with every hyper-parameter it uses (defaults filled in)."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, float] = Field(init=False)

    name: OptimizerName


class NetworkState(Reply):
    """A network as clients see it: spec, parameters, training progress and divergence status."""

    id: str
    preset: str | None = None
    layers: list[int]
    activations: list[ActivationName]
    loss: LossName
    reduction: ReductionName
    learning_rate: float
    optimizer: OptimizerState
    # the optimizer's per-parameter state in the flat layout (every weight, then every bias); empty for SGD
    optimizer_state: dict[str, list[float]] = Field(default_factory=dict)
    init: InitSpec
    train_biases: bool
    weights: list[Matrix]
    biases: list[Vector]
    iteration: int
    dataset: Dataset | None = None
    diverged: bool = False
    message: str | None = None
    protected: bool = False


class EditedNetwork(NetworkState):
    """The state after a create or PATCH, with `warnings` about the data set sent (empty when nothing is wrong)."""

    warnings: list[str] = Field(default_factory=list, description="targets the output activation cannot reach, "
                                "e.g. 'row 3, y = 2: a sigmoid output lies in (0, 1)'; at most 10 and 'and N more'")


class CreatedNetwork(EditedNetwork):
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
    sample: Index | None = None
    samples: Literal["all"] | list[Index] | None = None


class TraceRequest(Strict):
    """POST /trace: one sample, an explicit input with its target or a data set row."""

    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False,
        json_schema_extra={"examples": [{"sample": 0}, {"input": [0.0, 1.0], "target": [1.0]}]},
    )

    input: Vector | None = None
    target: Vector | None = None
    sample: Index | None = None
    samples: None = Field(None, description="never allowed: a trace shows one sample")

    @field_validator("samples", mode="before")
    @classmethod
    def _one_sample(cls, value: object) -> None:
        if value is not None:
            raise ValueError("a trace works on one sample: give sample or input, not samples")
        return None


class TrainRequest(Strict):
    """POST /train: how many iterations, batch or online, and how often to record outputs."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"iterations": 10000, "mode": "batch", "record_every": 1000}]}
    )

    iterations: Int = Field(ge=1, description="batch: updates on the whole set; online and minibatch: epochs")
    mode: TrainMode = "batch"
    record_every: Count | None = None
    loss_every: Count | None = None
    batch_size: Count | None = Field(None, description="samples per update in mode minibatch (required there)")
    seed: Int = Field(0, ge=0, le=2**63 - 1, description="the mini-batch shuffle: epoch e's order comes from (seed, e)")
    gradient_norms: bool = Field(False, strict=True, description="add ‖∂L/∂W^l‖_F and ‖δ^l‖_F per layer at each record")
    store: bool = Field(True, strict=True, description="false: compute from the network's current state and leave "
                        "it unchanged (no token needed)")
    record_weights: bool = Field(False, strict=True, description="add the weights and biases to every snapshot")


class PredictRequest(Strict):
    """POST /predict: outputs for many inputs at once (for decision-boundary maps); no loss, no gradients."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False,
                              json_schema_extra={"examples": [{"inputs": [[0, 0], [0, 1], [1, 0], [1, 1]]}]})

    inputs: Matrix = Field(min_length=1)


class PredictResult(Reply):
    """The output a^L for each input row."""

    outputs: Matrix


class LayerValues(Reply):
    """One layer's numbers for one sample; lists are indexed by node j-1."""

    l: int
    z: Vector | None = None
    a: Vector
    delta: Vector | None = None
    grad_a: Vector | None = None
    grad_w: Matrix | None = None
    grad_b: Vector | None = None


class SampleResult(Reply):
    """Forward (and backward) quantities of one sample."""

    layers: list[LayerValues]
    output: Vector
    target: Vector | None = None
    loss: Num | None = None


class LayerGradients(Reply):
    """∂L/∂w^l and ∂L/∂b^l reduced over a batch."""

    l: int
    grad_w: Matrix
    grad_b: Vector


class BatchResult(Reply):
    """Per-sample values of a batch and the reduced loss and gradients."""

    samples: list[int]
    per_sample: list[SampleResult]
    outputs: Matrix
    loss: Num | None = None
    gradients: list[LayerGradients] | None = None


class StepResult(Reply):
    """What a gradient step computed before the update, and the parameters after it."""

    backward: SampleResult | BatchResult
    weights: list[Matrix]
    biases: list[Vector]
    iteration: int
    loss_after: Num | None = None
    diverged: bool
    message: str | None = None


class Snapshot(Reply):
    """The outputs for every sample of the data set at one iteration (the lecture's XOR table)."""

    iteration: int
    outputs: Matrix
    weights: list[Matrix] | None = Field(None, description="null unless the request set record_weights")
    biases: list[Vector] | None = Field(None, description="null unless the request set record_weights")


class LayerNorms(Reply):
    """Frobenius norms of one layer's weight gradient and of its δ over the data set."""

    l: int
    grad_w: float
    delta: float


class GradientNorms(Reply):
    """Per-layer gradient norms on the weights of one iteration, before its update."""

    iteration: int
    layers: list[LayerNorms]


class TrainResult(Reply):
    """The loss curve and output snapshots of a training run, and the parameters it ended with."""

    iteration: int
    loss_history: list[tuple[int, Num]]
    snapshots: list[Snapshot]
    weights: list[Matrix]
    biases: list[Vector]
    diverged: bool
    message: str | None = None
    gradient_norms: list[GradientNorms] | None = Field(None, description="only when the request asked for them")


class TraceEvent(Reply):
    """One elementary computation: what, where (1-based l, j, i), its value, formula and inputs."""

    id: int
    phase: Phase
    quantity: QuantityName
    l: int
    j: int | None
    i: int | None
    value: Num
    symbol: str
    latex: str
    depends_on: list[int]
    optional: bool = Field(False, description="shown for the flow, not needed for the update (∂L/∂x of the inputs)")


class TraceResult(Reply):
    """The ordered computations of one sample's forward pass, loss, backward pass and update."""

    layers: list[int]
    input: Vector
    target: Vector
    loss: Num
    events: list[TraceEvent]
