"""What the engine allows and how to show it: activations, losses, optimizers, quantities, the limits, the quiz."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.deps import SettingsDep
from app.networks import catalogue
from app.schemas import Meta

router = APIRouter(prefix="/api/meta", tags=["meta"])


@router.get("", response_model=Meta)
def get_meta(settings: SettingsDep) -> dict[str, Any]:
    """The engine's registries (names, LaTeX, colour scales), every max_* limit of this server, and how near a
    prediction must be to count in the class quiz."""
    return catalogue.meta(settings)
