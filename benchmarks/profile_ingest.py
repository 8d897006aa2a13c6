"""Where ingest time goes: runs pipeline.ingest in this process with each stage timed.

    python benchmarks/profile_ingest.py [PATHS...] [--index DIR] [--workers N]

Stages of the main process (file reading and PDF parsing, cleaning, waiting on futures, chunking,
embedding, Chroma writes, keyword index) are summed from wrappers put around the pipeline's
functions for this run only. Reading, the main loop and the writing thread run at the same time,
so the stages overlap and their sum exceeds the wall time; the CPU time of child processes (the
spaCy worker and the PDF parsers) comes from getrusage. A thread samples /proc/stat each second:
how many of the machine's cores were busy (any process), and the idle core-seconds in total and in
the last 5 s. Default PATHS: the dev corpus (corpus/ + WikiEvents sample).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import Future
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import corpus_paths, machine, save  # noqa: E402

SPENT: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)


def timed(name: str, fn):
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            SPENT[name] += time.perf_counter() - t0
            CALLS[name] += 1

    return wrapper


class CpuTrace:
    """How many of the machine's cores were busy (any process), second by second, from /proc/stat."""

    def __init__(self) -> None:
        self.cores = os.cpu_count() or 1
        self.busy: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def _snap() -> tuple[int, int]:
        with open("/proc/stat") as fh:
            v = [int(x) for x in fh.readline().split()[1:]]
        return sum(v), v[3] + v[4]  # all jiffies, idle + iowait

    def _run(self) -> None:
        prev = self._snap()
        while not self._stop.wait(1.0):
            cur = self._snap()
            total, idle = cur[0] - prev[0], cur[1] - prev[1]
            self.busy.append(round(self.cores * (total - idle) / total, 2) if total else 0.0)
            prev = cur

    def stop(self) -> list[float]:
        self._stop.set()
        self._thread.join()
        return self.busy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--index", type=Path, default=Path("/tmp/assistant-bench/profile-index"))
    ap.add_argument("--workers", type=int, default=None)
    a = ap.parse_args()
    from assistant.config import Settings, quiet_runtime

    quiet_runtime()
    from assistant import lexical
    from assistant.embed import OnnxEmbedder, TorchEmbedder
    from assistant.pipeline import ingesting, planner, resources
    from assistant.store import Store

    planner.load_file = timed("read + PDF parse (load_file)", planner.load_file)
    planner.clean = timed("clean", planner.clean)
    ingesting.chunk = timed("chunk", ingesting.chunk)
    resources.rebuild_lexical = timed("keyword index rebuild", resources.rebuild_lexical)
    lexical.save = timed("keyword index save", lexical.save)
    resources.load_ingest_embedder = timed("embedding model load", resources.load_ingest_embedder)
    Store.put_documents = timed("chroma put_documents", Store.put_documents)
    Store.add_chunks = timed("chroma add_chunks", Store.add_chunks)
    Store.mark_done = timed("chroma mark_done", Store.mark_done)
    for name in ("add_batch", "commit", "purge"):  # the store's batched writes, where present
        if hasattr(Store, name):
            setattr(Store, name, timed(f"chroma {name}", getattr(Store, name)))
    TorchEmbedder.encode_mini_batch = timed(
        "embedding mini-batches (summed over the embedding threads)", TorchEmbedder.encode_mini_batch
    )
    OnnxEmbedder.embed = timed("embed", OnnxEmbedder.embed)
    Future.result = timed("waiting on a Future (spaCy worker, file reader, writing thread)", Future.result)

    shutil.rmtree(a.index, ignore_errors=True)
    paths = [Path(p) for p in a.paths] or corpus_paths()
    assistant = resources.open_assistant(Settings.from_env(index_dir=a.index))
    with_children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    self0 = resource.getrusage(resource.RUSAGE_SELF)
    trace = CpuTrace()
    t0 = time.perf_counter()
    report = ingesting.ingest(paths, assistant=assistant, workers=a.workers)
    wall = time.perf_counter() - t0
    busy = trace.stop()
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    me = resource.getrusage(resource.RUSAGE_SELF)
    chunks = sum(f.chunks for f in report.files)
    stages = {k: {"seconds": round(v, 1), "calls": CALLS[k]} for k, v in sorted(SPENT.items(), key=lambda kv: -kv[1])}
    out = {
        "machine": machine(),
        "command": "python benchmarks/profile_ingest.py " + " ".join(sys.argv[1:]),
        "chunks": chunks,
        "files": len(report.files),
        "wall_seconds": round(wall, 1),
        "main_process_stages": stages,
        "main_process_cpu_seconds": round(me.ru_utime + me.ru_stime - self0.ru_utime - self0.ru_stime, 1),
        "children_cpu_seconds (spaCy worker, PDF parsers)": round(
            ch.ru_utime + ch.ru_stime - with_children0.ru_utime - with_children0.ru_stime, 1
        ),
        "machine_cores_busy_per_second": busy,
        "idle_core_seconds": round(sum(trace.cores - b for b in busy), 1),
        "idle_core_seconds_last_5_s": round(sum(trace.cores - b for b in busy[-5:]), 1),
    }
    save("profile_ingest", out)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
