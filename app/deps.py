"""Dependencies the routes declare; tests swap them with app.dependency_overrides."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import Depends

from app.config import Settings, get_settings
from app.rooms.service import Rooms, rooms_for
from app.store.base import NetworkStore


@lru_cache(maxsize=1)
def _settings() -> Settings:
    return get_settings()


@lru_cache(maxsize=1)
def _store() -> NetworkStore:
    settings = _settings()
    if settings.redis_url:
        from app.store.redis import RedisStore  # imported only when configured

        return RedisStore(settings.redis_url, ttl_seconds=settings.expiry_days * 86400)
    from app.store.sqlite import SQLiteStore

    return SQLiteStore(settings.db_path)


def current_store() -> NetworkStore:
    """The configured store, for code outside a request (the expiry sweep)."""
    return _store()


# async so that FastAPI calls them on the event loop: a sync dependency costs a thread-pool hop per request
async def get_store() -> NetworkStore:
    return _store()


async def settings_dep() -> Settings:
    return _settings()


StoreDep = Annotated[NetworkStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(settings_dep)]


def get_rooms(store: StoreDep, settings: SettingsDep) -> Rooms:
    """Rooms follow the network store: SQLite rooms beside SQLite, Redis rooms and pub/sub beside Redis."""
    return rooms_for(store, settings)


RoomsDep = Annotated[Rooms, Depends(get_rooms)]
