"""Running the class over HTTP: the presenter's dashboard, renames and removals, pacing, the results and their CSV,
ending the room; and a student's own position (docs/rooms.md, "Run the class")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response, status
from fastapi.responses import HTMLResponse

from app.deps import FollowerAuth, FollowersDep, PresenterAuth, QuizDep, RoomsDep, RosterDep
from app.middleware import CSP
from app.rooms import classlist
from app.rooms.results import results, results_csv
from app.rooms.service import found
from app.routes.pages import templates
from app.schemas import ErrorBody, room_error_responses
from app.schemas.classroom import Dashboard, FollowerRename, FollowerRenamed, PositionReport, Results
from app.schemas.quiz import FOLLOWER_ID
from app.schemas.rooms import Pacing

router = APIRouter(tags=["rooms"])

FollowerId = Annotated[str, Path(pattern=FOLLOWER_ID, description="the follower's id (from joining)")]


def _presenter_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    out = room_error_responses(403, 404, *codes)
    out[401] = {"model": ErrorBody, "description": "No bearer token: send the presenter token"}
    out[403] = {"model": ErrorBody, "description": "Not this room's presenter token (a follower's, another room's)"}
    return out


@router.get("/api/rooms/{code}/dashboard", response_model=Dashboard, responses=_presenter_errors())
def get_dashboard(code: str, rooms: RoomsDep, followers: FollowersDep, roster: RosterDep, quiz: QuizDep,
                  authorization: PresenterAuth = None) -> dict[str, Any]:
    """The class list: each student's name, mode, place, answers, correct ones and last seen; totals.
    Who may: the room's presenter ("read the dashboard"); refused: no token (401), any other token (403)."""
    with found(code) as norm:
        return classlist.dashboard(rooms, followers, roster, quiz, norm, authorization)


@router.patch("/api/rooms/{code}/followers/{follower}", response_model=FollowerRenamed,
              responses=_presenter_errors(400, 413, 415))
def rename_follower(code: str, follower: FollowerId, body: FollowerRename, rooms: RoomsDep, followers: FollowersDep,
                    authorization: PresenterAuth = None) -> dict[str, Any]:
    """Rename a student (the class list only: other students never see names).
    Who may: the room's presenter, or that follower itself with its own token; refused: no token (401), any other
    token (403: another follower's, another room's), an unknown follower (404)."""
    with found(code) as norm:
        return classlist.rename(rooms, followers, norm, follower, body.name, authorization)


@router.delete("/api/rooms/{code}/followers/{follower}", status_code=status.HTTP_204_NO_CONTENT,
               response_class=Response, responses=_presenter_errors())
def remove_follower(code: str, follower: FollowerId, rooms: RoomsDep, followers: FollowersDep, roster: RosterDep,
                    quiz: QuizDep, authorization: PresenterAuth = None) -> Response:
    """Remove a student: their token stops working (401), their streams end, their answers go.
    Who may: the room's presenter; refused: no token (401), any other token (403), an unknown follower (404)."""
    with found(code) as norm:
        classlist.remove(rooms, followers, roster, quiz, norm, follower, authorization)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("/api/rooms/{code}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
               responses=_presenter_errors())
def end_room(code: str, rooms: RoomsDep, followers: FollowersDep, roster: RosterDep, quiz: QuizDep,
             authorization: PresenterAuth = None) -> Response:
    """End the room now: names, answers and results are deleted, every stream ends; the code then answers 404.
    Who may: the room's presenter ("close"); refused: no token (401), any other token (403)."""
    with found(code) as norm:
        classlist.end(rooms, followers, roster, quiz, norm, authorization)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put("/api/rooms/{code}/pacing", response_model=Pacing, responses=_presenter_errors(400, 409, 413, 415))
def set_pacing(code: str, body: Pacing, rooms: RoomsDep, authorization: PresenterAuth = None) -> dict[str, Any]:
    """Lock the class to the presenter, to the lesson stage, or free it; pause every screen with a message. Part
    of the room's state: every follower's stream gets it, and a new stream gets it first.
    Who may: the room's presenter ("pace"); refused: no token (401), any other token (403), a bad field (422)."""
    with found(code) as norm:
        return classlist.pace(rooms, norm, body.model_dump(), authorization)


@router.put("/api/rooms/{code}/followers/{follower}/position", status_code=status.HTTP_204_NO_CONTENT,
            response_class=Response, responses={
                **room_error_responses(400, 404, 413, 415),
                401: {"model": ErrorBody, "description": "No follower token, or not one this room issued"},
                403: {"model": ErrorBody, "description": "The path's follower is not the token's"}})
def report_position(code: str, follower: FollowerId, body: PositionReport, rooms: RoomsDep, followers: FollowersDep,
                    roster: RosterDep, authorization: FollowerAuth = None) -> Response:
    """A student reports where they are on their own copy (or that they follow again); the latest report wins.
    Who may: that follower, with its own token; refused: no or unknown token (401), another follower's id (403)."""
    with found(code) as norm:
        classlist.report(rooms, followers, roster, norm, follower, authorization, body.model_dump())
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api/rooms/{code}/results", response_model=Results, responses=_presenter_errors())
def class_results(code: str, rooms: RoomsDep, followers: FollowersDep, quiz: QuizDep,
                  authorization: PresenterAuth = None) -> dict[str, Any]:
    """Per question the answers, the share within 10 % and the commonest wrong answers with what they likely
    mean; per student a score. Who may: the room's presenter ("read the results"); refused: no token (401), any
    other token (403)."""
    with found(code) as norm:
        classlist.presenter(rooms, norm, authorization)
        return results(followers.names(norm), quiz.answered(norm))


@router.get("/api/rooms/{code}/results.csv", response_class=Response, responses={
    200: {"description": "One row per student × question: follower,name,question,symbol,value,answer,"
                         "within_10_percent (empty answer when unanswered)",
          "content": {"text/csv": {"schema": {"type": "string"}}}},
    **_presenter_errors()})
def class_results_csv(code: str, rooms: RoomsDep, followers: FollowersDep, quiz: QuizDep,
                      authorization: PresenterAuth = None) -> Response:
    """The results as CSV, one row per student × question. Who may: the room's presenter; refused: no token
    (401), any other token (403)."""
    with found(code) as norm:
        classlist.presenter(rooms, norm, authorization)
        body = results_csv(followers.names(norm), quiz.answered(norm))
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="deltaflow-{norm}-results.csv"', "Cache-Control": "no-store"})


@router.get("/dashboard/{code}", response_class=HTMLResponse, include_in_schema=False)
def dashboard_page(code: str, request: Request, rooms: RoomsDep) -> HTMLResponse:
    """The presenter's dashboard page; its data comes from the API with the token of the URL's fragment.
    Who may: anyone may load the page, which holds nothing; every call it makes needs the presenter token."""
    with found(code) as norm:
        rooms.record_state(norm)
    response = templates.TemplateResponse(request, "dashboard.html", {"code": norm})
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["Cache-Control"] = "no-cache"
    return response
