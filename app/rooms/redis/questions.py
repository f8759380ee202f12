"""Questions and answers in Redis, shared by every worker and host: a hash per question and one of its answers
(follower -> value), both expiring with the room."""

from __future__ import annotations

import json
from typing import Any

import redis

from app.rooms.redis import scripts

KEPT = 50  # questions a room keeps (the results cover these)


class RedisQuiz:
    """Questions as Redis hashes `<prefix>quiz:<code>:<qid>` and answers as `...:answers`."""

    def __init__(self, client: redis.Redis, prefix: str, ttl_seconds: int, rate: tuple[int, int]) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = max(1, int(ttl_seconds))
        self.rate = rate
        self._answer = client.register_script(scripts.QUESTIONS_ANSWER)
        self._reveal = client.register_script(scripts.QUESTIONS_REVEAL)
        self._close = client.register_script(scripts.QUESTIONS_CLOSE)

    def _key(self, code: str, qid: str) -> str:
        return f"{self.prefix}quiz:{code}:{qid}"

    def _index(self, code: str) -> str:
        return f"{self.prefix}quiz-index:{code}"

    def create(self, code: str, qid: str, record: dict[str, Any]) -> None:
        key, index = self._key(code, qid), self._index(code)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"record": json.dumps(record), "revealed": "0"})
            pipe.expire(key, self.ttl)
            pipe.rpush(index, qid)
            pipe.ltrim(index, -KEPT, -1)  # the latest questions, as the local store keeps
            pipe.expire(index, self.ttl)
            pipe.execute()

    def get(self, code: str, qid: str) -> dict[str, Any] | None:
        raw, revealed = self.client.hmget(self._key(code, qid), ["record", "revealed"])
        if raw is None:
            return None
        record: dict[str, Any] = json.loads(raw)
        record["revealed"] = revealed == "1"
        return record

    def answer(self, code: str, qid: str, follower: str, value: float, cap: int) -> str:
        limit, window = self.rate
        key = self._key(code, qid)
        out = self._answer(keys=[key, f"{key}:answers", f"{self.prefix}quiz-rate:{code}:{follower}"],
                           args=[follower, repr(value), cap, limit, window, self.ttl])
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

    def close(self, code: str, qid: str) -> bool:
        return bool(self._close(keys=[self._key(code, qid)]))

    def _qids(self, code: str) -> list[str]:
        return [q.decode() if isinstance(q, bytes) else str(q) for q in self.client.lrange(self._index(code), 0, -1)]

    def answered(self, code: str) -> list[tuple[dict[str, Any], dict[str, float]]]:
        qids = self._qids(code)
        with self.client.pipeline(transaction=False) as pipe:
            for qid in qids:
                pipe.hmget(self._key(code, qid), ["record", "revealed", "closed"])
                pipe.hgetall(f"{self._key(code, qid)}:answers")
            replies = pipe.execute()
        out = []
        for (raw, revealed, closed), answers in zip(replies[::2], replies[1::2], strict=True):
            if raw is None:
                continue  # expired on its own
            record: dict[str, Any] = json.loads(raw)
            record["revealed"], record["closed"] = revealed == "1", closed == "1"
            out.append((record, {k: float(v) for k, v in answers.items()}))
        return out

    def forget(self, code: str, follower: str) -> None:
        qids = self._qids(code)
        with self.client.pipeline(transaction=False) as pipe:
            for qid in qids:
                pipe.hdel(f"{self._key(code, qid)}:answers", follower)
            pipe.execute()

    def drop(self, code: str) -> None:
        qids = self._qids(code)
        keys = [self._index(code)]
        for qid in qids:
            keys += [self._key(code, qid), f"{self._key(code, qid)}:answers"]
        self.client.delete(*keys)
