"""Between the HTTP layer and the engine: builds networks from stored state, checks requests against the
rules and limits, and turns engine results into response dictionaries.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from app.config import Settings
from app.engine import network as nn
from app.engine.presets import PRESETS
from app.errors import ApiError, Loc, invalid
from app.schemas import NetworkCreate, NetworkPatch, SampleRequest
from app.tokens import check_bearer, new_token

__all__ = ["ApiError", "Loc", "invalid"]


# ---- building and storing networks -------------------------------------------------------------------------

def create_state(req: NetworkCreate, settings: Settings) -> tuple[dict[str, Any], str | None]:
    """The stored state of a new network (and its edit token if protected), or ApiError naming the field."""
    spec: dict[str, Any] = {}
    if req.preset is not None:
        if req.preset not in PRESETS:
            raise invalid(("preset",), f"unknown preset {req.preset!r}; choose one of {', '.join(PRESETS)}")
        spec = {k: v for k, v in PRESETS[req.preset].items() if k != "description"}
    given = req.model_dump(exclude_unset=True, exclude_none=True, exclude={"preset", "protected"})
    if req.layers is not None and req.preset is not None and "dataset" not in given:
        if req.layers[0] != spec["layers"][0] or req.layers[-1] != spec["layers"][-1]:
            spec.pop("dataset", None)  # the preset's data no longer fits the new input or output layer
    if "layers" in given and "activations" not in given and isinstance(spec.get("activations"), list):
        spec["activations"] = spec["activations"][-1]
    spec.update(given)
    if "layers" not in spec:
        raise invalid(("layers",), "layers is required unless a preset is given, e.g. [2, 2, 1]")
    layers: list[int] = spec["layers"]
    check_layer_limits(layers, settings)
    acts = spec.get("activations", "sigmoid")
    activations = [acts] * (len(layers) - 1) if isinstance(acts, str) else list(acts)
    init = {"scheme": "uniform", "scale": 1.0, "seed": 0, **(spec.get("init") or {})}
    loss = spec.get("loss", "mse")
    reduction = spec.get("reduction", "sum")
    try:
        nn.validate_structure(layers, activations, loss, reduction)
        weights, biases = nn.initial_parameters(layers, init["scheme"], init["scale"], init["seed"])
    except nn.SpecError as err:
        raise invalid(err.field, err.message) from None
    if spec.get("weights") is not None:
        weights = [np.asarray(check_matrix(w, (layers[k + 1], layers[k]), ("weights", k), f"w^{k + 2}"))
                   for k, w in enumerate(check_count(spec["weights"], len(layers) - 1, ("weights",), "weight matrices"))]
    if spec.get("biases") is not None:
        biases = [np.asarray(check_vector(b, layers[k + 1], ("biases", k), f"b^{k + 2}"))
                  for k, b in enumerate(check_count(spec["biases"], len(layers) - 1, ("biases",), "bias vectors"))]
    state: dict[str, Any] = {
        "id": "", "preset": req.preset, "layers": layers, "activations": activations, "loss": loss,
        "reduction": reduction, "learning_rate": float(spec.get("learning_rate", 0.5)), "init": init,
        "train_biases": bool(spec.get("train_biases", True)),
        "weights": [w.tolist() for w in weights], "biases": [b.tolist() for b in biases],
        "iteration": 0, "dataset": None, "diverged": False, "message": None, "protected": req.protected,
    }
    if spec.get("dataset") is not None:
        state["dataset"] = check_dataset(spec["dataset"], state, settings)
    token = None
    if req.protected:
        token, state["token_hash"] = new_token()
    return state, token


def check_layer_limits(layers: list[int], settings: Settings) -> None:
    if len(layers) > settings.max_layers:
        raise invalid(("layers",), f"at most {settings.max_layers} layers are allowed, got {len(layers)}")
    for k, n in enumerate(layers):
        if n > settings.max_nodes:
            raise invalid(("layers", k), f"at most {settings.max_nodes} nodes per layer are allowed, got {n}")
    params = parameter_count(layers)
    if params > settings.max_parameters:
        raise invalid(("layers",), f"at most {settings.max_parameters} weights and biases in all are allowed, "
                      f"got {params}: use fewer or narrower layers")


def parameter_count(layers: list[int]) -> int:
    """Weights and biases of a network with these layer sizes."""
    return sum(m * n + n for m, n in zip(layers[:-1], layers[1:], strict=True))


def check_count(items: list[Any], count: int, loc: Loc, what: str) -> list[Any]:
    if len(items) != count:
        raise invalid(loc, f"expected {count} {what} (one per layer l = 2..{count + 1}), got {len(items)}")
    return items


def check_vector(v: list[float], n: int, loc: Loc, name: str) -> list[float]:
    if len(v) != n:
        raise invalid(loc, f"{name} must have {n} entries, got {len(v)}")
    return v


def check_matrix(m: list[list[float]], shape: tuple[int, int], loc: Loc, name: str) -> list[list[float]]:
    if len(m) != shape[0]:
        raise invalid(loc, f"{name} must have {shape[0]} rows (one per node j of its layer), got {len(m)}")
    for r, row in enumerate(m):
        if len(row) != shape[1]:
            raise invalid((*loc, r), f"row {r} of {name} must have {shape[1]} entries (one per node i below), got {len(row)}")
    return m


def check_dataset(data: dict[str, Any], state: dict[str, Any], settings: Settings) -> dict[str, Any]:
    inputs, targets = data["inputs"], data["targets"]
    n_in, n_out = state["layers"][0], state["layers"][-1]
    if len(inputs) > settings.max_samples:
        raise invalid(("dataset", "inputs"), f"at most {settings.max_samples} samples are allowed, got {len(inputs)}")
    if len(inputs) != len(targets):
        raise invalid(("dataset", "targets"), f"need one target row per input row: {len(inputs)} inputs, {len(targets)} targets")
    for r, row in enumerate(inputs):
        if len(row) != n_in:
            raise invalid(("dataset", "inputs", r), f"each input row needs {n_in} values (layer 1 has {n_in} nodes), got {len(row)}")
    for r, row in enumerate(targets):
        if len(row) != n_out:
            raise invalid(("dataset", "targets", r), f"each target row needs {n_out} values (the output layer has {n_out} nodes), got {len(row)}")
        if state["loss"] == "cross_entropy" and any(not 0.0 <= v <= 1.0 for v in row):
            raise invalid(("dataset", "targets", r), "cross_entropy targets must lie in [0, 1]")
    return {"inputs": inputs, "targets": targets}


def to_network(state: dict[str, Any]) -> nn.Network:
    return nn.Network(
        state["layers"], state["activations"], state["weights"], state["biases"], state["loss"],
        state["reduction"], state["learning_rate"], state["train_biases"],
    )


def store_parameters(state: dict[str, Any], net: nn.Network) -> None:
    state["weights"] = [w.tolist() for w in net.weights]
    state["biases"] = [b.tolist() for b in net.biases]


def public_state(state: dict[str, Any]) -> dict[str, Any]:
    """The state as clients see it: never the token's hash."""
    return {k: v for k, v in state.items() if k != "token_hash"}


def check_token(state: dict[str, Any], authorization: str | None) -> None:
    """Changing a protected network needs `Authorization: Bearer <token>`; reading it does not."""
    check_bearer(state.get("token_hash") or None, authorization,
                 "this network is protected: send Authorization: Bearer <token>")


def apply_patch(state: dict[str, Any], patch: NetworkPatch, settings: Settings) -> None:
    layers = state["layers"]
    if patch.learning_rate is not None:
        state["learning_rate"] = patch.learning_rate
    for n, edit in enumerate(patch.weights or []):
        if edit.l > len(layers) or edit.j > layers[edit.l - 1] or edit.i > layers[edit.l - 2]:
            raise invalid(("weights", n), f"w_{{{edit.j}{edit.i}}}^{edit.l} does not exist in a {layers} network "
                          f"(l ≤ {len(layers)}, j ≤ n_l, i ≤ n_(l-1))")
        state["weights"][edit.l - 2][edit.j - 1][edit.i - 1] = edit.value
    for n, bedit in enumerate(patch.biases or []):
        if bedit.l > len(layers) or bedit.j > layers[bedit.l - 1]:
            raise invalid(("biases", n), f"b_{bedit.j}^{bedit.l} does not exist in a {layers} network")
        state["biases"][bedit.l - 2][bedit.j - 1] = bedit.value
    if patch.dataset is not None:
        state["dataset"] = check_dataset(patch.dataset.model_dump(), state, settings)
    if patch.learning_rate is not None or patch.weights or patch.biases:
        state["diverged"], state["message"] = False, None


# ---- choosing samples -----------------------------------------------------------------------------------------

class Selection:
    """The inputs and targets a request picked; `indices` is None for an explicit input."""

    def __init__(self, x: np.ndarray, t: np.ndarray | None, indices: list[int] | None, batch: bool) -> None:
        self.x, self.t, self.indices, self.batch = x, t, indices, batch


def select(state: dict[str, Any], req: SampleRequest, settings: Settings, need_target: bool,
           allow_batch: bool = True) -> Selection:
    chosen = [name for name in ("input", "sample", "samples") if getattr(req, name) is not None]
    if len(chosen) != 1:
        raise invalid((), "give exactly one of input (with target), sample (a row number) or samples ('all' or a list)")
    n_in, n_out = state["layers"][0], state["layers"][-1]
    if req.input is not None:
        check_vector(req.input, n_in, ("input",), "input")
        if req.target is None and need_target:
            raise invalid(("target",), "target is required here: the loss and gradients depend on it")
        t = None
        if req.target is not None:
            check_vector(req.target, n_out, ("target",), "target")
            t = np.asarray([req.target], dtype=np.float64)
        return Selection(np.asarray([req.input], dtype=np.float64), t, None, False)
    if req.target is not None:
        raise invalid(("target",), "target goes with input; a data set row brings its own target")
    data = state.get("dataset")
    if not data:
        raise invalid(("sample",) if req.sample is not None else ("samples",),
                      "this network has no data set: give input and target, or PATCH a dataset first")
    rows = len(data["inputs"])
    if req.sample is not None:
        if req.sample >= rows:
            raise invalid(("sample",), f"sample {req.sample} does not exist: the data set has rows 0..{rows - 1}")
        indices, batch = [req.sample], False
    else:
        if not allow_batch:
            raise invalid(("samples",), "this endpoint works on one sample: give sample or input")
        indices = list(range(rows)) if req.samples == "all" else list(req.samples or [])
        if not indices:
            raise invalid(("samples",), "samples must name at least one row")
        for n, k in enumerate(indices):
            if k >= rows:
                raise invalid(("samples", n), f"sample {k} does not exist: the data set has rows 0..{rows - 1}")
        batch = True
    x = np.asarray([data["inputs"][k] for k in indices], dtype=np.float64)
    t = np.asarray([data["targets"][k] for k in indices], dtype=np.float64)
    return Selection(x, t, indices, batch)


def check_batch_detail(sel: Selection, settings: Settings, layers: list[int] | None = None) -> None:
    """Per-sample details cost z, a, δ and ∂L/∂a of every node of every sample: cap rows and numbers."""
    if sel.batch and len(sel.x) > settings.max_batch_detail:
        raise invalid(("samples",), f"at most {settings.max_batch_detail} samples per call return per-sample details; "
                      "pick a list of rows, or use /train for larger batches")
    if sel.batch and layers is not None:
        values = len(sel.x) * 4 * sum(layers)
        if values > settings.max_response_values:
            fit = max(1, settings.max_response_values // (4 * sum(layers)))
            raise invalid(("samples",), f"per-sample details of {len(sel.x)} samples of this network are {values} numbers; "
                          f"at most {settings.max_response_values} per call: send at most {fit} rows per call")


# ---- results -----------------------------------------------------------------------------------------------------

class Overflow(Exception):
    """A computation produced infinity or NaN."""


def finite_list(a: np.ndarray, what: str) -> Any:
    if not np.isfinite(a).all():
        raise Overflow(what)
    return a.tolist()


def overflow_error(what: str) -> ApiError:
    return ApiError(422, ("body",), f"the computation overflowed float64 ({what} is not finite): "
                    "the input or the weights are too large for this network")


def check_trace_values(events: list[dict[str, Any]], learning_rate: float) -> None:
    """A trace whose update step overflows (η ∂L/∂w beyond float64) cannot be shown in JSON: refuse it with why."""
    for event in events:
        if not math.isfinite(event["value"]):
            raise ApiError(422, ("body",), f"the computation overflowed float64 ({event['symbol']} is not finite): "
                           f"the update with learning rate {learning_rate:g} is too large; lower the learning rate")


def _first_non_finite(net: nn.Network, cache: nn.Cache, grads: nn.Gradients | None) -> str | None:
    """The name of the first quantity holding infinity or NaN, checking each whole array once."""
    named: list[tuple[str, np.ndarray]] = [("x", cache.a[0])]
    for l in range(2, net.depth + 1):
        named += [(f"z^{l}", cache.z[l - 2]), (f"a^{l}", cache.a[l - 1])]
    if grads is not None:
        named.append(("the loss", grads.losses))
        for l in range(net.depth, 1, -1):
            k = l - 2
            named += [(f"∂L/∂a^{l}", grads.grad_a[l - 1]), (f"δ^{l}", grads.delta[k]),
                      (f"∂L/∂w^{l}", grads.grad_w[k]), (f"∂L/∂b^{l}", grads.grad_b[k])]
        named.append(("∂L/∂x", grads.grad_a[0]))
    for name, arr in named:
        if not np.isfinite(arr).all():
            return name
    return None


def sample_result(net: nn.Network, cache: nn.Cache, grads: nn.Gradients | None, losses: np.ndarray | None,
                  t: np.ndarray | None, n: int, with_param_grads: bool) -> dict[str, Any]:
    """One sample's layers: z, a, and with gradients δ, ∂L/∂a, ∂L/∂w, ∂L/∂b (arrays already checked finite)."""
    layers: list[dict[str, Any]] = [{"l": 1, "a": cache.a[0][n].tolist()}]
    if grads is not None:
        layers[0]["grad_a"] = grads.grad_a[0][n].tolist()
    for l in range(2, net.depth + 1):
        k = l - 2
        entry: dict[str, Any] = {"l": l, "z": cache.z[k][n].tolist(), "a": cache.a[l - 1][n].tolist()}
        if grads is not None:
            entry["delta"] = grads.delta[k][n].tolist()
            entry["grad_a"] = grads.grad_a[l - 1][n].tolist()
            if with_param_grads:
                entry["grad_w"] = grads.grad_w[k].tolist()
                entry["grad_b"] = grads.grad_b[k].tolist()
        layers.append(entry)
    return {"layers": layers, "output": cache.a[-1][n].tolist(),
            "target": None if t is None else t[n].tolist(), "loss": None if losses is None else float(losses[n])}


def run(net: nn.Network, sel: Selection, with_grads: bool) -> tuple[nn.Cache, nn.Gradients | None]:
    """Forward (and backward) on the selection; Overflow names the first quantity that is not finite."""
    with np.errstate(all="ignore"):
        cache = nn.forward(net, sel.x)
        grads = nn.backward(net, cache, sel.t) if with_grads and sel.t is not None else None
    bad = _first_non_finite(net, cache, grads)
    if bad is None and grads is None and sel.t is not None:
        with np.errstate(all="ignore"):
            if not np.isfinite(nn.sample_losses(net, cache, sel.t)).all():
                bad = "the loss"
    if bad is not None:
        raise Overflow(bad)
    return cache, grads


def describe(net: nn.Network, sel: Selection, cache: nn.Cache, grads: nn.Gradients | None) -> dict[str, Any]:
    """The forward/backward response for a selection whose pass `run` has checked."""
    losses = None
    if sel.t is not None:
        losses = grads.losses if grads is not None else nn.sample_losses(net, cache, sel.t)
    if not sel.batch:
        return sample_result(net, cache, grads, losses, sel.t, 0, True)
    per_sample = [sample_result(net, cache, grads, losses, sel.t, n, False) for n in range(len(sel.x))]
    loss = None
    if losses is not None:
        loss = nn.reduce_losses(net, losses)
        if not math.isfinite(loss):
            raise Overflow("the loss")
    out: dict[str, Any] = {"samples": sel.indices, "per_sample": per_sample, "outputs": cache.output.tolist(),
                           "loss": loss}
    if grads is not None:
        out["gradients"] = [{"l": k + 2, "grad_w": gw.tolist(), "grad_b": gb.tolist()}
                            for k, (gw, gb) in enumerate(zip(grads.grad_w, grads.grad_b, strict=True))]
    return out


def compute(net: nn.Network, sel: Selection, with_grads: bool) -> dict[str, Any]:
    """Forward (and backward) on the selection, as the forward/backward endpoints return it."""
    cache, grads = run(net, sel, with_grads)
    return describe(net, sel, cache, grads)


# Cost model of a train call in estimated nanoseconds on the reference machine (2 shared cores; measured by
# tests/reliability/test_limits.py, numbers in docs/limits.md): numpy's fixed cost per call dominates small
# networks, multiply-adds and elementwise work dominate large ones.
NS_PER_LAYER_BATCH = 40_000  # one full-batch iteration, per layer: about 15 numpy calls
NS_PER_LAYER_ONLINE = 90_000  # one single-sample step, per layer, through the general step()
NS_PER_MAC = 2  # one multiply-add of forward or backward (3 per weight and sample)
NS_PER_NODE = 25  # elementwise activation and derivative work per node and sample
NS_PER_CHECK_LAYER = 60_000  # the divergence check and copy after each recorded chunk, per layer


def train_work(state: dict[str, Any], iterations: int, mode: str, record_every: int | None = None,
               loss_every: int | None = None) -> int:
    """The estimated cost of a train call (ns on the reference machine), known before any work starts."""
    layers = state["layers"]
    depth = len(layers) - 1
    rows = max(len(state["dataset"]["inputs"]) if state.get("dataset") else 0, 1)
    weights = sum(m * n for m, n in zip(layers[:-1], layers[1:], strict=True))
    per_sample = 3 * NS_PER_MAC * weights + NS_PER_NODE * sum(layers[1:])
    if mode == "online":
        per_iteration = rows * (per_sample + NS_PER_LAYER_ONLINE * depth)
    else:
        per_iteration = rows * per_sample + NS_PER_LAYER_BATCH * depth
    chunk = min(record_every or iterations, loss_every or max(1, iterations // 500))
    checks = iterations // max(chunk, 1) + 1
    per_check = NS_PER_CHECK_LAYER * depth + rows * (NS_PER_MAC * weights + NS_PER_NODE * sum(layers[1:]))
    return iterations * per_iteration + checks * per_check


def check_train(state: dict[str, Any], iterations: int, mode: str, record_every: int | None,
                loss_every: int | None, settings: Settings) -> None:
    """Refuse, before any work, a train call that would take too long or answer with too many numbers."""
    work = train_work(state, iterations, mode, record_every, loss_every)
    if work > settings.max_train_work:
        fit = iterations * settings.max_train_work // work
        if fit < 1:
            raise invalid(("iterations",), f"even one {mode} iteration on this data set is too large for one request "
                          f"(about {work / iterations / 1e9:.2g} s each): use fewer samples or a smaller network")
        raise invalid(("iterations",), f"this run is too large for one request (about {work / 1e9:.2g} s of work); "
                      f"send at most {fit} iterations per call and call /train repeatedly")
    rows = len(state["dataset"]["inputs"]) if state.get("dataset") else 0
    snapshots = iterations // (record_every or iterations) + 2
    values = snapshots * rows * state["layers"][-1]
    if values > settings.max_response_values:
        room = max(settings.max_response_values // (rows * state["layers"][-1]) - 2, 1)
        every = -(-iterations // room)
        raise invalid(("record_every",), f"{snapshots} output snapshots of {rows} samples are {values} numbers; at most "
                      f"{settings.max_response_values} per call: set record_every to {every} or more")


def check_predict(state: dict[str, Any], rows: int, settings: Settings) -> None:
    if rows > settings.max_predict_rows:
        raise invalid(("inputs",), f"at most {settings.max_predict_rows} rows per call, got {rows}")
    values = rows * state["layers"][-1]
    if values > settings.max_response_values:
        raise invalid(("inputs",), f"{rows} rows of {state['layers'][-1]} outputs are {values} numbers; at most "
                      f"{settings.max_response_values} per call: send at most "
                      f"{settings.max_response_values // state['layers'][-1]} rows per call")


def check_gradcheck(state: dict[str, Any], rows: int, settings: Settings) -> None:
    """Finite differences run 2 forward passes per parameter, each paying numpy's per-layer cost."""
    layers = state["layers"]
    params = parameter_count(layers)
    weights = sum(m * n for m, n in zip(layers[:-1], layers[1:], strict=True))
    per_pass = NS_PER_LAYER_BATCH * (len(layers) - 1) + rows * (NS_PER_MAC * weights + NS_PER_NODE * sum(layers[1:]))
    if 2 * params * per_pass > settings.max_train_work:
        raise invalid((), f"a finite-difference check of {params} parameters on {rows} samples is too slow for one "
                      "request; check fewer samples or a smaller network")
