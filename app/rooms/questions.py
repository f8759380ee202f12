"""Where a room's questions live: a private record with the true value, and one answer per follower identity."""

from __future__ import annotations

from typing import Any, Protocol


class Outcome:
    OK, MISSING, REVEALED, CLOSED, FULL, TOO_FAST = "ok", "missing", "revealed", "closed", "full", "too fast"


class QuizStore(Protocol):
    """Private question records and their answers; answering, revealing and closing are each one atomic step,
    so no answer slips in after the reveal or the close."""

    rate: tuple[int, int]  # (answers, seconds): what one follower may send per window

    def create(self, code: str, qid: str, record: dict[str, Any]) -> None: ...

    def get(self, code: str, qid: str) -> dict[str, Any] | None: ...

    def answer(self, code: str, qid: str, follower: str, value: float, cap: int) -> str:
        """Records the follower's answer unless the question is gone, revealed, or holds `cap` others."""
        ...

    def answers(self, code: str, qid: str) -> list[float]: ...

    def reveal(self, code: str, qid: str) -> tuple[dict[str, Any], list[float]] | None: ...

    def close(self, code: str, qid: str) -> bool: ...

    def answered(self, code: str) -> list[tuple[dict[str, Any], dict[str, float]]]:
        """Every question the room keeps, oldest first, each with its answers by follower."""
        ...

    def forget(self, code: str, follower: str) -> None:
        """Removes one follower's answers from every question of the room."""
        ...

    def drop(self, code: str) -> None:
        """Removes every question and answer of the room."""
        ...
