"""BM25 keyword search over chunk texts (bm25s, English stemming), with per-chunk metadata arrays
for filtering. The index is derived from the store: it records the store generation it was built
from, and is rebuilt from the store when that moves on.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS

_STEMMER = Stemmer.Stemmer("english")
_WORD = re.compile(r"(?u)\b\w\w+\b")
STOPWORDS = frozenset(STOPWORDS_EN_PLUS) - {"not", "no", "nor", "never"}


# Conflict-reporting words that say the same thing in different words ("deaths", "killed", "dead").
SAME_MEANING = {
    "kill": "die death dead deadli slain slay fatal fatal perish kill killer",
    "injur": "wound injur hurt injuri",
    "captur": "captur prison prisoner imprison",
    "attack": "attack assault ambush raid offens",
    "bomb": "bomb explos blast ied detonat explod",
    "soldier": "soldier troop servicemen",
}
_CANONICAL = {w: k for k, words in SAME_MEANING.items() for w in words.split()}
_GROUP = {w: words.split() for words in SAME_MEANING.values() for w in words.split()}


def canonical(stem: str) -> str:
    """One stem for words of the same meaning in conflict reporting."""
    return _CANONICAL.get(stem, stem)


def stem_word(word: str) -> str:
    """One lower-case word stemmed as the index stems it (stop words included)."""
    return _STEMMER.stemWord(word)


def stem_terms(text: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed terms, as the index sees them."""
    return _STEMMER.stemWords([w for w in _WORD.findall(text.lower()) if w not in STOPWORDS])


@dataclass
class LexicalIndex:
    generation: int
    ids: list[str]
    doc_ids: list[str]
    doc_codes: np.ndarray  # per chunk: index into doc_ids
    outlets: list[str]
    outlet_codes: np.ndarray
    dates: np.ndarray  # per chunk: yyyymmdd or 0
    types: dict[str, np.ndarray]  # source type key -> per chunk bool
    model: bm25s.BM25 | None
    df: np.ndarray | None = None  # documents containing each vocabulary term
    tokens: list[list[str]] | None = field(default=None, repr=False)  # each chunk's terms, until saved

    id_array: np.ndarray = field(init=False, repr=False)  # `ids` as an array, for selecting by mask

    def __post_init__(self) -> None:
        if self.df is None and self.model is not None:
            self.df = np.diff(self.model.scores["indptr"])
        self.id_array = np.array(self.ids, dtype=object)

    def idf(self, term: str) -> float:
        """Inverse document frequency of a stemmed term (rare terms weigh more; unknown terms most)."""
        if self.model is None or self.df is None:
            return 1.0
        n = len(self.ids)
        tid = self.model.vocab_dict.get(term)
        df = int(self.df[tid]) if tid is not None and tid < len(self.df) else 0
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def documents_with(self, term: str) -> frozenset[str]:
        """Ids of the documents one of whose chunks holds the stemmed `term`."""
        if self.model is None:
            return frozenset()
        tid = self.model.vocab_dict.get(term)
        if tid is None or tid + 1 >= len(self.model.scores["indptr"]):
            return frozenset()
        indptr = self.model.scores["indptr"]
        chunks = self.model.scores["indices"][indptr[tid] : indptr[tid + 1]]
        return frozenset(self.doc_ids[c] for c in np.unique(self.doc_codes[chunks]))

    def knows(self, term: str) -> bool:
        return self.model is not None and term in self.model.vocab_dict


Row = tuple[str, list[str], str, str, int, tuple[str, ...]]  # id, terms, doc id, outlet, date, source-type keys


def build(entries: Iterable[tuple[str, str, dict[str, Any]]], *, generation: int) -> LexicalIndex:
    """Index (id, text, metadata) triples."""
    return assemble((row(cid, stem_terms(text), meta) for cid, text, meta in entries), generation=generation)


def row(cid: str, terms: list[str], meta: dict[str, Any]) -> Row:
    """One chunk as the index keeps it, from its stored metadata."""
    return (
        cid,
        terms,
        meta.get("doc_id", ""),
        meta.get("outlet", ""),
        int(meta.get("date_int", 0)),
        tuple(k[3:] for k, v in meta.items() if k.startswith("st_") and v),
    )


def assemble(rows: Iterable[Row], *, generation: int) -> LexicalIndex:
    """Index chunks given as rows (terms already computed), in the order given."""
    ids, tokens, docs, outs, dates = [], [], [], [], []
    type_rows: dict[str, list[int]] = {}
    for n, (cid, terms, doc, outlet, date, keys) in enumerate(rows):
        ids.append(cid)
        tokens.append(terms)
        docs.append(doc)
        outs.append(outlet)
        dates.append(date)
        for k in keys:
            type_rows.setdefault(k, []).append(n)
    doc_ids = sorted(set(docs))
    doc_pos = {d: i for i, d in enumerate(doc_ids)}
    outlets = sorted(set(outs))
    out_pos = {o: i for i, o in enumerate(outlets)}
    types = {}
    for k, rows_k in type_rows.items():
        arr = np.zeros(len(ids), dtype=bool)
        arr[rows_k] = True
        types[k] = arr
    model = None
    if any(tokens):  # bm25s cannot index an empty vocabulary
        model = bm25s.BM25()
        model.index(tokens, show_progress=False)
    return LexicalIndex(
        generation=generation,
        ids=ids,
        doc_ids=doc_ids,
        doc_codes=np.array([doc_pos[d] for d in docs], dtype=np.int32),
        outlets=outlets,
        outlet_codes=np.array([out_pos[o] for o in outs], dtype=np.int32),
        dates=np.array(dates, dtype=np.int64),
        types=types,
        model=model,
        tokens=tokens,
    )


def saved_rows(directory: Path) -> dict[str, Row] | None:
    """The chunks of the index saved in `directory` with their terms (for an incremental rebuild),
    or None when there is none or it has no terms."""
    index = load(directory, model=False)
    try:
        lines = (directory / "terms.txt").read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeError):
        return None
    if index is None or len(lines) != max(len(index.ids), 1):
        return None
    keys: list[list[str]] = [[] for _ in index.ids]
    for k, arr in index.types.items():
        for n in np.flatnonzero(arr):
            keys[n].append(k)
    return {
        cid: (
            cid,
            lines[n].split(),
            index.doc_ids[index.doc_codes[n]],
            index.outlets[index.outlet_codes[n]],
            int(index.dates[n]),
            tuple(keys[n]),
        )
        for n, cid in enumerate(index.ids)
    }


def save(index: LexicalIndex, directory: Path) -> None:
    """Write the index to `directory` atomically (a new folder renamed into place)."""
    tmp = directory.with_name(directory.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    if index.model is not None:
        index.model.save(str(tmp / "bm25"), show_progress=False)
    np.savez(
        tmp / "meta.npz",
        doc_codes=index.doc_codes,
        outlet_codes=index.outlet_codes,
        dates=index.dates,
        **{f"type_{k}": v for k, v in index.types.items()},
    )
    (tmp / "ids.json").write_text(
        json.dumps(
            {"generation": index.generation, "ids": index.ids, "doc_ids": index.doc_ids, "outlets": index.outlets}
        )
    )
    if index.tokens is not None:  # each chunk's terms (a line of words), so the next rebuild need not
        (tmp / "terms.txt").write_text("\n".join(" ".join(terms) for terms in index.tokens), encoding="utf-8")
    old = directory.with_name(directory.name + f".old{os.getpid()}")
    if directory.exists():
        directory.rename(old)
    tmp.rename(directory)
    shutil.rmtree(old, ignore_errors=True)


def load(directory: Path, *, model: bool = True) -> LexicalIndex | None:
    """The saved index (without the BM25 model when `model` is False), or None when there is none
    or it cannot be read (missing, truncated or damaged files: it is derived data, rebuilt from the
    store by the caller)."""
    try:
        head = json.loads((directory / "ids.json").read_text())
        with np.load(directory / "meta.npz") as npz:
            arrays = {k: npz[k] for k in npz.files}
        bm25 = (
            bm25s.BM25.load(str(directory / "bm25"), mmap=False, show_progress=False)
            if model and (directory / "bm25").exists()
            else None
        )
        types = {k[5:]: v for k, v in arrays.items() if k.startswith("type_")}
        index = LexicalIndex(
            generation=int(head["generation"]),
            ids=head["ids"],
            doc_ids=head["doc_ids"],
            doc_codes=arrays["doc_codes"],
            outlets=head["outlets"],
            outlet_codes=arrays["outlet_codes"],
            dates=arrays["dates"],
            types=types,
            model=bm25,
        )
        n = len(index.ids)
        if (
            not (len(index.doc_codes) == len(index.outlet_codes) == len(index.dates) == n)
            or any(len(v) != n for v in types.values())
            or (bm25 is not None and bm25.scores.get("num_docs") != n)
        ):
            return None
        return index
    except Exception:  # zipfile, numpy, json and bm25s each raise their own kinds
        return None


def mask(
    index: LexicalIndex,
    *,
    doc_ids: Iterable[str] | None,
    outlets: Iterable[str],
    date_from: int,
    date_to: int,
    types: Iterable[str],
) -> np.ndarray | None:
    """1.0 for chunks that pass the filters, 0.0 for the rest (None when nothing is filtered)."""
    keep = np.ones(len(index.ids), dtype=bool)
    changed = False
    if doc_ids is not None:
        wanted = {d for d in doc_ids}
        codes = [i for i, d in enumerate(index.doc_ids) if d in wanted]
        keep &= np.isin(index.doc_codes, codes)
        changed = True
    outs = set(outlets)
    if outs:
        keep &= np.isin(index.outlet_codes, [i for i, o in enumerate(index.outlets) if o in outs])
        changed = True
    if date_from:
        keep &= index.dates >= date_from
        changed = True
    if date_to:
        keep &= (index.dates <= date_to) & (index.dates > 0)
        changed = True
    type_list = list(types)
    if type_list:
        any_type = np.zeros(len(index.ids), dtype=bool)
        for t in type_list:
            if t in index.types:
                any_type |= index.types[t]
        keep &= any_type
        changed = True
    return keep.astype(np.float32) if changed else None


def search(index: LexicalIndex, query: str, *, n: int, weights: np.ndarray | None) -> list[tuple[str, float]]:
    """Top `n` chunk ids by BM25 score (positive scores only)."""
    if index.model is None or not index.ids:
        return []
    terms = []
    for t in stem_terms(query):
        terms.extend(_GROUP.get(t, [t]))
    vocab = index.model.vocab_dict
    terms = [t for t in dict.fromkeys(terms) if t in vocab]
    if not terms:
        return []
    k = min(n, len(index.ids))
    docs, scores = index.model.retrieve([terms], k=k, show_progress=False, weight_mask=weights, n_threads=0)
    return [(index.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]
