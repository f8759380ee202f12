"""The ready-made networks a user can start from."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.engine.presets import PRESETS
from app.schemas import Preset

router = APIRouter(prefix="/api/presets", tags=["presets"])


@router.get("", response_model=list[Preset])
def list_presets() -> list[dict[str, Any]]:
    """Every preset with a one-line description."""
    return [
        {"name": name, "description": p["description"], "layers": p["layers"], "activations": p["activations"],
         "loss": p["loss"], "learning_rate": p["learning_rate"], "samples": len(p["dataset"]["inputs"]),
         "reference": p.get("reference")}
        for name, p in PRESETS.items()
    ]
