"""Every pydantic request and response body of the REST API, by resource, with the names allowed by the engine's
registries. These models declare shapes only: the use cases in app/networks turn numpy arrays into lists."""

from app.schemas.analysis import (
    GradCheckResult,
    GraphRequest,
    GraphResult,
    LandscapeRequest,
    LandscapeResult,
    NudgeRequest,
    NudgeResult,
)
from app.schemas.common import (
    ErrorBody,
    ErrorItem,
    Health,
    Matrix,
    Num,
    OptimizerSpec,
    Phase,
    Ready,
    Strict,
    ValidationErrorBody,
    Vector,
    error_responses,
)
from app.schemas.meta import Meta
from app.schemas.networks import (
    BatchResult,
    BiasEdit,
    CreatedNetwork,
    Dataset,
    EditedNetwork,
    GradientNorms,
    InitSpec,
    LayerGradients,
    LayerValues,
    NetworkCreate,
    NetworkPatch,
    NetworkState,
    PredictRequest,
    PredictResult,
    Restore,
    SampleRequest,
    SampleResult,
    Snapshot,
    StepResult,
    TraceEvent,
    TraceRequest,
    TraceResult,
    TrainRequest,
    TrainResult,
    WeightEdit,
)
from app.schemas.presets import Preset
from app.schemas.quiz import (
    Histogram,
    QuizAnswer,
    QuizAsk,
    QuizClosed,
    QuizQuestion,
    QuizReveal,
    QuizStatus,
    RoomQuestion,
)
from app.schemas.rooms import (
    FollowerJoin,
    FollowerJoined,
    RoomCreate,
    RoomCreated,
    RoomFork,
    RoomState,
    RoomStateUpdate,
    TrainingProgress,
    room_error_responses,
)

__all__ = [
    "BatchResult", "BiasEdit", "CreatedNetwork", "Dataset", "EditedNetwork", "ErrorBody", "ErrorItem",
    "GradCheckResult", "GraphRequest", "GraphResult", "Health", "NudgeRequest", "NudgeResult",
    "InitSpec", "GradientNorms", "LandscapeRequest", "LandscapeResult", "LayerGradients", "LayerValues", "Matrix",
    "Meta", "NetworkCreate", "NetworkPatch", "NetworkState", "Num", "OptimizerSpec", "Phase", "PredictRequest",
    "PredictResult", "Preset", "Ready", "Restore", "RoomCreate", "RoomCreated", "RoomFork", "RoomState",
    "RoomStateUpdate", "SampleRequest", "SampleResult", "Snapshot", "StepResult", "Strict", "TraceEvent",
    "TraceRequest", "TraceResult", "TrainRequest", "TrainResult", "TrainingProgress", "ValidationErrorBody",
    "Vector", "WeightEdit", "error_responses", "room_error_responses",
    "FollowerJoin", "FollowerJoined", "Histogram", "QuizAnswer", "QuizAsk", "QuizClosed", "QuizQuestion",
    "QuizReveal", "QuizStatus", "RoomQuestion",
]
