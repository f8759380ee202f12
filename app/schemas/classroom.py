"""Bodies of the class routes (app/routes/rooms_class.py): the presenter's dashboard, renames, a student's own
position, and the class's results."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field, field_validator

from app.schemas.common import Int, Reply, Strict, whole


class FollowerRename(Strict):
    """PATCH /api/rooms/{code}/followers/{follower}: the student's new display name."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Grace"}]})

    name: str = Field(min_length=1, max_length=40, description="1-40 printable characters")

    @field_validator("name")
    @classmethod
    def _printable(cls, value: str) -> str:
        if not value.isprintable() or not value.strip():
            raise ValueError("a name is 1-40 printable characters, not only spaces")
        return value


class FollowerRenamed(Reply):
    """The renamed student."""

    follower: str
    name: str


class PositionReport(Strict):
    """PUT .../followers/{follower}/position: where a student is (on their own copy, or back to following)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"mode": "own_copy", "view": "main", "position": 14}, {"mode": "following", "view": "lesson", "stage": 2,
                                                               "position": 0}]})

    mode: Literal["following", "own_copy"]
    view: Literal["main", "lesson"]
    # the bounds come before the integer check: after it, or on `Int | None`, they would reach the OpenAPI schema
    # as "ge"/"le", which no JSON Schema reader knows
    stage: Annotated[int, Field(ge=1, le=1000), BeforeValidator(whole)] | None = Field(
        None, description="the lesson's stage (1-based) when view is lesson")
    position: Int = Field(ge=0, le=10**7, description="number of trace events shown")


class DashboardFollower(Reply):
    """One student as the presenter sees them."""

    follower: str
    name: str
    mode: Literal["following", "own_copy"]
    view: Literal["main", "lesson"]
    stage: int | None
    position: int
    answers: int = Field(description="questions answered")
    correct: int = Field(description="answers within 10 % of the true value")
    last_seen: str = Field(description="ISO 8601 (UTC); now while one of their event streams is open")


class DashboardTotals(Reply):
    """Counts over the class list."""

    following: int
    own_copy: int
    answered: int = Field(description="students who answered the question on screen (0 without one)")


class Dashboard(Reply):
    """GET /api/rooms/{code}/dashboard: the class list, by name."""

    followers: list[DashboardFollower]
    totals: DashboardTotals


class CommonWrong(Reply):
    """A wrong answer several gave (to 3 significant digits) and what it likely means, when recognisable."""

    value: float
    count: int
    likely: str | None


class QuestionResult(Reply):
    """One question's answers: how many, how many within 10 %, the commonest wrong ones."""

    id: str
    symbol: str
    value: float
    answers: int
    within_10_percent: int
    common_wrong: list[CommonWrong]


class StudentResult(Reply):
    """One student's score."""

    follower: str
    name: str
    answered: int
    correct: int


class Results(Reply):
    """GET /api/rooms/{code}/results: questions oldest first, students by name."""

    questions: list[QuestionResult]
    students: list[StudentResult]
