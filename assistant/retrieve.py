"""Question -> ranked chunks: dense (exact search of the chunk vectors) and BM25 (bm25s) candidates
fused by reciprocal rank.

Metadata filters are evaluated on the keyword index's per-chunk arrays, and the dense search is
limited to the same rows (a Chroma `where` evaluates the filter over every chunk's metadata rows:
about a second at 100k chunks).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import lexical
from .dense import DenseIndex
from .dense import search as exact_nearest
from .lexical import LexicalIndex
from .store import Store, date_int
from .types import DocRecord, Filters, Hit, type_key


def retrieve(
    question: str,
    *,
    vector: np.ndarray,
    store: Store,
    lex: LexicalIndex | None,
    docs: Mapping[str, DocRecord],
    filters: Filters,
    n: int,
    candidates: int,
    rrf_k: int,
    vectors: DenseIndex,
) -> list[Hit]:
    """The `n` best chunks for `question` among complete documents that pass `filters`. The same
    question on the same index gives the same chunks in every process: the dense candidates are the
    `candidates` nearest by an exact search of `vectors` (the chunks of `lex`, in its order), ties
    broken by chunk id; Chroma's approximate graph, which each process rebuilds in its own way, is
    not asked."""
    if lex is not None and vectors.ids is not lex.ids and vectors.ids != lex.ids:  # the snapshot shares one list
        raise ValueError("the chunk vectors and the keyword index are of different snapshots")
    weights = keyword_mask(lex, filters, docs) if lex is not None else None
    dense = exact_nearest(vectors, vector, n=candidates, allowed=weights > 0 if weights is not None else None)
    dense = [(cid, s) for cid, s in dense if cid.rsplit(":", 1)[0] in docs]  # chunk id = doc id:index
    keyword = lexical.search(lex, question, n=candidates, weights=weights) if lex is not None else []
    scores: dict[str, float] = {}
    dense_rank: dict[str, int] = {}
    lex_rank: dict[str, int] = {}
    sim: dict[str, float] = {}
    for r, (cid, s) in enumerate(dense):
        scores[cid] = scores.get(cid, 0.0) + 1.0 / (rrf_k + r + 1)
        dense_rank[cid] = r + 1
        sim[cid] = s
    for r, (cid, _) in enumerate(keyword):
        scores[cid] = scores.get(cid, 0.0) + 1.0 / (rrf_k + r + 1)
        lex_rank[cid] = r + 1
    ranked = sorted(scores, key=lambda cid: (-scores[cid], cid))
    hits: list[Hit] = []
    for start in range(0, len(ranked), n):  # a chunk of an unfinished document is skipped
        got = {c.chunk_id: c for c in store.get_chunks(ranked[start : start + n])}
        for cid in ranked[start : start + n]:
            c = got.get(cid)
            if c is None or c.doc_id not in docs:
                continue
            hits.append(
                Hit(
                    chunk=c,
                    doc=docs[c.doc_id],
                    score=scores[cid],
                    dense_rank=dense_rank.get(cid),
                    lexical_rank=lex_rank.get(cid),
                    similarity=sim.get(cid),
                )
            )
            if len(hits) == n:
                return hits
    return hits


def keyword_mask(lex: LexicalIndex, filters: Filters, docs: Mapping[str, DocRecord]) -> np.ndarray | None:
    """Which chunks of the keyword index pass `filters` (None: all); the dense search is limited
    to the same chunks, so both halves of a filtered search agree (an undated chunk is outside
    any date range)."""
    allowed = [d for d in filters.doc_ids if d in docs] if filters.doc_ids else None
    return lexical.mask(
        lex,
        doc_ids=allowed,
        outlets=filters.outlets,
        date_from=date_int(filters.date_from) if filters.date_from else 0,
        date_to=date_int(filters.date_to, end=True) if filters.date_to else 0,
        types=[type_key(t) for t in filters.source_types],
    )
