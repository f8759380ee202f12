"""The typed network model at the store boundary: what older records lack gets its default, and a round trip
through the store's dictionary keeps every field."""

from __future__ import annotations

from app.networks.model import DataSet, InitParams, NetworkModel, public_state

OLD_RECORD = {  # as stored before the optimizer field existed
    "id": "abc", "preset": "xor", "layers": [2, 2, 1], "activations": ["sigmoid", "sigmoid"], "loss": "mse",
    "reduction": "sum", "learning_rate": 0.5, "init": {"scheme": "uniform", "scale": 1.0, "seed": 38},
    "train_biases": True, "weights": [[[0.1, 0.2], [0.3, 0.4]], [[0.5, 0.6]]], "biases": [[0.0, 0.0], [0.0]],
    "iteration": 7, "dataset": {"inputs": [[0, 1]], "targets": [[1]]}, "diverged": False, "message": None,
    "protected": True, "token_hash": "f" * 64,
}


def test_a_record_without_optimizer_loads_as_sgd() -> None:
    model = NetworkModel.from_dict(OLD_RECORD)
    assert model.optimizer == "sgd" and model.optimizer_state == {}
    assert model.init == InitParams("uniform", 1.0, 38)
    assert model.dataset == DataSet([[0, 1]], [[1]]) and model.rows == 1
    assert model.token_hash == "f" * 64 and model.iteration == 7


def test_the_round_trip_keeps_every_stored_field() -> None:
    stored = NetworkModel.from_dict(OLD_RECORD).to_dict()
    assert stored == {**OLD_RECORD, "optimizer": {"name": "sgd"}, "optimizer_state": {}}
    assert NetworkModel.from_dict(stored).to_dict() == stored


def test_the_public_state_never_shows_the_token_digest() -> None:
    shown = public_state(OLD_RECORD)
    assert "token_hash" not in shown and shown["optimizer_state"] == {}
    assert shown["protected"] is True and shown["optimizer"] == {"name": "sgd"}


def test_a_record_with_an_optimizer_name_or_object_keeps_its_settings() -> None:
    named = NetworkModel.from_dict({**OLD_RECORD, "optimizer": "momentum"})
    assert named.public()["optimizer"] == {"name": "momentum", "momentum": 0.9}
    tuned = NetworkModel.from_dict({**OLD_RECORD, "optimizer": {"name": "adam", "beta1": 0.8}})
    assert tuned.optimizer_settings == {"beta1": 0.8}
    assert tuned.public()["optimizer"] == {"name": "adam", "beta1": 0.8, "beta2": 0.999, "eps": 1e-8}
    assert tuned.to_network().optimizer_settings == {"beta1": 0.8}


def test_the_engine_network_and_back() -> None:
    model = NetworkModel.from_dict({**OLD_RECORD, "optimizer_state": {"velocity": [0.0] * 9}})
    net = model.to_network()
    assert net.optimizer == "sgd" and net.weights[1].tolist() == [[0.5, 0.6]]
    net.weights[1][0, 0] = 2.0
    model.take_parameters(net)
    assert model.weights[1] == [[2.0, 0.6]]
    assert model.to_dict()["optimizer_state"] == {"velocity": [0.0] * 9}


def test_settle_is_the_one_divergence_rule() -> None:
    model = NetworkModel.from_dict(OLD_RECORD)
    model.settle("diverged at iteration 8")
    assert model.diverged is True and model.message == "diverged at iteration 8"
    model.settle(None)
    assert model.diverged is False and model.message is None
