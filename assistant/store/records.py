"""How documents and chunks are kept as Chroma records: their metadata, the packed sentence
vectors, and the `where` filters over that metadata."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

import numpy as np

from ..types import Attribution, Chunk, DocMeta, DocRecord, Filters, Narrator, Page, Sentence, type_key


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
    if filters.date_to:  # an undated chunk (0) is outside any date range
        parts.append({"date_int": {"$lte": date_int(filters.date_to, end=True)}})
        if not filters.date_from:
            parts.append({"date_int": {"$gt": 0}})
    if filters.source_types:
        parts.append(
            {"$or": [{f"st_{type_key(t)}": True} for t in filters.source_types]}
            if len(filters.source_types) > 1
            else {f"st_{type_key(filters.source_types[0])}": True}
        )
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


def safe(value: Any) -> Any:
    """A value Chroma can store: a string's NULs and lone surrogates (a file name that is not
    UTF-8) become U+FFFD, one for one, so offsets into it still hold."""
    if isinstance(value, str) and _UNSTORABLE.search(value):
        return _UNSTORABLE.sub("\ufffd", value)
    return value


def doc_metadata(r: DocRecord) -> dict[str, Any]:
    m = r.meta
    meta = {
        "path": r.path,
        "key": r.key or "",
        "title": m.title or "",
        "outlet": m.outlet or "",
        "author": m.author or "",
        "date": m.date or "",
        "url": m.url or "",
        "genre": m.genre,
        "symbol": m.symbol or "",
        "narrator": r.narrator.name,
        "narrator_type": r.narrator.source_type,
        "n_chunks": r.n_chunks,
        "state": r.state,
        "length": r.length,
    }
    return {k: safe(v) for k, v in meta.items()}


def doc_record(doc_id: str, m: dict[str, Any]) -> DocRecord:
    meta = DocMeta(
        title=m.get("title") or None,
        outlet=m.get("outlet") or None,
        author=m.get("author") or None,
        date=m.get("date") or None,
        url=m.get("url") or None,
        genre=m.get("genre") or "document",
        symbol=m.get("symbol") or None,
    )
    return DocRecord(
        doc_id=doc_id,
        path=m.get("path", ""),
        key=m.get("key") or None,
        meta=meta,
        narrator=Narrator(m.get("narrator", ""), m.get("narrator_type", "author")),
        n_chunks=int(m.get("n_chunks", 0)),
        state=m.get("state", "pending"),
        length=int(m.get("length", 0)),
    )


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


def chunk_metadata(c: Chunk, doc: DocRecord, sentence_vectors: np.ndarray | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "doc_id": c.doc_id,
        "index": c.index,
        "start": c.start,
        "end": c.end,
        "page_start": c.page_start if c.page_start is not None else -1,
        "page_end": c.page_end if c.page_end is not None else -1,
        "paragraph": c.paragraph,
        "n_tokens": c.n_tokens,
        "outlet": doc.meta.outlet or "",
        "date": doc.meta.date or "",
        "date_int": date_int(doc.meta.date),
        "sents": json.dumps([[s.start, s.end, s.paragraph] for s in c.sentences]),
        "pages": json.dumps([[p.number, p.start, p.end] for p in c.pages]),
        "attrs": json.dumps([asdict(a) for a in c.attributions], ensure_ascii=False),
    }
    if sentence_vectors is not None and len(sentence_vectors) == len(c.sentences):
        meta["svec"] = pack_vectors(sentence_vectors)
    for t in {a.source_type for a in c.attributions} | {doc.narrator.source_type}:
        meta[f"st_{type_key(t)}"] = True
    return {k: safe(v) for k, v in meta.items()}


def chunk_from(chunk_id: str, text: str, m: dict[str, Any]) -> Chunk:
    page_start, page_end = int(m.get("page_start", -1)), int(m.get("page_end", -1))
    return Chunk(
        chunk_id=chunk_id,
        doc_id=m["doc_id"],
        index=int(m["index"]),
        start=int(m["start"]),
        end=int(m["end"]),
        text=text,
        page_start=page_start if page_start >= 0 else None,
        page_end=page_end if page_end >= 0 else None,
        paragraph=int(m.get("paragraph", 0)),
        n_tokens=int(m.get("n_tokens", 0)),
        sentences=tuple(Sentence(*s) for s in json.loads(m.get("sents", "[]"))),
        attributions=tuple(Attribution(**a) for a in json.loads(m.get("attrs", "[]"))),
        pages=tuple(Page(*p) for p in json.loads(m.get("pages", "[]"))),
        sentence_vectors=unpack_vectors(m.get("svec", "")),
    )
