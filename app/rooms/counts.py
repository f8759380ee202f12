"""Room tallies: atomic counters beside a room (the followers count) that never bump its `seq` or its record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

FOLLOWERS = "followers"


@dataclass(frozen=True)
class Tally:
    """A room's counters at version `v` (a higher `v` is newer; 0 for a room nothing was counted in)."""

    values: dict[str, int]
    v: int

    def get(self, name: str) -> int:
        return int(self.values.get(name, 0))


class Counts(Protocol):
    """Atomic counters per room; every change answers the room's whole tally after it. A held count (an open
    event stream) belongs to the process that holds it; a plain one (an answer given) stays until the room goes."""

    in_process: bool  # counting needs no I/O, so the event loop may do it without a thread hop

    def add(self, code: str, name: str, delta: int, held: bool = True) -> Tally: ...

    async def add_held_async(self, code: str, name: str, delta: int) -> Tally: ...

    def read(self, code: str) -> Tally: ...

    def close(self) -> None: ...
