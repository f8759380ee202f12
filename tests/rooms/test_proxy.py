"""deploy/nginx.conf, as shipped, in front of the two Redis-backed apps: SSE passes through unbuffered.

Skipped when nginx is not installed (the image runs it; CI need not).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.redis_server import free_port
from tests.rooms.conftest import ROOT, SSEReader, bearer, new_room

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@pytest.fixture(scope="module")
def proxy(redis_apps: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if NGINX is None:
        pytest.skip("nginx is not installed")
    d = tmp_path_factory.mktemp("nginx")
    d.chmod(0o777)
    port = free_port()
    a, b = (u.removeprefix("http://") for u in redis_apps)
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server app:8000;" in site and "listen 80;" in site
    site = site.replace("server app:8000;", f"server {a};\n    server {b};")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    (d / "site.conf").write_text(site)
    (d / "nginx.conf").write_text(
        f"pid {d}/nginx.pid;\nerror_log {d}/error.log warn;\nworker_processes 1;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n"
        f"  fastcgi_temp_path {d}/fcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n"
        f"  include {d}/site.conf;\n}}\n")
    proc = subprocess.Popen([NGINX, "-p", str(d), "-c", str(d / "nginx.conf"), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"nginx did not start: {(d / 'error.log').read_text(errors='replace')[-2000:]}")
        time.sleep(0.1)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_events_pass_the_proxy_at_once_and_in_order(proxy: str, readers: list[SSEReader]) -> None:
    _, room = new_room(proxy)
    code = room["code"]
    follower = SSEReader(proxy, f"/api/rooms/{code}/events")
    readers.append(follower)
    assert follower.status == 200
    follower.next()
    with httpx.Client(base_url=proxy) as presenter:
        for position in range(1, 11):
            sent = time.monotonic()
            r = presenter.post(f"/api/rooms/{code}/state", headers=bearer(room), json={"position": position})
            assert r.status_code == 200
            event = follower.next(timeout=2)
            assert event.data["position"] == position
            assert event.at - sent < 1.0  # a buffering proxy would hold events back until its buffer fills
    assert httpx.get(f"{proxy}/api/rooms/{code}/qr.svg").status_code == 200
