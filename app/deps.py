"""Dependencies the routes declare; tests swap them with app.dependency_overrides."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, FastAPI, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.config import Settings, get_settings
from app.errors import ApiError
from app.rooms.followers import Followers
from app.rooms.questions import QuizStore
from app.rooms.roster import Roster
from app.rooms.service import Rooms
from app.rooms.wiring import Classroom
from app.store.base import NetworkStore


@lru_cache(maxsize=1)
def _settings() -> Settings:
    return get_settings()


@lru_cache(maxsize=1)
def _store() -> NetworkStore:
    settings = _settings()
    if settings.redis_url:
        from app.store.redis import RedisStore  # imported only when configured

        return RedisStore(settings.redis_url, ttl_seconds=settings.expiry_days * 86400,
                          timeout=settings.redis_timeout_seconds)
    from app.store.sqlite import SQLiteStore

    return SQLiteStore(settings.db_path)


async def routes_store(app: FastAPI) -> NetworkStore:
    """The store the routes use (a test's override, if any), for what is built at start-up beside it."""
    override = app.dependency_overrides.get(get_store)
    if override is None:
        return _store()
    store: NetworkStore = await override() if inspect.iscoroutinefunction(override) else override()
    return store


# async so that FastAPI calls them on the event loop: a sync dependency costs a thread-pool hop per request
async def get_store() -> NetworkStore:
    return _store()


async def settings_dep() -> Settings:
    return _settings()


def _classroom(request: Request) -> Classroom:
    classroom: Classroom | None = request.app.state.classroom
    if classroom is None:  # the store could not be opened at start-up
        raise ApiError(503, (), "the network store is unavailable; retry in a moment")
    return classroom


async def get_rooms(request: Request) -> Rooms:
    """The rooms built at start-up (app/main.py's lifespan), beside the network store."""
    return _classroom(request).rooms


async def get_quiz(request: Request) -> QuizStore:
    """The question store built at start-up beside the rooms."""
    return _classroom(request).quiz


async def get_followers(request: Request) -> Followers:
    """The follower identities built at start-up beside the rooms."""
    return _classroom(request).followers


async def get_roster(request: Request) -> Roster:
    """Where each follower is (the class list), built at start-up beside the rooms."""
    return _classroom(request).roster


StoreDep = Annotated[NetworkStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(settings_dep)]
RoomsDep = Annotated[Rooms, Depends(get_rooms)]
QuizDep = Annotated[QuizStore, Depends(get_quiz)]
FollowersDep = Annotated[Followers, Depends(get_followers)]
RosterDep = Annotated[Roster, Depends(get_roster)]


def _bearer(name: str, description: str) -> Callable[..., Awaitable[str | None]]:
    """The Authorization header as sent, declared as an optional bearer scheme (the Authorize button of /docs);
    whether a token is needed, and which status its absence gets, is the use case's rule, not this one's."""
    scheme = HTTPBearer(auto_error=False, scheme_name=name, description=description)

    # the scheme as a default, not in Annotated: annotations are strings here and cannot see this closure
    async def authorization(request: Request,
                            _: HTTPAuthorizationCredentials | None = Security(scheme)) -> str | None:
        return request.headers.get("authorization")

    return authorization


NetworkAuth = Annotated[str | None, Depends(_bearer(
    "networkToken", "The token POST /api/networks returned for a protected network (its creator's)"))]
PresenterAuth = Annotated[str | None, Depends(_bearer(
    "presenterToken", "The presenter_token POST /api/rooms returned"))]
FollowerAuth = Annotated[str | None, Depends(_bearer(
    "followerToken", "The follower token POST /api/rooms/{code}/followers returned"))]
