"""The network use cases the routes call: create, read, edit, delete, forward, backward, predict, step, train,
trace and gradcheck. Each takes parsed requests and the store, and returns JSON-able dictionaries or raises
ApiError; none knows about HTTP.

Changes go through `_change`: a per-process lock stripe, then the store's compare-and-set loop, with the
stored dictionary turned into a NetworkModel and back.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from app.config import Settings
from app.engine import network as nn
from app.engine import training
from app.engine.gradcheck import gradcheck as finite_difference_check
from app.engine.graph import graph as operation_graph
from app.engine.graph import graph_size
from app.engine.landscape import Param
from app.engine.landscape import landscape as loss_landscape
from app.engine.landscape import nudge as nudge_parameter
from app.engine.trace import event_count
from app.engine.trace import trace as trace_events
from app.errors import ApiError, invalid
from app.networks import limits
from app.networks.admission import admitted
from app.networks.compute import Overflow, check_pass, check_trace_events, finite_list, overflow_error, run
from app.networks.create import apply_patch, create_model, dataset_warnings
from app.networks.model import NetworkModel
from app.networks.responses import describe, step_result, trace_result, train_result
from app.networks.selection import Selection, select
from app.networks.shapes import check_vector
from app.networks.train_cache import TRAIN_CACHE, TrainRun, run_key
from app.schemas import (
    GraphRequest,
    LandscapeRequest,
    NetworkCreate,
    NetworkPatch,
    NudgeRequest,
    PredictRequest,
    SampleRequest,
    TraceRequest,
    TrainRequest,
)
from app.store.base import NetworkStore, mutate
from app.tokens import check_bearer

T = TypeVar("T")
PROTECTED = "this network is protected: send Authorization: Bearer <token>"

# striped locks: requests on one network queue up in this process; unrelated networks rarely share a stripe
_LOCKS = [threading.Lock() for _ in range(256)]


def _lock(network_id: str) -> threading.Lock:
    return _LOCKS[hash(network_id) % len(_LOCKS)]


def _read(store: NetworkStore, network_id: str) -> NetworkModel:
    return NetworkModel.from_dict(store.get(network_id).state)


def _change(store: NetworkStore, network_id: str, change: Callable[[NetworkModel], T]) -> T:
    """Apply `change` to the stored network and write it back unless another writer came first (then retry)."""

    def apply(state: dict[str, Any]) -> T:
        model = NetworkModel.from_dict(state)
        result = change(model)
        state.clear()
        state.update(model.to_dict())
        return result

    with _lock(network_id):
        return mutate(store, network_id, apply)


# ---- the resource ----------------------------------------------------------------------------------------------

def create(store: NetworkStore, settings: Settings, req: NetworkCreate) -> dict[str, Any]:
    """A new stored network's state, with its edit token (shown only now) if protected."""
    model, token = create_model(req, settings)
    stored = model.to_dict()
    model.id = store.create(stored)
    return {**model.public(), "token": token, "warnings": dataset_warnings(model)}


def presentable(store: NetworkStore, network_id: str, authorization: str | None, owner: bool) -> tuple[int, int]:
    """(iteration, version) of a network a room may show: only a protected one, since followers learn its id;
    with `owner`, only for the holder of its token (opening a room presents it)."""
    stored = store.get(network_id)
    model = NetworkModel.from_dict(stored.state)
    if model.token_hash is None:
        raise ApiError(422, ("body", "network_id"), "a room presents only a protected network (its followers learn "
                       "its id): create it with \"protected\": true and open the room with its token",
                       "network_not_protected")
    if owner:
        check_bearer(model.token_hash, authorization, "only the network's creator can present it: send "
                     "Authorization: Bearer <the network's token>")
    return model.iteration, stored.version


def read(store: NetworkStore, network_id: str) -> dict[str, Any]:
    return _read(store, network_id).public()


def patch(store: NetworkStore, settings: Settings, network_id: str, req: NetworkPatch,
          authorization: str | None) -> dict[str, Any]:
    def change(model: NetworkModel) -> dict[str, Any]:
        check_bearer(model.token_hash, authorization, PROTECTED)
        apply_patch(model, req, settings)
        return {**model.public(), "warnings": dataset_warnings(model) if req.dataset is not None else []}

    return _change(store, network_id, change)


def delete(store: NetworkStore, network_id: str, authorization: str | None) -> None:
    with _lock(network_id):
        check_bearer(_read(store, network_id).token_hash, authorization, PROTECTED)
        if not store.delete(network_id):
            raise ApiError(404, ("path", "network_id"), "network not found")


# ---- computations that leave the network as it is --------------------------------------------------------------

def compute(store: NetworkStore, settings: Settings, network_id: str, req: SampleRequest,
            with_grads: bool) -> dict[str, Any]:
    """Forward (and with gradients, backward) on one sample or a batch."""
    model = _read(store, network_id)
    sel = select(model, req, need_target=with_grads)
    work = limits.check_batch_detail(len(sel.x), model.layers, settings) if sel.batch else 0
    net = model.to_network()
    try:
        with admitted(work, settings):
            cache, grads = run(net, sel, with_grads)
            return describe(net, sel, cache, grads)
    except Overflow as err:
        raise overflow_error(str(err)) from None


def predict(store: NetworkStore, settings: Settings, network_id: str, req: PredictRequest) -> dict[str, Any]:
    """Outputs for many inputs at once; no loss, no gradients."""
    model = _read(store, network_id)
    work = limits.check_predict(model.layers, len(req.inputs), settings)
    for r, row in enumerate(req.inputs):
        check_vector(row, model.layers[0], ("inputs", r), "each input row")
    with admitted(work, settings), np.errstate(all="ignore"):
        out = nn.forward(model.to_network(), np.asarray(req.inputs, dtype=np.float64)).output
        return {"outputs": finite_list(out, "the output")}


def trace(store: NetworkStore, settings: Settings, network_id: str, req: TraceRequest) -> dict[str, Any]:
    """Every elementary computation of one sample, in order; refused if any value is not finite."""
    model = _read(store, network_id)
    work = limits.check_trace(event_count(model.layers, model.train_biases), settings)
    sel = select(model, SampleRequest(input=req.input, target=req.target, sample=req.sample), need_target=True)
    assert sel.t is not None
    with admitted(work, settings):
        return _trace(model, sel)


def _trace(model: NetworkModel, sel: Selection) -> dict[str, Any]:
    assert sel.t is not None
    net = model.to_network()
    try:
        with np.errstate(all="ignore"):
            events, loss = trace_events(net, sel.x[0], sel.t[0])
    except ArithmeticError:
        # a formula's own arithmetic overflowed: one checked pass names the quantity
        try:
            run(net, sel, with_grads=True)
        except Overflow as err:
            raise overflow_error(str(err)) from None
        raise overflow_error("a traced value") from None
    # the events hold every value of the pass and the update: checking them is the whole overflow check
    check_trace_events(events, net.learning_rate)
    if not math.isfinite(loss):
        raise overflow_error("the loss")
    return trace_result(model, sel, events, loss)


def gradcheck(store: NetworkStore, settings: Settings, network_id: str, req: SampleRequest) -> dict[str, Any]:
    """Backprop's ∂L/∂w and ∂L/∂b against central finite differences."""
    model = _read(store, network_id)
    sel = select(model, req, need_target=True)
    assert sel.t is not None
    with admitted(limits.check_gradcheck(model.layers, len(sel.x), settings), settings):
        result = finite_difference_check(model.to_network(), sel.x, sel.t)
    return {"max_abs_error": result.max_abs_error, "max_rel_error": result.max_rel_error, "ok": result.ok,
            "h": result.h, "parameters": result.parameters}


def landscape(store: NetworkStore, settings: Settings, network_id: str, req: LandscapeRequest) -> dict[str, Any]:
    """The loss over the data set on a grid of two parameters around their current values."""
    model = _read(store, network_id)
    if model.dataset is None:
        raise invalid((), "this network has no data set: PATCH a dataset first")
    work = limits.check_landscape(model.layers, model.rows, req.resolution, settings)
    x, t = model.data_arrays()
    try:
        with admitted(work, settings):
            xs, ys, loss = loss_landscape(model.to_network(), x, t, Param(req.x.l, req.x.j, req.x.i),
                                          Param(req.y.l, req.y.j, req.y.i), req.span, req.resolution)
    except nn.SpecError as err:
        raise invalid(err.field, err.message) from None
    return {"x_values": xs, "y_values": ys, "loss": loss}


def graph(store: NetworkStore, settings: Settings, network_id: str, req: GraphRequest) -> dict[str, Any]:
    """One sample's operation graph: every product, sum, activation and the loss, with values and gradients."""
    model = _read(store, network_id)
    work = limits.check_graph(graph_size(model.layers), settings)
    sel = select(model, SampleRequest(input=req.input, target=req.target, sample=req.sample), need_target=True)
    assert sel.t is not None
    net = model.to_network()
    with admitted(work, settings):
        nodes = operation_graph(net, sel.x[0], sel.t[0])
    for node in nodes:
        if not (math.isfinite(node["value"]) and math.isfinite(node["grad"])
                and all(math.isfinite(v) for v in node["local"])):
            raise overflow_error(f"the graph's {node['op']} node {node['label']}")
    return {"nodes": nodes}


def nudge(store: NetworkStore, settings: Settings, network_id: str, req: NudgeRequest) -> dict[str, Any]:
    """The loss before and after one parameter moves by ε, beside ∂L/∂θ · ε; the network stays as it is."""
    model = _read(store, network_id)
    sel = select(model, SampleRequest(input=req.input, target=req.target, sample=req.sample, samples=req.samples),
                 need_target=True)
    assert sel.t is not None
    work = limits.check_nudge(model.layers, len(sel.x), settings)
    try:
        with admitted(work, settings):
            result = nudge_parameter(model.to_network(), sel.x, sel.t, Param(req.l, req.j, req.i), req.epsilon)
    except nn.SpecError as err:
        raise invalid(err.field, err.message) from None
    for name, value in result.items():
        if not math.isfinite(value):
            raise overflow_error(name)
    return result


# ---- computations that change the network ----------------------------------------------------------------------

def step(store: NetworkStore, settings: Settings, network_id: str, req: SampleRequest,
         authorization: str | None) -> dict[str, Any]:
    """One gradient step on a sample or batch; the response shows the gradients that moved the weights."""

    def change(model: NetworkModel) -> dict[str, Any]:
        check_bearer(model.token_hash, authorization, PROTECTED)
        sel = select(model, req, need_target=True)
        assert sel.t is not None
        work = limits.check_batch_detail(len(sel.x), model.layers, settings) if sel.batch else 0
        net = model.to_network()
        with admitted(work, settings):
            # the update uses the gradients reported, so the response shows exactly what moved the weights
            outcome = nn.guarded_step(net, sel.x, sel.t, iteration=model.iteration + 1)
            try:
                check_pass(net, sel, outcome.cache, outcome.grads)
                before = describe(net, sel, outcome.cache, outcome.grads)
            except Overflow as err:
                raise overflow_error(str(err)) from None
        if outcome.applied:
            model.take_parameters(net)
            model.iteration += 1
        model.settle(outcome.message)
        return step_result(model, before, outcome.loss_after)

    return _change(store, network_id, change)


def train(store: NetworkStore, settings: Settings, network_id: str, req: TrainRequest,
          authorization: str | None) -> tuple[dict[str, Any], bool]:
    """N iterations of batch, online or mini-batch training, and whether the run came from the cache; divergence
    stops at the last finite iteration. With `store` false the network is read, never written (no token needed)."""
    limits.check_iterations(req.iterations, settings)
    if req.mode == "minibatch" and req.batch_size is None:
        raise invalid(("batch_size",), "mode minibatch needs a batch_size: how many samples each update uses")
    if req.mode != "minibatch" and req.batch_size is not None:
        raise invalid(("batch_size",), f"batch_size applies to mode minibatch only, not {req.mode}")

    def change(model: NetworkModel) -> tuple[dict[str, Any], bool]:
        check_bearer(model.token_hash, authorization, PROTECTED)
        return _train_model(settings, model, req)

    if not req.store:
        return _train_model(settings, _read(store, network_id), req)
    return _change(store, network_id, change)


def _train_model(settings: Settings, model: NetworkModel, req: TrainRequest) -> tuple[dict[str, Any], bool]:
    """Move `model` through the run (computed, or taken from the cache) and describe it."""
    if model.dataset is None:
        raise invalid((), "this network has no data set to train on: PATCH a dataset first")
    work = limits.check_train(model.layers, model.rows, req.iterations, req.mode, req.record_every,
                              req.loss_every, settings, req.batch_size, req.gradient_norms, req.record_weights)

    def compute() -> TrainRun:
        net = model.to_network()
        x, t = model.data_arrays()
        # the route admitted the run as priced from the stored sizes; a network that grew since is refused here
        with admitted(work, settings):
            result = training.train(net, x, t, req.iterations, req.mode, req.record_every, req.loss_every,
                                    start=model.iteration, batch_size=req.batch_size, seed=req.seed,
                                    with_gradient_norms=req.gradient_norms, with_weights=req.record_weights)
        state = {k: v.tolist() for k, v in net.optimizer_state.items()}
        return TrainRun([w.tolist() for w in net.weights], [b.tolist() for b in net.biases], state,
                        result.iterations_done, result.message if result.diverged else None,
                        [[it, loss] for it, loss in result.loss_history],
                        [{"iteration": it, "outputs": out.tolist()}
                         | ({"weights": [w.tolist() for w in ws], "biases": [b.tolist() for b in bs]} if ws
                            else {"weights": None, "biases": None})  # every field is sent (app/schemas Reply)
                         for (it, out), (ws, bs) in zip(result.snapshots, result.parameters or
                                                        [([], [])] * len(result.snapshots), strict=True)],
                        result.gradient_norms)

    run, hit = TRAIN_CACHE.run(run_key(model, req), compute, settings.train_cache_entries, settings.train_cache_bytes)
    run.apply(model)
    return train_result(model, run, req.gradient_norms), hit
