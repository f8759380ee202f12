"""The computations on one network as the routes await them: each is priced with the cost model of
app/networks/limits.py from the stored network's sizes (read without decoding the record) and the request, then
run through the admission gate. The use cases in app/networks/usecases.py do the work and check the same limits
again on the decoded network.

A request the limits refuse is answered 422 here, before anything large is read; the gate's 503 comes before
the work takes a thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread

from app.config import Settings
from app.engine.graph import graph_size
from app.engine.trace import event_count
from app.networks import admission, limits, usecases
from app.schemas import (
    GraphRequest,
    LandscapeRequest,
    NudgeRequest,
    PredictRequest,
    SampleRequest,
    TraceRequest,
    TrainRequest,
)
from app.store.base import NetworkStore, Sizes

T = TypeVar("T")


async def _sizes(store: NetworkStore, network_id: str) -> Sizes:
    return await anyio.to_thread.run_sync(store.sizes, network_id)


async def run(work: int, sizes: Sizes, settings: Settings, call: Callable[..., T], *args: object) -> T:
    """The use case through the gate, weighing its own work and the reading of the stored network."""
    return await admission.run(work + limits.read_work(sizes.layers, sizes.rows), settings, call, *args)


def _selected(samples: str | list[int] | None, rows: int) -> tuple[int, bool]:
    """(rows, batch) of the selection a request's `samples` names (app/networks/selection.py says which are
    valid): one sample unless a batch is asked for."""
    if samples is None:
        return 1, False
    return (rows if samples == "all" else len(samples)), True


def _batch_work(req: SampleRequest, sizes: Sizes, settings: Settings) -> int:
    n, batch = _selected(req.samples, sizes.rows)
    return limits.check_batch_detail(n, sizes.layers, settings) if batch and n else 0


async def compute(store: NetworkStore, settings: Settings, network_id: str, req: SampleRequest,
                  with_grads: bool) -> dict[str, Any]:
    sizes = await _sizes(store, network_id)
    work = _batch_work(req, sizes, settings)
    return await run(work, sizes, settings, usecases.compute, store, settings, network_id, req, with_grads)


async def step(store: NetworkStore, settings: Settings, network_id: str, req: SampleRequest,
               authorization: str | None) -> dict[str, Any]:
    sizes = await _sizes(store, network_id)
    work = _batch_work(req, sizes, settings)
    return await run(work, sizes, settings, usecases.step, store, settings, network_id, req, authorization)


async def predict(store: NetworkStore, settings: Settings, network_id: str, req: PredictRequest) -> dict[str, Any]:
    sizes = await _sizes(store, network_id)
    work = limits.check_predict(sizes.layers, len(req.inputs), settings)
    return await run(work, sizes, settings, usecases.predict, store, settings, network_id, req)


async def trace(store: NetworkStore, settings: Settings, network_id: str, req: TraceRequest) -> dict[str, Any]:
    sizes = await _sizes(store, network_id)
    work = limits.check_trace(event_count(sizes.layers, sizes.train_biases), settings)
    return await run(work, sizes, settings, usecases.trace, store, settings, network_id, req)


async def gradcheck(store: NetworkStore, settings: Settings, network_id: str, req: SampleRequest) -> dict[str, Any]:
    sizes = await _sizes(store, network_id)
    n, _ = _selected(req.samples, sizes.rows)
    work = limits.check_gradcheck(sizes.layers, max(n, 1), settings)
    return await run(work, sizes, settings, usecases.gradcheck, store, settings, network_id, req)


async def landscape(store: NetworkStore, settings: Settings, network_id: str, req: LandscapeRequest) -> dict[str, Any]:
    sizes = await _sizes(store, network_id)
    # without a data set the use case answers its 422 at once
    work = limits.check_landscape(sizes.layers, sizes.rows, req.resolution, settings) if sizes.rows else 0
    return await run(work, sizes, settings, usecases.landscape, store, settings, network_id, req)


async def graph(store: NetworkStore, settings: Settings, network_id: str, req: GraphRequest) -> dict[str, Any]:
    sizes = await _sizes(store, network_id)
    work = limits.check_graph(graph_size(sizes.layers), settings)
    return await run(work, sizes, settings, usecases.graph, store, settings, network_id, req)


async def nudge(store: NetworkStore, settings: Settings, network_id: str, req: NudgeRequest) -> dict[str, Any]:
    sizes = await _sizes(store, network_id)
    n, _ = _selected(req.samples, sizes.rows)
    work = limits.check_nudge(sizes.layers, max(n, 1), settings)
    return await run(work, sizes, settings, usecases.nudge, store, settings, network_id, req)


async def train(store: NetworkStore, settings: Settings, network_id: str, req: TrainRequest,
                authorization: str | None) -> tuple[dict[str, Any], bool]:
    limits.check_iterations(req.iterations, settings)
    sizes = await _sizes(store, network_id)
    work = 0
    if sizes.rows and (req.mode == "minibatch") == (req.batch_size is not None):  # else the use case says why not
        work = limits.check_train(sizes.layers, sizes.rows, req.iterations, req.mode, req.record_every,
                                  req.loss_every, settings, req.batch_size, req.gradient_norms, req.record_weights)
    return await run(work, sizes, settings, usecases.train, store, settings, network_id, req, authorization)
