"""The store interface: records keyed by an unguessable id, with versioned writes so no update is lost."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


class NotFound(KeyError):
    """No network has this id (never created, deleted, or expired)."""


class Conflict(RuntimeError):
    """Another request changed the record between our read and our write, too many times in a row."""


@dataclass
class Stored:
    """A record as read: its JSON-able state and the version that a write must match."""

    state: dict[str, Any]
    version: int


@dataclass
class Sizes:
    """What a request on a network costs depends on: its layer sizes, its data set's rows, whether biases train.
    Read without decoding the record, so a heavy request is priced before anything large is parsed."""

    layers: list[int]
    rows: int
    train_biases: bool


def sizes_of(state: dict[str, Any]) -> Sizes:
    """The sizes of a decoded record (what `NetworkStore.sizes` reads without decoding it)."""
    data = state.get("dataset")
    return Sizes(list(state.get("layers") or []), len(data["inputs"]) if data else 0,
                 bool(state.get("train_biases", True)))


def new_id() -> str:
    """22 url-safe characters: 132 random bits."""
    return secrets.token_urlsafe(16)


class NetworkStore(Protocol):
    """What routes need from a store; SQLite and Redis both provide it."""

    def create(self, state: dict[str, Any]) -> str: ...

    def get(self, network_id: str) -> Stored: ...

    def sizes(self, network_id: str) -> Sizes:
        """The record's sizes without decoding its weights and data set; NotFound as `get`."""
        ...

    def replace(self, network_id: str, state: dict[str, Any], version: int) -> bool: ...

    def delete(self, network_id: str) -> bool: ...

    def expire(self, older_than_seconds: float) -> int: ...

    def probe(self) -> str:
        """Write and read back a small health record (never a network); returns the backend's name."""
        ...


def mutate(store: NetworkStore, network_id: str, change: Callable[[dict[str, Any]], Any], attempts: int = 50) -> Any:
    """Read, change, write back only if nobody wrote in between; retry otherwise (optimistic concurrency).

    `change` edits the state in place and returns the value handed back to the caller.
    """
    for _ in range(attempts):
        stored = store.get(network_id)
        result = change(stored.state)
        if store.replace(network_id, stored.state, stored.version):
            return result
    raise Conflict(network_id)


async def expiry_sweeps(store: Callable[[], NetworkStore], older_than_seconds: float,
                        every_seconds: float = 3600) -> None:
    """Run `expire` now and then every `every_seconds`, off the event loop; a failed sweep is logged and retried."""
    while True:
        try:
            await asyncio.to_thread(store().expire, older_than_seconds)
        except Exception:  # a sweep must never take the server down; the next one tries again
            logging.getLogger("deltaflow").exception("expiry sweep failed")
        await asyncio.sleep(every_seconds)
