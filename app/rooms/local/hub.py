"""The hub of the single-process set-up: this process's own writes and tallies are all there is to fan out."""

from __future__ import annotations

from app.rooms.counts import Tally
from app.rooms.hub import Hub


class LocalHub(Hub):
    """Fed in-process: a write publishes its message here, a tally is offered to the streams here."""

    def ready(self, timeout: float) -> bool:
        return True

    def local_publish(self, code: str, message: bytes) -> None:
        self.publish(code, message)

    def publish_tally(self, code: str, tally: Tally) -> None:
        self.offer_tally(code, tally)

    def end_streams(self, code: str, follower: str) -> None:
        self.end_here(code, follower)

    def close(self) -> None:
        pass
