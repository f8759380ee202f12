"""The image's smoke test under podman: it serves its pages, runs as uid 10001, keeps networks across a restart and
a new container, follows UVICORN_PORT, turns unhealthy on an unwritable /data, and rebuilds code on cached deps.

Run by `deploy/image.sh check` (make image-check), which sets podman's settings; uses the standard library only.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parent.parent
IMAGE = os.environ["DELTAFLOW_IMAGE"]
WORK = Path(os.environ["DELTAFLOW_IMAGE_WORK"])
PREFIX = f"deltaflow-check-{os.getpid()}"
# only to catch a hang: a container answers within seconds
START_LIMIT = 120.0


def podman(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["podman", *args], capture_output=True, text=True, timeout=600)
    if check and done.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return done


def request(url: str, method: str = "GET", body: Any = None, headers: dict[str, str] | None = None
            ) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def wait_until(holds: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + START_LIMIT
    while not holds():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Check:
    """Containers and volumes made by this run, removed at its end whatever happened."""

    def __init__(self) -> None:
        self.containers: list[str] = []
        self.volumes: list[str] = []
        self.passed = 0

    def ok(self, what: str) -> None:
        self.passed += 1
        print(f"  ok  {what}", flush=True)

    def volume(self) -> str:
        name = f"{PREFIX}-data"
        podman("volume", "create", name)
        self.volumes.append(name)
        return name

    def run(self, name: str, data: str, port: int = 8000, env: dict[str, str] | None = None) -> str:
        """Starts a container with `data` mounted at /data; returns its base URL once /healthz answers."""
        host_port = free_port()
        args = ["run", "-d", "--name", f"{PREFIX}-{name}", "-v", f"{data}:/data", "-p", f"127.0.0.1:{host_port}:{port}"]
        for key, value in (env or {}).items():
            args += ["-e", f"{key}={value}"]
        podman(*args, IMAGE)
        self.containers.append(f"{PREFIX}-{name}")
        url = f"http://127.0.0.1:{host_port}"
        self.wait_live(name, url)
        return url

    def wait_live(self, name: str, url: str) -> None:
        def live() -> bool:
            try:
                return request(url + "/healthz")[0] == 200
            except OSError:
                return False

        wait_until(live, f"{name} answering /healthz")

    def healthcheck(self, name: str) -> bool:
        """The image's HEALTHCHECK, run by hand (no systemd here to schedule it)."""
        return podman("healthcheck", "run", f"{PREFIX}-{name}", check=False).returncode == 0

    def clean(self) -> None:
        for name in self.containers:
            podman("rm", "-f", name, check=False)
        for name in self.volumes:
            podman("volume", "rm", "-f", name, check=False)


def serves_the_app(c: Check) -> str:
    """A fresh container on a named volume: pages, static files, the QR code, uid and health check."""
    volume = c.volume()
    url = c.run("a", volume)
    statics = sorted("/static/" + p.relative_to(ROOT / "static").as_posix()
                     for p in (ROOT / "static").rglob("*") if p.is_file())
    for path in ("/", "/lesson", "/docs", "/openapi.json", *statics):
        status, _ = request(url + path)
        assert status == 200, f"{path}: {status}"
    c.ok(f"/, /lesson, /docs, /openapi.json and all {len(statics)} static files answer 200")
    status, body = request(url + "/readyz")
    ready = json.loads(body)
    assert status == 200 and (ready["status"], ready["store"]) == ("ready", "sqlite"), (status, body)
    status, body = request(url + "/api/networks", "POST", {"preset": "xor", "protected": True})
    mine = json.loads(body)  # a room presents only a protected network, opened with its token
    status, body = request(url + "/api/rooms", "POST", {"network_id": mine["id"]},
                           {"Authorization": f"Bearer {mine['token']}"})
    assert status == 201, (status, body)
    room = json.loads(body)
    status, svg = request(urljoin(url, room["qr_url"]))  # the links are absolute, from the request's host
    assert status == 200 and svg.lstrip().startswith(b"<"), (status, svg[:80])
    c.ok("/readyz is ready on SQLite; a room's QR code is served")
    # published traffic arrives from the bridge's address, as from a proxy on the host: it must not be believed
    spoof = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "evil.example"}
    status, page = request(urljoin(url, room["join_url"]), headers=spoof)
    link = re.search(rb'data-join-link="([^"]*)"', page)
    assert status == 200 and link is not None, (status, page[:200])
    assert link[1].decode() == f"{url}/join/{room['code']}", link[1]
    c.ok("a client's X-Forwarded-Proto does not change the join link")
    uid = podman("exec", f"{PREFIX}-a", "id", "-u").stdout.strip()
    assert uid == "10001", uid
    c.ok("the app runs as uid 10001")
    assert c.healthcheck("a"), "HEALTHCHECK failed on a healthy container"
    c.ok("the HEALTHCHECK passes")
    return volume


def created(url: str) -> str:
    status, body = request(url + "/api/networks", "POST", {"preset": "xor"})
    assert status == 201, (status, body)
    return str(json.loads(body)["id"])


def keeps_networks(c: Check, volume: str) -> None:
    """A network outlives `podman restart` and a new container on the same volume, which follows UVICORN_PORT."""
    url = f"http://127.0.0.1:{podman('port', f'{PREFIX}-a', '8000/tcp').stdout.strip().rsplit(':', 1)[1]}"
    network_id = created(url)
    podman("restart", "-t", "10", f"{PREFIX}-a")
    url = f"http://127.0.0.1:{podman('port', f'{PREFIX}-a', '8000/tcp').stdout.strip().rsplit(':', 1)[1]}"
    c.wait_live("a", url)
    assert request(f"{url}/api/networks/{network_id}")[0] == 200
    c.ok("a network survives podman restart")
    podman("rm", "-f", f"{PREFIX}-a")
    url = c.run("b", volume, port=9000, env={"UVICORN_PORT": "9000"})
    assert request(f"{url}/api/networks/{network_id}")[0] == 200
    c.ok("a new container on the same volume has it, serving on UVICORN_PORT=9000")
    assert c.healthcheck("b"), "HEALTHCHECK failed on UVICORN_PORT=9000"
    c.ok("the HEALTHCHECK follows UVICORN_PORT")


def unwritable_data_is_unhealthy(c: Check) -> None:
    """A root-owned bind mount at /data: alive, but not ready, so the HEALTHCHECK fails and a write is a 503."""
    folder = Path(tempfile.mkdtemp(prefix="deltaflow-root-data-"))
    try:
        folder.chmod(0o755)
        url = c.run("c", str(folder))
        assert not c.healthcheck("c"), "HEALTHCHECK passed although /data is not writable"
        status, body = request(url + "/readyz")
        assert status == 503, (status, body)
        status, body = request(url + "/api/networks", "POST", {"preset": "xor"})
        assert status == 503, (status, body)
        c.ok("an unwritable /data fails the HEALTHCHECK; writes answer 503, not 500")
    finally:
        podman("rm", "-f", f"{PREFIX}-c", check=False)
        shutil.rmtree(folder, ignore_errors=True)


def code_change_reuses_dependencies(c: Check) -> None:
    """A change to app/ only rebuilds from the code on: the dependency step comes from the build cache."""
    tag = "localhost/deltaflow:check-rebuild"
    with tempfile.TemporaryDirectory(prefix="deltaflow-context-") as tmp:
        context = Path(tmp)
        for name in ("Dockerfile", ".dockerignore", "pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, context / name)
        for name in ("requirements", "app", "static", "templates"):
            shutil.copytree(ROOT / name, context / name, ignore=shutil.ignore_patterns("__pycache__"))
        with (context / "app" / "__init__.py").open("a") as fh:
            fh.write(f"# a code-only change {time.time()}\n")
        started = time.monotonic()
        done = subprocess.run([str(ROOT / "deploy" / "image.sh"), "build", str(context)], capture_output=True,
                              text=True, env={**os.environ, "DELTAFLOW_IMAGE": tag}, timeout=900)
        seconds = time.monotonic() - started
    try:
        assert done.returncode == 0, done.stdout + done.stderr
        log = (WORK / "build-check-rebuild.log").read_text()
        deps = re.search(r"RUN pip install --require-hashes[^\n]*\n(?P<next>[^\n]*)", log)
        assert deps is not None and "Using cache" in deps["next"], f"dependency step was rebuilt:\n{log}"
        code = re.search(r"RUN pip install --no-deps[^\n]*\n(?P<next>[^\n]*)", log)
        assert code is not None and "Using cache" not in code["next"], f"code step came from the cache:\n{log}"
        c.ok(f"a code-only rebuild takes the dependency layer from the cache ({seconds:.1f} s)")
    finally:
        podman("rmi", tag, check=False)


def main() -> int:
    c = Check()
    try:
        volume = serves_the_app(c)
        keeps_networks(c, volume)
        unwritable_data_is_unhealthy(c)
        code_change_reuses_dependencies(c)
    except AssertionError as err:
        print(f"image check FAILED after {c.passed} good checks: {err}", file=sys.stderr)
        return 1
    finally:
        c.clean()
    print(f"image check: all {c.passed} checks good")
    return 0


if __name__ == "__main__":
    sys.exit(main())
