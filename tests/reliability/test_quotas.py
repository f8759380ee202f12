"""Per-address budgets on a real server: creations and missed room codes get 429 with Retry-After past the limit,
while a class behind one address joining a room that exists is never held back."""

from __future__ import annotations

from typing import Any

import httpx

from app.quotas import Budgets, quotas


def _refused(r: httpx.Response, what: str) -> None:
    assert r.status_code == 429, r.text
    assert what in r.json()["detail"]
    assert 1 <= int(r.headers["retry-after"]) <= 60
    assert r.headers["x-content-type-options"] == "nosniff"


def test_creating_networks_and_rooms_is_budgeted_per_address(spawn: Any) -> None:
    server = spawn(env={"DELTAFLOW_QUOTA_NETWORKS": "3", "DELTAFLOW_QUOTA_ROOMS": "2"})
    with httpx.Client(base_url=server.url) as http:
        for _ in range(4):  # refused requests store nothing, so they cost nothing
            assert http.post("/api/networks", json={"preset": "nope"}).status_code == 422
        nets = [http.post("/api/networks", json={"preset": "xor", "protected": True}).json() for _ in range(3)]
        _refused(http.post("/api/networks", json={"preset": "xor"}), "networks created")
        ids, owner = [n["id"] for n in nets], {"Authorization": f"Bearer {nets[0]['token']}"}
        assert http.get(f"/api/networks/{ids[0]}").status_code == 200  # reading and stepping are not held back
        assert http.post(f"/api/networks/{ids[0]}/step", json={"sample": 0}, headers=owner).status_code == 200
        for _ in range(2):
            assert http.post("/api/rooms", json={"network_id": ids[0]}, headers=owner).status_code == 201
        _refused(http.post("/api/rooms", json={"network_id": ids[0]}, headers=owner), "rooms opened")


def test_guessing_room_codes_is_throttled_but_a_class_joining_is_not(spawn: Any) -> None:
    server = spawn(env={"DELTAFLOW_QUOTA_ROOM_MISSES": "5"})
    with httpx.Client(base_url=server.url) as http:
        created = http.post("/api/networks", json={"preset": "xor", "protected": True}).json()
        net = created["id"]
        code = http.post("/api/rooms", json={"network_id": net},
                         headers={"Authorization": f"Bearer {created['token']}"}).json()["code"]
        for _ in range(30):  # thirty students behind one address open the room
            assert http.get(f"/api/rooms/{code}").status_code == 200
            assert http.get(f"/join/{code}").status_code == 200
        for guess in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD", "EEEEEE"):
            assert http.get(f"/api/rooms/{guess}").status_code == 404
        # over the budget, even a code that exists is not confirmed to this address
        _refused(http.get(f"/api/rooms/{code}"), "unknown room codes")
        _refused(http.get(f"/join/{code}"), "unknown room codes")
        _refused(http.get("/api/rooms/FFFFFF/events"), "unknown room codes")
        assert http.get(f"/api/networks/{net}").status_code == 200


def test_a_class_behind_one_address_joins_but_minting_identities_is_capped(spawn: Any) -> None:
    server = spawn(env={"DELTAFLOW_QUOTA_FOLLOWERS": "30"})
    with httpx.Client(base_url=server.url) as http:
        created = http.post("/api/networks", json={"preset": "xor", "protected": True}).json()
        code = http.post("/api/rooms", json={"network_id": created["id"]},
                         headers={"Authorization": f"Bearer {created['token']}"}).json()["code"]
        for n in range(30):  # thirty students behind one NAT address each get an identity
            assert http.post(f"/api/rooms/{code}/followers", json={"name": f"Student {n}"}).status_code == 201
        _refused(http.post(f"/api/rooms/{code}/followers", json={"name": None}), "followers joined")
        assert http.get(f"/api/rooms/{code}").status_code == 200  # following is not held back


def test_a_budget_opens_again_when_its_minute_ends() -> None:
    now = [1000.0]
    budgets = Budgets(clock=lambda: now[0])
    misses = quotas(networks=10, rooms=10, room_misses=2)[2]
    assert budgets.retry_after(misses, "10.0.0.1") is None
    budgets.count(misses, "10.0.0.1")
    budgets.count(misses, "10.0.0.1")
    now[0] += 20
    assert budgets.retry_after(misses, "10.0.0.1") == 40
    assert budgets.retry_after(misses, "10.0.0.2") is None  # another address has its own budget
    now[0] += 40
    assert budgets.retry_after(misses, "10.0.0.1") is None
