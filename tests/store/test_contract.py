"""The NetworkStore contract, run against every backend: ids, reads, versioned writes, deletes, expiry."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from app.store.base import NetworkStore, NotFound, mutate, new_id
from tests.store.conftest import Clock


def _state(**extra: Any) -> dict[str, Any]:
    return {"layers": [2, 2, 1], "iteration": 0, "weights": [[[0.1, -0.2], [0.3, 0.4]], [[0.5, -0.6]]], **extra}


def test_create_assigns_an_unguessable_id_and_get_reads_it_back(store: NetworkStore) -> None:
    a = store.create(_state())
    b = store.create(_state())
    assert a != b
    assert len(a) == 22
    got = store.get(a)
    assert got.state["id"] == a
    assert got.state["weights"] == [[[0.1, -0.2], [0.3, 0.4]], [[0.5, -0.6]]]
    assert got.version == 1


def test_floats_survive_a_round_trip_bit_for_bit(store: NetworkStore) -> None:
    value = 0.1 + 0.2
    nid = store.create(_state(value=value, tiny=5e-324, big=1.7976931348623157e308))
    state = store.get(nid).state
    assert state["value"] == value
    assert state["tiny"] == 5e-324
    assert state["big"] == 1.7976931348623157e308


def test_get_of_an_unknown_id_raises_not_found(store: NetworkStore) -> None:
    with pytest.raises(NotFound):
        store.get(new_id())


def test_replace_with_the_read_version_writes_and_bumps_the_version(store: NetworkStore) -> None:
    nid = store.create(_state())
    first = store.get(nid)
    first.state["iteration"] = 1
    assert store.replace(nid, first.state, first.version) is True
    second = store.get(nid)
    assert second.state["iteration"] == 1
    assert second.version == first.version + 1


def test_replace_with_a_stale_version_is_refused_and_changes_nothing(store: NetworkStore) -> None:
    nid = store.create(_state())
    read = store.get(nid)
    read.state["iteration"] = 1
    assert store.replace(nid, read.state, read.version)
    read.state["iteration"] = 99
    assert store.replace(nid, read.state, read.version) is False
    assert store.get(nid).state["iteration"] == 1


def test_replace_of_a_deleted_record_raises_not_found(store: NetworkStore) -> None:
    nid = store.create(_state())
    read = store.get(nid)
    assert store.delete(nid) is True
    with pytest.raises(NotFound):
        store.replace(nid, read.state, read.version)


def test_delete_answers_whether_something_was_deleted(store: NetworkStore) -> None:
    nid = store.create(_state())
    assert store.delete(nid) is True
    assert store.delete(nid) is False
    with pytest.raises(NotFound):
        store.get(nid)


def test_mutate_from_many_threads_loses_no_update(store: NetworkStore) -> None:
    nid = store.create(_state())
    threads, per_thread = 8, 25

    def bump(state: dict[str, Any]) -> int:
        state["iteration"] += 1
        return int(state["iteration"])

    def work() -> None:
        for _ in range(per_thread):
            mutate(store, nid, bump, attempts=10_000)

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    got = store.get(nid)
    assert got.state["iteration"] == threads * per_thread
    assert got.version == 1 + threads * per_thread


def test_expire_deletes_only_records_untouched_for_long_enough(store: NetworkStore, clock: Clock) -> None:
    old = store.create(_state())
    clock.now += 100
    touched = store.create(_state())
    fresh_write = store.create(_state())
    clock.now += 100
    read = store.get(fresh_write)
    assert store.replace(fresh_write, read.state, read.version)  # a write counts as a touch
    clock.now += 10
    # old: 210 s idle; touched: 110 s; fresh_write: 10 s
    assert store.expire(older_than_seconds=150) == 1
    with pytest.raises(NotFound):
        store.get(old)
    assert store.get(touched).state["id"] == touched
    assert store.expire(older_than_seconds=50) == 1
    assert store.get(fresh_write).version == 2
    assert store.expire(older_than_seconds=50) == 0


def test_sizes_are_read_without_decoding_and_follow_each_write(store: NetworkStore) -> None:
    network_id = store.create(_state(train_biases=False))
    sizes = store.sizes(network_id)
    assert (sizes.layers, sizes.rows, sizes.train_biases) == ([2, 2, 1], 0, False)
    stored = store.get(network_id)
    stored.state["dataset"] = {"inputs": [[0, 0], [0, 1], [1, 0]], "targets": [[0], [1], [1]]}
    del stored.state["train_biases"]  # records from before the field existed train their biases
    assert store.replace(network_id, stored.state, stored.version)
    sizes = store.sizes(network_id)
    assert (sizes.layers, sizes.rows, sizes.train_biases) == ([2, 2, 1], 3, True)
    store.delete(network_id)
    with pytest.raises(NotFound):
        store.sizes(network_id)
