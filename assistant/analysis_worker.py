"""The worker process in which ingest runs the spaCy analysis: `init` loads the pipeline once,
`run` analyses one document, `run_many` several short ones together; if the pipeline cannot be
loaded, every task raises that ModelError (and the ingest stops with it). The worker leaves as soon
as the ingest that started it is gone, even after kill -9. Importing this module is cheap (no
Chroma, no torch), so a worker starts fast.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any

from .analyse import Analyzer, analyse, analyse_many, load_analyzer
from .errors import ModelError
from .types import Analysis, Document

_STATE: dict[str, Any] = {}


def init(spacy_model: str, memory_mb: int | None = None) -> None:
    """Load the analyzer (at a lower priority), limit the memory the analyses may add to it to
    `memory_mb` (a document needing more fails with MemoryError, alone), and watch the parent:
    when it dies the worker is re-parented and exits."""
    from .config import quiet_runtime

    quiet_runtime()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle (it stops this worker)
    os.nice(5)  # parsing fills the gaps; the embedding in the parent sets the pace
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="assistant-parent-watch", daemon=True).start()
    try:
        _STATE["analyzer"] = load_analyzer(spacy_model)
    except Exception as exc:  # kept for the tasks to report: an initializer's error breaks the pool
        _STATE["error"] = (
            exc
            if isinstance(exc, ModelError)
            else ModelError(f"spaCy model {spacy_model!r} could not be loaded ({type(exc).__name__}: {str(exc)[:300]})")
        )
    if memory_mb:
        _limit_memory(memory_mb)


def _limit_memory(memory_mb: int) -> None:
    """Let the address space grow by at most `memory_mb` from what the loaded pipeline uses now."""
    import resource

    try:
        with open("/proc/self/status") as fh:
            used = next(int(line.split()[1]) << 10 for line in fh if line.startswith("VmSize:"))
        limit = used + (memory_mb << 20)
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    except (OSError, ValueError, StopIteration):
        pass  # no /proc or no limit to set: the analysis runs unlimited


def _analyzer() -> Analyzer:
    if "error" in _STATE:
        raise _STATE["error"]
    return _STATE["analyzer"]


def ready() -> bool:
    """Nothing: a first task that makes the pool start this worker (and load spaCy) early."""
    return True


def run(doc: Document) -> Analysis:
    """The analysis of one document."""
    return analyse(doc, analyzer=_analyzer(), batch_size=parse_batch(doc))


def run_many(docs: list[Document]) -> list[Analysis | Exception]:
    """The analyses of several short documents parsed together; where that fails, each document
    on its own, so one bad document fails alone (its exception in its place)."""
    analyzer = _analyzer()
    try:
        return list(analyse_many(docs, analyzer=analyzer, batch_size=256))
    except Exception:
        out: list[Analysis | Exception] = []
        for doc in docs:
            try:
                out.append(run(doc))
            except Exception as exc:
                out.append(exc)
        return out


def parse_batch(doc: Document) -> int:
    """How many paragraphs spaCy parses at a time: fewer when they are long (each piece of 20,000
    characters in a batch takes about 60 MB while it is parsed: 10 of them 600 MB, 3 of them 200 MB;
    the parse is the same whatever the batch)."""
    longest = max((min(p.end - p.start, 20_000) for p in doc.paragraphs), default=1)
    return 64 if longest <= 5_000 else max(1, 60_000 // longest)
