"""The class quiz of a room: the presenter asks about the next value of the trace, followers predict it on their
phones, the presenter reveals it. The true value is computed here from the room's network and shown only at the
reveal; the question and the reveal reach every follower through the room's event stream."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Response, status

from app.deps import FollowerAuth, FollowersDep, PresenterAuth, QuizDep, RoomsDep, SettingsDep, StoreDep
from app.networks import priced
from app.rooms import quiz
from app.rooms.service import found
from app.schemas import (
    ErrorBody,
    QuizAnswer,
    QuizAsk,
    QuizClosed,
    QuizQuestion,
    QuizReveal,
    QuizStatus,
    TraceRequest,
    room_error_responses,
)

router = APIRouter(tags=["rooms"])


def _answer_errors() -> dict[int | str, dict[str, Any]]:
    out = room_error_responses(400, 404, 409, 413, 415)
    out[401] = {"model": ErrorBody, "description": "No follower token, or not one this room issued"}
    out[403] = {"model": ErrorBody, "description": "The body's follower is not the token's"}
    out[404] = {"model": ErrorBody, "description": "No room with this code, or no such question in it"}
    out[409] = {"model": ErrorBody, "description": "The question was revealed or closed, or has its maximum of answers"}
    out[429] = {"model": ErrorBody, "description": "This follower sent too many answers in a short time"}
    return out


@router.post("/api/rooms/{code}/questions", status_code=status.HTTP_201_CREATED, response_model=QuizQuestion,
             responses=room_error_responses(400, 403, 404, 409, 413, 415, 503))
async def ask_question(code: str, body: QuizAsk, rooms: RoomsDep, questions: QuizDep, store: StoreDep,
                       settings: SettingsDep, authorization: PresenterAuth = None) -> dict[str, Any]:
    """Ask the class about one event of a sample's trace: followers see its formula with "?" for the result.
    Who may: the presenter; refused: no or another token (403). The trace is priced and admitted like
    POST /api/networks/{id}/trace (503 with Retry-After while the server is busy)."""
    with found(code) as norm:
        network_id = await anyio.to_thread.run_sync(quiz.asked_network, rooms, norm, authorization)
        traced = await priced.trace(store, settings, network_id, TraceRequest(sample=body.sample, samples=None))
        return await anyio.to_thread.run_sync(quiz.ask, rooms, questions, norm, body.sample, body.event,
                                              traced["events"])


@router.post("/api/rooms/{code}/questions/{qid}/answers", status_code=status.HTTP_204_NO_CONTENT,
             response_class=Response, responses=_answer_errors())
def answer_question(code: str, qid: str, body: QuizAnswer, rooms: RoomsDep, questions: QuizDep, followers: FollowersDep,
           authorization: FollowerAuth = None) -> Response:
    """A follower's prediction under its token's identity (a new one replaces the old); 409 once revealed or
    closed. Who may: a follower (one answer per question); refused: no or unknown token (401), another's id (403)."""
    with found(code) as norm:
        quiz.answer(rooms, questions, followers, norm, qid, authorization, body.follower, body.value)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api/rooms/{code}/questions/{qid}", response_model=QuizStatus,
            responses=room_error_responses(404))
def get_question(code: str, qid: str, rooms: RoomsDep, questions: QuizDep,
             authorization: PresenterAuth = None) -> dict[str, Any]:
    """How many answered and their histogram (around the true value for the presenter's token); the value and the
    count within 10% only after the reveal."""
    with found(code) as norm:
        return quiz.status(rooms, questions, norm, qid, authorization)


@router.post("/api/rooms/{code}/questions/{qid}/reveal", response_model=QuizReveal,
             responses=room_error_responses(403, 404))
def reveal_question(code: str, qid: str, rooms: RoomsDep, questions: QuizDep,
           authorization: PresenterAuth = None) -> dict[str, Any]:
    """Close the answers and show the true value on every screen, with how the class answered."""
    with found(code) as norm:
        return quiz.reveal(rooms, questions, norm, qid, authorization)


@router.post("/api/rooms/{code}/questions/{qid}/close", status_code=status.HTTP_200_OK, response_model=QuizClosed,
             responses=room_error_responses(403, 404))
def close_question(code: str, qid: str, rooms: RoomsDep, questions: QuizDep,
          authorization: PresenterAuth = None) -> dict[str, Any]:
    """The presenter only: take no more answers (later ones get 409) and clear the question from every screen."""
    with found(code) as norm:
        quiz.close(rooms, questions, norm, qid, authorization)
    return {"id": qid, "closed": True}
