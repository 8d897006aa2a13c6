"""The web chat's HTTP guard as an ASGI middleware, in front of a minimal ASGI app (the stand-in
for Gradio): which Host and Origin headers are refused, the security headers, and the slow-down
of failed logins. The same guard in front of the real app: tests/test_web.py."""

from __future__ import annotations

import asyncio

import pytest

from assistant.web.guard import CSP, Guard, HostPolicy, LoginThrottle, host_name


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def downstream(scope, receive, send):
    """Answers 200, or 400 to a login whose password is not "right" (as Gradio's /login does)."""
    status = 200
    if scope["path"] == "/login":
        body = (await receive()).get("body", b"")
        status = 200 if b"password=right" in body else 400
    await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


def call(
    guard: Guard,
    path: str = "/",
    *,
    method: str = "GET",
    host: str | None = "127.0.0.1:7860",
    origin: str | None = None,
    body: bytes = b"",
    client: str = "10.0.0.1",
) -> tuple[int, dict, bytes]:
    headers = [(b"host", host.encode())] if host is not None else []
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    scope = {"type": "http", "method": method, "path": path, "headers": headers, "client": (client, 5555)}
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(guard(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    out = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, out


def guard(bind: str = "127.0.0.1", allow: tuple[str, ...] = (), clock: Clock | None = None) -> Guard:
    throttle = LoginThrottle(clock=clock or Clock())
    return Guard(
        downstream,
        allowed_files="/nonexistent-upload-folder",
        hosts=HostPolicy.for_binding(bind, allow=allow),
        throttle=throttle,
    )


@pytest.mark.parametrize(
    "value, name",
    [
        ("127.0.0.1:7860", "127.0.0.1"),
        ("LOCALHOST", "localhost"),
        ("[::1]:7860", "::1"),
        ("example.org.", "example.org"),
        ("::1", "::1"),
    ],
)
def test_host_name(value, name):
    assert host_name(value) == name


@pytest.mark.parametrize(
    "bind, allow, host, ok",
    [
        ("127.0.0.1", (), "127.0.0.1:7860", True),
        ("127.0.0.1", (), "localhost:7860", True),
        ("127.0.0.1", (), "[::1]:7860", True),
        ("127.0.0.1", (), "attacker.example", False),  # DNS rebinding
        ("127.0.0.1", (), "attacker.example:7860", False),
        ("127.0.0.1", (), "localhost.attacker.example", False),
        ("127.0.0.1", (), "192.168.1.20:7860", False),
        ("127.0.0.1", (), None, False),
        ("127.0.0.1", ("chat.example.org",), "chat.example.org", True),
        ("0.0.0.0", (), "192.168.1.20:7860", True),  # every interface: any address
        ("0.0.0.0", (), "[fe80::1]:7860", True),
        ("0.0.0.0", (), "attacker.example", False),  # but names only when allowed
        ("192.168.1.20", (), "192.168.1.20:7860", True),
        ("192.168.1.20", (), "10.0.0.5:7860", False),
    ],
)
def test_requests_for_other_hosts_are_refused(bind, allow, host, ok):
    status, headers, body = call(guard(bind, allow), host=host)
    assert (status == 200) is ok, (host, status, body)
    if not ok:
        assert status == 403 and b"does not answer to the host name" in body
        assert headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    "method, origin, ok",
    [
        ("POST", None, True),  # gradio_client, curl
        ("POST", "http://127.0.0.1:7860", True),  # the page itself
        ("POST", "http://localhost:7860", True),
        ("POST", "https://evil.example", False),  # a page of another site
        ("POST", "null", False),  # a sandboxed frame or file
        ("GET", "https://evil.example", True),  # reading is left to CORS
    ],
)
def test_changes_from_pages_of_other_sites_are_refused(method, origin, ok):
    status, _, _ = call(guard(), "/gradio_api/queue/join", method=method, origin=origin)
    assert (status == 200) is ok


def test_every_response_forbids_framing_and_remote_content():
    status, headers, _ = call(guard())
    assert status == 200
    assert "frame-ancestors 'none'" in headers["content-security-policy"] == CSP
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"


def test_file_route_refuses_paths_outside_the_upload_folder():
    for path in ("/gradio_api/file=/etc/passwd", "/file=../../etc/passwd", "/gradio_api/file/%2e%2e/etc/passwd"):
        assert call(guard(), path)[0] == 403


def test_failed_logins_slow_down_per_client():
    clock = Clock()
    g = guard(clock=clock)

    def login(password: str, client: str = "10.0.0.1") -> tuple[int, dict]:
        status, headers, _ = call(
            g, "/login", method="POST", body=f"username=a&password={password}".encode(), client=client
        )
        return status, headers

    assert [login("wrong")[0] for _ in range(3)] == [400, 400, 400]  # the first few at once
    status, headers = login("right")
    assert status == 429 and headers["retry-after"] == "2"  # then even the right one waits
    assert login("wrong", client="10.0.0.2")[0] == 400  # another client is not held up
    clock.now += 2.1
    assert login("wrong")[0] == 400  # the 4th failure …
    assert login("wrong")[1].get("retry-after") == "4"  # … doubles the wait
    clock.now += 4.1
    assert login("wrong")[0] == 400
    waits = []
    for _ in range(12):
        status, headers = login("wrong")
        waits.append(int(headers["retry-after"]))
        clock.now += waits[-1] + 0.1
        login("wrong")
    assert waits[:3] == [8, 16, 32] and max(waits) == 300  # capped at five minutes
    assert login("right")[0] == 429
    clock.now += 300.1
    assert login("right")[0] == 200  # after the wait, a right password works
    assert login("wrong")[0] == 400 and login("wrong")[0] == 400  # and the count starts again


def test_two_hundred_wrong_passwords_take_minutes_not_seconds():
    clock = Clock()
    g = guard(clock=clock)
    answered = 0
    for _ in range(200):
        status, _, _ = call(g, "/login", method="POST", body=b"username=a&password=guess")
        answered += status == 400
        clock.now += 0.015  # 200 tries in 3 s
    assert answered <= 5
