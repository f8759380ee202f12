"""Search initial weights for the xor preset whose training table is closest to the lecture's.

The lecture (XOR with a 2-2-1 sigmoid network, L = ½Σ(o−t)², learning rate 0.5, full-batch updates) prints the
outputs o for the inputs (0,0), (0,1), (1,0), (1,1) at iterations 0, 1,000, 2,000, 3,000, 5,000 and 10,000, but
not its initial weights. This script draws the initial weights and biases of every candidate exactly as the
preset does (`initial_parameters([2, 2, 1], "uniform", scale, seed)`), trains all candidates of a chunk at once
(numpy broadcasting: every parameter is a vector over candidates, every activation an array samples × candidates),
and measures each candidate's worst absolute deviation from the lecture's table over its 24 entries.

Candidates whose deviation already exceeds --threshold at a recorded iteration are dropped there, so most of the
work goes to the few that follow the lecture's plateau. The vectorised trainer performs the engine's operations
but may differ from it in the last bits (BLAS sums); near the plateau that can matter, so the best --verify
candidates are trained again with the real engine (`app.engine.training.train`) and ranked by that.

    .venv/bin/python tools/xor_init_search.py --seeds 0:20000 --scales 0.5,0.7,1.0

Prints the best candidates (seed, scale, worst deviation and where it occurs) and the engine's table of the best.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.engine.network import Network, initial_parameters  # noqa: E402
from app.engine.training import train  # noqa: E402

LAYERS = [2, 2, 1]
LEARNING_RATE = 0.5
INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
TARGETS = np.array([[0.0], [1.0], [1.0], [0.0]])
# the lecture's table: iteration -> o for the inputs (0,0), (0,1), (1,0), (1,1)
LECTURE_TABLE: dict[int, tuple[float, float, float, float]] = {
    0: (0.52, 0.50, 0.52, 0.55),
    1000: (0.50, 0.48, 0.50, 0.52),
    2000: (0.53, 0.48, 0.50, 0.48),
    3000: (0.30, 0.81, 0.81, 0.11),
    5000: (0.05, 0.96, 0.96, 0.03),
    10_000: (0.02, 0.98, 0.98, 0.02),
}
ITERATIONS = sorted(LECTURE_TABLE)


def sigmoid(z: np.ndarray) -> np.ndarray:
    # the engine's form (app/engine/functions.py): 0.5 tanh(0.5 z) + 0.5
    return 0.5 * np.tanh(0.5 * z) + 0.5


def draw(seeds: np.ndarray, scale: float) -> np.ndarray:
    """Initial parameters of every seed as rows [w11, w12, w21, w22, b1, b2, v1, v2, c] from initial_parameters.

    w_ji is the weight from input i to hidden node j, b_j its bias, v_j the weight from hidden node j to the
    output and c the output's bias.
    """
    rows = np.empty((len(seeds), 9))
    for k, seed in enumerate(seeds):
        (w1, w2), (b1, b2) = initial_parameters(LAYERS, "uniform", scale, int(seed))
        rows[k] = [w1[0, 0], w1[0, 1], w1[1, 0], w1[1, 1], b1[0], b1[1], w2[0, 0], w2[0, 1], b2[0]]
    return rows


class Batch:
    """Many 2-2-1 networks trained at once: each parameter is a row vector over candidates, shape (1, S)."""

    def __init__(self, params: np.ndarray) -> None:
        p = params.T.copy()  # (9, S)
        self.p = [p[i : i + 1] for i in range(9)]  # views, updated in place
        self.x1 = INPUTS[:, :1]  # (4, 1), broadcast against (1, S)
        self.x2 = INPUTS[:, 1:]
        self.t = TARGETS

    def outputs(self) -> np.ndarray:
        w11, w12, w21, w22, b1, b2, v1, v2, c = self.p
        h1 = sigmoid(self.x1 * w11 + self.x2 * w12 + b1)
        h2 = sigmoid(self.x1 * w21 + self.x2 * w22 + b2)
        return sigmoid(h1 * v1 + h2 * v2 + c)  # (4, S)

    def train(self, iterations: int) -> None:
        """Full-batch gradient descent on L = ½ Σ_n (o_n − t_n)², the same operations as the engine's step."""
        w11, w12, w21, w22, b1, b2, v1, v2, c = self.p
        x1, x2, t, lr = self.x1, self.x2, self.t, LEARNING_RATE
        for _ in range(iterations):
            h1 = sigmoid(x1 * w11 + x2 * w12 + b1)
            h2 = sigmoid(x1 * w21 + x2 * w22 + b2)
            o = sigmoid(h1 * v1 + h2 * v2 + c)
            d = (o * (1.0 - o)) * (o - t)  # δ at the output, (4, S)
            d1 = (h1 * (1.0 - h1)) * (d * v1)  # δ at hidden node 1
            d2 = (h2 * (1.0 - h2)) * (d * v2)
            # gradients summed over the 4 samples; x is 0 or 1, so Σ_n δ_n x_in picks the samples with x_i = 1
            g = (
                d1[2] + d1[3], d1[1] + d1[3], d2[2] + d2[3], d2[1] + d2[3],
                d1.sum(axis=0), d2.sum(axis=0), (d * h1).sum(axis=0), (d * h2).sum(axis=0), d.sum(axis=0),
            )
            for param, grad in zip(self.p, g, strict=True):
                param -= lr * grad

    def keep(self, mask: np.ndarray) -> None:
        self.p = [param[:, mask].copy() for param in self.p]


def deviations(o: np.ndarray, iteration: int) -> np.ndarray:
    """|o − lecture| for every candidate and input at this iteration, shape (4, S)."""
    return np.abs(o - np.array(LECTURE_TABLE[iteration])[:, None])


def search(seeds: np.ndarray, scale: float, threshold: float, chunk: int) -> list[tuple[float, int, float]]:
    """(worst deviation, seed, scale) of every candidate that stays within `threshold` at all six iterations."""
    found: list[tuple[float, int, float]] = []
    for start in range(0, len(seeds), chunk):
        ids = seeds[start : start + chunk]
        batch = Batch(draw(ids, scale))
        worst = np.zeros(len(ids))
        done = 0
        for iteration in ITERATIONS:
            batch.train(iteration - done)
            done = iteration
            worst = np.maximum(worst, deviations(batch.outputs(), iteration).max(axis=0))
            alive = worst <= threshold
            ids, worst = ids[alive], worst[alive]
            batch.keep(alive)
            if not len(ids):
                break
        found += [(float(w), int(s), scale) for w, s in zip(worst, ids, strict=True)]
    return found


def engine_table(seed: int, scale: float) -> dict[int, np.ndarray]:
    """The outputs the real engine records, every 1,000 iterations, for the preset's network with this init."""
    w, b = initial_parameters(LAYERS, "uniform", scale, seed)
    net = Network(LAYERS, ["sigmoid", "sigmoid"], w, b, "mse", "sum", LEARNING_RATE, True)
    result = train(net, INPUTS, TARGETS, 10_000, "batch", record_every=1000)
    return {it: o[:, 0] for it, o in result.snapshots}


def engine_worst(seed: int, scale: float) -> tuple[float, int, int, dict[int, np.ndarray]]:
    """The engine's worst deviation, the iteration and input index where it occurs, and its table."""
    table = engine_table(seed, scale)
    dev = np.array([np.abs(table[it] - np.array(LECTURE_TABLE[it])) for it in ITERATIONS])  # (6, 4)
    i, n = np.unravel_index(int(dev.argmax()), dev.shape)
    return float(dev.max()), ITERATIONS[i], int(n), table


def parse_seeds(text: str) -> np.ndarray:
    """"N" means seeds 0..N-1, "A:B" seeds A..B-1."""
    if ":" in text:
        a, b = text.split(":")
        return np.arange(int(a), int(b))
    return np.arange(int(text))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="5000", help='"N" for seeds 0..N-1 or "A:B" for A..B-1 (default 5000)')
    ap.add_argument("--scales", default="1.0", help="comma-separated uniform scales (default 1.0)")
    ap.add_argument("--threshold", type=float, default=0.1, help="drop candidates beyond this deviation (default 0.1)")
    ap.add_argument("--chunk", type=int, default=20_000, help="candidates trained at once (default 20000)")
    ap.add_argument("--top", type=int, default=10, help="how many candidates to print (default 10)")
    ap.add_argument("--verify", type=int, default=20,
                    help="re-train this many of the best with the engine (default 20)")
    args = ap.parse_args()
    seeds = parse_seeds(args.seeds)
    scales = [float(s) for s in args.scales.split(",")]
    found: list[tuple[float, int, float]] = []
    for scale in scales:
        t0 = time.perf_counter()
        hits = search(seeds, scale, args.threshold, args.chunk)
        found += hits
        best = min(hits)[0] if hits else float("nan")
        print(f"scale {scale:g}: {len(seeds)} seeds, {len(hits)} within {args.threshold:g}, best {best:.4f}"
              f" ({time.perf_counter() - t0:.0f} s)", flush=True)
    found.sort()
    if not found:
        print("no candidate within the threshold")
        return
    print(f"\nbest {min(args.top, len(found))} by the vectorised trainer:")
    for w, seed, scale in found[: args.top]:
        print(f"  seed {seed:>7}  scale {scale:g}  worst deviation {w:.4f}")
    names = ["(0,0)", "(0,1)", "(1,0)", "(1,1)"]
    checked = []
    for _, seed, scale in found[: args.verify]:
        worst, it, n, table = engine_worst(seed, scale)
        checked.append((worst, seed, scale, it, n, table))
    checked.sort(key=lambda c: c[:3])
    print(f"\nbest {min(args.top, len(checked))} by the engine (app.engine.training.train, batch):")
    for worst, seed, scale, it, n, _ in checked[: args.top]:
        print(f"  seed {seed:>7}  scale {scale:g}  worst deviation {worst:.4f} at iteration {it:,}, input {names[n]}")
    worst, seed, scale, _, _, table = checked[0]
    print(f"\nseed {seed}, scale {scale:g}: the engine's outputs (lecture's in brackets)")
    for it in ITERATIONS:
        cells = "  ".join(f"{o:.3f} ({l:.2f})" for o, l in zip(table[it], LECTURE_TABLE[it], strict=True))
        print(f"  {it:>6,}  {cells}")


if __name__ == "__main__":
    main()
