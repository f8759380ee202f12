"""Room counts in this process's memory, for the single-process set-up (they die with it, as its streams do)."""

from __future__ import annotations

import threading

from app.rooms.counts import Tally


class LocalCounts:
    """Counters under one lock; held and plain counts are alike, since nothing outlives the process."""

    in_process = True

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, dict[str, int]] = {}
        self._last = 0  # one version sequence for every room: it only grows, and nothing per room is kept for it

    def add(self, code: str, name: str, delta: int, held: bool = True) -> Tally:
        with self._lock:
            values = self._values.setdefault(code, {})
            values[name] = max(0, values.get(name, 0) + delta)
            self._last += 1
            tally = Tally(dict(values), self._last)
            if not any(values.values()):  # nothing counted any more: forget the room
                del self._values[code]
            return tally

    async def add_held_async(self, code: str, name: str, delta: int) -> Tally:
        return self.add(code, name, delta)

    def read(self, code: str) -> Tally:
        with self._lock:
            return Tally(dict(self._values.get(code, {})), self._last)

    def close(self) -> None:
        pass
