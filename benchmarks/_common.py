"""Helpers shared by the benchmark scripts: where things are, what machine this is, timing."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = Path(os.environ.get("ASSISTANT_SHARED", ROOT.parent / "shared"))
EVAL = SHARED / "eval"
WIKIEVENTS = SHARED / "data" / "wikievents-sample"
RESULTS = ROOT / "benchmarks" / "results"
PYTHON = sys.executable
BIN = Path(sys.executable).parent
ASSISTANT = str(BIN / "assistant")


def use_code(rev: str | None, work: Path) -> str:
    """Run the assistant from `git archive REV` (via PYTHONPATH, inherited by every child process)
    instead of the working tree, which other people may be editing; returns what was used. The
    current directory moves there too: `python -m assistant...` children (the PDF parser) put it
    first on sys.path."""
    if not rev:
        return "working tree"
    if rev == "snapshot":  # a frozen copy of the working tree as it is now (HEAD + uncommitted edits)
        import hashlib
        import shutil

        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        diff = subprocess.run(["git", "-C", str(ROOT), "diff", "HEAD", "--", "assistant"], capture_output=True).stdout
        commit = f"{head}+{hashlib.sha256(diff).hexdigest()[:8]}" if diff else head
        dest = work / f"code-{commit}"
        if not (dest / "assistant").exists():
            shutil.copytree(ROOT / "assistant", dest / "assistant", ignore=shutil.ignore_patterns("__pycache__"))
            (dest / "uncommitted.diff").write_bytes(diff)
        os.environ["PYTHONPATH"] = str(dest)
        os.chdir(dest)
        return commit
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", rev], check=True, capture_output=True, text=True
    ).stdout.strip()
    dest = work / f"code-{commit}"
    if not (dest / "assistant").exists():
        dest.mkdir(parents=True, exist_ok=True)
        tar = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit, "assistant"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(dest)], input=tar, check=True)
    os.environ["PYTHONPATH"] = str(dest)
    os.chdir(dest)
    return commit


def quiet_env(**extra: str) -> dict[str, str]:
    """The environment for child processes: offline, passive OpenMP waiting, no telemetry."""
    env = dict(os.environ)
    env.update(
        {
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "OMP_WAIT_POLICY": "PASSIVE",
            "TOKENIZERS_PARALLELISM": "false",
            "ANONYMIZED_TELEMETRY": "False",
        }
    )
    env.update(extra)
    return env


def need_shared() -> None:
    """Exit cleanly (status 0, one line) when ../shared is not there."""
    if not (EVAL / "scoring.py").exists():
        print(f"skipped: {EVAL} is absent (the shared evaluation data); set ASSISTANT_SHARED to its folder")
        raise SystemExit(0)


def corpus_paths() -> list[Path]:
    """The bundled corpus plus the WikiEvents sample (when ../shared is there): the dev-set index."""
    paths = [CORPUS]
    if WIKIEVENTS.exists():
        paths.append(WIKIEVENTS)
    return paths


def machine() -> dict[str, Any]:
    """CPU model, cores, RAM, Python, commit and date, for every results file."""
    model = platform.processor() or platform.machine()
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    ram = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) / 2**20
    except OSError:
        pass
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no", "assistant"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "ram_gb": round(ram, 1),
        "python": platform.python_version(),
        "commit": commit + ("+dirty(assistant/)" if dirty else ""),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    s = sorted(values)
    return s[max(0, min(len(s) - 1, round(q / 100 * len(s) + 0.5) - 1))]


def median(values: list[float]) -> float:
    return statistics.median(values)


def save(name: str, data: dict[str, Any]) -> Path:
    """Write a results file benchmarks/results/<name>.json and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return path


class Clock:
    def __enter__(self) -> Clock:
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.t0
