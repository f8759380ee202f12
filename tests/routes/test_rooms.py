"""The room routes in-process on both stores: rooms built once at start-up beside the store, absolute links, and
the rooms and questions handed out through app.deps (so a test can swap them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import deps
from app.config import Settings
from app.main import app
from app.rooms.local.counts import LocalCounts
from app.rooms.local.hub import LocalHub
from app.rooms.local.questions import LocalQuiz
from app.rooms.local.records import SQLiteRooms
from app.rooms.service import Rooms
from app.store.base import NetworkStore


def _open(client: TestClient) -> dict:
    net = client.post("/api/networks", json={"preset": "xor", "protected": True})
    assert net.status_code == 201, net.text
    room = client.post("/api/rooms", json={"network_id": net.json()["id"]},
                       headers={"Authorization": f"Bearer {net.json()['token']}"})
    assert room.status_code == 201, room.text
    return room.json()


def test_join_and_qr_links_are_absolute_on_the_requests_base_url(client: TestClient) -> None:
    room = _open(client)
    code, base = room["code"], str(client.base_url).rstrip("/")
    assert room["join_url"] == f"{base}/join/{code}"
    assert room["qr_url"] == f"{base}/api/rooms/{code}/qr.svg"
    assert client.get(room["qr_url"]).status_code == 200
    assert client.get(room["join_url"]).status_code == 200


def test_a_room_in_the_lesson_sends_a_joining_student_straight_to_the_lessons_follower_page(
        client: TestClient) -> None:
    room = _open(client)
    code, auth = room["code"], {"Authorization": f"Bearer {room['presenter_token']}"}
    assert client.get(f"/join/{code}?name=Ada", follow_redirects=False).status_code == 200  # the main view
    moved = client.post(f"/api/rooms/{code}/state", json={"view": "lesson", "stage": 3}, headers=auth)
    assert moved.status_code == 200, moved.text
    sent = client.get(f"/join/{code.lower()}?name=%20Ada%20&projector=1", follow_redirects=False)
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/lesson?room={code}&follow=1&projector=1&name=Ada"
    assert sent.headers["cache-control"] == "no-store"
    assert client.get(f"/join/{code}", follow_redirects=False).headers["location"] == f"/lesson?room={code}&follow=1"
    # only projector=1 turns projector mode on, as on every page; another value is no error
    other = client.get(f"/join/{code}?projector=yes", follow_redirects=False)
    assert other.headers["location"] == f"/lesson?room={code}&follow=1"
    back = client.post(f"/api/rooms/{code}/state", json={"view": "main"}, headers=auth)
    assert back.status_code == 200, back.text
    assert client.get(f"/join/{code}", follow_redirects=False).status_code == 200


def test_links_use_the_public_url_when_the_server_sets_one(client: TestClient) -> None:
    public = Settings(public_url="https://deltaflow.example.edu")

    async def settings() -> Settings:
        return public

    app.dependency_overrides[deps.settings_dep] = settings
    try:
        room = _open(client)
    finally:
        app.dependency_overrides.pop(deps.settings_dep, None)
    assert room["join_url"] == f"https://deltaflow.example.edu/join/{room['code']}"
    assert room["qr_url"] == f"https://deltaflow.example.edu/api/rooms/{room['code']}/qr.svg"


def test_every_request_is_served_by_the_rooms_built_at_start_up(client: TestClient, store: NetworkStore) -> None:
    built = client.app.state.classroom  # type: ignore[attr-defined]
    room = _open(client)
    assert built.rooms.get(room["code"])["code"] == room["code"]  # the same Rooms the request used
    r = client.post(f"/api/rooms/{room['code']}/questions", json={"sample": 0, "event": 2},
                    headers={"Authorization": f"Bearer {room['presenter_token']}"})
    assert r.status_code == 201, r.text
    assert built.quiz.get(room["code"], r.json()["id"])["value"] is not None  # and the same question store
    assert client.app.state.classroom is built


@pytest.fixture
def swapped(tmp_path: Path) -> Iterator[Rooms]:
    """Rooms on a SQLite file of their own and a question store, swapped in through app.dependency_overrides."""
    rooms = Rooms(SQLiteRooms(str(tmp_path / "swapped.db"), 3600), LocalHub(), LocalCounts())
    quiz = LocalQuiz(rate=(1, 10))

    async def get_rooms() -> Rooms:
        return rooms

    async def get_quiz() -> LocalQuiz:
        return quiz

    app.dependency_overrides[deps.get_rooms] = get_rooms
    app.dependency_overrides[deps.get_quiz] = get_quiz
    yield rooms
    app.dependency_overrides.pop(deps.get_rooms, None)
    app.dependency_overrides.pop(deps.get_quiz, None)


def test_a_test_may_swap_the_rooms_and_the_question_store(client: TestClient, swapped: Rooms) -> None:
    room = _open(client)
    assert swapped.get(room["code"])["code"] == room["code"]
    presenter = {"Authorization": f"Bearer {room['presenter_token']}"}
    qid = client.post(f"/api/rooms/{room['code']}/questions", json={"sample": 0, "event": 2},
                      headers=presenter).json()["id"]
    answers = f"/api/rooms/{room['code']}/questions/{qid}/answers"
    student = client.post(f"/api/rooms/{room['code']}/followers", json={"name": None}).json()
    auth = {"Authorization": f"Bearer {student['token']}"}
    assert client.post(answers, json={"value": 0.5}, headers=auth).status_code == 204
    again = client.post(answers, json={"value": 0.6}, headers=auth)
    assert again.status_code == 429  # the swapped store's rate of one answer per 10 s
    assert "at most 1 per 10 s" in again.json()["detail"]
