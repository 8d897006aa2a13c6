"""Quality benchmark: the assistant and a plain dense-only RAG baseline, scored in the same run by
../shared/eval/scoring.py through their command lines (exactly as ../shared/eval/score_dev.py does).

    python benchmarks/quality.py [--code REV] [--index DIR] [--work DIR]

Answers (fact recall, source-credited recall, abstention, verbatim citations) on
../shared/eval/questions.jsonl over an index of corpus/ + ../shared/data/wikievents-sample;
reading (found, false abstentions, unanswerable abstained, accuracy, words shown) on the SQuAD 2.0
reading set's 3,365 questions over an index of the same plus ../shared/data/squad2-dev/articles;
attributions (P/R/F1) on PolNeAR dev and the gold lines. Without ../shared it prints why and
exits 0. Results: benchmarks/results/quality.json and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    ASSISTANT,
    EVAL,
    PYTHON,
    ROOT,
    SHARED,
    Clock,
    corpus_paths,
    machine,
    need_shared,  # noqa: E402
    quiet_env,
    save,
    use_code,
)

BASELINE = Path(__file__).resolve().parent / "baseline_rag.py"


def build_index(cmd: list[str], index: Path, *, built_by: str) -> dict:
    """Run an ingest command unless this script built the index before with the same code; its wall
    time (0 when reused) and the files that failed (`assistant ingest` exits 1 when some did)."""
    marker = index / ".benchmark-built"
    if marker.exists() and marker.read_text() == built_by and built_by != "working tree":
        return {"seconds": 0.0, "reused": True}
    shutil.rmtree(index, ignore_errors=True)
    with Clock() as c:
        p = subprocess.run(cmd, env=quiet_env(), capture_output=True, text=True)
    if p.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr[-2000:]}")
    failed = []
    if p.returncode == 1:
        failed = [f for f in json.loads(p.stdout)["files"] if f["status"] == "failed"]
    marker.write_text(built_by)
    return {"seconds": round(c.seconds, 1), "failed_files": failed}


def polnear_articles(read_brat) -> list[tuple[str, list]]:
    """PolNeAR dev, one annotator per article (as score_dev.py reads it)."""
    pol = SHARED / "data" / "polnear-dev"
    seen, arts = set(), []
    for ann in sorted((pol / "attributions").glob("*.ann")):
        stem = ann.stem.rsplit("_", 1)[0]
        if stem not in seen:
            seen.add(stem)
            text = (pol / "text" / f"{stem}.txt").read_text()
            arts.append((text, read_brat(text, ann.read_text())))
    return arts


def score(exe: str, index: Path, reading_index: Path, work: Path) -> dict:
    sys.path.insert(0, str(EVAL))
    from score_dev import dev_doc_texts
    from scoring import read_brat, score_answers, score_brat, score_gold_lines, score_reading

    work.mkdir(parents=True, exist_ok=True)
    questions = [json.loads(line) for line in open(EVAL / "questions.jsonl")]
    gold = [json.loads(line) for f in ("attributions.jsonl", "attributions_more.jsonl") for line in open(EVAL / f)]
    out: dict = {}
    with Clock() as c:
        out["answers"] = score_answers(exe, str(index), questions, raw_out=work / "answers.raw")
    out["answers_seconds"] = round(c.seconds, 1)
    reading = [json.loads(line) for line in open(SHARED / "data" / "squad2-dev" / "questions.jsonl")]
    with Clock() as c:
        out["reading"] = score_reading(exe, str(reading_index), reading, raw_out=work / "reading.raw")
    out["reading_seconds"] = round(c.seconds, 1)
    with Clock() as c:
        out["gold_lines"] = score_gold_lines(exe, gold, dev_doc_texts(), work)
        out["polnear_dev"] = score_brat(exe, polnear_articles(read_brat), work)
    out["attributions_seconds"] = round(c.seconds, 1)
    return out


def summary(r: dict) -> dict:
    a, g, p, rd = r["answers"], r["gold_lines"], r["polnear_dev"], r["reading"]
    if "error" in a:
        return {"error": a["error"]}

    def f1(pr: float, rc: float) -> float:
        return round(2 * pr * rc / (pr + rc), 3) if pr and rc else 0.0

    gp = g["source_precision"] or 0.0
    return {
        "fact recall": a["fact_recall"],
        "credited recall": a["credited_recall"],
        "abstention": round(a["abstained"] / a["unans"], 3) if a["unans"] else None,
        "false abstentions": a["false_abstain"],
        "verbatim citations": a["verbatim_rate"],
        "reading: found": rd["found_rate"],
        "reading: false abstentions": rd["false_abstain_rate"],
        "reading: unanswerable abstained": rd["abstain_rate"],
        "reading: accuracy": rd["accuracy"],
        "reading: words shown": rd["words_shown"],
        "gold lines P": gp,
        "gold lines R": g["source_recall"],
        "gold lines F1": f1(gp, g["source_recall"]),
        "PolNeAR exact P": p["exact_P"],
        "PolNeAR exact R": p["exact_R"],
        "PolNeAR exact F1": p["exact_F1"],
        "PolNeAR lenient F1": p["lenient_F1"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index", type=Path, help="an existing assistant index of the dev corpus (default: build one)")
    ap.add_argument(
        "--reading-index",
        type=Path,
        help="an existing assistant index of the dev corpus and the reading set's articles (default: build one)",
    )
    ap.add_argument("--work", type=Path, default=Path("/tmp/assistant-bench/quality"))
    ap.add_argument("--code", help="run the assistant as committed at this git revision (default: the working tree)")
    a = ap.parse_args()
    need_shared()
    info = machine()
    work = a.work
    work.mkdir(parents=True, exist_ok=True)
    info["code"] = use_code(a.code, work)
    paths = [str(p) for p in corpus_paths()]
    articles = str(SHARED / "data" / "squad2-dev" / "articles")
    index = a.index or work / "assistant-index"
    reading_index = a.reading_index or work / "assistant-reading-index"
    base_index, base_reading = work / "baseline-index", work / "baseline-reading-index"
    ingest = {
        "assistant": 0.0
        if a.index
        else build_index(
            [ASSISTANT, "ingest", *paths, "--index", str(index), "--quiet", "--json"], index, built_by=info["code"]
        ),
        "assistant reading": 0.0
        if a.reading_index
        else build_index(
            [ASSISTANT, "ingest", *paths, articles, "--index", str(reading_index), "--quiet", "--json"],
            reading_index,
            built_by=info["code"],
        ),
        "baseline": build_index(
            [PYTHON, str(BASELINE), "ingest", *paths, "--index", str(base_index)], base_index, built_by="baseline"
        ),
        "baseline reading": build_index(
            [PYTHON, str(BASELINE), "ingest", *paths, articles, "--index", str(base_reading)],
            base_reading,
            built_by="baseline",
        ),
    }
    base_exe = work / "baseline-cli"
    base_exe.write_text(f'#!/bin/sh\nexec {PYTHON} {BASELINE} "$@"\n')
    base_exe.chmod(0o755)
    results = {
        "machine": info,
        "command": "python benchmarks/quality.py " + " ".join(sys.argv[1:]),
        "corpus": paths,
        "ingest_seconds": ingest,
        "assistant": score(ASSISTANT, index, reading_index, work / "assistant"),
        "baseline": score(str(base_exe), base_index, base_reading, work / "baseline"),
    }
    results["summary"] = {"assistant": summary(results["assistant"]), "baseline": summary(results["baseline"])}
    path = save("quality", results)
    s = results["summary"]
    print("| measure | assistant | plain RAG baseline |\n|---|---|---|")
    for k in s["assistant"]:
        print(f"| {k} | {s['assistant'].get(k)} | {s['baseline'].get(k)} |")
    print(f"\nper question (assistant): {results['assistant']['answers'].get('per_question')}")
    print(f"per question (baseline):  {results['baseline']['answers'].get('per_question')}")
    print(f"results: {path.relative_to(ROOT)}; machine: {info}")


if __name__ == "__main__":
    main()
