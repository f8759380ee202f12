"""Bodies of the class quiz routes (app/routes/quiz.py): ask about one value of the trace, answer, reveal, close."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from app.schemas.common import Int, Num, Reply, Strict

FOLLOWER_ID = r"^[A-Za-z0-9_-]{8,64}$"


class QuizAsk(Strict):
    """POST /api/rooms/{code}/questions: which value to ask about (an event id of the sample's trace)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"sample": 0, "event": 7}]})

    sample: Int = Field(ge=0, le=10**6)
    event: Int = Field(ge=0, le=10**7)


class QuizAnswer(Strict):
    """POST .../questions/{qid}/answers: a follower's prediction; the same follower again replaces it."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"value": 0.42}]})

    follower: str | None = Field(None, pattern=FOLLOWER_ID, description="optional: the id of the follower token "
                                 "sent in Authorization (any other is refused with 403); answers stay anonymous")
    value: Num = Field(ge=-1e12, le=1e12)


class Histogram(Reply):
    """Answers in bins: after the reveal around the true value (the middle bin is within 10%); before it, for the
    presenter only, from the lowest answer to the highest (`answers`); anyone else gets an empty `hidden` one."""

    around: Literal["value", "answers", "hidden"]
    edges: list[float] = Field(description="bin edges, one more than counts")
    counts: list[int]
    below: int = Field(0, description="answers below the first edge")
    above: int = Field(0, description="answers above the last edge")


class QuizQuestion(Reply):
    """A question just asked: what followers see, never the value."""

    id: str
    sample: int
    event: int
    quantity: str
    symbol: str = Field(description="LaTeX of the asked quantity, e.g. z_{1}^{2}")
    prompt_latex: str = Field(description="the event's formula with ? for the result")


class QuizStatus(Reply):
    """How many answered and how; `value` and `within_10_percent` only once revealed."""

    id: str
    answers: int
    histogram: Histogram
    revealed: bool
    value: float | None = None
    within_10_percent: int | None = None


class QuizReveal(Reply):
    """The true value with the class's answers."""

    value: float
    answers: int
    within_10_percent: int
    histogram: Histogram


class QuizClosed(Reply):
    """A closed question: no more answers, and no longer on any screen."""

    id: str
    closed: Literal[True] = True


class RoomQuestion(Reply):
    """The room's current question as every follower sees it; the result fields appear only after the reveal."""

    id: str
    sample: int
    event: int
    quantity: str
    symbol: str
    prompt_latex: str
    revealed: bool
    value: float | None = None
    answers: int | None = None
    within_10_percent: int | None = None
    histogram: Histogram | None = None
