"""POST /train's cache of identical runs and its `store: false` mode, over HTTP on a real store."""

from __future__ import annotations

import threading

import pytest

from app.config import Settings
from app.errors import ApiError
from app.networks.limits import check_train
from app.networks.train_cache import TRAIN_CACHE, TrainCache, TrainRun

RUN = {"iterations": 2000, "mode": "batch", "record_every": 500}


@pytest.fixture(autouse=True)
def empty_cache():
    # the cache lives as long as the process: each test starts from none of the other tests' runs
    TRAIN_CACHE.clear()
    yield
    TRAIN_CACHE.clear()


def train(client, net, body, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/api/networks/{net['id']}/train", json=body, headers=headers)


def test_identical_store_false_runs_are_computed_once_and_leave_the_network_unchanged(client, xor):
    before = client.get(f"/api/networks/{xor['id']}").json()
    first = train(client, xor, {**RUN, "store": False})
    assert first.status_code == 200, first.text
    assert first.headers["X-Cache"] == "miss"
    second = train(client, xor, {**RUN, "store": False})
    assert second.status_code == 200
    assert second.headers["X-Cache"] == "hit"
    assert second.content == first.content
    body = first.json()
    assert body["iteration"] == 2000 and body["weights"] != before["weights"]
    assert [s["iteration"] for s in body["snapshots"]] == [0, 500, 1000, 1500, 2000]
    assert TRAIN_CACHE.misses == 1 and TRAIN_CACHE.hits == 1
    after = client.get(f"/api/networks/{xor['id']}").json()
    assert after == before and after["iteration"] == 0


def test_storing_an_identical_run_takes_it_from_the_cache_and_keeps_it(client, xor):
    preview = train(client, xor, {**RUN, "store": False}).json()
    stored = train(client, xor, RUN)
    assert stored.status_code == 200
    assert stored.headers["X-Cache"] == "hit"
    assert stored.json() == preview
    now = client.get(f"/api/networks/{xor['id']}").json()
    assert now["iteration"] == 2000 and now["weights"] == preview["weights"] and now["biases"] == preview["biases"]
    # from the new state the same request is another run
    later = train(client, xor, RUN)
    assert later.headers["X-Cache"] == "miss" and later.json()["iteration"] == 4000


def test_a_twin_network_gets_the_same_run_as_computing_it_would(client, xor):
    twin = client.post("/api/networks", json={"preset": "xor"}).json()
    assert twin["id"] != xor["id"]
    computed = train(client, xor, RUN)
    served = train(client, twin, RUN)
    assert (computed.headers["X-Cache"], served.headers["X-Cache"]) == ("miss", "hit")
    assert served.json() == computed.json()
    states = [client.get(f"/api/networks/{n['id']}").json() for n in (xor, twin)]
    assert [{k: v for k, v in s.items() if k != "id"} for s in states] == [
        {k: v for k, v in states[0].items() if k != "id"}] * 2


def test_any_change_of_request_or_state_is_another_run(client, xor):
    assert train(client, xor, {**RUN, "store": False}).headers["X-Cache"] == "miss"
    for changed in ({**RUN, "record_every": 1000}, {**RUN, "iterations": 1999}, {**RUN, "gradient_norms": True},
                    {"iterations": 20, "mode": "online"}):
        assert train(client, xor, {**changed, "store": False}).headers["X-Cache"] == "miss", changed
    patched = client.patch(f"/api/networks/{xor['id']}", json={"learning_rate": 0.25})
    assert patched.status_code == 200
    assert train(client, xor, {**RUN, "store": False}).headers["X-Cache"] == "miss"


def test_store_false_needs_no_token_on_a_protected_network_but_storing_does(client):
    made = client.post("/api/networks", json={"preset": "xor", "protected": True}).json()
    token = made.pop("token")
    before = client.get(f"/api/networks/{made['id']}").json()
    preview = train(client, made, {**RUN, "store": False})
    assert preview.status_code == 200 and preview.json()["iteration"] == 2000
    refused = train(client, made, RUN)
    assert refused.status_code == 403
    assert "token" in refused.json()["detail"]
    assert train(client, made, RUN, token="not-the-token").status_code == 403
    assert client.get(f"/api/networks/{made['id']}").json() == before
    stored = train(client, made, RUN, token=token)
    assert stored.status_code == 200 and stored.json() == preview.json()
    assert client.get(f"/api/networks/{made['id']}").json()["iteration"] == 2000


def test_store_must_be_a_boolean(client, xor):
    r = train(client, xor, {**RUN, "store": "no"})
    assert r.status_code == 422
    assert any(item["loc"][-1] == "store" for item in r.json()["detail"])


def _run(tag: float) -> TrainRun:
    return TrainRun([[[tag]]], [[tag]], {}, 1, None, [[0, tag]], [], [])


def test_the_cache_keeps_the_most_recently_used_runs_within_its_bounds():
    cache = TrainCache()
    for key in ("a", "b", "c"):
        cache.run(key, lambda: _run(1.0), entries=2, max_bytes=10_000)
    assert cache.run("c", lambda: _run(2.0), 2, 10_000) == (_run(1.0), True)
    assert cache.run("a", lambda: _run(2.0), 2, 10_000) == (_run(2.0), False)  # the oldest went first
    assert cache.run("b", lambda: _run(3.0), 2, 10_000) == (_run(3.0), False)
    # an entry larger than the byte bound is computed every time and never kept
    assert cache.run("d", lambda: _run(4.0), 2, 10)[1] is False
    assert cache.run("d", lambda: _run(5.0), 2, 10) == (_run(5.0), False)


def test_a_run_requested_while_it_is_computed_is_computed_once():
    cache = TrainCache()
    started, release, computed, results = threading.Event(), threading.Event(), [], {}

    def leader() -> TrainRun:
        computed.append("leader")
        started.set()
        assert release.wait(60)  # bounded only to catch a hang
        return _run(7.0)

    def follower() -> TrainRun:
        computed.append("follower")
        return _run(8.0)

    first = threading.Thread(target=lambda: results.update(first=cache.run("k", leader, 4, 10_000)))
    first.start()
    assert started.wait(60)  # the leader is inside its computation
    second = threading.Thread(target=lambda: results.update(second=cache.run("k", follower, 4, 10_000)))
    second.start()
    release.set()
    first.join(60)
    second.join(60)
    assert computed == ["leader"]
    assert results["first"] == (_run(7.0), False) and results["second"] == (_run(7.0), True)
    assert (cache.misses, cache.hits) == (1, 1)


def test_record_weights_gives_each_snapshot_the_parameters_that_produced_its_outputs(client, xor):
    body = train(client, xor, {**RUN, "store": False, "record_weights": True}).json()
    first, last = body["snapshots"][0], body["snapshots"][-1]
    assert first["weights"] == xor["weights"] and first["biases"] == xor["biases"]
    assert last["weights"] == body["weights"] and last["biases"] == body["biases"]
    # each snapshot's outputs are what its own parameters give: a forward pass on a twin set to them says so
    middle = body["snapshots"][2]
    twin = client.post("/api/networks", json={"preset": "xor", "weights": middle["weights"],
                                              "biases": middle["biases"]}).json()
    outputs = client.post(f"/api/networks/{twin['id']}/forward", json={"samples": "all"}).json()["outputs"]
    assert [o[0] for o in outputs] == pytest.approx([o[0] for o in middle["outputs"]], abs=1e-12)
    plain = train(client, xor, {**RUN, "store": False}).json()
    assert all(s.get("weights") is None for s in plain["snapshots"])


def test_record_weights_counts_against_the_response_limit_and_must_be_a_boolean(client, xor):
    settings = Settings(max_response_values=5000, max_train_work=10**15)
    # 501 snapshots of 4 outputs fit in 5000 numbers; with the 9 parameters each they do not
    assert check_train([2, 2, 1], 4, 5000, "batch", 10, None, settings) > 0
    with pytest.raises(ApiError) as refused:
        check_train([2, 2, 1], 4, 5000, "batch", 10, None, settings, record_weights=True)
    assert refused.value.status == 422 and refused.value.loc == ("body", "record_every")
    assert train(client, xor, {**RUN, "store": False, "record_weights": "yes"}).status_code == 422
