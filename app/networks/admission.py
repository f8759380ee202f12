"""The admission gate: heavy computations hold their estimated work from one per-process weighted semaphore, so
a process runs about two worst-case requests at once and its memory has a ceiling; light requests never wait.

A request that cannot be admitted within `gate_wait_seconds` is answered 503 with Retry-After (docs/limits.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from app.config import Settings
from app.errors import ApiError

RETRY_AFTER_SECONDS = 2


class Gate:
    """A weighted semaphore: admitted work never sums above `capacity`; a weight above it runs alone."""

    def __init__(self, capacity: int) -> None:
        self.capacity = max(capacity, 1)
        self._held = 0
        self._in_flight = 0
        self._waiting = 0
        self._cond = threading.Condition()

    def acquire(self, weight: int, wait_seconds: float) -> int | None:
        """The weight held (clamped to the capacity), or None when it did not fit within `wait_seconds`."""
        weight = min(max(weight, 1), self.capacity)
        deadline = time.monotonic() + wait_seconds
        with self._cond:
            self._waiting += 1
            try:
                while self._held + weight > self.capacity:
                    left = deadline - time.monotonic()
                    if left <= 0 or not self._cond.wait(left):
                        if self._held + weight > self.capacity:
                            return None
                self._held += weight
                self._in_flight += 1
                return weight
            finally:
                self._waiting -= 1

    def release(self, weight: int) -> None:
        with self._cond:
            self._held -= weight
            self._in_flight -= 1
            self._cond.notify_all()

    def state(self) -> dict[str, int | bool]:
        """How full the gate is, for /readyz: busy when a worst-case request would have to wait."""
        with self._cond:
            return {"busy": self._held * 2 > self.capacity or self._waiting > 0,
                    "heavy_in_flight": self._in_flight, "heavy_waiting": self._waiting}


@lru_cache(maxsize=4)
def gate_for(capacity: int) -> Gate:
    """The one gate of this process for a capacity (settings are read once, so in practice one gate)."""
    return Gate(capacity)


def busy_error() -> ApiError:
    return ApiError(503, (), f"the server is busy with other large computations; retry in {RETRY_AFTER_SECONDS} s "
                    "or send a smaller request", headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


@contextmanager
def admitted(work: int, settings: Settings) -> Iterator[None]:
    """Run the block holding `work` (estimated ns) of the gate; work under 1 % of one request's budget passes."""
    if work < settings.max_train_work // 100:
        yield
        return
    gate = gate_for(settings.gate_capacity)
    held = gate.acquire(work, settings.gate_wait_seconds)
    if held is None:
        raise busy_error()
    try:
        yield
    finally:
        gate.release(held)


def saturation(settings: Settings) -> dict[str, int | bool]:
    """How full this process's gate is: {"busy", "heavy_in_flight", "heavy_waiting"}."""
    return gate_for(settings.gate_capacity).state()
