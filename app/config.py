"""Settings read from the environment once at start-up, with the limits every request is held to."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _hosts(raw: str | None) -> tuple[str, ...]:
    listed = [h.strip().lower() for h in (raw or "").split(",") if h.strip()]
    public = urlsplit(os.environ.get("DELTAFLOW_PUBLIC_URL") or "").hostname
    return tuple(dict.fromkeys(["localhost", "127.0.0.1", "::1", *([public] if public else []), *listed]))


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


def _rate(name: str, default: str) -> tuple[int, int]:
    """(count, seconds) from "count/seconds", e.g. "10/10"; each at least 1."""
    count, _, seconds = (os.environ.get(name) or default).partition("/")
    return max(1, int(count)), max(1, int(seconds or 10))


@dataclass(frozen=True)
class Settings:
    """Where networks are kept and how much work one request may ask for."""

    db_path: str = field(default_factory=lambda: os.environ.get("DELTAFLOW_DB", "deltaflow.db"))
    redis_url: str | None = field(default_factory=lambda: os.environ.get("DELTAFLOW_REDIS_URL") or None)
    cors_origins: tuple[str, ...] = field(
        default_factory=lambda: tuple(o for o in os.environ.get("DELTAFLOW_CORS_ORIGINS", "").split(",") if o)
    )
    expiry_days: int = field(default_factory=lambda: _int("DELTAFLOW_EXPIRY_DAYS", 30))
    # classroom rooms: idle lifetime, SSE keep-alive period, and the public base URL for join links and QR codes
    room_ttl_seconds: int = field(default_factory=lambda: _int("DELTAFLOW_ROOM_TTL_HOURS", 12) * 3600)
    sse_keepalive_seconds: float = field(default_factory=lambda: _float("DELTAFLOW_SSE_KEEPALIVE", 15))
    # at most one followers-count event per room this often to the presenter's view (followers: 8 times slower)
    tally_interval_seconds: float = field(default_factory=lambda: _float("DELTAFLOW_TALLY_INTERVAL", 0.25))
    # with Redis, each process beats this often; a process that misses 4 beats has its followers counted out
    room_heartbeat_seconds: float = field(default_factory=lambda: _float("DELTAFLOW_ROOM_HEARTBEAT", 10))
    # the class quiz: (answers, seconds) one follower identity may send per window; a question takes one answer
    # per identity the room has issued
    quiz_answer_rate: tuple[int, int] = field(default_factory=lambda: _rate("DELTAFLOW_QUIZ_RATE", "10/10"))
    # (copies, seconds): "Try it myself" forks one follower identity may make per window
    fork_budget: tuple[int, int] = field(default_factory=lambda: _rate("DELTAFLOW_FORKS_PER_FOLLOWER", "5/60"))
    # how long one call to Redis may wait (connecting, or for an answer) before it fails and the request gets 503:
    # a stalled redis-server must not hold a thread of the pool for ever
    redis_timeout_seconds: float = field(default_factory=lambda: _float("DELTAFLOW_REDIS_TIMEOUT", 5))
    public_url: str | None = field(
        default_factory=lambda: (os.environ.get("DELTAFLOW_PUBLIC_URL") or "").rstrip("/") or None)
    # hosts this server answers for (a Host header elsewhere could put a stranger's address in join links);
    # "*" allows any; the loopback names and DELTAFLOW_PUBLIC_URL's host are always allowed
    allowed_hosts: tuple[str, ...] = field(default_factory=lambda: _hosts(os.environ.get("DELTAFLOW_ALLOWED_HOSTS")))
    # per client address and minute (app/quotas.py): networks created, rooms opened, unknown room codes tried
    quota_networks: int = field(default_factory=lambda: _int("DELTAFLOW_QUOTA_NETWORKS", 600))
    quota_rooms: int = field(default_factory=lambda: _int("DELTAFLOW_QUOTA_ROOMS", 60))
    quota_room_misses: int = field(default_factory=lambda: _int("DELTAFLOW_QUOTA_ROOM_MISSES", 300))
    # follower identities one address may mint a minute: a class behind one NAT address joins from it
    quota_followers: int = field(default_factory=lambda: _int("DELTAFLOW_QUOTA_FOLLOWERS", 400))
    max_body_bytes: int = 1_000_000
    # POST /api/networks only: the largest network's GET answer posted back, 100,000 parameters and Adam's two
    # state vectors and a data set of max_dataset_values numbers, at most 25 characters each, is under 21 MB
    max_network_body_bytes: int = 24_000_000
    max_layers: int = 10
    max_nodes: int = 256
    max_samples: int = 100_000
    max_dataset_values: int = 500_000  # inputs and targets of a data set: what a 1 MB body held at most before
    max_iterations: int = 100_000
    max_batch_detail: int = 1_000  # samples per forward/backward call with per-sample details
    max_predict_rows: int = 10_000
    max_trace_events: int = 100_000
    max_landscape_resolution: int = 101  # points per axis of /landscape
    max_parameters: int = 100_000  # weights and biases of one network: every request on it stays well under 10 s
    max_response_values: int = 500_000  # numbers in per-sample details, train snapshots or predictions
    # estimated cost of one train or gradcheck call in ns on the reference machine (app/networks/limits.py):
    # 5 s of budget keeps the slowest accepted call under 10 s on 2 busy cores (docs/limits.md); a faster host
    # may allow more with DELTAFLOW_MAX_TRAIN_WORK
    max_train_work: int = field(default_factory=lambda: _int("DELTAFLOW_MAX_TRAIN_WORK", 5_000_000_000))
    # the admission gate (app/networks/admission.py): heavy work admitted at once per process, in the same estimated
    # ns (about two worst-case requests on 2 cores), and how long a request may wait for room before a 503
    gate_capacity: int = field(default_factory=lambda: _int("DELTAFLOW_GATE_CAPACITY", 10_000_000_000))
    gate_wait_seconds: float = field(default_factory=lambda: float(os.environ.get("DELTAFLOW_GATE_WAIT") or 2))
    # threads admitted heavy work runs on, apart from the pool that light requests use
    heavy_threads: int = field(default_factory=lambda: max(1, _int("DELTAFLOW_HEAVY_THREADS", 4)))
    # finished training runs kept per process for identical requests (0: none), and the bytes they may hold
    train_cache_entries: int = field(default_factory=lambda: _int("DELTAFLOW_TRAIN_CACHE", 256))
    train_cache_bytes: int = 64_000_000


def get_settings() -> Settings:
    return Settings()
