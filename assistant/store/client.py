"""Connecting to Chroma: an embedded client on a folder, or an HTTP client for a `chroma run`
server with limits on every call (chromadb's own HTTP client sets none)."""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import chromadb
import httpx
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from ..embed import Embedder
from ..errors import IndexError_
from .faults import index_error, short_reason
from .files import check_index_files


class ChromaEmbedding(EmbeddingFunction[Documents]):
    """Chroma's view of our embedder (so Chroma never falls back to its downloading default)."""

    def __init__(self, embedder: Embedder | None = None, name: str = "assistant") -> None:
        self.embedder = embedder
        self._name = name

    def __call__(self, input: Documents) -> Embeddings:
        if self.embedder is None:
            raise IndexError_("no embedding model is loaded for this index; pass embeddings explicitly")
        return [row for row in self.embedder.embed(list(input))]

    @staticmethod
    def name() -> str:
        return "assistant-sentence-embedder"

    def get_config(self) -> dict[str, Any]:
        return {"model": self._name}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> ChromaEmbedding:
        return ChromaEmbedding(None, config.get("model", "assistant"))

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"


@dataclass(frozen=True, slots=True)
class ServerAddress:
    """A Chroma server URL split into what HttpClient needs; `shown` has no credentials."""

    base: str
    port: int
    ssl: bool
    headers: dict[str, str]
    shown: str


def server_address(url: str) -> ServerAddress:
    """Parse http(s)://[user:password@]HOST[:PORT][/PATH] (the port defaults to 8000 for http,
    443 for https; user and password become an HTTP basic-auth header for a reverse proxy)."""
    parsed = urlparse(url if "://" in url else f"http://{url}")
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise IndexError_(f"{url!r} is not a Chroma server URL; expected http://HOST:PORT or https://HOST[/PATH]")
    ssl = parsed.scheme == "https"
    try:
        port = parsed.port or (443 if ssl else 8000)
    except ValueError as exc:
        raise IndexError_(f"{url!r}: the port is not a number") from exc
    host = f"[{parsed.hostname}]" if ":" in parsed.hostname else parsed.hostname
    path = parsed.path.rstrip("/")
    headers = {}
    if parsed.username is not None:
        user_pass = f"{unquote(parsed.username)}:{unquote(parsed.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(user_pass.encode()).decode()
    shown = f"{parsed.scheme}://{host}:{port}{path}"
    return ServerAddress(base=shown, port=port, ssl=ssl, headers=headers, shown=shown)


def open_client(
    *,
    index_dir: Path,
    chroma_url: str | None,
    create: bool = True,
    connect_timeout: float = 10.0,
    timeout: float = 120.0,
) -> Any:
    """An embedded client on `index_dir`, or an HTTP client for a `chroma run` server whose every
    call gives up after `connect_timeout` seconds to connect and `timeout` seconds to answer.
    Without `create`, a missing index folder is an error (it is never made empty and answered
    from). The embedded index's files are checked before Chroma reads them: a damaged file is
    an IndexError_ saying how to rebuild, never a crash."""
    settings = chromadb.config.Settings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        return _http_client(server_address(chroma_url), settings, connect_timeout=connect_timeout, timeout=timeout)
    database = index_dir / "chroma.sqlite3"
    if not create:
        if not index_dir.is_dir():
            raise IndexError_(
                f"{index_dir}: no such index folder; build one with `assistant ingest FILES --index "
                f"{index_dir}`, or point --index / ASSISTANT_INDEX at an existing index"
            )
        if not database.exists():
            raise IndexError_(
                f"{index_dir}: not an index (it has no chroma.sqlite3); build one with "
                f"`assistant ingest FILES --index {index_dir}`, or check --index / ASSISTANT_INDEX"
            )
    elif index_dir.exists() and not index_dir.is_dir():
        raise IndexError_(f"{index_dir}: not a folder; give --index a folder for the index")
    check_index_files(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(index_dir), settings=settings)
    except Exception as exc:  # the Rust core raises several kinds; all mean the same here
        raise index_error(str(index_dir), exc, opening=True) from exc


def _http_client(address: ServerAddress, settings: Any, *, connect_timeout: float, timeout: float) -> Any:
    """Ask the server's heartbeat (so a server that is down, frozen or not Chroma at all is told
    apart), then build the client with the same time limits."""
    limits = httpx.Timeout(timeout, connect=connect_timeout)
    url = f"{address.base}/api/v2/heartbeat"
    advice = (
        "start it with `chroma run --path DIR --host HOST --port N`, check the URL, or unset "
        "--chroma-url / ASSISTANT_CHROMA_URL to use the embedded index"
    )
    try:
        response = httpx.get(url, headers=address.headers, timeout=limits)
    except httpx.TimeoutException as exc:
        raise IndexError_(
            f"the Chroma server at {address.shown} did not answer within "
            f"{connect_timeout if isinstance(exc, httpx.ConnectTimeout) else timeout:g} s "
            f"(is it frozen or overloaded?); {advice}"
        ) from exc
    except (httpx.HTTPError, OSError, ValueError) as exc:
        raise IndexError_(f"cannot reach the Chroma server at {address.shown} ({short_reason(exc)}); {advice}") from exc
    if response.status_code in (401, 403):
        raise IndexError_(
            f"the Chroma server at {address.shown} answered HTTP {response.status_code}: the server "
            "refused the credentials in the URL"
        )
    try:
        alive = response.status_code == 200 and "nanosecond heartbeat" in response.json()
    except ValueError:
        alive = False
    if not alive:
        what = response.headers.get("server") or response.headers.get("content-type") or "unknown"
        raise IndexError_(
            f"{address.shown} answers HTTP but is not a Chroma server (HTTP {response.status_code} on "
            f"/api/v2/heartbeat, server: {what[:60]}); check the host, port and path of --chroma-url"
        )
    made: list[Any] = []
    failed: list[BaseException] = []

    def build() -> None:  # the client asks the server while it is built, without a limit
        try:
            client = chromadb.HttpClient(
                host=address.base,
                port=address.port,
                ssl=address.ssl,
                headers=address.headers or None,
                settings=settings,
            )
            client._server._session.timeout = limits  # every later call: chromadb sets no limit of its own
            made.append(client)
        except BaseException as exc:  # handed to the caller
            failed.append(exc)

    builder = threading.Thread(target=build, name="assistant-chroma-connect", daemon=True)
    builder.start()
    builder.join(connect_timeout + 3 * timeout)
    if failed:
        raise IndexError_(
            f"cannot use the Chroma server at {address.shown} ({short_reason(failed[0])}); {advice}"
        ) from failed[0]
    if not made:
        raise IndexError_(
            f"the Chroma server at {address.shown} stopped answering while the client connected "
            f"(no answer within {timeout:g} s); is it frozen or overloaded?"
        )
    return made[0]
