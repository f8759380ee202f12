"""compose.yaml cannot be brought up on this machine (no image registry), so it is held to the Dockerfile here:
the port, the environment the app reads, the health check on /readyz and the proxy's trust."""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()
NGINX = (ROOT / "deploy" / "nginx.conf").read_text()
# variables the app or uvicorn read, as documented in docs/deploy.md's table
DOCUMENTED = set(re.findall(r"^\| `([A-Z_]+)` \|", (ROOT / "docs" / "deploy.md").read_text(), re.MULTILINE))


def dockerfile_env() -> dict[str, str]:
    """The image's ENV, with continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(dict(pair.split("=", 1) for pair in line[4:].split()))
    return env


def instruction(name: str) -> str:
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    found = [line for line in text.splitlines() if line.startswith(name + " ")]
    assert len(found) == 1, f"{name}: {found}"
    return found[0][len(name) + 1:]


def environment(service: str) -> dict[str, str]:
    env = COMPOSE["services"][service].get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def test_the_app_listens_where_compose_and_nginx_expect() -> None:
    port = environment("app").get("UVICORN_PORT", dockerfile_env()["UVICORN_PORT"])
    assert instruction("EXPOSE") == dockerfile_env()["UVICORN_PORT"]
    assert COMPOSE["services"]["app"]["expose"] == [port]
    assert re.search(rf"^\s*server app:{port};", NGINX, re.MULTILINE), "nginx's upstream is not app:" + port
    assert "ports" not in COMPOSE["services"]["app"], "replicas are reached through the proxy only"


def test_the_app_environment_is_what_the_app_reads() -> None:
    env = environment("app")
    assert set(env) <= DOCUMENTED, f"undocumented variables: {set(env) - DOCUMENTED}"
    redis_url = env["DELTAFLOW_REDIS_URL"]
    assert redis_url.startswith("redis://redis:"), redis_url
    assert "redis" in COMPOSE["services"]
    assert int(env["WEB_CONCURRENCY"]) >= 1
    # replicas share Redis, not a volume: no SQLite path that the replicas would each keep apart
    assert "DELTAFLOW_DB" not in env and "volumes" not in COMPOSE["services"]["app"]


def test_only_the_projects_own_network_is_trusted_for_forwarded_headers() -> None:
    assert dockerfile_env()["FORWARDED_ALLOW_IPS"] == "127.0.0.1"
    trusted = environment("app")["FORWARDED_ALLOW_IPS"]
    assert "*" not in trusted
    subnets = [ipaddress.ip_network(c["subnet"]) for c in COMPOSE["networks"]["default"]["ipam"]["config"]]
    for entry in trusted.split(","):
        net = ipaddress.ip_network(entry.strip())
        assert any(net.network_address in s and net.broadcast_address in s for s in subnets), entry
    assert "X-Forwarded-Proto $scheme" in NGINX


def test_health_checks_gate_the_start_order() -> None:
    services = COMPOSE["services"]
    # the app's health check is the image's own: /readyz on the configured port
    assert "healthcheck" not in services["app"]
    check = instruction("HEALTHCHECK")
    assert "/readyz" in check and "UVICORN_PORT" in check
    assert services["app"]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert services["proxy"]["depends_on"]["app"]["condition"] == "service_healthy"
    assert services["redis"]["healthcheck"]["test"][:2] == ["CMD", "redis-cli"]
    assert services["app"]["build"] == "."


def test_redis_refuses_writes_when_full_instead_of_evicting_networks() -> None:
    command = COMPOSE["services"]["redis"]["command"]
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"
    assert command[command.index("--maxmemory") + 1].endswith("mb")
