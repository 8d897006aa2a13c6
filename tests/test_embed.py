"""The ingest's embedder: mini-batches of texts of about one length, on one thread per core, give
the vectors of one plain sentence-transformers `encode` call (to within float32 rounding; each
mini-batch's bit for bit), in the order of the texts."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from assistant.config import BUNDLED_MODEL
from assistant.embed import TorchEmbedder, model_info

TEXTS = [("The army said %d rebels were killed near the border. " % i) * (1 + i % 7) for i in range(70)] + [
    "",
    "Wagner",
    "THE MINISTRY DENIED THE REPORT.",
]


@pytest.fixture(scope="module")
def embedder() -> TorchEmbedder:
    return TorchEmbedder(model_info(BUNDLED_MODEL), threads=2)


def _encode(embedder: TorchEmbedder, texts: list[str]) -> np.ndarray:
    return embedder.model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)


def _as_mini_batches(embedder: TorchEmbedder, texts: list[str]) -> np.ndarray:
    """What the embedder must give: each of its mini-batches encoded on its own, in text order."""
    want = np.empty((len(texts), embedder.dim), dtype=np.float32)
    for idx in embedder.mini_batches(texts):
        want[idx] = _encode(embedder, [texts[i] for i in idx])
    return want


def test_threads_give_the_vectors_of_one_encode_call_in_order(embedder: TorchEmbedder) -> None:
    got = embedder.embed(TEXTS)
    assert got.shape == (len(TEXTS), embedder.dim) and got.dtype == np.float32
    assert float(np.abs(got - _encode(embedder, TEXTS)).max()) < 1e-6  # float32 rounding, no more
    assert np.array_equal(got, _as_mini_batches(embedder, TEXTS))  # whatever thread ran which
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert embedder.model_copies == 2  # each thread its own model (tokenizers are not thread-safe)


def test_mini_batches_hold_texts_of_one_length_in_word_pieces(embedder: TorchEmbedder) -> None:
    """Figures and names cost more word pieces per character than plain words: ordered by characters
    (as `encode` orders), a mini-batch pads short texts to a long one."""
    plain, dense = "the army said that the town was quiet again " * 4, "S/2025/194 (1,234,567; 89.4%) Kidal-Gao " * 4
    width = max(len(plain), len(dense))
    texts = [t.ljust(width + 2 * i + k) for i in range(embedder.batch_size) for k, t in enumerate((plain, dense))]
    pieces = embedder.word_pieces(texts)
    batches = embedder.mini_batches(texts)
    assert sorted(i for idx in batches for i in idx) == list(range(len(texts)))
    assert all(len(idx) <= embedder.batch_size for idx in batches)
    padded = sum(max(pieces[i] for i in idx) * len(idx) for idx in batches)
    by_chars = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    chars_batches = [by_chars[b : b + embedder.batch_size] for b in range(0, len(texts), embedder.batch_size)]
    padded_by_chars = sum(max(pieces[i] for i in idx) * len(idx) for idx in chars_batches)
    assert padded == sum(pieces) < padded_by_chars


def test_short_and_empty_lists(embedder: TorchEmbedder) -> None:
    assert embedder.embed([]).shape == (0, embedder.dim)
    one = embedder.embed(["Wagner"])
    assert float(np.abs(one[0] - embedder.embed(TEXTS)[TEXTS.index("Wagner")]).max()) < 1e-5


def test_concurrent_callers_share_it_safely(embedder: TorchEmbedder) -> None:
    """An ingest's batch and a question embedded at the same time (the web chat with the torch
    query backend) neither fail nor mix up their vectors."""
    want = embedder.embed(TEXTS)
    results: dict[int, np.ndarray] = {}
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            results[k] = embedder.embed(TEXTS if k % 2 == 0 else TEXTS[-1:])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for k, got in results.items():
        assert float(np.abs(got - (want if k % 2 == 0 else want[-1:])).max()) < 1e-5


def test_lists_submitted_one_after_another_keep_their_vectors(embedder: TorchEmbedder) -> None:
    """The ingest queues each batch's texts behind the previous batch's: every list still gets its
    own mini-batches' vectors, bit for bit, whatever thread ran which mini-batch."""
    lists = [TEXTS, TEXTS[5:40], TEXTS[-3:], [], TEXTS[::-1]]
    futures = [embedder.submit(texts) for texts in lists]
    for texts, future in zip(lists, futures):
        got = future.result().vectors
        assert got.shape == (len(texts), embedder.dim)
        if texts:
            assert np.array_equal(got, _as_mini_batches(embedder, texts))


def test_a_cancelled_list_leaves_the_threads_working(embedder: TorchEmbedder) -> None:
    many = [t + f" ({i})" for i in range(6) for t in TEXTS]  # mini-batches queued behind one another
    first, second = embedder.submit(many), embedder.submit(TEXTS)
    assert first.cancel() or first.done()
    assert np.array_equal(second.result(timeout=120).vectors, embedder.embed(TEXTS))  # no copy of the model lost


def test_sentence_vectors_are_pooled_from_the_chunk_without_changing_its_vector(embedder: TorchEmbedder) -> None:
    """Spans of a text get the mean of its token vectors inside them (each sentence is closer to its
    own span than to the others), and the text's vector is the one it gets without spans."""
    sentences = [
        "The Malian army said twenty rebels were killed near Kidal.",
        "The separatists said the market in Gao burned for two hours.",
        "Rain is expected over the capital on Sunday.",
    ]
    text = " ".join(sentences)
    spans, at = [], 0
    for s in sentences:
        spans.append((at, at + len(s)))
        at += len(s) + 1
    long = "word " * 400  # cut at the model's limit: a span past it gets the text's mean
    got = embedder.submit([text, long, ""], spans=[spans, [(0, 20), (1900, 1990)], []]).result()
    assert np.array_equal(got.vectors, embedder.submit([text, long, ""]).result().vectors)
    assert [p.shape for p in got.parts] == [(3, embedder.dim), (2, embedder.dim), (0, embedder.dim)]
    own = embedder.embed(sentences)
    similarity = got.parts[0] @ own.T
    assert list(np.argmax(similarity, axis=0)) == [0, 1, 2]  # each sentence is most like its own span
    assert np.allclose(np.linalg.norm(got.parts[1], axis=1), 1.0, atol=1e-5)
