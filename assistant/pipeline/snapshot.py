"""What readers answer from, kept beside the index between processes: the list of complete
documents of a generation, the keyword index and the chunk vectors for the exact dense search,
both rebuilt incrementally when the store changed."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

from .. import dense, lexical
from ..store import Store, date_int
from ..types import DocMeta, DocRecord, Narrator


def load_documents(path: Path, *, generation: int) -> list[DocRecord] | None:
    """The done documents as listed at `generation`, or None when not saved for that generation."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        if saved.get("generation") != generation:
            return None
        return [
            DocRecord(**{**d, "meta": DocMeta(**d["meta"]), "narrator": Narrator(**d["narrator"])})
            for d in saved["documents"]
        ]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def save_documents(path: Path, docs: list[DocRecord], *, generation: int) -> None:
    """Keep the list of done documents at `generation` beside the keyword index (written atomically)."""
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    try:
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(
            json.dumps({"generation": generation, "documents": [asdict(d) for d in docs]}, ensure_ascii=False),
            encoding="utf-8",
        )
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def rebuild_lexical(
    store: Store, docs: dict[str, DocRecord], *, generation: int, previous: Path | None = None
) -> lexical.LexicalIndex:
    """The keyword index of the chunks of `docs`. With `previous` (the folder of an earlier keyword
    index of this store), the chunks it holds are taken from it with their terms and only the others
    are read and tokenized: the same index as a full rebuild (same chunks, in the store's order)."""
    known = lexical.saved_rows(previous) if previous is not None else None
    if not known:
        entries = ((cid, text, meta) for cid, text, meta in store.iter_chunks() if meta.get("doc_id") in docs)
        return lexical.build(entries, generation=generation)
    expect: dict[str, tuple[str, int]] = {}  # what a document's chunks say of its outlet and date

    def current(r: lexical.Row) -> bool:
        d = docs.get(r[2])
        if d is None:
            return False
        if r[2] not in expect:
            expect[r[2]] = (d.meta.outlet or "", date_int(d.meta.date))
        return (r[3], r[4]) == expect[r[2]]

    order = store.chunk_ids()
    fresh = [cid for cid in order if cid not in known or not current(known[cid])]
    read = {
        cid: lexical.row(cid, lexical.stem_terms(text), meta)
        for cid, text, meta in store.chunk_rows(fresh)
        if meta.get("doc_id") in docs
    }
    rows = (
        read[cid] if cid in read else known[cid]
        for cid in order
        if cid in read or (cid in known and current(known[cid]))
    )
    return lexical.assemble(rows, generation=generation)


def rebuild_dense(
    store: Store, lex: lexical.LexicalIndex, *, previous: dense.DenseIndex | None = None
) -> dense.DenseIndex:
    """The vectors of the keyword index's chunks, in its order: those `previous` (an earlier dense
    index of this store) holds are taken from it, only the others are read from the store."""
    return dense.build(lex.ids, generation=lex.generation, fetch=store.chunk_vectors, previous=previous)
