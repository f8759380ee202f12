"""Who may do what in a room: a presented network is its creator's, a vote belongs to one server-issued follower
identity, and a fork is budgeted per identity (hostile clients over HTTP, on both stores)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _present(client: TestClient) -> tuple[dict[str, Any], dict[str, Any]]:
    net = client.post("/api/networks", json={"preset": "xor", "protected": True}).json()
    room = client.post("/api/rooms", json={"network_id": net["id"]}, headers=_bearer(net["token"]))
    assert room.status_code == 201, room.text
    return net, room.json()


def _join(client: TestClient, code: str, name: str | None = None) -> dict[str, Any]:
    r = client.post(f"/api/rooms/{code}/followers", json={"name": name})
    assert r.status_code == 201, r.text
    joined: dict[str, Any] = r.json()
    return joined


def _ask(client: TestClient, room: dict[str, Any]) -> str:
    r = client.post(f"/api/rooms/{room['code']}/questions", json={"sample": 0, "event": 2},
                    headers=_bearer(room["presenter_token"]))
    assert r.status_code == 201, r.text
    qid: str = r.json()["id"]
    return qid


def test_a_follower_cannot_change_or_delete_the_presented_network(client: TestClient) -> None:
    net, room = _present(client)
    student = _join(client, room["code"])
    network_id = client.get(f"/api/rooms/{room['code']}").json()["network_id"]  # every follower learns it
    for auth in ({}, _bearer(student["token"]), _bearer(room["presenter_token"])):
        r = client.patch(f"/api/networks/{network_id}", json={"learning_rate": 100}, headers=auth)
        assert r.status_code == 403, r.text
        assert client.delete(f"/api/networks/{network_id}", headers=auth).status_code == 403
    assert client.get(f"/api/networks/{network_id}").json()["learning_rate"] == net["learning_rate"]
    moved = client.post(f"/api/rooms/{room['code']}/state", json={"position": 3},
                        headers=_bearer(room["presenter_token"]))
    assert moved.status_code == 200, moved.text  # the presenter's next publish still finds the network


def test_a_room_presents_only_a_protected_network_and_only_for_its_creator(client: TestClient) -> None:
    open_net = client.post("/api/networks", json={"preset": "xor"}).json()
    r = client.post("/api/rooms", json={"network_id": open_net["id"]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "network_id"]
    mine = client.post("/api/networks", json={"preset": "xor", "protected": True}).json()
    assert client.post("/api/rooms", json={"network_id": mine["id"]}).status_code == 403
    assert client.post("/api/rooms", json={"network_id": mine["id"]}, headers=_bearer("wrong")).status_code == 403
    _, room = _present(client)
    moved = client.post(f"/api/rooms/{room['code']}/state", json={"network_id": open_net["id"]},
                        headers=_bearer(room["presenter_token"]))
    assert moved.status_code == 422  # followers would learn the id of a network anyone could change
    assert moved.json()["detail"][0]["loc"] == ["body", "network_id"]


def test_joining_issues_an_identity_with_a_checked_name(client: TestClient) -> None:
    _, room = _present(client)
    code = room["code"]
    named = _join(client, code, "Ada L.")
    assert named["name"] == "Ada L."
    assert named["token"].startswith(named["follower"] + ".")
    generated = _join(client, code)
    assert 3 <= len(generated["name"]) <= 40 and generated["follower"] != named["follower"]
    for bad in ("", " ", "x" * 41, "tab\there", "line\nbreak"):
        r = client.post(f"/api/rooms/{code}/followers", json={"name": bad})
        assert r.status_code == 422, bad
        assert r.json()["detail"][0]["loc"] == ["body", "name"]
    assert client.post("/api/rooms/ZZZZZZ/followers", json={"name": None}).status_code == 404


def test_an_answer_needs_the_followers_own_token(client: TestClient) -> None:
    _, room = _present(client)
    code = room["code"]
    qid = _ask(client, room)
    answers = f"/api/rooms/{code}/questions/{qid}/answers"
    student, other = _join(client, code), _join(client, code)
    no_token = client.post(answers, json={"follower": student["follower"], "value": 1.0})
    assert no_token.status_code == 401
    assert no_token.headers["www-authenticate"] == "Bearer"
    forged = f"{student['follower']}.not-the-secret"
    assert client.post(answers, json={"value": 1.0}, headers=_bearer(forged)).status_code == 401
    assert client.post(answers, json={"value": 1.0}, headers=_bearer(room["presenter_token"])).status_code == 401
    posing = client.post(answers, json={"follower": other["follower"], "value": 1.0},
                         headers=_bearer(student["token"]))
    assert posing.status_code == 403
    assert client.post(answers, json={"follower": student["follower"], "value": 2.0},
                       headers=_bearer(student["token"])).status_code == 204
    assert client.get(f"/api/rooms/{code}/questions/{qid}").json()["answers"] == 1


def test_a_thousand_answers_from_one_client_count_as_at_most_one_vote(client: TestClient) -> None:
    _, room = _present(client)
    code = room["code"]
    qid = _ask(client, room)
    answers = f"/api/rooms/{code}/questions/{qid}/answers"
    student = _join(client, code)
    statuses = set()
    for n in range(500):  # two answers each: a thousand in all
        claimed = f"follower-{n:04d}"
        auth = _bearer(student["token"]) if n % 2 else {}
        statuses.add(client.post(answers, json={"follower": claimed, "value": float(n)}, headers=auth).status_code)
        statuses.add(client.post(answers, json={"value": float(n)}, headers=_bearer(student["token"])).status_code)
    assert statuses <= {204, 401, 403, 429}
    assert client.get(f"/api/rooms/{code}/questions/{qid}").json()["answers"] == 1
    # the cap is the identities issued: a real student who joined still gets a place
    late = _join(client, code)
    assert client.post(answers, json={"value": 0.5}, headers=_bearer(late["token"])).status_code == 204
    assert client.get(f"/api/rooms/{code}/questions/{qid}").json()["answers"] == 2


def test_a_fork_is_the_followers_own_protected_copy_within_a_budget(client: TestClient) -> None:
    _, room = _present(client)
    code = room["code"]
    assert client.post(f"/api/rooms/{code}/fork").status_code == 401
    student = _join(client, code)
    r = client.post(f"/api/rooms/{code}/fork", headers=_bearer(student["token"]))
    assert r.status_code == 201, r.text
    copy = r.json()["network"]
    assert copy["protected"] is True and copy["token"]
    assert client.patch(f"/api/networks/{copy['id']}", json={"learning_rate": 2.0}).status_code == 403
    mine = client.patch(f"/api/networks/{copy['id']}", json={"learning_rate": 2.0}, headers=_bearer(copy["token"]))
    assert mine.status_code == 200
    for _ in range(4):  # the default budget: 5 copies a minute per follower
        assert client.post(f"/api/rooms/{code}/fork", headers=_bearer(student["token"])).status_code == 201
    over = client.post(f"/api/rooms/{code}/fork", headers=_bearer(student["token"]))
    assert over.status_code == 429
    assert 1 <= int(over.headers["retry-after"]) <= 60
    neighbour = _join(client, code)  # behind the same address, another student still forks
    assert client.post(f"/api/rooms/{code}/fork", headers=_bearer(neighbour["token"])).status_code == 201


def test_the_event_stream_refuses_a_token_the_room_did_not_issue(client: TestClient) -> None:
    _, room = _present(client)
    r = client.get(f"/api/rooms/{room['code']}/events", params={"token": "abcdefghij.forged"})
    assert r.status_code == 401
    assert r.json()["detail"].startswith("join the room first")
