"""Logging that never writes a network id: uvicorn's access lines keep method, route and status, not the id.

A network id is its only secret (whoever knows it can read the network), so paths and query strings are
redacted before any handler sees them. `install()` is called by app/main.py, so `make run` gets it too.
"""

from __future__ import annotations

import logging
import re

REDACTED = "<id>"
# /api/networks/<id>, /api/rooms/<code>, /join/<code>, /dashboard/<code>, …/followers/<id>: the segment after
# the resource name is the secret (or names a student)
_PATH_ID = re.compile(r"(/api/networks/|/api/rooms/|/join/|/dashboard/|/followers/)[^/?#\s\"]+")
# the page keeps the network in its URL (?net=<id>): query strings never reach the log
_QUERY = re.compile(r"\?[^\s\"]*")
# and, in a message's arguments, anything shaped like a network id (22 url-safe characters, not a plain word)
_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])(?=[A-Za-z]*[0-9_-])[A-Za-z0-9_-]{22}(?![A-Za-z0-9_-])")


def redact(text: str) -> str:
    """The text with every network id, room code and query string replaced."""
    text = _PATH_ID.sub(lambda m: m.group(1) + REDACTED, text)
    return _QUERY.sub("?" + REDACTED, text)


def _redact_arg(value: object) -> object:
    return _TOKEN.sub(REDACTED, redact(value)) if isinstance(value, str) else value


class RedactIds(logging.Filter):
    """Rewrites a record's message arguments (uvicorn passes the path as one of them) and its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_arg(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _redact_arg(v) for k, v in record.args.items()}
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


_FILTER = RedactIds()
LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "deltaflow", "deltaflow.rooms")


def install() -> None:
    """Attach the filter to the loggers that can mention a request (idempotent)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
        for handler in logger.handlers:
            if _FILTER not in handler.filters:
                handler.addFilter(_FILTER)
