"""Ask the class: the presenter freezes one value of the trace, followers predict it, the reveal shows the truth
that the server computed itself from the room's network and kept out of the room state until then."""

from __future__ import annotations

import secrets
from typing import Any

from app import tokens
from app.errors import ApiError
from app.rooms import membership
from app.rooms.followers import Followers
from app.rooms.questions import Outcome, QuizStore
from app.rooms.results import context_of
from app.rooms.scoring import hidden_histogram, histogram_around, histogram_of_answers, prompt_latex, within_10_percent
from app.rooms.service import Rooms

PRESENTER_ONLY = "only the presenter can ask, reveal or close: send Authorization: Bearer <presenter_token>"


def _not_found(qid: str) -> ApiError:
    return ApiError(404, ("path", "qid"), f"question not found: this room has no question {qid!r}")


def _presenter(rooms: Rooms, code: str, authorization: str | None) -> None:
    tokens.check_bearer(rooms.token_digest(code), authorization, PRESENTER_ONLY)


def _is_presenter(rooms: Rooms, code: str, authorization: str | None) -> bool:
    return authorization is not None and tokens.bearer_matches(rooms.token_digest(code), authorization)


def asked_network(rooms: Rooms, code: str, authorization: str | None) -> str:
    """The id of the network a question is asked on: the room's, for its presenter only."""
    _presenter(rooms, code, authorization)
    network_id: str = rooms.record_state(code)["network_id"]
    return network_id


def ask(rooms: Rooms, quiz: QuizStore, code: str, sample: int, event: int,
        events: list[dict[str, Any]]) -> dict[str, Any]:
    """A new question on one event of the sample's trace (`events`, computed by the caller through the gate, on
    the network asked_network named); followers see it at once."""
    if not 0 <= event < len(events):
        raise ApiError(422, ("body", "event"), f"no such event: the trace of sample {sample} has events "
                                               f"0 to {len(events) - 1}", "no_such_event")
    ev = events[event]
    qid = secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")
    public = {"id": qid, "sample": sample, "event": event, "quantity": ev["quantity"], "symbol": ev["symbol"],
              "prompt_latex": prompt_latex(ev)}
    # the quantities beside the asked one are kept with it: the results tell common slips apart by them
    quiz.create(code, qid, {**public, "value": float(ev["value"]), "context": context_of(events, ev)})
    question = {**public, "revealed": False}

    def show(state: dict[str, Any]) -> None:
        state["question"] = question

    rooms.update(code, show)
    return public


def answer(rooms: Rooms, quiz: QuizStore, followers: Followers, code: str, qid: str, authorization: str | None,
           claimed: str | None, value: float) -> None:
    """A follower's prediction under the identity of its token; the same identity again replaces it. A question
    takes at most one answer per identity the room has issued."""
    rooms.record_state(code)  # RoomNotFound for an unknown room
    follower = membership.follower(followers, code, authorization, claimed)
    cap = followers.issued(code)
    outcome = quiz.answer(code, qid, follower, value, cap)
    if outcome == Outcome.MISSING:
        raise _not_found(qid)
    if outcome == Outcome.REVEALED:
        raise ApiError(409, ("path", "qid"), "this question has been revealed: answers are closed")
    if outcome == Outcome.CLOSED:
        raise ApiError(409, ("path", "qid"), "the presenter closed this question: answers are closed")
    if outcome == Outcome.FULL:
        raise ApiError(409, ("path", "qid"), f"this question has reached its limit of {cap} answers "
                                               "(one per student who joined)")
    if outcome == Outcome.TOO_FAST:
        limit, window = quiz.rate
        raise ApiError(429, ("body", "follower"), f"too many answers: at most {limit} per {window} s from one "
                                                  "follower; wait a moment and send it again")


def _result(record: dict[str, Any], answers: list[float]) -> dict[str, Any]:
    value = float(record["value"])
    return {"value": value, "answers": len(answers), "within_10_percent": within_10_percent(value, answers),
            "histogram": histogram_around(value, answers)}


def status(rooms: Rooms, quiz: QuizStore, code: str, qid: str, authorization: str | None) -> dict[str, Any]:
    """How many answered and their distribution; the value only after the reveal. Before it, the histogram spans
    the answers for the presenter (never the true value: the projector must not hint it) and is empty for anyone
    else (nothing to copy)."""
    rooms.record_state(code)
    record = quiz.get(code, qid)
    if record is None:
        raise _not_found(qid)
    answers = quiz.answers(code, qid)
    if record.get("revealed"):
        return {"id": qid, "revealed": True, **_result(record, answers)}
    presenter = _is_presenter(rooms, code, authorization)
    histogram = histogram_of_answers(answers) if presenter else hidden_histogram()
    return {"id": qid, "answers": len(answers), "histogram": histogram, "revealed": False}


def reveal(rooms: Rooms, quiz: QuizStore, code: str, qid: str, authorization: str | None) -> dict[str, Any]:
    """Close the answers and show the true value on every screen, with the class's distribution."""
    _presenter(rooms, code, authorization)
    got = quiz.reveal(code, qid)
    if got is None:
        raise _not_found(qid)
    record, answers = got
    result = _result(record, answers)
    public = {k: record[k] for k in ("id", "sample", "event", "quantity", "symbol", "prompt_latex")}
    question = {**public, "revealed": True, **result}

    def show(state: dict[str, Any]) -> None:
        current = state.get("question")
        if current is None or current.get("id") == qid:  # revealing an older question leaves a newer one shown
            state["question"] = question

    rooms.update(code, show)
    return result


def close(rooms: Rooms, quiz: QuizStore, code: str, qid: str, authorization: str | None) -> None:
    """Take no more answers and clear the question from every screen, revealed or not (who may: the presenter)."""
    _presenter(rooms, code, authorization)
    if not quiz.close(code, qid):
        raise _not_found(qid)

    def hide(state: dict[str, Any]) -> None:
        current = state.get("question")
        if current is not None and current.get("id") == qid:  # closing an older question leaves a newer one shown
            state["question"] = None

    rooms.update(code, hide)
