"""deploy/nginx.conf, as shipped, in front of the two Redis-backed apps: SSE passes through unbuffered.

Skipped when nginx is not installed (the image runs it; CI need not).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.rooms.conftest import SSEReader, bearer, new_room
from tests.support import ROOT, Process, answers_http, free_port

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
        f"pid {d}/nginx.pid;\nerror_log stderr warn;\nworker_processes 1;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n"
        f"  fastcgi_temp_path {d}/fcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n"
        f"  include {d}/site.conf;\n}}\n")
    url = f"http://127.0.0.1:{port}"
    with Process.start([NGINX, "-p", str(d), "-c", str(d / "nginx.conf"), "-g", "daemon off;"], d / "nginx.log",
                       lambda: answers_http(f"{url}/healthz"), port=port, url=url) as nginx:
        yield nginx.url


def test_events_pass_the_proxy_at_once_and_in_order(proxy: str, readers: list[SSEReader]) -> None:
    _, room = new_room(proxy)
    code = room["code"]
    follower = SSEReader(proxy, f"/api/rooms/{code}/events")
    readers.append(follower)
    assert follower.status == 200
    follower.next()
    with httpx.Client(base_url=proxy) as presenter:
        for position in range(1, 11):
            r = presenter.post(f"/api/rooms/{code}/state", headers=bearer(room), json={"position": position})
            assert r.status_code == 200
            # each state arrives before the next is sent: a buffering proxy would hold it until its buffer fills
            assert follower.next().data["position"] == position
    assert httpx.get(f"{proxy}/api/rooms/{code}/qr.svg").status_code == 200
