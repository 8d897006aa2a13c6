"""The Library tab's tables and summaries: one row per uploaded file (while it is indexed and
after), one row per indexed document, how documents are named in pickers, and what an upload did."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..types import DocRecord, IngestReport

REPORT_COLUMNS = ("file", "result", "documents", "chunks", "detail")
DOCUMENT_COLUMNS = ("title", "outlet", "date", "chunks", "id")
RESULT_NAMES = {"added": "added", "updated": "updated", "unchanged": "duplicate", "failed": "failed"}


def report_rows(r: IngestReport, names: dict[str, str] | None = None) -> list[list[object]]:
    """One row per uploaded file (columns REPORT_COLUMNS); `names` maps paths to the names shown."""
    names = names or {}
    return [
        [
            names.get(f.path, Path(f.path).name),
            RESULT_NAMES.get(f.status, f.status),
            f.documents,
            f.chunks,
            _detail(f.reason, names),
        ]
        for f in r.files
    ]


def progress_rows(names: Sequence[str], *, read: int, stage: str = "files") -> list[list[object]]:
    """The per-file rows (columns REPORT_COLUMNS) while an upload is indexed: the first `read`
    files read and being indexed, the next one being read, the rest waiting."""
    rows: list[list[object]] = []
    for i, name in enumerate(names):
        if stage == "keyword index":
            state = "updating the keyword index…"
        elif i < read:
            state = "read; indexing…"
        elif i == read:
            state = "reading…"
        else:
            state = "waiting"
        rows.append([name, state, "", "", ""])
    return rows


def ingest_summary(r: IngestReport) -> str:
    """What an upload really did, in a sentence or two: counts by outcome, then whether anything new
    can now be found."""
    n = len(r.files)
    counts = [
        (r.count("added"), "added"),
        (r.count("updated"), "updated"),
        (r.count("unchanged"), "already in the library (duplicate)"),
        (r.count("failed"), "failed"),
    ]
    head = f"{n} file{'s' if n != 1 else ''}: " + ", ".join(f"{k} {what}" for k, what in counts if k) + "."
    new_docs = sum(f.documents for f in r.files if f.status in ("added", "updated"))
    if new_docs:
        tail = (
            "The new document is searchable now."
            if new_docs == 1
            else f"The {new_docs:,} new documents are searchable now."
        )
    elif r.count("failed") == n:
        tail = "Nothing was added; the reasons are in the table."
    elif r.count("failed"):
        tail = "Nothing new was added; the reasons for the failures are in the table."
    else:
        tail = "Nothing new was added."
    return f"{head} {tail}"


def _detail(reason: str | None, names: dict[str, str]) -> str:
    reason = reason or ""
    for path, name in names.items():
        reason = reason.replace(path, name)
    return reason


def documents_rows(docs: Sequence[DocRecord]) -> list[list[object]]:
    """One row per indexed document (columns DOCUMENT_COLUMNS)."""
    return [
        [d.meta.title or Path(d.path).name, d.meta.outlet or "", d.meta.date or "", d.n_chunks, d.doc_id] for d in docs
    ]


def document_label(d: DocRecord) -> str:
    """How a document is named in pickers: title, outlet, date."""
    bits = [b for b in (d.meta.outlet, d.meta.date) if b]
    title = d.meta.title or Path(d.path).name
    return f"{title[:90]}" + (f" ({', '.join(bits)})" if bits else "")
