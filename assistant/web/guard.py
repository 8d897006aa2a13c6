"""HTTP guard of the web chat: an ASGI middleware in front of the Gradio app (no Gradio here).

- Requests whose Host is not one this server answers to (the bound address, localhost, a name
  given with --allow-host; any IP address when bound to every interface) are refused, so a
  DNS-rebinding page cannot talk to it; a request that changes something (POST, …) from a page of
  another site (its Origin) is refused too.
- Failed logins slow down per client address: after a few, each further try must wait twice as
  long as the one before (429 with Retry-After), up to five minutes.
- /file= routes serve only files inside Gradio's own upload/cache folder.
- Every response carries a Content-Security-Policy that keeps remote images, frames and
  connections out of the page and the page out of other sites' frames (frame-ancestors 'none',
  X-Frame-Options: DENY).
"""

from __future__ import annotations

import ipaddress
import json
import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; frame-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LOOPBACK = ("localhost", "127.0.0.1", "::1")
WILDCARD = ("0.0.0.0", "::", "")
FILE_ROUTE = re.compile(r"^(?:/gradio_api)?/file[=/](?P<rest>.*)$", re.S)
LOGIN_ROUTE = re.compile(r"^(?:/gradio_api)?/login/?$")


def host_name(value: str) -> str:
    """The name or address in a Host header or URL authority, lower case, without port or brackets."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value[1:]
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return value.rstrip(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class HostPolicy:
    """The names a request's Host may carry."""

    names: frozenset[str]
    any_ip: bool = False  # bound to every interface: any IP address (a rebinding page sends a name)

    @classmethod
    def for_binding(cls, bind: str, *, allow: Iterable[str] = ()) -> HostPolicy:
        bound = host_name(bind)
        names = {*LOOPBACK, *(host_name(a) for a in allow if a.strip())}
        if bound not in WILDCARD:
            names.add(bound)
        return cls(names=frozenset(names), any_ip=bound in WILDCARD)

    def allows(self, host: str | None) -> bool:
        if not host:
            return False
        name = host_name(host)
        return name in self.names or (self.any_ip and _is_ip(name))


@dataclass
class LoginThrottle:
    """Failed logins per client: the first `free` are answered at once; after that each try must
    wait 2, 4, 8 … seconds (at most `cap`) after the last failure. Forgotten after `forget`
    seconds without a failure, and on a successful login."""

    free: int = 3
    cap: float = 300.0
    forget: float = 900.0
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, tuple[int, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, client: str) -> float:
        """Seconds before `client` may try again (0: now)."""
        with self._lock:
            n, last = self._failures.get(client, (0, 0.0))
            now = self.clock()
            if n and now - last > self.forget:
                del self._failures[client]
                return 0.0
            if n < self.free:
                return 0.0
            return max(0.0, last + min(self.cap, 2.0 ** (n - self.free + 1)) - now)

    def failed(self, client: str) -> None:
        with self._lock:
            n, _ = self._failures.get(client, (0, 0.0))
            self._failures[client] = (n + 1, self.clock())
            if len(self._failures) > 10000:  # bounded memory under a flood
                oldest = min(self._failures, key=lambda k: self._failures[k][1])
                del self._failures[oldest]

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)


class Guard:
    """The ASGI middleware (see the module docstring)."""

    def __init__(
        self, app: Any, *, allowed_files: str, hosts: HostPolicy, throttle: LoginThrottle | None = None, hint: str = ""
    ) -> None:
        self.app = app
        self.allowed = os.path.realpath(allowed_files)
        self.hosts = hosts
        self.throttle = throttle or LoginThrottle()
        self.hint = hint

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        refusal = self.refusal(scope, headers)
        if refusal is not None:
            status, text = refusal
            await _reply(scope, send, status, text)
            return
        path = scope.get("path", "")
        client = (scope.get("client") or ("?", 0))[0]
        login = scope["type"] == "http" and scope.get("method") == "POST" and LOGIN_ROUTE.match(path)
        if login and (wait := self.throttle.wait(client)) > 0:
            seconds = math.ceil(round(wait, 3))
            await _reply(
                scope,
                send,
                429,
                json.dumps({"detail": f"Too many failed logins from this address; try again in {seconds} seconds."}),
                extra=[(b"retry-after", str(seconds).encode())],
                kind=b"application/json",
            )
            return

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                if login:
                    status = message.get("status", 500)
                    if status in (400, 401, 403):
                        self.throttle.failed(client)
                    elif status < 300:
                        self.throttle.succeeded(client)
                message = dict(message, headers=_with_security_headers(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, with_headers)

    def refusal(self, scope: dict, headers: dict[str, str]) -> tuple[int, str] | None:
        """(status, text) when the request must not reach the app."""
        host = headers.get("host")
        if not self.hosts.allows(host):
            shown = re.sub(r"[^\w.:\[\]-]", "", host or "")[:100] or "(none)"
            return 403, (f"Refused: this server does not answer to the host name {shown}. {self.hint}").strip()
        origin = headers.get("origin")
        unsafe = scope["type"] == "websocket" or scope.get("method", "GET") not in SAFE_METHODS
        if unsafe and origin is not None:
            name = urlsplit(origin).hostname if origin != "null" else None
            if not name or not self.hosts.allows(name):
                return 403, "Refused: a page of another site (its Origin) may not send requests to this server."
        m = FILE_ROUTE.match(scope.get("path", ""))
        if m and not self.allowed_file(m.group("rest")):
            return 403, "File not allowed."
        return None

    def allowed_file(self, rest: str) -> bool:
        path = rest
        for _ in range(3):
            path = unquote(path)
        if "\x00" in path or "\\" in path or "://" in path or ".." in Path(path).parts:
            return False
        real = os.path.realpath(path)
        return real.startswith(self.allowed + os.sep)


def _with_security_headers(headers: list) -> list:
    drop = (b"content-security-policy", b"referrer-policy", b"x-frame-options", b"x-content-type-options")
    kept = [(k, v) for k, v in headers if k.lower() not in drop]
    return kept + [
        (b"content-security-policy", CSP.encode()),
        (b"referrer-policy", b"no-referrer"),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
    ]


async def _reply(
    scope: dict, send: Callable, status: int, text: str, *, extra: list = (), kind: bytes = b"text/plain; charset=utf-8"
) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    headers = _with_security_headers([(b"content-type", kind), *extra])
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": text.encode("utf-8")})
