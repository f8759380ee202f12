"""Room codes a class can read off a projector and type: 6 characters without look-alikes."""

from __future__ import annotations

import re
import secrets

# no 0/O, no 1/I/L: a code read aloud or off a screen cannot be mistyped into another valid code
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6
_VALID = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")


def new_code() -> str:
    """31**6, about 887 million codes; callers retry on the rare collision."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(raw: str) -> str | None:
    """The code as stored (upper case, no spaces or dashes), or None if it cannot be a room code."""
    code = raw.strip().upper().replace("-", "").replace(" ", "")
    return code if _VALID.match(code) else None
