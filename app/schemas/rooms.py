"""Bodies of the classroom room routes (app/routes/rooms.py): a presenter's position, broadcast to followers."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, ConfigDict, Field, field_validator

from app.schemas.common import ErrorBody, Int, Phase, Reply, Strict, error_responses, whole
from app.schemas.networks import CreatedNetwork
from app.schemas.quiz import RoomQuestion


class TrainingProgress(Reply):
    """How far the presenter's training run has got."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    done: Int = Field(ge=0, le=10**9)
    total: Int = Field(ge=0, le=10**9)
    running: bool = Field(True, strict=True)
    loss: float | None = Field(None, strict=True, allow_inf_nan=False)


class RoomCreate(Strict):
    """POST /api/rooms: the network the presenter shows."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"network_id": "n3Kq8ZrT2bWx"}]})

    network_id: str = Field(min_length=1, max_length=64)


class FollowerJoin(Strict):
    """POST /api/rooms/{code}/followers: the name a student goes by (none: the server picks a friendly one)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Ada"}, {}]})

    name: str | None = Field(None, min_length=1, max_length=40, description="1-40 printable characters")

    @field_validator("name")
    @classmethod
    def _printable(cls, value: str | None) -> str | None:
        if value is not None and (not value.isprintable() or not value.strip()):
            raise ValueError("a name is 1-40 printable characters, not only spaces")
        return value


class FollowerJoined(Reply):
    """A follower's identity: its token (shown only here) goes in `Authorization: Bearer` of its answers and forks,
    and in `?token=` of its event stream."""

    follower: str = Field(description="the follower's id in this room")
    token: str
    name: str


class Pacing(Strict):
    """PUT /api/rooms/{code}/pacing, and the room state's `pacing`: how far students may go on their own."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"lock": "presenter", "paused": True, "message": "Eyes up here: δ of the output layer"}, {"lock": "free"}]})

    lock: Literal["free", "presenter", "stage"] = Field(description="free: 'Try it myself' anywhere; presenter: "
                                                        "everyone follows the presenter (a fork gets 409); stage: "
                                                        "own copies stay within the presenter's lesson stage")
    paused: bool = Field(False, strict=True, description="'eyes up here': every student's screen shows the message")
    message: str | None = Field(None, max_length=200, description="shown on paused screens (up to 200 characters)")


class LiveTable(Strict):
    """Where the presenter's live table stage stands: the run shown and the iteration its slider shows."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"mode": "batch", "iteration": 4000}]})

    mode: Literal["batch", "online"] = Field(description="the run shown: batch or online training")
    iteration: Annotated[int, Field(ge=0, le=10**7), BeforeValidator(whole)] = Field(
        description="the iteration the slider shows (0, 100, ... 10000)")


class RoomState(Reply):
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
    view: Literal["main", "lesson"] = Field("main", description="which page the presenter shows")
    stage: int | None = Field(None, description="the guided lesson's stage (1-based) when view is lesson")
    question: RoomQuestion | None = Field(None, description="the class quiz's current question (its value only "
                                          "after the reveal)")
    live_table: LiveTable | None = Field(None, description="the live table's mode and iteration while the "
                                         "presenter is on that stage (null elsewhere; a change of stage or view "
                                         "clears it)")
    pacing: Pacing = Field(default_factory=lambda: Pacing(lock="free", paused=False, message=None),
                           description="the presenter's pacing")
    followers: int = Field(0, description="event streams open on this room right now")
    seq: int = Field(description="increases with every change; the SSE `id:` of this state")
    updated: float = Field(description="server time of the change, seconds since the epoch")


class RoomStateUpdate(Strict):
    """POST /api/rooms/{code}/state: the fields that changed (any subset); `training: null` clears the run,
    `live_table: null` the live table's place."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"sample": 1, "position": 12, "phase": "backward"}, {"training": {"done": 200, "total": 1000}},
        {"view": "lesson", "stage": 3}, {"live_table": {"mode": "online", "iteration": 2500}}]})

    # the network's iteration and version are read from the store at each change, so a follower reloads the
    # network whenever it changed, whoever changed it

    network_id: str | None = Field(None, min_length=1, max_length=64)
    sample: Annotated[int, Field(ge=0, le=10**6), BeforeValidator(whole)] | None = None
    position: Annotated[int, Field(ge=0, le=10**7), BeforeValidator(whole)] | None = None
    phase: Phase | None = None
    training: TrainingProgress | None = None
    view: Literal["main", "lesson"] | None = None
    stage: Annotated[int, Field(ge=1, le=1000), BeforeValidator(whole)] | None = None
    live_table: LiveTable | None = Field(None, description="the live table's place; null clears it (a change of "
                                         "stage or view clears it unless this sets it)")


class RoomCreated(Reply):
    """A new room: its code, the presenter's token (shown once) and where followers go."""

    code: str = Field(description="6 characters, no look-alikes (no 0/O, 1/I/L)")
    presenter_token: str
    join_url: str = Field(description="the follower page, absolute: on DELTAFLOW_PUBLIC_URL when the server sets "
                          "it, else on this request's base URL")
    qr_url: str = Field(description="the join link as an SVG QR code, absolute like join_url")
    state: RoomState


class RoomFork(Reply):
    """'Try it myself': a protected copy of the room's network (its token in `network.token`, shown only here), and
    where to continue with it."""

    network: CreatedNetwork
    sample: int
    position: int
    open_url: str = Field(description="the main page on the copy, at the presenter's sample and step")


def room_error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI error declarations for room routes (404 names rooms too, 403 the presenter token; 429 for an
    address that tried too many unknown codes)."""
    out = error_responses(*codes, 429)
    if 403 in out:
        out[403] = {"model": ErrorBody, "description": "Missing or wrong presenter token"}
    if 404 in out:
        out[404] = {"model": ErrorBody, "description": "No room with this code, or its network is gone"}
    return out
