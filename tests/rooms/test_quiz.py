"""The class quiz over HTTP on real servers: ask, answer, reveal; the value hidden until the reveal (in every
response and in the raw event-stream bytes); one answer per follower identity, counted once across two processes on
Redis."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from app.engine.latex import num
from app.rooms.scoring import histogram_around, histogram_of_answers, prompt_latex, within_10_percent
from tests.rooms.conftest import SSEReader, as_follower, bearer, join, new_room, start_app

EVENT = 2  # XOR's z_1^2: a value of the forward pass with a formula worth predicting


@pytest.fixture(scope="module")
def limited_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One SQLite process with a tiny answer rate: 4 answers per follower per minute."""
    directory = tmp_path_factory.mktemp("quiz-limits")
    app = start_app(directory, {"DELTAFLOW_DB": str(directory / "q.db"), "DELTAFLOW_REDIS_URL": "",
                                "DELTAFLOW_QUIZ_RATE": "4/60"})
    try:
        yield app.url
    finally:
        app.stop()


def _truth(base: str, net: dict[str, Any], sample: int, event: int) -> dict[str, Any]:
    r = httpx.post(f"{base}/api/networks/{net['id']}/trace", json={"sample": sample})
    assert r.status_code == 200
    ev: dict[str, Any] = r.json()["events"][event]
    return ev


def _ask(base: str, room: dict[str, Any], sample: int = 1, event: int = EVENT) -> httpx.Response:
    return httpx.post(f"{base}/api/rooms/{room['code']}/questions", headers=bearer(room),
                      json={"sample": sample, "event": event})


_STUDENTS: dict[tuple[str, str], dict[str, Any]] = {}  # (room, student) -> the identity the room issued


def _student(base: str, code: str, student: str) -> dict[str, str]:
    """The Authorization header of a student of the room, who joins on first use (on any process of the room)."""
    if (code, student) not in _STUDENTS:
        _STUDENTS[(code, student)] = join(base, code, student)
    return as_follower(_STUDENTS[(code, student)])


def _answer(base: str, code: str, qid: str, student: str, value: Any) -> httpx.Response:
    auth = _student(base, code, student) if code != "ZZZZZZ" else {"Authorization": "Bearer none.none"}
    return httpx.post(f"{base}/api/rooms/{code}/questions/{qid}/answers", json={"value": value}, headers=auth)


def _secrets(value: float) -> list[bytes]:
    """The ways the true value could be written: JSON's full precision and the formulas' 4 decimals."""
    return [json.dumps(value).encode(), num(value).encode()]


def test_ask_answers_201_with_the_prompt_and_never_the_value(sqlite_app: str) -> None:
    net, room = new_room(sqlite_app)
    truth = _truth(sqlite_app, net, 1, EVENT)
    r = _ask(sqlite_app, room)
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"id", "sample", "event", "quantity", "symbol", "prompt_latex"}
    assert body["event"] == EVENT and body["sample"] == 1 and body["quantity"] == truth["quantity"]
    assert body["prompt_latex"].endswith("= ?")
    assert body["prompt_latex"] == truth["latex"].rsplit(" = ", 1)[0] + " = ?"
    state = httpx.get(f"{sqlite_app}/api/rooms/{room['code']}").json()
    assert state["question"]["id"] == body["id"] and state["question"]["revealed"] is False
    for text in (r.content, httpx.get(f"{sqlite_app}/api/rooms/{room['code']}").content):
        for secret in _secrets(truth["value"]):
            assert secret not in text


def test_ask_refuses_without_token_unknown_room_and_missing_event(sqlite_app: str) -> None:
    _, room = new_room(sqlite_app)
    code = room["code"]
    r = httpx.post(f"{sqlite_app}/api/rooms/{code}/questions", json={"sample": 0, "event": 1})
    assert r.status_code == 403 and "presenter" in r.json()["detail"]
    r = httpx.post(f"{sqlite_app}/api/rooms/{code}/questions", json={"sample": 0, "event": 1},
                   headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 403
    r = httpx.post(f"{sqlite_app}/api/rooms/ZZZZZZ/questions", json={"sample": 0, "event": 1}, headers=bearer(room))
    assert r.status_code == 404 and "room not found" in r.json()["detail"]
    r = _ask(sqlite_app, room, event=10_000)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "event"]
    r = _ask(sqlite_app, room, sample=99)
    assert r.status_code == 422
    r = httpx.post(f"{sqlite_app}/api/rooms/{code}/questions", headers=bearer(room), json={"sample": 0})
    assert r.status_code == 422
    assert "question" not in httpx.get(f"{sqlite_app}/api/rooms/{code}").json() or \
        httpx.get(f"{sqlite_app}/api/rooms/{code}").json()["question"] is None


def test_answers_replace_count_once_then_reveal_closes_them(sqlite_app: str, readers: list[SSEReader]) -> None:
    net, room = new_room(sqlite_app)
    code = room["code"]
    follower = SSEReader(sqlite_app, f"/api/rooms/{code}/events")
    readers.append(follower)
    follower.next()
    truth = _truth(sqlite_app, net, 1, EVENT)
    value = truth["value"]
    qid = _ask(sqlite_app, room).json()["id"]
    asked = follower.next()
    assert asked.data["question"]["id"] == qid and "value" not in asked.data["question"]
    assert _answer(sqlite_app, code, qid, "student-aaaa", value * 3 + 1).status_code == 204
    assert _answer(sqlite_app, code, qid, "student-aaaa", value).status_code == 204  # replaces the first
    assert _answer(sqlite_app, code, qid, "student-bbbb", value * 1.05).status_code == 204
    assert _answer(sqlite_app, code, qid, "student-cccc", -value - 1).status_code == 204
    r = httpx.get(f"{sqlite_app}/api/rooms/{code}/questions/{qid}")
    assert r.status_code == 200
    got = r.json()
    assert got["answers"] == 3 and got["revealed"] is False
    # every field is sent; the value and the count within 10% stay null until the reveal
    assert set(got) == {"id", "answers", "histogram", "revealed", "value", "within_10_percent"}
    assert got["value"] is None and got["within_10_percent"] is None
    assert got["histogram"] == {"around": "hidden", "edges": [], "counts": [], "below": 0, "above": 0}
    presenter = httpx.get(f"{sqlite_app}/api/rooms/{code}/questions/{qid}", headers=bearer(room)).json()
    # the presenter's bins span the answers only: the same answers give the same axis whatever the true value
    given = [value, value * 1.05, -value - 1]
    assert presenter["histogram"] == histogram_of_answers(given)
    assert presenter["histogram"]["edges"][0] == min(given) and presenter["histogram"]["edges"][-1] == max(given)
    assert presenter["value"] is None
    for secret in _secrets(value):
        assert secret not in r.content
        assert secret not in b"".join(follower.raw)  # the raw SSE bytes so far: the value never travelled
    assert httpx.post(f"{sqlite_app}/api/rooms/{code}/questions/{qid}/reveal").status_code == 403
    r = httpx.post(f"{sqlite_app}/api/rooms/{code}/questions/{qid}/reveal", headers=bearer(room))
    assert r.status_code == 200
    assert r.json()["value"] == value and r.json()["answers"] == 3 and r.json()["within_10_percent"] == 2
    assert r.json()["histogram"]["counts"][4] == 2
    revealed = follower.next()
    assert revealed.data["question"]["revealed"] is True and revealed.data["question"]["value"] == value
    assert revealed.data["question"]["within_10_percent"] == 2
    r = _answer(sqlite_app, code, qid, "student-dddd", value)
    assert r.status_code == 409 and "revealed" in r.json()["detail"]
    after = httpx.get(f"{sqlite_app}/api/rooms/{code}/questions/{qid}").json()
    assert after["revealed"] is True and after["value"] == value and after["within_10_percent"] == 2
    assert after["answers"] == 3


def _close_clears_the_question_and_refuses_later_answers(base: str, readers: list[SSEReader]) -> None:
    net, room = new_room(base)
    code = room["code"]
    follower = SSEReader(base, f"/api/rooms/{code}/events")
    readers.append(follower)
    follower.next()
    qid = _ask(base, room).json()["id"]
    assert follower.next().data["question"]["id"] == qid
    assert _answer(base, code, qid, "student-aaaa", 0.5).status_code == 204
    close = f"{base}/api/rooms/{code}/questions/{qid}/close"
    r = httpx.post(close)
    assert r.status_code == 403 and "presenter" in r.json()["detail"]
    assert httpx.post(close, headers={"Authorization": "Bearer not-the-presenter"}).status_code == 403
    assert httpx.post(f"{base}/api/rooms/{code}/questions/nope/close", headers=bearer(room)).status_code == 404
    assert httpx.get(f"{base}/api/rooms/{code}").json()["question"]["id"] == qid  # refusals changed nothing
    r = httpx.post(close, headers=bearer(room))
    assert r.status_code == 200 and r.json() == {"id": qid, "closed": True}
    assert follower.next().data["question"] is None
    assert httpx.get(f"{base}/api/rooms/{code}").json()["question"] is None  # a late joiner sees no question
    for who in ("student-aaaa", "student-bbbb"):
        r = _answer(base, code, qid, who, 0.5)
        assert r.status_code == 409 and "closed" in r.json()["detail"]
    # a new question after the close is taken as usual, and closing the old one again leaves it shown
    newer = _ask(base, room).json()["id"]
    assert httpx.post(close, headers=bearer(room)).status_code == 200
    assert httpx.get(f"{base}/api/rooms/{code}").json()["question"]["id"] == newer
    assert _answer(base, code, newer, "student-aaaa", 0.5).status_code == 204
    for secret in _secrets(_truth(base, net, 1, EVENT)["value"]):
        assert secret not in b"".join(follower.raw)


def test_close_clears_the_question_and_refuses_later_answers(sqlite_app: str, readers: list[SSEReader]) -> None:
    _close_clears_the_question_and_refuses_later_answers(sqlite_app, readers)


def test_close_on_redis_refuses_answers_through_the_other_process(redis_apps: tuple[str, str],
                                                                 readers: list[SSEReader]) -> None:
    a, b = redis_apps
    _close_clears_the_question_and_refuses_later_answers(a, readers)
    _, room = new_room(a)
    qid = _ask(a, room).json()["id"]
    assert httpx.post(f"{a}/api/rooms/{room['code']}/questions/{qid}/close", headers=bearer(room)).status_code == 200
    r = _answer(b, room["code"], qid, "student-aaaa", 0.5)
    assert r.status_code == 409 and "closed" in r.json()["detail"]


def test_answer_refuses_non_numbers_unknown_rooms_and_questions(sqlite_app: str) -> None:
    _, room = new_room(sqlite_app)
    code = room["code"]
    qid = _ask(sqlite_app, room).json()["id"]
    for bad in ("0.5", True, None, [1], 1e300 * 10):
        r = _answer(sqlite_app, code, qid, "student-aaaa", bad)
        assert r.status_code == 422, bad
        assert r.json()["detail"][0]["loc"][-1] == "value"
    r = httpx.post(f"{sqlite_app}/api/rooms/{code}/questions/{qid}/answers",
                   headers={"Content-Type": "application/json", **_student(sqlite_app, code, "student-aaaa")},
                   content=b'{"value": NaN}')
    assert r.status_code == 422
    r = httpx.post(f"{sqlite_app}/api/rooms/{code}/questions/{qid}/answers", json={"follower": "x", "value": 1.0},
                   headers=_student(sqlite_app, code, "student-aaaa"))
    assert r.status_code == 422  # a follower id, when sent, is 8-64 characters
    assert _answer(sqlite_app, "ZZZZZZ", qid, "student-aaaa", 1.0).status_code == 404
    assert _answer(sqlite_app, code, "nosuchq", "student-aaaa", 1.0).status_code == 404
    assert httpx.get(f"{sqlite_app}/api/rooms/{code}/questions/nosuchq").status_code == 404
    assert httpx.post(f"{sqlite_app}/api/rooms/{code}/questions/nosuchq/reveal",
                      headers=bearer(room)).status_code == 404
    assert httpx.get(f"{sqlite_app}/api/rooms/{code}/questions/{qid}").json()["answers"] == 0


def test_limits_on_answers_per_question_and_per_follower(limited_app: str) -> None:
    _, room = new_room(limited_app)
    code = room["code"]
    qid = _ask(limited_app, room).json()["id"]
    for n in range(3):
        assert _answer(limited_app, code, qid, f"student-{n:04d}", 0.5).status_code == 204
    r = _answer(limited_app, code, qid, "student-late", 0.5)
    assert r.status_code == 204  # the cap is one answer per identity issued: whoever joined has a place
    assert _answer(limited_app, code, qid, "student-0000", 0.7).status_code == 204  # a change still goes in
    statuses = [_answer(limited_app, code, qid, "student-0001", 0.1 * k).status_code for k in range(4)]
    assert statuses[:3] == [204, 204, 204] and statuses[3] == 429  # the 5th answer of one follower this minute
    r = _answer(limited_app, code, qid, "student-0001", 1.0)
    assert r.status_code == 429 and "too many answers" in r.json()["detail"]
    assert httpx.get(f"{limited_app}/api/rooms/{code}/questions/{qid}").json()["answers"] == 4


def test_a_question_takes_no_more_answers_than_identities_issued() -> None:
    from app.rooms.local.questions import LocalQuiz
    from app.rooms.questions import Outcome

    quiz = LocalQuiz(rate=(10, 10))
    quiz.create("ROOM22", "q1", {"value": 1.0})
    assert quiz.answer("ROOM22", "q1", "first-student", 0.5, cap=1) == Outcome.OK
    assert quiz.answer("ROOM22", "q1", "other-student", 0.5, cap=1) == Outcome.FULL
    assert quiz.answer("ROOM22", "q1", "first-student", 0.7, cap=1) == Outcome.OK  # a change still goes in
    assert quiz.answers("ROOM22", "q1") == [0.7]


def test_forty_followers_through_two_processes_on_redis_count_once_each(redis_apps: tuple[str, str],
                                                                        readers: list[SSEReader]) -> None:
    a, b = redis_apps
    net, room = new_room(a)
    code = room["code"]
    watchers = [SSEReader(a, f"/api/rooms/{code}/events"), SSEReader(b, f"/api/rooms/{code}/events")]
    readers.extend(watchers)
    for w in watchers:
        w.next()
    truth = _truth(a, net, 3, EVENT)
    value = truth["value"]
    asked = _ask(b, room, sample=3)
    assert asked.status_code == 201
    qid = asked.json()["id"]
    for w in watchers:  # the question reaches followers on both processes
        assert w.next().data["question"]["id"] == qid
    guesses = {f"follower-{n:03d}": value * (1 + (n - 20) / 100) for n in range(40)}  # 21 within 10%
    with httpx.Client(base_url=a) as ca, httpx.Client(base_url=b) as cb:
        for n, (who, guess) in enumerate(guesses.items()):
            first, second = (ca, cb) if n % 2 else (cb, ca)
            # a wrong first guess through one process, replaced through the other
            auth = _student(b if n % 2 else a, code, who)  # joined on either process
            r = first.post(f"/api/rooms/{code}/questions/{qid}/answers", json={"value": -guess}, headers=auth)
            assert r.status_code == 204
            r = second.post(f"/api/rooms/{code}/questions/{qid}/answers", json={"value": guess}, headers=auth)
            assert r.status_code == 204
        for c in (ca, cb):
            got = c.get(f"/api/rooms/{code}/questions/{qid}").json()
            assert got["answers"] == 40 and got["revealed"] is False and got["value"] is None
        expected = within_10_percent(value, list(guesses.values()))
        assert expected == 21
        r = ca.post(f"/api/rooms/{code}/questions/{qid}/reveal", headers=bearer(room))
        assert r.status_code == 200
        assert r.json()["answers"] == 40 and r.json()["within_10_percent"] == expected
        assert r.json()["histogram"]["counts"][4] == expected and sum(r.json()["histogram"]["counts"]) == 40
        assert cb.post(f"/api/rooms/{code}/questions/{qid}/answers", json={"value": 1.0},
                       headers=_student(a, code, "follower-000")).status_code == 409
    for w in watchers:
        q = w.next_where(lambda state: state["question"]["revealed"]).data["question"]
        assert q["value"] == value and q["answers"] == 40 and q["within_10_percent"] == expected
        # before the revealed state, no byte of the stream held the value
        raw = b"".join(w.raw)
        cut = raw.index(b'"revealed":true')
        for secret in _secrets(value):
            assert secret not in raw[:cut]


def test_histograms_and_prompts() -> None:
    h = histogram_around(1.0, [1.0, 1.09, 0.95, 0.8, 1.25, -1.0, 9.0])
    assert h["counts"][4] == 3 and h["counts"][3] == 1 and h["counts"][5] == 1 and h["below"] == 1 and h["above"] == 1
    assert len(h["edges"]) == 10 and abs(h["edges"][4] - 0.9) < 1e-12 and abs(h["edges"][5] - 1.1) < 1e-12
    a = histogram_of_answers([0.086, 0.115, 0.12, 0.11])
    assert a["around"] == "answers" and a["edges"][0] == 0.086 and a["edges"][-1] == 0.12 and sum(a["counts"]) == 4
    assert a["counts"][0] == 1 and a["counts"][-1] == 1
    one = histogram_of_answers([2.0, 2.0])
    assert one["counts"][4] == 2 and abs(one["edges"][0] - 1.8) < 1e-12
    assert histogram_of_answers([])["counts"] == []
    assert within_10_percent(0.0, [0.0, 0.0004, 0.002]) == 2  # a true 0 allows half a unit of the 3rd decimal
    assert within_10_percent(-2.0, [-2.2, -1.8, -2.21, 2.0]) == 2
    assert prompt_latex({"latex": r"a = \sigma(0.5) = 0.6225", "symbol": "a"}) == r"a = \sigma(0.5) = ?"
