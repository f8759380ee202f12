"""Classroom rooms over HTTP: open, read, move (presenter only), follow live over SSE, fork; the /join pages and
the QR code of a room's link (docs/rooms.md)."""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import urlencode

import anyio
import segno
from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse

from app import tokens
from app.deps import (
    FollowerAuth,
    FollowersDep,
    NetworkAuth,
    PresenterAuth,
    RoomsDep,
    RosterDep,
    SettingsDep,
    StoreDep,
)
from app.errors import ApiError
from app.middleware import CSP
from app.networks.model import public_state
from app.networks.usecases import presentable
from app.rooms import classlist, membership
from app.rooms import followers as identities
from app.rooms.codes import normalize
from app.rooms.counts import FOLLOWERS
from app.rooms.followers import Followers
from app.rooms.hub import sse_state
from app.rooms.records import RoomNotFound
from app.rooms.roster import Roster
from app.rooms.service import Rooms, found
from app.routes.pages import plotly_version, templates
from app.schemas import (
    ErrorBody,
    FollowerJoin,
    FollowerJoined,
    RoomCreate,
    RoomCreated,
    RoomFork,
    RoomState,
    RoomStateUpdate,
    room_error_responses,
)

log = logging.getLogger("deltaflow.rooms")

router = APIRouter(tags=["rooms"])

PRESENTER_ONLY = "only the presenter can move this room: send Authorization: Bearer <presenter_token>"


def _base(request: Request, public_url: str | None) -> str:
    """Where students reach this server: DELTAFLOW_PUBLIC_URL when set, else the request's own base URL."""
    return public_url or str(request.base_url).rstrip("/")


def _join_link(request: Request, public_url: str | None, code: str) -> str:
    return f"{_base(request, public_url)}/join/{code}"


def _links(request: Request, public_url: str | None, code: str) -> dict[str, str]:
    return {"join_url": _join_link(request, public_url, code),
            "qr_url": f"{_base(request, public_url)}/api/rooms/{code}/qr.svg"}


def _auth_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    out = room_error_responses(*codes)
    out[401] = {"model": ErrorBody, "description": "No follower token, or not one this room issued"}
    out[409] = {"model": ErrorBody, "description": "The presenter locked the class to the presenter's screen"}
    out[429] = {"model": ErrorBody, "description": "This follower made its copies for now: see Retry-After"}
    return out


@router.post("/api/rooms", status_code=status.HTTP_201_CREATED, response_model=RoomCreated,
             responses=room_error_responses(400, 403, 404, 413, 415))
def open_room(body: RoomCreate, request: Request, store: StoreDep, rooms: RoomsDep, settings: SettingsDep,
              authorization: NetworkAuth = None) -> dict[str, Any]:
    """Open a room on a protected network with its token; the presenter token is shown only here, the links are
    absolute. Who may: a network's creator; refused: an unprotected network (422), a missing or wrong token (403)."""
    iteration, version = presentable(store, body.network_id, authorization, owner=True)
    code, token, state = rooms.open(body.network_id, iteration, version)
    return {"code": code, "presenter_token": token, **_links(request, settings.public_url, code), "state": state}


@router.get("/api/rooms/{code}", response_model=RoomState, responses=room_error_responses(404))
def get_room(code: str, rooms: RoomsDep) -> dict[str, Any]:
    """The room's current state: network, sample, position, phase, training progress, followers."""
    with found(code) as norm:
        return rooms.get(norm)


@router.post("/api/rooms/{code}/state", response_model=RoomState,
             responses=room_error_responses(400, 403, 404, 409, 413, 415))
def publish_state(code: str, body: RoomStateUpdate, rooms: RoomsDep, store: StoreDep,
                  authorization: PresenterAuth = None) -> dict[str, Any]:
    """The presenter moves the room (only the fields given change); followers get it within milliseconds.
    Who may: the presenter; refused: anyone else (403), a move to an unprotected network (422)."""
    with found(code) as norm:
        tokens.check_bearer(rooms.token_digest(norm), authorization, PRESENTER_ONLY)
        fields = body.model_dump(include=body.model_fields_set)
        # the network as it is now (it may have been stepped or edited since): followers reload on a new version
        network_id = body.network_id or rooms.record_state(norm)["network_id"]
        fields["iteration"], fields["network_version"] = presentable(store, network_id, None, owner=False)
        return rooms.publish(norm, fields)


@router.post("/api/rooms/{code}/followers", status_code=status.HTTP_201_CREATED, response_model=FollowerJoined,
             responses=room_error_responses(400, 404, 413, 415))
def join_room(code: str, body: FollowerJoin, rooms: RoomsDep, followers: FollowersDep,
              roster: RosterDep) -> dict[str, Any]:
    """Join as a follower: a server-issued identity (id, token shown only here, name) for answers, forks and the
    event stream; the presenter sees the name and answers. Who may: anyone with the code, within a per-address
    budget (429); refused: a bad name (422)."""
    with found(code) as norm:
        joined = membership.join(rooms, followers, norm, body.name)
        roster.seen(norm, joined["follower"], time.time())
        return joined


@router.post("/api/rooms/{code}/fork", status_code=status.HTTP_201_CREATED, response_model=RoomFork,
             responses=_auth_errors(404))
def fork_room(code: str, rooms: RoomsDep, store: StoreDep, followers: FollowersDep, roster: RosterDep,
              settings: SettingsDep, authorization: FollowerAuth = None) -> dict[str, Any]:
    """'Try it myself': a protected copy of the room's current network, to continue alone. Who may: a follower,
    within its fork budget and while pacing allows; refused: no or unknown follower token (401), the class locked
    to the presenter (409), past the budget (429, Retry-After)."""
    with found(code) as norm:
        room, copy, token, who = membership.fork(rooms, followers, store, norm, authorization, settings.fork_budget)
        classlist.forked(roster, norm, who, room)
    url = f"/?net={copy['id']}&sample={room['sample']}&step={room['position']}&room={norm}"
    return {"network": {**public_state(copy), "token": token}, "sample": room["sample"],
            "position": room["position"], "open_url": url}


async def _current(rooms: Rooms, code: str) -> dict[str, Any]:
    """The room's state without counts: this process's certain, recent copy, else read from the store."""
    hit = rooms.hub.cached_state(code)
    if hit is not None:
        return hit[1]
    epoch = rooms.hub.epoch
    state = await anyio.to_thread.run_sync(rooms.record_state, code)
    rooms.hub.remember(code, state, epoch)
    return state


_LEAVING: set[asyncio.Task[None]] = set()  # the loop holds tasks weakly: these are held until they end


async def _leave(rooms: Rooms, code: str, counted: bool, seen: tuple[Roster, str] | None) -> None:
    try:
        if counted:
            await rooms.leave(code)
    except Exception as err:  # the heartbeat sets this process's share right; the stream has ended anyway
        log.warning("counting a room follower out failed (%s); the next heartbeat corrects it", type(err).__name__)
    if seen is not None:
        roster, follower = seen
        try:
            await anyio.to_thread.run_sync(roster.seen, code, follower, time.time(), -1)
        except Exception as err:  # the class list shows them connected until the room ends
            log.warning("marking a follower's stream closed failed (%s)", type(err).__name__)


def _check_and_see(followers: Followers, roster: Roster, code: str, token: str) -> str | None:
    who = identities.check(followers, code, token)
    if who is not None:
        roster.seen(code, who, time.time(), 1)
    return who


async def _follower(followers: Followers, roster: Roster, code: str, token: str) -> str:
    """The follower whose stream this is (401 unless its token is one this room issued), marked connected; off
    the loop, within a bound."""
    with anyio.fail_after(10):
        who = await anyio.to_thread.run_sync(_check_and_see, followers, roster, code, token, abandon_on_cancel=True)
    if who is None:
        raise ApiError(401, ("query", "token"), membership.FOLLOWER_ONLY)
    return who


async def _stream(rooms: Rooms, code: str, count: bool, seen: tuple[Roster, str] | None = None,
                  ) -> AsyncIterator[bytes]:
    """The current state, then every change in order, and the counts as they move; comments while quiet. A
    follower's stream ends with `event: closed` when the presenter removes them or ends the room."""
    with rooms.hub.subscribe(code, presenter=not count, follower=seen[1] if seen else None) as sub:
        # subscribed before reading the state, so no change can fall between the read and the first message
        if not rooms.hub.ready(0) and not await anyio.to_thread.run_sync(rooms.hub.ready, 5.0):
            log.warning("a room event stream opened without a live Redis subscription")  # codes stay out of logs
        joined = False
        try:
            state = await _current(rooms, code)
            if count:
                joined = True  # before the await: a stream cut off while joining is still counted out
                tally = await rooms.join(code)
            else:
                tally = rooms.counts.read(code) if rooms.counts_in_process else \
                    await anyio.to_thread.run_sync(rooms.counts.read, code)
            sub.last_seq, sub.tally_v = int(state["seq"]), tally.v
            yield sse_state({**state, FOLLOWERS: tally.get(FOLLOWERS)}, retry=2000)
            while True:
                await sub.wait()
                if sub.ended:
                    yield b'event: closed\ndata: {"detail": "the presenter ended the room or removed you"}\n\n'
                    return
                if sub.resync:  # messages may have been missed: the room as it is now, if it moved on
                    sub.resync = False
                    state = await anyio.to_thread.run_sync(rooms.get, code)
                    if int(state["seq"]) > sub.last_seq:
                        sub.last_seq = int(state["seq"])
                        yield sse_state(state)
                due = sub.take_due()
                if due:
                    yield due[0] if len(due) == 1 else b"".join(due)  # one write for a backlog
        except RoomNotFound:
            yield b'event: closed\ndata: {"detail": "room not found"}\n\n'
        finally:
            if joined or seen is not None:
                # a task of its own: the stream's cancellation cannot cut it off, and it never blocks the loop
                task = asyncio.get_running_loop().create_task(_leave(rooms, code, joined, seen))
                _LEAVING.add(task)
                task.add_done_callback(_LEAVING.discard)


@router.get("/api/rooms/{code}/events", response_class=StreamingResponse, responses={
    200: {"description": "Server-Sent Events: each `data:` is a RoomState JSON, each `id:` its seq; "
                         "`event: tally` carries the counts ({\"code\", \"v\", \"followers\"}), newest `v` wins",
          "content": {"text/event-stream": {"schema": {"type": "string"}}}},
    **room_error_responses(404)})
async def follow_room(code: str, rooms: RoomsDep, followers: FollowersDep, roster: RosterDep,
                      count: Annotated[bool, Query(description="count this stream as a follower (the presenter's "
                                                               "own view of the room passes false)")] = True,
                      token: Annotated[str | None, Query(max_length=200, description="the follower token (an "
                                                         "EventSource cannot send headers); never logged")] = None,
                      ) -> StreamingResponse:
    """A live stream of the room's states: the current one first, then every change; following counts.
    Who may: anyone with the code; refused: a token this room did not issue (401)."""
    with found(code) as norm:
        await _current(rooms, norm)
    seen = None if token is None else (roster, await _follower(followers, roster, norm, token))
    # never compressed (GZipMiddleware leaves text/event-stream alone): each message goes out as it was encoded
    return StreamingResponse(_stream(rooms, norm, count, seen), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/api/rooms/{code}/qr.svg", response_class=Response, responses={
    200: {"description": "The join link as a QR code", "content": {"image/svg+xml": {"schema": {"type": "string"}}}},
    **room_error_responses(404)})
def room_qr_code(code: str, request: Request, rooms: RoomsDep, settings: SettingsDep) -> Response:
    """The room's join link as an SVG QR code, drawn here (no external service)."""
    with found(code) as norm:
        rooms.get(norm)
    qr = segno.make(_join_link(request, settings.public_url, norm), error="m")
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=8, border=2, xmldecl=False, dark="#000000", light="#ffffff",
            title=f"Join room {norm}")
    # private: the link in it follows the request's host, so no shared cache may hand it to another
    return Response(out.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "private, max-age=3600"})


def _page(request: Request, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    response = templates.TemplateResponse(request, "join.html", {"plotly_version": plotly_version(), **context},
                                          status_code=status_code)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["Cache-Control"] = "no-cache"
    return response


@router.get("/join", response_class=HTMLResponse, include_in_schema=False)
def join_form(request: Request, code: Annotated[str | None, Query(max_length=40)] = None,
              name: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    """Type a room code (and a name, optional); a valid code goes on to /join/CODE, with the name to join under."""
    if code is None:
        return _page(request, {"code": None, "error": None})
    norm = normalize(code)
    if norm is None:
        return _page(request, {"code": None, "error": f"“{code}” is not a room code: 6 letters and digits."},
                     status_code=404)
    query = f"?{urlencode({'name': name.strip()})}" if name and name.strip() else ""
    return RedirectResponse(f"/join/{norm}{query}", status_code=303)


@router.get("/join/{code}", response_class=HTMLResponse, include_in_schema=False)
def join_page(code: str, request: Request, rooms: RoomsDep, settings: SettingsDep,
              name: Annotated[str | None, Query(max_length=40)] = None,
              projector: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    """The follower page: the presenter's network and position, live. A room showing the guided lesson sends the
    student straight to the lesson's follower page (with the name typed on the join form), so a phone does not
    load the main follower page only to leave it."""
    norm = normalize(code)
    try:
        if norm is None:
            raise RoomNotFound(code)
        state = rooms.get(norm)
    except RoomNotFound:
        return _page(request, {"code": None, "error": f"There is no room “{code}” (or it has expired)."},
                     status_code=404)
    if state.get("view") == "lesson":
        query = {"room": norm, "follow": "1"}
        if projector == "1":
            query["projector"] = "1"
        if name and name.strip():
            query["name"] = name.strip()
        response = RedirectResponse(f"/lesson?{urlencode(query)}", status_code=303)
        response.headers["Cache-Control"] = "no-store"  # the room's view changes; the next visit asks again
        return response
    return _page(request, {"code": norm, "error": None, "join_link": _join_link(request, settings.public_url, norm)})
