"""Classroom rooms: a presenter opens a room on a network; followers watch its position live over SSE.

The presenter moves the room with POST /state (presenter token required); every change reaches each open
/events stream in order, each with an increasing `id:`. /fork gives a student a private copy to try alone.
/join/CODE is the follower page; /api/rooms/CODE/qr.svg is its link as a QR code for the projector.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import anyio
import segno
from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse, StreamingResponse

from app import service as svc
from app.deps import RoomsDep, SettingsDep, StoreDep
from app.middleware import CSP
from app.rooms.backends import RoomNotFound
from app.rooms.codes import normalize
from app.rooms.hub import RESYNC
from app.rooms.service import Rooms, fork_network
from app.routes.pages import plotly_version, templates
from app.schemas import RoomCreate, RoomCreated, RoomFork, RoomState, RoomStateUpdate, room_error_responses

log = logging.getLogger("deltaflow.rooms")

router = APIRouter(tags=["rooms"])
Auth = Annotated[str | None, Header(description="Bearer <presenter_token>")]


def _missing(code: str) -> svc.ApiError:
    return svc.ApiError(404, ("path", "code"), f"room not found: no room has the code {code!r} (or it expired)")


@contextmanager
def _room(code: str) -> Iterator[str]:
    """The normalized code; unknown or malformed codes become 404 'room not found'."""
    norm = normalize(code)
    if norm is None:
        raise _missing(code)
    try:
        yield norm
    except RoomNotFound:
        raise _missing(code) from None


def _links(code: str) -> dict[str, str]:
    return {"join_url": f"/join/{code}", "qr_url": f"/api/rooms/{code}/qr.svg"}


@router.post("/api/rooms", status_code=status.HTTP_201_CREATED, response_model=RoomCreated,
             responses=room_error_responses(400, 404, 413, 415))
def open_room(body: RoomCreate, store: StoreDep, rooms: RoomsDep) -> dict[str, Any]:
    """Open a room on a network; the presenter token is shown only here."""
    network = store.get(body.network_id)
    code, token, state = rooms.open(body.network_id, int(network.state.get("iteration", 0)), network.version)
    return {"code": code, "presenter_token": token, **_links(code), "state": state}


@router.get("/api/rooms/{code}", response_model=RoomState, responses=room_error_responses(404))
def get_room(code: str, rooms: RoomsDep) -> dict[str, Any]:
    """The room's current state: network, sample, position, phase, training progress, followers."""
    with _room(code) as norm:
        return rooms.get(norm)


@router.post("/api/rooms/{code}/state", response_model=RoomState,
             responses=room_error_responses(400, 403, 404, 409, 413, 415))
def publish_state(code: str, body: RoomStateUpdate, rooms: RoomsDep, store: StoreDep,
                  authorization: Auth = None) -> dict[str, Any]:
    """The presenter moves the room (only the fields given change); followers get it within milliseconds."""
    with _room(code) as norm:
        if not rooms.check_presenter(norm, authorization):
            raise svc.ApiError(403, ("header", "authorization"),
                               "only the presenter can move this room: send Authorization: Bearer <presenter_token>")
        fields = body.model_dump(include=body.model_fields_set)
        # the network as it is now (it may have been stepped or edited since): followers reload on a new version
        network = store.get(body.network_id or rooms.get(norm)["network_id"])
        fields["iteration"] = int(network.state.get("iteration", 0))
        fields["network_version"] = network.version
        return rooms.publish(norm, fields)


@router.post("/api/rooms/{code}/fork", status_code=status.HTTP_201_CREATED, response_model=RoomFork,
             responses=room_error_responses(404))
def fork(code: str, rooms: RoomsDep, store: StoreDep) -> dict[str, Any]:
    """'Try it myself': a private copy of the room's current network, to continue alone."""
    with _room(code) as norm:
        room = rooms.get(norm)
    copy = fork_network(store, room["network_id"])
    url = f"/?net={copy['id']}&sample={room['sample']}&step={room['position']}&room={norm}"
    return {"network": {**svc.public_state(copy), "token": None}, "sample": room["sample"],
            "position": room["position"], "open_url": url}


def _sse(state: dict[str, Any]) -> str:
    return f"id: {state['seq']}\ndata: {json.dumps(state, separators=(',', ':'))}\n\n"


async def _stream(rooms: Rooms, code: str, keepalive: float, count: bool) -> AsyncIterator[str]:
    """The current state, then every change in order; a comment line when nothing happened for a while."""
    with rooms.hub.subscribe(code) as sub:
        # subscribed before reading the state, so no change can fall between the read and the first message
        if not rooms.hub.ready(0) and not await anyio.to_thread.run_sync(rooms.hub.ready, 5.0):
            log.warning("a room event stream opened without a live Redis subscription")  # codes stay out of logs
        joined = False
        try:
            if count:
                state = await anyio.to_thread.run_sync(rooms.join, code)
                joined = True
            else:
                state = await anyio.to_thread.run_sync(rooms.get, code)
            last = int(state["seq"])
            yield "retry: 2000\n" + _sse(state)
            while True:
                try:
                    with anyio.fail_after(keepalive):
                        message = await sub.queue.get()
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                state = await anyio.to_thread.run_sync(rooms.get, code) if message == RESYNC else json.loads(message)
                if int(state["seq"]) <= last:
                    continue  # already sent (our own join, or a state a RESYNC read ahead of its message)
                last = int(state["seq"])
                yield _sse(state)
        except RoomNotFound:
            yield 'event: closed\ndata: {"detail": "room not found"}\n\n'
        finally:
            if joined:
                # the client hung up or the server is stopping: count it out with one short write done here,
                # not in a thread, since an await could be cut off when the server shuts down
                try:
                    rooms.leave(code)
                except Exception:  # never let the count hide the reason the stream ended
                    log.exception("counting a room follower out failed")


@router.get("/api/rooms/{code}/events", response_class=StreamingResponse, responses={
    200: {"description": "Server-Sent Events: each `data:` is a RoomState JSON, each `id:` its seq",
          "content": {"text/event-stream": {"schema": {"type": "string"}}}},
    **room_error_responses(404)})
async def room_events(code: str, rooms: RoomsDep, settings: SettingsDep,
                      count: Annotated[bool, Query(description="count this stream as a follower (the presenter's "
                                                               "own view of the room passes false)")] = True,
                      ) -> StreamingResponse:
    """A live stream of the room's states: the current one first, then every change; following counts."""
    with _room(code) as norm:
        await anyio.to_thread.run_sync(rooms.get, norm)
    return StreamingResponse(_stream(rooms, norm, settings.sse_keepalive_seconds, count), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _join_link(request: Request, public_url: str | None, code: str) -> str:
    base = public_url or str(request.base_url).rstrip("/")
    return f"{base}/join/{code}"


@router.get("/api/rooms/{code}/qr.svg", response_class=Response, responses={
    200: {"description": "The join link as a QR code", "content": {"image/svg+xml": {"schema": {"type": "string"}}}},
    **room_error_responses(404)})
def room_qr(code: str, request: Request, rooms: RoomsDep, settings: SettingsDep) -> Response:
    """The room's join link as an SVG QR code, drawn here (no external service)."""
    with _room(code) as norm:
        rooms.get(norm)
    qr = segno.make(_join_link(request, settings.public_url, norm), error="m")
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=8, border=2, xmldecl=False, dark="#000000", light="#ffffff",
            title=f"Join room {norm}")
    return Response(out.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=3600"})


def _page(request: Request, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    response = templates.TemplateResponse(request, "join.html", {"plotly_version": plotly_version(), **context},
                                          status_code=status_code)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["Cache-Control"] = "no-cache"
    return response


@router.get("/join", response_class=HTMLResponse, include_in_schema=False)
def join_form(request: Request, code: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    """Type a room code; a valid one goes on to /join/CODE."""
    if code is None:
        return _page(request, {"code": None, "error": None})
    norm = normalize(code)
    if norm is None:
        return _page(request, {"code": None, "error": f"“{code}” is not a room code: 6 letters and digits."},
                     status_code=404)
    return RedirectResponse(f"/join/{norm}", status_code=303)


@router.get("/join/{code}", response_class=HTMLResponse, include_in_schema=False)
def join_page(code: str, request: Request, rooms: RoomsDep, settings: SettingsDep) -> HTMLResponse:
    """The follower page: the presenter's network and position, live."""
    norm = normalize(code)
    try:
        if norm is None:
            raise RoomNotFound(code)
        rooms.get(norm)
    except RoomNotFound:
        return _page(request, {"code": None, "error": f"There is no room “{code}” (or it has expired)."},
                     status_code=404)
    return _page(request, {"code": norm, "error": None, "join_link": _join_link(request, settings.public_url, norm)})
