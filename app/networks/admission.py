"""The admission gate: heavy computations hold their estimated work from one per-process weighted semaphore, so
a process runs about two worst-case requests at once and its memory has a ceiling; light requests never wait.

A heavy request is priced and admitted on the event loop before it takes a thread or decodes its network, and
runs on threads of its own (`heavy_threads`), so heavy requests waiting for room never hold the thread pool that
light requests need. A request that cannot be admitted within `gate_wait_seconds` is answered 503 with
Retry-After (docs/limits.md).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache, partial
from typing import TypeVar

import anyio
import anyio.to_thread

from app.config import Settings
from app.errors import ApiError

T = TypeVar("T")
RETRY_AFTER_SECONDS = 2
# the work the running request was admitted with (set on the loop, seen by its worker thread); None: not gated
_ADMITTED: ContextVar[int | None] = ContextVar("deltaflow_admitted", default=None)


class Gate:
    """A weighted semaphore on the event loop: admitted work never sums above `capacity`; a weight above it runs
    alone. Waiters are served in arrival order, so a heavy request is not passed for ever by lighter ones."""

    def __init__(self, capacity: int) -> None:
        self.capacity = max(capacity, 1)
        self._held = 0
        self._in_flight = 0
        self._waiters: deque[tuple[int, anyio.Event]] = deque()

    def try_acquire(self, weight: int) -> int | None:
        """The weight held (clamped to the capacity) if it fits now with nobody waiting, else None."""
        weight = min(max(weight, 1), self.capacity)
        if self._waiters or self._held + weight > self.capacity:
            return None
        self._take(weight)
        return weight

    async def acquire(self, weight: int, wait_seconds: float) -> int | None:
        """The weight held (clamped to the capacity), or None when it did not fit within `wait_seconds`."""
        held = self.try_acquire(weight)
        if held is not None:
            return held
        weight = min(max(weight, 1), self.capacity)
        entry = (weight, anyio.Event())
        self._waiters.append(entry)
        try:
            with anyio.move_on_after(wait_seconds):
                await entry[1].wait()
        except BaseException:  # cancelled (the client went away): give back what a release may have granted
            self._give_up(entry)
            raise
        if entry[1].is_set():
            return weight
        self._give_up(entry)
        return None

    def release(self, weight: int) -> None:
        self._held -= weight
        self._in_flight -= 1
        self._wake()

    def _take(self, weight: int) -> None:
        self._held += weight
        self._in_flight += 1

    def _give_up(self, entry: tuple[int, anyio.Event]) -> None:
        if entry[1].is_set():
            self.release(entry[0])
        else:
            self._waiters.remove(entry)
            self._wake()  # a heavy waiter at the head may have held back lighter ones that fit

    def _wake(self) -> None:
        while self._waiters and self._held + self._waiters[0][0] <= self.capacity:
            weight, event = self._waiters.popleft()
            self._take(weight)
            event.set()

    def state(self) -> dict[str, int | bool]:
        """How full the gate is, for /readyz: busy when a worst-case request would have to wait."""
        return {"busy": self._held * 2 > self.capacity or bool(self._waiters),
                "heavy_in_flight": self._in_flight, "heavy_waiting": len(self._waiters)}


@lru_cache(maxsize=4)
def gate_for(capacity: int) -> Gate:
    """The one gate of this process for a capacity (settings are read once, so in practice one gate)."""
    return Gate(capacity)


_limiters: dict[int, anyio.CapacityLimiter] = {}


def _heavy_threads(count: int) -> anyio.CapacityLimiter:
    """The threads admitted work runs on, apart from anyio's default pool (built on the loop, on first use)."""
    limiter = _limiters.get(count)
    if limiter is None:
        limiter = _limiters[count] = anyio.CapacityLimiter(count)
    return limiter


def busy_error() -> ApiError:
    return ApiError(503, (), f"the server is busy with other large computations; retry in {RETRY_AFTER_SECONDS} s "
                    "or send a smaller request", headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def is_light(work: int, settings: Settings) -> bool:
    """Work under 1 % of one request's budget (reading a network, a step on XOR) never touches the gate."""
    return work < settings.max_train_work // 100


async def run(work: int, settings: Settings, call: Callable[..., T], *args: object) -> T:
    """`call(*args)` in a worker thread: light work on the shared pool; heavy work once `work` (estimated ns, from
    the cost model) is admitted, on the heavy threads. 503 when the gate has no room within the wait."""
    token = _ADMITTED.set(work)  # the worker thread runs in a copy of this context
    try:
        if is_light(work, settings):
            return await anyio.to_thread.run_sync(partial(call, *args))
        return await _run_heavy(work, settings, partial(call, *args))
    finally:
        _ADMITTED.reset(token)


async def _run_heavy(work: int, settings: Settings, call: Callable[[], T]) -> T:
    gate = gate_for(settings.gate_capacity)
    held = await gate.acquire(work, settings.gate_wait_seconds)
    if held is None:
        raise busy_error()
    try:
        return await anyio.to_thread.run_sync(call, limiter=_heavy_threads(settings.heavy_threads))
    finally:
        gate.release(held)


@contextmanager
def admitted(work: int, settings: Settings) -> Iterator[None]:
    """Inside a use case, once its network is decoded: the block may do `work` only if it was admitted for that
    much. The network changed since it was priced (it grew): 503, retry. Callers that do not come through `run`
    (a presenter's quiz question) are not gated."""
    allowed = _ADMITTED.get()
    if allowed is not None and not is_light(work, settings) and work > allowed:
        raise busy_error()
    yield


def saturation(settings: Settings) -> dict[str, int | bool]:
    """How full this process's gate is: {"busy", "heavy_in_flight", "heavy_waiting"}."""
    return gate_for(settings.gate_capacity).state()
