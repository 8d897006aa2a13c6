"""The language analysis (spaCy) of documents during an ingest: in a limited worker process for
larger ingests, in this process when the result is needed for one or two files."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any

from .. import analysis_worker
from ..analyse import analyse, pieces
from ..types import Document

if TYPE_CHECKING:
    from .resources import Assistant


class Later(Future):
    """A Future computed in this process when its result is first asked for (so documents are
    analysed as the batch needs them, not all of a large corpus file at once)."""

    def __init__(self, compute: Callable[[], Any]) -> None:
        super().__init__()
        self._compute: Callable[[], Any] | None = compute

    def result(self, timeout: float | None = None) -> Any:
        if self._compute is not None:
            compute, self._compute = self._compute, None
            try:
                self.set_result(compute())
            except Exception as exc:
                self.set_exception(exc)
        return super().result(timeout)


class AnalysisPool:
    """Starts the language analysis of documents and returns a Future for each: in a worker
    process (so parsing overlaps with embedding) for larger ingests, in this process, when the
    result is needed, for one or two files."""

    def __init__(self, assistant: Assistant, *, workers: int | None, n_files: int) -> None:
        self.assistant = assistant
        self.workers = workers if workers is not None else (1 if n_files > 2 else 0)
        self.alone_chars = assistant.settings.alone_chars  # parsed alone, in the limited worker
        self.pool: ProcessPoolExecutor | None = None
        self._ready: Future | None = None

    def __enter__(self) -> AnalysisPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            self.restart(kill=True)  # stopped (an error, Ctrl-C): do not wait for a parse to end
        elif self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def finish(self) -> None:
        """Let the worker process go (without waiting for it): every document is analysed."""
        if self.pool is not None:
            self.pool.shutdown(wait=False)

    def submit(self, doc: Document) -> Future:
        if self.workers > 0 or len(doc.text) >= self.alone_chars:  # a long text: in the limited worker
            return self._worker().submit(analysis_worker.run, doc)
        return Later(
            lambda: analyse(doc, analyzer=self.assistant.analyzer(), batch_size=analysis_worker.parse_batch(doc))
        )

    def start(self) -> None:
        """Start the worker process and its spaCy pipeline before the first document is ready."""
        if self.workers > 0:
            self._worker()

    def wait_ready(self) -> None:
        """Wait until the worker process has started and loaded its pipeline."""
        if self._ready is not None:
            try:
                self._ready.result()
            except Exception:
                pass  # a broken worker: the document's own future says so

    def _worker(self) -> ProcessPoolExecutor:
        if self.pool is None:  # started when first needed: a re-run may have nothing new
            s = self.assistant.settings
            self.pool = ProcessPoolExecutor(
                max_workers=max(1, self.workers),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=analysis_worker.init,
                initargs=(s.spacy_model, s.text_memory_mb),
            )
            self._ready = self.pool.submit(analysis_worker.ready)
        return self.pool

    def submit_many(
        self, docs: Sequence[Document], *, together: int = 256, chars: int | None = None
    ) -> list[tuple[Document, Future, bool]]:
        """`submit` for each document; short documents go to the worker in groups of at most
        `together` paragraphs and `chars` characters (default: `alone_chars`), parsed in one batch
        (faster, same result): (document, its analysis, whether it went alone)."""
        chars = self.alone_chars if chars is None else chars
        if self.workers <= 0 or len(docs) < 2:
            return [(d, self.submit(d), True) for d in docs]
        out: list[tuple[Document, Future, bool]] = []
        group: list[Document] = []
        size = length = 0

        def send() -> None:
            if len(group) == 1:
                out.append((group[0], self.submit(group[0]), True))
            elif group:
                out.extend((d, f, False) for d, f in zip(group, self._submit_group(list(group))))
            group.clear()

        for d in docs:
            n = len(pieces(d))
            if analysis_worker.parse_batch(d) < 64 or n >= together or len(d.text) >= chars:
                send()
                out.append((d, self.submit(d), True))
                size = length = 0
                continue
            if size + n > together or length + len(d.text) > chars:
                send()
                size = length = 0
            group.append(d)
            size += n
            length += len(d.text)
        send()
        return out

    def _submit_group(self, docs: list[Document]) -> list[Future]:
        job = self._worker().submit(analysis_worker.run_many, docs)
        each: list[Future] = [Future() for _ in docs]

        def spread(done: Future) -> None:
            try:
                results = done.result()
            except BaseException as exc:  # the worker crashed: every document of the group learns it
                for f in each:
                    f.set_exception(exc)
                return
            for f, r in zip(each, results):
                if isinstance(r, BaseException):
                    f.set_exception(r)
                else:
                    f.set_result(r)

        job.add_done_callback(spread)
        return each

    def restart(self, *, kill: bool = False) -> None:
        """A new worker for the next documents; with `kill`, the current one is stopped at once."""
        if self.pool is not None:
            if kill:
                for proc in list((getattr(self.pool, "_processes", None) or {}).values()):
                    proc.kill()
            self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool, self._ready = None, None
