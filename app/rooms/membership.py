"""Who is who in a room: a follower joins and gets a server-issued identity; answers and forks are checked against
it, so one client cannot pose as many students (a script's claim of a follower id counts for nothing)."""

from __future__ import annotations

from typing import Any

from app.errors import ApiError
from app.rooms import followers as identities
from app.rooms.followers import Followers
from app.rooms.service import Rooms, fork_network
from app.store.base import NetworkStore

FOLLOWER_ONLY = "join the room first: send Authorization: Bearer <follower token> from POST /api/rooms/{code}/followers"


def join(rooms: Rooms, followers: Followers, code: str, name: str | None) -> dict[str, Any]:
    """A new identity in the room: its id, its token (shown only now) and its name (a friendly one if none)."""
    rooms.record_state(code)  # RoomNotFound for an unknown room
    issued = identities.issue(name)
    followers.add(code, issued)
    return {"follower": issued.follower, "token": issued.token, "name": issued.name}


def follower(followers: Followers, code: str, authorization: str | None, claimed: str | None = None) -> str:
    """The follower behind the header's token: 401 without a valid one, 403 when the body claims someone else."""
    who = identities.check(followers, code, identities.bearer_token(authorization))
    if who is None:
        raise ApiError(401, ("header", "authorization"), FOLLOWER_ONLY, headers={"WWW-Authenticate": "Bearer"})
    if claimed is not None and claimed != who:
        raise ApiError(403, ("body", "follower"), "this follower id is not the one of your token: leave it out, "
                                                  "or send your own")
    return who


def fork(rooms: Rooms, followers: Followers, store: NetworkStore, code: str, authorization: str | None,
         budget: tuple[int, int]) -> tuple[dict[str, Any], dict[str, Any], str, str]:
    """'Try it myself' for one follower, within its budget of forks and while pacing allows: (room state, the copy,
    the copy's token, the follower)."""
    state = rooms.record_state(code)  # an unknown room is 404 before any token is looked at
    who = follower(followers, code, authorization)
    if (state.get("pacing") or {}).get("lock") == "presenter":
        raise ApiError(409, ("path", "code"), "the presenter has locked the class to the presenter's screen: "
                                              "'Try it myself' opens again when the presenter frees the class")
    limit, window = budget
    wait = followers.spend_fork(code, who, limit, window)
    if wait is not None:
        raise ApiError(429, ("header", "authorization"), f"too many copies: at most {limit} per {window} s for "
                       "one follower; keep working on the last one", headers={"Retry-After": str(wait)})
    room = rooms.get(code)
    copy, token = fork_network(store, room["network_id"])
    return room, copy, token, who
