"""Reading files ahead and deciding, file by file, what the index must do with them."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..clean import clean
from ..config import Settings
from ..errors import LoadError, shown
from ..load import load_file
from ..narrators import narrator as voice_of
from ..types import DocRecord, Document, FileReport, FileStatus

if TYPE_CHECKING:
    from .resources import Assistant


class Planner:
    """Decides, file by file, what the index must do: which documents are new, which earlier
    documents of the file it replaces, and which content is already indexed (perhaps under
    another file, which keeps it when its own file changes)."""

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        known = assistant.store.documents(state="done")
        self.by_id: dict[str, DocRecord] = {d.doc_id: d for d in known}
        self.by_path: dict[str, list[str]] = {}
        for d in known:
            self.by_path.setdefault(d.path, []).append(d.doc_id)
        self.retiring: dict[str, str] = {}  # doc id -> the file that dropped it (until committed)
        self.claimed: dict[str, str] = {}  # doc id -> a file of this run with the same content
        self._dropped: dict[str, DocRecord] = {}

    def plan(self, path: Path, key: str, read: Read) -> tuple[FileReport, list[Document], list[str]]:
        """The file's report so far, its new documents, and the ids of its replaced documents."""
        if read.failure is not None:
            return FileReport(path=key, status="failed", reason=read.failure), [], []
        docs = read.documents
        unique = list({d.doc_id: d for d in docs if any(ch.isalnum() for ch in d.text)}.values())
        if not unique:
            return (
                FileReport(
                    path=key,
                    status="failed",
                    reason="no text left after cleaning (not a word: only markup, boilerplate, "
                    "punctuation or blank lines?)",
                ),
                [],
                [],
            )
        ids = [d.doc_id for d in unique]
        own = list(self.by_path.get(key, []))
        new: list[Document] = []
        moved: list[str] = []
        for d in unique:
            if d.doc_id in self.retiring:  # content another file just dropped: it stays, under this file
                self.keep([d.doc_id])
                moved.append(d.doc_id)
            elif d.doc_id in self.by_id:
                if d.doc_id not in own:
                    self.claimed.setdefault(d.doc_id, key)
            else:
                new.append(d)
        stale: list[str] = []
        for i in (i for i in own if i not in set(ids)):
            other = self.claimed.get(i)
            if other is not None and other != key:  # another file of this run has this content: it keeps it
                self._move([i], other)
            else:
                stale.append(i)
                self.retiring[i] = key
                self._dropped[i] = self.by_id.pop(i)
        self._move(moved, key)
        for d in new:
            self.by_id[d.doc_id] = record(d, key, None, 0)
        self.by_path[key] = [i for i in ids if i in self.by_id and self.by_id[i].path == key]
        warning = "; ".join(read.warnings) or None
        if not new and not stale and len(own) == len([i for i in own if i in set(ids)]):
            others = {self.by_id[i].path for i in ids if i in self.by_id and self.by_id[i].path != key}
            if others and not moved and not any(self.by_id[i].path == key for i in ids if i in self.by_id):
                return (
                    FileReport(
                        path=key,
                        status="duplicate",
                        documents=len(ids),
                        reason=f"same content as {sorted(others)[0]}",
                        doc_ids=tuple(ids),
                    ),
                    [],
                    [],
                )
            reason = f"same content as {sorted(others)[0]}" if others and not moved else "already indexed"
            return (
                FileReport(path=key, status="unchanged", documents=len(ids), reason=reason, doc_ids=tuple(ids)),
                [],
                [],
            )
        status: FileStatus = "updated" if own else "added"
        return FileReport(path=key, status=status, documents=len(new), reason=warning, doc_ids=tuple(ids)), new, stale

    def keep(self, ids: Sequence[str]) -> None:
        """Cancel the removal of these documents (their file's new version could not be stored)."""
        for i in ids:
            if self.retiring.pop(i, None) is not None and i in self._dropped:
                self.by_id[i] = self._dropped.pop(i)

    def _move(self, ids: list[str], path: str) -> None:
        """Record that the file `path` now holds these indexed documents."""
        if not ids:
            return
        self.assistant.store.set_path(ids, path)
        for i in ids:
            if i in self.by_id:
                old = self.by_id[i].path
                self.by_path[old] = [j for j in self.by_path.get(old, []) if j != i]
                self.by_id[i] = replace(self.by_id[i], path=path)
            self.by_path.setdefault(path, []).append(i)


@dataclass(frozen=True)
class Read:
    """A file read and cleaned, or why it could not be."""

    documents: list[Document]
    warnings: tuple[str, ...] = ()
    failure: str | None = None


def _read(path: Path, settings: Settings) -> Read:
    """Load and clean one file; any error becomes the file's reason (one bad file never stops the ingest)."""
    s = settings
    try:
        loaded = load_file(
            path, pdf_timeout=s.pdf_timeout, pdf_memory_mb=s.pdf_memory_mb, max_mb=s.max_file_mb, part_mb=s.text_part_mb
        )
        return Read(documents=[clean(raw) for raw in loaded.documents], warnings=tuple(loaded.warnings))
    except LoadError as exc:
        return Read(documents=[], failure=str(exc).replace(f"{shown(path)}: ", ""))
    except Exception as exc:
        return Read(documents=[], failure=f"could not read the file ({type(exc).__name__}: {str(exc)[:200]})")


def reading(
    paths: list[Path],
    settings: Settings,
    pool: ThreadPoolExecutor,
    *,
    ahead: int = 2,
    before_large: Callable[[], None] = lambda: None,
) -> Iterator[tuple[Path, Read]]:
    """Each file with what reading it gave, in order; the next `ahead` files are read (PDFs in
    their child process) on `pool` while the caller works on the current one. Before waiting for
    a text, HTML or JSON file over `settings.large_file_mb`, `before_large()` is called (so what
    came before is committed, never held back behind a slow file)."""
    pending: deque[tuple[Path, Future]] = deque()

    def result(path: Path, job: Future) -> Read:
        if path.suffix.lower() != ".pdf" and _size(path) > settings.large_file_mb * 1e6:
            before_large()  # (a PDF's size says little of its text; its reading has its own limit)
        return job.result()

    for path in paths:
        pending.append((path, pool.submit(_read, path, settings)))
        if len(pending) > ahead:
            done, job = pending.popleft()
            yield done, result(done, job)
    while pending:
        done, job = pending.popleft()
        yield done, result(done, job)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def record(doc: Document, path: str, narrator: Any, n_chunks: int, state: str = "pending") -> DocRecord:
    return DocRecord(
        doc_id=doc.doc_id,
        path=path,
        key=doc.key,
        meta=doc.meta,
        narrator=narrator or voice_of(doc.meta),
        n_chunks=n_chunks,
        state=state,  # type: ignore[arg-type]
        length=len(doc.text),
    )
