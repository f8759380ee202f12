"""Ask the class: the presenter freezes one value of the trace, followers predict it, the reveal shows the truth.

The server computes the true value itself from the room's network (the trace of the asked sample) and keeps it
in a private record beside the room; the room state carries only the public question (its formula with "?" for
the result) until the reveal. Answers are keyed by the follower's opaque id, so a changed answer replaces the
earlier one and each follower counts once: in this process's memory for the single-process set-up, or in a Redis
hash per question (HSET follower value) that every worker and host writes to. Answering and revealing are each
one atomic step, so no answer slips in after the reveal.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import redis

from app import tokens
from app.config import Settings
from app.errors import ApiError
from app.networks import usecases
from app.rooms.backends import RedisRooms
from app.rooms.service import Rooms
from app.schemas.networks import TraceRequest
from app.store.base import NetworkStore

BINS = 9  # the middle bin is exactly "within 10%"; four bins of the same width on either side
CENTRE = BINS // 2
ABSOLUTE_TOLERANCE = 5e-4  # a true value of 0 (or nearly): within 10% means within half a unit of the 3rd decimal
PRESENTER_ONLY = "only the presenter can ask or reveal: send Authorization: Bearer <presenter_token>"


def max_answers() -> int:
    """Answers one question takes at most (`DELTAFLOW_QUIZ_MAX_ANSWERS`); a changed answer does not count again."""
    return int(os.environ.get("DELTAFLOW_QUIZ_MAX_ANSWERS") or 5000)


def answer_rate() -> tuple[int, int]:
    """(answers, seconds): one follower may send at most this many answers per window (`DELTAFLOW_QUIZ_RATE`,
    e.g. "10/10")."""
    raw = os.environ.get("DELTAFLOW_QUIZ_RATE") or "10/10"
    count, _, seconds = raw.partition("/")
    return max(1, int(count)), max(1, int(seconds or 10))


# ---- the arithmetic of a question (pure) ----------------------------------------------------------------------

def tolerance(value: float) -> float:
    """How far an answer may be from the true value and still count as within 10%."""
    return max(0.1 * abs(value), ABSOLUTE_TOLERANCE)


def within_10_percent(value: float, answers: list[float]) -> int:
    tol = tolerance(value) * (1 + 1e-9)  # an answer typed as exactly ±10% counts
    return sum(1 for a in answers if abs(a - value) <= tol)


def _bin(edges: list[float], width: float, a: float) -> int:
    return min(len(edges) - 2, max(0, math.floor((a - edges[0]) / width)))


def histogram_around(value: float, answers: list[float]) -> dict[str, Any]:
    """BINS bins of width 2 x tolerance centred on the true value (the middle one is within 10%), and the
    answers below and above them."""
    tol = tolerance(value)
    width = 2 * tol
    edges = [value + (k - BINS / 2) * width for k in range(BINS + 1)]
    counts = [0] * BINS
    below = above = 0
    for a in answers:
        if abs(a - value) <= tol * (1 + 1e-9):
            counts[CENTRE] += 1
        elif a < edges[0]:
            below += 1
        elif a > edges[-1]:
            above += 1
        else:
            counts[_bin(edges, width, a)] += 1
    return {"around": "value", "edges": edges, "counts": counts, "below": below, "above": above}


def hidden_histogram() -> dict[str, Any]:
    """What anyone but the presenter gets before the reveal: no bins, so no answer can be copied from it."""
    return {"around": "hidden", "edges": [], "counts": [], "below": 0, "above": 0}


def prompt_latex(event: dict[str, Any]) -> str:
    """The event's formula with its result replaced by "?" (the result is the last "= number")."""
    head, sep, _ = str(event["latex"]).rpartition(" = ")
    return f"{head} = ?" if sep else f"{event['symbol']} = ?"


# ---- where questions and answers live ----------------------------------------------------------------------------

class Outcome:
    OK, MISSING, REVEALED, FULL, TOO_FAST = "ok", "missing", "revealed", "full", "too fast"


class QuizStore(Protocol):
    """Private question records and their answers, one answer per follower id."""

    def create(self, code: str, qid: str, record: dict[str, Any]) -> None: ...

    def get(self, code: str, qid: str) -> dict[str, Any] | None: ...

    def answer(self, code: str, qid: str, follower: str, value: float) -> str: ...

    def answers(self, code: str, qid: str) -> list[float]: ...

    def reveal(self, code: str, qid: str) -> tuple[dict[str, Any], list[float]] | None: ...


@dataclass
class _Question:
    record: dict[str, Any]
    answers: dict[str, float] = field(default_factory=dict)


class LocalQuiz:
    """The single-process set-up: questions in this process's memory, beside its in-process counts."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._rooms: dict[str, dict[str, _Question]] = {}
        self._rate: dict[tuple[str, str], tuple[float, int]] = {}  # (code, follower) -> (window start, count)

    def create(self, code: str, qid: str, record: dict[str, Any]) -> None:
        with self._lock:
            questions = self._rooms.setdefault(code, {})
            while len(questions) >= 50:  # a room keeps its latest questions; older ones were long revealed
                del questions[next(iter(questions))]
            questions[qid] = _Question(dict(record))

    def get(self, code: str, qid: str) -> dict[str, Any] | None:
        with self._lock:
            q = self._rooms.get(code, {}).get(qid)
            return None if q is None else dict(q.record)

    def _too_fast(self, code: str, follower: str) -> bool:
        limit, window = answer_rate()
        now = self.clock()
        start, n = self._rate.get((code, follower), (now, 0))
        if now - start >= window:
            start, n = now, 0
        if len(self._rate) > 100_000:  # forget old windows rather than grow without bound
            self._rate = {k: v for k, v in self._rate.items() if now - v[0] < window}
        self._rate[(code, follower)] = (start, n + 1)
        return n + 1 > limit

    def answer(self, code: str, qid: str, follower: str, value: float) -> str:
        with self._lock:
            q = self._rooms.get(code, {}).get(qid)
            if q is None:
                return Outcome.MISSING
            if q.record.get("revealed"):
                return Outcome.REVEALED
            if self._too_fast(code, follower):
                return Outcome.TOO_FAST
            if follower not in q.answers and len(q.answers) >= max_answers():
                return Outcome.FULL
            q.answers[follower] = value
            return Outcome.OK

    def answers(self, code: str, qid: str) -> list[float]:
        with self._lock:
            q = self._rooms.get(code, {}).get(qid)
            return [] if q is None else list(q.answers.values())

    def reveal(self, code: str, qid: str) -> tuple[dict[str, Any], list[float]] | None:
        with self._lock:
            q = self._rooms.get(code, {}).get(qid)
            if q is None:
                return None
            q.record["revealed"] = True
            return dict(q.record), list(q.answers.values())


# KEYS: question, answers, rate; ARGV: follower, value, max answers, rate limit, rate window, ttl
_ANSWER = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
if redis.call('HGET', KEYS[1], 'revealed') == '1' then return 'revealed' end
local n = redis.call('INCR', KEYS[3])
if n == 1 then redis.call('EXPIRE', KEYS[3], ARGV[5]) end
if n > tonumber(ARGV[4]) then return 'too fast' end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 and redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[3]) then
  return 'full'
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[6])
return 'ok'
"""

# KEYS: question, answers: mark revealed and read the answers in one step, so none is counted after it
_REVEAL = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('HSET', KEYS[1], 'revealed', '1')
return {redis.call('HGET', KEYS[1], 'record'), redis.call('HVALS', KEYS[2])}
"""


class RedisQuiz:
    """Questions as Redis hashes `<prefix>quiz:<code>:<qid>` and answers as `...:answers` (follower -> value),
    shared by every process; all expire with the room."""

    def __init__(self, client: redis.Redis, prefix: str, ttl_seconds: int) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = max(1, int(ttl_seconds))
        self._answer = client.register_script(_ANSWER)
        self._reveal = client.register_script(_REVEAL)

    def _key(self, code: str, qid: str) -> str:
        return f"{self.prefix}quiz:{code}:{qid}"

    def create(self, code: str, qid: str, record: dict[str, Any]) -> None:
        key = self._key(code, qid)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"record": json.dumps(record), "revealed": "0"})
            pipe.expire(key, self.ttl)
            pipe.execute()

    def get(self, code: str, qid: str) -> dict[str, Any] | None:
        raw, revealed = self.client.hmget(self._key(code, qid), ["record", "revealed"])
        if raw is None:
            return None
        record: dict[str, Any] = json.loads(raw)
        record["revealed"] = revealed == "1"
        return record

    def answer(self, code: str, qid: str, follower: str, value: float) -> str:
        limit, window = answer_rate()
        key = self._key(code, qid)
        out = self._answer(keys=[key, f"{key}:answers", f"{self.prefix}quiz-rate:{code}:{follower}"],
                           args=[follower, repr(value), max_answers(), limit, window, self.ttl])
        return out.decode() if isinstance(out, bytes) else str(out)

    def answers(self, code: str, qid: str) -> list[float]:
        return [float(v) for v in self.client.hvals(f"{self._key(code, qid)}:answers")]

    def reveal(self, code: str, qid: str) -> tuple[dict[str, Any], list[float]] | None:
        key = self._key(code, qid)
        out = self._reveal(keys=[key, f"{key}:answers"])
        if not out:
            return None
        record: dict[str, Any] = json.loads(out[0])
        record["revealed"] = True
        return record, [float(v) for v in out[1]]


_CACHE: dict[int, tuple[Rooms, QuizStore]] = {}
_CACHE_LOCK = threading.Lock()


def quiz_for(rooms: Rooms) -> QuizStore:
    """The question store beside a room backend: Redis beside Redis rooms, this process's memory otherwise."""
    with _CACHE_LOCK:
        hit = _CACHE.get(id(rooms))
        if hit is not None and hit[0] is rooms:
            return hit[1]
        backend = rooms.backend
        store: QuizStore = (RedisQuiz(backend.client, backend.prefix, backend.ttl_seconds)
                            if isinstance(backend, RedisRooms) else LocalQuiz())
        _CACHE[id(rooms)] = (rooms, store)
        return store


# ---- what the routes call -------------------------------------------------------------------------------------------

def _not_found(qid: str) -> ApiError:
    return ApiError(404, ("path", "qid"), f"question not found: this room has no question {qid!r}")


def _presenter(rooms: Rooms, code: str, authorization: str | None) -> None:
    tokens.check_bearer(rooms.token_digest(code), authorization, PRESENTER_ONLY)


def _is_presenter(rooms: Rooms, code: str, authorization: str | None) -> bool:
    return authorization is not None and tokens.bearer_matches(rooms.token_digest(code), authorization)


def ask(rooms: Rooms, store: NetworkStore, settings: Settings, code: str, sample: int, event: int,
        authorization: str | None) -> dict[str, Any]:
    """A new question on one event of the sample's trace on the room's network; followers see it at once."""
    _presenter(rooms, code, authorization)
    network_id = rooms.record_state(code)["network_id"]
    events = usecases.trace(store, settings, network_id, TraceRequest(sample=sample, samples=None))["events"]
    if not 0 <= event < len(events):
        raise ApiError(422, ("body", "event"), f"no such event: the trace of sample {sample} has events "
                                               f"0 to {len(events) - 1}", "no_such_event")
    ev = events[event]
    qid = secrets.token_urlsafe(6).replace("-", "x").replace("_", "y")
    public = {"id": qid, "sample": sample, "event": event, "quantity": ev["quantity"], "symbol": ev["symbol"],
              "prompt_latex": prompt_latex(ev)}
    quiz_for(rooms).create(code, qid, {**public, "value": float(ev["value"])})
    question = {**public, "revealed": False}

    def show(state: dict[str, Any]) -> None:
        state["question"] = question

    rooms.update(code, show)
    return public


def answer(rooms: Rooms, code: str, qid: str, follower: str, value: float) -> None:
    """A follower's prediction; the same follower again replaces it."""
    rooms.record_state(code)  # RoomNotFound for an unknown room
    outcome = quiz_for(rooms).answer(code, qid, follower, value)
    if outcome == Outcome.MISSING:
        raise _not_found(qid)
    if outcome == Outcome.REVEALED:
        raise ApiError(409, ("path", "qid"), "this question has been revealed: answers are closed")
    if outcome == Outcome.FULL:
        raise ApiError(409, ("path", "qid"), f"this question has reached its limit of {max_answers()} answers")
    if outcome == Outcome.TOO_FAST:
        limit, window = answer_rate()
        raise ApiError(429, ("body", "follower"), f"too many answers: at most {limit} per {window} s from one "
                                                  "follower; wait a moment and send it again")


def _result(record: dict[str, Any], answers: list[float]) -> dict[str, Any]:
    value = float(record["value"])
    return {"value": value, "answers": len(answers), "within_10_percent": within_10_percent(value, answers),
            "histogram": histogram_around(value, answers)}


def status(rooms: Rooms, code: str, qid: str, authorization: str | None) -> dict[str, Any]:
    """How many answered and their distribution; the value only after the reveal. Before it, the histogram is
    centred on the true value for the presenter and empty for anyone else (the class's guesses are not
    there to copy)."""
    rooms.record_state(code)
    quiz = quiz_for(rooms)
    record = quiz.get(code, qid)
    if record is None:
        raise _not_found(qid)
    answers = quiz.answers(code, qid)
    if record.get("revealed"):
        return {"id": qid, "revealed": True, **_result(record, answers)}
    presenter = _is_presenter(rooms, code, authorization)
    histogram = histogram_around(float(record["value"]), answers) if presenter else hidden_histogram()
    return {"id": qid, "answers": len(answers), "histogram": histogram, "revealed": False}


def reveal(rooms: Rooms, code: str, qid: str, authorization: str | None) -> dict[str, Any]:
    """Close the answers and show the true value on every screen, with the class's distribution."""
    _presenter(rooms, code, authorization)
    got = quiz_for(rooms).reveal(code, qid)
    if got is None:
        raise _not_found(qid)
    record, answers = got
    result = _result(record, answers)
    public = {k: record[k] for k in ("id", "sample", "event", "quantity", "symbol", "prompt_latex")}
    question = {**public, "revealed": True, **result}

    def show(state: dict[str, Any]) -> None:
        current = state.get("question")
        if current is None or current.get("id") == qid:  # revealing an older question leaves a newer one shown
            state["question"] = question

    rooms.update(code, show)
    return result
