"""Question -> ranked chunks: dense (Chroma) and BM25 (bm25s) candidates fused by reciprocal rank.

Metadata filters are evaluated on the keyword index's per-chunk arrays and handed to Chroma as the
list of allowed chunk ids: the same nearest-neighbour search as a Chroma `where` (which evaluates
the filter over every chunk's metadata rows, about a second at 100k chunks), in milliseconds.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np

from . import lexical
from .lexical import LexicalIndex
from .store import Store, date_int, where_clause
from .types import Chunk, DocRecord, Filters, Hit

RRF_K = 60


def retrieve(question: str, *, vector: np.ndarray, store: Store, lex: LexicalIndex | None,
             docs: Mapping[str, DocRecord], filters: Filters, n: int, candidates: int) -> list[Hit]:
    """The `n` best chunks for `question` among complete documents that pass `filters`."""
    allowed = [d for d in docs] if filters.doc_ids == () else [d for d in filters.doc_ids if d in docs]
    narrowed = filters.doc_ids != () or len(allowed) < len(docs)
    where = where_clause(filters, doc_ids=allowed if filters.doc_ids else None)
    if where is not None and lex is not None:
        dense = _nearest_among(store, vector, ids=_where_ids(lex, filters, docs), n=candidates)
    else:
        dense = store.query(vector, n=candidates, where=where)
    dense = [(c, s) for c, s in dense if c.doc_id in docs]
    keyword: list[tuple[str, float]] = []
    if lex is not None:
        weights = lexical.mask(lex, doc_ids=allowed if narrowed else None, outlets=filters.outlets,
                               date_from=date_int(filters.date_from) if filters.date_from else 0,
                               date_to=date_int(filters.date_to, end=True) if filters.date_to else 0,
                               types=[t.replace("/", "_").replace(" ", "_").lower() for t in filters.source_types])
        keyword = lexical.search(lex, question, n=candidates, weights=weights)
    scores: dict[str, float] = {}
    dense_rank: dict[str, int] = {}
    lex_rank: dict[str, int] = {}
    sim: dict[str, float] = {}
    chunks = {}
    for r, (c, s) in enumerate(dense):
        scores[c.chunk_id] = scores.get(c.chunk_id, 0.0) + 1.0 / (RRF_K + r + 1)
        dense_rank[c.chunk_id] = r + 1
        sim[c.chunk_id] = s
        chunks[c.chunk_id] = c
    for r, (cid, _) in enumerate(keyword):
        scores[cid] = scores.get(cid, 0.0) + 1.0 / (RRF_K + r + 1)
        lex_rank[cid] = r + 1
    best = sorted(scores, key=lambda cid: -scores[cid])[:n]
    missing = [cid for cid in best if cid not in chunks]
    for c in store.get_chunks(missing):
        chunks[c.chunk_id] = c
    hits = []
    for cid in best:
        c = chunks.get(cid)
        if c is None or c.doc_id not in docs:
            continue
        hits.append(Hit(chunk=c, doc=docs[c.doc_id], score=scores[cid], dense_rank=dense_rank.get(cid),
                        lexical_rank=lex_rank.get(cid), similarity=sim.get(cid)))
    return hits


def _where_ids(lex: LexicalIndex, filters: Filters, docs: Mapping[str, DocRecord]) -> list[str]:
    """The ids of the chunks that `where_clause(filters)` selects, read from the keyword index's
    per-chunk metadata with the same rules (an undated chunk passes `date_to`, as in Chroma)."""
    keep = np.ones(len(lex.ids), dtype=bool)
    if filters.doc_ids:
        wanted = {d for d in filters.doc_ids if d in docs}
        keep &= np.isin(lex.doc_codes, [i for i, d in enumerate(lex.doc_ids) if d in wanted])
    if filters.outlets:
        outlets = set(filters.outlets)
        keep &= np.isin(lex.outlet_codes, [i for i, o in enumerate(lex.outlets) if o in outlets])
    if filters.date_from:
        keep &= lex.dates >= date_int(filters.date_from, end=False)
    if filters.date_to:
        keep &= lex.dates <= date_int(filters.date_to, end=True)
    if filters.source_types:
        any_type = np.zeros(len(lex.ids), dtype=bool)
        for t in filters.source_types:
            key = t.replace("/", "_").replace(" ", "_").lower()
            if key in lex.types:
                any_type |= lex.types[key]
        keep &= any_type
    return lex.id_array[keep].tolist()


def _nearest_among(store: Store, vector: np.ndarray, *, ids: list[str], n: int) -> list[tuple[Chunk, float]]:
    """`store.query` restricted to the chunks `ids`: nearest first, with cosine similarity."""
    if not ids or n <= 0:
        return []
    got = store.chunks.query(query_embeddings=[vector], n_results=min(n, len(ids)), ids=ids, include=["distances"])
    found = dict(zip(got["ids"][0], got["distances"][0]))
    by_id = {c.chunk_id: c for c in store.get_chunks(list(found))}
    return [(by_id[i], 1.0 - float(d)) for i, d in found.items() if i in by_id]
