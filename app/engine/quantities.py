"""The quantities DeltaFlow shows on the figure, one record each: symbol, words, colour scale and where it lives.

The trace emits one event per element of each traced quantity (the order is TRACE_ORDER), so the number of
events of a network is known from these records before any work is done; /api/meta hands them to the page.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quantity:
    """A per-node, per-edge or per-bias quantity of the lecture's notation."""

    name: str
    symbol: str  # plain text with the lecture's indices
    latex: str
    words: str
    scale: str  # "diverging" for signed values centred on 0, "sequential" for activations
    on: str  # "node", "edge" (one per weight) or "bias"
    first_layer: int = 2  # 1 where the input layer has it too


QUANTITIES: dict[str, Quantity] = {
    q.name: q
    for q in (
        Quantity("a", "a_j^l", "a_j^l", "activation: the node's output, f(z); on the input layer the input x_j",
                 "sequential", "node", first_layer=1),
        Quantity("z", "z_j^l", "z_j^l", "weighted input: Σ_i w_ji a_i plus the bias", "diverging", "node"),
        Quantity("delta", "δ_j^l", r"\delta_j^l", "error signal: the loss's derivative by the weighted input",
                 "diverging", "node"),
        Quantity("grad_a", "∂L/∂a_j^l", r"\frac{\partial \mathcal{L}}{\partial a_j^l}",
                 "the loss's derivative by the node's output", "diverging", "node", first_layer=1),
        Quantity("w", "w_ji^l", "w_{ji}^l", "weight from node i of layer l−1 to node j of layer l",
                 "diverging", "edge"),
        Quantity("grad_w", "∂L/∂w_ji^l", r"\frac{\partial \mathcal{L}}{\partial w_{ji}^l}",
                 "the loss's derivative by the weight: a_i^{l−1} δ_j^l", "diverging", "edge"),
        Quantity("b", "b_j^l", "b_j^l", "bias of node j of layer l", "diverging", "bias"),
        Quantity("grad_b", "∂L/∂b_j^l", r"\frac{\partial \mathcal{L}}{\partial b_j^l}",
                 "the loss's derivative by the bias: δ_j^l", "diverging", "bias"),
    )
}

# (phase, quantity) in the trace's order; "loss" is the one event that is not per element
TRACE_ORDER: tuple[tuple[str, str], ...] = (
    ("forward", "a"), ("forward", "z"), ("loss", "loss"), ("backward", "grad_a"), ("backward", "delta"),
    ("backward", "grad_w"), ("backward", "grad_b"), ("update", "w"), ("update", "b"),
)


def elements(quantity: str, layers: list[int]) -> int:
    """How many values of a quantity a network with these layer sizes has."""
    if quantity == "loss":
        return 1
    q = QUANTITIES[quantity]
    if q.on == "edge":
        return sum(m * n for m, n in zip(layers[:-1], layers[1:], strict=True))
    return sum(layers[q.first_layer - 1 :])


def event_count(layers: list[int], train_biases: bool = True) -> int:
    """How many events the trace of one sample has: one per element of each traced quantity."""
    return sum(elements(q, layers) for phase, q in TRACE_ORDER if train_biases or (phase, q) != ("update", "b"))
