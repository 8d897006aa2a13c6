"""The vector store: the only module that imports chromadb.

Two collections per index: `<name>_chunks` (chunk text, embedding, offsets, sentences and
attributions as JSON) and `<name>_docs` (the manifest: one record per document with its cleaned
text, metadata and state, plus two internal records: `__state__` with the model name and a
generation counter that moves on every visible change, so derived data such as the lexical index
can tell it is stale, and `__lease__` naming the writer at work).

A document's state is `pending` while its chunks are written, `done` once they all are (readers
see only done documents), and `deleting` while it is removed. Marking documents done, retiring
replaced ones and moving the generation happen in one write, so a reader never sees half of a
change, and anything an interrupted writer left behind is not `done` and can be removed.
Works the same on an embedded PersistentClient and on a `chroma run` server (HttpClient).
"""
from __future__ import annotations

import base64
import errno
import functools
import json
import os
import re
import struct
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar
from urllib.parse import unquote, urlparse

import chromadb
import httpx
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.errors import ChromaError

from .embed import Embedder
from .errors import AssistantError, IndexError_, StorageFullError
from .types import Attribution, Chunk, DocMeta, DocRecord, Filters, Narrator, Page, Sentence, type_key

STATE_ID = "__state__"
LEASE_ID = "__lease__"
SCHEMA = 1
UNFINISHED = ["pending", "deleting"]

F = TypeVar("F", bound=Callable[..., Any])


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
    def build_from_config(config: dict[str, Any]) -> "ChromaEmbedding":
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


def open_client(*, index_dir: Path, chroma_url: str | None, create: bool = True, connect_timeout: float = 10.0,
                timeout: float = 120.0) -> Any:
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
            raise IndexError_(f"{index_dir}: no such index folder; build one with `assistant ingest FILES --index "
                              f"{index_dir}`, or point --index / ASSISTANT_INDEX at an existing index")
        if not database.exists():
            raise IndexError_(f"{index_dir}: not an index (it has no chroma.sqlite3); build one with "
                              f"`assistant ingest FILES --index {index_dir}`, or check --index / ASSISTANT_INDEX")
    elif index_dir.exists() and not index_dir.is_dir():
        raise IndexError_(f"{index_dir}: not a folder; give --index a folder for the index")
    check_index_files(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(index_dir), settings=settings)
    except Exception as exc:                  # the Rust core raises several kinds; all mean the same here
        raise index_error(str(index_dir), exc, opening=True) from exc


def _http_client(address: ServerAddress, settings: Any, *, connect_timeout: float, timeout: float) -> Any:
    """Ask the server's heartbeat (so a server that is down, frozen or not Chroma at all is told
    apart), then build the client with the same time limits."""
    limits = httpx.Timeout(timeout, connect=connect_timeout)
    url = f"{address.base}/api/v2/heartbeat"
    advice = ("start it with `chroma run --path DIR --host HOST --port N`, check the URL, or unset "
              "--chroma-url / ASSISTANT_CHROMA_URL to use the embedded index")
    try:
        response = httpx.get(url, headers=address.headers, timeout=limits)
    except httpx.TimeoutException as exc:
        raise IndexError_(f"the Chroma server at {address.shown} did not answer within "
                          f"{connect_timeout if isinstance(exc, httpx.ConnectTimeout) else timeout:g} s "
                          f"(is it frozen or overloaded?); {advice}") from exc
    except (httpx.HTTPError, OSError, ValueError) as exc:
        raise IndexError_(f"cannot reach the Chroma server at {address.shown} ({_reason(exc)}); {advice}") from exc
    if response.status_code in (401, 403):
        raise IndexError_(f"the Chroma server at {address.shown} answered HTTP {response.status_code}: the server "
                          "refused the credentials in the URL")
    try:
        alive = response.status_code == 200 and "nanosecond heartbeat" in response.json()
    except ValueError:
        alive = False
    if not alive:
        what = response.headers.get("server") or response.headers.get("content-type") or "unknown"
        raise IndexError_(f"{address.shown} answers HTTP but is not a Chroma server (HTTP {response.status_code} on "
                          f"/api/v2/heartbeat, server: {what[:60]}); check the host, port and path of --chroma-url")
    made: list[Any] = []
    failed: list[BaseException] = []

    def build() -> None:                     # the client asks the server while it is built, without a limit
        try:
            client = chromadb.HttpClient(host=address.base, port=address.port, ssl=address.ssl,
                                         headers=address.headers or None, settings=settings)
            client._server._session.timeout = limits    # every later call: chromadb sets no limit of its own
            made.append(client)
        except BaseException as exc:         # handed to the caller
            failed.append(exc)

    builder = threading.Thread(target=build, name="assistant-chroma-connect", daemon=True)
    builder.start()
    builder.join(connect_timeout + 3 * timeout)
    if failed:
        raise IndexError_(f"cannot use the Chroma server at {address.shown} ({_reason(failed[0])}); {advice}") \
            from failed[0]
    if not made:
        raise IndexError_(f"the Chroma server at {address.shown} stopped answering while the client connected "
                          f"(no answer within {timeout:g} s); is it frozen or overloaded?")
    return made[0]


SQLITE_MAGIC = b"SQLite format 3\x00"
REBUILD = ("move the folder aside (or restore it from a backup) and build the index again with "
           "`assistant ingest FILES --index {index_dir}`")


def check_index_files(index_dir: Path, *, tries: int = 3) -> None:
    """Raise IndexError_ when a file of the embedded index is empty, truncated or not what it
    should be: the SQLite database and each vector segment (hnswlib's persisted files, which
    Chroma would read without checking and crash on). A check that fails is repeated a moment
    later, in case a writer was between two of its writes."""
    for attempt in range(tries):
        problem = _index_problem(index_dir)
        if problem is None:
            return
        if attempt < tries - 1:
            time.sleep(0.3)
    raise IndexError_(f"{index_dir}: the index is damaged ({problem}); " + REBUILD.format(index_dir=index_dir))


def _index_problem(index_dir: Path) -> str | None:
    database = index_dir / "chroma.sqlite3"
    try:
        if database.exists():
            if (problem := _sqlite_problem(database)) is not None:
                return problem
        for segment in sorted(index_dir.iterdir()) if index_dir.is_dir() else ():
            if segment.is_dir() and any((segment / f).exists() for f in HNSW_FILES):
                if (problem := _hnsw_problem(segment)) is not None:
                    return f"vector segment {segment.name}: {problem}"
    except OSError as exc:
        return f"cannot read its files: {exc.strerror or exc}"
    return None


def _sqlite_problem(database: Path) -> str | None:
    size = database.stat().st_size
    if size == 0:
        return "chroma.sqlite3 is empty (0 bytes)"
    with database.open("rb") as fh:
        head = fh.read(100)
    if not head[:16] == SQLITE_MAGIC[:len(head[:16])]:
        return "chroma.sqlite3 is not a SQLite database"
    if len(head) < 100:
        return f"chroma.sqlite3 is truncated ({size} bytes)"
    page = int.from_bytes(head[16:18], "big")
    page = 65536 if page == 1 else page
    pages = int.from_bytes(head[28:32], "big")
    counted = head[24:28] == head[92:96]           # the page count in the header is current
    if page < 512 or size % page:
        return f"chroma.sqlite3 is truncated ({size} bytes, not a whole number of {page}-byte pages)"
    if counted and pages and size < pages * page:
        return f"chroma.sqlite3 is truncated ({size} of {pages * page} bytes)"
    return None


HNSW_FILES = ("header.bin", "data_level0.bin", "length.bin", "link_lists.bin")
_HNSW_HEADER = struct.Struct("<iQQQQQQiIQQQdQ")     # hnswlib's persisted header (version 1), 100 bytes


def _hnsw_problem(segment: Path) -> str | None:
    """What is wrong with a persisted hnswlib index (header, level-0 data, lengths, link lists)."""
    missing = [f for f in HNSW_FILES if not (segment / f).exists()]
    if missing:
        return f"{', '.join(missing)} missing"
    head = (segment / "header.bin").read_bytes()
    if len(head) != _HNSW_HEADER.size:
        return f"header.bin has {len(head)} bytes, not {_HNSW_HEADER.size}"
    (version, offset_level0, max_elements, count, per_element, label_offset, offset_data, max_level, entry,
     max_m, max_m0, m, mult, ef_construction) = _HNSW_HEADER.unpack(head)
    links0 = max_m0 * 4 + 4
    if version != 1 or offset_level0 != 0 or count > max_elements or offset_data != links0 \
            or label_offset + 8 != per_element or not offset_data < label_offset or not 0 < max_m <= max_m0 < 1 << 16 \
            or (count and not (0 <= max_level < 64 and entry < count)):
        return "header.bin holds impossible values"
    if (segment / "data_level0.bin").stat().st_size < count * per_element:
        return f"data_level0.bin is truncated (under {count} elements of {per_element} bytes)"
    if (segment / "length.bin").stat().st_size < count * 4:
        return f"length.bin is truncated (under {count} elements)"
    links = (segment / "link_lists.bin").read_bytes()
    per_level, at = max_m * 4 + 4, 0
    for _ in range(count):
        if at + 4 > len(links):
            return f"link_lists.bin is truncated ({len(links)} bytes)"
        size = int.from_bytes(links[at:at + 4], "little")
        if size % per_level or size > per_level * max(max_level, 0):
            return "link_lists.bin holds an impossible list size"
        at += 4 + size
    if at > len(links):
        return f"link_lists.bin is truncated ({len(links)} bytes)"
    metadata = segment / "index_metadata.pickle"          # the ids of the elements, when persisted
    if metadata.exists():
        with metadata.open("rb") as fh:
            fh.seek(max(0, metadata.stat().st_size - 1))
            if fh.read(1) != b".":                        # a whole pickle ends with its STOP opcode
                return "index_metadata.pickle is truncated"
    return None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _guarded(method: F) -> F:
    """Turn the client's connection and storage errors into an IndexError_ naming the index."""
    @functools.wraps(method)
    def wrapper(self: "Store", *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except AssistantError:
            raise
        except (httpx.HTTPError, ChromaError, OSError) as exc:
            error = index_error(self.where, exc)
            if isinstance(error, StorageFullError):
                self.full = error
            raise error from exc
    return wrapper  # type: ignore[return-value]


def _writing(method: F) -> F:
    """A write to the index: refused at once, with the same error, once a call of this process (a
    write, or a read making Chroma apply its log) found the disk full. (Chroma's embedded client
    can wait forever on its next write after one that failed for want of space.)"""
    guarded = _guarded(method)

    @functools.wraps(method)
    def wrapper(self: "Store", *args: Any, **kwargs: Any) -> Any:
        if self.full is not None:
            raise StorageFullError(str(self.full))
        return guarded(self, *args, **kwargs)
    return wrapper  # type: ignore[return-value]


_DISK_FULL = re.compile(r"no space left|os error 28|disk is full|SQLITE_FULL|ENOSPC", re.I)
_TOO_LARGE = re.compile(r"file too large|os error 27|EFBIG", re.I)
_DAMAGED = re.compile(r"malformed|file is not a database|not a database|corrupt|hnsw segment reader|"
                      r"deserializing pickle|Error loading hnsw", re.I)


def index_error(where: str, exc: BaseException, *, opening: bool = False) -> IndexError_:
    """The IndexError_ that says in words what went wrong with the index at `where`: a server that
    does not answer or went away, a full disk, a damaged index, or else the client's own reason."""
    text = " ".join(str(e) for e in _chain(exc))
    if isinstance(exc, httpx.TimeoutException):
        return IndexError_(f"the Chroma server at {where} did not answer in time (is it frozen or overloaded? "
                           "the limit is ASSISTANT_CHROMA_TIMEOUT seconds)")
    if isinstance(exc, httpx.TransportError):
        return IndexError_(f"lost the connection to the Chroma server at {where} ({_reason(exc)}); "
                           "is it still running?")
    space = _space_problem(where)           # Chroma's own message may only say "Error in compaction"
    if _DISK_FULL.search(text) or any(getattr(e, "errno", None) == errno.ENOSPC for e in _chain(exc)) \
            or space == "full":
        return StorageFullError(f"{where}: the disk holding the index is full; free some space, then run the "
                                "same command again")
    if _TOO_LARGE.search(text) or any(getattr(e, "errno", None) == errno.EFBIG for e in _chain(exc)) \
            or space == "limit":
        return StorageFullError(f"{where}: a file of the index reached this process's file-size limit "
                                "(ulimit -f); raise the limit, then run the same command again")
    if _DAMAGED.search(text):
        return IndexError_(f"{where}: the index is damaged ({_reason(exc)}); " + REBUILD.format(index_dir=where))
    verb = "cannot open the index" if opening else "the index could not be read or written"
    return IndexError_(f"{where}: {verb} ({_reason(exc)})")


def _space_problem(where: str, *, low: int = 64 << 20) -> str | None:
    """"full" when the filesystem of the embedded index at `where` has under `low` bytes free,
    "limit" when one of its files has reached the process's file-size limit, else None."""
    import resource

    folder = Path(where)
    try:
        if not folder.is_dir():
            return None
        st = os.statvfs(folder)
        if st.f_bavail * st.f_frsize < low:
            return "full"
        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        if limit != resource.RLIM_INFINITY and any(f.is_file() and f.stat().st_size >= limit - (1 << 20)
                                                   for f in folder.rglob("*")):
            return "limit"
    except OSError:
        return None
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        yield e
        e = e.__cause__ or e.__context__


@dataclass(frozen=True, slots=True)
class Lease:
    """Who is writing to an index: host, process, a random token, and until when the claim holds
    unless renewed (unix seconds)."""
    host: str
    pid: int
    token: str
    since: float
    expires: float
    purpose: str = "ingest"


class Store:
    """Chunks and the document manifest of one index."""

    def __init__(self, client: Any, *, name: str, model: str, embedder: Embedder | None = None,
                 where: str = "the index", create: bool = True) -> None:
        """Open the index `name` in `client`; with `create`, make it when it is not there (else
        that is an IndexError_)."""
        self.client = client
        self.where = where
        self.full: StorageFullError | None = None   # set when a call found no space: no more writes
        self.model = model
        ef = ChromaEmbedding(embedder, model)
        try:
            if not create and f"{name}_docs" not in {getattr(c, "name", c) for c in client.list_collections()}:
                raise IndexError_(f"{where} holds no assistant index (no collection {name}_docs); build one with "
                                  "`assistant ingest FILES` pointed at it, or check --index / --chroma-url")
            self.chunks = client.get_or_create_collection(f"{name}_chunks", embedding_function=ef,
                                                          configuration={"hnsw": {"space": "cosine"}})
            self.docs = client.get_or_create_collection(f"{name}_docs", embedding_function=ef)
            self.max_batch = max(1, int(client.get_max_batch_size()))
        except (httpx.HTTPError, ChromaError, OSError) as exc:
            raise index_error(where, exc, opening=True) from exc
        state = self.state()
        if state is None:
            self._put_state(generation=0)
        elif state.get("model") != model:
            raise IndexError_(f"this index was built with the embedding model {state.get('model')!r}, not {model!r}; "
                              "use the same ASSISTANT_EMBEDDING_MODEL or build a new index")

    @property
    def uid(self) -> str:
        """An id that changes when the index is recreated (the chunk collection's id)."""
        return str(self.chunks.id)

    # -- state -------------------------------------------------------------------------------
    @_guarded
    def state(self) -> dict[str, Any] | None:
        got = self.docs.get(ids=[STATE_ID], include=["metadatas"])
        return got["metadatas"][0] if got["ids"] else None

    def generation(self) -> int:
        s = self.state()
        return int(s["generation"]) if s else 0

    def _state_meta(self, generation: int) -> dict[str, Any]:
        return {"model": self.model, "generation": generation, "schema": SCHEMA}

    @_writing
    def _put_state(self, *, generation: int) -> None:
        self.docs.upsert(ids=[STATE_ID], embeddings=[[1.0]], documents=[""], metadatas=[self._state_meta(generation)])

    def bump(self) -> int:
        """Move the generation on (derived data built before is now stale)."""
        g = self.generation() + 1
        self._put_state(generation=g)
        return g

    # -- the writer's lease --------------------------------------------------------------------
    @_guarded
    def lease(self) -> Lease | None:
        got = self.docs.get(ids=[LEASE_ID], include=["metadatas"])
        if not got["ids"]:
            return None
        m = got["metadatas"][0]
        return Lease(host=str(m.get("host", "")), pid=int(m.get("pid", 0)), token=str(m.get("token", "")),
                     since=float(m.get("since", 0.0)), expires=float(m.get("expires", 0.0)),
                     purpose=str(m.get("purpose", "ingest")))

    @_writing
    def put_lease(self, lease: Lease) -> None:
        self.docs.upsert(ids=[LEASE_ID], embeddings=[[1.0]], documents=[""], metadatas=[asdict(lease)])

    @_writing
    def drop_lease(self, token: str) -> None:
        """Remove the lease if it is still the one with `token`."""
        held = self.lease()
        if held is not None and held.token == token:
            self.docs.delete(ids=[LEASE_ID])

    # -- writing -----------------------------------------------------------------------------
    @_writing
    def put_documents(self, items: Sequence[tuple[DocRecord, str]]) -> None:
        """Write manifest entries (with the cleaned text) as given, normally in state 'pending'."""
        for b in range(0, len(items), self.max_batch):
            part = items[b:b + self.max_batch]
            self.docs.upsert(ids=[r.doc_id for r, _ in part], embeddings=[[1.0]] * len(part),
                             documents=[_safe(t) for _, t in part], metadatas=[_doc_metadata(r) for r, _ in part])

    def add_chunks(self, chunks: Sequence[Chunk], embeddings: np.ndarray, doc: DocRecord) -> None:
        """Write one document's chunks with their embeddings."""
        self.add_batch([(doc, chunks)], embeddings)

    @_writing
    def add_batch(self, items: Sequence[tuple[DocRecord, Sequence[Chunk]]], embeddings: np.ndarray, *,
                  sentence_vectors: Sequence[np.ndarray] = ()) -> None:
        """Write the chunks of several documents (embeddings, and each chunk's sentence vectors when
        given, in the same order) in as few writes as the server allows (each write costs tens of
        milliseconds however small)."""
        rows = [(c, doc) for doc, chunks in items for c in chunks]
        for b in range(0, len(rows), self.max_batch):
            part = rows[b:b + self.max_batch]
            vecs = sentence_vectors[b:b + len(part)] if sentence_vectors else [None] * len(part)
            self.chunks.upsert(ids=[c.chunk_id for c, _ in part], documents=[_safe(c.text) for c, _ in part],
                               embeddings=embeddings[b:b + len(part)],
                               metadatas=[_chunk_metadata(c, doc, v) for (c, doc), v in zip(part, vecs)])

    @_writing
    def commit(self, *, done: Sequence[str] = (), retire: Sequence[str] = ()) -> int:
        """In one write: mark `done` documents complete, mark `retire` documents for deletion and
        move the generation on. Returns the new generation. (Call `purge(retire)` next.)"""
        generation = self.generation() + 1
        ids = [*done, *retire]
        metas: list[dict[str, Any]] = [{"state": "done"}] * len(done) + [{"state": "deleting"}] * len(retire)
        state = self._state_meta(generation)
        room = self.max_batch - 1
        cut = max(0, len(ids) - room)                            # only for more than one write holds
        for b in range(0, cut, room):
            self.docs.update(ids=ids[b:min(b + room, cut)], metadatas=metas[b:min(b + room, cut)])
        self.docs.update(ids=ids[cut:] + [STATE_ID], metadatas=metas[cut:] + [state])
        return generation

    def mark_done(self, doc_ids: Sequence[str]) -> None:
        """Mark documents complete: their chunks are all stored."""
        self.commit(done=doc_ids)

    @_writing
    def purge(self, doc_ids: Sequence[str]) -> None:
        """Delete documents' chunks, then their manifest entries (call after they left state done)."""
        ids = list(dict.fromkeys(doc_ids))
        for b in range(0, len(ids), 100):
            part = ids[b:b + 100]
            self.chunks.delete(where={"doc_id": {"$in": part}})
            self.docs.delete(ids=part)

    def retire(self, doc_ids: Sequence[str]) -> None:
        """Remove documents for good: hidden from readers first, then deleted."""
        if doc_ids:
            self.commit(retire=doc_ids)
            self.purge(doc_ids)

    def delete_document(self, doc_id: str) -> None:
        self.retire([doc_id])

    @_writing
    def set_path(self, doc_ids: Sequence[str], path: str) -> None:
        """Record that `path` now holds these documents (their old file changed or went)."""
        if doc_ids:
            state = self._state_meta(self.generation() + 1)
            self.docs.update(ids=[*doc_ids, STATE_ID], metadatas=[{"path": _safe(path)}] * len(doc_ids) + [state])

    # -- reading -----------------------------------------------------------------------------
    @_guarded
    def documents(self, *, state: str | None = "done") -> list[DocRecord]:
        out: list[DocRecord] = []
        offset = 0
        where = {"state": state} if state else None
        while True:
            got = self.docs.get(include=["metadatas"], where=where, limit=1000, offset=offset)
            for i, m in zip(got["ids"], got["metadatas"]):
                if not i.startswith("__"):
                    out.append(_doc_record(i, m))
            if len(got["ids"]) < 1000:
                return out
            offset += 1000

    @_guarded
    def unfinished(self, *, limit: int | None = None) -> list[str]:
        """Ids of documents an interrupted writer left (state pending or deleting)."""
        return list(self.docs.get(where={"state": {"$in": UNFINISHED}}, limit=limit, include=[])["ids"])

    @_guarded
    def document(self, doc_id: str) -> tuple[DocRecord, str] | None:
        got = self.docs.get(ids=[doc_id], include=["metadatas", "documents"])
        if not got["ids"] or doc_id.startswith("__"):
            return None
        return _doc_record(doc_id, got["metadatas"][0]), got["documents"][0] or ""

    @_guarded
    def count(self) -> int:
        return int(self.chunks.count())

    @_guarded
    def nearest(self, embedding: np.ndarray, *, n: int, pool: int, where: dict[str, Any] | None = None,
                ids: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """Ids of the `n` nearest chunks (among `ids` / passing `where` when given) with their cosine
        similarity, nearest first. The approximate (HNSW) search is asked for `pool` candidates and
        only the `n` best by exact distance are kept, ties broken by id, so that the answer does not
        depend on the graph's state in this process (it is rebuilt differently in each)."""
        if n <= 0 or (ids is not None and not ids):
            return []
        k = max(n, pool) if ids is None else min(max(n, pool), len(ids))
        got = self.chunks.query(query_embeddings=[embedding], n_results=k, where=where,
                                ids=list(ids) if ids is not None else None, include=["distances"])
        ranked = sorted(((i, 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0])),
                        key=lambda x: (-round(x[1], 6), x[0]))
        return ranked[:n]

    def query(self, embedding: np.ndarray, *, n: int, where: dict[str, Any] | None) -> list[tuple[Chunk, float]]:
        """Nearest chunks with their cosine similarity."""
        return self._with_chunks(self.nearest(embedding, n=n, pool=n, where=where))

    def nearest_among(self, embedding: np.ndarray, *, ids: Sequence[str], n: int) -> list[tuple[Chunk, float]]:
        """`query` restricted to the chunks `ids` (a filter computed elsewhere): nearest first."""
        return self._with_chunks(self.nearest(embedding, n=n, pool=n, ids=ids))

    def _with_chunks(self, found: list[tuple[str, float]]) -> list[tuple[Chunk, float]]:
        by_id = {c.chunk_id: c for c in self.get_chunks([i for i, _ in found])}
        return [(by_id[i], s) for i, s in found if i in by_id]

    @_guarded
    def get_chunks(self, ids: Sequence[str]) -> list[Chunk]:
        if not ids:
            return []
        got = self.chunks.get(ids=list(ids), include=["documents", "metadatas"])
        by_id = {i: _chunk(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])}
        return [by_id[i] for i in ids if i in by_id]

    def iter_chunks(self, *, batch: int = 2000) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(id, text, metadata) of every chunk, in pages."""
        offset = 0
        while True:
            got = self._chunk_page(batch, offset)
            yield from zip(got["ids"], got["documents"], got["metadatas"])
            if len(got["ids"]) < batch:
                return
            offset += batch

    @_guarded
    def _chunk_page(self, limit: int, offset: int) -> dict[str, Any]:
        return self.chunks.get(include=["documents", "metadatas"], limit=limit, offset=offset)

    @_guarded
    def chunk_ids(self) -> list[str]:
        """Every chunk id, in the order `iter_chunks` reads them."""
        return list(self.chunks.get(include=[])["ids"])

    def chunk_rows(self, ids: Sequence[str], *, batch: int = 2000) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(id, text, metadata) of these chunks, in pages."""
        for b in range(0, len(ids), batch):
            got = self._chunk_rows(list(ids[b:b + batch]))
            yield from zip(got["ids"], got["documents"], got["metadatas"])

    @_guarded
    def _chunk_rows(self, ids: list[str]) -> dict[str, Any]:
        return self.chunks.get(ids=ids, include=["documents", "metadatas"])

    @_guarded
    def chunk_ids_of(self, doc_id: str) -> list[str]:
        return list(self.chunks.get(where={"doc_id": doc_id}, include=[])["ids"])


def where_clause(filters: Filters, *, doc_ids: Iterable[str] | None = None) -> dict[str, Any] | None:
    """A Chroma `where` filter for the metadata restrictions (the source name is matched later)."""
    parts: list[dict[str, Any]] = []
    ids = list(filters.doc_ids) if filters.doc_ids else None
    if doc_ids is not None:
        allowed = list(doc_ids)
        ids = [i for i in ids if i in set(allowed)] if ids else allowed
    if ids is not None:
        parts.append({"doc_id": {"$in": ids or ["-"]}})
    if filters.outlets:
        parts.append({"outlet": {"$in": list(filters.outlets)}})
    if filters.date_from:
        parts.append({"date_int": {"$gte": date_int(filters.date_from, end=False)}})
    if filters.date_to:                       # an undated chunk (0) is outside any date range
        parts.append({"date_int": {"$lte": date_int(filters.date_to, end=True)}})
        if not filters.date_from:
            parts.append({"date_int": {"$gt": 0}})
    if filters.source_types:
        parts.append({"$or": [{f"st_{type_key(t)}": True} for t in filters.source_types]}
                     if len(filters.source_types) > 1 else {f"st_{type_key(filters.source_types[0])}": True})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


def date_int(iso: str | None, *, end: bool = False) -> int:
    """yyyy[-mm[-dd]] -> yyyymmdd (a partial date widens to its first or last day); 0 when unknown."""
    if not iso:
        return 0
    parts = iso.split("-")
    y = int(parts[0])
    m = int(parts[1]) if len(parts) > 1 else (12 if end else 1)
    d = int(parts[2]) if len(parts) > 2 else (31 if end else 1)
    return y * 10000 + m * 100 + d


_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


def _safe(value: Any) -> Any:
    """A value Chroma can store: a string's NULs and lone surrogates (a file name that is not
    UTF-8) become U+FFFD, one for one, so offsets into it still hold."""
    if isinstance(value, str) and _UNSTORABLE.search(value):
        return _UNSTORABLE.sub("\ufffd", value)
    return value


def _doc_metadata(r: DocRecord) -> dict[str, Any]:
    m = r.meta
    meta = {"path": r.path, "key": r.key or "", "title": m.title or "", "outlet": m.outlet or "",
            "author": m.author or "", "date": m.date or "", "url": m.url or "", "genre": m.genre,
            "symbol": m.symbol or "", "narrator": r.narrator.name, "narrator_type": r.narrator.source_type,
            "n_chunks": r.n_chunks, "state": r.state, "length": r.length}
    return {k: _safe(v) for k, v in meta.items()}


def _doc_record(doc_id: str, m: dict[str, Any]) -> DocRecord:
    meta = DocMeta(title=m.get("title") or None, outlet=m.get("outlet") or None, author=m.get("author") or None,
                   date=m.get("date") or None, url=m.get("url") or None, genre=m.get("genre") or "document",
                   symbol=m.get("symbol") or None)
    return DocRecord(doc_id=doc_id, path=m.get("path", ""), key=m.get("key") or None, meta=meta,
                     narrator=Narrator(m.get("narrator", ""), m.get("narrator_type", "author")),
                     n_chunks=int(m.get("n_chunks", 0)), state=m.get("state", "pending"), length=int(m.get("length", 0)))


def pack_vectors(vectors: np.ndarray) -> str:
    """Unit rows as text for a metadata field: int8 codes of each row scaled to its largest
    component, base64 (a cosine computed from them is off by about 0.003)."""
    if vectors.size == 0:
        return ""
    scale = np.maximum(np.abs(vectors).max(axis=1, keepdims=True), 1e-12)
    codes = np.round(vectors / scale * 127).astype(np.int8)
    return f"{vectors.shape[1]}:" + base64.b64encode(codes.tobytes()).decode("ascii")


def unpack_vectors(text: str) -> np.ndarray | None:
    """The unit rows `pack_vectors` wrote (None for an empty or unreadable field)."""
    if not text or ":" not in text:
        return None
    dim, _, data = text.partition(":")
    try:
        codes = np.frombuffer(base64.b64decode(data), dtype=np.int8).astype(np.float32).reshape(-1, int(dim))
    except ValueError:
        return None
    return codes / np.maximum(np.linalg.norm(codes, axis=1, keepdims=True), 1e-12)


def _chunk_metadata(c: Chunk, doc: DocRecord, sentence_vectors: np.ndarray | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "doc_id": c.doc_id, "index": c.index, "start": c.start, "end": c.end,
        "page_start": c.page_start if c.page_start is not None else -1,
        "page_end": c.page_end if c.page_end is not None else -1,
        "paragraph": c.paragraph, "n_tokens": c.n_tokens,
        "outlet": doc.meta.outlet or "", "date": doc.meta.date or "", "date_int": date_int(doc.meta.date),
        "sents": json.dumps([[s.start, s.end, s.paragraph] for s in c.sentences]),
        "pages": json.dumps([[p.number, p.start, p.end] for p in c.pages]),
        "attrs": json.dumps([asdict(a) for a in c.attributions], ensure_ascii=False),
    }
    if sentence_vectors is not None and len(sentence_vectors) == len(c.sentences):
        meta["svec"] = pack_vectors(sentence_vectors)
    for t in {a.source_type for a in c.attributions} | {doc.narrator.source_type}:
        meta[f"st_{type_key(t)}"] = True
    return {k: _safe(v) for k, v in meta.items()}


def _chunk(chunk_id: str, text: str, m: dict[str, Any]) -> Chunk:
    page_start, page_end = int(m.get("page_start", -1)), int(m.get("page_end", -1))
    return Chunk(chunk_id=chunk_id, doc_id=m["doc_id"], index=int(m["index"]), start=int(m["start"]),
                 end=int(m["end"]), text=text, page_start=page_start if page_start >= 0 else None,
                 page_end=page_end if page_end >= 0 else None, paragraph=int(m.get("paragraph", 0)),
                 n_tokens=int(m.get("n_tokens", 0)),
                 sentences=tuple(Sentence(*s) for s in json.loads(m.get("sents", "[]"))),
                 attributions=tuple(Attribution(**a) for a in json.loads(m.get("attrs", "[]"))),
                 pages=tuple(Page(*p) for p in json.loads(m.get("pages", "[]"))),
                 sentence_vectors=unpack_vectors(m.get("svec", "")))
