"""The ingest: files -> read and clean (planner) -> analyse (analysis_pool) -> chunk -> embed and
store in batches (batch); one report line per file, whatever happens to the others."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path

from ..chunk import chunk
from ..config import Settings
from ..errors import AssistantError, IndexLockedError, IngestInterrupted, IngestStopped, ModelError, shown
from ..types import Document, FileReport, IngestReport
from ..walk import discover
from .analysis_pool import AnalysisPool, Later
from .batch import Batch
from .maintenance import repair
from .planner import Planner, reading, record
from .resources import Assistant
from .writer import writer_lock

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class Pending:
    """A document waiting for analysis, chunking and embedding; `retire` lists the file's
    replaced documents, removed in the same write that stores this (its file's last) document."""

    doc: Document
    path: str
    analysis: Future
    retire: tuple[str, ...] = ()
    alone: bool = True  # analysed on its own (not parsed together with others)


def ingest(
    paths: Sequence[Path], *, assistant: Assistant, progress: Progress | None = None, workers: int | None = None
) -> IngestReport:
    """Add files and folders to the index; one report line per file, whatever happens to the others.

    Files are read ahead on a reader thread (PDFs in a limited child process) and planned and
    chunked in this thread; documents are parsed by spaCy in a worker process; the previous ones
    are embedded (one thread per core) and stored by a writing thread meanwhile, in batches across
    documents. Each batch is committed in one write, so an interrupted ingest leaves only complete
    documents; running it again adds the rest. When the index fails meanwhile (a server gone, a
    full disk) or on Ctrl-C, IngestStopped (IngestInterrupted) carries the report of what was
    committed before."""
    t0 = time.perf_counter()
    walk = discover([Path(p) for p in paths], exclude=_never_documents(assistant.settings))
    reports = {shown(p): FileReport(path=shown(p), status=status, reason=why) for p, status, why in walk.others}
    order = list(reports)
    files = walk.files
    with writer_lock(assistant) as writer:
        repaired = repair(assistant, abandoned=writer.abandoned)
        planner = Planner(assistant)
        batch = Batch(assistant, writer, planner, progress)
        new_of: dict[str, list[str]] = {}  # file -> the ids of its documents this ingest stores
        try:
            _store_files(
                files,
                assistant=assistant,
                planner=planner,
                batch=batch,
                workers=workers,
                progress=progress,
                order=order,
                reports=reports,
                new_of=new_of,
            )
        except (AssistantError, KeyboardInterrupt) as exc:
            if isinstance(exc, (ModelError, IndexLockedError)) and not batch.committed:
                raise  # nothing was stored: the error says it all
            _stop(exc, order=order, reports=reports, new_of=new_of, batch=batch, files=files, t0=t0)
        if progress:
            progress("files", len(files), len(files))
        for key in order:
            reports[key] = _final(reports[key], batch)
        _refresh(assistant, changed=bool(batch.commits or repaired or writer.abandoned), progress=progress)
    return IngestReport(files=tuple(reports[k] for k in dict.fromkeys(order)), seconds=time.perf_counter() - t0)


def _store_files(
    files: list[Path],
    *,
    assistant: Assistant,
    planner: Planner,
    batch: Batch,
    workers: int | None,
    progress: Progress | None,
    order: list[str],
    reports: dict[str, FileReport],
    new_of: dict[str, list[str]],
) -> None:
    """Read, plan, analyse, chunk and hand over every file's documents to `batch`, in order."""
    s = assistant.settings
    with (
        AnalysisPool(assistant, workers=workers, n_files=len(files)) as analyser,
        batch,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="assistant-ingest-reader") as reader,
    ):
        if len(files) > 2 and not planner.by_id:  # a first ingest of a folder: start the models now
            analyser.start()
            batch.prepare()
        queue: deque[Pending] = deque()

        def commit_what_came_before() -> None:
            """Before a large file: every earlier document is stored and its batch handed over."""
            while queue:
                take(queue.popleft(), batch, analyser, queue)
            batch.flush()

        for n, (path, read) in enumerate(reading(files, s, reader, before_large=commit_what_came_before)):
            if progress:
                progress("files", n, len(files))
            key = shown(path.resolve())
            order.append(key)
            reports[key], new, stale = planner.plan(path, key, read)
            new_of[key] = [d.doc_id for d in new]
            if new:
                batch.prepare()
            for i, (doc, analysis, alone) in enumerate(analyser.submit_many(new)):
                queue.append(
                    Pending(
                        doc=doc,
                        path=key,
                        analysis=analysis,
                        alone=alone,
                        retire=tuple(stale) if i == len(new) - 1 else (),
                    )
                )
            if stale and not new:
                batch.retire(stale)
            while queue and (len(queue) > 8 or queue[0].analysis.done()):
                take(queue.popleft(), batch, analyser, queue)
        while queue:
            take(queue.popleft(), batch, analyser, queue)
        analyser.finish()  # nothing left to parse: the worker exits while the last batches embed


def _refresh(assistant: Assistant, *, changed: bool, progress: Progress | None) -> None:
    """Readers' snapshot after the ingest: the keyword index is brought up to date."""
    if not changed:
        assistant.refresh()  # nothing new, but a damaged keyword index is rebuilt now
        return
    if progress:
        progress("keyword index", 0, 1)
    assistant.reload()
    if progress:
        progress("keyword index", 1, 1)


def _never_documents(settings: Settings) -> list[Path]:
    """Folders an ingest never reads as documents: the index itself and the assistant's own data in
    its cache (the converted model, keyword indexes, locks; not the web chat's uploads, staged there
    to be read)."""
    own = [settings.cache_dir / d for d in ("onnx", "lexical", "locks")]
    return own + ([] if settings.chroma_url else [settings.index_dir])


def _stop(
    exc: BaseException,
    *,
    order: list[str],
    reports: dict[str, FileReport],
    new_of: dict[str, list[str]],
    batch: Batch,
    files: list[Path],
    t0: float,
) -> None:
    """Raise IngestStopped (IngestInterrupted for Ctrl-C) with the report of what was committed
    before `exc` stopped the ingest: files whose documents are all stored keep their line, the
    others say they were not stored; files never reached are counted."""
    done = dict(batch.committed)
    lines: list[FileReport] = []
    for key in dict.fromkeys(order):
        r = reports[key]
        if r.status in ("added", "updated"):
            new = [i for i in new_of.get(key, ()) if i not in batch.failed_ids]
            stored = [i for i in new if i in done]
            if len(stored) < len(new):
                kept = "; the previous version stays indexed" if r.status == "updated" and not stored else ""
                what = f"only {len(stored)} of {len(new)} documents stored" if stored else "not stored"
                r = replace(
                    r,
                    status="failed",
                    documents=len(stored),
                    chunks=sum(done[i] for i in stored),
                    reason=f"{what}: the ingest stopped before the rest{kept}",
                )
            else:
                r = _final(r, batch, chunks_of=done)
        lines.append(r)
    stored_files = sum(1 for r in lines if r.status in ("added", "updated"))
    unreached = len(files) - len(set(new_of))
    what = "interrupted (Ctrl-C)" if isinstance(exc, KeyboardInterrupt) else str(exc)
    summary = (
        f"the ingest stopped: {what}\nCommitted before it stopped: {stored_files} file(s), "
        f"{sum(done.values())} chunks"
        + (f"; {unreached} file(s) not reached" if unreached else "")
        + ". What was committed stays indexed; run the same command again to add the rest."
    )
    report = IngestReport(files=tuple(lines), seconds=time.perf_counter() - t0)
    if isinstance(exc, KeyboardInterrupt):
        raise IngestInterrupted(summary, report) from None
    raise IngestStopped(summary, report) from exc


def _final(r: FileReport, batch: Batch, *, chunks_of: dict[str, int] | None = None) -> FileReport:
    """A file's report once its documents are stored (or failed)."""
    if r.status not in ("added", "updated"):
        return r
    chunks_of = batch.chunks_of if chunks_of is None else chunks_of
    chunks = sum(chunks_of.get(i, 0) for i in r.doc_ids)
    failed = batch.failures.get(r.path, [])
    if not failed:
        return replace(r, chunks=chunks)
    stored = sum(1 for i in r.doc_ids if i in chunks_of)
    more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
    if stored == 0:
        kept = "; the previous version stays indexed" if r.status == "updated" else ""
        return replace(r, status="failed", documents=0, chunks=0, reason=failed[0] + more + kept)
    note = f"{len(failed)} of {len(failed) + stored} documents failed: {failed[0]}{more}"
    return replace(r, documents=stored, chunks=chunks, reason="; ".join(x for x in (r.reason, note) if x))


def take(p: Pending, batch: Batch, analyser: AnalysisPool, queue: deque[Pending]) -> None:
    """Chunk an analysed document and hand it to the batch; a document whose analysis fails is
    reported and the others go on (a crashed worker is replaced)."""
    s = batch.assistant.settings
    budget = s.text_timeout + s.text_timeout_per_mb * len(p.doc.text) / 1e6
    try:
        if not isinstance(p.analysis, Later):
            analyser.wait_ready()  # the budget counts parsing, not the worker's start
        analysis = p.analysis.result(timeout=budget)  # (one computed in this process ignores it)
        chunks = chunk(
            p.doc,
            analysis,
            tokenizer=batch.assistant.tokenizer(),
            target=s.chunk_tokens,
            max_tokens=s.max_tokens,
            overlap=s.overlap_tokens,
        )
    except TimeoutError:
        analyser.restart(kill=True)  # the worker is stopped; the documents queued behind go to a new one
        for q in queue:
            q.analysis, q.alone = analyser.submit(q.doc), True
        batch.fail(
            p,
            f"the language analysis took longer than {budget:.0f} s and was stopped (the limit for a text "
            "of this size: ASSISTANT_TEXT_TIMEOUT plus ASSISTANT_TEXT_TIMEOUT_PER_MB per MB)",
        )
        return
    except MemoryError:
        batch.fail(
            p,
            f"the language analysis needed more than {s.text_memory_mb} MB of memory and was stopped "
            "(ASSISTANT_TEXT_MEMORY_MB); split the file",
        )
        return
    except BrokenProcessPool:
        analyser.restart()
        for q in queue:
            q.analysis, q.alone = analyser.submit(q.doc), True
        if not p.alone:  # parsed with others: which one crashed? try it alone
            p.analysis, p.alone = analyser.submit(p.doc), True
            take(p, batch, analyser, queue)
            return
        batch.fail(p, "the language analysis crashed on this document (out of memory?)")
        return
    except ModelError:
        raise  # no document can be analysed: stop, saying why
    except Exception as exc:
        batch.fail(p, f"the language analysis failed ({type(exc).__name__}: {str(exc)[:200]})")
        return
    if not chunks:
        batch.fail(p, "no sentences found in the text")
        return
    batch.add(record(p.doc, p.path, analysis.narrator, len(chunks)), p.doc.text, chunks, retire=p.retire)
