"""The typed network model the use cases work on, and its conversion to and from the store's JSON dictionaries.

The store keeps plain dictionaries; only `from_dict` and `to_dict` know their keys. Records written before a
field existed still load: each such field has a default here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.engine import network as nn
from app.engine.functions import OPTIMIZERS

Matrix = list[list[float]]


@dataclass
class InitParams:
    """How the initial weights were drawn: the same scheme, scale and seed give the same weights."""

    scheme: str = "uniform"
    scale: float = 1.0
    seed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"scheme": self.scheme, "scale": self.scale, "seed": self.seed}


@dataclass
class DataSet:
    """Inputs and targets, one row per sample."""

    inputs: Matrix
    targets: Matrix

    @property
    def rows(self) -> int:
        return len(self.inputs)

    def to_dict(self) -> dict[str, Any]:
        return {"inputs": self.inputs, "targets": self.targets}


@dataclass
class NetworkModel:
    """One stored network: spec, parameters (as JSON lists), data set, training progress and edit-token digest."""

    id: str
    layers: list[int]
    activations: list[str]  # one per layer l = 2..L
    loss: str
    reduction: str
    learning_rate: float
    weights: list[Matrix]  # weights[l-2][j-1][i-1] = w_ji^l
    biases: list[list[float]]  # biases[l-2][j-1] = b_j^l
    optimizer: str = "sgd"
    optimizer_settings: dict[str, float] = field(default_factory=dict)  # hyper-parameters given beside η
    train_biases: bool = True
    init: InitParams = field(default_factory=InitParams)
    preset: str | None = None
    dataset: DataSet | None = None
    iteration: int = 0
    diverged: bool = False
    message: str | None = None
    protected: bool = False
    token_hash: str | None = None
    # the optimizer's per-parameter state (e.g. a velocity) between requests; empty for SGD
    optimizer_state: dict[str, list[float]] = field(default_factory=dict)

    # ---- the store boundary ------------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> NetworkModel:
        """A stored dictionary as a model; fields older records lack take their defaults."""
        data = state.get("dataset")
        return cls(
            id=state.get("id", ""), layers=list(state["layers"]), activations=list(state["activations"]),
            loss=state["loss"], reduction=state["reduction"], learning_rate=float(state["learning_rate"]),
            weights=state["weights"], biases=state["biases"], **_optimizer(state.get("optimizer")),
            train_biases=bool(state.get("train_biases", True)), init=InitParams(**(state.get("init") or {})),
            preset=state.get("preset"),
            dataset=DataSet(data["inputs"], data["targets"]) if data else None,
            iteration=int(state.get("iteration", 0)), diverged=bool(state.get("diverged", False)),
            message=state.get("message"), protected=bool(state.get("protected", False)),
            token_hash=state.get("token_hash") or None, optimizer_state=dict(state.get("optimizer_state") or {}),
        )

    def public(self) -> dict[str, Any]:
        """The network as clients see it: everything but the token's digest."""
        return {
            "id": self.id, "preset": self.preset, "layers": self.layers, "activations": self.activations,
            "loss": self.loss, "reduction": self.reduction, "learning_rate": self.learning_rate,
            "optimizer": {"name": self.optimizer, **OPTIMIZERS[self.optimizer].settings(self.optimizer_settings)},
            "optimizer_state": self.optimizer_state, "init": self.init.to_dict(), "train_biases": self.train_biases,
            "weights": self.weights, "biases": self.biases, "iteration": self.iteration,
            "dataset": self.dataset.to_dict() if self.dataset else None, "diverged": self.diverged,
            "message": self.message, "protected": self.protected,
        }

    def to_dict(self) -> dict[str, Any]:
        """The dictionary the store keeps: the public fields and, for protected networks, the token's digest."""
        out = self.public()
        if self.token_hash is not None:
            out["token_hash"] = self.token_hash
        return out

    # ---- the engine boundary -----------------------------------------------------------------------------------

    def to_network(self) -> nn.Network:
        """The engine's network with this model's parameters and hyper-parameters."""
        weights = [np.asarray(w, dtype=np.float64) for w in self.weights]
        biases = [np.asarray(b, dtype=np.float64) for b in self.biases]
        state = {k: np.asarray(v, dtype=np.float64) for k, v in self.optimizer_state.items()}
        return nn.Network(self.layers, self.activations, weights, biases, self.loss, self.reduction,
                          self.learning_rate, self.train_biases, self.optimizer, dict(self.optimizer_settings), state)

    def take_parameters(self, net: nn.Network) -> None:
        """Keep the engine network's (possibly updated) weights, biases and optimizer state."""
        self.weights = [w.tolist() for w in net.weights]
        self.biases = [b.tolist() for b in net.biases]
        self.optimizer_state = {k: v.tolist() for k, v in net.optimizer_state.items()}

    def data_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The data set as float64 arrays (inputs, targets); the caller has checked there is one."""
        assert self.dataset is not None
        return (np.asarray(self.dataset.inputs, dtype=np.float64), np.asarray(self.dataset.targets, dtype=np.float64))

    @property
    def rows(self) -> int:
        """Samples in the data set (0 without one)."""
        return self.dataset.rows if self.dataset else 0

    # ---- the one divergence rule -------------------------------------------------------------------------------

    def settle(self, divergence: str | None) -> None:
        """Record the outcome of the last change: None clears the flag, a message marks the network diverged."""
        self.diverged = divergence is not None
        self.message = divergence


def _optimizer(stored: Any) -> dict[str, Any]:
    """The stored optimizer as model fields: records before optimizers had settings keep just a name, or nothing."""
    if isinstance(stored, dict):
        name = stored.get("name") or "sgd"
        return {"optimizer": name, "optimizer_settings": {k: float(v) for k, v in stored.items() if k != "name"}}
    return {"optimizer": stored or "sgd", "optimizer_settings": {}}


def public_state(state: dict[str, Any]) -> dict[str, Any]:
    """A stored dictionary as clients see it (for code that holds the store's dictionary, e.g. a room's fork)."""
    return NetworkModel.from_dict(state).public()
