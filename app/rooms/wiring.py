"""Builds a process's rooms, counts, hub and question store once, at start-up, beside the network store: SQLite and
memory beside a SQLiteStore, Redis for all of them beside a RedisStore."""

from __future__ import annotations

from dataclasses import dataclass

from app.config import Settings
from app.rooms.followers import Followers
from app.rooms.local.counts import LocalCounts
from app.rooms.local.followers import LocalFollowers
from app.rooms.local.hub import LocalHub
from app.rooms.local.questions import LocalQuiz
from app.rooms.local.records import SQLiteRooms
from app.rooms.local.roster import LocalRoster
from app.rooms.questions import QuizStore
from app.rooms.redis.counts import RedisCounts
from app.rooms.redis.followers import RedisFollowers
from app.rooms.redis.hub import RedisHub
from app.rooms.redis.questions import RedisQuiz
from app.rooms.redis.records import RedisRooms
from app.rooms.redis.roster import RedisRoster
from app.rooms.roster import Roster
from app.rooms.service import Rooms
from app.store.base import NetworkStore
from app.store.redis import RedisStore


@dataclass(frozen=True)
class Classroom:
    """What the room and quiz routes are handed (through app.deps)."""

    rooms: Rooms
    quiz: QuizStore
    followers: Followers
    roster: Roster

    def close(self) -> None:
        self.rooms.close()


def open_classroom(store: NetworkStore, settings: Settings) -> Classroom:
    """Rooms follow the network store, so one setting (DELTAFLOW_REDIS_URL) moves everything to Redis."""
    interval, keepalive = settings.tally_interval_seconds, settings.sse_keepalive_seconds
    rate, ttl = settings.quiz_answer_rate, settings.room_ttl_seconds
    if isinstance(store, RedisStore):
        hub = RedisHub(store.url, store.prefix, interval, keepalive, store.timeout)
        counts = RedisCounts(store.client, store.prefix, ttl, settings.room_heartbeat_seconds,
                             on_change=hub.publish_tally, url=store.url)
        counts.start()
        rooms = Rooms(RedisRooms(store.client, store.prefix, ttl), hub, counts)
        return Classroom(rooms, RedisQuiz(store.client, store.prefix, ttl, rate),
                         RedisFollowers(store.client, store.prefix, ttl), RedisRoster(store.client, store.prefix, ttl))
    path = getattr(store, "path", None) or settings.db_path
    rooms = Rooms(SQLiteRooms(str(path), ttl), LocalHub(interval, keepalive), LocalCounts())
    return Classroom(rooms, LocalQuiz(rate), LocalFollowers(), LocalRoster())
