"""Per-client budgets over a one-minute window: how many times one address may create or miss before a 429.

Counts live in this process (each worker counts alone, so N workers allow N times the budget); the limits are
settings, and docs/limits.md says what each protects.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Quota:
    """At most `limit` answers a minute per address to requests matching `counted` ("METHOD /path") whose status
    `counts`; while over, requests matching `guarded` are refused. `what` names the events in the refusal."""

    what: str
    limit: int
    counted: re.Pattern[str]
    counts: Callable[[int], bool]
    guarded: re.Pattern[str]


def quotas(networks: int, rooms: int, room_misses: int, followers: int = 400) -> tuple[Quota, ...]:
    """The server's budgets, from Settings: creations per address, missed room codes (guessing), and follower
    identities minted (generous: a class behind one NAT address joins from one address)."""
    room_path = re.compile(r"^[A-Z]+ /(api/rooms|join)/[^/]+")
    return (
        Quota("networks created", networks, re.compile(r"^POST /api/networks$"), lambda s: s == 201,
              re.compile(r"^POST /api/networks$")),
        Quota("rooms opened", rooms, re.compile(r"^POST /api/rooms$"), lambda s: s == 201,
              re.compile(r"^POST /api/rooms$")),
        # a miss is a 404 on a room's path; while over, every room lookup is refused, so none can confirm a code
        Quota("unknown room codes", room_misses, room_path, lambda s: s == 404, room_path),
        Quota("followers joined", followers, re.compile(r"^POST /api/rooms/[^/]+/followers$"), lambda s: s == 201,
              re.compile(r"^POST /api/rooms/[^/]+/followers$")),
    )


class Budgets:
    """Fixed one-minute windows per (quota, address)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.lock = threading.Lock()
        self.windows: dict[tuple[str, str], tuple[float, int]] = {}

    def _window(self, key: tuple[str, str], now: float) -> tuple[float, int]:
        start, used = self.windows.get(key, (now, 0))
        return (now, 0) if now - start >= WINDOW_SECONDS else (start, used)

    def retry_after(self, quota: Quota, address: str) -> int | None:
        """Seconds until `address` may try again, or None when it is within its budget."""
        now = self.clock()
        with self.lock:
            start, used = self._window((quota.what, address), now)
        return max(1, math.ceil(start + WINDOW_SECONDS - now)) if used >= quota.limit else None

    def count(self, quota: Quota, address: str) -> None:
        now = self.clock()
        with self.lock:
            start, used = self._window((quota.what, address), now)
            self.windows[(quota.what, address)] = (start, used + 1)
            if len(self.windows) > 50_000:  # forget finished windows, so addresses seen once do not pile up
                self.windows = {k: w for k, w in self.windows.items() if now - w[0] < WINDOW_SECONDS}
