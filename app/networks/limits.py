"""How much one request may ask for: the size limits and the cost model that refuses work before it starts.

Every refusal is a 422 naming the field to change and by how much. The numbers are in docs/limits.md.
"""

from __future__ import annotations

from app.config import Settings
from app.engine.network import parameter_count
from app.errors import invalid

# Cost model of a call in estimated nanoseconds on the reference machine (2 shared cores; measured by
# bench/limits.py, numbers in docs/limits.md): numpy's fixed cost per call dominates small
# networks, multiply-adds and elementwise work dominate large ones.
NS_PER_LAYER_BATCH = 40_000  # one full-batch iteration, per layer: about 15 numpy calls
NS_PER_LAYER_ONLINE = 90_000  # one single-sample step, per layer, through the general step()
NS_PER_MAC = 2  # one multiply-add of forward or backward (3 per weight and sample)
NS_PER_NODE = 25  # elementwise activation and derivative work per node and sample
NS_PER_CHECK_LAYER = 60_000  # the divergence check and copy after each recorded chunk, per layer
# reading the stored network before any of that: decoding its JSON into Python lists (holding the interpreter lock)
# and building arrays; a data set row costs its two small lists as much as its numbers
NS_PER_STORED_NUMBER = 100  # one weight or bias
NS_PER_STORED_ROW = 1_500  # one data set row, inputs and targets


__all__ = ["parameter_count", "train_work", "weight_count"]  # parameter_count is the engine's, named here for callers


def weight_count(layers: list[int]) -> int:
    """Weights w_ji^l of a network with these layer sizes."""
    return sum(m * n for m, n in zip(layers[:-1], layers[1:], strict=True))


def read_work(layers: list[int], rows: int) -> int:
    """The estimated cost (ns) of reading a stored network with these sizes, which every computation on it pays
    before its own work: a large data set makes even a one-sample step heavy."""
    return NS_PER_STORED_NUMBER * parameter_count(layers) + NS_PER_STORED_ROW * rows


def check_layers(layers: list[int], settings: Settings) -> None:
    """At most max_layers layers of at most max_nodes nodes, and max_parameters weights and biases in all."""
    if len(layers) > settings.max_layers:
        raise invalid(("layers",), f"at most {settings.max_layers} layers are allowed, got {len(layers)}")
    for k, n in enumerate(layers):
        if n > settings.max_nodes:
            raise invalid(("layers", k), f"at most {settings.max_nodes} nodes per layer are allowed, got {n}")
    params = parameter_count(layers)
    if params > settings.max_parameters:
        raise invalid(("layers",), f"at most {settings.max_parameters} weights and biases in all are allowed, "
                      f"got {params}: use fewer or narrower layers")


def check_samples(rows: int, settings: Settings, values: int = 0) -> None:
    """At most max_samples rows, and max_dataset_values numbers in inputs and targets together."""
    if rows > settings.max_samples:
        raise invalid(("dataset", "inputs"), f"at most {settings.max_samples} samples are allowed, got {rows}")
    if values > settings.max_dataset_values:
        raise invalid(("dataset",), f"at most {settings.max_dataset_values} numbers in inputs and targets together "
                      f"are allowed, got {values}: use fewer samples")


def check_batch_detail(rows: int, layers: list[int], settings: Settings) -> int:
    """Per-sample details cost z, a, δ and ∂L/∂a of every node of every sample: cap rows and numbers. Returns the
    estimated work (ns) of a forward and backward pass with those details."""
    if rows > settings.max_batch_detail:
        raise invalid(("samples",), f"at most {settings.max_batch_detail} samples per call return per-sample details; "
                      "pick a list of rows, or use /train for larger batches")
    values = rows * 4 * sum(layers)
    if values > settings.max_response_values:
        fit = max(1, settings.max_response_values // (4 * sum(layers)))
        raise invalid(("samples",), f"per-sample details of {rows} samples of this network are {values} numbers; "
                      f"at most {settings.max_response_values} per call: send at most {fit} rows per call")
    return 3 * rows * _per_sample_pass(layers) + NS_PER_LAYER_ONLINE * (len(layers) - 1)


def _per_sample_pass(layers: list[int]) -> int:
    """One sample's forward pass: multiply-adds and elementwise work."""
    return NS_PER_MAC * weight_count(layers) + NS_PER_NODE * sum(layers[1:])


def train_work(layers: list[int], rows: int, iterations: int, mode: str, record_every: int | None = None,
               loss_every: int | None = None, batch_size: int | None = None, gradient_norms: bool = False) -> int:
    """The estimated cost of a train call (ns on the reference machine), known before any work starts."""
    depth = len(layers) - 1
    rows = max(rows, 1)
    per_sample = 3 * NS_PER_MAC * weight_count(layers) + NS_PER_NODE * sum(layers[1:])
    if mode == "online":
        per_iteration = rows * (per_sample + NS_PER_LAYER_ONLINE * depth)
    elif mode == "minibatch":
        # one general step() per mini-batch of an epoch
        per_iteration = rows * per_sample + -(-rows // max(batch_size or 1, 1)) * NS_PER_LAYER_ONLINE * depth
    else:
        per_iteration = rows * per_sample + NS_PER_LAYER_BATCH * depth
    chunk = min(record_every or iterations, loss_every or max(1, iterations // 500))
    checks = iterations // max(chunk, 1) + 1
    per_check = NS_PER_CHECK_LAYER * depth + rows * _per_sample_pass(layers)
    # gradient norms: one forward and backward pass over the data set at every record
    records = iterations // (record_every or iterations) + 2 if gradient_norms else 0
    per_norms = NS_PER_LAYER_ONLINE * depth + rows * per_sample
    return iterations * per_iteration + checks * per_check + records * per_norms


def check_iterations(iterations: int, settings: Settings) -> None:
    if iterations > settings.max_iterations:
        raise invalid(("iterations",), f"at most {settings.max_iterations} iterations per call; "
                      "call /train several times to go further")


def largest_iterations(layers: list[int], rows: int, iterations: int, mode: str, record_every: int | None,
                       loss_every: int | None, settings: Settings, batch_size: int | None = None,
                       gradient_norms: bool = False) -> int:
    """The most iterations, up to `iterations`, that check_train accepts with the other fields unchanged (0: none)."""
    # the work is not proportional to the iterations (the chunk between checks depends on them): search the model
    lo, hi = 0, iterations
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if train_work(layers, rows, mid, mode, record_every, loss_every, batch_size,
                      gradient_norms) <= settings.max_train_work:
            lo = mid
        else:
            hi = mid - 1
    return lo


def check_train(layers: list[int], rows: int, iterations: int, mode: str, record_every: int | None,
                loss_every: int | None, settings: Settings, batch_size: int | None = None,
                gradient_norms: bool = False, record_weights: bool = False) -> int:
    """Refuse, before any work, a train call that would take too long or answer with too many numbers; returns
    its estimated work (ns)."""
    work = train_work(layers, rows, iterations, mode, record_every, loss_every, batch_size, gradient_norms)
    if work > settings.max_train_work:
        fit = largest_iterations(layers, rows, iterations, mode, record_every, loss_every, settings, batch_size,
                                 gradient_norms)
        if fit < 1:
            raise invalid(("iterations",), f"even one {mode} iteration on this data set is too large for one request "
                          f"(about {work / iterations / 1e9:.2g} s each): use fewer samples or a smaller network")
        raise invalid(("iterations",), f"this run is too large for one request (about {work / 1e9:.2g} s of work); "
                      f"send at most {fit} iterations per call and call /train repeatedly")
    snapshots = iterations // (record_every or iterations) + 2
    per_snapshot = rows * layers[-1] + (parameter_count(layers) if record_weights else 0)
    values = snapshots * per_snapshot
    if values > settings.max_response_values:
        room = max(settings.max_response_values // per_snapshot - 2, 1)
        every = -(-iterations // room)
        raise invalid(("record_every",), f"{snapshots} output snapshots of {rows} samples are {values} numbers; "
                      f"at most {settings.max_response_values} per call: set record_every to {every} or more")
    return work


def check_predict(layers: list[int], rows: int, settings: Settings) -> int:
    """At most max_predict_rows rows and max_response_values outputs; returns the estimated work (ns)."""
    if rows > settings.max_predict_rows:
        raise invalid(("inputs",), f"at most {settings.max_predict_rows} rows per call, got {rows}")
    values = rows * layers[-1]
    if values > settings.max_response_values:
        raise invalid(("inputs",), f"{rows} rows of {layers[-1]} outputs are {values} numbers; at most "
                      f"{settings.max_response_values} per call: send at most "
                      f"{settings.max_response_values // layers[-1]} rows per call")
    return NS_PER_LAYER_BATCH * (len(layers) - 1) + rows * _per_sample_pass(layers)


def check_gradcheck(layers: list[int], rows: int, settings: Settings) -> int:
    """Finite differences run 2 forward passes per parameter, each paying numpy's per-layer cost; returns the
    estimated work (ns)."""
    params = parameter_count(layers)
    per_pass = NS_PER_LAYER_BATCH * (len(layers) - 1) + rows * _per_sample_pass(layers)
    work = 2 * params * per_pass
    if work > settings.max_train_work:
        raise invalid((), f"a finite-difference check of {params} parameters on {rows} samples is too slow for one "
                      "request; check fewer samples or a smaller network")
    return work


def check_landscape(layers: list[int], rows: int, resolution: int, settings: Settings) -> int:
    """resolution² losses over the data set, each a forward pass paying numpy's per-layer cost; returns the
    estimated work (ns)."""
    if resolution > settings.max_landscape_resolution:
        raise invalid(("resolution",), f"at most {settings.max_landscape_resolution} points per axis, got {resolution}")
    per_point = NS_PER_LAYER_BATCH * (len(layers) - 1) + rows * _per_sample_pass(layers)
    work = resolution * resolution * per_point
    if work > settings.max_train_work:
        fit = int((settings.max_train_work / per_point) ** 0.5)
        fit -= 1 - fit % 2
        if fit < 3:
            raise invalid((), "even a 3 × 3 landscape of this network on its data set is too slow for one request: "
                          "use fewer samples or a smaller network")
        raise invalid(("resolution",), f"a {resolution} × {resolution} landscape on {rows} samples is too slow for "
                      f"one request; use a resolution of at most {fit}")
    return work


def check_trace(count: int, settings: Settings) -> int:
    """`count` is the engine's event_count for the network; returns the trace's weight at the admission gate, which
    stands for its memory as much as its time."""
    if count > settings.max_trace_events:
        raise invalid((), f"this network's trace would have {count} events; at most {settings.max_trace_events} "
                      "are allowed: trace a smaller network")
    # memory grows with the events: the largest allowed trace weighs one train budget, so the gate admits about two
    return count * settings.max_train_work // settings.max_trace_events


def check_graph(count: int, settings: Settings) -> int:
    """`count` is the engine's graph_size for the network; a graph node costs about what a trace event does, so the
    trace's cap and gate weight apply."""
    if count > settings.max_trace_events:
        raise invalid((), f"this network's operation graph would have {count} nodes; at most "
                      f"{settings.max_trace_events} are allowed: use a smaller network")
    return count * settings.max_train_work // settings.max_trace_events


def check_nudge(layers: list[int], rows: int, settings: Settings) -> int:
    """A forward and backward pass and one more forward pass over the rows; returns the estimated work (ns)."""
    per_pass = NS_PER_LAYER_BATCH * (len(layers) - 1) + rows * _per_sample_pass(layers)
    work = 4 * per_pass
    if work > settings.max_train_work:
        raise invalid(("samples",), f"a nudge on {rows} samples of this network is too slow for one request: "
                      "pick fewer rows")
    return work
