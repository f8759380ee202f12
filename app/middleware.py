"""ASGI middleware: only the configured hosts, per-address budgets, HEAD answered wherever GET is, a request body
limit enforced while reading, and the browser security headers."""

from __future__ import annotations

import json
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.quotas import Budgets, Quota

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


async def _refuse(send: Send, status: int, detail: str, headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuses bodies over `limit` bytes with 413: by Content-Length up front, or, for a body sent without one
    (chunked), by reading it here, at most `limit` bytes, before the app sees any of it.

    (Raising from inside the app's receive would not do: FastAPI turns errors while reading a body into 400.)
    """

    def __init__(self, app: ASGIApp, limit: int, larger: dict[tuple[str, str], int] | None = None) -> None:
        self.app = app
        self.default = limit
        self.larger = larger or {}  # (method, path): a limit of its own

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get((scope["method"], scope["path"]), self.default)
        headers = dict(scope.get("headers", []))
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > limit
            except ValueError:
                too_big = False
            if too_big:
                await _refuse(send, 413, f"request body too large: at most {limit} bytes")
                return
            await self.app(scope, receive, send)  # the server reads no more than Content-Length
            return
        if b"chunked" not in headers.get(b"transfer-encoding", b"").lower():
            await self.app(scope, receive, send)  # no body at all
            return
        chunks: list[bytes] = []
        seen = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > limit:
                await _refuse(send, 413, f"request body too large: at most {limit} bytes")
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class SecurityHeaders:
    """Adds CSP, nosniff, referrer and framing headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


class HeadAsGet:
    """Answers HEAD on every path that answers GET: the GET response's status and headers, without its body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        with anyio.CancelScope() as answered:

            async def headers_only(message: Message) -> None:
                if message["type"] != "http.response.body":
                    await send(message)
                    return
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                answered.cancel()  # a stream (room events) would otherwise run on, and count a follower

            await self.app({**scope, "method": "GET"}, receive, headers_only)


def host_name(host: str) -> str:
    """The name in a Host header, without its port ("[::1]:8000" -> "::1")."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class AllowedHosts:
    """Refuses requests whose Host is not one this server answers for, so no link is built from a forged one."""

    def __init__(self, app: ASGIApp, hosts: tuple[str, ...]) -> None:
        self.app = app
        self.any = "*" in hosts
        self.hosts = frozenset(hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.any:
            await self.app(scope, receive, send)
            return
        host = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1")
        if host_name(host) in self.hosts:
            await self.app(scope, receive, send)
            return
        await _refuse(send, 400, f"host '{host[:100]}' is not served here: add it to DELTAFLOW_ALLOWED_HOSTS "
                                 "(or set DELTAFLOW_PUBLIC_URL) on the server")


class Quotas:
    """Holds each client address to the server's budgets (app.quotas): 429 with Retry-After while over one."""

    def __init__(self, app: ASGIApp, quotas: tuple[Quota, ...], budgets: Budgets | None = None) -> None:
        self.app = app
        self.quotas = quotas
        self.budgets = budgets or Budgets()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = f"{scope['method']} {scope['path']}"
        address = (scope.get("client") or ("unknown",))[0]
        for quota in self.quotas:
            wait = self.budgets.retry_after(quota, address) if quota.guarded.match(request) else None
            if wait is not None:
                await _refuse(send, 429, f"too many {quota.what} from this address: at most {quota.limit} a minute; "
                                         f"retry in {wait} s", ((b"retry-after", str(wait).encode()),))
                return
        counted = [q for q in self.quotas if q.counted.match(request)]
        if not counted:
            await self.app(scope, receive, send)
            return
        status = 0

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receive, noting_status)
        for quota in counted:
            if quota.counts(status):
                self.budgets.count(quota, address)
