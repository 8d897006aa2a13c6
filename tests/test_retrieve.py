"""Retrieval over a real Chroma store: metadata filters evaluated on the keyword index give the same
neighbours as Chroma's own `where`, the dense candidates are the exact nearest chunks, and the
keyword index and the chunk vectors rebuilt incrementally equal a full rebuild."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from assistant import dense, lexical
from assistant.pipeline import open_assistant, rebuild_lexical
from assistant.pipeline.snapshot import rebuild_dense
from assistant.retrieve import keyword_mask
from assistant.store import where_clause
from assistant.types import Filters

QUESTIONS = ["How many Wagner fighters were killed?", "What did the army deny?", "Who attacked the farm?"]


@pytest.mark.parametrize(
    "filters",
    [
        Filters(source_types=("military",)),
        Filters(source_types=("armed group", "government")),
        Filters(date_from="2024-01"),
        Filters(date_to="2024-12-31"),
        Filters(date_from="1980", date_to="2030"),
        Filters(outlets=("FBIS (MUC-4 corpus)",)),
        Filters(outlets=("no such outlet",)),
        Filters(doc_ids=("no-such-doc",)),
    ],
)
def test_filtered_dense_search_matches_chroma_where(seeded, filters: Filters) -> None:
    seeded.refresh()
    some_doc = sorted(seeded.documents_by_id())[0]
    for f in (filters, dataclasses.replace(filters, doc_ids=filters.doc_ids + (some_doc,))):
        allowed = [d for d in f.doc_ids if d in seeded.documents_by_id()]
        where = where_clause(f, doc_ids=allowed if f.doc_ids else None)  # as retrieve() builds it
        for q in QUESTIONS:
            v = seeded.query_embedder().embed([q])[0]
            want = [(c.chunk_id, round(s, 5)) for c, s in seeded.store.query(v, n=40, where=where)]
            weights = keyword_mask(seeded.lexical_index(), f, seeded.documents_by_id())  # the keyword side's filter
            allowed_ids = [i for i, w in zip(seeded.lexical_index().ids, weights) if w]
            got = [(c.chunk_id, round(s, 5)) for c, s in seeded.store.nearest_among(v, ids=allowed_ids, n=40)]
            assert got == want, (f, q)


def _same(a: lexical.LexicalIndex, b: lexical.LexicalIndex) -> bool:
    return (
        a.ids == b.ids
        and a.doc_ids == b.doc_ids
        and a.outlets == b.outlets
        and np.array_equal(a.doc_codes, b.doc_codes)
        and np.array_equal(a.dates, b.dates)
        and sorted(a.types) == sorted(b.types)
        and all(np.array_equal(a.types[k], b.types[k]) for k in a.types)
        and all(lexical.search(a, q, n=20, weights=None) == lexical.search(b, q, n=20, weights=None) for q in QUESTIONS)
    )


def test_incremental_keyword_index_equals_full_rebuild(seeded, settings, tmp_path: Path) -> None:
    """Documents copied from the seeded index (chunks and embeddings, through the store API) into a
    new one: after adding and after removing some, refresh() gives what a full rebuild gives."""
    seeded.refresh()
    target = open_assistant(settings.with_(index_dir=tmp_path / "copy"))
    docs = sorted(seeded.documents_by_id().values(), key=lambda d: d.doc_id)

    def copy(ds) -> None:
        for d in ds:
            ids = seeded.store.chunk_ids_of(d.doc_id)
            got = seeded.store.chunks.get(ids=ids, include=["embeddings"])
            vec = dict(zip(got["ids"], got["embeddings"]))
            chunks = sorted(seeded.store.get_chunks(ids), key=lambda c: c.index)
            target.store.put_documents([(dataclasses.replace(d, state="pending"), seeded.store.document(d.doc_id)[1])])
            target.store.add_chunks(chunks, np.asarray([vec[c.chunk_id] for c in chunks], dtype=np.float32), d)
            target.store.mark_done([d.doc_id])
        target.store.bump()

    copy(docs[:8])
    target.refresh()
    assert (target.lexical_dir / "terms.txt").exists()
    copy(docs[8:12])
    target.refresh()
    assert _same(
        target.lexical_index(), rebuild_lexical(target.store, target.documents_by_id(), generation=target.generation())
    )
    for d in docs[2:5]:
        target.store.delete_document(d.doc_id)
    target.store.bump()
    target.refresh()
    assert len(target.documents_by_id()) == 9
    assert _same(
        target.lexical_index(), rebuild_lexical(target.store, target.documents_by_id(), generation=target.generation())
    )
    full = rebuild_dense(target.store, target.lexical_index())  # without the saved vectors
    kept = target.dense_index()
    assert kept is not None and kept.ids == full.ids == target.lexical_index().ids
    assert kept.generation == target.generation() and np.array_equal(np.asarray(kept.vectors), full.vectors)


def test_dense_candidates_are_the_exact_nearest_chunks(seeded) -> None:
    """The dense search gives the chunks nearest to the question by cosine similarity over every
    stored vector (not an approximation of them), filtered or not, ties broken by id."""
    seeded.refresh()
    lex, vectors = seeded.lexical_index(), seeded.dense_index()
    assert vectors is not None and vectors.ids == lex.ids
    stored = seeded.store.chunk_vectors(lex.ids)
    stored = stored / np.linalg.norm(stored, axis=1, keepdims=True)
    for q in QUESTIONS:
        v = seeded.query_embedder().embed([q])[0]
        sims = stored @ (v / np.linalg.norm(v))
        for f in (None, Filters(source_types=("military",)), Filters(date_from="2024-01")):
            allowed = keyword_mask(lex, f, seeded.documents_by_id()) > 0 if f is not None else np.ones(len(sims), bool)
            want = sorted(
                ((lex.ids[i], float(sims[i])) for i in np.flatnonzero(allowed)), key=lambda x: (-round(x[1], 6), x[0])
            )[:10]
            got = dense.search(vectors, v, n=10, allowed=None if f is None else allowed)
            assert [i for i, _ in got] == [i for i, _ in want]
            assert np.allclose([s for _, s in got], [s for _, s in want], atol=1e-5)


def test_damaged_chunk_vectors_are_rebuilt_from_the_store(seeded, tmp_path: Path) -> None:
    """The saved vectors are derived data: a truncated file is read as missing and rebuilt."""
    seeded.refresh()
    folder = tmp_path / "vectors"
    dense.save(seeded.dense_index(), folder)
    assert dense.load(folder) is not None
    data = (folder / "vectors.npy").read_bytes()
    (folder / "vectors.npy").write_bytes(data[: len(data) // 2])
    assert dense.load(folder) is None
    rebuilt = rebuild_dense(seeded.store, seeded.lexical_index(), previous=dense.load(folder))
    assert np.array_equal(rebuilt.vectors, np.asarray(seeded.dense_index().vectors))


def test_document_list_is_kept_with_the_keyword_index(seeded) -> None:
    """A process over an index keeps the document list beside the keyword index; the next one takes
    it from there (listing the manifest takes seconds on a large index) and gets the same documents."""
    first = open_assistant(seeded.settings)
    first.refresh()
    listed = first.lexical_dir.with_name(first.lexical_dir.name + ".documents.json")
    assert listed.exists()
    again = open_assistant(seeded.settings)
    again.refresh()
    assert again.documents_by_id() == first.documents_by_id() and list(again.documents_by_id()) == list(
        first.documents_by_id()
    )
    assert again.generation() == first.generation()


def test_chunks_carry_a_vector_per_sentence(seeded) -> None:
    """Each stored chunk has one unit vector per sentence (pooled at ingest), and the sentence that
    answers a question is the nearest of its chunk to that question."""
    seeded.refresh()
    chunks = seeded.store.get_chunks(seeded.lexical_index().ids[:50])
    assert chunks and all(
        c.sentence_vectors is not None and len(c.sentence_vectors) == len(c.sentences) for c in chunks
    )
    assert all(np.allclose(np.linalg.norm(c.sentence_vectors, axis=1), 1.0, atol=1e-4) for c in chunks)
    question = "Did a helicopter crash during a routine mission in Kidal?"
    v = seeded.query_embedder().embed([question])[0]
    chunk = next(
        c for c in seeded.store.get_chunks(seeded.lexical_index().ids) if "helicopter crash in Kidal" in c.text
    )
    best = chunk.sentences[int(np.argmax(chunk.sentence_vectors @ v))]
    assert "helicopter crash in Kidal" in chunk.text[best.start - chunk.start : best.end - chunk.start]


def test_dense_candidates_are_the_exact_nearest_whatever_the_pool(seeded) -> None:
    """The dense candidates are ordered by exact similarity with ties broken by id, and a larger
    approximate pool gives the same first ones (what keeps answers the same in every process)."""
    for q in QUESTIONS:
        v = seeded.query_embedder().embed([q])[0]
        small = seeded.store.nearest(v, n=10, pool=40)
        large = seeded.store.nearest(v, n=10, pool=200)
        assert small == large
        assert small == sorted(small, key=lambda x: (-round(x[1], 6), x[0]))
