"""Training runs served from a per-process LRU cache keyed by a hash of their content: the network's parameters,
settings, optimizer state, data and progress, and the train request; identical runs in flight are computed once."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from app.engine.functions import OPTIMIZERS
from app.networks.model import NetworkModel
from app.schemas import TrainRequest


@dataclass
class TrainRun:
    """What a run leaves behind and reports, as plain lists: one cache entry."""

    weights: list[Any]
    biases: list[Any]
    optimizer_state: dict[str, list[float]]
    done: int  # iterations completed
    divergence: str | None  # why the run stopped early, if it did
    loss_history: list[list[float]]
    snapshots: list[dict[str, Any]]
    gradient_norms: list[dict[str, Any]]

    def apply(self, model: NetworkModel) -> None:
        """Move the model to where the run ended: its parameters, its iteration and its divergence flag."""
        model.weights, model.biases, model.optimizer_state = self.weights, self.biases, self.optimizer_state
        model.iteration += self.done
        model.settle(self.divergence)


def run_key(model: NetworkModel, req: TrainRequest) -> str:
    """A digest of everything the run's outcome depends on; `store` is not among them."""
    content = {
        "layers": model.layers, "activations": model.activations, "loss": model.loss, "reduction": model.reduction,
        "learning_rate": model.learning_rate, "train_biases": model.train_biases, "optimizer": model.optimizer,
        "optimizer_settings": OPTIMIZERS[model.optimizer].settings(model.optimizer_settings),
        "optimizer_state": model.optimizer_state, "weights": model.weights, "biases": model.biases,
        # the start names the recorded iterations and the mini-batch epochs' shuffles
        "iteration": model.iteration, "dataset": model.dataset.to_dict() if model.dataset else None,
        "request": req.model_dump(exclude={"store"}),
    }
    # orjson writes each float as its shortest round-trip text, so equal content gives equal bytes
    return hashlib.blake2b(orjson.dumps(content, option=orjson.OPT_SORT_KEYS), digest_size=20).hexdigest()


class TrainCache:
    """The LRU of finished runs (kept encoded, so no two requests share mutable lists) and the runs in flight."""

    def __init__(self) -> None:
        self._done: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._running: dict[str, threading.Event] = {}
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def run(self, key: str, compute: Callable[[], TrainRun], entries: int, max_bytes: int) -> tuple[TrainRun, bool]:
        """The run for `key` and whether it came from the cache; `compute` runs only if no one has or is running it."""
        while True:
            with self._lock:
                stored = self._done.get(key)
                if stored is not None:
                    self._done.move_to_end(key)
                    self.hits += 1
                    return TrainRun(**orjson.loads(stored)), True
                waiting = self._running.get(key)
                if waiting is None:
                    self._running[key] = threading.Event()
                    self.misses += 1
                    break
            # the same run is under way in another request: take its result when it ends (or compute it if it failed)
            waiting.wait()
        try:
            result = compute()
            encoded = orjson.dumps(result.__dict__)
            with self._lock:
                if entries > 0 and len(encoded) <= max_bytes:
                    self._done[key] = encoded
                    self._bytes += len(encoded)
                    while len(self._done) > entries or self._bytes > max_bytes:
                        self._bytes -= len(self._done.popitem(last=False)[1])
            return result, False
        finally:
            with self._lock:
                self._running.pop(key).set()

    def clear(self) -> None:
        with self._lock:
            self._done.clear()
            self._bytes = 0
            self.hits = self.misses = 0


TRAIN_CACHE = TrainCache()
