"""The vector store: the only module that imports chromadb.

Two collections per index: `<name>_chunks` (chunk text, embedding, offsets, sentences and
attributions as JSON) and `<name>_docs` (the manifest: one record per document with its cleaned
text, metadata and state, plus a `__state__` record holding the model name and a generation
counter that moves on every change, so derived data such as the lexical index can tell it is stale).
Works the same on an embedded PersistentClient and on a `chroma run` server (HttpClient).
"""
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

from .embed import Embedder
from .errors import IndexError_
from .types import Attribution, Chunk, DocMeta, DocRecord, Filters, Narrator, Page, Sentence

STATE_ID = "__state__"
SCHEMA = 1


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


def open_client(*, index_dir: Path, chroma_url: str | None) -> Any:
    """An embedded client on `index_dir`, or an HTTP client for a `chroma run` server."""
    settings = chromadb.config.Settings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        url = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        try:
            client = chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=url.port or 8000,
                                         ssl=url.scheme == "https", settings=settings)
            client.heartbeat()
        except Exception as exc:  # chromadb raises plain exceptions for connection errors
            raise IndexError_(f"cannot reach the Chroma server at {chroma_url} ({type(exc).__name__}: "
                              f"{str(exc)[:120]}); start it with `chroma run --path DIR --port N` "
                              "or unset ASSISTANT_CHROMA_URL") from exc
        return client
    index_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(index_dir), settings=settings)


class Store:
    """Chunks and the document manifest of one index."""

    def __init__(self, client: Any, *, name: str, model: str, embedder: Embedder | None = None) -> None:
        self.client = client
        ef = ChromaEmbedding(embedder, model)
        self.chunks = client.get_or_create_collection(f"{name}_chunks", embedding_function=ef,
                                                      configuration={"hnsw": {"space": "cosine"}})
        self.docs = client.get_or_create_collection(f"{name}_docs", embedding_function=ef)
        self.model = model
        state = self.state()
        if state is None:
            self._put_state(generation=0)
        elif state.get("model") != model:
            raise IndexError_(f"this index was built with the embedding model {state.get('model')!r}, not {model!r}; "
                              "use the same ASSISTANT_EMBEDDING_MODEL or build a new index")
        self.max_batch = max(1, int(client.get_max_batch_size()))

    # -- state -------------------------------------------------------------------------------
    def state(self) -> dict[str, Any] | None:
        got = self.docs.get(ids=[STATE_ID], include=["metadatas"])
        return got["metadatas"][0] if got["ids"] else None

    def generation(self) -> int:
        s = self.state()
        return int(s["generation"]) if s else 0

    def _put_state(self, *, generation: int) -> None:
        self.docs.upsert(ids=[STATE_ID], embeddings=[[1.0]], documents=[""],
                         metadatas=[{"model": self.model, "generation": generation, "schema": SCHEMA}])

    def bump(self) -> int:
        g = self.generation() + 1
        self._put_state(generation=g)
        return g

    # -- writing -----------------------------------------------------------------------------
    def put_documents(self, items: Sequence[tuple[DocRecord, str]]) -> None:
        """Write manifest entries (with the cleaned text) as given, normally in state 'pending'."""
        for b in range(0, len(items), self.max_batch):
            part = items[b:b + self.max_batch]
            self.docs.upsert(ids=[r.doc_id for r, _ in part], embeddings=[[1.0]] * len(part),
                             documents=[t for _, t in part], metadatas=[_doc_metadata(r) for r, _ in part])

    def mark_done(self, doc_ids: Sequence[str]) -> None:
        """Mark documents complete: their chunks are all stored."""
        for b in range(0, len(doc_ids), self.max_batch):
            part = list(doc_ids[b:b + self.max_batch])
            got = self.docs.get(ids=part, include=["metadatas"])
            metas = [dict(m, state="done") for m in got["metadatas"]]
            if got["ids"]:
                self.docs.update(ids=got["ids"], metadatas=metas)

    def add_chunks(self, chunks: Sequence[Chunk], embeddings: np.ndarray, doc: DocRecord) -> None:
        for b in range(0, len(chunks), self.max_batch):
            part = chunks[b:b + self.max_batch]
            self.chunks.upsert(ids=[c.chunk_id for c in part], documents=[c.text for c in part],
                               embeddings=embeddings[b:b + len(part)],
                               metadatas=[_chunk_metadata(c, doc) for c in part])

    def delete_document(self, doc_id: str) -> None:
        self.chunks.delete(where={"doc_id": doc_id})
        self.docs.delete(ids=[doc_id])

    # -- reading -----------------------------------------------------------------------------
    def documents(self, *, state: str | None = "done") -> list[DocRecord]:
        out: list[DocRecord] = []
        offset = 0
        while True:
            got = self.docs.get(include=["metadatas"], limit=1000, offset=offset)
            for i, m in zip(got["ids"], got["metadatas"]):
                if i != STATE_ID and (state is None or m.get("state") == state):
                    out.append(_doc_record(i, m))
            if len(got["ids"]) < 1000:
                return out
            offset += 1000

    def document(self, doc_id: str) -> tuple[DocRecord, str] | None:
        got = self.docs.get(ids=[doc_id], include=["metadatas", "documents"])
        if not got["ids"]:
            return None
        return _doc_record(doc_id, got["metadatas"][0]), got["documents"][0] or ""

    def count(self) -> int:
        return int(self.chunks.count())

    def query(self, embedding: np.ndarray, *, n: int, where: dict[str, Any] | None) -> list[tuple[Chunk, float]]:
        """Nearest chunks with their cosine similarity."""
        if n <= 0:
            return []
        got = self.chunks.query(query_embeddings=[embedding], n_results=n, where=where,
                                include=["documents", "metadatas", "distances"])
        return [(_chunk(i, d, m), 1.0 - float(dist)) for i, d, m, dist in
                zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0])]

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
            got = self.chunks.get(include=["documents", "metadatas"], limit=batch, offset=offset)
            yield from zip(got["ids"], got["documents"], got["metadatas"])
            if len(got["ids"]) < batch:
                return
            offset += batch

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
    if filters.date_to:
        parts.append({"date_int": {"$lte": date_int(filters.date_to, end=True)}})
    if filters.source_types:
        parts.append({"$or": [{f"st_{_type_key(t)}": True} for t in filters.source_types]}
                     if len(filters.source_types) > 1 else {f"st_{_type_key(filters.source_types[0])}": True})
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


def _type_key(t: str) -> str:
    return t.replace("/", "_").replace(" ", "_").lower()


def _doc_metadata(r: DocRecord) -> dict[str, Any]:
    m = r.meta
    return {"path": r.path, "key": r.key or "", "title": m.title or "", "outlet": m.outlet or "",
            "author": m.author or "", "date": m.date or "", "url": m.url or "", "genre": m.genre,
            "symbol": m.symbol or "", "narrator": r.narrator.name, "narrator_type": r.narrator.source_type,
            "n_chunks": r.n_chunks, "state": r.state, "length": r.length}


def _doc_record(doc_id: str, m: dict[str, Any]) -> DocRecord:
    meta = DocMeta(title=m.get("title") or None, outlet=m.get("outlet") or None, author=m.get("author") or None,
                   date=m.get("date") or None, url=m.get("url") or None, genre=m.get("genre") or "document",
                   symbol=m.get("symbol") or None)
    return DocRecord(doc_id=doc_id, path=m.get("path", ""), key=m.get("key") or None, meta=meta,
                     narrator=Narrator(m.get("narrator", ""), m.get("narrator_type", "author")),
                     n_chunks=int(m.get("n_chunks", 0)), state=m.get("state", "pending"), length=int(m.get("length", 0)))


def _chunk_metadata(c: Chunk, doc: DocRecord) -> dict[str, Any]:
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
    for t in {a.source_type for a in c.attributions} | {doc.narrator.source_type}:
        meta[f"st_{_type_key(t)}"] = True
    return meta


def _chunk(chunk_id: str, text: str, m: dict[str, Any]) -> Chunk:
    page_start, page_end = int(m.get("page_start", -1)), int(m.get("page_end", -1))
    return Chunk(chunk_id=chunk_id, doc_id=m["doc_id"], index=int(m["index"]), start=int(m["start"]),
                 end=int(m["end"]), text=text, page_start=page_start if page_start >= 0 else None,
                 page_end=page_end if page_end >= 0 else None, paragraph=int(m.get("paragraph", 0)),
                 n_tokens=int(m.get("n_tokens", 0)),
                 sentences=tuple(Sentence(*s) for s in json.loads(m.get("sents", "[]"))),
                 attributions=tuple(Attribution(**a) for a in json.loads(m.get("attrs", "[]"))),
                 pages=tuple(Page(*p) for p in json.loads(m.get("pages", "[]"))))
