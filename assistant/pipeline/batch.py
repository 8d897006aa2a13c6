"""Documents embedded and stored together, each batch committed in one write."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from ..errors import AssistantError
from ..types import Chunk, DocRecord

if TYPE_CHECKING:
    from .ingesting import Pending
    from .planner import Planner
    from .resources import Assistant
    from .writer import Writer

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class Batch:
    """Documents stored together: manifest entries written as pending, their chunks embedded in
    one call and written, then in one write the entries marked done, the documents they replace
    marked for deletion and the generation moved on; the replaced documents are deleted last.
    Whatever an interruption leaves is not done, and `repair` removes it.

    A full batch is handed over at once: its chunks are queued on the embedder's threads, behind
    those of the batches before (so those threads never wait for a batch to be written), and a
    writing thread stores it when its vectors are ready, in order; at most `batches_ahead` batches are in
    flight while the ingest reads, parses and chunks the next documents (torch releases the GIL).
    The embedding model is loaded on its own thread as soon as there is something to embed."""

    def __init__(
        self,
        assistant: Assistant,
        writer: Writer,
        planner: Planner,
        progress: Progress | None,
    ) -> None:
        self.assistant, self.writer, self.planner, self.progress = assistant, writer, planner, progress
        self.size, self.ahead = assistant.settings.batch_chunks, assistant.settings.batches_ahead
        self.items: list[tuple[DocRecord, str, list[Chunk]]] = []
        self.retiring: list[str] = []
        self.n = 0
        self.commits = 0
        self.chunks_of: dict[str, int] = {}
        self.failures: dict[str, list[str]] = {}
        self.failed_ids: set[str] = set()
        self.committed: dict[str, int] = {}  # doc id -> chunks, once its batch is committed (writing thread)
        self._stored_of: dict[str, int] = {}
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assistant-ingest-writer")
        self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assistant-ingest-embed")
        self._inflight: deque[tuple[Future, Future]] = deque()  # (its write, its embedding started) per batch
        self._model: Future | None = None
        self._failed = False  # on the writing thread: no batch is written after a failed one

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self.flush()
                self.wait()
        finally:  # interrupted: batches not yet written stay pending, unembedded
            self._loader.shutdown(wait=True, cancel_futures=True)
            for _, started in self._inflight:
                if started.done() and not started.cancelled() and started.exception() is None and started.result():
                    started.result().cancel()
            self._thread.shutdown(wait=True, cancel_futures=True)

    def prepare(self) -> None:
        """Start loading the embedding model (a re-run with nothing new never loads it)."""
        if self._model is None:
            self._model = self._loader.submit(self.assistant.ingest_embedder)

    def add(self, record: DocRecord, text: str, chunks: list[Chunk], *, retire: Sequence[str] = ()) -> None:
        self.retiring.extend(retire)
        self.items.append((record, text, chunks))
        self._stored_of[record.path] = self._stored_of.get(record.path, 0) + 1
        self.n += len(chunks)
        if self.n >= self.size:
            self.flush()

    def retire(self, ids: Sequence[str]) -> None:
        """Remove these documents with the next write."""
        self.retiring.extend(ids)

    def fail(self, p: Pending, reason: str) -> None:
        self.failed_ids.add(p.doc.doc_id)
        label = f"record {p.doc.key}: " if p.doc.key else ""
        self.failures.setdefault(p.path, []).append(label + reason)
        if p.retire and self._stored_of.get(p.path):
            self.retire(p.retire)  # the file's other new documents replace the old ones
        elif p.retire:
            self.planner.keep(p.retire)  # nothing of the new version stored: the old one stays

    def flush(self) -> None:
        """Hand what is gathered over: its embedding is queued and its write follows those of the
        batches before (waiting while `ahead` batches are in flight)."""
        retire = [i for i in dict.fromkeys(self.retiring) if i in self.planner.retiring]
        self.retiring = []
        if not self.items and not retire:
            return
        for i in retire:
            self.planner.retiring.pop(i, None)  # its removal is under way: no later file can keep it
        items, n = self.items, self.n
        self.items, self.n = [], 0
        chunks = [c for _, _, cs in items for c in cs]
        if chunks:
            self.prepare()
        started = self._loader.submit(self._embed, chunks)
        self._inflight.append((self._thread.submit(self._write, items, retire, n, started), started))
        while len(self._inflight) > self.ahead:
            self._settle()

    def wait(self) -> None:
        """Wait for every batch in flight to be written (raising what went wrong) and count them."""
        while self._inflight:
            self._settle()

    def _settle(self) -> None:
        """Wait for the oldest batch in flight to be written (raising what went wrong with it) and count it."""
        job, _ = self._inflight.popleft()
        items, n = job.result()
        for r, _, cs in items:
            self.chunks_of[r.doc_id] = len(cs)
        self.commits += 1
        if self.progress:
            self.progress("chunks", n, -1)

    def _embed(self, chunks: list[Chunk]) -> Future | None:
        """On the loading thread (after the model is loaded): queue the embedding of `chunks`, with
        a vector per sentence pooled from each chunk's token vectors."""
        if not chunks:
            return None
        spans = [[(max(s.start, c.start) - c.start, min(s.end, c.end) - c.start) for s in c.sentences] for c in chunks]
        return self.assistant.ingest_embedder().submit([c.text for c in chunks], spans=spans)

    def _write(
        self, items: list[tuple[DocRecord, str, list[Chunk]]], retire: list[str], n: int, started: Future
    ) -> tuple[list, int]:
        """On the writing thread: store one batch, once its vectors are ready, committed in one write."""
        try:
            if self._failed:
                raise AssistantError("not written: an earlier batch of this ingest could not be stored")
            self.writer.check()
            store = self.assistant.store
            if items:
                store.put_documents([(r, t) for r, t, _ in items])
                embedding = started.result()
                if embedding is not None:
                    vectors = embedding.result()
                    store.add_batch([(r, cs) for r, _, cs in items], vectors.vectors, sentence_vectors=vectors.parts)
            store.commit(done=[r.doc_id for r, _, _ in items], retire=retire)
            self.committed.update((r.doc_id, len(cs)) for r, _, cs in items)
            store.purge(retire)
        except BaseException:
            self._failed = True
            raise
        return items, n
