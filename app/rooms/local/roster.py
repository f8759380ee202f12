"""The class list's whereabouts in this process's memory, for the single-process set-up."""

from __future__ import annotations

import threading
from typing import Any

from app.rooms.roster import Whereabouts


class LocalRoster:
    """Per room, under one lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rooms: dict[str, Whereabouts] = {}

    def report(self, code: str, follower: str, report: dict[str, Any]) -> None:
        with self._lock:
            self._rooms.setdefault(code, Whereabouts()).reports[follower] = dict(report)

    def seen(self, code: str, follower: str, at: float, live: int = 0) -> None:
        with self._lock:
            room = self._rooms.setdefault(code, Whereabouts())
            room.seen[follower] = max(at, room.seen.get(follower, 0.0))
            if live:
                room.live[follower] = max(0, room.live.get(follower, 0) + live)

    def read(self, code: str) -> Whereabouts:
        with self._lock:
            room = self._rooms.get(code, Whereabouts())
            return Whereabouts({k: dict(v) for k, v in room.reports.items()}, dict(room.seen), dict(room.live))

    def forget(self, code: str, follower: str) -> None:
        with self._lock:
            room = self._rooms.get(code)
            if room is not None:
                for part in (room.reports, room.seen, room.live):
                    part.pop(follower, None)

    def drop(self, code: str) -> None:
        with self._lock:
            self._rooms.pop(code, None)
