"""The network resource: create, read, edit, delete, and the computations on one network.

Each route parses its request, calls one use case of app.networks.usecases and returns what it gives.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Response, status
from fastapi.responses import JSONResponse

from app.deps import NetworkAuth, SettingsDep, StoreDep
from app.networks import priced, usecases
from app.schemas import (
    BatchResult,
    CreatedNetwork,
    EditedNetwork,
    GradCheckResult,
    GraphRequest,
    GraphResult,
    LandscapeRequest,
    LandscapeResult,
    NetworkCreate,
    NetworkPatch,
    NetworkState,
    NudgeRequest,
    NudgeResult,
    PredictRequest,
    PredictResult,
    SampleRequest,
    SampleResult,
    StepResult,
    TraceRequest,
    TraceResult,
    TrainRequest,
    TrainResult,
    error_responses,
)

router = APIRouter(prefix="/api/networks", tags=["networks"])


class FastJSON(JSONResponse):
    """orjson: the shortest round-trip float text, about 15x faster than json on trace-sized payloads."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)


def _json(payload: dict[str, Any]) -> JSONResponse:
    """Large numeric payloads skip re-validation: the engine's lists are already the declared shape."""
    return FastJSON(payload)


# the busiest route of a lesson, first so that routing finds it first
@router.post("/{network_id}/step", response_model=StepResult,
             responses=error_responses(400, 403, 404, 409, 413, 415, 503))
async def step_network(network_id: str, body: SampleRequest, store: StoreDep, settings: SettingsDep,
                       authorization: NetworkAuth = None) -> Any:
    """One update on a sample or batch with the network's optimizer; the new weights are stored."""
    return _json(await priced.step(store, settings, network_id, body, authorization))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CreatedNetwork,
             responses=error_responses(400, 413, 415, 429))
def create_network(body: NetworkCreate, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """Create a network from a preset or an explicit spec; returns its state (and edit token if protected)."""
    return usecases.create(store, settings, body)


@router.get("/{network_id}", response_model=NetworkState, responses=error_responses(404))
def get_network(network_id: str, store: StoreDep) -> dict[str, Any]:
    """The network's current state."""
    return usecases.read(store, network_id)


@router.patch("/{network_id}", response_model=EditedNetwork, responses=error_responses(400, 403, 404, 409, 413, 415))
def patch_network(network_id: str, body: NetworkPatch, store: StoreDep, settings: SettingsDep,
                  authorization: NetworkAuth = None) -> dict[str, Any]:
    """Change the learning rate, the optimizer, single weights or biases, or the data set."""
    return usecases.patch(store, settings, network_id, body, authorization)


@router.delete("/{network_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(403, 404))
def delete_network(network_id: str, store: StoreDep, authorization: NetworkAuth = None) -> Response:
    """Delete the network; its id then answers 404 like one that never existed."""
    usecases.delete(store, network_id, authorization)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{network_id}/forward", response_model=SampleResult | BatchResult,
             responses=error_responses(400, 404, 413, 415, 503))
async def forward_pass(network_id: str, body: SampleRequest, store: StoreDep, settings: SettingsDep) -> Any:
    """z^l and a^l of every layer for one sample or a batch (and the loss if a target is known)."""
    return _json(await priced.compute(store, settings, network_id, body, with_grads=False))


@router.post("/{network_id}/backward", response_model=SampleResult | BatchResult,
             responses=error_responses(400, 404, 413, 415, 503))
async def backward_pass(network_id: str, body: SampleRequest, store: StoreDep, settings: SettingsDep) -> Any:
    """Forward, then δ^l, ∂L/∂a^l, ∂L/∂w^l and ∂L/∂b^l of every layer."""
    return _json(await priced.compute(store, settings, network_id, body, with_grads=True))


@router.post("/{network_id}/predict", response_model=PredictResult, responses=error_responses(400, 404, 413, 415, 503))
async def predict_outputs(network_id: str, body: PredictRequest, store: StoreDep,
                          settings: SettingsDep) -> dict[str, Any]:
    """Outputs for many inputs at once, e.g. a grid for a decision-boundary map."""
    return await priced.predict(store, settings, network_id, body)


@router.post("/{network_id}/train", response_model=TrainResult,
             responses=error_responses(400, 403, 404, 409, 413, 415, 503))
async def train_network(network_id: str, body: TrainRequest, store: StoreDep, settings: SettingsDep,
                        authorization: NetworkAuth = None) -> Any:
    """Train for N iterations (batch: one step on the whole data set; online: one step per sample; minibatch: one
    step per shuffled batch of batch_size, an iteration being an epoch). Anyone with the id may train with
    `store` false, which changes nothing; storing the result needs a protected network's token. X-Cache says
    whether an identical earlier run answered."""
    result, hit = await priced.train(store, settings, network_id, body, authorization)
    response = _json(result)
    response.headers["X-Cache"] = "hit" if hit else "miss"
    return response


@router.post("/{network_id}/trace", response_model=TraceResult, responses=error_responses(400, 404, 413, 415, 503))
async def trace_sample(network_id: str, body: TraceRequest, store: StoreDep, settings: SettingsDep) -> Any:
    """Every elementary computation of one sample's forward pass, loss, backward pass and update, in order."""
    return _json(await priced.trace(store, settings, network_id, body))


@router.post("/{network_id}/gradcheck", response_model=GradCheckResult,
             responses=error_responses(400, 404, 413, 415, 503))
async def check_gradients(network_id: str, body: SampleRequest, store: StoreDep, settings: SettingsDep) -> Any:
    """Backprop's ∂L/∂w and ∂L/∂b against central finite differences, overall and per parameter."""
    return _json(await priced.gradcheck(store, settings, network_id, body))


@router.post("/{network_id}/landscape", response_model=LandscapeResult,
             responses=error_responses(400, 404, 413, 415, 503))
async def loss_landscape(network_id: str, body: LandscapeRequest, store: StoreDep, settings: SettingsDep) -> Any:
    """The loss over the data set as two parameters (x, y) move by up to ±span, every other one fixed."""
    return _json(await priced.landscape(store, settings, network_id, body))


@router.post("/{network_id}/graph", response_model=GraphResult, responses=error_responses(400, 404, 413, 415, 503))
async def operation_graph(network_id: str, body: GraphRequest, store: StoreDep, settings: SettingsDep) -> Any:
    """One sample's operation graph: each product w·a, sum z, bias, activation, target and the loss with its value,
    ∂L/∂value and ∂value/∂input. Anyone with the network's id may read it; nothing changes."""
    return _json(await priced.graph(store, settings, network_id, body))


@router.post("/{network_id}/nudge", response_model=NudgeResult, responses=error_responses(400, 404, 413, 415, 503))
async def nudge_parameter(network_id: str, body: NudgeRequest, store: StoreDep, settings: SettingsDep) -> Any:
    """The loss after moving one weight (or bias) by ε beside the prediction ∂L/∂θ · ε. Anyone with the network's
    id may ask: the network is read, never changed."""
    return _json(await priced.nudge(store, settings, network_id, body))
