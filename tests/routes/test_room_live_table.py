"""The room state's `live_table`: the presenter's place on the live table stage (mode and iteration), set over
HTTP with the presenter token, refused when malformed, and dropped by the server when the stage or view changes."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.networks.test_api import assert_names
from tests.routes.test_rooms import _open


def _move(client: TestClient, room: dict[str, Any], body: dict[str, Any], token: str | None = None) -> Any:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    return client.post(f"/api/rooms/{room['code']}/state", json=body, headers=headers)


def _state(client: TestClient, room: dict[str, Any]) -> dict[str, Any]:
    r = client.get(f"/api/rooms/{room['code']}")
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_the_presenter_sets_the_live_tables_place_and_every_reader_gets_it(client: TestClient) -> None:
    room = _open(client)
    assert room["state"]["live_table"] is None  # a new room, and the field is sent anyway
    assert _state(client, room)["live_table"] is None
    token = room["presenter_token"]
    r = _move(client, room, {"view": "lesson", "stage": 12, "live_table": {"mode": "batch", "iteration": 4000}},
              token)
    assert r.status_code == 200, r.text
    assert r.json()["live_table"] == {"mode": "batch", "iteration": 4000}
    assert _state(client, room)["live_table"] == {"mode": "batch", "iteration": 4000}
    # the slider and the switch alone, on the same stage: the place moves, the stage stays
    r = _move(client, room, {"live_table": {"mode": "online", "iteration": 2500.0}}, token)
    assert r.status_code == 200, r.text
    after = _state(client, room)
    assert after["live_table"] == {"mode": "online", "iteration": 2500}
    assert (after["view"], after["stage"]) == ("lesson", 12)
    # the same stage again (a presenter publishes its stage with every move) keeps the place
    assert _move(client, room, {"view": "lesson", "stage": 12, "position": 3}, token).status_code == 200
    assert _state(client, room)["live_table"] == {"mode": "online", "iteration": 2500}
    assert _move(client, room, {"live_table": None}, token).json()["live_table"] is None


@pytest.mark.parametrize("change", [{"stage": 11}, {"view": "main"}, {"view": "main", "stage": 12}])
def test_a_change_of_stage_or_view_clears_the_place_unless_it_sets_one(client: TestClient,
                                                                        change: dict[str, Any]) -> None:
    room = _open(client)
    token = room["presenter_token"]
    place = {"mode": "online", "iteration": 100}
    assert _move(client, room, {"view": "lesson", "stage": 12, "live_table": place}, token).status_code == 200
    r = _move(client, room, change, token)
    assert r.status_code == 200, r.text
    assert r.json()["live_table"] is None
    assert _state(client, room)["live_table"] is None
    # back on a stage with a place in the same move: that place holds
    back = {"view": "lesson", "stage": 12, "live_table": {"mode": "batch", "iteration": 10000}}
    assert _move(client, room, back, token).json()["live_table"] == back["live_table"]
    assert _state(client, room)["live_table"] == back["live_table"]


@pytest.mark.parametrize(("place", "loc"), [
    ({"mode": "minibatch", "iteration": 0}, ("body", "live_table", "mode")),
    ({"mode": "batch", "iteration": -1}, ("body", "live_table", "iteration")),
    ({"mode": "batch", "iteration": 10**7 + 1}, ("body", "live_table", "iteration")),
    ({"mode": "batch", "iteration": 2.5}, ("body", "live_table", "iteration")),
    ({"mode": "batch", "iteration": "4000"}, ("body", "live_table", "iteration")),
    ({"mode": "batch", "iteration": True}, ("body", "live_table", "iteration")),
    ({"mode": "batch"}, ("body", "live_table", "iteration")),
    ({"iteration": 100}, ("body", "live_table", "mode")),
    ({"mode": "batch", "iteration": 100, "index": 1}, ("body", "live_table", "index")),
    ([4000], ("body", "live_table")),
    ("batch", ("body", "live_table")),
])
def test_a_malformed_place_is_refused_naming_the_field(client: TestClient, place: Any,
                                                        loc: tuple[str, ...]) -> None:
    room = _open(client)
    token = room["presenter_token"]
    assert _move(client, room, {"live_table": {"mode": "batch", "iteration": 300}}, token).status_code == 200
    assert_names(_move(client, room, {"live_table": place}, token), 422, *loc)
    assert _state(client, room)["live_table"] == {"mode": "batch", "iteration": 300}


def test_only_the_presenter_moves_the_place(client: TestClient) -> None:
    room = _open(client)
    student = client.post(f"/api/rooms/{room['code']}/followers", json={"name": None}).json()
    place = {"live_table": {"mode": "online", "iteration": 700}}
    for token in (None, "not-a-token", student["token"]):
        r = _move(client, room, place, token)
        assert r.status_code == 403, r.text
        assert "presenter" in r.json()["detail"]
    assert _state(client, room)["live_table"] is None
    assert _move(client, room, place, room["presenter_token"]).status_code == 200
