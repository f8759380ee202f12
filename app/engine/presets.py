"""Ready-made networks and data sets: the lecture's XOR, AND, OR, and 2-D classification sets made with numpy."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

# the lecture's XOR table: the outputs o for x = (0,0), (0,1), (1,0), (1,1) after each number of full-batch updates
LECTURE_XOR_TABLE: dict[int, list[float]] = {
    0: [0.52, 0.50, 0.52, 0.55],
    1000: [0.50, 0.48, 0.50, 0.52],
    2000: [0.53, 0.48, 0.50, 0.48],
    3000: [0.30, 0.81, 0.81, 0.11],
    5000: [0.05, 0.96, 0.96, 0.03],
    10_000: [0.02, 0.98, 0.98, 0.02],
}
# uniform ±1: closest to the lecture's XOR table of 2.95M seed/scale pairs, worst deviation 0.042
# (tools/xor_init_search.py)
XOR_SEED, XOR_SCALE = 887637, 1.0


def _logic(truth: list[int]) -> dict[str, list[list[float]]]:
    inputs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    return {"inputs": inputs, "targets": [[float(v)] for v in truth]}


def _half_adder() -> dict[str, list[list[float]]]:
    # two outputs from the same inputs: the sum bit (XOR) and the carry bit (AND)
    inputs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    return {"inputs": inputs, "targets": [[0.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]}


def _adder_preset(description: str, layers: list[int], seed: int) -> dict[str, Any]:
    return _logic_preset(description, [0, 1, 1, 0], seed) | {"layers": layers, "dataset": _half_adder()}


def _circles(n: int = 200, seed: int = 1) -> dict[str, list[list[float]]]:
    rng = np.random.default_rng(seed)
    inner = rng.integers(0, 2, size=n)
    radius = np.where(inner == 1, rng.uniform(0.0, 0.5, n), rng.uniform(0.7, 1.0, n))
    angle = rng.uniform(0, 2 * math.pi, n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return {"inputs": x.round(4).tolist(), "targets": inner.astype(float).reshape(-1, 1).tolist()}


def _moons(n: int = 200, seed: int = 2, noise: float = 0.1) -> dict[str, list[list[float]]]:
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 2, size=n)
    angle = rng.uniform(0, math.pi, n)
    x = np.where(label[:, None] == 0,
                 np.stack([np.cos(angle), np.sin(angle)], axis=1),
                 np.stack([1 - np.cos(angle), 0.5 - np.sin(angle)], axis=1))
    x = (x + rng.normal(0, noise, size=x.shape) - [0.5, 0.25]) / 1.25
    return {"inputs": x.round(4).tolist(), "targets": label.astype(float).reshape(-1, 1).tolist()}


def _spiral(n: int = 200, seed: int = 3, noise: float = 0.05) -> dict[str, list[list[float]]]:
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 2, size=n)
    r = rng.uniform(0.05, 1.0, n)
    angle = 1.75 * r * 2 * math.pi + label * math.pi
    x = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1) + rng.normal(0, noise, size=(n, 2))
    return {"inputs": x.round(4).tolist(), "targets": label.astype(float).reshape(-1, 1).tolist()}


def _logic_preset(description: str, truth: list[int], seed: int, scale: float = 1.0) -> dict[str, Any]:
    return {
        "description": description,
        "layers": [2, 2, 1], "activations": "sigmoid", "loss": "mse", "reduction": "sum",
        "learning_rate": 0.5, "init": {"scheme": "uniform", "scale": scale, "seed": seed},
        "train_biases": True, "dataset": _logic(truth),
    }


def _classifier(description: str, layers: list[int], data: dict[str, list[list[float]]], lr: float) -> dict[str, Any]:
    return {
        "description": description,
        "layers": layers, "activations": ["tanh"] * (len(layers) - 2) + ["sigmoid"],
        "loss": "cross_entropy", "reduction": "mean", "learning_rate": lr,
        "init": {"scheme": "xavier", "scale": 1.0, "seed": 0}, "train_biases": True, "dataset": data,
    }


PRESETS: dict[str, dict[str, Any]] = {
    "xor": _logic_preset(
        "The lecture's example: XOR with 2 hidden sigmoid nodes, squared error, learning rate 0.5.", [0, 1, 1, 0],
        XOR_SEED, XOR_SCALE,
    ) | {"reference": {"source": "the lecture's XOR table", "iterations": list(LECTURE_XOR_TABLE),
                       "outputs": [[[o] for o in row] for row in LECTURE_XOR_TABLE.values()]}},
    "and": _logic_preset("Logical AND: linearly separable, learned quickly by the same 2-2-1 network.",
                         [0, 0, 0, 1], 1),
    "or": _logic_preset("Logical OR: linearly separable, learned quickly by the same 2-2-1 network.", [0, 1, 1, 1], 1),
    "half_adder": _adder_preset(
        "A half adder, the lecture's 3 hidden → 2 outputs shape: sum and carry bits of two inputs. With two outputs "
        "every hidden node's error is a sum of two terms, one per output.", [2, 3, 2], 5),
    "half_adder_deep": _adder_preset(
        "The half adder with two hidden layers of 3 (2-3-3-2): the lecture's δ_k → δ_j → δ_i, each layer's δ built "
        "from the layer above.", [2, 3, 3, 2], 6),
    "circles": _classifier("200 points: a disc inside a ring; needs a curved boundary.", [2, 8, 1], _circles(), 0.5),
    "moons": _classifier("200 points on two interleaving half-moons with noise.", [2, 8, 8, 1], _moons(), 0.5),
    "deep_sigmoid": {
        **_classifier(
            "Vanishing gradients: the circles with four hidden sigmoid layers of 8. Each layer multiplies δ by "
            "σ′(z) ≤ 0.25 on its way back, so at the start the first layer's gradient is thousands of times "
            "smaller than the last one's and barely learns; the same factor is why XOR sits on its plateau.",
            [2, 8, 8, 8, 8, 1], _circles(), 0.5),
        "activations": "sigmoid",
    },
    "deep_tanh": _classifier(
        "The twin of deep_sigmoid with tanh hidden layers: tanh′(0) = 1, so δ keeps its size on the way back and "
        "every layer's gradient norm starts within a factor of two of the others.",
        [2, 8, 8, 8, 8, 1], _circles(), 0.5),
    "spiral": _classifier("200 points on two intertwined spirals: hard, needs depth.", [2, 16, 16, 1], _spiral(), 0.3),
}
