"""Questions and answers in this process's memory, for the single-process set-up."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.rooms.questions import Outcome


@dataclass
class _Question:
    record: dict[str, Any]
    answers: dict[str, float] = field(default_factory=dict)


class LocalQuiz:
    """Questions under one lock, the latest 50 per room; answers keyed by follower id."""

    def __init__(self, rate: tuple[int, int], clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.clock = clock
        self._lock = threading.Lock()
        self._rooms: dict[str, dict[str, _Question]] = {}
        self._rate: dict[tuple[str, str], tuple[float, int]] = {}  # (code, follower) -> (window start, count)

    def create(self, code: str, qid: str, record: dict[str, Any]) -> None:
        with self._lock:
            questions = self._rooms.setdefault(code, {})
            while len(questions) >= 50:  # a room keeps its latest questions; older ones were long revealed
                del questions[next(iter(questions))]
            questions[qid] = _Question(dict(record))

    def get(self, code: str, qid: str) -> dict[str, Any] | None:
        with self._lock:
            q = self._rooms.get(code, {}).get(qid)
            return None if q is None else dict(q.record)

    def _too_fast(self, code: str, follower: str) -> bool:
        limit, window = self.rate
        now = self.clock()
        start, n = self._rate.get((code, follower), (now, 0))
        if now - start >= window:
            start, n = now, 0
        if len(self._rate) > 100_000:  # forget old windows rather than grow without bound
            self._rate = {k: v for k, v in self._rate.items() if now - v[0] < window}
        self._rate[(code, follower)] = (start, n + 1)
        return n + 1 > limit

    def answer(self, code: str, qid: str, follower: str, value: float, cap: int) -> str:
        with self._lock:
            q = self._rooms.get(code, {}).get(qid)
            if q is None:
                return Outcome.MISSING
            if q.record.get("revealed"):
                return Outcome.REVEALED
            if q.record.get("closed"):
                return Outcome.CLOSED
            if self._too_fast(code, follower):
                return Outcome.TOO_FAST
            if follower not in q.answers and len(q.answers) >= cap:
                return Outcome.FULL
            q.answers[follower] = value
            return Outcome.OK

    def answers(self, code: str, qid: str) -> list[float]:
        with self._lock:
            q = self._rooms.get(code, {}).get(qid)
            return [] if q is None else list(q.answers.values())

    def reveal(self, code: str, qid: str) -> tuple[dict[str, Any], list[float]] | None:
        with self._lock:
            q = self._rooms.get(code, {}).get(qid)
            if q is None:
                return None
            q.record["revealed"] = True
            return dict(q.record), list(q.answers.values())

    def close(self, code: str, qid: str) -> bool:
        with self._lock:
            q = self._rooms.get(code, {}).get(qid)
            if q is None:
                return False
            q.record["closed"] = True
            return True

    def answered(self, code: str) -> list[tuple[dict[str, Any], dict[str, float]]]:
        with self._lock:
            return [(dict(q.record), dict(q.answers)) for q in self._rooms.get(code, {}).values()]

    def forget(self, code: str, follower: str) -> None:
        with self._lock:
            for q in self._rooms.get(code, {}).values():
                q.answers.pop(follower, None)

    def drop(self, code: str) -> None:
        with self._lock:
            self._rooms.pop(code, None)
            for key in [k for k in self._rate if k[0] == code]:
                del self._rate[key]
