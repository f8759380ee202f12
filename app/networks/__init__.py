"""The network use cases between the routes and the engine: a typed model of a stored network, building and
editing it, choosing samples, limits and the cost model, and the one divergence rule. No HTTP here.
"""

from app.networks.model import NetworkModel, public_state

__all__ = ["NetworkModel", "public_state"]
