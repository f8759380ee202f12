"""The HTML page and the front-end assets that do not live in static/."""

from fastapi import APIRouter

router = APIRouter(tags=["pages"])
