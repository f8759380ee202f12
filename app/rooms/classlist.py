"""Running the class: the presenter's dashboard, renaming or removing a student, pacing, ending the room; and a
student on their own copy reporting where they are. Names and answers are read here for the presenter only."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from app import tokens
from app.errors import ApiError
from app.rooms import followers as identities
from app.rooms import membership
from app.rooms.followers import Followers, bearer_token
from app.rooms.questions import QuizStore
from app.rooms.results import by_name, score
from app.rooms.roster import Roster
from app.rooms.service import Rooms

PRESENTER_ONLY = ("only the presenter can run the class (class list, pacing, results): send Authorization: "
                  "Bearer <presenter_token>")


def presenter(rooms: Rooms, code: str, authorization: str | None) -> None:
    """401 without a bearer token, 403 with one that is not this room's presenter token (a follower's, another
    room's); RoomNotFound (404) first for an unknown room."""
    digest = rooms.token_digest(code)
    if bearer_token(authorization) is None:
        raise ApiError(401, ("header", "authorization"), PRESENTER_ONLY, headers={"WWW-Authenticate": "Bearer"})
    tokens.check_bearer(digest, authorization, PRESENTER_ONLY)


def _unknown(follower: str) -> ApiError:
    return ApiError(404, ("path", "follower"), f"no follower {follower!r} in this room (never joined, or removed)")


def rename(rooms: Rooms, followers: Followers, code: str, follower: str, name: str,
           authorization: str | None) -> dict[str, Any]:
    """The presenter renames anyone; a student only themself (the name card of the follower page)."""
    if identities.check(followers, code, bearer_token(authorization)) != follower:
        presenter(rooms, code, authorization)
    if not followers.rename(code, follower, name):
        raise _unknown(follower)
    return {"follower": follower, "name": name}


def remove(rooms: Rooms, followers: Followers, roster: Roster, quiz: QuizStore, code: str, follower: str,
           authorization: str | None) -> None:
    """The identity goes (its token answers 401 from now on), with its answers and whereabouts; its open event
    streams end on every process."""
    presenter(rooms, code, authorization)
    if not followers.remove(code, follower):
        raise _unknown(follower)
    roster.forget(code, follower)
    quiz.forget(code, follower)
    rooms.hub.end_streams(code, follower)


def end(rooms: Rooms, followers: Followers, roster: Roster, quiz: QuizStore, code: str,
        authorization: str | None) -> None:
    """Ends the room: its record, names, whereabouts, questions and answers are deleted, its streams end."""
    presenter(rooms, code, authorization)
    quiz.drop(code)
    roster.drop(code)
    followers.drop(code)
    rooms.end(code)


def pace(rooms: Rooms, code: str, pacing: dict[str, Any], authorization: str | None) -> dict[str, Any]:
    """The room's pacing, part of its state: every stream gets it with the next state, a new stream first."""
    presenter(rooms, code, authorization)

    def change(state: dict[str, Any]) -> None:
        state["pacing"] = dict(pacing)

    return dict(rooms.update(code, change)["pacing"])


def report(rooms: Rooms, followers: Followers, roster: Roster, code: str, follower: str,
           authorization: str | None, where: dict[str, Any]) -> None:
    """A student's own position: one write that replaces their previous report."""
    rooms.record_state(code)  # 404 for an unknown room
    who = membership.follower(followers, code, authorization)
    if who != follower:
        raise ApiError(403, ("path", "follower"), "a follower reports only its own position: use the id of your "
                                                  "token")
    now = time.time()
    roster.report(code, who, {**where, "at": now})


def forked(roster: Roster, code: str, follower: str, room: dict[str, Any]) -> None:
    """'Try it myself' puts the student on their own copy, where the presenter was."""
    roster.report(code, follower, {"mode": "own_copy", "view": room.get("view") or "main",
                                   "stage": room.get("stage"), "position": room.get("position", 0),
                                   "at": time.time()})


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def dashboard(rooms: Rooms, followers: Followers, roster: Roster, quiz: QuizStore, code: str,
              authorization: str | None) -> dict[str, Any]:
    """Each student: name, mode, where they are (a follower is where the presenter is), answers, correct ones,
    last seen (now while a stream of theirs is open); totals, with `answered` for the question on screen."""
    presenter(rooms, code, authorization)
    state = rooms.record_state(code)
    names = followers.names(code)
    where = roster.read(code)
    asked = quiz.answered(code)
    now = time.time()
    current = (state.get("question") or {}).get("id")
    on_screen = next((answers for record, answers in asked if record["id"] == current), {})
    rows = []
    totals = {"following": 0, "own_copy": 0, "answered": 0}
    for follower, name in by_name(names):
        got = where.reports.get(follower) or {}
        mode = "own_copy" if got.get("mode") == "own_copy" else "following"
        place = got if mode == "own_copy" else state
        answered, correct = score(asked, follower)
        seen = max(where.seen.get(follower, 0.0), float(got.get("at", 0.0)))
        if where.live.get(follower, 0) > 0:
            seen = now
        rows.append({"follower": follower, "name": name, "mode": mode, "view": place.get("view") or "main",
                     "stage": place.get("stage"), "position": int(place.get("position") or 0),
                     "answers": answered, "correct": correct, "last_seen": _iso(seen or now)})
        totals[mode] += 1
        totals["answered"] += follower in on_screen
    return {"followers": rows, "totals": totals}
