"""`eventually`: the one way a test waits for something to become true, instead of sleeping a guessed time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(predicate: Callable[[], T], timeout: float = 30.0, message: str | Callable[[], str] = "",
               interval: float = 0.05) -> T:
    """Calls `predicate` until it returns something truthy and returns that value.

    `timeout` exists only to turn a hang into a failure, so make it generous; the AssertionError says `message`
    (a string, or a function called at failure time, e.g. to read a log) and the predicate's last value.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            text = message() if callable(message) else message
            raise AssertionError(f"{text or 'the condition never held'} (gave up after {timeout:g} s; "
                                 f"last value: {value!r})")
        time.sleep(interval)  # the poll interval, not a guess at how long anything takes
