"""The network resource: create, read, edit, delete, and the computations on one network."""

from __future__ import annotations

import threading
from typing import Annotated, Any

import numpy as np
import orjson
from fastapi import APIRouter, Header, Response, status
from fastapi.responses import JSONResponse

from app import service as svc
from app.deps import SettingsDep, StoreDep
from app.engine import network as nn
from app.engine.gradcheck import gradcheck
from app.engine.trace import event_count, trace
from app.schemas import (
    BatchResult,
    CreatedNetwork,
    GradCheckResult,
    NetworkCreate,
    NetworkPatch,
    NetworkState,
    PredictRequest,
    PredictResult,
    SampleRequest,
    SampleResult,
    StepResult,
    TraceResult,
    TrainRequest,
    TrainResult,
    error_responses,
)
from app.store.base import mutate

router = APIRouter(prefix="/api/networks", tags=["networks"])
Auth = Annotated[str | None, Header(description="Bearer <token>, for protected networks")]

# striped locks: requests on one network queue up in this process; unrelated networks rarely share a stripe
_LOCKS = [threading.Lock() for _ in range(256)]


def _lock(network_id: str) -> threading.Lock:
    return _LOCKS[hash(network_id) % len(_LOCKS)]


class FastJSON(JSONResponse):
    """orjson: the shortest round-trip float text, about 15x faster than json on trace-sized payloads."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)


def _json(payload: dict[str, Any]) -> JSONResponse:
    """Large numeric payloads skip re-validation: the engine's lists are already the declared shape."""
    return FastJSON(payload)


def _change(store: Any, network_id: str, change: Any) -> Any:
    with _lock(network_id):
        return mutate(store, network_id, change)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CreatedNetwork,
             responses=error_responses(400, 413, 415))
def create_network(body: NetworkCreate, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """Create a network from a preset or an explicit spec; returns its state (and edit token if protected)."""
    state, token = svc.create_state(body, settings)
    store.create(state)
    return {**svc.public_state(state), "token": token}


@router.get("/{network_id}", response_model=NetworkState, responses=error_responses(404))
def get_network(network_id: str, store: StoreDep) -> dict[str, Any]:
    """The network's current state."""
    return svc.public_state(store.get(network_id).state)


@router.patch("/{network_id}", response_model=NetworkState, responses=error_responses(400, 403, 404, 409, 413, 415))
def patch_network(network_id: str, body: NetworkPatch, store: StoreDep, settings: SettingsDep,
                  authorization: Auth = None) -> dict[str, Any]:
    """Change the learning rate, single weights or biases, or the data set."""

    def change(state: dict[str, Any]) -> dict[str, Any]:
        svc.check_token(state, authorization)
        svc.apply_patch(state, body, settings)
        return state

    return svc.public_state(_change(store, network_id, change))


@router.delete("/{network_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(403, 404))
def delete_network(network_id: str, store: StoreDep, authorization: Auth = None) -> Response:
    """Delete the network; its id then answers 404 like one that never existed."""
    with _lock(network_id):
        svc.check_token(store.get(network_id).state, authorization)
        if not store.delete(network_id):
            raise svc.ApiError(404, ("path", "network_id"), "network not found")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _compute(network_id: str, body: SampleRequest, store: Any, settings: Any, with_grads: bool) -> dict[str, Any]:
    state = store.get(network_id).state
    sel = svc.select(state, body, settings, need_target=with_grads)
    svc.check_batch_detail(sel, settings, state["layers"])
    try:
        return svc.compute(svc.to_network(state), sel, with_grads)
    except svc.Overflow as err:
        raise svc.overflow_error(str(err)) from None


@router.post("/{network_id}/forward", response_model=SampleResult | BatchResult,
             responses=error_responses(400, 404, 413, 415))
def forward(network_id: str, body: SampleRequest, store: StoreDep, settings: SettingsDep) -> Any:
    """z^l and a^l of every layer for one sample or a batch (and the loss if a target is known)."""
    return _json(_compute(network_id, body, store, settings, with_grads=False))


@router.post("/{network_id}/backward", response_model=SampleResult | BatchResult,
             responses=error_responses(400, 404, 413, 415))
def backward(network_id: str, body: SampleRequest, store: StoreDep, settings: SettingsDep) -> Any:
    """Forward, then δ^l, ∂L/∂a^l, ∂L/∂w^l and ∂L/∂b^l of every layer."""
    return _json(_compute(network_id, body, store, settings, with_grads=True))


@router.post("/{network_id}/predict", response_model=PredictResult, responses=error_responses(400, 404, 413, 415))
def predict(network_id: str, body: PredictRequest, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """Outputs for many inputs at once, e.g. a grid for a decision-boundary map."""
    state = store.get(network_id).state
    svc.check_predict(state, len(body.inputs), settings)
    for r, row in enumerate(body.inputs):
        svc.check_vector(row, state["layers"][0], ("inputs", r), "each input row")
    with np.errstate(all="ignore"):
        out = nn.forward(svc.to_network(state), np.asarray(body.inputs, dtype=np.float64)).output
    try:
        return {"outputs": svc.finite_list(out, "the output")}
    except svc.Overflow as err:
        raise svc.overflow_error(str(err)) from None


@router.post("/{network_id}/step", response_model=StepResult, responses=error_responses(400, 403, 404, 409, 413, 415))
def step(network_id: str, body: SampleRequest, store: StoreDep, settings: SettingsDep,
         authorization: Auth = None) -> Any:
    """One gradient-descent step on a sample or batch; the new weights are stored."""

    def change(state: dict[str, Any]) -> dict[str, Any]:
        svc.check_token(state, authorization)
        sel = svc.select(state, body, settings, need_target=True)
        svc.check_batch_detail(sel, settings, state["layers"])
        net = svc.to_network(state)
        try:
            cache, grads = svc.run(net, sel, with_grads=True)
            before = svc.describe(net, sel, cache, grads)
        except svc.Overflow as err:
            raise svc.overflow_error(str(err)) from None
        assert sel.t is not None and grads is not None
        # the update uses the gradients just reported, so the response shows exactly what moved the weights
        nn.apply_step(net, grads)
        loss_after: float | None = nn.dataset_loss(net, sel.x, sel.t)
        if net.is_finite() and loss_after is not None and np.isfinite(loss_after):
            svc.store_parameters(state, net)
            state["iteration"] += 1
            state["diverged"], state["message"] = False, None
        else:
            loss_after = None
            state["diverged"] = True
            state["message"] = (f"this step would overflow the weights or the loss with learning rate "
                                f"{net.learning_rate:g}; the weights were kept. Lower the learning rate.")
        return {"backward": before, "weights": state["weights"], "biases": state["biases"],
                "iteration": state["iteration"], "loss_after": loss_after, "diverged": state["diverged"],
                "message": state["message"]}

    return _json(_change(store, network_id, change))


@router.post("/{network_id}/train", response_model=TrainResult, responses=error_responses(400, 403, 404, 409, 413, 415))
def train(network_id: str, body: TrainRequest, store: StoreDep, settings: SettingsDep,
          authorization: Auth = None) -> Any:
    """Train for N iterations (batch: one step on the whole data set; online: one step per sample)."""
    if body.iterations > settings.max_iterations:
        raise svc.invalid(("iterations",), f"at most {settings.max_iterations} iterations per call; "
                          "call /train several times to go further")

    def change(state: dict[str, Any]) -> dict[str, Any]:
        svc.check_token(state, authorization)
        if not state.get("dataset"):
            raise svc.invalid((), "this network has no data set to train on: PATCH a dataset first")
        svc.check_train(state, body.iterations, body.mode, body.record_every, body.loss_every, settings)
        net = svc.to_network(state)
        data = state["dataset"]
        result = nn.train(net, np.asarray(data["inputs"], dtype=np.float64), np.asarray(data["targets"], dtype=np.float64),
                          body.iterations, body.mode, body.record_every, body.loss_every, start=state["iteration"])
        svc.store_parameters(state, net)
        state["iteration"] += result.iterations_done
        state["diverged"], state["message"] = result.diverged, result.message
        return {
            "iteration": state["iteration"],
            "loss_history": [[it, loss] for it, loss in result.loss_history],
            "snapshots": [{"iteration": it, "outputs": out.tolist()} for it, out in result.snapshots],
            "weights": state["weights"], "biases": state["biases"],
            "diverged": result.diverged, "message": result.message,
        }

    return _json(_change(store, network_id, change))


@router.post("/{network_id}/trace", response_model=TraceResult, responses=error_responses(400, 404, 413, 415))
def trace_sample(network_id: str, body: SampleRequest, store: StoreDep, settings: SettingsDep) -> Any:
    """Every elementary computation of one sample's forward pass, loss, backward pass and update, in order."""
    state = store.get(network_id).state
    count = event_count(state["layers"], state["train_biases"])
    if count > settings.max_trace_events:
        raise svc.invalid((), f"this network's trace would have {count} events; at most {settings.max_trace_events} "
                          "are allowed: trace a smaller network")
    sel = svc.select(state, body, settings, need_target=True, allow_batch=False)
    assert sel.t is not None
    net = svc.to_network(state)
    try:
        svc.compute(net, sel, with_grads=True)  # refuses overflowing samples before any formula is written
    except svc.Overflow as err:
        raise svc.overflow_error(str(err)) from None
    events, loss = trace(net, sel.x[0], sel.t[0])
    svc.check_trace_values(events, net.learning_rate)
    return _json({"layers": state["layers"], "input": sel.x[0].tolist(), "target": sel.t[0].tolist(), "loss": loss,
                  "events": events})


@router.post("/{network_id}/gradcheck", response_model=GradCheckResult, responses=error_responses(400, 404, 413, 415))
def check_gradients(network_id: str, body: SampleRequest, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """Backprop's ∂L/∂w and ∂L/∂b against central finite differences."""
    state = store.get(network_id).state
    sel = svc.select(state, body, settings, need_target=True)
    assert sel.t is not None
    svc.check_gradcheck(state, len(sel.x), settings)
    result = gradcheck(svc.to_network(state), sel.x, sel.t)
    return {"max_abs_error": result.max_abs_error, "max_rel_error": result.max_rel_error, "ok": result.ok}
