"""The Redis backend's Lua scripts, read from lua/*.lua (package data) once, when the backend is first imported."""

from __future__ import annotations

from importlib.resources import files

_LUA = files("app.rooms.redis") / "lua"


def _read(name: str) -> str:
    return (_LUA / f"{name}.lua").read_text(encoding="utf-8")


_TALLY = _read("tally")  # the tally() helper that every counts script answers with


def _counts(name: str) -> str:
    return _TALLY + "\n" + _read(name)


RECORDS_INSERT = _read("records_insert")
RECORDS_REPLACE = _read("records_replace")
COUNTS_ADD = _counts("counts_add")
COUNTS_ADD_HELD = _counts("counts_add_held")
COUNTS_READ = _counts("counts_read")
COUNTS_SET_SHARE = _counts("counts_set_share")
COUNTS_DROP = _counts("counts_drop")
COUNTS_BEAT = _read("counts_beat")
QUESTIONS_ANSWER = _read("questions_answer")
ROSTER_SEEN = _read("roster_seen")
QUESTIONS_REVEAL = _read("questions_reveal")
QUESTIONS_CLOSE = _read("questions_close")
