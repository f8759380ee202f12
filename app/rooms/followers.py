"""Follower identities: the server issues each student of a room an id, a token and a name when they join, so an
answer or a fork belongs to one identity whatever the client claims. Only token digests are kept."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from typing import Protocol

from app import tokens

ADJECTIVES = ("Brave", "Calm", "Clever", "Curious", "Eager", "Gentle", "Happy", "Keen", "Lucky", "Merry", "Nimble",
              "Quick", "Quiet", "Sharp", "Steady", "Swift", "Witty", "Bold", "Bright", "Kind")
ANIMALS = ("Otter", "Falcon", "Panda", "Lynx", "Heron", "Badger", "Koala", "Gecko", "Puffin", "Beaver", "Fox",
           "Owl", "Seal", "Hare", "Wren", "Ibex", "Marten", "Tapir", "Crane", "Newt")


@dataclass(frozen=True)
class Issued:
    """A new identity: the token is shown to its follower once; `digest` is what the room keeps."""

    follower: str
    token: str
    name: str
    digest: str


def issue(name: str | None) -> Issued:
    """A fresh identity; the token is `<follower id>.<secret>`, so checking it needs one lookup by id."""
    follower = secrets.token_urlsafe(9).replace("-", "x").replace("_", "y")  # 12 characters
    token = f"{follower}.{secrets.token_urlsafe(24)}"
    friendly = name or f"{random.choice(ADJECTIVES)} {random.choice(ANIMALS)} {random.randint(10, 99)}"
    return Issued(follower, token, friendly, tokens.digest(token))


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, given = (authorization or "").strip().partition(" ")
    return given.strip() or None if scheme.lower() == "bearer" else None


def follower_of(token: str | None) -> str | None:
    """The follower id a token claims (to be checked against the stored digest)."""
    if not token or "." not in token:
        return None
    follower = token.split(".", 1)[0]
    return follower if 8 <= len(follower) <= 64 else None


class Followers(Protocol):
    """The identities a room has issued, and each one's fork budget."""

    def add(self, code: str, issued: Issued) -> None: ...

    def digest(self, code: str, follower: str) -> str | None: ...

    def issued(self, code: str) -> int: ...

    def spend_fork(self, code: str, follower: str, limit: int, window: int) -> int | None:
        """None when the follower may fork now (and counts it), else the seconds until it may."""
        ...

    def names(self, code: str) -> dict[str, str]:
        """Every identity of the room and its display name (for the presenter only)."""
        ...

    def rename(self, code: str, follower: str, name: str) -> bool:
        """False for a follower the room does not have."""
        ...

    def remove(self, code: str, follower: str) -> bool:
        """Forgets the identity: its token stops working at once. False for an unknown follower."""
        ...

    def drop(self, code: str) -> None:
        """Forgets every identity of the room (the room ended)."""
        ...


def check(followers: Followers, code: str, token: str | None) -> str | None:
    """The follower whose token this is, or None for a missing, unknown or wrong one (constant-time compare)."""
    follower = follower_of(token)
    if follower is None or token is None:
        return None
    stored = followers.digest(code, follower)
    if stored is None or not tokens.bearer_matches(stored, f"Bearer {token}"):
        return None
    return follower
