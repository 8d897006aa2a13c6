"""Keeping the index whole: repair after an interrupted writer, and deleting documents."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..errors import IndexError_
from .writer import writer_lock

if TYPE_CHECKING:
    from .resources import Assistant


def repair(assistant: Assistant, *, abandoned: bool = False) -> list[str]:
    """Remove what an interrupted writer left: documents not marked done lose their chunks and
    manifest entries (they can be ingested again). The generation moves on when anything was
    removed or the last writer never finished, so derived data (the lexical index) is rebuilt.
    Call under `writer_lock`; returns the removed document ids."""
    store = assistant.store
    ids = store.unfinished()
    store.purge(ids)
    if ids or abandoned:
        store.bump()
    return ids


def recover(assistant: Assistant) -> list[str]:
    """Repair the index if an interrupted writer left work behind and no writer is at work now
    (readers ignore unfinished documents meanwhile). `open_assistant` calls this."""
    store = assistant.store
    try:
        if store.lease() is None and not store.unfinished(limit=1):
            return []
        with writer_lock(assistant, purpose="repair") as writer:
            return repair(assistant, abandoned=writer.abandoned)
    except (IndexError_, OSError):
        return []  # a writer is at work (it repairs), or we may not write


def delete(doc_ids: Sequence[str], *, assistant: Assistant) -> int:
    """Remove documents: their chunks (with the attributions stored on them), manifest entries
    and keyword-index entries. Returns how many existed."""
    store = assistant.store
    with writer_lock(assistant, purpose="delete") as writer:
        repaired = repair(assistant, abandoned=writer.abandoned)
        known = {d.doc_id for d in store.documents(state="done")}
        gone = [d for d in dict.fromkeys(doc_ids) if d in known]
        store.retire(gone)
        if gone or repaired or writer.abandoned:
            assistant.reload()
    return len(gone)


# -- ingesting ------------------------------------------------------------------------------------
