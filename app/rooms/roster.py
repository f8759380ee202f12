"""Where each student of a room is: following the presenter or on their own copy, their view, stage and position
(the latest report wins), when they were last seen, and how many event streams they hold open."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class Whereabouts:
    """A room's class list as stored: reports by follower, last-seen times, open streams."""

    reports: dict[str, dict[str, Any]] = field(default_factory=dict)  # {"mode", "view", "stage", "position", "at"}
    seen: dict[str, float] = field(default_factory=dict)
    live: dict[str, int] = field(default_factory=dict)


class Roster(Protocol):
    """One write per call, each replacing what it replaces: a flood of reports costs no more than the newest."""

    def report(self, code: str, follower: str, report: dict[str, Any]) -> None: ...

    def seen(self, code: str, follower: str, at: float, live: int = 0) -> None:
        """The follower was seen at `at`; `live` +1 when it opens an event stream, -1 when one ends."""
        ...

    def read(self, code: str) -> Whereabouts: ...

    def forget(self, code: str, follower: str) -> None: ...

    def drop(self, code: str) -> None: ...
