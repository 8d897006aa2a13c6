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
import time
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from . import lexical
from .analyse import analyse, load_analyzer
from .chunk import chunk
from .clean import clean
from .compose import compose
from .config import Settings
from .embed import Embedder, load_embedder, load_tokenizer, model_info
from .errors import AssistantError, IndexLockedError, LoadError
from .load import discover, load_file
from .question import analyse_question
from .retrieve import retrieve
from .store import Store, date_int, open_client
from .types import Answer, DocMeta, DocRecord, Document, FileReport, Filters, IngestReport, Narrator

Progress = Callable[[str, int, int], None]   # (stage, done, total)


@dataclass
class Assistant:
    """An open index and the models that serve it. Build with `open_assistant(settings)`."""
    settings: Settings
    store: Store
    _query_embedder: Embedder | None = None
    _ingest_embedder: Embedder | None = None
    _analyzer: Any = None
    _tokenizer: Any = None
    _lex: lexical.LexicalIndex | None = None
    _docs: dict[str, DocRecord] = field(default_factory=dict)
    _generation: int = -1

    @property
    def lexical_dir(self) -> Path:
        s = self.settings
        if s.chroma_url:
            key = hashlib.sha256(f"{s.chroma_url}|{s.collection}".encode()).hexdigest()[:16]
            return s.cache_dir / "lexical" / key
        return s.index_dir / f"{s.collection}_lexical"

    def query_embedder(self) -> Embedder:
        if self._query_embedder is None:
            self._query_embedder = load_embedder(self.settings, purpose="query")
        return self._query_embedder

    def ingest_embedder(self) -> Embedder:
        if self._ingest_embedder is None:
            self._ingest_embedder = load_embedder(self.settings, purpose="ingest")
        return self._ingest_embedder

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


def open_assistant(settings: Settings | None = None) -> Assistant:
    """Open (or create) the index named by `settings` (default: Settings.from_env())."""
    settings = settings or Settings.from_env()
    info = model_info(settings.embedding_model)
    client = open_client(index_dir=settings.index_dir, chroma_url=settings.chroma_url)
    return Assistant(settings=settings, store=Store(client, name=settings.collection, model=info.name))


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

    order = store.chunks.get(include=[])["ids"]   # every chunk id, in the order iter_chunks reads them
    fresh = [cid for cid in order if cid not in known or not current(known[cid])]
    read: dict[str, lexical.Row] = {}
    for b in range(0, len(fresh), 2000):
        got = store.chunks.get(ids=fresh[b:b + 2000], include=["documents", "metadatas"])
        for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"]):
            if meta.get("doc_id") in docs:
                read[cid] = lexical.row(cid, lexical.stem_terms(text), meta)
    rows = (read[cid] if cid in read else known[cid] for cid in order
            if cid in read or (cid in known and current(known[cid])))
    return lexical.assemble(rows, generation=generation)


# -- asking ---------------------------------------------------------------------------------------

def ask(question: str, *, assistant: Assistant, k: int | None = None, filters: Filters | None = None) -> Answer:
    """Answer `question` from the index, with cited passages credited to their sources."""
    filters = filters or Filters()
    question = question.strip()
    if not question:
        raise AssistantError("empty question")
    assistant.refresh()
    q = analyse_question(question)
    settings = assistant.settings
    vector = assistant.query_embedder().embed([question])[0]
    hits = retrieve(question, vector=vector, store=assistant.store, lex=assistant._lex, docs=assistant._docs,
                    filters=filters, n=max(20, 3 * (k or settings.citations)), candidates=settings.candidates)
    idf = assistant._lex.idf if assistant._lex is not None else (lambda t: 1.0)
    return compose(q, hits, k=k or settings.citations, idf=idf, min_similarity=settings.min_similarity,
                   filters=filters)


# -- ingesting ------------------------------------------------------------------------------------

@contextmanager
def writer_lock(assistant: Assistant) -> Iterator[None]:
    """Only one writer per index: a second one fails fast."""
    s = assistant.settings
    lock_dir = s.index_dir if not s.chroma_url else assistant.lexical_dir.parent
    lock_dir.mkdir(parents=True, exist_ok=True)
    path = lock_dir / f".{s.collection}.writer.lock"
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise IndexLockedError(f"{lock_dir}: the index is being written by {holder}; "
                                   "wait for that ingest to finish") from exc
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def repair(assistant: Assistant) -> list[str]:
    """Remove documents an interrupted ingest left unfinished; returns their ids."""
    pending = [d for d in assistant.store.documents(state=None) if d.state != "done"]
    for d in pending:
        assistant.store.delete_document(d.doc_id)
    if pending:
        assistant.store.bump()
    return [d.doc_id for d in pending]


@dataclass
class _Pending:
    """A document waiting for analysis, chunking and embedding."""
    doc: Document
    path: str
    analysis: Any                      # Future[Analysis] or Analysis


def ingest(paths: Sequence[Path], *, assistant: Assistant, progress: Progress | None = None,
           workers: int | None = None) -> IngestReport:
    """Add files and folders to the index; one report line per file, whatever happens to the others.

    Files are read and cleaned in the main process (PDFs in a limited child process), documents
    are parsed by spaCy in a worker process while the main process embeds and stores the
    previous ones, in batches across documents."""
    t0 = time.perf_counter()
    files, bad = discover([Path(p) for p in paths])
    reports: dict[str, FileReport] = {str(p): FileReport(path=str(p), status="failed", reason=why) for p, why in bad}
    order = [str(p) for p, _ in bad]
    with writer_lock(assistant):
        repair(assistant)
        known = assistant.store.documents(state="done")
        by_path: dict[str, list[DocRecord]] = {}
        for d in known:
            by_path.setdefault(d.path, []).append(d)
        by_id = {d.doc_id: d for d in known}
        chunks_of: dict[str, int] = {}
        changed = False
        with _analysis_pool(assistant, workers=workers, n_files=len(files)) as submit:
            queue: list[_Pending] = []
            batch = _Batch(assistant, progress)
            for n, path in enumerate(files):
                if progress:
                    progress("files", n, len(files))
                key = str(path.resolve())
                order.append(key)
                report, new, did = _plan_file(path, key, assistant=assistant, by_path=by_path, by_id=by_id)
                reports[key] = report
                changed = changed or did
                for doc in new:
                    queue.append(_Pending(doc=doc, path=key, analysis=submit(doc)))
                    by_id[doc.doc_id] = _record(doc, key, None, 0)
                while queue and (len(queue) > 8 or _ready(queue[0])):
                    _take(queue.pop(0), batch, chunks_of)
            while queue:
                _take(queue.pop(0), batch, chunks_of)
            batch.flush()
        if progress:
            progress("files", len(files), len(files))
        for key, r in reports.items():
            if r.status in ("added", "updated"):
                reports[key] = FileReport(path=r.path, status=r.status, documents=r.documents,
                                          chunks=sum(chunks_of.get(i, 0) for i in r.doc_ids), reason=r.reason,
                                          doc_ids=r.doc_ids)
        if changed:
            if progress:
                progress("keyword index", 0, 1)
            gen = assistant.store.bump()
            docs = {d.doc_id: d for d in assistant.store.documents(state="done")}
            lex = rebuild_lexical(assistant.store, docs, generation=gen)
            lexical.save(lex, assistant.lexical_dir)
            assistant._lex, assistant._docs, assistant._generation = lex, docs, gen
            if progress:
                progress("keyword index", 1, 1)
    return IngestReport(files=tuple(reports[k] for k in order), seconds=time.perf_counter() - t0)


def _plan_file(path: Path, key: str, *, assistant: Assistant, by_path: dict[str, list[DocRecord]],
               by_id: dict[str, DocRecord]) -> tuple[FileReport, list[Document], bool]:
    """Read and clean one file and decide what it means for the index: the report, the new
    documents to index, and whether anything changed (stale documents of the file are removed)."""
    s = assistant.settings
    try:
        loaded = load_file(path, pdf_timeout=s.pdf_timeout, pdf_memory_mb=s.pdf_memory_mb, max_mb=s.max_file_mb)
        docs = [clean(raw) for raw in loaded.documents]
    except LoadError as exc:
        return FileReport(path=key, status="failed", reason=str(exc).replace(f"{path}: ", "")), [], False
    except (OSError, UnicodeError, ValueError, RecursionError, MemoryError) as exc:
        return FileReport(path=key, status="failed",
                          reason=f"could not read the file ({type(exc).__name__}: {exc})"), [], False
    docs = [d for d in docs if d.text.strip()]
    if not docs:
        return FileReport(path=key, status="failed", reason="no text left after cleaning"), [], False
    warning = "; ".join(loaded.warnings) or None
    seen: set[str] = set()
    unique = [d for d in docs if not (d.doc_id in seen or seen.add(d.doc_id))]  # type: ignore[func-returns-value]
    new = [d for d in unique if d.doc_id not in by_id]
    old = by_path.get(key, [])
    stale = [d for d in old if d.doc_id not in {u.doc_id for u in unique}]
    ids = tuple(d.doc_id for d in unique)
    if not new and not stale:
        dup = next((by_id[d.doc_id].path for d in unique if by_id[d.doc_id].path != key), None)
        reason = f"same content as {dup}" if dup else "already indexed"
        return FileReport(path=key, status="unchanged", documents=len(unique), reason=reason, doc_ids=ids), [], False
    for d in stale:
        assistant.store.delete_document(d.doc_id)
        by_id.pop(d.doc_id, None)
    by_path[key] = [by_id[i] for i in ids if i in by_id]
    status = "updated" if old else "added"
    return FileReport(path=key, status=status, documents=len(new), reason=warning, doc_ids=ids), new, True


def _record(doc: Document, path: str, narrator: Any, n_chunks: int, state: str = "pending") -> DocRecord:
    from .sources import narrator as voice_of
    return DocRecord(doc_id=doc.doc_id, path=path, key=doc.key, meta=doc.meta,
                     narrator=narrator or voice_of(doc.meta), n_chunks=n_chunks, state=state,  # type: ignore[arg-type]
                     length=len(doc.text))


def _ready(p: _Pending) -> bool:
    return not isinstance(p.analysis, Future) or p.analysis.done()


def _take(p: _Pending, batch: "_Batch", chunks_of: dict[str, int]) -> None:
    analysis = p.analysis.result() if isinstance(p.analysis, Future) else p.analysis
    s = batch.assistant.settings
    chunks = chunk(p.doc, analysis, tokenizer=batch.assistant.tokenizer(), target=s.chunk_tokens,
                   max_tokens=s.max_tokens, overlap=s.overlap_tokens)
    chunks_of[p.doc.doc_id] = len(chunks)
    batch.add(_record(p.doc, p.path, analysis.narrator, len(chunks)), p.doc.text, chunks)


class _Batch:
    """Documents stored together: manifest entries marked pending, their chunks embedded in one
    call and written, then the entries marked done (an interrupted batch is repaired on the next
    ingest)."""

    def __init__(self, assistant: Assistant, progress: Progress | None, size: int = 128) -> None:
        self.assistant, self.progress, self.size = assistant, progress, size
        self.items: list[tuple[DocRecord, str, list]] = []
        self.n = 0

    def add(self, record: DocRecord, text: str, chunks: list) -> None:
        self.items.append((record, text, chunks))
        self.n += len(chunks)
        if self.n >= self.size:
            self.flush()

    def flush(self) -> None:
        if not self.items:
            return
        store = self.assistant.store
        store.put_documents([(r, t) for r, t, _ in self.items])
        every = [c for _, _, cs in self.items for c in cs]
        if every:
            vectors = self.assistant.ingest_embedder().embed([c.text for c in every])
            at = 0
            for record, _, cs in self.items:
                store.add_chunks(cs, vectors[at:at + len(cs)], record)
                at += len(cs)
        store.mark_done([r.doc_id for r, _, _ in self.items])
        if self.progress:
            self.progress("chunks", len(every), -1)
        self.items, self.n = [], 0


@contextmanager
def _analysis_pool(assistant: Assistant, *, workers: int | None, n_files: int) -> Iterator[Callable[[Document], Any]]:
    """A function that starts the analysis of a document: in a worker process (so parsing
    overlaps with embedding) for larger ingests, in this process for one or two files."""
    n = workers if workers is not None else (1 if n_files > 2 else 0)
    if n <= 0:
        yield lambda doc: analyse(doc, analyzer=assistant.analyzer())
        return
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_worker_init,
                             initargs=(assistant.settings.spacy_model,)) as pool:
        yield lambda doc: pool.submit(_worker_analyse, doc)


_WORKER: dict[str, Any] = {}


def _worker_init(spacy_model: str) -> None:
    from .config import quiet_runtime
    quiet_runtime()
    _WORKER["analyzer"] = load_analyzer(spacy_model)


def _worker_analyse(doc: Document) -> Any:
    return analyse(doc, analyzer=_WORKER["analyzer"])


def delete(doc_ids: Sequence[str], *, assistant: Assistant) -> int:
    """Remove documents (chunks, manifest entries, keyword entries); returns how many existed."""
    with writer_lock(assistant):
        known = {d.doc_id for d in assistant.store.documents(state=None)}
        gone = [d for d in doc_ids if d in known]
        for d in gone:
            assistant.store.delete_document(d)
        if gone:
            assistant.store.bump()
            assistant._generation = -1
            assistant.refresh()
    return len(gone)
