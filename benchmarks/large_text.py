"""Large text files: time and peak memory of ingesting one big text, against the embedding time
of its chunks.

    python benchmarks/large_text.py [--work DIR] [--only big,line] [--big-mb 50] [--line-mb 5]
                                    [--no-floor] [--code REV]

- big:  a text file of --big-mb MB (default 50): the prose of the bundled corpus (the seed
        article, the UN Security Council reports' text, the MUC-4 wire reports) repeated, in
        paragraphs, until the size is reached;
- line: a text file of --line-mb MB (default 5) on a single line: the same prose joined by spaces.

Each file is ingested alone into a fresh index by `assistant ingest FILE --json --quiet` (the real
command line); a sampler reads /proc twice a second for the resident memory (RSS) of that process
and of its children (the spaCy worker). Then the chunks of the index are embedded once by a plain
sentence-transformers `encode` in a fresh process (`speed.py _floor --backend torch`: the
embedding floor of BENCHMARKS.md), and the ingest's wall time is given as a multiple of it.

Results: benchmarks/results/large_text.json and a summary on stdout. Needs only corpus/.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ASSISTANT, CORPUS, PYTHON, Clock, machine, quiet_env, save, use_code  # noqa: E402

HERE = Path(__file__).resolve().parent


def corpus_prose() -> list[str]:
    """The paragraphs of the bundled corpus, as its documents' cleaned text gives them."""
    from assistant.clean import clean
    from assistant.load import load_file
    from assistant.walk import discover

    paragraphs: list[str] = []
    for path in discover([CORPUS]).files:
        for raw in load_file(path).documents:
            doc = clean(raw)
            paragraphs.extend(doc.text[p.start : p.end] for p in doc.paragraphs if p.end - p.start > 40)
    return paragraphs


def build(path: Path, *, megabytes: float, one_line: bool) -> None:
    """Write the corpus prose again and again until the file has `megabytes` MB."""
    paragraphs = corpus_prose()
    target = int(megabytes * 1e6)
    sep = " " if one_line else "\n\n"
    size = 0
    with path.open("w", encoding="utf-8") as fh:
        while size < target:
            for para in paragraphs:
                text = (para.replace("\n", " ") if one_line else para) + sep
                fh.write(text)
                size += len(text.encode("utf-8"))
                if size >= target:
                    break
        fh.write("\n")


class RssSampler:
    """Peak resident memory of a process and of its descendants, read from /proc every 0.5 s."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_main = self.peak_children = self.peak_total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @staticmethod
    def _rss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/status") as fh:
                return next(int(line.split()[1]) << 10 for line in fh if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            return 0

    def _descendants(self) -> list[int]:
        parent: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                    parent[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
        out, frontier = [], [self.pid]
        while frontier:
            kids = [p for p, pp in parent.items() if pp in frontier]
            out += kids
            frontier = kids
        return out

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            main = self._rss(self.pid)
            children = sum(self._rss(p) for p in self._descendants())
            self.peak_main = max(self.peak_main, main)
            self.peak_children = max(self.peak_children, children)
            self.peak_total = max(self.peak_total, main + children)

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        mb = 1 << 20
        return {
            "peak_rss_mb_ingest_process": round(self.peak_main / mb),
            "peak_rss_mb_children": round(self.peak_children / mb),
            "peak_rss_mb_all": round(self.peak_total / mb),
        }


def bench(path: Path, work: Path, *, floor: bool) -> dict[str, Any]:
    index = work / f"{path.stem}-index"
    shutil.rmtree(index, ignore_errors=True)
    cmd = [ASSISTANT, "ingest", str(path), "--index", str(index), "--json", "--quiet"]
    load0 = os.getloadavg()
    with Clock() as c:
        proc = subprocess.Popen(cmd, env=quiet_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        sampler = RssSampler(proc.pid)
        out, err = proc.communicate()
    memory = sampler.stop()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"ingest failed ({proc.returncode}): {err[-2000:]}")
    (line,) = json.loads(out)["files"]
    result: dict[str, Any] = {
        "file": path.name,
        "megabytes": round(path.stat().st_size / 1e6, 1),
        "lines": sum(1 for _ in path.open(encoding="utf-8")),
        "command": f"assistant ingest {path.name} --index DIR --json --quiet",
        "status": line["status"],
        "reason": line["reason"],
        "chunks": line["chunks"],
        "wall_seconds": round(c.seconds, 1),
        **memory,
        "load_avg_before": [round(x, 2) for x in load0],
        "load_avg_after": [round(x, 2) for x in os.getloadavg()],
    }
    if floor and line["chunks"]:
        run = subprocess.run(
            [PYTHON, str(HERE / "speed.py"), "_floor", "--index", str(index), "--backend", "torch"],
            env=quiet_env(),
            capture_output=True,
            text=True,
        )
        if run.returncode != 0:
            raise SystemExit(f"the embedding floor failed: {run.stderr[-2000:]}")
        torch_floor = json.loads(run.stdout.strip().splitlines()[-1])
        result["floor_torch"] = torch_floor
        result["ratio_wall_to_torch_floor"] = round(c.seconds / torch_floor["embed_seconds"], 2)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("/tmp/assistant-bench/large-text"))
    ap.add_argument("--only", default="line,big", help="which files: line, big (comma-separated)")
    ap.add_argument("--big-mb", type=float, default=50.0)
    ap.add_argument("--line-mb", type=float, default=5.0)
    ap.add_argument("--no-floor", action="store_true", help="skip the embedding floor (the ratio)")
    ap.add_argument("--code", help="measure the assistant as committed at REV (git archive + PYTHONPATH)")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    code = use_code(a.code, a.work)
    from assistant.config import quiet_runtime

    quiet_runtime()
    results: dict[str, Any] = {
        "machine": machine(),
        "code": code,
        "command": "python benchmarks/large_text.py " + " ".join(sys.argv[1:]),
    }
    cases = {
        "line": (f"one_line_{a.line_mb:g}mb.txt", a.line_mb, True),
        "big": (f"text_{a.big_mb:g}mb.txt", a.big_mb, False),
    }
    for name in a.only.split(","):
        file_name, megabytes, one_line = cases[name]
        path = a.work / file_name
        if not path.exists() or abs(path.stat().st_size / 1e6 - megabytes) > 0.1:
            build(path, megabytes=megabytes, one_line=one_line)
        results[name] = bench(path, a.work, floor=not a.no_floor)
        save("large_text", results)
        print(json.dumps({name: results[name]}, indent=1), flush=True)


if __name__ == "__main__":
    main()
