"""What the room routes call: open a room, read it, move it (presenter only), count followers, fork its network.

Every move goes through one compare-and-set loop that bumps `seq` and publishes the new state encoded once;
followers joining and leaving change only a count (counts.py), whose tallies travel apart from the states.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from app import tokens
from app.errors import ApiError
from app.rooms.codes import new_code, normalize
from app.rooms.counts import FOLLOWERS, Counts, Tally
from app.rooms.hub import Hub, sse_state
from app.rooms.records import RoomNotFound, RoomRecords
from app.store.base import Conflict, NetworkStore

FREE = {"lock": "free", "paused": False, "message": None}  # a room's pacing until the presenter sets one
UPDATABLE = ("network_id", "sample", "position", "phase", "training", "iteration", "network_version", "view", "stage",
             "live_table")
# the live table's place belongs to its stage: moving to another stage or view drops it
PLACES = ("view", "stage")


def missing(code: str) -> ApiError:
    """The 404 of a code no room has."""
    return ApiError(404, ("path", "code"), f"room not found: no room has the code {code!r} (or it expired)")


@contextmanager
def found(code: str) -> Iterator[str]:
    """The normalized code; an unknown or malformed one, or a room gone meanwhile, becomes 404 'room not found'."""
    norm = normalize(code)
    if norm is None:
        raise missing(code)
    try:
        yield norm
    except RoomNotFound:
        raise missing(code) from None


class Rooms:
    """Rooms on one backend, their counts, and the hub that brings changes to this process's event streams."""

    def __init__(self, backend: RoomRecords, hub: Hub, counts: Counts, clock: Callable[[], float] = time.time) -> None:
        self.backend = backend
        self.hub = hub
        self.counts = counts
        self.clock = clock
        # in-process ordering of write-then-publish for the local hub; Redis orders by itself
        self._locks = [threading.Lock() for _ in range(64)]

    @property
    def counts_in_process(self) -> bool:
        """Whether counting needs no I/O (then the event loop does it without a thread hop)."""
        return self.counts.in_process

    def open(self, network_id: str, iteration: int, network_version: int) -> tuple[str, str, dict[str, Any]]:
        """A new room on a network: (code, presenter token, public state)."""
        token, digest = tokens.new_token()
        for _ in range(20):
            code = new_code()
            state = {"code": code, "network_id": network_id, "sample": 0, "position": 0, "phase": None,
                     "iteration": iteration, "network_version": network_version, "training": None,
                     "live_table": None, "pacing": dict(FREE), "seq": 1, "updated": self.clock()}
            if self.backend.insert(code, {"token_hash": digest, "state": state}):
                return code, token, {**state, FOLLOWERS: 0}
        raise RuntimeError("no free room code after 20 tries")  # 887 million codes: practically unreachable

    def _code(self, raw_code: str) -> str:
        code = normalize(raw_code)
        if code is None:
            raise RoomNotFound(raw_code)
        return code

    def record_state(self, raw_code: str) -> dict[str, Any]:
        """The room's state as stored, without the counts; RoomNotFound for an unknown or malformed code."""
        state: dict[str, Any] = self.backend.get(self._code(raw_code)).state["state"]
        state.pop(FOLLOWERS, None)  # rooms opened before followers became a count kept it in the record
        return state

    def get(self, raw_code: str) -> dict[str, Any]:
        """The room's public state: the stored state and the followers count now."""
        code = self._code(raw_code)
        state = self.record_state(code)
        state[FOLLOWERS] = self.counts.read(code).get(FOLLOWERS)
        return state

    def token_digest(self, code: str) -> str:
        """The stored digest of the presenter token (for app.tokens.check_bearer)."""
        digest: str = self.backend.get(self._code(code)).state["token_hash"]
        return digest

    def update(self, raw_code: str, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """Apply `change` to the state, bump seq, write if nobody wrote in between, then publish it once encoded."""
        code = self._code(raw_code)
        with self._locks[hash(code) % len(self._locks)]:
            for _ in range(200):
                stored = self.backend.get(code)
                state = stored.state["state"]
                state.pop(FOLLOWERS, None)
                change(state)
                state["seq"] += 1
                state["updated"] = self.clock()
                public = {**state, FOLLOWERS: self.followers(code)}
                message = sse_state(public)
                if self.backend.replace(code, stored.state, stored.version, message):
                    self.hub.local_publish(code, message)
                    return public
        raise Conflict(code)  # answered 409: retry

    def end(self, code: str) -> bool:
        """Deletes the room's record and ends its event streams on every process; False if it was gone."""
        gone = self.backend.delete(code)
        self.hub.end_streams(code, "*")
        return gone

    def followers(self, code: str) -> int:
        """The count as this process knows it best: its newest tally, else the counter itself."""
        tally = self.hub.latest_tally(code)
        return (tally if tally is not None else self.counts.read(code)).get(FOLLOWERS)

    def publish(self, code: str, fields: dict[str, Any]) -> dict[str, Any]:
        """The presenter's new position, phase, sample, network, training progress, stage or live table place (only
        the given fields; a new view or stage clears the live table's place unless `fields` sets it)."""

        def change(state: dict[str, Any]) -> None:
            if any(name in fields and fields[name] != state.get(name) for name in PLACES):
                state["live_table"] = None
            for name in UPDATABLE:
                if name in fields:
                    state[name] = fields[name]

        return self.update(code, change)

    async def join(self, code: str) -> Tally:
        """One more follower: the count changes, the room state does not. Runs on the event loop: in-process
        counts at once, Redis counts on the loop's own client."""
        tally = await self.counts.add_held_async(code, FOLLOWERS, 1)
        self.hub.publish_tally(code, tally)
        return tally

    async def leave(self, code: str) -> Tally:
        """One follower fewer, on the event loop like join: never a blocking Redis call here, since a stalled Redis
        would stall every stream of the process (a failed decrement is put right by the next heartbeat)."""
        tally = await self.counts.add_held_async(code, FOLLOWERS, -1)
        self.hub.publish_tally(code, tally)
        return tally

    def close(self) -> None:
        self.counts.close()
        self.hub.close()


def fork_network(store: NetworkStore, network_id: str) -> tuple[dict[str, Any], str]:
    """A protected copy of a network under a new id, and its token, shown once to whoever forked (raises NotFound
    if the network is gone)."""
    state = store.get(network_id).state
    copy = {k: v for k, v in state.items() if k not in ("token_hash", "id")}  # create() gives the new id
    token, copy["token_hash"] = tokens.new_token()
    copy["protected"] = True
    store.create(copy)
    return copy, token
