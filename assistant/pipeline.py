"""The only module that knows the stage order.

    ingest: discover -> load -> clean -> analyse (spaCy) -> chunk -> embed -> store -> lexical index
    ask:    question -> embed -> retrieve (dense + BM25) -> compose (passages, sources, abstention)

`Assistant` holds the heavy resources (Chroma client, models), each built once when first needed.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import multiprocessing
import os
import socket
import threading
import time
import uuid
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from . import analysis_worker, lexical
from .analyse import analyse, load_analyzer, pieces
from .chunk import chunk
from .clean import clean
from .compose import compose
from .config import Settings
from .embed import Embedder, TorchEmbedder, load_embedder, load_ingest_embedder, load_tokenizer, model_info
from .errors import (AssistantError, ConfigError, IndexError_, IndexLockedError, IngestInterrupted, IngestStopped,
                     LoadError, ModelError, shown)
from .load import discover, load_file
from .question import analyse_question
from .relevance import AnswerModel, load_model
from .retrieve import retrieve
from .store import Lease, Store, date_int, open_client, server_address
from .types import (Answer, Chunk, DocMeta, DocRecord, Document, FileReport, FileStatus, Filters, IngestReport,
                    Narrator)

Progress = Callable[[str, int, int], None]   # (stage, done, total)


@dataclass
class Assistant:
    """An open index and the models that serve it. Build with `open_assistant(settings)`."""
    settings: Settings
    store: Store
    _query_embedder: Embedder | None = None
    _ingest_embedder: TorchEmbedder | None = None
    _analyzer: Any = None
    _tokenizer: Any = None
    _answer_model: AnswerModel | None = None
    _lex: lexical.LexicalIndex | None = None
    _docs: dict[str, DocRecord] = field(default_factory=dict)
    _generation: int = -1

    @property
    def lexical_dir(self) -> Path:
        s = self.settings
        if s.chroma_url:
            key = hashlib.sha256(f"{s.chroma_url}|{s.collection}|{self.store.uid}".encode()).hexdigest()[:16]
            return s.cache_dir / "lexical" / key
        return s.index_dir / f"{s.collection}_lexical"

    def query_embedder(self) -> Embedder:
        if self._query_embedder is None:
            self._query_embedder = load_embedder(self.settings)
        return self._query_embedder

    def ingest_embedder(self) -> TorchEmbedder:
        if self._ingest_embedder is None:
            self._ingest_embedder = load_ingest_embedder(self.settings)
        return self._ingest_embedder

    def answer_model(self) -> AnswerModel | None:
        """The fitted relevance and abstention models (None when the file is missing: a plain
        word-and-meaning score is used instead)."""
        if self._answer_model is None and self.settings.answer_model.exists():
            self._answer_model = load_model(self.settings.answer_model)
        return self._answer_model

    def lexical_index(self) -> lexical.LexicalIndex | None:
        """The keyword index, as of the last `refresh()`."""
        return self._lex

    def documents_by_id(self) -> dict[str, DocRecord]:
        """The complete documents by id, as of the last `refresh()`."""
        return self._docs

    def analyzer(self) -> Any:
        if self._analyzer is None:
            self._analyzer = load_analyzer(self.settings.spacy_model)
        return self._analyzer

    def tokenizer(self) -> Any:
        if self._tokenizer is None:
            self._tokenizer = load_tokenizer(model_info(self.settings.embedding_model))
        return self._tokenizer

    def refresh(self) -> None:
        """Reload the document list and lexical index when the store has changed."""
        gen = self.store.generation()
        if gen == self._generation:
            return
        listed = self.lexical_dir.with_name(self.lexical_dir.name + ".documents.json")
        docs = _load_documents(listed, generation=gen)
        if docs is None:                  # listing the store's manifest takes seconds on a large index
            docs = self.store.documents(state="done")
            _save_documents(listed, docs, generation=gen)
        self._docs = {d.doc_id: d for d in docs}
        lex = lexical.load(self.lexical_dir)
        if lex is None or lex.generation != gen:
            lex = rebuild_lexical(self.store, self._docs, generation=gen, previous=self.lexical_dir)
            try:
                lexical.save(lex, self.lexical_dir)
            except OSError:
                pass
            lex.tokens = None             # kept on disk for the next rebuild, not in memory
        self._lex = lex
        self._generation = gen

    def documents(self) -> list[DocRecord]:
        self.refresh()
        return sorted(self._docs.values(), key=lambda d: (d.meta.title or d.path).lower())


def open_assistant(settings: Settings | None = None, *, create: bool = True) -> Assistant:
    """Open the index named by `settings` (default: Settings.from_env()); with `create`, an
    embedded index that does not exist yet is created, without it that is an IndexError_."""
    settings = settings or Settings.from_env()
    info = model_info(settings.embedding_model)
    client = open_client(index_dir=settings.index_dir, chroma_url=settings.chroma_url, create=create,
                         connect_timeout=settings.chroma_connect_timeout, timeout=settings.chroma_timeout)
    where = server_address(settings.chroma_url).shown if settings.chroma_url else str(settings.index_dir)
    store = Store(client, name=settings.collection, model=info.name, where=where, create=create)
    assistant = Assistant(settings=settings, store=store)
    recover(assistant)
    return assistant


def _load_documents(path: Path, *, generation: int) -> list[DocRecord] | None:
    """The done documents as listed at `generation`, or None when not saved for that generation."""
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        if saved.get("generation") != generation:
            return None
        return [DocRecord(**{**d, "meta": DocMeta(**d["meta"]), "narrator": Narrator(**d["narrator"])})
                for d in saved["documents"]]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def _save_documents(path: Path, docs: list[DocRecord], *, generation: int) -> None:
    """Keep the list of done documents at `generation` beside the keyword index (written atomically)."""
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    try:
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"generation": generation, "documents": [asdict(d) for d in docs]},
                                  ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def rebuild_lexical(store: Store, docs: dict[str, DocRecord], *, generation: int,
                    previous: Path | None = None) -> lexical.LexicalIndex:
    """The keyword index of the chunks of `docs`. With `previous` (the folder of an earlier keyword
    index of this store), the chunks it holds are taken from it with their terms and only the others
    are read and tokenized: the same index as a full rebuild (same chunks, in the store's order)."""
    known = lexical.saved_rows(previous) if previous is not None else None
    if not known:
        entries = ((cid, text, meta) for cid, text, meta in store.iter_chunks() if meta.get("doc_id") in docs)
        return lexical.build(entries, generation=generation)
    expect: dict[str, tuple[str, int]] = {}      # what a document's chunks say of its outlet and date

    def current(r: lexical.Row) -> bool:
        d = docs.get(r[2])
        if d is None:
            return False
        if r[2] not in expect:
            expect[r[2]] = (d.meta.outlet or "", date_int(d.meta.date))
        return (r[3], r[4]) == expect[r[2]]

    order = store.chunk_ids()
    fresh = [cid for cid in order if cid not in known or not current(known[cid])]
    read = {cid: lexical.row(cid, lexical.stem_terms(text), meta)
            for cid, text, meta in store.chunk_rows(fresh) if meta.get("doc_id") in docs}
    rows = (read[cid] if cid in read else known[cid] for cid in order
            if cid in read or (cid in known and current(known[cid])))
    return lexical.assemble(rows, generation=generation)


# -- asking ---------------------------------------------------------------------------------------

def ask(question: str, *, assistant: Assistant, k: int | None = None, filters: Filters | None = None) -> Answer:
    """Answer `question` from the index, with cited passages credited to their sources."""
    filters = filters or Filters()
    question = question.strip()
    if not question:
        raise ConfigError("the question is empty; ask something, e.g. \"Who attacked the convoy?\"")
    if k is not None and k < 1:
        raise ConfigError(f"the number of cited passages must be at least 1, not {k}")
    assistant.refresh()
    q = analyse_question(question)
    settings = assistant.settings
    vector = assistant.query_embedder().embed([question])[0]
    hits = retrieve(question, vector=vector, store=assistant.store, lex=assistant._lex, docs=assistant._docs,
                    filters=filters, n=max(settings.hits, 3 * (k or settings.citations)),
                    candidates=settings.candidates, pool=settings.dense_pool)
    return compose(q, hits, vector=vector, lex=assistant._lex, model=assistant.answer_model(),
                   k=k or settings.citations, filters=filters, min_similarity=settings.min_similarity)


# -- writing: one writer at a time, repair after an interruption ----------------------------------

LEASE_SECONDS = 60.0     # a writer's claim on the index lapses this long after its last renewal
HOST = socket.gethostname()


class Writer:
    """This process's claim on an index while it writes (see `writer_lock`). A thread renews the
    lease; `check()` raises if another writer took the index over meanwhile. `abandoned` says
    that the previous writer never released its claim (it was interrupted)."""

    def __init__(self, store: Store, lease: Lease, *, abandoned: bool) -> None:
        self.store, self.lease, self.abandoned = store, lease, abandoned
        self._stop = threading.Event()
        self._lost: Lease | None = None
        self._thread = threading.Thread(target=self._renew, name="assistant-writer-lease", daemon=True)
        self._thread.start()

    def _renew(self) -> None:
        while not self._stop.wait(LEASE_SECONDS / 4):
            try:
                held = self.store.lease()
                if held is None or held.token != self.lease.token:
                    self._lost = held or replace(self.lease, host="?", pid=0)
                    return
                self.lease = replace(self.lease, expires=time.time() + LEASE_SECONDS)
                self.store.put_lease(self.lease)
            except AssistantError:
                continue                     # a passing network problem: the next write will say

    def check(self) -> None:
        if self._lost is not None:
            raise IndexLockedError(f"{self.store.where}: this ingest lost its claim on the index (to pid "
                                   f"{self._lost.pid} on {self._lost.host}) and stopped; run it again")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        try:
            self.store.drop_lease(self.lease.token)
        except AssistantError:
            pass                             # it lapses by itself


def _lock_path(settings: Settings, store: Store) -> Path:
    if not settings.chroma_url:
        return settings.index_dir / f".{settings.collection}.writer.lock"
    key = hashlib.sha256(f"{store.where}|{settings.collection}".encode()).hexdigest()[:16]
    return settings.cache_dir / "locks" / f"{key}.lock"


def _lease_alive(lease: Lease, *, embedded: bool, now: float) -> bool:
    """Whether the writer named by `lease` may still be at work (this process holds the
    machine-local lock when it asks)."""
    if lease.host == HOST:
        if embedded or lease.pid == os.getpid():
            return False                     # it would hold the local lock we hold
        try:
            os.kill(lease.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass                             # alive, another user's
    return lease.expires > now


@contextmanager
def writer_lock(assistant: Assistant, *, purpose: str = "ingest") -> Iterator[Writer]:
    """Only one writer per index: a second one fails fast, naming the first.

    Two guards: an fcntl lock on a file on this machine (the index folder, or the cache for a
    server; the system drops it when the process dies), and a lease record in the index itself
    for writers on other machines sharing a Chroma server (renewed while the writer works; a
    crashed remote writer's lease lapses after LEASE_SECONDS). Chroma has no compare-and-swap,
    so two machines starting in the same instant could both win; the loser notices at its next
    renewal and stops before its next write."""
    s, store = assistant.settings, assistant.store
    path = _lock_path(s, store)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise IndexLockedError(f"{store.where}: the index is being written by {holder}; "
                                   "wait for it to finish, then try again") from exc
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(f"pid {os.getpid()} on {HOST} ({purpose})")
            fh.flush()
            held, now = store.lease(), time.time()
            if held is not None and _lease_alive(held, embedded=not s.chroma_url, now=now):
                raise IndexLockedError(
                    f"{store.where}: the index is being written by pid {held.pid} on {held.host} ({held.purpose}, "
                    f"since {time.strftime('%H:%M:%S', time.localtime(held.since))}); wait for it to finish. If that "
                    f"process is gone, its claim lapses at {time.strftime('%H:%M:%S', time.localtime(held.expires))}")
            lease = Lease(host=HOST, pid=os.getpid(), token=uuid.uuid4().hex, since=now, expires=now + LEASE_SECONDS,
                          purpose=purpose)
            store.put_lease(lease)
            if (mine := store.lease()) is None or mine.token != lease.token:
                raise IndexLockedError(f"{store.where}: another writer claimed the index at the same moment; try again")
            writer = Writer(store, lease, abandoned=held is not None)
            try:
                yield writer
            finally:
                writer.close()
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def writer_at_work(assistant: Assistant) -> Lease | None:
    """The claim of a writer (an ingest, a deletion) at work on the index now, if any: readers
    meanwhile see only the documents it has finished."""
    try:
        held = assistant.store.lease()
    except AssistantError:
        return None
    if held is None or held.expires <= time.time():   # a live writer renews its claim every 15 s
        return None
    if held.host == HOST:
        try:
            os.kill(held.pid, 0)
        except ProcessLookupError:
            return None                      # killed: its claim has not lapsed yet
        except PermissionError:
            pass                             # alive, another user's
    return held


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
        return []                            # a writer is at work (it repairs), or we may not write


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
            assistant._generation = -1
            assistant.refresh()
    return len(gone)


# -- ingesting ------------------------------------------------------------------------------------

@dataclass
class _Pending:
    """A document waiting for analysis, chunking and embedding; `retire` lists the file's
    replaced documents, removed in the same write that stores this (its file's last) document."""
    doc: Document
    path: str
    analysis: Future
    retire: tuple[str, ...] = ()
    alone: bool = True                    # analysed on its own (not parsed together with others)


def ingest(paths: Sequence[Path], *, assistant: Assistant, progress: Progress | None = None,
           workers: int | None = None) -> IngestReport:
    """Add files and folders to the index; one report line per file, whatever happens to the others.

    Files are read ahead on a reader thread (PDFs in a limited child process) and planned and
    chunked in this thread; documents are parsed by spaCy in a worker process; the previous ones
    are embedded (one thread per core) and stored by a writing thread meanwhile, in batches across
    documents. Each batch is committed in one write, so an interrupted ingest leaves only complete
    documents; running it again adds the rest. When the index fails meanwhile (a server gone, a
    full disk) or on Ctrl-C, IngestStopped (IngestInterrupted) carries the report of what was
    committed before."""
    t0 = time.perf_counter()
    s = assistant.settings
    walk = discover([Path(p) for p in paths], exclude=_never_documents(s))
    reports = {shown(p): FileReport(path=shown(p), status=status, reason=why) for p, status, why in walk.others}
    order = list(reports)
    files = walk.files
    with writer_lock(assistant) as writer:
        repaired = repair(assistant, abandoned=writer.abandoned)
        planner = _Planner(assistant)
        batch = _Batch(assistant, writer, planner, progress)
        new_of: dict[str, list[str]] = {}      # file -> the ids of its documents this ingest stores
        try:
            with _Analyser(assistant, workers=workers, n_files=len(files)) as analyser, batch, \
                    ThreadPoolExecutor(max_workers=1, thread_name_prefix="assistant-ingest-reader") as reader:
                if len(files) > 2 and not planner.by_id:   # a first ingest of a folder: start the models now
                    analyser.start()
                    batch.prepare()
                queue: deque[_Pending] = deque()

                def commit_what_came_before() -> None:
                    """Before a large file: every earlier document is stored and its batch handed over."""
                    while queue:
                        _take(queue.popleft(), batch, analyser, queue)
                    batch.flush()

                for n, (path, read) in enumerate(_reading(files, s, reader, before_large=commit_what_came_before)):
                    if progress:
                        progress("files", n, len(files))
                    key = shown(path.resolve())
                    order.append(key)
                    reports[key], new, stale = planner.plan(path, key, read)
                    new_of[key] = [d.doc_id for d in new]
                    if new:
                        batch.prepare()
                    for i, (doc, analysis, alone) in enumerate(analyser.submit_many(new)):
                        queue.append(_Pending(doc=doc, path=key, analysis=analysis, alone=alone,
                                              retire=tuple(stale) if i == len(new) - 1 else ()))
                    if stale and not new:
                        batch.retire(stale)
                    while queue and (len(queue) > 8 or queue[0].analysis.done()):
                        _take(queue.popleft(), batch, analyser, queue)
                while queue:
                    _take(queue.popleft(), batch, analyser, queue)
                analyser.finish()            # nothing left to parse: the worker exits while the last batches embed
        except (AssistantError, KeyboardInterrupt) as exc:
            if isinstance(exc, (ModelError, IndexLockedError)) and not batch.committed:
                raise                        # nothing was stored: the error says it all
            _stop(exc, order=order, reports=reports, new_of=new_of, batch=batch, files=files, t0=t0)
        if progress:
            progress("files", len(files), len(files))
        for key in order:
            reports[key] = _final(reports[key], batch)
        if batch.commits or repaired or writer.abandoned:
            if progress:
                progress("keyword index", 0, 1)
            assistant._generation = -1
            assistant.refresh()
            if progress:
                progress("keyword index", 1, 1)
        else:
            assistant.refresh()              # nothing new, but a damaged keyword index is rebuilt now
    return IngestReport(files=tuple(reports[k] for k in dict.fromkeys(order)), seconds=time.perf_counter() - t0)


def _never_documents(settings: Settings) -> list[Path]:
    """Folders an ingest never reads as documents: the index itself and the assistant's own data in
    its cache (the converted model, keyword indexes, locks; not the web chat's uploads, staged there
    to be read)."""
    own = [settings.cache_dir / d for d in ("onnx", "lexical", "locks")]
    return own + ([] if settings.chroma_url else [settings.index_dir])


def _stop(exc: BaseException, *, order: list[str], reports: dict[str, FileReport], new_of: dict[str, list[str]],
          batch: "_Batch", files: list[Path], t0: float) -> None:
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
                r = replace(r, status="failed", documents=len(stored), chunks=sum(done[i] for i in stored),
                            reason=f"{what}: the ingest stopped before the rest{kept}")
            else:
                r = _final(r, batch, chunks_of=done)
        lines.append(r)
    stored_files = sum(1 for r in lines if r.status in ("added", "updated"))
    unreached = len(files) - len(set(new_of))
    what = "interrupted (Ctrl-C)" if isinstance(exc, KeyboardInterrupt) else str(exc)
    summary = (f"the ingest stopped: {what}\nCommitted before it stopped: {stored_files} file(s), "
               f"{sum(done.values())} chunks" + (f"; {unreached} file(s) not reached" if unreached else "") +
               ". What was committed stays indexed; run the same command again to add the rest.")
    report = IngestReport(files=tuple(lines), seconds=time.perf_counter() - t0)
    if isinstance(exc, KeyboardInterrupt):
        raise IngestInterrupted(summary, report) from None
    raise IngestStopped(summary, report) from exc


def _final(r: FileReport, batch: "_Batch", *, chunks_of: dict[str, int] | None = None) -> FileReport:
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


class _Planner:
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
        self.retiring: dict[str, str] = {}    # doc id -> the file that dropped it (until committed)
        self.claimed: dict[str, str] = {}     # doc id -> a file of this run with the same content
        self._dropped: dict[str, DocRecord] = {}

    def plan(self, path: Path, key: str, read: "_Read") -> tuple[FileReport, list[Document], list[str]]:
        """The file's report so far, its new documents, and the ids of its replaced documents."""
        if read.failure is not None:
            return FileReport(path=key, status="failed", reason=read.failure), [], []
        docs = read.documents
        unique = list({d.doc_id: d for d in docs if any(ch.isalnum() for ch in d.text)}.values())
        if not unique:
            return FileReport(path=key, status="failed",
                              reason="no text left after cleaning (not a word: only markup, boilerplate, "
                                     "punctuation or blank lines?)"), [], []
        ids = [d.doc_id for d in unique]
        own = list(self.by_path.get(key, []))
        new: list[Document] = []
        moved: list[str] = []
        for d in unique:
            if d.doc_id in self.retiring:          # content another file just dropped: it stays, under this file
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
            self.by_id[d.doc_id] = _record(d, key, None, 0)
        self.by_path[key] = [i for i in ids if i in self.by_id and self.by_id[i].path == key]
        warning = "; ".join(read.warnings) or None
        if not new and not stale and len(own) == len([i for i in own if i in set(ids)]):
            others = {self.by_id[i].path for i in ids if i in self.by_id and self.by_id[i].path != key}
            if others and not moved and not any(self.by_id[i].path == key for i in ids if i in self.by_id):
                return FileReport(path=key, status="duplicate", documents=len(ids),
                                  reason=f"same content as {sorted(others)[0]}", doc_ids=tuple(ids)), [], []
            reason = f"same content as {sorted(others)[0]}" if others and not moved else "already indexed"
            return FileReport(path=key, status="unchanged", documents=len(ids), reason=reason, doc_ids=tuple(ids)), [], []
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
class _Read:
    """A file read and cleaned, or why it could not be."""
    documents: list[Document]
    warnings: tuple[str, ...] = ()
    failure: str | None = None


def _read(path: Path, settings: Settings) -> _Read:
    """Load and clean one file; any error becomes the file's reason (one bad file never stops the ingest)."""
    s = settings
    try:
        loaded = load_file(path, pdf_timeout=s.pdf_timeout, pdf_memory_mb=s.pdf_memory_mb, max_mb=s.max_file_mb,
                           part_mb=s.text_part_mb)
        return _Read(documents=[clean(raw) for raw in loaded.documents], warnings=tuple(loaded.warnings))
    except LoadError as exc:
        return _Read(documents=[], failure=str(exc).replace(f"{shown(path)}: ", ""))
    except Exception as exc:
        return _Read(documents=[], failure=f"could not read the file ({type(exc).__name__}: {str(exc)[:200]})")


def _reading(paths: list[Path], settings: Settings, pool: ThreadPoolExecutor, *, ahead: int = 2,
             before_large: Callable[[], None] = lambda: None) -> Iterator[tuple[Path, _Read]]:
    """Each file with what reading it gave, in order; the next `ahead` files are read (PDFs in
    their child process) on `pool` while the caller works on the current one. Before waiting for
    a text, HTML or JSON file over `settings.large_file_mb`, `before_large()` is called (so what
    came before is committed, never held back behind a slow file)."""
    pending: deque[tuple[Path, Future]] = deque()

    def result(path: Path, job: Future) -> _Read:
        if path.suffix.lower() != ".pdf" and _size(path) > settings.large_file_mb * 1e6:
            before_large()                   # (a PDF's size says little of its text; its reading has its own limit)
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


def _record(doc: Document, path: str, narrator: Any, n_chunks: int, state: str = "pending") -> DocRecord:
    from .sources import narrator as voice_of
    return DocRecord(doc_id=doc.doc_id, path=path, key=doc.key, meta=doc.meta,
                     narrator=narrator or voice_of(doc.meta), n_chunks=n_chunks, state=state,  # type: ignore[arg-type]
                     length=len(doc.text))


def _take(p: _Pending, batch: "_Batch", analyser: "_Analyser", queue: deque[_Pending]) -> None:
    """Chunk an analysed document and hand it to the batch; a document whose analysis fails is
    reported and the others go on (a crashed worker is replaced)."""
    s = batch.assistant.settings
    budget = s.text_timeout + s.text_timeout_per_mb * len(p.doc.text) / 1e6
    try:
        if not isinstance(p.analysis, _Later):
            analyser.wait_ready()            # the budget counts parsing, not the worker's start
        analysis = p.analysis.result(timeout=budget)      # (one computed in this process ignores it)
        chunks = chunk(p.doc, analysis, tokenizer=batch.assistant.tokenizer(), target=s.chunk_tokens,
                       max_tokens=s.max_tokens, overlap=s.overlap_tokens)
    except TimeoutError:
        analyser.restart(kill=True)          # the worker is stopped; the documents queued behind go to a new one
        for q in queue:
            q.analysis, q.alone = analyser.submit(q.doc), True
        batch.fail(p, f"the language analysis took longer than {budget:.0f} s and was stopped (the limit for a text "
                      "of this size: ASSISTANT_TEXT_TIMEOUT plus ASSISTANT_TEXT_TIMEOUT_PER_MB per MB)")
        return
    except MemoryError:
        batch.fail(p, f"the language analysis needed more than {s.text_memory_mb} MB of memory and was stopped "
                      "(ASSISTANT_TEXT_MEMORY_MB); split the file")
        return
    except BrokenProcessPool:
        analyser.restart()
        for q in queue:
            q.analysis, q.alone = analyser.submit(q.doc), True
        if not p.alone:                      # parsed with others: which one crashed? try it alone
            p.analysis, p.alone = analyser.submit(p.doc), True
            _take(p, batch, analyser, queue)
            return
        batch.fail(p, "the language analysis crashed on this document (out of memory?)")
        return
    except ModelError:
        raise                                # no document can be analysed: stop, saying why
    except Exception as exc:
        batch.fail(p, f"the language analysis failed ({type(exc).__name__}: {str(exc)[:200]})")
        return
    if not chunks:
        batch.fail(p, "no sentences found in the text")
        return
    batch.add(_record(p.doc, p.path, analysis.narrator, len(chunks)), p.doc.text, chunks, retire=p.retire)


class _Batch:
    """Documents stored together: manifest entries written as pending, their chunks embedded in
    one call and written, then in one write the entries marked done, the documents they replace
    marked for deletion and the generation moved on; the replaced documents are deleted last.
    Whatever an interruption leaves is not done, and `repair` removes it.

    A full batch is handed over at once: its chunks are queued on the embedder's threads, behind
    those of the batches before (so those threads never wait for a batch to be written), and a
    writing thread stores it when its vectors are ready, in order; at most `ahead` batches are in
    flight while the ingest reads, parses and chunks the next documents (torch releases the GIL).
    The embedding model is loaded on its own thread as soon as there is something to embed."""

    def __init__(self, assistant: Assistant, writer: Writer, planner: _Planner, progress: Progress | None,
                 size: int = 128, ahead: int = 2) -> None:
        self.assistant, self.writer, self.planner, self.progress, self.size = assistant, writer, planner, progress, size
        self.ahead = ahead
        self.items: list[tuple[DocRecord, str, list[Chunk]]] = []
        self.retiring: list[str] = []
        self.n = 0
        self.commits = 0
        self.chunks_of: dict[str, int] = {}
        self.failures: dict[str, list[str]] = {}
        self.failed_ids: set[str] = set()
        self.committed: dict[str, int] = {}     # doc id -> chunks, once its batch is committed (writing thread)
        self._stored_of: dict[str, int] = {}
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assistant-ingest-writer")
        self._loader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="assistant-ingest-embed")
        self._inflight: deque[tuple[Future, Future]] = deque()   # (its write, its embedding started) per batch
        self._model: Future | None = None
        self._failed = False                 # on the writing thread: no batch is written after a failed one

    def __enter__(self) -> "_Batch":
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self.flush()
                self.wait()
        finally:                             # interrupted: batches not yet written stay pending, unembedded
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

    def fail(self, p: _Pending, reason: str) -> None:
        self.failed_ids.add(p.doc.doc_id)
        label = f"record {p.doc.key}: " if p.doc.key else ""
        self.failures.setdefault(p.path, []).append(label + reason)
        if p.retire and self._stored_of.get(p.path):
            self.retire(p.retire)            # the file's other new documents replace the old ones
        elif p.retire:
            self.planner.keep(p.retire)      # nothing of the new version stored: the old one stays

    def flush(self) -> None:
        """Hand what is gathered over: its embedding is queued and its write follows those of the
        batches before (waiting while `ahead` batches are in flight)."""
        retire = [i for i in dict.fromkeys(self.retiring) if i in self.planner.retiring]
        self.retiring = []
        if not self.items and not retire:
            return
        for i in retire:
            self.planner.retiring.pop(i, None)   # its removal is under way: no later file can keep it
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

    def _write(self, items: list[tuple[DocRecord, str, list[Chunk]]], retire: list[str], n: int,
               started: Future) -> tuple[list, int]:
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
                    store.add_batch([(r, cs) for r, _, cs in items], vectors.vectors,
                                    sentence_vectors=vectors.parts)
            store.commit(done=[r.doc_id for r, _, _ in items], retire=retire)
            self.committed.update((r.doc_id, len(cs)) for r, _, cs in items)
            store.purge(retire)
        except BaseException:
            self._failed = True
            raise
        return items, n


class _Later(Future):
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


ALONE_CHARS = 200_000     # a document this long is parsed alone, in the worker process (with its limits)


class _Analyser:
    """Starts the language analysis of documents and returns a Future for each: in a worker
    process (so parsing overlaps with embedding) for larger ingests, in this process, when the
    result is needed, for one or two files."""

    def __init__(self, assistant: Assistant, *, workers: int | None, n_files: int) -> None:
        self.assistant = assistant
        self.workers = workers if workers is not None else (1 if n_files > 2 else 0)
        self.pool: ProcessPoolExecutor | None = None
        self._ready: Future | None = None

    def __enter__(self) -> "_Analyser":
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            self.restart(kill=True)          # stopped (an error, Ctrl-C): do not wait for a parse to end
        elif self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def finish(self) -> None:
        """Let the worker process go (without waiting for it): every document is analysed."""
        if self.pool is not None:
            self.pool.shutdown(wait=False)

    def submit(self, doc: Document) -> Future:
        if self.workers > 0 or len(doc.text) >= ALONE_CHARS:     # a long text: in the limited worker
            return self._worker().submit(analysis_worker.run, doc)
        return _Later(lambda: analyse(doc, analyzer=self.assistant.analyzer(),
                                      batch_size=analysis_worker.parse_batch(doc)))

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
                pass                         # a broken worker: the document's own future says so

    def _worker(self) -> ProcessPoolExecutor:
        if self.pool is None:                # started when first needed: a re-run may have nothing new
            s = self.assistant.settings
            self.pool = ProcessPoolExecutor(max_workers=max(1, self.workers),
                                            mp_context=multiprocessing.get_context("spawn"),
                                            initializer=analysis_worker.init,
                                            initargs=(s.spacy_model, s.text_memory_mb))
            self._ready = self.pool.submit(analysis_worker.ready)
        return self.pool

    def submit_many(self, docs: Sequence[Document], *, together: int = 256,
                    chars: int = ALONE_CHARS) -> list[tuple[Document, Future, bool]]:
        """`submit` for each document; short documents go to the worker in groups of at most
        `together` paragraphs and `chars` characters, parsed in one batch (faster, same result):
        (document, its analysis, whether it went alone)."""
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
            except BaseException as exc:     # the worker crashed: every document of the group learns it
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


# --- entry points for the faces (CLI and web) ---
# The command line and the web page call these (and `open_assistant`, `ask`, `ingest`, `delete`,
# `writer_at_work`) instead of reaching into the store or the stages.

from .conversation import Resolved, Turn, resolve  # noqa: F401  (Turn: the web's conversation, re-exported)
from .analyse import content_text
from .types import Analysis, Page


@dataclass(frozen=True, slots=True)
class DocumentPages:
    """One indexed document as the web shows it: its manifest record (None when it is not in the
    index), its cleaned text and its page spans in order."""
    record: DocRecord | None
    text: str
    pages: tuple[Page, ...]


@dataclass(frozen=True, slots=True)
class Analysed:
    """One document of a file, cleaned, with who says what in it and, for each attribution, what it
    attributes as the reader sees it (an interrupting "he said" cut out)."""
    document: Document
    analysis: Analysis
    contents: tuple[str, ...]


def index_location(assistant: Assistant) -> str:
    """Where the index lives (its folder, or the Chroma server's address), as messages name it."""
    return assistant.store.where


def document_pages(assistant: Assistant, doc_id: str) -> DocumentPages:
    """The manifest record, cleaned text and page spans of one indexed document."""
    store = assistant.store
    got = store.document(doc_id)
    if got is None:
        return DocumentPages(None, "", ())
    pages = {p.number: p for ch in store.get_chunks(store.chunk_ids_of(doc_id)) for p in ch.pages}
    return DocumentPages(got[0], got[1], tuple(pages[n] for n in sorted(pages)))


def warm_up(assistant: Assistant) -> None:
    """Load the query model now, so that the first question does not wait for it."""
    assistant.query_embedder().embed(["warm up"])


def attributions_of_file(path: Path, *, settings: Settings) -> list[Analysed]:
    """Each document of one file (no index needed) loaded, cleaned and analysed."""
    loaded = load_file(path, pdf_timeout=settings.pdf_timeout, pdf_memory_mb=settings.pdf_memory_mb,
                       max_mb=settings.max_file_mb, part_mb=settings.text_part_mb)
    analyzer = load_analyzer(settings.spacy_model)
    out = []
    for raw in loaded.documents:
        doc = clean(raw)
        analysis = analyse(doc, analyzer=analyzer)
        out.append(Analysed(doc, analysis, tuple(content_text(doc.text, a) for a in analysis.attributions)))
    return out


def resolve_follow_up(message: str, earlier: Sequence[str], *, last: Answer | None = None) -> Resolved:
    """`message` made self-contained in the light of the earlier questions (oldest first) and the
    last answer; unchanged when it stands on its own."""
    return resolve(message, earlier, last=last)
