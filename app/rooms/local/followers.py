"""Follower identities in this process's memory, for the single-process set-up (a restart asks students to join
again, as it forgets the questions too)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from app.rooms.followers import Issued


class LocalFollowers:
    """Per room: follower id -> token digest, follower id -> name, and each follower's fork window."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._rooms: dict[str, dict[str, str]] = {}
        self._names: dict[str, dict[str, str]] = {}
        self._forks: dict[tuple[str, str], tuple[float, int]] = {}

    def add(self, code: str, issued: Issued) -> None:
        with self._lock:
            self._rooms.setdefault(code, {})[issued.follower] = issued.digest
            self._names.setdefault(code, {})[issued.follower] = issued.name

    def digest(self, code: str, follower: str) -> str | None:
        with self._lock:
            return self._rooms.get(code, {}).get(follower)

    def issued(self, code: str) -> int:
        with self._lock:
            return len(self._rooms.get(code, {}))

    def spend_fork(self, code: str, follower: str, limit: int, window: int) -> int | None:
        now = self.clock()
        with self._lock:
            start, used = self._forks.get((code, follower), (now, 0))
            if now - start >= window:
                start, used = now, 0
            if used >= limit:
                return max(1, math.ceil(start + window - now))
            self._forks[(code, follower)] = (start, used + 1)
            return None

    def names(self, code: str) -> dict[str, str]:
        with self._lock:
            return dict(self._names.get(code, {}))

    def rename(self, code: str, follower: str, name: str) -> bool:
        with self._lock:
            names = self._names.get(code, {})
            if follower not in names:
                return False
            names[follower] = name
            return True

    def remove(self, code: str, follower: str) -> bool:
        with self._lock:
            self._names.get(code, {}).pop(follower, None)
            self._forks.pop((code, follower), None)
            return self._rooms.get(code, {}).pop(follower, None) is not None

    def drop(self, code: str) -> None:
        with self._lock:
            self._rooms.pop(code, None)
            self._names.pop(code, None)
            for key in [k for k in self._forks if k[0] == code]:
                del self._forks[key]
