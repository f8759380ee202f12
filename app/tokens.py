"""The one edit-token rule for networks and rooms: a random token shown once, only its SHA-256 digest stored,
and `Authorization: Bearer <token>` checked in constant time. Nothing here knows what the token protects.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from app.errors import ApiError


def digest(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh token (shown to its owner once) and the digest to store in its place."""
    token = secrets.token_urlsafe(24)
    return token, digest(token)


def bearer_matches(expected: str, authorization: str | None) -> bool:
    """Whether the header is `Bearer <token>` for the token behind `expected`."""
    scheme, _, given = (authorization or "").strip().partition(" ")
    given = given.strip()
    # the scheme is case-insensitive (RFC 7235); a bare token without it is refused like a wrong one
    if scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(digest(given), expected)


def check_bearer(digest: str | None, authorization: str | None, message: str) -> None:
    """Nothing to check when `digest` is None (unprotected); otherwise 403 with `message` unless the header matches."""
    if digest is None:
        return
    if not bearer_matches(digest, authorization):
        raise ApiError(403, ("header", "authorization"), message)
