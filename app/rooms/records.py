"""Where room records live: JSON {"token_hash", "state"} with a version for compare-and-set writes, as networks."""

from __future__ import annotations

from typing import Any, Protocol

from app.store.base import Stored


class RoomNotFound(KeyError):
    """No room has this code (never opened, or expired)."""


class RoomRecords(Protocol):
    """Room records with versioned writes; Redis's replace() also publishes `message` in the same atomic step."""

    def insert(self, code: str, record: dict[str, Any]) -> bool: ...

    def get(self, code: str) -> Stored: ...

    def replace(self, code: str, record: dict[str, Any], version: int, message: str | bytes) -> bool: ...

    def expire(self, older_than_seconds: float) -> int: ...

    def delete(self, code: str) -> bool:
        """Ends the room now; False if it was already gone."""
        ...
