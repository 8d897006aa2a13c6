"""Speed benchmark, one command, every figure measured in the same run:

    python benchmarks/speed.py [--code REV] [--work DIR] [--only ingest,scale,latency,cold,server,identical]
                               [--scales 1000,10000,100000] [--rounds 5] [--before REV [--reingest]]
                               [--ingest-paths PATH,PATH]

- ingest:   `assistant ingest` of the dev corpus (corpus/ + the WikiEvents sample) into a fresh
            index, process wall time, divided by the raw embedding time of the same chunks (one
            plain sentence-transformers `encode` call, torch's default threads, in a fresh process);
            also the ingest's own embedder and ONNX Runtime on the same chunks (--ingest-paths:
            other files instead, e.g. only the PDF reports);
- scale:    indexes of 1k / 10k / 100k chunks made by replicating the MUC-4 reports' chunks of that
            index with distinct chunk and document ids, reusing their computed embeddings through
            the store API (nothing is re-embedded), then the keyword index rebuilt (timed);
- latency:  warm in-process ask() p50/p95 over benchmarks/questions.txt, with and without filters,
            at each scale, in a fresh child process per scale, and its peak RSS;
- cold:     a fresh `assistant ask` process over an existing index, to the first answer printed;
- server:   the same warm latency through a `chroma run` server (--chroma-url) instead of the
            embedded store;
- identical: the JSON answers to benchmarks/questions.txt (with and without filters) from the code
            at --before REV and from the measured code, over copies of the same index, each version
            rebuilding its own keyword index (with --reingest: each version ingests the dev corpus
            itself): "identical: yes/no".

--code REV measures the assistant as committed at REV (git archive + PYTHONPATH) rather than the
working tree.

Results: benchmarks/results/speed.json and a summary on stdout. Nothing here needs ../shared
(without it the dev corpus is corpus/ alone).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    ASSISTANT,
    BIN,
    PYTHON,
    ROOT,
    Clock,
    corpus_paths,
    machine,
    median,
    percentile,  # noqa: E402
    quiet_env,
    save,
    use_code,
)

HERE = Path(__file__).resolve()
QUESTIONS = HERE.parent / "questions.txt"
# Filters cycled over the questions in the "with filters" rounds (metadata, source type, source name).
FILTERS: list[dict[str, Any]] = [
    {"source_types": ["military", "government"]},
    {"date_from": "1990-01", "date_to": "1995-12"},
    {"source": "army"},
    {"outlets": ["FBIS (MUC-4 corpus)"], "source_types": ["armed group"]},
]


def questions() -> list[str]:
    return [q.strip() for q in QUESTIONS.read_text().splitlines() if q.strip()]


def run(cmd: list[str], **kw: Any) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, env=kw.pop("env", quiet_env()), **kw)


def child(mode: str, *args: str, pythonpath: str | None = None, env_extra: dict[str, str] | None = None) -> dict:
    """Run `speed.py <mode> ...` in a fresh process and return the JSON it prints last."""
    env = quiet_env(**(env_extra or {}))
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    out = run([PYTHON, str(HERE), mode, *args], env=env, capture_output=True, text=True, cwd=pythonpath)
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- ingest ---------------------------------------------------------------------------------------


def bench_ingest(work: Path, *, onnx: bool = True, paths: list[str] | None = None) -> dict:
    index = work / ("dev-index" if paths is None else "ingest-index")
    shutil.rmtree(index, ignore_errors=True)
    paths = paths or [str(p) for p in corpus_paths()]
    cmd = [ASSISTANT, "ingest", *paths, "--index", str(index), "--json", "--quiet"]
    with Clock() as c:
        out = subprocess.run(cmd, env=quiet_env(), capture_output=True, text=True)
    if out.returncode not in (0, 1):  # 1: some file failed (listed below), the rest is indexed
        raise SystemExit(f"ingest failed ({out.returncode}): {out.stderr[-2000:]}")
    full = json.loads(out.stdout)
    report = full["summary"]
    failed = [f for f in full["files"] if f["status"] == "failed"]
    if not report["chunks"]:
        raise SystemExit(f"the ingest stored nothing: {failed[:3]}")
    torch_floor = child("_floor", "--index", str(index), "--backend", "torch")
    ours = child("_floor", "--index", str(index), "--backend", "assistant")
    onnx_floor = (
        child("_floor", "--index", str(index), "--backend", "onnx") if onnx else {"embed_seconds": float("nan")}
    )
    return {
        "command": " ".join(["assistant", "ingest", *paths, "--index", "DIR", "--json", "--quiet"]),
        "chunks": report["chunks"],
        "files": report["files"],
        "failed_files": failed,
        "wall_seconds": round(c.seconds, 1),
        "in_process_seconds": report["seconds"],
        "floor_torch": torch_floor,
        "floor_onnx": onnx_floor,
        "ingest_embedder": ours,
        "ratio_wall_to_torch_floor": round(c.seconds / torch_floor["embed_seconds"], 2),
        "ratio_wall_to_onnx_floor": round(c.seconds / onnx_floor["embed_seconds"], 2),
    }


def _floor(args: argparse.Namespace) -> dict:
    """Embed every chunk text of an index once, as one call: `torch` is the raw embedding (plain
    sentence-transformers `encode`, batch 32, torch's default threads: the machine's floor), `onnx`
    ONNX Runtime, `assistant` the ingest's own embedder (TorchEmbedder: one thread per core)."""
    from assistant.config import Settings, quiet_runtime

    quiet_runtime()
    from assistant.embed import OnnxEmbedder, TorchEmbedder, model_info, onnx_path
    from assistant.pipeline import open_assistant

    settings = Settings.from_env(index_dir=Path(args.index))
    texts = [t for _, t, _ in open_assistant(settings).store.iter_chunks()]
    info = model_info(settings.embedding_model)
    with Clock() as load:
        if args.backend == "torch":
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer(str(info.directory), device="cpu")
            embed = partial(
                model.encode, batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        else:
            emb = (
                TorchEmbedder(info)
                if args.backend == "assistant"
                else OnnxEmbedder(info, onnx_path(info, settings.cache_dir))
            )
            embed = emb.embed
    with Clock() as c:
        embed(texts)
    return {
        "backend": args.backend,
        "chunks": len(texts),
        "load_seconds": round(load.seconds, 1),
        "embed_seconds": round(c.seconds, 1),
        "chunks_per_second": round(len(texts) / c.seconds, 1),
    }


# -- scaled indexes --------------------------------------------------------------------------------


def bench_scale(base: Path, work: Path, scales: list[int]) -> dict:
    out = {}
    for n in scales:
        out[str(n)] = child("_build", "--index", str(base), "--target", str(work / f"scale-{n}"), "--chunks", str(n))
    return out


def _build(args: argparse.Namespace) -> dict:
    """An index of about `chunks` chunks: the MUC-4 reports of `index`, replicated with distinct ids."""
    from assistant.config import Settings, quiet_runtime

    quiet_runtime()
    from assistant.pipeline import open_assistant

    target = Path(args.target)
    done = target / "build.json"
    if done.exists():
        return dict(json.loads(done.read_text()), reused=True)
    shutil.rmtree(target, ignore_errors=True)
    src = open_assistant(Settings.from_env(index_dir=Path(args.index)))
    muc = sorted((d for d in src.store.documents() if d.path.endswith("muc4.jsonl")), key=lambda d: d.key or "")
    texts, chunks, vectors = {}, {}, {}
    for d in muc:
        ids = src.store.chunk_ids_of(d.doc_id)
        got = src.store.chunks.get(ids=ids, include=["embeddings"])
        vec = dict(zip(got["ids"], got["embeddings"]))
        chunks[d.doc_id] = sorted(src.store.get_chunks(ids), key=lambda c: c.index)
        vectors[d.doc_id] = [vec[c.chunk_id] for c in chunks[d.doc_id]]
        texts[d.doc_id] = src.store.document(d.doc_id)[1]
    per_copy = sum(len(c) for c in chunks.values())
    a = open_assistant(Settings.from_env(index_dir=target))
    import numpy as np

    # The MUC-4 records share outlet, narrator and (absent) date, so the chunks of one replica can be
    # written in one add_chunks call with any one of its records: the chunk metadata is the same as
    # writing them document by document (which costs a Chroma call per document).
    assert len({(d.meta.outlet, d.meta.date, d.narrator) for d in muc}) == 1, "MUC-4 records differ in metadata"
    t0 = time.perf_counter()
    total, replica = 0, 0
    while total < args.chunks:
        batch: list[tuple[Any, str]] = []
        every, vecs = [], []
        # each replica gets its own month, so date filters select a part of the index
        date = f"{1989 + replica // 12}-{replica % 12 + 1:02d}-15"
        for d in muc:
            if total >= args.chunks:
                break
            new_id = f"{d.doc_id}r{replica:03d}"
            rec = dataclasses.replace(d, doc_id=new_id, state="pending", meta=dataclasses.replace(d.meta, date=date))
            cs = [dataclasses.replace(c, chunk_id=f"{new_id}:{c.index:05d}", doc_id=new_id) for c in chunks[d.doc_id]]
            batch.append((rec, texts[d.doc_id]))
            every.extend(cs)
            vecs.extend(vectors[d.doc_id])
            total += len(cs)
        a.store.put_documents(batch)
        a.store.add_chunks(every, np.asarray(vecs, dtype=np.float32), batch[0][0])
        a.store.mark_done([r.doc_id for r, _ in batch])
        replica += 1
    store_seconds = time.perf_counter() - t0
    a.store.bump()
    with Clock() as lex:
        a.refresh()  # rebuilds the keyword index from the store and saves it
    result = {
        "chunks": a.store.count(),
        "documents": len(a.documents_by_id()),
        "replicas": replica,
        "muc4_chunks_per_copy": per_copy,
        "store_seconds": round(store_seconds, 1),
        "lexical_rebuild_seconds": round(lex.seconds, 2),
        "disk_mb": round(sum(f.stat().st_size for f in target.rglob("*") if f.is_file()) / 2**20, 1),
    }
    done.write_text(json.dumps(result))
    return dict(result, reused=False)


# -- keyword index: full rebuild vs incremental -------------------------------------------------------


def bench_lexical(work: Path, n: int) -> dict:
    """On a copy of the n-chunk index: a full keyword-index rebuild, then 10 documents added and 5
    removed, each followed by refresh() (which rebuilds incrementally), compared with a full rebuild."""
    copy = work / f"lexical-{n}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(work / f"scale-{n}", copy)
    try:
        return child("_lexcheck", "--index", str(copy))
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def _lexcheck(args: argparse.Namespace) -> dict:
    from assistant.config import Settings, quiet_runtime

    quiet_runtime()
    import numpy as np

    from assistant import lexical
    from assistant.pipeline import open_assistant, rebuild_lexical

    a = open_assistant(Settings.from_env(index_dir=Path(args.index)))
    a.refresh()
    docs = {d.doc_id: d for d in a.store.documents()}
    gen = a.store.generation()
    with Clock() as full:
        lex = rebuild_lexical(a.store, docs, generation=gen)
    with Clock() as saved:
        lexical.save(lex, a.lexical_dir)
    out: dict[str, Any] = {
        "chunks": len(lex.ids),
        "full_rebuild_seconds": round(full.seconds, 1),
        "save_seconds": round(saved.seconds, 1),
    }

    def same_as_full() -> bool:
        want = rebuild_lexical(a.store, a.documents_by_id(), generation=a.generation())
        got = a.lexical_index()
        ok = (
            got.ids == want.ids
            and got.doc_ids == want.doc_ids
            and got.outlets == want.outlets
            and np.array_equal(got.doc_codes, want.doc_codes)
            and np.array_equal(got.outlet_codes, want.outlet_codes)
            and np.array_equal(got.dates, want.dates)
            and sorted(got.types) == sorted(want.types)
            and all(np.array_equal(got.types[k], want.types[k]) for k in want.types)
        )
        return ok and all(
            lexical.search(got, q, n=40, weights=None) == lexical.search(want, q, n=40, weights=None)
            for q in questions()
        )

    muc = sorted((d for d in a.documents_by_id().values() if "r000" in d.doc_id), key=lambda d: d.doc_id)[:10]
    for d in muc:
        new_id = d.doc_id.replace("r000", "r999")
        rec = dataclasses.replace(d, doc_id=new_id, state="pending")
        ids = a.store.chunk_ids_of(d.doc_id)
        got = a.store.chunks.get(ids=ids, include=["embeddings"])
        vec = dict(zip(got["ids"], got["embeddings"]))
        cs = sorted(a.store.get_chunks(ids), key=lambda c: c.index)
        a.store.put_documents([(rec, a.store.document(d.doc_id)[1])])
        a.store.add_chunks(
            [dataclasses.replace(c, chunk_id=f"{new_id}:{c.index:05d}", doc_id=new_id) for c in cs],
            np.asarray([vec[c.chunk_id] for c in cs], dtype=np.float32),
            rec,
        )
        a.store.mark_done([new_id])
    a.store.bump()
    with Clock() as added:
        a.refresh()
    out.update(
        added_documents=len(muc),
        refresh_after_adding_seconds=round(added.seconds, 2),
        same_as_full_after_adding="yes" if same_as_full() else "no",
    )
    gone = [d.doc_id for d in muc[:5]]
    for doc_id in gone:
        a.store.delete_document(doc_id)
    a.store.bump()
    with Clock() as removed:
        a.refresh()
    out.update(
        removed_documents=len(gone),
        refresh_after_removing_seconds=round(removed.seconds, 2),
        same_as_full_after_removing="yes" if same_as_full() else "no",
    )
    return out


# -- warm latency ----------------------------------------------------------------------------------


def _serve(args: argparse.Namespace) -> dict:
    """Open an index, warm up, then time ask() over the question list; answers and peak RSS too."""
    from assistant.config import Settings, quiet_runtime

    quiet_runtime()
    import assistant
    from assistant.pipeline import ask, open_assistant
    from assistant.present import answer_dict
    from assistant.types import Filters

    settings = Settings.from_env(index_dir=Path(args.index), chroma_url=args.chroma_url or None)
    qs = questions()
    filters = [Filters(**{k: tuple(v) if isinstance(v, list) else v for k, v in f.items()}) for f in FILTERS]
    with Clock() as opened:
        a = open_assistant(settings)
        a.refresh()
        a.query_embedder()
    answers: dict[str, list] = {"plain": [], "filtered": []}
    for i, q in enumerate(qs):  # warm-up round, which also gives the answers compared by `identical`
        answers["plain"].append(answer_dict(ask(q, assistant=a)))
        answers["filtered"].append(answer_dict(ask(q, assistant=a, filters=filters[i % len(filters)])))
    times: dict[str, list[float]] = {"plain": [], "filtered": []}
    for _ in range(args.rounds):
        for i, q in enumerate(qs):
            for kind, f in (("plain", None), ("filtered", filters[i % len(filters)])):
                t0 = time.perf_counter()
                ask(q, assistant=a, filters=f)
                times[kind].append((time.perf_counter() - t0) * 1000)
    # the parts of one ask: query embedding, dense search (the exact search of the chunk vectors, as
    # ask does it), keyword search
    from assistant import dense as dense_index
    from assistant import lexical

    emb, dense, kw = [], [], []
    for q in qs:
        t0 = time.perf_counter()
        v = a.query_embedder().embed([q])[0]
        t1 = time.perf_counter()
        dense_index.search(a.dense_index(), v, n=settings.candidates)
        t2 = time.perf_counter()
        lexical.search(a.lexical_index(), q, n=settings.candidates, weights=None)
        t3 = time.perf_counter()
        emb.append((t1 - t0) * 1000)
        dense.append((t2 - t1) * 1000)
        kw.append((t3 - t2) * 1000)
    # the filtered dense search as retrieve() does it vs Chroma's own `where`, question by question
    from assistant import retrieve as retrieve_mod
    from assistant.store import where_clause

    same_dense = None
    lex, docs = a.lexical_index(), a.documents_by_id()

    def filtered_ids(f):  # the chunk ids retrieve() limits the dense search to (as the measured code does it)
        return [i for i, w in zip(lex.ids, retrieve_mod.keyword_mask(lex, f, docs)) if w]

    def nearest(v, ids):
        return a.store.nearest_among(v, ids=ids, n=settings.candidates)

    if lex is not None:
        same_dense = 0
        for i, q in enumerate(qs):
            f, v = filters[i % len(filters)], a.query_embedder().embed([q])[0]
            where = where_clause(f)
            if where is None:
                same_dense += 1
                continue
            want = [(c.chunk_id, round(s, 6)) for c, s in a.store.query(v, n=settings.candidates, where=where)]
            got = [(c.chunk_id, round(s, 6)) for c, s in nearest(v, filtered_ids(f))]
            same_dense += want == got
    if args.answers_out:
        Path(args.answers_out).write_text(json.dumps(answers, ensure_ascii=False, sort_keys=True, indent=0))

    def r(x):
        return round(x, 1)

    return {
        "package": str(Path(assistant.__file__).parent),
        "chunks": a.store.count(),
        "questions": len(qs),
        "rounds": args.rounds,
        "open_seconds": round(opened.seconds, 2),
        **{f"{k}_p50_ms": r(median(v)) for k, v in times.items()},
        **{f"{k}_p95_ms": r(percentile(v, 95)) for k, v in times.items()},
        "parts_p50_ms": {
            "query_embedding": r(median(emb)),
            "dense_search": r(median(dense)),
            "bm25_search": r(median(kw)),
        },
        "filtered_dense_same_as_chroma_where": None if same_dense is None else f"{same_dense}/{len(qs)}",
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def bench_latency(work: Path, scales: list[int], rounds: int) -> dict:
    return {str(n): child("_serve", "--index", str(work / f"scale-{n}"), "--rounds", str(rounds)) for n in scales}


# -- cold start ------------------------------------------------------------------------------------


def cold_start(index: Path, repeats: int = 5) -> dict:
    """Seconds from launching `assistant ask` to its first answer line on stdout."""
    cmd = [ASSISTANT, "ask", questions()[0], "--index", str(index), "--json"]
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=quiet_env())
        line = p.stdout.readline() if p.stdout else ""
        times.append(time.perf_counter() - t0)
        p.wait()
        if not line.startswith("{"):
            raise RuntimeError(f"no answer from {' '.join(cmd)}")
    return {
        "command": " ".join(["assistant", "ask", repr(questions()[0]), "--index", "DIR", "--json"]),
        "repeats": repeats,
        "median_seconds": round(median(times), 2),
        "max_seconds": round(max(times), 2),
    }


# -- server ----------------------------------------------------------------------------------------


def bench_server(work: Path, scales: list[int], rounds: int) -> dict:
    out = {}
    for n in scales:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        cache = Path(tempfile.mkdtemp(prefix="bench-cache-"))
        onnx = Path(os.environ.get("ASSISTANT_CACHE") or Path.home() / ".cache" / "assistant") / "onnx"
        (cache / "onnx").symlink_to(onnx)  # reuse the ONNX export; fresh keyword-index cache
        server = subprocess.Popen(
            [
                str(BIN / "chroma"),
                "run",
                "--path",
                str(work / f"scale-{n}"),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=quiet_env(),
        )
        try:
            for _ in range(120):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
                    break
                except OSError:
                    time.sleep(0.5)
            out[str(n)] = child(
                "_serve",
                "--index",
                str(work / f"scale-{n}"),
                "--chroma-url",
                f"http://127.0.0.1:{port}",
                "--rounds",
                str(rounds),
                env_extra={"ASSISTANT_CACHE": str(cache)},
            )
        finally:
            server.terminate()
            server.wait(30)
            shutil.rmtree(cache, ignore_errors=True)
    return out


# -- identical answers -----------------------------------------------------------------------------


def bench_identical(index: Path, work: Path, before: str, *, reingest: bool, repeats: int = 2) -> dict:
    """Answers from the code `before` and from the measured code, over copies of `index` (or, with
    `reingest`, over an index of the dev corpus that each version ingests itself), each asked in
    `repeats` fresh processes: Chroma's approximate search can return a different tail of neighbours
    from one process to the next, so answers that vary between runs of the same code are reported
    apart from answers that differ between the two versions."""
    answers: dict[str, list[dict]] = {}
    runs = {}
    for label in ("before", "after"):
        pkg = None
        if label == "before":
            pkg = work / f"code-before-{before}"  # `before`: the code at that revision
            shutil.rmtree(pkg, ignore_errors=True)
            pkg.mkdir(parents=True)
            tar = subprocess.run(
                ["git", "-C", str(ROOT), "archive", before, "assistant"], check=True, capture_output=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(pkg)], input=tar, check=True)
        copy = work / f"identical-{label}"
        shutil.rmtree(copy, ignore_errors=True)
        if reingest:
            env = quiet_env(**({"PYTHONPATH": str(pkg)} if pkg else {}))
            subprocess.run(
                [PYTHON, "-m", "assistant.cli", "ingest", *map(str, corpus_paths()), "--index", str(copy), "--quiet"],
                env=env,
                stdout=subprocess.DEVNULL,
                cwd=str(pkg) if pkg else None,
            )
        else:
            shutil.copytree(index, copy, ignore=shutil.ignore_patterns("*_lexical*", "*.lock"))
        answers[label] = []
        for r in range(repeats):
            out = work / f"answers-{label}-{r}.json"
            runs[label] = child(
                "_serve",
                "--index",
                str(copy),
                "--rounds",
                "1",
                "--answers-out",
                str(out),
                pythonpath=str(pkg) if pkg else None,
            )
            answers[label].append(json.loads(out.read_text()))
        shutil.rmtree(copy, ignore_errors=True)

    def differ(x: dict, y: dict) -> set[str]:
        return {f"{kind}:{i}" for kind in x for i, (p, q) in enumerate(zip(x[kind], y[kind])) if p != q}

    vary = set().union(*(differ(v[0], v[r]) for v in answers.values() for r in range(1, repeats)))
    across = set().union(*(differ(b, a) for b in answers["before"] for a in answers["after"]))
    # a question counts as changed when no run of one version gave an answer some run of the other gave
    changed = sorted(
        k
        for k in across
        if not any(
            b[k.split(":")[0]][int(k.split(":")[1])] == a[k.split(":")[0]][int(k.split(":")[1])]
            for b in answers["before"]
            for a in answers["after"]
        )
    )
    return {
        "before": before,
        "after": os.environ.get("PYTHONPATH") or "working tree",
        "reingested": reingest,
        "index_chunks": runs["after"]["chunks"],
        "answers": sum(len(v) for v in answers["after"][0].values()),
        "repeats": repeats,
        "identical": "yes" if not changed else "no",
        "changed": changed,
        "vary_run_to_run": sorted(vary),
        "packages": [runs["before"]["package"], runs["after"]["package"]],
        "plain_p50_ms": [runs["before"]["plain_p50_ms"], runs["after"]["plain_p50_ms"]],
    }


# -- main ------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", nargs="?", default="all", choices=["all", "_floor", "_build", "_serve", "_lexcheck"])
    ap.add_argument("--work", type=Path, default=Path("/tmp/assistant-bench/speed"))
    ap.add_argument("--only", default="ingest,scale,lexical,latency,cold,server,identical")
    ap.add_argument("--scales", default="1000,10000,100000")
    ap.add_argument("--server-scales", default="10000,100000")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--code", help="measure the assistant as committed at this revision (default: the working tree)")
    ap.add_argument(
        "--before", default="HEAD", help="identical: the revision whose code the measured one is compared with"
    )
    ap.add_argument("--no-onnx-floor", action="store_true", help="ingest: skip the ONNX Runtime floor")
    ap.add_argument(
        "--ingest-paths",
        help="ingest: comma-separated files or folders to ingest instead of the dev "
        "corpus (its index is not the dev index the other sections use)",
    )
    ap.add_argument("--reingest", action="store_true", help="identical: each version ingests its own index")
    ap.add_argument("--identical-index", type=Path, help="identical: the index to copy (default: the dev index)")
    ap.add_argument("--index")
    ap.add_argument("--target")
    ap.add_argument("--chunks", type=int)
    ap.add_argument("--backend", default="torch")
    ap.add_argument("--chroma-url")
    ap.add_argument("--answers-out")
    ap.add_argument("--name", default="speed", help="results file name under benchmarks/results")
    a = ap.parse_args()
    ingest_paths = (
        [str(Path(p).resolve()) for p in a.ingest_paths.split(",")] if a.ingest_paths else None
    )  # before use_code moves
    if a.mode != "all":
        print(json.dumps({"_floor": _floor, "_build": _build, "_serve": _serve, "_lexcheck": _lexcheck}[a.mode](a)))
        return
    only = set(a.only.split(","))
    scales = [int(s) for s in a.scales.split(",")]
    work = a.work
    work.mkdir(parents=True, exist_ok=True)
    res: dict[str, Any] = {"machine": machine(), "command": "python benchmarks/speed.py " + " ".join(sys.argv[1:])}
    res["machine"]["code"] = use_code(a.code, work)
    dev = work / "dev-index"

    def step(name: str, fn) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {name} ...", file=sys.stderr, flush=True)
        res[name] = fn()
        print(json.dumps(res[name])[:2000], file=sys.stderr, flush=True)
        save(a.name, res)

    if a.ingest_paths:  # other files; the other sections still use the dev index
        step("ingest", lambda: bench_ingest(work, onnx=not a.no_onnx_floor, paths=ingest_paths))
    elif "ingest" in only:
        step("ingest", lambda: bench_ingest(work, onnx=not a.no_onnx_floor))
    if only - {"ingest"} and not dev.exists():
        step("dev-ingest", lambda: bench_ingest(work, onnx=not a.no_onnx_floor))
    if "scale" in only:
        step("scale", lambda: bench_scale(dev, work, scales))
    if "lexical" in only:
        step("lexical", lambda: bench_lexical(work, scales[-1]))
    if "latency" in only:
        step("latency", lambda: bench_latency(work, scales, a.rounds))
    if "cold" in only:
        step("cold", lambda: {"dev": cold_start(dev), **{str(n): cold_start(work / f"scale-{n}") for n in scales[-1:]}})
    if "server" in only:
        step("server", lambda: bench_server(work, [int(s) for s in a.server_scales.split(",")], a.rounds))
    if "identical" in only:
        step("identical", lambda: bench_identical(a.identical_index or dev, work, a.before, reingest=a.reingest))
    res["machine"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    path = save(a.name, res)
    print(json.dumps({k: v for k, v in res.items() if k != "machine"}, indent=1))
    print(f"results: {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
