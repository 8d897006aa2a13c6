"""Chunks cover the text, keep their offsets, and never exceed the model's word-piece limit."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.analyse import analyse
from assistant.chunk import chunk
from assistant.clean import clean
from assistant.load import load_file
from assistant.types import Analysis, DocMeta, Narrator, RawDocument, Sentence

from .conftest import CORPUS, SEED


def check(doc, analysis, chunks, tokenizer, max_tokens=254):
    assert chunks, "no chunks"
    for c in chunks:
        assert c.text == doc.text[c.start : c.end]
        assert len(tokenizer.encode(c.text, add_special_tokens=False).ids) <= max_tokens
        assert c.chunk_id.startswith(doc.doc_id)
    covered = [False] * len(doc.text)
    for c in chunks:
        for i in range(c.start, c.end):
            covered[i] = True
    for s in analysis.sentences:
        assert all(covered[s.start : s.end]), f"sentence not covered: {doc.text[s.start : s.end][:60]}"
    for a, b in zip(chunks, chunks[1:]):
        assert a.start < b.start and a.end <= b.end


@pytest.mark.parametrize("path", [SEED, CORPUS / "un-sc" / "S_2025_277.en.pdf"])
def test_real_documents(path, analyzer, tokenizer):
    doc = clean(load_file(path).documents[0])
    analysis = analyse(doc, analyzer=analyzer)
    chunks = chunk(doc, analysis, tokenizer=tokenizer, target=160, max_tokens=254, overlap=48)
    check(doc, analysis, chunks, tokenizer)
    if doc.pages:
        assert all(c.page_start is not None and c.page_start <= c.page_end for c in chunks)


def sentences_of(text: str) -> tuple[Sentence, ...]:
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch == "." and (i + 1 == len(text) or text[i + 1] == " "):
            out.append(Sentence(start, i + 1, 0))
            start = i + 2
    if start < len(text):
        out.append(Sentence(start, len(text), 0))
    return tuple(s for s in out if s.end > s.start)


words = st.sampled_from(
    [
        "army",
        "rebels",
        "said",
        "killed",
        "Tinzaouatene",
        "twenty",
        "the",
        "of",
        "2025",
        "counter-terrorism",
        "MINUSCA",
        "Baza",
        "…",
        "“quote”",
        "x" * 40,
    ]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.lists(words, min_size=1, max_size=400), min_size=1, max_size=12),
    st.integers(min_value=16, max_value=200),
    st.integers(min_value=0, max_value=64),
)
def test_chunks_cover_every_sentence(tokenizer, sentences, target, overlap):
    text = " ".join(" ".join(s) + "." for s in sentences)
    doc = clean(RawDocument(path="p.txt", pages=(text,), meta=DocMeta()))
    analysis = Analysis(sentences=sentences_of(doc.text), attributions=(), narrator=Narrator("x", "author"))
    chunks = chunk(doc, analysis, tokenizer=tokenizer, target=target, max_tokens=254, overlap=overlap)
    check(doc, analysis, chunks, tokenizer)
