"""What the page may choose from: the engine's registries, the server's limits, the quiz's tolerance and the presets."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from app.config import Settings
from app.engine.functions import catalogue
from app.engine.presets import PRESETS
from app.rooms.scoring import tolerances


def meta(settings: Settings) -> dict[str, Any]:
    """GET /api/meta: the registries (names, LaTeX, colour scales), every max_* limit, and the quiz's tolerance."""
    limits = {name: value for name, value in asdict(settings).items() if name.startswith("max_")}
    return {**catalogue(), "limits": limits, "quiz": tolerances()}


def presets() -> list[dict[str, Any]]:
    """GET /api/presets: every preset with a one-line description and its size."""
    return [
        {"name": name, "description": p["description"], "layers": p["layers"], "activations": p["activations"],
         "loss": p["loss"], "learning_rate": p["learning_rate"], "samples": len(p["dataset"]["inputs"]),
         "reference": p.get("reference")}
        for name, p in PRESETS.items()
    ]
