"""The ready-made networks a user can start from."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.networks import catalogue
from app.schemas import Preset

router = APIRouter(prefix="/api/presets", tags=["presets"])


@router.get("", response_model=list[Preset])
def list_presets() -> list[dict[str, Any]]:
    """Every preset with a one-line description."""
    return catalogue.presets()
