"""Compatibility names for code written before app/networks: the rooms routes still import these from here.

New code imports ApiError from app.errors and public_state from app.networks.
"""

from app.errors import ApiError
from app.networks.model import public_state

__all__ = ["ApiError", "public_state"]
