"""Liveness for load balancers and container health checks."""

from fastapi import APIRouter

from app.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
async def healthz() -> dict[str, str]:
    """Answers {"status": "ok"} while the process serves requests."""
    return {"status": "ok"}
