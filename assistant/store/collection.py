"""`Store`: the chunks and the document manifest of one index, and the writer's lease."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import httpx
import numpy as np
from chromadb.errors import ChromaError

from ..embed import Embedder
from ..errors import IndexError_, StorageFullError
from ..types import Chunk, DocRecord
from .client import ChromaEmbedding
from .faults import guarded, index_error, writing
from .records import chunk_from, chunk_metadata, doc_metadata, doc_record, safe

STATE_ID = "__state__"
LEASE_ID = "__lease__"
SCHEMA = 1  # the layout of the records; an index of another schema is refused on open
UNFINISHED = ["pending", "deleting"]


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

    def __init__(
        self,
        client: Any,
        *,
        name: str,
        model: str,
        embedder: Embedder | None = None,
        where: str = "the index",
        create: bool = True,
    ) -> None:
        """Open the index `name` in `client`; with `create`, make it when it is not there (else
        that is an IndexError_)."""
        self.client = client
        self.where = where
        self.full: StorageFullError | None = None  # set when a call found no space: no more writes
        self.model = model
        ef = ChromaEmbedding(embedder, model)
        try:
            if not create and f"{name}_docs" not in {getattr(c, "name", c) for c in client.list_collections()}:
                raise IndexError_(
                    f"{where} holds no assistant index (no collection {name}_docs); build one with "
                    "`assistant ingest FILES` pointed at it, or check --index / --chroma-url"
                )
            self.chunks = client.get_or_create_collection(
                f"{name}_chunks", embedding_function=ef, configuration={"hnsw": {"space": "cosine"}}
            )
            self.docs = client.get_or_create_collection(f"{name}_docs", embedding_function=ef)
            self.max_batch = max(1, int(client.get_max_batch_size()))
        except (httpx.HTTPError, ChromaError, OSError) as exc:
            raise index_error(where, exc, opening=True) from exc
        state = self.state()
        if state is None:
            self._put_state(generation=0)
        elif state.get("schema", SCHEMA) != SCHEMA:
            raise IndexError_(
                f"{where}: this index has the record layout (schema) {state.get('schema')!r}, and this "
                f"version of the assistant reads schema {SCHEMA}; build the index again with "
                f"`assistant ingest FILES` into a new folder (or use the version that built it)"
            )
        elif state.get("model") != model:
            raise IndexError_(
                f"this index was built with the embedding model {state.get('model')!r}, not {model!r}; "
                "use the same ASSISTANT_EMBEDDING_MODEL or build a new index"
            )

    @property
    def uid(self) -> str:
        """An id that changes when the index is recreated (the chunk collection's id)."""
        return str(self.chunks.id)

    # -- state -------------------------------------------------------------------------------
    @guarded
    def state(self) -> dict[str, Any] | None:
        got = self.docs.get(ids=[STATE_ID], include=["metadatas"])
        return got["metadatas"][0] if got["ids"] else None

    def generation(self) -> int:
        s = self.state()
        return int(s["generation"]) if s else 0

    def _state_meta(self, generation: int) -> dict[str, Any]:
        return {"model": self.model, "generation": generation, "schema": SCHEMA}

    @writing
    def _put_state(self, *, generation: int) -> None:
        self.docs.upsert(ids=[STATE_ID], embeddings=[[1.0]], documents=[""], metadatas=[self._state_meta(generation)])

    def bump(self) -> int:
        """Move the generation on (derived data built before is now stale)."""
        g = self.generation() + 1
        self._put_state(generation=g)
        return g

    # -- the writer's lease --------------------------------------------------------------------
    @guarded
    def lease(self) -> Lease | None:
        got = self.docs.get(ids=[LEASE_ID], include=["metadatas"])
        if not got["ids"]:
            return None
        m = got["metadatas"][0]
        return Lease(
            host=str(m.get("host", "")),
            pid=int(m.get("pid", 0)),
            token=str(m.get("token", "")),
            since=float(m.get("since", 0.0)),
            expires=float(m.get("expires", 0.0)),
            purpose=str(m.get("purpose", "ingest")),
        )

    @writing
    def put_lease(self, lease: Lease) -> None:
        self.docs.upsert(ids=[LEASE_ID], embeddings=[[1.0]], documents=[""], metadatas=[asdict(lease)])

    @writing
    def drop_lease(self, token: str) -> None:
        """Remove the lease if it is still the one with `token`."""
        held = self.lease()
        if held is not None and held.token == token:
            self.docs.delete(ids=[LEASE_ID])

    # -- writing -----------------------------------------------------------------------------
    @writing
    def put_documents(self, items: Sequence[tuple[DocRecord, str]]) -> None:
        """Write manifest entries (with the cleaned text) as given, normally in state 'pending'."""
        for b in range(0, len(items), self.max_batch):
            part = items[b : b + self.max_batch]
            self.docs.upsert(
                ids=[r.doc_id for r, _ in part],
                embeddings=[[1.0]] * len(part),
                documents=[safe(t) for _, t in part],
                metadatas=[doc_metadata(r) for r, _ in part],
            )

    def add_chunks(self, chunks: Sequence[Chunk], embeddings: np.ndarray, doc: DocRecord) -> None:
        """Write one document's chunks with their embeddings."""
        self.add_batch([(doc, chunks)], embeddings)

    @writing
    def add_batch(
        self,
        items: Sequence[tuple[DocRecord, Sequence[Chunk]]],
        embeddings: np.ndarray,
        *,
        sentence_vectors: Sequence[np.ndarray] = (),
    ) -> None:
        """Write the chunks of several documents (embeddings, and each chunk's sentence vectors when
        given, in the same order) in as few writes as the server allows (each write costs tens of
        milliseconds however small)."""
        rows = [(c, doc) for doc, chunks in items for c in chunks]
        for b in range(0, len(rows), self.max_batch):
            part = rows[b : b + self.max_batch]
            vecs = sentence_vectors[b : b + len(part)] if sentence_vectors else [None] * len(part)
            self.chunks.upsert(
                ids=[c.chunk_id for c, _ in part],
                documents=[safe(c.text) for c, _ in part],
                embeddings=embeddings[b : b + len(part)],
                metadatas=[chunk_metadata(c, doc, v) for (c, doc), v in zip(part, vecs)],
            )

    @writing
    def commit(self, *, done: Sequence[str] = (), retire: Sequence[str] = ()) -> int:
        """In one write: mark `done` documents complete, mark `retire` documents for deletion and
        move the generation on. Returns the new generation. (Call `purge(retire)` next.)"""
        generation = self.generation() + 1
        ids = [*done, *retire]
        metas: list[dict[str, Any]] = [{"state": "done"}] * len(done) + [{"state": "deleting"}] * len(retire)
        state = self._state_meta(generation)
        room = self.max_batch - 1
        cut = max(0, len(ids) - room)  # only for more than one write holds
        for b in range(0, cut, room):
            self.docs.update(ids=ids[b : min(b + room, cut)], metadatas=metas[b : min(b + room, cut)])
        self.docs.update(ids=ids[cut:] + [STATE_ID], metadatas=metas[cut:] + [state])
        return generation

    def mark_done(self, doc_ids: Sequence[str]) -> None:
        """Mark documents complete: their chunks are all stored."""
        self.commit(done=doc_ids)

    @writing
    def purge(self, doc_ids: Sequence[str]) -> None:
        """Delete documents' chunks, then their manifest entries (call after they left state done)."""
        ids = list(dict.fromkeys(doc_ids))
        for b in range(0, len(ids), 100):
            part = ids[b : b + 100]
            self.chunks.delete(where={"doc_id": {"$in": part}})
            self.docs.delete(ids=part)

    def retire(self, doc_ids: Sequence[str]) -> None:
        """Remove documents for good: hidden from readers first, then deleted."""
        if doc_ids:
            self.commit(retire=doc_ids)
            self.purge(doc_ids)

    def delete_document(self, doc_id: str) -> None:
        self.retire([doc_id])

    @writing
    def set_path(self, doc_ids: Sequence[str], path: str) -> None:
        """Record that `path` now holds these documents (their old file changed or went)."""
        if doc_ids:
            state = self._state_meta(self.generation() + 1)
            self.docs.update(ids=[*doc_ids, STATE_ID], metadatas=[{"path": safe(path)}] * len(doc_ids) + [state])

    # -- reading -----------------------------------------------------------------------------
    @guarded
    def documents(self, *, state: str | None = "done") -> list[DocRecord]:
        out: list[DocRecord] = []
        offset = 0
        where = {"state": state} if state else None
        while True:
            got = self.docs.get(include=["metadatas"], where=where, limit=1000, offset=offset)
            for i, m in zip(got["ids"], got["metadatas"]):
                if not i.startswith("__"):
                    out.append(doc_record(i, m))
            if len(got["ids"]) < 1000:
                return out
            offset += 1000

    @guarded
    def unfinished(self, *, limit: int | None = None) -> list[str]:
        """Ids of documents an interrupted writer left (state pending or deleting)."""
        return list(self.docs.get(where={"state": {"$in": UNFINISHED}}, limit=limit, include=[])["ids"])

    @guarded
    def document(self, doc_id: str) -> tuple[DocRecord, str] | None:
        got = self.docs.get(ids=[doc_id], include=["metadatas", "documents"])
        if not got["ids"] or doc_id.startswith("__"):
            return None
        return doc_record(doc_id, got["metadatas"][0]), got["documents"][0] or ""

    @guarded
    def count(self) -> int:
        return int(self.chunks.count())

    @guarded
    def nearest(
        self,
        embedding: np.ndarray,
        *,
        n: int,
        pool: int,
        where: dict[str, Any] | None = None,
        ids: Sequence[str] | None = None,
    ) -> list[tuple[str, float]]:
        """Ids of the `n` nearest chunks (among `ids` / passing `where` when given) with their cosine
        similarity, nearest first. The approximate (HNSW) search is asked for `pool` candidates and
        only the `n` best by exact distance are kept, ties broken by id, so that the answer does not
        depend on the graph's state in this process (it is rebuilt differently in each)."""
        if n <= 0 or (ids is not None and not ids):
            return []
        k = max(n, pool) if ids is None else min(max(n, pool), len(ids))
        got = self.chunks.query(
            query_embeddings=[embedding],
            n_results=k,
            where=where,
            ids=list(ids) if ids is not None else None,
            include=["distances"],
        )
        ranked = sorted(
            ((i, 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0])),
            key=lambda x: (-round(x[1], 6), x[0]),
        )
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

    @guarded
    def get_chunks(self, ids: Sequence[str]) -> list[Chunk]:
        if not ids:
            return []
        got = self.chunks.get(ids=list(ids), include=["documents", "metadatas"])
        by_id = {i: chunk_from(i, d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"])}
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

    @guarded
    def _chunk_page(self, limit: int, offset: int) -> dict[str, Any]:
        return self.chunks.get(include=["documents", "metadatas"], limit=limit, offset=offset)

    @guarded
    def chunk_ids(self) -> list[str]:
        """Every chunk id, in the order `iter_chunks` reads them."""
        return list(self.chunks.get(include=[])["ids"])

    def chunk_rows(self, ids: Sequence[str], *, batch: int = 2000) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(id, text, metadata) of these chunks, in pages."""
        for b in range(0, len(ids), batch):
            got = self._chunk_rows(list(ids[b : b + batch]))
            yield from zip(got["ids"], got["documents"], got["metadatas"])

    @guarded
    def _chunk_rows(self, ids: list[str]) -> dict[str, Any]:
        return self.chunks.get(ids=ids, include=["documents", "metadatas"])

    def chunk_vectors(self, ids: Sequence[str], *, batch: int = 2000) -> np.ndarray:
        """The stored vectors of these chunks, in the order asked (float32, one row each)."""
        rows: list[np.ndarray] = []
        for b in range(0, len(ids), batch):
            page = list(ids[b : b + batch])
            got = self._chunk_vectors(page)
            by_id = dict(zip(got["ids"], got["embeddings"]))
            missing = [i for i in page if i not in by_id]
            if missing:
                raise IndexError_(f"{self.where}: the vector of chunk {missing[0]} is missing; the index is damaged")
            rows.extend(np.asarray(by_id[i], dtype=np.float32) for i in page)
        return np.vstack(rows) if rows else np.zeros((0, 0), dtype=np.float32)

    @guarded
    def _chunk_vectors(self, ids: list[str]) -> dict[str, Any]:
        return self.chunks.get(ids=ids, include=["embeddings"])

    @guarded
    def chunk_ids_of(self, doc_id: str) -> list[str]:
        return list(self.chunks.get(where={"doc_id": doc_id}, include=[])["ids"])
